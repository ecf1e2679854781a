#!/usr/bin/env bash
# Seconds from `dotnet run --project Notejam.AppHost` (already built) until the site answers through the api
# with a healthy database: web waits for api, api for the migrations, the migrations for PostgreSQL.
# "Answers through the api" is a wrong sign-in through the site's form: only a site whose api reached
# PostgreSQL says "Wrong email or password" (no api: the 503 page; no database: the api's 503).
# Usage: bench/apphost-startup.sh [runs]   (each run starts and stops the whole AppHost)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh   # for form_token only: nothing of it runs here
runs=${1:-3}
web=http://localhost:5162   # Notejam.Web's http launch profile, which the AppHost keeps
log=/tmp/notejam-apphost-startup.log

answers_through_api() {
  local jar form page
  jar=$(mktemp)
  form=$(curl -fsS -m 2 -c "$jar" "$web/signin/" 2>/dev/null | form_token) || true
  if [[ -n $form ]]; then
    page=$(curl -sS -m 10 -b "$jar" --data-urlencode "Email=startup-probe@example.invalid" \
      --data-urlencode "Password=not-the-password-0" --data-urlencode "__RequestVerificationToken=$form" \
      "$web/signin/" 2>/dev/null) || true
  fi
  rm -f "$jar"
  [[ ${page:-} == *"Wrong email or password"* ]]
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
  printf 'run %d: the site answered through the api after %.1f s\n' "$run" "$(echo "$(date +%s.%N) - $start" | bc)"
  kill -TERM -- "-$apphost"; wait "$apphost" 2>/dev/null || true
done
