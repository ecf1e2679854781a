#!/usr/bin/env node
// Rules of the delivery pipeline that a linter cannot know, each taken from GitHub's (or the tool's)
// own documentation and each one a defect that was found in these workflows once:
//
//   1. fork guard       every job of deliver.yml that holds id-token: write or packages: write, or
//                       runs after one (needs), runs only for a CI run of a push to this repository
//                       (or by hand): the `if:` expressions are evaluated, with the needs between the
//                       jobs, for a fork's pull request whose branch is named main and other look-alikes.
//   2. OIDC subjects    every job that can ask for an OIDC token (id-token: write, also through the
//                       permissions a reusable workflow's caller grants) presents a subject that
//                       docs/deploy.md lists for the federated credentials.
//   3. concurrency      no workflow-wide concurrency group in the delivery; each deploying job has a
//                       concurrency group of its environment, never cancelled in progress.
//   4. kubernetes       no `helm test --logs`; the job outlives helm's upgrade, --atomic rollback and
//                       test timeouts; an Entra ID (az aks get-credentials + kubelogin) and a
//                       KUBECONFIG-secret path to the cluster.
//   5. azure            no Container Apps job for migrations; `azd env refresh` before `azd provision`;
//                       azd deploys the images `az acr import` put into the environment's registry.
//
//   node check-delivery.mjs --yaml <dir holding node_modules/js-yaml> [--workflows <dir>] [--docs <file>] <repository root>
//
// --workflows and --docs default to <root>/.github/workflows and <root>/docs/deploy.md; pointing them
// at other copies (an older commit's, say) shows what the rules say about those. Prints every rule;
// exits 1 if any failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const options = { yaml: '', workflows: '', docs: '', root: '' };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--yaml') options.yaml = args[++i];
  else if (args[i] === '--workflows') options.workflows = args[++i];
  else if (args[i] === '--docs') options.docs = args[++i];
  else options.root = args[i];
}
if (!options.yaml || !options.root) {
  console.error('usage: node check-delivery.mjs --yaml <dir> [--workflows <dir>] [--docs <file>] <repository root>');
  process.exit(2);
}
const yaml = createRequire(path.resolve(options.yaml, 'node_modules', 'noop.js'))('js-yaml');
const root = path.resolve(options.root);
const workflowsDir = path.resolve(options.workflows || path.join(root, '.github', 'workflows'));
const docsFile = path.resolve(options.docs || path.join(root, 'docs', 'deploy.md'));

let failures = 0;
const check = (description, problems) => {
  const list = problems.filter(Boolean);
  console.log(`  ${list.length === 0 ? 'ok  ' : 'FAIL'}  ${description}`);
  for (const problem of list) console.log(`          - ${problem}`);
  failures += list.length === 0 ? 0 : 1;
};

// ---------------------------------------------------------------------------------------------
// The workflows, and who calls whom.
const workflows = new Map(); // file name -> parsed workflow
for (const name of readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  workflows.set(name, yaml.load(readFileSync(path.join(workflowsDir, name), 'utf8')));
}
const deliverName = 'deliver.yml';
const deployName = 'deploy-environment.yml';
const deliver = workflows.get(deliverName);
const deploy = workflows.get(deployName);
if (!deliver || !deploy) {
  console.error(`check-delivery.mjs: ${workflowsDir} has no ${deliverName} or ${deployName}`);
  process.exit(2);
}
const triggers = (workflow) => workflow?.on ?? workflow?.[true] ?? {}; // YAML 1.1 reads `on` as true

/** Each job that can run, as { file, id, job, permissions, inputs, caller }: a job of a reusable
 * workflow once per local caller, with the permissions that caller grants and the inputs it gives. */
function runnableJobs() {
  const result = [];
  for (const [file, workflow] of workflows) {
    const callable = triggers(workflow).workflow_call !== undefined;
    const ownTriggers = Object.keys(triggers(workflow)).filter((t) => t !== 'workflow_call');
    for (const [id, job] of Object.entries(workflow?.jobs ?? {})) {
      if (job?.uses) continue; // a caller gets no token itself; its called jobs do (below)
      const own = job?.permissions ?? workflow.permissions;
      if (ownTriggers.length > 0 || !callable) result.push({ file, id, job, permissions: own, inputs: {}, caller: null });
    }
    // Calls of local reusable workflows from this workflow.
    for (const [callerId, caller] of Object.entries(workflow?.jobs ?? {})) {
      if (typeof caller?.uses !== 'string' || !caller.uses.startsWith('./')) continue;
      const calledFile = path.basename(caller.uses);
      const called = workflows.get(calledFile);
      if (!called) continue;
      const granted = caller.permissions ?? workflow.permissions;
      for (const [id, job] of Object.entries(called.jobs ?? {})) {
        if (job?.uses) continue;
        const wanted = job?.permissions ?? called.permissions;
        result.push({ file: calledFile, id, job, permissions: capPermissions(wanted, granted), inputs: caller.with ?? {}, caller: `${file}: jobs.${callerId}` });
      }
    }
  }
  return result;
}

const rank = { none: 0, read: 1, write: 2 };
const scopes = ['actions', 'attestations', 'checks', 'contents', 'deployments', 'id-token', 'issues', 'discussions', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses'];
function expandPermissions(p) {
  // No permissions key at all: the repository's default token, which may be write-all.
  if (p === undefined || p === 'write-all') return Object.fromEntries(scopes.map((s) => [s, 'write']));
  if (p === 'read-all') return Object.fromEntries(scopes.map((s) => [s, 'read']));
  if (typeof p === 'object' && p !== null) return Object.fromEntries(scopes.map((s) => [s, p[s] ?? 'none']));
  return Object.fromEntries(scopes.map((s) => [s, 'none']));
}
// GitHub docs, "Reusing workflows": a called workflow's GITHUB_TOKEN permissions can only be downgraded
// from the caller's.
function capPermissions(wanted, granted) {
  const w = expandPermissions(wanted);
  const g = expandPermissions(granted);
  return Object.fromEntries(scopes.map((s) => [s, rank[w[s]] <= rank[g[s]] ? w[s] : g[s]]));
}
const holds = (permissions, scope) => expandPermissions(permissions)[scope] === 'write';

// ---------------------------------------------------------------------------------------------
// GitHub Actions expressions (GitHub docs, "Evaluate expressions in workflows and actions"): literals,
// contexts, ! == != < <= > >= && ||, and the functions the workflows use.
function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated string in: ${text}`);
        if (text[i] === "'" && text[i + 1] === "'") { value += "'"; i += 2; continue; }
        if (text[i] === "'") { i++; break; }
        value += text[i++];
      }
      tokens.push({ type: 'string', value });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) { tokens.push({ type: 'op', value: two }); i += 2; continue; }
    if ('()[].,!<>*'.includes(c)) { tokens.push({ type: 'op', value: c }); i++; continue; }
    const number = /^(0x[0-9a-f]+|-?\d+(\.\d+)?(e[+-]?\d+)?)/i.exec(text.slice(i));
    if (number) { tokens.push({ type: 'number', value: Number(number[0]) }); i += number[0].length; continue; }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
    if (word) { tokens.push({ type: 'word', value: word[0] }); i += word[0].length; continue; }
    throw new Error(`unexpected "${c}" in: ${text}`);
  }
  return tokens;
}

function parseExpression(text) {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (value) => tokens[at]?.type === 'op' && tokens[at].value === value;
  const expect = (value) => {
    if (!peek(value)) throw new Error(`expected "${value}" in: ${text}`);
    at++;
  };
  const binary = (next, ops) => () => {
    let left = next();
    while (ops.some(peek)) {
      const op = tokens[at++].value;
      left = { op, left, right: next() };
    }
    return left;
  };
  const primary = () => {
    const token = tokens[at++];
    if (!token) throw new Error(`unexpected end of: ${text}`);
    if (token.type === 'string' || token.type === 'number') return { literal: token.value };
    if (token.type === 'op' && token.value === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.type === 'op' && token.value === '!') return { op: '!', operand: postfix(primary()) };
    if (token.type === 'word') {
      if (token.value === 'true') return { literal: true };
      if (token.value === 'false') return { literal: false };
      if (token.value === 'null') return { literal: null };
      if (peek('(')) {
        at++;
        const argsList = [];
        while (!peek(')')) {
          argsList.push(or());
          if (peek(',')) at++;
        }
        expect(')');
        return { call: token.value.toLowerCase(), args: argsList };
      }
      return { context: token.value };
    }
    throw new Error(`unexpected "${token.value}" in: ${text}`);
  };
  const postfix = (node) => {
    for (;;) {
      if (peek('.')) {
        at++;
        const name = tokens[at++];
        node = { object: node, property: { literal: name.type === 'op' ? name.value : String(name.value) } };
      } else if (peek('[')) {
        at++;
        const index = or();
        expect(']');
        node = { object: node, property: index };
      } else return node;
    }
  };
  const unary = () => (peek('!') ? (at++, { op: '!', operand: unary() }) : postfix(primary()));
  const comparison = binary(unary, ['<', '<=', '>', '>=']);
  const equality = binary(comparison, ['==', '!=']);
  const and = binary(equality, ['&&']);
  const or = binary(and, ['||']);
  const tree = or();
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at].value}" in: ${text}`);
  return tree;
}

const truthy = (v) => !(v === false || v === null || v === undefined || v === 0 || v === '' || Number.isNaN(v));
const toNumber = (v) => (v === null || v === undefined ? 0 : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : typeof v === 'string' ? (v.trim() === '' ? 0 : Number(v)) : NaN);
function looseEquals(a, b) {
  a = a ?? null;
  b = b ?? null;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null || b === null)) return a === b;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return a === b;
  return toNumber(a) === toNumber(b);
}
const text = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
function property(object, name) {
  if (object === null || typeof object !== 'object') return null;
  const key = Object.keys(object).find((k) => k.toLowerCase() === String(name).toLowerCase());
  return key === undefined ? null : object[key];
}

function evaluate(node, context) {
  if ('literal' in node) return node.literal;
  if ('context' in node) return property(context, node.context);
  if ('object' in node) return property(evaluate(node.object, context), evaluate(node.property, context));
  if ('call' in node) {
    const a = node.args.map((arg) => evaluate(arg, context));
    switch (node.call) {
      case 'success': return context.$status.success;
      case 'failure': return context.$status.failure;
      case 'cancelled': return false;
      case 'always': return true;
      case 'contains': return Array.isArray(a[0]) ? a[0].some((x) => looseEquals(x, a[1])) : text(a[0]).toLowerCase().includes(text(a[1]).toLowerCase());
      case 'startswith': return text(a[0]).toLowerCase().startsWith(text(a[1]).toLowerCase());
      case 'endswith': return text(a[0]).toLowerCase().endsWith(text(a[1]).toLowerCase());
      case 'format': return text(a[0]).replace(/\{(\d+)\}/g, (_, n) => text(a[Number(n) + 1]));
      case 'join': return Array.isArray(a[0]) ? a[0].map(text).join(a.length > 1 ? text(a[1]) : ',') : text(a[0]);
      case 'tojson': return JSON.stringify(a[0] ?? null);
      case 'fromjson': return JSON.parse(text(a[0]));
      case 'hashfiles': return '';
      default: throw new Error(`unknown function ${node.call}()`);
    }
  }
  switch (node.op) {
    case '!': return !truthy(evaluate(node.operand, context));
    case '&&': { const l = evaluate(node.left, context); return truthy(l) ? evaluate(node.right, context) : l; }
    case '||': { const l = evaluate(node.left, context); return truthy(l) ? l : evaluate(node.right, context); }
    case '==': return looseEquals(evaluate(node.left, context), evaluate(node.right, context));
    case '!=': return !looseEquals(evaluate(node.left, context), evaluate(node.right, context));
    case '<': return toNumber(evaluate(node.left, context)) < toNumber(evaluate(node.right, context));
    case '<=': return toNumber(evaluate(node.left, context)) <= toNumber(evaluate(node.right, context));
    case '>': return toNumber(evaluate(node.left, context)) > toNumber(evaluate(node.right, context));
    case '>=': return toNumber(evaluate(node.left, context)) >= toNumber(evaluate(node.right, context));
    default: throw new Error(`cannot evaluate ${JSON.stringify(node)}`);
  }
}

/** A job's `if:` as GitHub runs it: without a status function it is `success() && (<if>)`. */
function jobCondition(condition) {
  let source = condition === undefined || condition === null ? '' : String(condition).trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(source);
  if (whole && !whole[1].includes('}}')) source = whole[1].trim();
  if (source === '') return parseExpression('success()');
  return /\b(success|failure|always|cancelled)\s*\(/.test(source) ? parseExpression(source) : parseExpression(`success() && (${source})`);
}

/** Replaces each ${{ }} of a string, or null if one cannot be resolved from the context. */
function interpolate(value, context) {
  if (typeof value !== 'string') return value === undefined ? null : String(value);
  let unresolved = false;
  const result = value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression) => {
    try {
      const v = evaluate(parseExpression(expression), context);
      if (v === null || v === undefined || (typeof v === 'string' && v.includes('${{'))) unresolved = true;
      return text(v);
    } catch {
      unresolved = true;
      return '';
    }
  });
  return unresolved ? null : result;
}

// ---------------------------------------------------------------------------------------------
// The run: scripts, with their line continuations joined.
const scriptsOf = (job) => (job?.steps ?? []).filter((s) => typeof s?.run === 'string').map((s) => s.run);
const commandsOf = (script) => script.replace(/\\\n/g, ' ').split('\n').flatMap((line) => line.split(/\s*(?:;|&&|\|\||\|)\s*/)).map((c) => c.trim()).filter(Boolean);
const allCommands = (job) => scriptsOf(job).flatMap(commandsOf);
// A Go duration as helm takes it (10m, 300s, 1h30m) in minutes.
function minutes(duration) {
  const parts = [...String(duration).matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== String(duration)) return NaN;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * { h: 60, m: 1, s: 1 / 60, ms: 1 / 60000 }[unit], 0);
}
const flagValue = (command, flag) => new RegExp(`(?:^|\\s)${flag}(?:=|\\s+)("?)([^\\s"]+)\\1`).exec(command)?.[2];

const jobs = runnableJobs();
const deliverEnvironments = Object.values(deliver.jobs ?? {})
  .filter((job) => String(job?.uses ?? '').endsWith(`/${deployName}`))
  .map((job) => job.with?.environment);
const environmentName = (entry) => {
  const environment = entry.job?.environment;
  const raw = typeof environment === 'object' && environment !== null ? environment.name : environment;
  if (raw === undefined || raw === null) return undefined;
  return interpolate(raw, { inputs: entry.inputs, github: {}, vars: {} });
};

// ---------------------------------------------------------------------------------------------
console.log('  rule 1: fork guard');
{
  // GitHub docs, "Events that trigger workflows › workflow_run": the branches filter matches the head
  // branch of the triggering run, which for a pull_request run from a fork is the fork's branch; the
  // run then has this repository's secrets and the token permissions asked for. So the jobs that
  // hold id-token: write or packages: write, and every job after them, must also require a push
  // (workflow_run.event) to this repository (workflow_run.head_repository.full_name).
  const ids = Object.keys(deliver.jobs ?? {});
  const needsOf = (id) => [deliver.jobs[id]?.needs ?? []].flat();
  const privileged = new Set(ids.filter((id) => holds(deliver.jobs[id]?.permissions ?? deliver.permissions, 'id-token') || holds(deliver.jobs[id]?.permissions ?? deliver.permissions, 'packages')));
  let grew = true;
  while (grew) {
    grew = false;
    for (const id of ids) if (!privileged.has(id) && needsOf(id).some((n) => privileged.has(n))) { privileged.add(id); grew = true; }
  }
  const repository = 'notejam-owner/notejam';
  const run = (event, headRepository, conclusion) => ({
    github: {
      event_name: 'workflow_run', repository, ref: 'refs/heads/main', ref_name: 'main', sha: 'a'.repeat(40),
      event: { workflow_run: { event, conclusion, head_branch: 'main', head_sha: 'b'.repeat(40), head_repository: { full_name: headRepository }, repository: { full_name: repository } } },
    },
    inputs: {},
  });
  const dispatch = { github: { event_name: 'workflow_dispatch', repository, ref: 'refs/heads/main', ref_name: 'main', sha: 'a'.repeat(40), event: { inputs: { 'last-environment': 'prod' } } }, inputs: { 'last-environment': 'prod' } };
  const scenarios = [
    { what: "a fork's pull request from a branch named main (CI succeeded)", context: run('pull_request', 'attacker/notejam', 'success'), mustRun: false },
    { what: "a pull_request_target run for a fork's main", context: run('pull_request_target', 'attacker/notejam', 'success'), mustRun: false },
    { what: 'a pull request from this repository whose head branch is main', context: run('pull_request', repository, 'success'), mustRun: false },
    { what: "a push run whose head repository is a fork's", context: run('push', 'attacker/notejam', 'success'), mustRun: false },
    { what: 'a push to main whose CI failed', context: run('push', repository, 'failure'), mustRun: false },
    { what: 'a push to main of this repository whose CI succeeded', context: run('push', repository, 'success'), mustRun: true },
    { what: 'a run by hand (workflow_dispatch, up to prod)', context: dispatch, mustRun: true },
  ];
  const problems = [];
  for (const scenario of scenarios) {
    // The jobs in the order of their needs; a job runs when its condition holds, success() meaning
    // that every job it needs ran and succeeded (GitHub docs, "Using conditions to control job execution").
    const ran = new Map();
    const pending = [...ids];
    while (pending.length > 0) {
      const index = pending.findIndex((id) => needsOf(id).every((n) => ran.has(n) || !ids.includes(n)));
      if (index < 0) { problems.push(`the needs of ${pending.join(', ')} form a cycle`); break; }
      const [id] = pending.splice(index, 1);
      const needs = needsOf(id);
      const context = {
        ...scenario.context, vars: { REGISTRY: 'example.azurecr.io', DEPLOY_TARGETS: 'azure,kubernetes' },
        needs: Object.fromEntries(needs.map((n) => [n, { result: ran.get(n) ? 'success' : 'skipped', outputs: {} }])),
        $status: { success: needs.every((n) => ran.get(n)), failure: false },
      };
      try {
        ran.set(id, truthy(evaluate(jobCondition(deliver.jobs[id]?.if), context)));
      } catch (error) {
        problems.push(`jobs.${id}.if: ${error.message}`);
        ran.set(id, true);
      }
    }
    const wrong = [...privileged].filter((id) => ran.get(id) !== scenario.mustRun);
    if (wrong.length > 0) problems.push(`${scenario.what}: ${wrong.map((id) => `jobs.${id}`).join(', ')} ${scenario.mustRun ? 'would not run' : 'would run'}`);
  }
  check(`deliver.yml: the jobs with id-token/packages: write and those after them (${[...privileged].join(', ')}) run only for a push to this repository or by hand ` +
    "(GitHub docs, 'Events that trigger workflows › workflow_run': the branches filter matches the head branch of the triggering run, which can be a fork's)", problems);
}

// ---------------------------------------------------------------------------------------------
console.log('  rule 2: OIDC subjects');
{
  // GitHub docs, "About security hardening with OpenID Connect": a job that references an environment
  // presents the subject repo:ORG/REPO:environment:NAME; otherwise repo:ORG/REPO:ref:refs/heads/BRANCH
  // (deliver.yml runs on main: workflow_run runs on the default branch). Azure accepts a token only for
  // a federated credential with exactly that subject.
  const docs = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : '';
  const start = docs.indexOf('## Delivery pipeline (GitHub Actions)');
  const section = start < 0 ? '' : docs.slice(start, (docs.indexOf('\n## ', start + 1) + 1 || docs.length + 1) - 1);
  const listed = new Set([...section.matchAll(/`(repo:<owner>\/<repo>:[^`\s]+)`/g)].map((m) => m[1]));
  const problems = [];
  const presented = new Map(); // subject -> the jobs presenting it
  for (const entry of jobs) {
    if (!holds(entry.permissions, 'id-token')) continue;
    const where = `${entry.file}: jobs.${entry.id}${entry.caller ? ` (called by ${entry.caller})` : ''}`;
    const environment = environmentName(entry);
    if (environment === null) { problems.push(`${where}: cannot resolve its environment name`); continue; }
    const subject = environment === undefined ? 'repo:<owner>/<repo>:ref:refs/heads/main' : `repo:<owner>/<repo>:environment:${environment}`;
    presented.set(subject, [...(presented.get(subject) ?? []), where]);
  }
  for (const [subject, where] of presented) {
    if (!listed.has(subject)) problems.push(`${subject}, presented by ${where.join('; ')} (id-token: write), is not listed in docs/deploy.md's "Delivery pipeline" section for a federated credential`);
  }
  check(`every job with id-token: write presents a subject docs/deploy.md lists (${[...presented.keys()].join(', ')}) ` +
    "(GitHub docs, 'About security hardening with OpenID Connect': with an environment the subject is repo:ORG/REPO:environment:NAME, else repo:ORG/REPO:ref:<ref>)", problems);
}

// ---------------------------------------------------------------------------------------------
console.log('  rule 3: concurrency');
{
  // GitHub docs, "Control the concurrency of workflows and jobs": at most one running and one pending
  // job or workflow per concurrency group; a newly queued one cancels the pending one. One group for a
  // whole dev -> staging -> prod delivery lets a delivery waiting for prod's approval hold up every
  // later one and cancels whole deliveries queued behind it.
  const problems = [];
  for (const [file, workflow] of [[deliverName, deliver], [deployName, deploy]]) {
    if (workflow.concurrency !== undefined) problems.push(`${file} has a workflow-level concurrency group (${JSON.stringify(workflow.concurrency)}): one delivery would hold up all environments and later deliveries would be cancelled whole`);
  }
  const deploying = jobs.filter((entry) => deliverEnvironments.includes(environmentName(entry)));
  if (deploying.length === 0) problems.push('no job deploys to dev, staging or prod');
  const groups = new Map();
  for (const entry of deploying) {
    const environment = environmentName(entry);
    const where = `${entry.file}: jobs.${entry.id} (${environment})`;
    const concurrency = entry.job.concurrency;
    if (typeof concurrency !== 'object' || concurrency === null) { problems.push(`${where}: no job-level concurrency group with cancel-in-progress: false`); continue; }
    const group = interpolate(concurrency.group, { inputs: entry.inputs, github: {}, vars: {} });
    if (group === null || !group.split(/[^A-Za-z0-9]+/).includes(environment)) problems.push(`${where}: its concurrency group ${JSON.stringify(concurrency.group)} is not one of its environment`);
    if (concurrency['cancel-in-progress'] !== false) problems.push(`${where}: cancel-in-progress must be false (a rollout cancelled half-way)`);
    if (group !== null) groups.set(group, [...(groups.get(group) ?? []), environment]);
  }
  for (const [group, environments] of groups) {
    if (new Set(environments).size > 1) problems.push(`the concurrency group ${group} spans environments ${[...new Set(environments)].join(', ')}`);
  }
  check("no workflow-wide concurrency in the delivery; each deploying job has its environment's group, cancel-in-progress: false " +
    "(GitHub docs, 'Control the concurrency of workflows and jobs': one running and one pending per group, a newer pending cancels the older)", problems);
}

// ---------------------------------------------------------------------------------------------
console.log('  rule 4: kubernetes');
{
  // helm test --logs reads the test pods after the hook-delete-policy may already have deleted them
  // (a long-open Helm issue: "helm test --logs" fails with hook-succeeded); read them with kubectl.
  const problems = [];
  for (const [file, workflow] of workflows) {
    for (const [id, job] of Object.entries(workflow?.jobs ?? {})) {
      const commands = allCommands(job);
      for (const command of commands.filter((c) => /^helm\s+test\b/.test(c))) {
        if (/(^|\s)--logs\b/.test(command)) problems.push(`${file}: jobs.${id}: \`${command}\`: helm test --logs fails when the test pod's hook-delete-policy removed it first; read the pod's logs with kubectl logs`);
      }
      if (commands.some((c) => /^helm\s+test\b/.test(c)) && !commands.some((c) => /^kubectl\s+logs\b/.test(c))) problems.push(`${file}: jobs.${id} runs helm test but never prints the test pod's logs (kubectl logs)`);
    }
  }
  check('no `helm test --logs` in the workflows; the test pod\'s logs are read with kubectl (Helm issue: test pods deleted by hook-succeeded before --logs reads them)', problems);
}
const kubernetes = Object.entries(deploy.jobs ?? {}).find(([, job]) => allCommands(job).some((c) => /^helm\s+upgrade\b/.test(c)));
{
  // helm docs, "helm upgrade": --timeout is the time to wait for any individual Kubernetes operation;
  // with --atomic a failed upgrade is rolled back and helm waits for the rollback as long again. The
  // job must outlive both and the test, or a cancelled job leaves the release pending-rollback.
  const problems = [];
  if (!kubernetes) problems.push(`${deployName}: no job runs helm upgrade`);
  else {
    const [id, job] = kubernetes;
    const commands = allCommands(job);
    const upgrade = commands.find((c) => /^helm\s+upgrade\b/.test(c));
    const test = commands.find((c) => /^helm\s+test\b/.test(c));
    const upgradeMinutes = minutes(flagValue(upgrade, '--timeout') ?? '5m');
    const rollbacks = /(^|\s)--(atomic|rollback-on-failure)\b/.test(upgrade) ? 2 : 1;
    const testMinutes = test ? minutes(flagValue(test, '--timeout') ?? '5m') : 0;
    const limit = job['timeout-minutes'] ?? 360;
    const needed = rollbacks * upgradeMinutes + testMinutes + 5;
    if (![upgradeMinutes, testMinutes].every(Number.isFinite)) problems.push(`${deployName}: jobs.${id}: cannot read helm's --timeout values`);
    else if (typeof limit !== 'number' || !(limit > needed)) {
      problems.push(`${deployName}: jobs.${id}: timeout-minutes ${limit} must exceed ${rollbacks} x helm upgrade --timeout (${upgradeMinutes}m${rollbacks === 2 ? ', the --atomic rollback waits as long again' : ''}) + helm test --timeout (${testMinutes}m) + 5 minutes of setup = ${needed}`);
    }
  }
  check('the kubernetes job outlives helm: timeout-minutes > 2 x upgrade --timeout (--atomic) + test --timeout + 5 (helm docs: --timeout applies to the upgrade and again to the rollback)', problems);
}
{
  // An AKS cluster with Entra ID and Azure RBAC (local accounts disabled) takes no static kubeconfig:
  // az aks get-credentials writes one whose exec plugin is kubelogin, which is not on the runner
  // (AKS docs, "Use kubelogin to authenticate in AKS"); the Azure CLI token comes from the job's OIDC sign-in.
  const problems = [];
  if (kubernetes) {
    const [id, job] = kubernetes;
    const steps = job.steps ?? [];
    const commands = allCommands(job);
    const gated = (step) => /vars\.AKS_CLUSTER_NAME/.test(String(step?.if ?? ''));
    const where = `${deployName}: jobs.${id}`;
    if (!steps.some((s) => /^azure\/login@/i.test(String(s?.uses ?? '')) && gated(s))) problems.push(`${where}: no azure/login step for an Entra ID cluster (if: vars.AKS_CLUSTER_NAME)`);
    const kubelogin = steps.find((s) => /^azure\/use-kubelogin@/i.test(String(s?.uses ?? '')));
    if (kubelogin && !/^v\d+\.\d+\.\d+$/.test(String(kubelogin.with?.['kubelogin-version'] ?? ''))) problems.push(`${where}: azure/use-kubelogin without a pinned kubelogin-version`);
    if (!kubelogin && !commands.some((c) => /^(sudo\s+)?az\s+aks\s+install-cli\b/.test(c))) problems.push(`${where}: kubelogin is never installed (azure/use-kubelogin or az aks install-cli)`);
    const credentials = commands.find((c) => /^az\s+aks\s+get-credentials\b/.test(c));
    if (!credentials || !['--resource-group', '--name', '--overwrite-existing'].every((f) => credentials.includes(f))) problems.push(`${where}: no \`az aks get-credentials --resource-group … --name … --overwrite-existing\``);
    if (!commands.some((c) => /^kubelogin\s+convert-kubeconfig\b.*(-l|--login)[\s=]+azurecli\b/.test(c))) problems.push(`${where}: no \`kubelogin convert-kubeconfig -l azurecli\``);
    const secretStep = steps.find((s) => /secrets\.KUBECONFIG\b/.test(JSON.stringify(s?.env ?? {})) || /secrets\.KUBECONFIG\b/.test(String(s?.run ?? '')));
    if (!secretStep) problems.push(`${where}: no path with the environment's KUBECONFIG secret`);
    else if (!gated(secretStep)) problems.push(`${where}: the KUBECONFIG-secret step runs whatever AKS_CLUSTER_NAME says (if: vars.AKS_CLUSTER_NAME == '')`);
    const entries = jobs.filter((e) => e.file === deployName && e.id === id);
    if (entries.length === 0 || entries.some((e) => !holds(e.permissions, 'id-token'))) problems.push(`${where}: not every caller gives it id-token: write for azure/login`);
  }
  check('the kubernetes job reaches an Entra ID cluster (azure/login, az aks get-credentials, kubelogin -l azurecli) or one from the KUBECONFIG secret', problems);
}

// ---------------------------------------------------------------------------------------------
console.log('  rule 5: azure');
{
  const problems = [];
  const azure = Object.entries(deploy.jobs ?? {}).find(([, job]) => allCommands(job).some((c) => /^azd\s+provision\b/.test(c)));
  for (const [file, workflow] of workflows) {
    for (const [id, job] of Object.entries(workflow?.jobs ?? {})) {
      for (const command of allCommands(job).filter((c) => /\baz\s+containerapp\s+job\b/.test(c))) problems.push(`${file}: jobs.${id}: \`${command}\`: the api's init container runs the migrations; no Container Apps job`);
    }
  }
  if (!azure) problems.push(`${deployName}: no job runs azd provision`);
  else {
    const [id, job] = azure;
    const where = `${deployName}: jobs.${id}`;
    const commands = allCommands(job);
    // azd's secretOrRandomPassword (infra/main.parameters.json) generates a new password when
    // AZURE_KEY_VAULT_NAME is unset, as on a fresh runner; azd env refresh restores it from Azure first.
    const refresh = commands.findIndex((c) => /^(if\s+!?\s*)?azd\s+env\s+refresh\b/.test(c));
    const provision = commands.findIndex((c) => /^azd\s+provision\b/.test(c));
    if (refresh < 0 || refresh > provision) problems.push(`${where}: azd env refresh must come before azd provision (a fresh runner has no .azure/<env>: secretOrRandomPassword would generate a new PostgreSQL admin password)`);
    if (!scriptsOf(job).some((s) => /azd env refresh/.test(s) && /az group exists/.test(s) && /AZURE_KEY_VAULT_NAME/.test(s))) problems.push(`${where}: a failed azd env refresh must fail the job unless rg-<env> does not exist (az group exists), and so must an empty AZURE_KEY_VAULT_NAME`);
    if (!(typeof job['timeout-minutes'] === 'number' && job['timeout-minutes'] >= 45)) problems.push(`${where}: timeout-minutes ${job['timeout-minutes']} is below 45`);

    // The registry az acr import fills and the one azd deploy's images name are the same: the name and
    // the login server of the registry infra/main.bicep outputs.
    const assigned = new Map();
    for (const m of scriptsOf(job).join('\n').matchAll(/^\s*(\w+)="\$\(azd env get-value (\w+)\)"/gm)) assigned.set(m[1], m[2]);
    const unquote = (v) => (v ?? '').replace(/^"(.*)"$/, '$1').replace(/\$\{(\w+)\}/g, '$$$1');
    const imports = commands.filter((c) => /^az\s+acr\s+import\b/.test(c)).map((c) => ({
      name: unquote(/--name\s+("[^"]*"|\S+)/.exec(c)?.[1]), image: unquote(/--image\s+("[^"]*"|\S+)/.exec(c)?.[1]), source: unquote(/--source\s+("[^"]*"|\S+)/.exec(c)?.[1]),
    }));
    const imageVariables = [...scriptsOf(job).join('\n').replace(/\\\n/g, ' ').matchAll(/\bNotejam__Images__(\w+)=("[^"]*"|\S+)/g)].map((m) => ({ service: m[1], value: unquote(m[2]) }));
    for (const step of (job.steps ?? []).filter((s) => /az acr import/.test(String(s?.run ?? '')))) {
      if (!/inputs\.registry/.test(String(step.env?.REGISTRY ?? ''))) problems.push(`${where}: the az acr import step's REGISTRY is not inputs.registry (where deliver.yml pushed the release)`);
    }
    if (imports.length === 0) problems.push(`${where}: no az acr import of the release's images into the environment's registry`);
    if (imageVariables.length === 0) problems.push(`${where}: azd deploy is given no Notejam__Images__* (it would rebuild the projects instead of deploying the release's images)`);
    for (const i of imports) {
      const variable = /^\$(\w+)$/.exec(i.name)?.[1];
      if (assigned.get(variable) !== 'AZURE_CONTAINER_REGISTRY_NAME') problems.push(`${where}: az acr import --name ${i.name} is not the environment's registry (azd env get-value AZURE_CONTAINER_REGISTRY_NAME)`);
      if (!/^\$REGISTRY\//.test(i.source)) problems.push(`${where}: az acr import --source ${i.source} is not the release's registry ($REGISTRY)`);
    }
    for (const v of imageVariables) {
      const m = /^\$(\w+)\/(.+)$/.exec(v.value);
      if (!m || assigned.get(m[1]) !== 'AZURE_CONTAINER_REGISTRY_ENDPOINT') problems.push(`${where}: Notejam__Images__${v.service}=${v.value} does not start with the environment's registry endpoint (azd env get-value AZURE_CONTAINER_REGISTRY_ENDPOINT)`);
      else if (!imports.some((i) => i.image === m[2])) problems.push(`${where}: Notejam__Images__${v.service} names ${m[2]}, which az acr import never brings (${imports.map((i) => i.image).join(', ')})`);
    }
    for (const service of ['api', 'web']) if (imageVariables.length > 0 && !imageVariables.some((v) => v.service === service)) problems.push(`${where}: no Notejam__Images__${service}`);
    const bicep = existsSync(path.join(root, 'infra', 'main.bicep')) ? readFileSync(path.join(root, 'infra', 'main.bicep'), 'utf8') : '';
    const output = (name) => new RegExp(`^output ${name} string = (\\w+)\\.`, 'm').exec(bicep)?.[1];
    if (!output('AZURE_CONTAINER_REGISTRY_NAME') || output('AZURE_CONTAINER_REGISTRY_NAME') !== output('AZURE_CONTAINER_REGISTRY_ENDPOINT')) problems.push('infra/main.bicep: AZURE_CONTAINER_REGISTRY_NAME and AZURE_CONTAINER_REGISTRY_ENDPOINT are not outputs of the same registry');
  }
  check('the azure job: no az containerapp job; azd env refresh before azd provision; azd deploys the images az acr import brought into the environment\'s registry', problems);
}

console.log(`check-delivery.mjs: ${failures === 0 ? 'every rule holds' : `${failures} rules failed`}`);
process.exit(failures === 0 ? 0 : 1);
