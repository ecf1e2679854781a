#!/usr/bin/env node
// The per-environment inputs of the delivery workflow, offline:
//   - every environment deliver.yml deploys (dev, staging, prod) has its chart values file and its
//     azd settings (infra/env/<environment>.env);
//   - every key of a settings file is one infra/main.parameters.json reads (a typo would be
//     silently ignored by azd);
//   - each settings file, substituted into main.parameters.json the way azd does it (${VAR},
//     ${VAR=default}; an empty value leaves the Bicep default), is written as a .bicepparam file
//     into <out dir>, for check.sh to compile with `bicep build-params` against infra/main.bicep
//     (types, @allowed, @minValue/@maxValue).
//
//   node check-environments.mjs --yaml <dir holding node_modules/js-yaml> --out <dir> <repository root>
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const options = { yaml: '', out: '', root: '' };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--yaml') options.yaml = args[++i];
  else if (args[i] === '--out') options.out = args[++i];
  else options.root = args[i];
}
if (!options.yaml || !options.out || !options.root) {
  console.error('usage: node check-environments.mjs --yaml <dir> --out <dir> <repository root>');
  process.exit(2);
}
const yaml = createRequire(path.resolve(options.yaml, 'node_modules', 'noop.js'))('js-yaml');
const root = path.resolve(options.root);
const at = (...parts) => path.join(root, ...parts);

let failures = 0;
const check = (description, problems) => {
  const list = problems.filter(Boolean);
  console.log(`  ${list.length === 0 ? 'ok  ' : 'FAIL'}  ${description}`);
  for (const problem of list) console.log(`          - ${problem}`);
  failures += list.length === 0 ? 0 : 1;
};

// The environments, in the order deliver.yml deploys them.
const deliver = yaml.load(readFileSync(at('.github', 'workflows', 'deliver.yml'), 'utf8'));
const environments = Object.values(deliver.jobs ?? {})
  .filter((job) => String(job?.uses ?? '').endsWith('/deploy-environment.yml'))
  .map((job) => job.with?.environment);
check(`deliver.yml deploys dev, staging, prod in that order (${environments.join(' -> ')})`,
  [JSON.stringify(environments) === JSON.stringify(['dev', 'staging', 'prod']) ? null : `environments: ${JSON.stringify(environments)}`]);

// What main.parameters.json reads, and the types main.bicep declares.
const parametersText = readFileSync(at('infra', 'main.parameters.json'), 'utf8');
const parameters = JSON.parse(parametersText).parameters;
const referenced = new Set([...parametersText.matchAll(/\$\{([A-Z0-9_]+)(=[^}]*)?\}/g)].map((m) => m[1]));
const types = new Map([...readFileSync(at('infra', 'main.bicep'), 'utf8').matchAll(/^param (\w+) (string|int|bool)\b/gm)].map((m) => [m[1], m[2]]));

mkdirSync(options.out, { recursive: true });
for (const environment of environments) {
  // deploy-environment.yml names prod's values file values-production.yaml.
  const values = `values-${environment === 'prod' ? 'production' : environment}.yaml`;
  const settingsFile = at('infra', 'env', `${environment}.env`);
  check(`${environment}: deploy/helm/notejam/${values} and infra/env/${environment}.env exist`, [
    existsSync(at('deploy', 'helm', 'notejam', values)) ? null : `no deploy/helm/notejam/${values}`,
    existsSync(settingsFile) ? null : `no infra/env/${environment}.env`,
  ]);
  if (!existsSync(settingsFile)) continue;

  const problems = [];
  const settings = new Map();
  readFileSync(settingsFile, 'utf8').split('\n').forEach((line, index) => {
    if (/^\s*(#|$)/.test(line)) return;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) problems.push(`line ${index + 1} is not KEY=value: ${line}`);
    else if (settings.has(match[1])) problems.push(`${match[1]} is set twice`);
    else if (!referenced.has(match[1])) problems.push(`${match[1]} is not read by infra/main.parameters.json`);
    else settings.set(match[1], match[2]);
  });
  check(`${environment}: infra/env/${environment}.env sets only what main.parameters.json reads (${settings.size} settings)`, problems);

  // What azd itself provides in the workflow.
  const provided = new Map([
    ['AZURE_ENV_NAME', `notejam-${environment}`], ['AZURE_LOCATION', 'westeurope'],
    ['AZURE_PRINCIPAL_TYPE', 'ServicePrincipal'], ...settings,
  ]);
  // Bicep takes only a relative path in `using`.
  const using = path.relative(path.resolve(options.out), at('infra', 'main.bicep')).split(path.sep).join('/');
  const lines = [`using '${using}'`, ''];
  for (const [name, { value }] of Object.entries(parameters)) {
    let resolved = String(value);
    if (/^\$\(secretOrRandomPassword /.test(resolved)) resolved = 'check-only-password';
    resolved = resolved.replace(/\$\{([A-Z0-9_]+)(?:=([^}]*))?\}/g, (_, key, fallback) => provided.get(key) ?? fallback ?? '');
    if (resolved === '') continue; // azd leaves empty parameters out: the Bicep default applies
    const type = types.get(name) ?? 'string';
    const literal = type === 'string' ? `'${resolved.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : resolved;
    lines.push(`param ${name} = ${literal}`);
  }
  writeFileSync(path.join(options.out, `${environment}.bicepparam`), `${lines.join('\n')}\n`);
}

process.exit(failures === 0 ? 0 : 1);
