#!/usr/bin/env bash
# Offline check of the Azure infrastructure (infra/), for CI: no Azure account, no network beyond
# NuGet (the Bicep CLI comes from the Azure.Bicep.CommandLine.linux-x64 package, restored through
# tools/bicep/Bicep.Tools.csproj at the version in Directory.Packages.props).
#
#   1. bicep build infra/main.bicep   compiles main.bicep and every module, type-checks each resource
#                                     against the CLI's bundled Azure types, runs the linter
#   2. bicep lint infra/main.bicep    the linter rules of infra/bicepconfig.json
#   3. infra/main.parameters.json     is strict JSON, sets only parameters main.bicep declares, and
#                                     sets every one it declares without a default
#                                     (infra/check-parameters.fsx, run by `dotnet fsi`)
#
# The CLI exits 0 on warnings (unknown API versions BCP081, wrong property types BCP036, unknown
# properties BCP089, ...), so any Warning or Error line in its output fails the check as well.
# Info lines (use-recent-api-versions, see bicepconfig.json) are shown and do not fail it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { printf '\n== %s\n' "$*"; }
# Another build may run in the same tree: every dotnet command takes the shared lock.
run_dotnet() {
  if command -v flock >/dev/null; then
    flock /tmp/notejam-build.lock dotnet "$@"
  else
    dotnet "$@"
  fi
}

package=Azure.Bicep.CommandLine.linux-x64
tools_project=tools/bicep/Bicep.Tools.csproj

step "Bicep CLI ($package from $tools_project)"
version=$(sed -n "s/.*<PackageVersion Include=\"$package\" Version=\"\([^\"]*\)\".*/\1/p" Directory.Packages.props)
if [ -z "$version" ]; then
  echo "FAIL: Directory.Packages.props has no PackageVersion for $package" >&2
  exit 1
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "FAIL: $package runs on Linux x86_64 only; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

run_dotnet restore "$tools_project" --verbosity quiet

# Where NuGet put the package: the path the restore recorded (honours NUGET_PACKAGES and nuget.config),
# else the default global packages folder.
package_dir=$(sed -n "s:.*<PkgAzure_Bicep_CommandLine_linux-x64[^>]*>\([^<]*\)</PkgAzure_Bicep_CommandLine_linux-x64>.*:\1:p" \
  tools/bicep/obj/Bicep.Tools.csproj.nuget.g.props 2>/dev/null || true)
candidates=()
[ -n "$package_dir" ] && candidates+=("$package_dir/tools/bicep")
[ -n "${NUGET_PACKAGES:-}" ] && candidates+=("${NUGET_PACKAGES%/}/azure.bicep.commandline.linux-x64/$version/tools/bicep")
candidates+=("$HOME/.nuget/packages/azure.bicep.commandline.linux-x64/$version/tools/bicep")
bicep=""
for candidate in "${candidates[@]}"; do
  if [ -f "$candidate" ]; then
    bicep=$candidate
    break
  fi
done
if [ -z "$bicep" ]; then
  echo "FAIL: no bicep executable after the restore; looked at: ${candidates[*]}" >&2
  exit 1
fi
[ -x "$bicep" ] || chmod u+x "$bicep"
echo "$bicep"
"$bicep" --version

# Runs the Bicep CLI with its standard output going to $stdout_to; its diagnostics (stderr) are
# printed, and the step fails on a non-zero exit code or on any line that is a warning or an error.
check_bicep() {
  local what=$1 stdout_to=$2
  shift 2
  local output status=0
  output=$("$bicep" "$@" 2>&1 >"$stdout_to") || status=$?
  [ -n "$output" ] && printf '%s\n' "$output"
  if [ "$status" -ne 0 ]; then
    fail "$what exited with $status"
  elif grep -Eiq '\b(warning|error)\b' <<<"$output"; then
    fail "$what reported warnings or errors (each one fails this check)"
  else
    echo "ok: $what ($(grep -c . <<<"$output" || true) info lines)"
  fi
}

step "bicep build infra/main.bicep"
# The compiled ARM template (stdout) is kept for the parameters check below.
check_bicep "bicep build" "$work/main.json" build infra/main.bicep --stdout

step "bicep lint infra/main.bicep"
check_bicep "bicep lint" /dev/null lint infra/main.bicep

step "infra/main.parameters.json"
if [ ! -s "$work/main.json" ]; then
  fail "no compiled template to check the parameters against"
else
  # Strict JSON (as azd reads it), checked against the parameters of the compiled template.
  status=0
  run_dotnet fsi infra/check-parameters.fsx infra/main.parameters.json "$work/main.json" || status=$?
  [ "$status" -eq 0 ] || fail "main.parameters.json (see above)"
fi

elapsed=$(($(date +%s) - started))
echo
if [ "$failures" -ne 0 ]; then
  echo "infra/check.sh: $failures check(s) failed (${elapsed}s)"
  exit 1
fi
echo "infra/check.sh: all checks passed (${elapsed}s)"
