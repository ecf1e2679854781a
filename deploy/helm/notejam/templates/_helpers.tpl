{{/*
Names, labels and the values derived from several settings. Every component template writes its
own `app.kubernetes.io/component` label literally (api, web, migrations, postgresql, test), so the
components a template deploys can be read from the template itself.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "notejam.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name: "<release>-notejam", or the release name alone when it already contains
the chart name, or fullnameOverride. Kept at 52 characters so that suffixes such as
"-migrations" and "-postgresql" still fit the 63 allowed in a name.
*/}}
{{- define "notejam.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "notejam-0.1.0", the helm.sh/chart label. */}}
{{- define "notejam.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource (the component label is added by each template). */}}
{{- define "notejam.labels" -}}
helm.sh/chart: {{ include "notejam.chart" . }}
{{ include "notejam.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: notejam
{{- end }}

{{/* Labels that select the release's pods (the component label is added by each template). */}}
{{- define "notejam.selectorLabels" -}}
app.kubernetes.io/name: {{ include "notejam.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Names of the components' resources. */}}
{{- define "notejam.api.fullname" -}}
{{- printf "%s-api" (include "notejam.fullname" .) }}
{{- end }}
{{- define "notejam.web.fullname" -}}
{{- printf "%s-web" (include "notejam.fullname" .) }}
{{- end }}
{{- define "notejam.migrations.fullname" -}}
{{- printf "%s-migrations" (include "notejam.fullname" .) }}
{{- end }}
{{- define "notejam.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "notejam.fullname" .) }}
{{- end }}

{{/* The ServiceAccount of the api and web pods. */}}
{{- define "notejam.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "notejam.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The ServiceAccount of the migration hook. A pre-install hook runs before the release's own
ServiceAccount exists, so the chart gives the hook one of its own (a hook resource too).
*/}}
{{- define "notejam.migrations.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- include "notejam.migrations.fullname" . }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
An image reference. Call with (dict "root" $ "image" .Values.api.image): the registry and the tag
come from .Values.image unless the component's image overrides the tag.
*/}}
{{- define "notejam.image" -}}
{{- $root := .root }}
{{- $tag := .image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion | toString }}
{{- if $root.Values.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" $root.Values.image.registry) .image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* A third-party image (postgresql, the test pod): (dict "image" ...). */}}
{{- define "notejam.externalImage" -}}
{{- if .image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" .image.registry) .image.repository (toString .image.tag) }}
{{- else }}
{{- printf "%s:%s" .image.repository (toString .image.tag) }}
{{- end }}
{{- end }}

{{/* The api's URL inside the cluster: Notejam__ApiUrl of the web. */}}
{{- define "notejam.apiUrl" -}}
{{- if eq (int .Values.api.service.port) 80 }}
{{- printf "http://%s/" (include "notejam.api.fullname" .) }}
{{- else }}
{{- printf "http://%s:%d/" (include "notejam.api.fullname" .) (int .Values.api.service.port) }}
{{- end }}
{{- end }}

{{/* The site's public URL: Notejam__WebUrl of the api (password-reset links, the passkeys' relying party and origin). */}}
{{- define "notejam.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl | trimSuffix "/" }}/
{{- else if and .Values.ingress.enabled .Values.ingress.host }}
{{- printf "%s://%s/" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- else }}
{{- fail "notejam: set publicUrl (the site's public URL, used in password-reset mails) when ingress.enabled is false or ingress.host is empty." }}
{{- end }}
{{- end }}

{{/*
Checks the values that cannot be told apart by the schema alone. Included by every template that
depends on them, so `helm template` fails early with a message saying what to set.
*/}}
{{- define "notejam.validateValues" -}}
{{- $sources := 0 }}
{{- if .Values.database.connectionString }}{{ $sources = add1 $sources }}{{ end }}
{{- if .Values.database.existingSecret }}{{ $sources = add1 $sources }}{{ end }}
{{- if .Values.postgresql.enabled }}{{ $sources = add1 $sources }}{{ end }}
{{- if eq $sources 0 }}
{{- fail "notejam: the database is not set. Set one of database.existingSecret (an existing Secret with the Npgsql connection string), database.connectionString, or postgresql.enabled=true (in-cluster trial database, not for production)." }}
{{- end }}
{{- if gt $sources 1 }}
{{- fail "notejam: set only one of database.connectionString, database.existingSecret and postgresql.enabled." }}
{{- end }}
{{- if and .Values.database.existingSecret (not .Values.database.existingSecretKey) }}
{{- fail "notejam: database.existingSecretKey must name the key of the connection string in database.existingSecret." }}
{{- end }}
{{- if and .Values.webKeyRing.connectionString .Values.webKeyRing.existingSecret }}
{{- fail "notejam: set only one of webKeyRing.connectionString and webKeyRing.existingSecret." }}
{{- end }}
{{- if and .Values.webKeyRing.existingSecret (not .Values.webKeyRing.existingSecretKey) }}
{{- fail "notejam: webKeyRing.existingSecretKey must name the key of the web's connection string in webKeyRing.existingSecret." }}
{{- end }}
{{- if not (or .Values.postgresql.enabled .Values.webKeyRing.connectionString .Values.webKeyRing.existingSecret) }}
{{- fail "notejam: the web's own database is not set. With an external database (database.connectionString or database.existingSecret) set webKeyRing.existingSecret (an existing Secret with the web's Npgsql connection string, key webKeyRing.existingSecretKey) or webKeyRing.connectionString: Host=<the notes database's server>;Port=5432;Database=notejam_web;Username=notejam_web;Password=<a password of its own>;SSL Mode=Require. The migration makes that role and database; the web never gets database.*." }}
{{- end }}
{{- if or (and .Values.webKeyRing.connectionString (eq .Values.webKeyRing.connectionString .Values.database.connectionString)) (and .Values.webKeyRing.existingSecret (eq .Values.webKeyRing.existingSecret .Values.database.existingSecret) (eq .Values.webKeyRing.existingSecretKey .Values.database.existingSecretKey)) }}
{{- fail "notejam: webKeyRing names the notes database's own connection string (database.*): give the web a role and a database of its own (notejam_web)." }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "notejam: metrics.serviceMonitor needs metrics.enabled (without it there is no /metrics to scrape)." }}
{{- end }}
{{- if and .Values.smtp.password .Values.smtp.existingSecret }}
{{- fail "notejam: set only one of smtp.password and smtp.existingSecret." }}
{{- end }}
{{- if and .Values.api.keyEncryptionKey.existingSecret (eq .Values.api.keyEncryptionKey.existingSecret .Values.web.keyEncryptionKey.existingSecret) (eq .Values.api.keyEncryptionKey.existingSecretKey .Values.web.keyEncryptionKey.existingSecretKey) }}
{{- fail "notejam: the api and the web need a key-encryption key each: api.keyEncryptionKey and web.keyEncryptionKey name the same Secret key." }}
{{- end }}
{{- if ge (int .Values.preStopSleepSeconds) (int .Values.terminationGracePeriodSeconds) }}
{{- fail "notejam: terminationGracePeriodSeconds must be longer than preStopSleepSeconds (the pods need time to stop after the sleep)." }}
{{- end }}
{{- range $name := list "api" "web" }}
{{- $pdb := (index $.Values $name).podDisruptionBudget }}
{{- if $pdb.enabled }}
{{- $min := not (or (eq (toString $pdb.minAvailable) "") (kindIs "invalid" $pdb.minAvailable)) }}
{{- $max := not (or (eq (toString $pdb.maxUnavailable) "") (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- if and $min $max }}
{{- fail (printf "notejam: %s.podDisruptionBudget: set only one of minAvailable and maxUnavailable." $name) }}
{{- end }}
{{- if not (or $min $max) }}
{{- fail (printf "notejam: %s.podDisruptionBudget: set minAvailable or maxUnavailable." $name) }}
{{- end }}
{{- end }}
{{- $hpa := (index $.Values $name).autoscaling }}
{{- if and $hpa.enabled (lt (int $hpa.maxReplicas) (int $hpa.minReplicas)) }}
{{- fail (printf "notejam: %s.autoscaling.maxReplicas must be at least minReplicas." $name) }}
{{- end }}
{{- if and $hpa.customMetric.enabled (not $hpa.enabled) }}
{{- fail (printf "notejam: %s.autoscaling.customMetric needs %s.autoscaling.enabled (it is a metric of the HorizontalPodAutoscaler)." $name $name) }}
{{- end }}
{{- if and $hpa.customMetric.enabled (not $.Values.metrics.enabled) }}
{{- fail (printf "notejam: %s.autoscaling.customMetric needs metrics.enabled (the adapter computes it from /metrics)." $name) }}
{{- end }}
{{- /*
A prefix of length 0 (0.0.0.0/0, ::/0) trusts every sender: anyone could write the address the limits
count into X-Forwarded-For, the hole ingress-nginx's own proxy-real-ip-cidr default (0.0.0.0/0) opens when
use-forwarded-headers is on (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#proxy-real-ip-cidr).
*/}}
{{- range $network := splitList "," (toString (index $.Values $name).trustedProxyNetworks) }}
{{- if regexMatch "/0*0$" (trim $network) }}
{{- fail (printf "notejam: %s.trustedProxyNetworks: %s trusts every address, so any client could choose the address per-address limits count. Name the ingress controller's pod network (web) or the web pods' network (api) only." $name (trim $network)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The trial PostgreSQL's password: postgresql.auth.password, else the one already in the release's
Secret (read back with lookup on every upgrade; the Secret is helm.sh/resource-policy: keep, so it is
also found on a reinstall after `helm uninstall`, which keeps the data volume initialised with it),
else a new random one. Computed once per render and remembered, so the PostgreSQL Secret and the
connection strings built from it agree.
*/}}
{{- define "notejam.postgresql.password" -}}
{{- if not (hasKey .Values.postgresql.auth "resolvedPassword") }}
{{- $password := .Values.postgresql.auth.password }}
{{- if not $password }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "notejam.postgresql.fullname" .) }}
{{- if and $existing $existing.data (hasKey $existing.data "password") }}
{{- $password = index $existing.data "password" | b64dec }}
{{- else }}
{{- $password = randAlphaNum 32 }}
{{- end }}
{{- end }}
{{- $_ := set .Values.postgresql.auth "resolvedPassword" $password }}
{{- end }}
{{- .Values.postgresql.auth.resolvedPassword }}
{{- end }}

{{/* The connection string the chart stores (database.connectionString or the trial PostgreSQL). */}}
{{- define "notejam.database.connectionString" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "Host=%s;Port=5432;Database=%s;Username=%s;Password=%s" (include "notejam.postgresql.fullname" .) .Values.postgresql.auth.database .Values.postgresql.auth.username (include "notejam.postgresql.password" .) }}
{{- else }}
{{- .Values.database.connectionString }}
{{- end }}
{{- end }}

{{/* Where the api pods read the notes database's connection string: a Secret name and key. */}}
{{- define "notejam.database.secretName" -}}
{{- default (include "notejam.fullname" .) .Values.database.existingSecret }}
{{- end }}
{{- define "notejam.database.secretKey" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecretKey }}{{ else }}connectionString{{ end }}
{{- end }}

{{/*
Where the migration hook reads it. The hook runs before the release's resources exist (and, on an
upgrade, before they are updated), so it never reads the release's Secret: either the user's
existing Secret, or a hook Secret of its own created just before it.
*/}}
{{- define "notejam.migrations.secretName" -}}
{{- default (include "notejam.migrations.fullname" .) .Values.database.existingSecret }}
{{- end }}

{{/*
The web's own database, where it alone keeps its data-protection key ring (ConnectionStrings__webkeyring): the role
notejam_web and the database notejam_web on the notes database's server, which the migration makes (or whose password
it resets) from this very string. The web never gets database.* (the notes database's credentials).
  - webKeyRing.existingSecret: the user's Secret;
  - webKeyRing.connectionString: stored by the chart in "<release>-notejam-web-database";
  - neither, with the trial PostgreSQL: composed by the chart into that Secret, with a password of its own.
*/}}
{{- define "notejam.webKeyRing.fullname" -}}
{{- printf "%s-web-database" (include "notejam.fullname" .) }}
{{- end }}

{{/*
The trial PostgreSQL's password of the web's role: the one already in "<release>-notejam-web-database" (read back with
lookup on every upgrade: a new one would be set by the pre-upgrade migration while the running web pods still use the
old one), else a new random one. Computed once per render and remembered, so the Secrets and the checksum agree.
*/}}
{{- define "notejam.webKeyRing.password" -}}
{{- if not (hasKey .Values.webKeyRing "resolvedPassword") }}
{{- $password := "" }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "notejam.webKeyRing.fullname" .) }}
{{- if and $existing $existing.data (hasKey $existing.data "password") }}
{{- $password = index $existing.data "password" | b64dec }}
{{- else }}
{{- $password = randAlphaNum 32 }}
{{- end }}
{{- $_ := set .Values.webKeyRing "resolvedPassword" $password }}
{{- end }}
{{- .Values.webKeyRing.resolvedPassword }}
{{- end }}

{{/* Whether the chart composes the web's connection string itself (the trial PostgreSQL, nothing given). */}}
{{- define "notejam.webKeyRing.composed" -}}
{{- if and .Values.postgresql.enabled (not .Values.webKeyRing.connectionString) (not .Values.webKeyRing.existingSecret) }}true{{ end }}
{{- end }}

{{/* The web's connection string the chart stores (webKeyRing.connectionString or the composed one); empty with an existing Secret. */}}
{{- define "notejam.webKeyRing.connectionString" -}}
{{- if .Values.webKeyRing.existingSecret }}
{{- else if .Values.webKeyRing.connectionString }}
{{- .Values.webKeyRing.connectionString }}
{{- else if .Values.postgresql.enabled }}
{{- printf "Host=%s;Port=5432;Database=notejam_web;Username=notejam_web;Password=%s" (include "notejam.postgresql.fullname" .) (include "notejam.webKeyRing.password" .) }}
{{- end }}
{{- end }}

{{/* Where the web pods read it: a Secret name and key. */}}
{{- define "notejam.webKeyRing.secretName" -}}
{{- default (include "notejam.webKeyRing.fullname" .) .Values.webKeyRing.existingSecret }}
{{- end }}
{{- define "notejam.webKeyRing.secretKey" -}}
{{- if .Values.webKeyRing.existingSecret }}{{ .Values.webKeyRing.existingSecretKey }}{{ else }}connectionString{{ end }}
{{- end }}

{{/*
Where the migration hook reads it (it makes the web's role and database from it): like the notes database's string,
the user's existing Secret or the hook Secret of its own (key webKeyRingConnectionString), never the release's.
*/}}
{{- define "notejam.migrations.webKeyRing.secretName" -}}
{{- default (include "notejam.migrations.fullname" .) .Values.webKeyRing.existingSecret }}
{{- end }}
{{- define "notejam.migrations.webKeyRing.secretKey" -}}
{{- if .Values.webKeyRing.existingSecret }}{{ .Values.webKeyRing.existingSecretKey }}{{ else }}webKeyRingConnectionString{{ end }}
{{- end }}

{{/*
The hook events of the migrations: before install and upgrade. With the trial PostgreSQL the
database is part of the release, so the first install can only migrate after it (post-install).
*/}}
{{- define "notejam.migrations.hook" -}}
{{- if .Values.postgresql.enabled }}post-install,pre-upgrade{{ else }}pre-install,pre-upgrade{{ end }}
{{- end }}

{{/* Whether the chart stores an SMTP password, and where the api reads it. */}}
{{- define "notejam.smtp.secretName" -}}
{{- default (include "notejam.fullname" .) .Values.smtp.existingSecret }}
{{- end }}
{{- define "notejam.smtp.secretKey" -}}
{{- if .Values.smtp.existingSecret }}{{ .Values.smtp.existingSecretKey }}{{ else }}smtpPassword{{ end }}
{{- end }}
{{- define "notejam.smtp.hasPassword" -}}
{{- if and .Values.smtp.host (or .Values.smtp.password .Values.smtp.existingSecret) }}true{{ end }}
{{- end }}

{{/*
Where the api or the web reads DataProtection__KeyEncryptionKey: (dict "root" $ "component" "api").
Each has its own Secret, so one service's secret never opens the other's key ring.
*/}}
{{- define "notejam.keyRing.secretName" -}}
{{- $values := index .root.Values .component }}
{{- default (printf "%s-%s-keyring" (include "notejam.fullname" .root) .component) $values.keyEncryptionKey.existingSecret }}
{{- end }}
{{- define "notejam.keyRing.secretKey" -}}
{{- $values := index .root.Values .component }}
{{- if $values.keyEncryptionKey.existingSecret }}{{ $values.keyEncryptionKey.existingSecretKey }}{{ else }}keyEncryptionKey{{ end }}
{{- end }}

{{/*
The chart's generated key-encryption key of a component, base64: the value already in its Secret (kept
across upgrades: a new one would make the key ring in the database unreadable), else 48 random characters.
*/}}
{{- define "notejam.keyRing.value" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace (include "notejam.keyRing.secretName" .) }}
{{- if and $existing $existing.data (hasKey $existing.data "keyEncryptionKey") }}
{{- index $existing.data "keyEncryptionKey" }}
{{- else }}
{{- randAlphaNum 48 | b64enc }}
{{- end }}
{{- end }}

{{/* The env var of an api or web container that names its key-encryption key: (dict "root" $ "component" "api"). */}}
{{- define "notejam.keyRing.env" -}}
- name: DataProtection__KeyEncryptionKey
  valueFrom:
    secretKeyRef:
      name: {{ include "notejam.keyRing.secretName" . }}
      key: {{ include "notejam.keyRing.secretKey" . }}
{{- end }}

{{/*
Environment shared by every Notejam container: the pod's identity for telemetry.
Call with (dict "root" $ "image" .Values.api.image).
*/}}
{{- define "notejam.commonEnv" -}}
{{- $root := .root }}
{{- $version := .image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion | toString }}
{{- $extra := ternary (printf ",%s" $root.Values.otel.resourceAttributes) "" (ne $root.Values.otel.resourceAttributes "") -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=notejam,service.version=%s,service.instance.id=$(POD_NAME),k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE)%s" $version $extra | quote }}
{{- end }}

{{/* Settings shared by every Notejam container, as ConfigMap data or env values. */}}
{{- define "notejam.commonSettings" -}}
ASPNETCORE_ENVIRONMENT: {{ .Values.aspnetcoreEnvironment | quote }}
{{- if .Values.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .Values.otel.endpoint | quote }}
{{- end }}
{{- if .Values.otel.protocol }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .Values.otel.protocol | quote }}
{{- end }}
{{- end }}

{{/* /metrics for Prometheus, in the api's and the web's ConfigMaps (the app serves it only when told to). */}}
{{- define "notejam.metricsSettings" -}}
{{- if .Values.metrics.enabled }}
Metrics__Prometheus__Enabled: "true"
# Kestrel listens on the metrics port too, and /metrics answers only there.
ASPNETCORE_HTTP_PORTS: {{ printf "8080;%d" (int .Values.metrics.port) | quote }}
Metrics__Prometheus__Port: {{ .Values.metrics.port | toString | quote }}
{{- end }}
{{- end }}

{{/*
The HorizontalPodAutoscaler of the api or the web. Call with (dict "root" $ "values" .Values.api
"component" "api" "name" <full name>).
*/}}
{{- define "notejam.hpa" -}}
{{- $hpa := .values.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "notejam.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $hpa.minReplicas }}
  maxReplicas: {{ $hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $hpa.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $hpa.targetMemoryUtilizationPercentage }}
    {{- if $hpa.customMetric.enabled }}
    # Requests per second per pod, from the custom metrics API (prometheus-adapter; docs/deploy.md).
    - type: Pods
      pods:
        metric:
          name: {{ $hpa.customMetric.name }}
        target:
          type: AverageValue
          averageValue: {{ $hpa.customMetric.targetAverageValue | toString | quote }}
    {{- end }}
  {{- with $hpa.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* The pod-level settings shared by the api and web Deployments and the migration Job. */}}
{{- define "notejam.podSecurity" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* The three probes of an api or web container (the paths are the app's). */}}
{{- define "notejam.probes" -}}
startupProbe:
  httpGet:
    path: /alive
    port: http
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
readinessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
livenessProbe:
  httpGet:
    path: /alive
    port: http
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
{{- end }}

{{/*
Scheduling of an api or web pod. Call with (dict "root" $ "values" .Values.api "component" "api").
Without an explicit affinity the replicas prefer different nodes; topology spread constraints
without a labelSelector get the component's.
*/}}
{{- define "notejam.scheduling" -}}
{{- $root := .root }}
{{- $selector := merge (fromYaml (include "notejam.selectorLabels" $root)) (dict "app.kubernetes.io/component" .component) -}}
affinity:
{{- if .values.affinity }}
  {{- toYaml .values.affinity | nindent 2 }}
{{- else }}
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- toYaml $selector | nindent 14 }}
{{- end }}
{{- with .values.topologySpreadConstraints }}
topologySpreadConstraints:
{{- range . }}
  {{- $constraint := deepCopy . }}
  {{- if not (hasKey $constraint "labelSelector") }}
  {{- $_ := set $constraint "labelSelector" (dict "matchLabels" $selector) }}
  {{- end }}
  - {{ toYaml $constraint | indent 4 | trim }}
{{- end }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}
