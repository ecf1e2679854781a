#!/usr/bin/env bash
# Seconds from `dotnet run --project Notejam.AppHost` (already built) until the site answers through the api
# with a healthy database: web waits for api, api for the migrations, the migrations for PostgreSQL.
# "Answers through the api" is a wrong sign-in through the site's form (`Notejam.DevTools signin`, exit code 3): only a
# site whose api reached PostgreSQL says "Wrong email or password" (no api: the 503 page; no database: the api's 503).
# Usage: bench/apphost-startup.sh [runs]   (each run starts and stops the whole AppHost)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
web=http://localhost:5162   # Notejam.Web's http launch profile, which the AppHost keeps
log=/tmp/notejam-apphost-startup.log

devtools=Notejam.DevTools/bin/Debug/net10.0/Notejam.DevTools.dll   # built with the AppHost, which uses it
answers_through_api() {
  local status=0
  # Cheap checks first (a probe is a .NET process: run every half second it would slow the start it measures).
  [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "$web/signin/") == 200 ]] || return 1
  [[ $(curl -s -m 2 http://localhost:5161/health) == Healthy ]] || return 1   # the api's http launch profile
  probe_at=$(date +%s.%N)
  timeout 15 dotnet "$devtools" signin --site "$web" --email startup-probe@example.invalid --password not-the-password-0 \
    >/dev/null 2>&1 || status=$?
  [[ $status -eq 3 ]]
}

mail_ui_answers() {
  local port
  for port in $(ss -ltnpH 2>/dev/null | awk '/"Rnwood.Smtp4dev"|smtp4dev/ { n = split($4, a, ":"); print a[n] }'); do
    [[ $(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/") == 200 ]] && return 0
  done
  # In container mode (a container engine answers) the sink is a container: its UI where the engine publishes port 80.
  local container
  for container in $(docker ps -q --filter ancestor="$(docker ps --format '{{.Image}}' 2>/dev/null | grep -m1 smtp4dev)" 2>/dev/null); do
    for port in $(docker port "$container" 80/tcp 2>/dev/null | sed -n 's/.*:\([0-9]*\)$/\1/p'); do
      [[ $(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/") == 200 ]] && return 0
    done
  done
  return 1
}

dotnet build Notejam.AppHost -nologo -v q -clp:ErrorsOnly >/dev/null
for run in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  # A session of its own, so the stop below reaches the AppHost and everything it started.
  setsid dotnet run --project Notejam.AppHost --launch-profile http --no-build >"$log" 2>&1 &
  apphost=$!
  until answers_through_api; do
    kill -0 "$apphost" 2>/dev/null || { echo "the AppHost exited; see $log"; exit 1; }
    (( $(echo "$(date +%s.%N) - $start > 300" | bc) )) && { echo "no answer through the api after 300 s; see $log"; kill -TERM -- "-$apphost"; exit 1; }
    sleep 0.5
  done
  answered=$(echo "$probe_at - $start" | bc)
  # Every resource healthy: the mail sink last (the smtp4dev tool in local mode, its ports DCP's choice): its web UI
  # answering 200 on one of the ports its process listens on, as the AppHost's health check asks it.
  until mail_ui_answers; do
    (( $(echo "$(date +%s.%N) - $start > 300" | bc) )) && { echo "the mail sink's UI did not answer after 300 s; see $log"; kill -TERM -- "-$apphost"; exit 1; }
    sleep 0.5
  done
  healthy=$(echo "$(date +%s.%N) - $start" | bc)
  printf 'run %d: the site answered through the api after %.1f s; every resource healthy (the mail sink too) after %.1f s\n' \
    "$run" "$answered" "$healthy"
  kill -TERM -- "-$apphost"; wait "$apphost" 2>/dev/null || true
done
