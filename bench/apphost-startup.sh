#!/usr/bin/env bash
# Seconds from `dotnet run --project Notejam.AppHost` (already built) until the web answers through the
# api with a healthy database: web waits for api, api for the migrations, the migrations for PostgreSQL.
# Usage: bench/apphost-startup.sh [runs]   (each run starts and stops the whole AppHost)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
web=http://localhost:5162/   # Notejam.Web's http launch profile
dotnet build Notejam.AppHost -nologo -v q -clp:ErrorsOnly >/dev/null
for run in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  # A session of its own, so the stop below reaches the AppHost and everything it started.
  setsid dotnet run --project Notejam.AppHost --no-build >/tmp/notejam-apphost-startup.log 2>&1 &
  apphost=$!
  until [[ "$(curl -fsS -m 2 "$web" 2>/dev/null)" == *"API: Healthy"* ]]; do
    kill -0 "$apphost" 2>/dev/null || { echo "the AppHost exited; see /tmp/notejam-apphost-startup.log"; exit 1; }
    sleep 0.2
  done
  printf 'run %d: healthy after %.1f s\n' "$run" "$(echo "$(date +%s.%N) - $start" | bc)"
  kill -TERM -- "-$apphost"; wait "$apphost" 2>/dev/null || true
done
