#!/usr/bin/env node
// Validates the manifests the Notejam chart renders, offline.
//
//   node validate.mjs --models <dir> [--name <label>] [--migration-hook <events>]
//                     [--import-limits <NotejamLimits.cs,ImportLimits.cs>] [--resource-metrics-only] <rendered.yaml>
//
// <dir> is where `npm install --prefix <dir> kubernetes-models js-yaml` put its node_modules
// (check.sh does that). For each YAML document it:
//   1. picks the kubernetes-models class by apiVersion/kind (an unknown kind fails) and runs its
//      JSON-schema validate();
//   2. rejects fields the Kubernetes API does not define (validate() lets them through), using the
//      type declarations that ship with kubernetes-models;
// then checks what no schema says about this chart: probes, rollout strategy, security context,
// resources, autoscaling, disruption budgets, the migration hook, the ingress, where secrets come
// from, that the web gets its own database's connection string and never the notes database's, and the
// component labels. With --import-limits (Notejam.Contracts' NotejamLimits.cs and Notejam.Web's ImportLimits.cs) every
// ingress-nginx Ingress to the web must let the site's largest import request through; with
// --resource-metrics-only every HPA must scale on resource metrics only (the chart's default). It
// prints one line per check and exits 1 if any failed.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
const options = { models: '', name: '', migrationHook: 'pre-install,pre-upgrade', importLimits: '', resourceMetricsOnly: false, files: [] };
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--models') options.models = args[++i];
  else if (arg === '--name') options.name = args[++i];
  else if (arg === '--migration-hook') options.migrationHook = args[++i];
  else if (arg === '--import-limits') options.importLimits = args[++i];
  else if (arg === '--resource-metrics-only') options.resourceMetricsOnly = true;
  else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
  else options.files.push(arg);
}
if (!options.models || options.files.length === 0) usage('--models and at least one file are required');

function usage(message) {
  console.error(`validate.mjs: ${message}`);
  console.error('usage: node validate.mjs --models <dir> [--name <label>] [--migration-hook <events>] [--import-limits <NotejamLimits.cs,ImportLimits.cs>] [--resource-metrics-only] <rendered.yaml>...');
  process.exit(2);
}

const nodeModules = path.resolve(options.models, 'node_modules');
const modelsRoot = path.join(nodeModules, 'kubernetes-models');
const crdModelRoots = [path.join(nodeModules, '@kubernetes-models', 'prometheus-operator')].filter((root) => existsSync(root));
if (!existsSync(modelsRoot)) usage(`kubernetes-models is not installed under ${nodeModules}`);
const yaml = createRequire(path.join(nodeModules, 'noop.js'))('js-yaml');

// ---------------------------------------------------------------------------------------------
// Reporting

let passed = 0;
const failures = [];
const label = options.name ? `[${options.name}] ` : '';

function check(description, problems) {
  const list = (Array.isArray(problems) ? problems : [problems]).filter(Boolean);
  if (list.length === 0) {
    passed++;
    console.log(`  ok    ${label}${description}`);
  } else {
    failures.push(description);
    console.log(`  FAIL  ${label}${description}`);
    for (const problem of list) console.log(`          - ${problem}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Load the documents

const documents = [];
for (const file of options.files) {
  const text = readFileSync(file, 'utf8');
  let loaded;
  try {
    loaded = yaml.loadAll(text);
  } catch (error) {
    check(`${file} is valid YAML`, error.message);
    continue;
  }
  for (const doc of loaded) {
    if (doc === null || doc === undefined) continue;
    documents.push(doc);
  }
}
check(`${options.files.join(', ')}: ${documents.length} manifests rendered`, documents.length === 0 ? 'no manifest' : null);

const declarationCache = new Map(); // .d.ts file -> its parsed declarations (section 2)
const id = (doc) => `${doc?.kind ?? '?'}/${doc?.metadata?.name ?? '?'}`;
const ofKind = (kind) => documents.filter((doc) => doc.kind === kind);

// ---------------------------------------------------------------------------------------------
// 1. Schemas (kubernetes-models)

function modelFile(doc) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [null, doc.apiVersion];
  if (!/^[A-Za-z0-9]+$/.test(doc.kind) || !/^[a-z0-9]+$/.test(version) || (group && !/^[a-z0-9.-]+$/.test(group))) return null;
  // Custom resources come from the packages of their operators (the ServiceMonitor: prometheus-operator).
  const roots = [modelsRoot, ...crdModelRoots];
  const files = roots.map((root) => (group ? path.join(root, group, version, `${doc.kind}.js`) : path.join(root, version, `${doc.kind}.js`)));
  return files.find((file) => existsSync(file)) ?? null;
}

for (const doc of documents) {
  if (typeof doc !== 'object' || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
    check(`document has apiVersion and kind`, `not a Kubernetes object: ${JSON.stringify(doc).slice(0, 120)}`);
    continue;
  }
  const file = modelFile(doc);
  if (!file) {
    check(`${id(doc)}: ${doc.apiVersion} ${doc.kind} is a known Kubernetes kind`, `kubernetes-models has no ${doc.apiVersion}/${doc.kind}`);
    continue;
  }
  const module = await import(pathToFileURL(file).href);
  const Model = module[doc.kind];
  let problem = null;
  try {
    new Model(doc).validate();
  } catch (error) {
    problem = error.message;
  }
  check(`${id(doc)} matches the ${doc.apiVersion} ${doc.kind} schema`, problem);
  check(`${id(doc)} has no field unknown to ${doc.apiVersion} ${doc.kind}`, unknownFields(doc, file));
}

// ---------------------------------------------------------------------------------------------
// 2. Unknown fields, from the TypeScript declarations that ship with kubernetes-models
//    (each interface lists the properties of one OpenAPI definition).

function declarations(file) {
  if (!declarationCache.has(file)) {
    const text = readFileSync(file, 'utf8');
    const imports = new Map();
    for (const match of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";$/gm)) {
      for (const name of match[1].split(',').map((s) => s.trim()).filter(Boolean)) imports.set(name, match[2]);
    }
    const aliases = new Map();
    for (const match of text.matchAll(/^export type \{([^}]*)\};$/gm)) {
      for (const part of match[1].split(',')) {
        const [local, exported] = part.split(' as ').map((s) => s.trim());
        if (exported) aliases.set(exported, local);
      }
    }
    declarationCache.set(file, { file, text, imports, aliases, interfaces: new Map() });
  }
  return declarationCache.get(file);
}

function resolveModule(fromFile, specifier) {
  const base = specifier.startsWith('.')
    ? path.resolve(path.dirname(fromFile), specifier)
    : path.join(nodeModules, specifier);
  const candidates = [base.replace(/\.js$/, '.d.ts'), `${base}.d.ts`, path.join(base, 'index.d.ts')];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

// The type of a named declaration: {kind: 'object', props} for an interface, {kind: 'any'} for
// scalars and unions (the schema validation covers those), or {kind: 'unresolved'}.
function namedType(file, name) {
  const decls = declarations(file);
  const local = decls.aliases.get(name) ?? name;
  if (decls.interfaces.has(local)) return decls.interfaces.get(local);

  const header = new RegExp(`^export interface ${local}(?: extends ([^{]+))? \\{$`, 'm').exec(decls.text);
  const start = header ? header.index : -1;
  if (start >= 0) {
    const type = { kind: 'object', props: new Map(), file };
    decls.interfaces.set(local, type);
    // The properties of the interfaces it extends (TypeMeta's apiVersion and kind are declared again).
    for (const base of (header[1] ?? '').split(',').map((b) => b.trim()).filter((b) => b && b !== 'TypeMeta')) {
      const inherited = namedType(file, base);
      if (inherited.kind === 'object') for (const [key, value] of inherited.props) type.props.set(key, value);
      else throw new Error(`${file}: cannot resolve ${base}, which ${local} extends (extend validate.mjs)`);
    }
    const body = decls.text.slice(start).split('\n');
    for (let i = 1; i < body.length && body[i] !== '}'; i++) {
      const line = body[i];
      const property = /^ {4}"([^"]+)"\??: (.*)$/.exec(line);
      if (!property) continue;
      let expression = property[2];
      if (expression === '{') {
        // A map: { [key: string]: T; }
        const value = /^\s*\[key: string\]: (.*);$/.exec(body[i + 1] ?? '');
        expression = value ? `Map<${value[1]}>` : 'unknown';
        while (i < body.length && !/^ {4}\};$/.test(body[i])) i++;
      } else {
        expression = expression.replace(/;$/, '');
      }
      type.props.set(property[1], { expression, file });
    }
    return type;
  }
  if (new RegExp(`^export (declare )?type ${local} = `, 'm').test(decls.text)) return { kind: 'any' };
  if (decls.imports.has(name)) {
    const target = resolveModule(file, decls.imports.get(name));
    return target ? namedType(target, name) : { kind: 'unresolved', name };
  }
  return { kind: 'unresolved', name };
}

function typeOf(expression, file) {
  if (expression.startsWith('Array<') && expression.endsWith('>')) return { kind: 'array', of: typeOf(expression.slice(6, -1), file) };
  if (expression.startsWith('Map<') && expression.endsWith('>')) return { kind: 'map', of: typeOf(expression.slice(4, -1), file) };
  if (/^[A-Za-z0-9_]+$/.test(expression) && !['string', 'number', 'boolean', 'any', 'unknown', 'object'].includes(expression)) {
    return namedType(file, expression);
  }
  return { kind: 'any' };
}

function unknownFields(doc, modelJs) {
  const declaration = modelJs.replace(/\.js$/, '.d.ts');
  const root = namedType(declaration, `I${doc.kind}`);
  if (root.kind !== 'object') return `no type declaration for ${doc.kind} in ${declaration}`;
  const problems = [];
  walk(doc, root, '');
  return problems;

  function walk(value, type, where) {
    if (value === null || value === undefined) return;
    if (type.kind === 'unresolved') {
      problems.push(`${where}: cannot resolve the type ${type.name} (extend validate.mjs)`);
    } else if (type.kind === 'array' && Array.isArray(value)) {
      value.forEach((item, index) => walk(item, type.of, `${where}[${index}]`));
    } else if (type.kind === 'map' && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, type.of, `${where}.${key}`);
    } else if (type.kind === 'object' && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) {
        const property = type.props.get(key);
        if (!property) problems.push(`${where ? `${where}.` : ''}${key}: unknown field`);
        else walk(item, typeOf(property.expression, property.file), `${where ? `${where}.` : ''}${key}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. What the schemas do not say

const COMPONENT = 'app.kubernetes.io/component';
const componentOf = (doc) => doc?.metadata?.labels?.[COMPONENT];
const podSpecOf = (doc) => (doc.kind === 'Pod' ? doc.spec : doc.spec?.template?.spec);
const podLabelsOf = (doc) => (doc.kind === 'Pod' ? doc.metadata?.labels : doc.spec?.template?.metadata?.labels) ?? {};
const workloads = documents.filter((doc) => ['Deployment', 'StatefulSet', 'Job', 'Pod'].includes(doc.kind));
const deployments = ofKind('Deployment');
const services = ofKind('Service');
const secrets = ofKind('Secret');
const jobs = ofKind('Job');
const annotation = (doc, key) => doc?.metadata?.annotations?.[key];
const hookEvents = (doc) => (annotation(doc, 'helm.sh/hook') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const hookWeight = (doc) => Number(annotation(doc, 'helm.sh/hook-weight') ?? 0);
const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
const selects = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
const containersOf = (spec) => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];

// Components: a .NET test checks that the chart deploys every project of the Aspire manifest.
check('the Deployments are exactly the api and the web (app.kubernetes.io/component)',
  sameSet(deployments.map(componentOf), ['api', 'web']) ? null : `components: ${JSON.stringify(deployments.map(componentOf))}`);
check('every Deployment, Service and Job carries app.kubernetes.io/component',
  [...deployments, ...services, ...jobs].filter((doc) => !componentOf(doc)).map((doc) => `${id(doc)} has no component label`));
check('the api and the web have a Service each',
  ['api', 'web'].filter((c) => !services.some((s) => componentOf(s) === c)).map((c) => `no Service for ${c}`));
check('the migrations run as a Job (component migrations)',
  jobs.some((job) => componentOf(job) === 'migrations') ? null : 'no Job labelled app.kubernetes.io/component: migrations');

// Selectors: every controller selects its own pods, every Service some pods.
for (const doc of [...deployments, ...ofKind('StatefulSet')]) {
  check(`${id(doc)}: the selector matches the pod template's labels`,
    selects(doc.spec?.selector?.matchLabels, podLabelsOf(doc)) && !doc.spec?.selector?.matchExpressions ? null : 'selector does not match');
}
for (const service of services) {
  const targets = workloads.filter((w) => w.kind !== 'Job' && w.kind !== 'Pod' && selects(service.spec?.selector, podLabelsOf(w)));
  const problems = [];
  if (targets.length !== 1) problems.push(`selects ${targets.length} workloads`);
  if ((service.spec?.type ?? 'ClusterIP') !== 'ClusterIP') problems.push(`type ${service.spec.type}, expected ClusterIP`);
  for (const port of service.spec?.ports ?? []) {
    const named = targets.flatMap((t) => podSpecOf(t).containers.flatMap((c) => c.ports ?? []))
      .some((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
    if (!named) problems.push(`targetPort ${port.targetPort} is no container port of the selected pods`);
  }
  check(`${id(service)}: ClusterIP selecting one workload, on a port its containers open`, problems);
}

// Probes and the rollout of the api and the web.
for (const doc of deployments) {
  const spec = podSpecOf(doc);
  const problems = [];
  for (const container of spec?.containers ?? []) {
    for (const [probe, wanted] of [['startupProbe', '/alive'], ['readinessProbe', '/health'], ['livenessProbe', '/alive']]) {
      const got = container[probe]?.httpGet?.path;
      if (got !== wanted) problems.push(`${container.name}: ${probe} ${got ? `on ${got}` : 'missing'}, expected httpGet ${wanted}`);
      const port = container[probe]?.httpGet?.port;
      if (port !== undefined && !(container.ports ?? []).some((p) => p.name === port || p.containerPort === port)) {
        problems.push(`${container.name}: ${probe} port ${port} is not a container port`);
      }
    }
    if (!(container.ports ?? []).some((p) => p.containerPort === 8080)) problems.push(`${container.name}: does not open 8080`);
  }
  check(`${id(doc)}: startup (/alive), readiness (/health) and liveness (/alive) probes`, problems);

  const strategy = doc.spec?.strategy;
  check(`${id(doc)}: RollingUpdate with maxUnavailable 0`,
    strategy?.type === 'RollingUpdate' && [0, '0', '0%'].includes(strategy?.rollingUpdate?.maxUnavailable)
      ? null : `strategy ${JSON.stringify(strategy)}`);
  check(`${id(doc)}: a config checksum annotation rolls the pods when the config changes`,
    Object.keys(doc.spec?.template?.metadata?.annotations ?? {}).some((key) => key.startsWith('checksum/')) ? null : 'no checksum/* pod annotation');
  check(`${id(doc)}: pods prefer different nodes and have a termination grace period`, [
    spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? null : 'no preferred pod anti-affinity',
    Number.isInteger(spec?.terminationGracePeriodSeconds) ? null : 'no terminationGracePeriodSeconds',
    ...(spec?.containers ?? []).map((c) => {
      const sleep = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
      return sleep < (spec?.terminationGracePeriodSeconds ?? 30) ? null
        : `${c.name}: the preStop sleep (${sleep} s) uses up the termination grace period`;
    }),
  ]);
  // GracefulShutdown.cs: on SIGTERM the app keeps serving for Notejam:ShutdownDelay (5 s by default) before it stops
  // listening. After a preStop sleep that is a second wait, for nothing: one of the two, never both.
  check(`${id(doc)}: a stopping pod waits once (the preStop sleep or the app's drain delay, not both)`,
    (spec?.containers ?? []).map((c) => {
      const sleep = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
      const delay = (c.env ?? []).find((e) => e.name === 'Notejam__ShutdownDelay')?.value;
      const appWaits = delay === undefined || !/^0?0:00:00$/.test(delay);
      return sleep > 0 && appWaits ? `${c.name}: preStop sleeps ${sleep} s, then the app waits ${delay ?? 'its default 5 s'} again` : null;
    }));
}

// Security and resources of every container of every workload.
for (const doc of workloads) {
  const spec = podSpecOf(doc);
  const pod = spec?.securityContext ?? {};
  const problems = [];
  if (spec?.automountServiceAccountToken !== false) problems.push('automountServiceAccountToken is not false');
  for (const container of containersOf(spec)) {
    const sc = { ...pod, ...(container.securityContext ?? {}) };
    if (sc.runAsNonRoot !== true) problems.push(`${container.name}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0 || sc.runAsUser === undefined) problems.push(`${container.name}: runAsUser ${sc.runAsUser ?? 'unset'}`);
    if (container.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${container.name}: readOnlyRootFilesystem is not true`);
    if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${container.name}: allowPrivilegeEscalation is not false`);
    if (!(container.securityContext?.capabilities?.drop ?? []).includes('ALL')) problems.push(`${container.name}: capabilities do not drop ALL`);
    if (sc.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${container.name}: seccompProfile is not RuntimeDefault`);
    if (/notejam-(api|web)/.test(container.image)) {
      if (sc.runAsUser !== 1654) problems.push(`${container.name}: runs as ${sc.runAsUser}, the images' app user is 1654`);
      if (!(container.volumeMounts ?? []).some((m) => m.mountPath === '/tmp')) problems.push(`${container.name}: no writable /tmp`);
    }
  }
  check(`${id(doc)}: every container runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities`, problems);
  check(`${id(doc)}: every container has cpu and memory requests and limits`,
    containersOf(spec).flatMap((c) => ['requests', 'limits'].flatMap((kind) => ['cpu', 'memory']
      .filter((resource) => c.resources?.[kind]?.[resource] === undefined)
      .map((resource) => `${c.name}: no ${kind}.${resource}`))));
}
for (const account of ofKind('ServiceAccount')) {
  check(`${id(account)}: automountServiceAccountToken is false`, account.automountServiceAccountToken === false ? null : 'token is mounted');
}

// Autoscaling.
for (const hpa of ofKind('HorizontalPodAutoscaler')) {
  const spec = hpa.spec ?? {};
  const metrics = (spec.metrics ?? []).filter((m) => m.type === 'Resource').map((m) => m.resource?.name);
  const target = deployments.find((d) => d.metadata.name === spec.scaleTargetRef?.name && spec.scaleTargetRef?.kind === 'Deployment');
  check(`${id(hpa)}: 1 <= minReplicas <= maxReplicas, cpu and memory metrics, targets a Deployment of the chart`, [
    spec.minReplicas >= 1 ? null : `minReplicas ${spec.minReplicas}`,
    spec.maxReplicas >= (spec.minReplicas ?? 1) ? null : `maxReplicas ${spec.maxReplicas} < minReplicas ${spec.minReplicas}`,
    metrics.includes('cpu') ? null : 'no cpu metric',
    metrics.includes('memory') ? null : 'no memory metric',
    target ? null : `scaleTargetRef ${JSON.stringify(spec.scaleTargetRef)} is no Deployment of the chart`,
    target && target.spec.replicas !== undefined ? `${id(target)} sets replicas, which every upgrade would reset under the HPA` : null,
  ]);
}

// Without the metrics adapter a Pods or External metric cannot be fetched, and an HPA with a metric it
// cannot fetch never scales down (Kubernetes docs, Horizontal Pod Autoscaling › Scaling on multiple
// metrics: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-multiple-metrics;
// pkg/controller/podautoscaler/horizontal.go keeps the current scale when a metric is invalid and the
// others would scale down). So the chart's default is resource metrics only; the others are opt-in.
if (options.resourceMetricsOnly) {
  const hpas = ofKind('HorizontalPodAutoscaler');
  check('with the default values every HPA scales on Resource metrics only (a Pods/External metric without its adapter stops scale-down; k8s horizontal-pod-autoscale#scaling-on-multiple-metrics)', [
    hpas.length === 0 ? 'no HorizontalPodAutoscaler rendered (render with autoscaling enabled)' : null,
    ...hpas.flatMap((hpa) => (hpa.spec?.metrics ?? []).filter((m) => m.type !== 'Resource')
      .map((m) => `${id(hpa)} has a ${m.type} metric (${JSON.stringify(m.pods?.metric ?? m.external?.metric ?? m.object?.metric ?? m.containerResource ?? {})})`)),
  ]);
}

// Disruption budgets.
const pdbs = ofKind('PodDisruptionBudget');
for (const doc of deployments) {
  const covering = pdbs.filter((pdb) => selects(pdb.spec?.selector?.matchLabels, podLabelsOf(doc)));
  check(`${id(doc)}: a PodDisruptionBudget selects its pods`, covering.length === 1 ? null : `${covering.length} PodDisruptionBudgets select them`);
}
for (const pdb of pdbs) {
  const hasMin = pdb.spec?.minAvailable !== undefined;
  const hasMax = pdb.spec?.maxUnavailable !== undefined;
  check(`${id(pdb)}: exactly one of minAvailable and maxUnavailable`, hasMin !== hasMax ? null : 'both or neither set');
  // Unready pods (the api's readiness includes PostgreSQL: all of them while it is down) spend the budget;
  // under the default IfHealthyBudget the eviction API then refuses to evict them and node drains hang.
  // Kubernetes docs, "Specifying a Disruption Budget for your Application › Unhealthy Pod Eviction Policy":
  // https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
  check(`${id(pdb)}: unhealthyPodEvictionPolicy AlwaysAllow (unready pods never block a drain; k8s configure-pdb#unhealthy-pod-eviction-policy)`,
    pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ? null
      : `unhealthyPodEvictionPolicy is ${pdb.spec?.unhealthyPodEvictionPolicy ?? 'unset (IfHealthyBudget)'}: while the database is down every pod is unready and the eviction API refuses to evict any`);
}

// The migration hook.
for (const job of jobs.filter((j) => componentOf(j) === 'migrations')) {
  const spec = podSpecOf(job);
  const container = spec?.containers?.[0];
  const events = hookEvents(job);
  const policies = (annotation(job, 'helm.sh/hook-delete-policy') ?? '').split(',').map((s) => s.trim());
  check(`${id(job)}: Helm hook ${options.migrationHook}, deleted before re-creation and on success`, [
    sameSet(events, options.migrationHook.split(',')) ? null : `helm.sh/hook is "${annotation(job, 'helm.sh/hook')}"`,
    policies.includes('before-hook-creation') ? null : 'no before-hook-creation delete policy',
    policies.includes('hook-succeeded') ? null : 'no hook-succeeded delete policy',
  ]);
  check(`${id(job)}: bounded (backoffLimit, activeDeadlineSeconds) and never restarted in place`, [
    Number.isInteger(job.spec?.backoffLimit) ? null : 'no backoffLimit',
    Number.isInteger(job.spec?.activeDeadlineSeconds) ? null : 'no activeDeadlineSeconds',
    spec?.restartPolicy === 'Never' ? null : `restartPolicy ${spec?.restartPolicy}`,
  ]);
  check(`${id(job)}: runs the api image with args ["migrate"]`, [
    spec?.containers?.length === 1 ? null : `${spec?.containers?.length} containers`,
    JSON.stringify(container?.args) === '["migrate"]' ? null : `args ${JSON.stringify(container?.args)}`,
    container?.command === undefined ? null : 'overrides the image entrypoint',
    /notejam-api/.test(container?.image ?? '') ? null : `image ${container?.image}`,
  ]);

  // What a hook needs must exist when it runs: a hook of the same events with a lower weight, or
  // something the chart does not create (an existing Secret, the "default" ServiceAccount).
  const problems = [];
  const ready = (kind, name, what) => {
    const doc = documents.find((d) => d.kind === kind && d.metadata?.name === name);
    if (!doc) return;
    if (!annotation(doc, 'helm.sh/hook')) problems.push(`${what} ${kind}/${name} is a release resource, which does not exist (or is stale) when the hook runs`);
    else if (!events.every((e) => hookEvents(doc).includes(e))) problems.push(`${what} ${kind}/${name} is not created for every event of the Job`);
    else if (hookWeight(doc) >= hookWeight(job)) problems.push(`${what} ${kind}/${name} has hook-weight ${hookWeight(doc)}, not below the Job's ${hookWeight(job)}`);
  };
  // Both connection strings: the notes database's, and the web's own, from which `migrate` makes the web's role and database.
  for (const name of ['ConnectionStrings__notejam', 'ConnectionStrings__webkeyring']) {
    const connection = (container?.env ?? []).find((e) => e.name === name);
    if (!connection?.valueFrom?.secretKeyRef) problems.push(`${name} does not come from a secretKeyRef`);
    else ready('Secret', connection.valueFrom.secretKeyRef.name, `its ${name}`);
  }
  for (const c of containersOf(spec)) {
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef) ready('ConfigMap', from.configMapRef.name, 'its envFrom');
      if (from.secretRef) ready('Secret', from.secretRef.name, 'its envFrom');
    }
  }
  if (spec?.serviceAccountName) ready('ServiceAccount', spec.serviceAccountName, 'its');
  check(`${id(job)}: its Secret and ServiceAccount exist when the hook runs`, problems);
}
// `helm test --logs` reads the test pods' logs only after the hooks' delete policies ran (Helm 3.17), so a
// hook-succeeded (or hook-failed) test pod is gone when they are read: "unable to get pod logs ... not found"
// (https://github.com/helm/helm/issues/9098; Helm docs, Chart Hooks › Hook deletion policies:
// https://helm.sh/docs/topics/charts_hooks/#hook-deletion-policies). Kept until the next run instead, under
// a fixed name the workflow and NOTES.txt read with kubectl logs.
for (const test of documents.filter((d) => hookEvents(d).includes('test'))) {
  const policies = (annotation(test, 'helm.sh/hook-delete-policy') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  check(`${id(test)}: a test hook kept for its logs (no hook-succeeded/hook-failed: helm/helm#9098), replaced by the next run, under a fixed name`, [
    ...policies.filter((p) => p === 'hook-succeeded' || p === 'hook-failed')
      .map((p) => `delete policy ${p} deletes the pod before \`helm test --logs\` reads it`),
    policies.includes('before-hook-creation') ? null : 'no before-hook-creation: the next `helm test` fails on the pod left from this one',
    test.metadata?.name && !test.metadata?.generateName ? null : 'no fixed metadata.name',
    test.kind === 'Pod' ? null : `a ${test.kind}: helm test --logs reads Pods only`,
  ]);
}
for (const hook of documents.filter((d) => hookEvents(d).length > 0 && d.kind !== 'Job' && !hookEvents(d).includes('test'))) {
  const policies = (annotation(hook, 'helm.sh/hook-delete-policy') ?? '').split(',');
  check(`${id(hook)}: a hook resource that does not outlive its hook`,
    policies.includes('before-hook-creation') && policies.includes('hook-succeeded') ? null : `delete policy "${policies}"`);
}

// The Ingress: to the web, never to the api.
const serviceOf = (component) => services.find((s) => componentOf(s) === component);
for (const ingress of ofKind('Ingress')) {
  const backends = [
    ingress.spec?.defaultBackend,
    ...(ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((p) => p.backend)),
  ].filter(Boolean);
  const web = serviceOf('web');
  const api = serviceOf('api');
  const problems = [];
  if (backends.length === 0) problems.push('no backend');
  for (const backend of backends) {
    const name = backend.service?.name;
    if (name === api?.metadata?.name) problems.push(`routes to the api Service ${name}`);
    else if (name !== web?.metadata?.name) problems.push(`routes to ${name}, not the web Service ${web?.metadata?.name}`);
    const port = backend.service?.port;
    if (web && !(web.spec.ports ?? []).some((p) => (port?.name && p.name === port.name) || (port?.number && p.port === port.number))) {
      problems.push(`port ${JSON.stringify(port)} is not a port of ${web.metadata.name}`);
    }
  }
  if (!ingress.spec?.ingressClassName) problems.push('no ingressClassName');
  check(`${id(ingress)}: routes only to the web Service (the api is not exposed)`, problems);
}

// ingress-nginx refuses bodies over its proxy-body-size (default 1m, nginx's client_max_body_size) with its
// own 413, before the site sees them (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#custom-max-body-size,
// .../configmap/#proxy-body-size). The site's import takes ImportLimits.MaxFileBytes in a request of up to
// ImportLimits.MaxRequestBytes (Notejam.Web/Pages/Settings/ImportLimits.cs, read here, never restated), so
// an Ingress to the web must let that request through.
if (options.importLimits) {
  const limits = csharpConstants(options.importLimits);
  const fileBytes = limits.get('MaxFileBytes');
  const requestBytes = limits.get('MaxRequestBytes');
  const web = serviceOf('web');
  const isNginx = (ingress) => {
    const className = ingress.spec?.ingressClassName ?? annotation(ingress, 'kubernetes.io/ingress.class');
    return !className || /nginx/i.test(className); // no class: the cluster's default, ingress-nginx in docs/deploy.md
  };
  const toWeb = (ingress) => [ingress.spec?.defaultBackend, ...(ingress.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend))]
    .some((backend) => backend?.service?.name === web?.metadata?.name);
  for (const ingress of ofKind('Ingress').filter((i) => isNginx(i) && toWeb(i))) {
    const problems = [];
    if (!Number.isFinite(fileBytes) || !Number.isFinite(requestBytes)) {
      problems.push(`cannot read MaxFileBytes and MaxRequestBytes from ${options.importLimits}: ${JSON.stringify(Object.fromEntries(limits))}`);
    } else {
      const value = annotation(ingress, 'nginx.ingress.kubernetes.io/proxy-body-size');
      const bytes = nginxSize(value ?? '1m'); // unset: ingress-nginx's default, 1m (unless its ConfigMap says otherwise, which the chart cannot see)
      if (bytes === null) problems.push(`proxy-body-size "${value}" is not an nginx size`);
      else if (bytes !== 0 && bytes < requestBytes) {
        problems.push(`proxy-body-size ${value ?? 'unset (ingress-nginx default 1m)'} = ${bytes} bytes is below the import request the site takes, ` +
          `ImportLimits.MaxRequestBytes = ${requestBytes} (a file of MaxFileBytes = ${fileBytes} plus room to refuse a larger one beside the field)` +
          `${bytes < fileBytes ? '; below even the import file limit' : ''}: ingress-nginx answers 413 first`);
      }
    }
    check(`${id(ingress)}: ingress-nginx proxy-body-size lets the web's largest import through (ImportLimits.cs; ingress-nginx annotations#custom-max-body-size, default 1m)`, problems);
  }
}

// Per-address limits count what the web believes is the visitor's address. Trusting X-Forwarded-For from
// everyone (a /0) lets any client choose it; the same hole as ingress-nginx's use-forwarded-headers with
// proxy-real-ip-cidr at its default 0.0.0.0/0 (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers,
// #proxy-real-ip-cidr). The controller's configuration is not the chart's to render.
{
  const problems = [];
  for (const map of ofKind('ConfigMap')) {
    for (const [key, value] of Object.entries(map.data ?? {})) {
      if (key === 'Notejam__TrustedProxyNetworks') {
        for (const network of String(value).split(',').map((n) => n.trim()).filter(Boolean)) {
          if (/\/0+$/.test(network)) problems.push(`${id(map)} ${key}: ${network} trusts every address`);
        }
      }
      if (['use-forwarded-headers', 'proxy-real-ip-cidr', 'compute-full-forwarded-for', 'use-proxy-protocol', 'enable-real-ip'].includes(key)) {
        problems.push(`${id(map)} ${key}: ingress-nginx controller configuration, which the chart must not render`);
      }
    }
  }
  for (const ingress of ofKind('Ingress')) {
    for (const key of Object.keys(ingress.metadata?.annotations ?? {})) {
      if (/use-forwarded-headers|real-ip|forwarded-for/.test(key)) problems.push(`${id(ingress)} annotation ${key}: forwarded-header trust belongs to the controller's ConfigMap, not the chart`);
    }
  }
  check('no trusted proxy network is a /0 and the chart renders no ingress-nginx forwarded-header configuration (ingress-nginx configmap#use-forwarded-headers, #proxy-real-ip-cidr)', problems);
}

// Secrets: never a plain env value or ConfigMap entry.
const secretValues = secrets.flatMap((secret) => [
  ...Object.values(secret.data ?? {}).map((v) => Buffer.from(String(v), 'base64').toString('utf8')),
  ...Object.values(secret.stringData ?? {}).map(String),
]).filter((v) => v.length >= 6);
const sensitiveName = /password|secret|connectionstring|token|apikey|api_key|encryptionkey/i;
{
  const problems = [];
  for (const doc of workloads) {
    for (const container of containersOf(podSpecOf(doc))) {
      for (const env of container.env ?? []) {
        const where = `${id(doc)} ${container.name} env ${env.name}`;
        if (env.value !== undefined) {
          if (sensitiveName.test(env.name)) problems.push(`${where} is a plain value; it must come from a secretKeyRef`);
          if (secretValues.some((s) => String(env.value).includes(s))) problems.push(`${where} holds a Secret's value`);
        } else if (sensitiveName.test(env.name) && !env.valueFrom?.secretKeyRef) {
          problems.push(`${where} does not come from a secretKeyRef`);
        }
      }
    }
  }
  for (const map of ofKind('ConfigMap')) {
    for (const [key, value] of Object.entries(map.data ?? {})) {
      if (sensitiveName.test(key)) problems.push(`${id(map)} ${key}: a secret setting in a ConfigMap`);
      if (secretValues.some((s) => String(value).includes(s))) problems.push(`${id(map)} ${key} holds a Secret's value`);
    }
  }
  check('no Secret value appears in plain env or a ConfigMap (secrets come via secretKeyRef)', problems);
}

// The app's contract: what each service must be told.
{
  const settingsOf = (component) => {
    const deployment = deployments.find((d) => componentOf(d) === component);
    const container = podSpecOf(deployment ?? {})?.containers?.[0];
    const settings = new Map();
    for (const from of container?.envFrom ?? []) {
      const map = ofKind('ConfigMap').find((m) => m.metadata.name === from.configMapRef?.name);
      for (const [key, value] of Object.entries(map?.data ?? {})) settings.set(key, { value });
    }
    for (const env of container?.env ?? []) settings.set(env.name, env);
    return settings;
  };
  const api = settingsOf('api');
  const web = settingsOf('web');
  const apiService = serviceOf('api');
  const problems = [];
  for (const [component, settings] of [['api', api], ['web', web]]) {
    // The api: the notes database; the web: its own database only (checked below: never the notes database's).
    const connection = component === 'api' ? 'ConnectionStrings__notejam' : 'ConnectionStrings__webkeyring';
    if (!settings.get(connection)?.valueFrom?.secretKeyRef) problems.push(`${component}: no ${connection} from a Secret`);
    if (settings.get('ASPNETCORE_ENVIRONMENT')?.value !== 'Production') problems.push(`${component}: ASPNETCORE_ENVIRONMENT is not Production`);
    if (!settings.get('OTEL_SERVICE_NAME')?.value) problems.push(`${component}: no OTEL_SERVICE_NAME`);
  }
  const port = apiService?.spec?.ports?.[0]?.port;
  const apiUrl = apiService && `http://${apiService.metadata.name}${port === 80 ? '' : `:${port}`}/`;
  if (web.get('Notejam__ApiUrl')?.value !== apiUrl) problems.push(`web: Notejam__ApiUrl is ${web.get('Notejam__ApiUrl')?.value}, expected ${apiUrl}`);
  // Forwarded headers are read once, by the app, from the networks it is told (Notejam__TrustedProxyNetworks).
  const cidrs = /^\s*$|^\s*[0-9A-Fa-f.:]+\/\d{1,3}\s*(,\s*[0-9A-Fa-f.:]+\/\d{1,3}\s*)*$/;
  for (const [component, settings] of [['api', api], ['web', web]]) {
    if (settings.has('ASPNETCORE_FORWARDEDHEADERS_ENABLED')) problems.push(`${component}: ASPNETCORE_FORWARDEDHEADERS_ENABLED would read X-Forwarded-* a second time, from anyone`);
    const trusted = settings.get('Notejam__TrustedProxyNetworks');
    if (trusted?.value === undefined) problems.push(`${component}: no Notejam__TrustedProxyNetworks`);
    else if (!cidrs.test(trusted.value)) problems.push(`${component}: Notejam__TrustedProxyNetworks "${trusted.value}" is not a list of CIDRs`);
  }
  const ingress = ofKind('Ingress')[0];
  const host = ingress?.spec?.rules?.[0]?.host;
  if (ingress && host) {
    const scheme = (ingress.spec.tls ?? []).some((t) => (t.hosts ?? []).includes(host)) ? 'https' : 'http';
    if (api.get('Notejam__WebUrl')?.value !== `${scheme}://${host}/`) problems.push(`api: Notejam__WebUrl is ${api.get('Notejam__WebUrl')?.value}, expected ${scheme}://${host}/`);
  } else if (!api.get('Notejam__WebUrl')?.value) {
    problems.push('api: no Notejam__WebUrl');
  }
  check('the api and the web get their settings (database, api URL, public URL, environment, telemetry name, trusted proxies)', problems);

  // Each service's key ring is encrypted with its own secret, which must outlive every upgrade.
  const keyProblems = [];
  const references = {};
  for (const [component, settings] of [['api', api], ['web', web]]) {
    const reference = settings.get('DataProtection__KeyEncryptionKey')?.valueFrom?.secretKeyRef;
    if (!reference) {
      keyProblems.push(`${component}: no DataProtection__KeyEncryptionKey from a Secret`);
      continue;
    }
    references[component] = `${reference.name}/${reference.key}`;
    const secret = secrets.find((s) => s.metadata.name === reference.name);
    if (!secret) continue; // an existing Secret of the operator's
    const value = Buffer.from(String(secret.data?.[reference.key] ?? ''), 'base64').toString('utf8');
    if (value.length < 32) keyProblems.push(`${component}: ${reference.name} ${reference.key} is shorter than 32 characters`);
    if (annotation(secret, 'helm.sh/resource-policy') !== 'keep') keyProblems.push(`${component}: ${reference.name} is not kept on uninstall (helm.sh/resource-policy: keep)`);
    if (hookEvents(secret).length > 0) keyProblems.push(`${component}: ${reference.name} is a hook resource`);
  }
  if (references.api && references.api === references.web) keyProblems.push(`the api and the web share the key-encryption key ${references.api}`);
  check('the api and the web each get their own kept DataProtection__KeyEncryptionKey from a Secret', keyProblems);
}

// Least privilege between the services: the web keeps its key ring in a database of its own, as a role of its own
// (ConnectionStrings__webkeyring), and never gets the notes database's credentials, neither by name nor through the
// Secret that holds them; the api does not get the web's. The migration Job gets both (it makes the web's role and
// database). The notes database's Secrets are the ones the api and the migration Job read ConnectionStrings__notejam
// from; where the chart renders them, their values are compared too (a copy under another name is still the key).
{
  const envOf = (doc) => containersOf(podSpecOf(doc)).flatMap((c) => (c.env ?? []).map((e) => ({ container: c.name, ...e })));
  const referenceOf = (doc, name) => envOf(doc).find((e) => e.name === name)?.valueFrom?.secretKeyRef;
  const valueOf = (reference) => {
    const secret = reference && secrets.find((s) => s.metadata?.name === reference.name);
    const encoded = secret?.data?.[reference.key];
    return encoded !== undefined ? Buffer.from(String(encoded), 'base64').toString('utf8') : secret?.stringData?.[reference.key];
  };
  // "Username" and "Database" of an Npgsql connection string (its keywords are case-insensitive, with synonyms).
  const partOf = (connectionString, keys) => {
    for (const pair of String(connectionString ?? '').split(';')) {
      const [key, ...rest] = pair.split('=');
      if (keys.includes(key.trim().toLowerCase().replace(/\s+/g, ' '))) return rest.join('=').trim();
    }
    return undefined;
  };
  const usernameOf = (c) => partOf(c, ['username', 'user name', 'userid', 'user id', 'uid', 'user']);
  const databaseOf = (c) => partOf(c, ['database', 'db']);

  const api = deployments.filter((d) => componentOf(d) === 'api');
  const web = deployments.filter((d) => componentOf(d) === 'web');
  const migrations = jobs.filter((j) => componentOf(j) === 'migrations');
  const notesReferences = [...api, ...migrations].map((doc) => referenceOf(doc, 'ConnectionStrings__notejam')).filter(Boolean);
  const notesSecretNames = new Set(notesReferences.map((r) => r.name));
  const notesValues = notesReferences.map(valueOf).filter((v) => typeof v === 'string' && v.length >= 6);

  const problems = [];
  if (web.length === 0) problems.push('no web Deployment rendered');
  for (const doc of web) {
    const spec = podSpecOf(doc);
    for (const container of containersOf(spec)) {
      const where = `${id(doc)} ${container.name}`;
      for (const env of container.env ?? []) {
        if (env.name === 'ConnectionStrings__notejam') problems.push(`${where} env ConnectionStrings__notejam: the notes database's connection string`);
        const reference = env.valueFrom?.secretKeyRef;
        if (reference && notesSecretNames.has(reference.name)) {
          problems.push(`${where} env ${env.name} reads the notes database's Secret ${reference.name} (key ${reference.key})`);
        }
        const value = reference ? valueOf(reference) : env.value;
        if (value !== undefined && notesValues.some((v) => String(value).includes(v))) {
          problems.push(`${where} env ${env.name} holds the notes database's connection string`);
        }
      }
      for (const from of container.envFrom ?? []) {
        if (from.secretRef && notesSecretNames.has(from.secretRef.name)) problems.push(`${where} envFrom the notes database's Secret ${from.secretRef.name}`);
      }
    }
    for (const volume of spec?.volumes ?? []) {
      const names = [volume.secret?.secretName, ...(volume.projected?.sources ?? []).map((source) => source.secret?.name)].filter(Boolean);
      for (const name of names.filter((n) => notesSecretNames.has(n))) problems.push(`${id(doc)} volume ${volume.name} mounts the notes database's Secret ${name}`);
    }
    const own = referenceOf(doc, 'ConnectionStrings__webkeyring');
    if (!own) problems.push(`${id(doc)}: no ConnectionStrings__webkeyring from a secretKeyRef (the web's own database)`);
    const ownValue = valueOf(own);
    for (const notes of notesReferences.map(valueOf).filter((v) => typeof v === 'string')) {
      if (ownValue === undefined) break;
      if (usernameOf(ownValue) !== undefined && usernameOf(ownValue) === usernameOf(notes)) {
        problems.push(`${id(doc)}: ConnectionStrings__webkeyring logs in as the notes database's role ${usernameOf(notes)}`);
      }
      if (databaseOf(ownValue) !== undefined && databaseOf(ownValue) === databaseOf(notes)) {
        problems.push(`${id(doc)}: ConnectionStrings__webkeyring opens the notes database ${databaseOf(notes)}`);
      }
    }
  }
  for (const doc of api) {
    if (referenceOf(doc, 'ConnectionStrings__webkeyring') || envOf(doc).some((e) => e.name === 'ConnectionStrings__webkeyring')) {
      problems.push(`${id(doc)}: the api gets ConnectionStrings__webkeyring, the web's own database (only the web and the migration need it)`);
    }
  }
  for (const job of migrations) {
    const notes = referenceOf(job, 'ConnectionStrings__notejam');
    const own = referenceOf(job, 'ConnectionStrings__webkeyring');
    if (!notes) problems.push(`${id(job)}: no ConnectionStrings__notejam from a secretKeyRef`);
    if (!own) problems.push(`${id(job)}: no ConnectionStrings__webkeyring from a secretKeyRef (migrate makes the web's role and database from it)`);
    if (notes && own && notes.name === own.name && notes.key === own.key) problems.push(`${id(job)}: both connection strings are ${own.name}/${own.key}`);
  }
  check('the web gets only its own database (ConnectionStrings__webkeyring), never the notes database\'s connection string or Secret; the migration Job gets both, the api not the web\'s', problems);
}

// Prometheus: what is scraped serves /metrics, and what is scaled on can be computed from it.
{
  // A setting of a Deployment's first container, from its env or its ConfigMaps.
  const settingOf = (deployment) => (name) => {
    const container = podSpecOf(deployment ?? {})?.containers?.[0];
    const env = (container?.env ?? []).find((e) => e.name === name);
    if (env) return env.value;
    for (const from of container?.envFrom ?? []) {
      const value = ofKind('ConfigMap').find((m) => m.metadata.name === from.configMapRef?.name)?.data?.[name];
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const metricsOn = (deployment) => settingOf(deployment)('Metrics__Prometheus__Enabled') === 'true';
  const behind = (service) => deployments.find((d) => selects(service?.spec?.selector, podLabelsOf(d)));
  for (const monitor of ofKind('ServiceMonitor')) {
    const targets = services.filter((s) => selects(monitor.spec?.selector?.matchLabels, s.metadata?.labels));
    const problems = [];
    if (targets.length !== 1) problems.push(`selects ${targets.length} Services of the chart`);
    for (const endpoint of monitor.spec?.endpoints ?? []) {
      if (endpoint.path !== '/metrics') problems.push(`endpoint path ${endpoint.path}, the app serves /metrics`);
      if (!targets.every((t) => (t.spec.ports ?? []).some((p) => p.name === endpoint.port))) problems.push(`port ${endpoint.port} is no named port of the Service`);
    }
    if ((monitor.spec?.endpoints ?? []).length === 0) problems.push('no endpoint');
    for (const target of targets) {
      const deployment = behind(target);
      if (!metricsOn(deployment)) problems.push(`${id(deployment)} does not serve /metrics (Metrics__Prometheus__Enabled)`);
      // Kestrel must listen on the container port behind the scraped Service port, and /metrics answer there.
      const settings = settingOf(deployment);
      for (const endpoint of monitor.spec?.endpoints ?? []) {
        const servicePort = (target.spec.ports ?? []).find((p) => p.name === endpoint.port);
        const containerPort = (podSpecOf(deployment)?.containers?.[0]?.ports ?? [])
          .find((p) => p.name === servicePort?.targetPort || p.containerPort === servicePort?.targetPort)?.containerPort;
        const listening = String(settings('ASPNETCORE_HTTP_PORTS') ?? '8080').split(';').map(Number);
        if (!listening.includes(containerPort)) problems.push(`${id(deployment)} listens on ${listening}, not on ${containerPort}`);
        const only = settings('Metrics__Prometheus__Port');
        if (only !== undefined && Number(only) !== containerPort) problems.push(`${id(deployment)} serves /metrics only on ${only}, not ${containerPort}`);
      }
    }
    check(`${id(monitor)}: scrapes /metrics on a named port of one Service whose pods serve it`, problems);
  }
  for (const hpa of ofKind('HorizontalPodAutoscaler')) {
    const pods = (hpa.spec?.metrics ?? []).filter((m) => m.type === 'Pods');
    if (pods.length === 0) continue;
    const target = deployments.find((d) => d.metadata.name === hpa.spec?.scaleTargetRef?.name);
    check(`${id(hpa)}: its pods metric has an AverageValue target and is computed from pods that serve /metrics`, [
      ...pods.map((m) => (m.pods?.metric?.name && m.pods?.target?.type === 'AverageValue' && m.pods?.target?.averageValue !== undefined
        ? null : `pods metric ${JSON.stringify(m.pods)}`)),
      metricsOn(target) ? null : `${id(target)} does not serve /metrics`,
    ]);
  }
  for (const map of ofKind('ConfigMap').filter((m) => m.metadata?.labels?.grafana_dashboard !== undefined)) {
    const problems = [];
    for (const [key, value] of Object.entries(map.data ?? {})) {
      try {
        const dashboard = JSON.parse(value);
        if (!key.endsWith('.json')) problems.push(`${key}: the sidecar loads *.json keys`);
        if (!(dashboard.panels ?? []).length) problems.push(`${key}: no panels`);
      } catch (error) {
        problems.push(`${key}: ${error.message}`);
      }
    }
    check(`${id(map)}: a Grafana dashboard (valid JSON with panels)`, Object.keys(map.data ?? {}).length ? problems : ['no data']);
  }
}

// The trial PostgreSQL takes POSTGRES_PASSWORD only when it initialises an empty volume, and its volume (a
// volumeClaimTemplate) outlives `helm uninstall`. The Secret holding a generated password must outlive it
// too (helm.sh/resource-policy: keep, https://helm.sh/docs/howto/charts_tips_and_tricks/#tell-helm-not-to-uninstall-a-resource),
// and be read back (lookup, checked in check.sh), or a reinstall generates a password the old data refuses.
for (const doc of ofKind('StatefulSet')) {
  for (const container of containersOf(podSpecOf(doc))) {
    const reference = (container.env ?? []).find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef;
    if (!reference) continue;
    const secret = secrets.find((s) => s.metadata?.name === reference.name);
    const problems = [];
    const claims = (doc.spec?.volumeClaimTemplates ?? []).length;
    if (!secret) problems.push(`Secret ${reference.name} is not rendered by the chart`);
    else {
      if (annotation(secret, 'helm.sh/resource-policy') !== 'keep') problems.push(`${id(secret)} has no helm.sh/resource-policy: keep, so helm uninstall deletes the password while the volume (${claims} volumeClaimTemplate${claims === 1 ? '' : 's'}) keeps data initialised with it`);
      if (hookEvents(secret).length > 0) problems.push(`${id(secret)} is a hook resource`);
    }
    check(`${id(doc)}: the Secret with its POSTGRES_PASSWORD is kept on uninstall like its volume (helm.sh/resource-policy: keep)`, problems);
  }
}

// Velero: a pre-backup hook runs in a container of its pod, and writes to a volume that is backed up.
for (const doc of ofKind('StatefulSet')) {
  const annotations = doc.spec?.template?.metadata?.annotations ?? {};
  if (!annotations['pre.hook.backup.velero.io/command']) continue;
  const spec = podSpecOf(doc);
  const problems = [];
  const container = annotations['pre.hook.backup.velero.io/container'];
  if (!(spec?.containers ?? []).some((c) => c.name === container)) problems.push(`hook container ${container} is not in the pod`);
  let command = [];
  try {
    command = JSON.parse(annotations['pre.hook.backup.velero.io/command']);
  } catch (error) {
    problems.push(`the hook command is not a JSON array: ${error.message}`);
  }
  if (!Array.isArray(command) || command.length === 0) problems.push('empty hook command');
  const volumes = (annotations['backup.velero.io/backup-volumes'] ?? '').split(',').filter(Boolean);
  const claims = (doc.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
  if (volumes.length === 0) problems.push('no backup.velero.io/backup-volumes');
  for (const volume of volumes) if (!claims.includes(volume)) problems.push(`backup volume ${volume} is no volume claim of the StatefulSet`);
  const mounts = (spec?.containers ?? []).find((c) => c.name === container)?.volumeMounts ?? [];
  const written = command.join(' ').match(/--file=(\S+)/)?.[1] ?? '';
  if (!mounts.some((m) => volumes.includes(m.name) && written.startsWith(`${m.mountPath}/`))) problems.push(`the dump (${written}) is not written to a backed-up volume`);
  check(`${id(doc)}: the Velero pre-backup hook dumps into a volume Velero backs up`, problems);
}

// ---------------------------------------------------------------------------------------------
// Helpers

// The integer constants of a C# file ("public const long X = 2 * Y;"), evaluated in order: literals
// (with an L suffix), earlier constants, + - * and parentheses. Anything else is left out.
// The integer constants of C# files (comma-separated paths), in order; a constant may use those before it, of its own
// file or of an earlier one, qualified by its class (NotejamLimits.ImportMaxBytes) or not.
function csharpConstants(files) {
  const values = new Map();
  const text = files.split(',').map((file) => readFileSync(file, 'utf8')).join('\n');
  for (const match of text.matchAll(/\bconst\s+(?:int|long|uint|ulong)\s+([A-Za-z_]\w*)\s*=\s*([^;]+);/g)) {
    let expression = match[2].replace(/\b(\d+)[lLuU]*\b/g, '$1').replace(/\b[A-Z]\w*\.([A-Za-z_]\w*)/g, '$1');
    let known = true;
    expression = expression.replace(/[A-Za-z_]\w*/g, (name) => {
      if (values.has(name)) return String(values.get(name));
      known = false;
      return name;
    });
    if (!known || !/^[\d\s+\-*()]+$/.test(expression)) continue;
    values.set(match[1], Function(`"use strict"; return (${expression});`)());
  }
  return values;
}

// An nginx size ("1m", "512k", "40M", "1g", "1048576") in bytes; 0 turns the check off.
function nginxSize(value) {
  const match = /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(String(value));
  if (!match) return null;
  return Number(match[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 })[match[2].toLowerCase()];
}

// ---------------------------------------------------------------------------------------------

console.log(`validate.mjs ${label}${passed + failures.length} checks, ${failures.length} failing`);
process.exit(failures.length === 0 ? 0 : 1);
