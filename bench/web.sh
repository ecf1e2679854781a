#!/usr/bin/env bash
# How fast Notejam.Web serves its busiest pages the way production runs it: Release builds,
# ASPNETCORE_ENVIRONMENT=Production, telemetry off, web -> api -> a throwaway PostgreSQL, nothing in between.
#
#   bench/web.sh [--no-apphost] [--duration SECONDS] [--warmup SECONDS] [--connections N] [--threads N] [--hold]
#
# For a user with 50 notes in 5 pads and one with 10,000 notes, it signs in through the site's form and runs
# wrk against /, /pads/<id>/ and /notes/<id>/ (a warm-up, then the measured run). Then it prints the resident
# memory of web and api, and, for information (skip it with --no-apphost), / under `dotnet run --project
# Notejam.AppHost` (dashboard, DCP proxies, Debug builds, telemetry on). Everything it starts is stopped on exit.
# --hold sets it all up, prints the URLs, cookies and tokens, and waits for Ctrl-C instead of measuring.
# It exits non-zero only when the benchmark itself could not run; a missed target is reported, not failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

duration=10 warmup=3 connections=16 threads=2 apphost=1 hold=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-apphost) apphost=0 ;;
    --hold) hold=1 apphost=0 ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/web.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $duration =~ ^[0-9]+$ && $duration -ge 10 ]] || { echo "bench/web.sh: --duration is at least 10 (seconds)" >&2; exit 2; }
[[ $warmup =~ ^[0-9]+$ && $connections =~ ^[1-9][0-9]*$ && $threads =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench/web.sh: --warmup, --connections and --threads take whole numbers" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
clk_tck=$(getconf CLK_TCK)
bench_tools
bench_workdir notejam-bench
apphost_pid=''

stop_apphost() {
  # The AppHost runs from a subshell; its pid is also in a file, for when that subshell is interrupted.
  [[ -n $apphost_pid ]] || apphost_pid=$(cat "$work/apphost.pid" 2>/dev/null) || true
  [[ -n $apphost_pid ]] || return 0
  local i
  kill -TERM -- "-$apphost_pid" 2>/dev/null || true
  for i in $(seq 600); do
    [[ -z $(ports_in_use 5161 5162 15080) ]] && ! pgrep -s "$apphost_pid" >/dev/null && break
    sleep 0.1
  done
  if pgrep -s "$apphost_pid" >/dev/null; then
    echo "  the AppHost's session still ran after 60 s: killed" >&2
    kill -KILL -- "-$apphost_pid" 2>/dev/null || true
  fi
  wait "$apphost_pid" 2>/dev/null || true
  apphost_pid=''
  rm -f "$work/apphost.pid"
}
cleanup_hooks+=(stop_apphost)

cpu_ticks() { # user+system ticks of the given processes (and of their children that ended)
  local total=0 pid fields
  for pid; do
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a fields <<<"$fields"
    total=$((total + fields[11] + fields[12] + fields[13] + fields[14]))
  done
  echo "$total"
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
pg_pids() { echo "$pg_pid" $(pgrep -P "$pg_pid" 2>/dev/null); }

declare -A result   # key -> "req/s p50_ms p99_ms not_200 socket_errors, CPU ms/request: web api pg wrk other, busy%"
order=()

# measure KEY LABEL URL COOKIE: a warm-up, then the measured wrk run. Beside the figures it keeps the CPU each
# side spent per request (from /proc): web, api, PostgreSQL, wrk, and whatever else ran on the machine meanwhile.
measure() {
  local key=$1 label=$2 url=$3 cookie=$4 out line before after
  [[ $warmup -eq 0 ]] || wrk -t"$threads" -c"$connections" -d"${warmup}s" -H "Cookie: $cookie" "$url" >/dev/null
  before="$(cpu_ticks $web_pid) $(cpu_ticks $api_pid) $(cpu_ticks $(pg_pids)) $(cpu_ticks $$) $(machine_ticks)"
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$here/wrk-report.lua" -H "Cookie: $cookie" "$url") ||
    die "wrk failed on $url: $out"
  after="$(cpu_ticks $web_pid) $(cpu_ticks $api_pid) $(cpu_ticks $(pg_pids)) $(cpu_ticks $$) $(machine_ticks)"
  line=$(grep '^BENCH ' <<<"$out") || die "wrk printed no figures for $url: $out"
  result[$key]=$(awk -v line="$line" -v tck="$clk_tck" -v before="$before" -v after="$after" '
    BEGIN {
      n = split(line, kv, "[ =]"); for (i = 2; i < n; i += 2) f[kv[i]] = kv[i + 1]
      split(before, b, " "); split(after, a, " "); for (i = 1; i <= 6; i++) d[i] = a[i] - b[i]
      per = (f["requests"] > 0 ? 1000 / tck / f["requests"] : 0)   # ms of CPU per request, per tick
      other = d[5] - d[1] - d[2] - d[3] - d[4]
      printf "%.0f %.2f %.2f %d %d %.2f %.2f %.2f %.2f %.2f %.0f", f["requests"] / (f["duration_us"] / 1e6),
        f["p50_us"] / 1000, f["p99_us"] / 1000, f["not_ok"], f["socket_errors"],
        d[1] * per, d[2] * per, d[3] * per, d[4] * per, (other > 0 ? other : 0) * per, (d[6] > 0 ? 100 * d[5] / d[6] : 0)
    }')
  order+=("$key|$label")
  read -r rps p50 p99 not_ok sock _ <<<"${result[$key]}"
  printf '  %-36s %6s req/s  p50 %6s ms  p99 %7s ms  not-200 %s  socket errors %s\n' "$label" "$rps" "$p50" "$p99" "$not_ok" "$sock"
}

# ---------------------------------------------------------------------------------------------------------
# 1. Release builds

started_at=$(date '+%Y-%m-%d %H:%M')
build_apps
if [[ $apphost -eq 1 ]]; then
  say "Building Notejam.AppHost (its own configuration, for the informational run)"
  flock "$build_lock" dotnet build Notejam.AppHost -nologo -v q -clp:ErrorsOnly >"$work/build-AppHost.log" 2>&1 ||
    { cat "$work/build-AppHost.log" >&2; echo "  the AppHost build failed: its run is skipped" >&2; apphost=0; apphost_why="the AppHost build failed"; }
fi

# ---------------------------------------------------------------------------------------------------------
# 2. PostgreSQL, the migrations, the api and the web

start_postgres
start_apps

# ---------------------------------------------------------------------------------------------------------
# 3. The two users: 50 notes in 5 pads made through the API, and 10,000 notes in 5 pads made in one statement

say "Signing up a user with 50 notes in 5 pads, and one with 10,000"
seed "$api_url" bench50@example.com 10
pads50=("${pad_ids[@]}") note50=$note_id token50=$token
signin "$web_url" bench50@example.com
cookie50=$cookie
check "$web_url/" 'All notes (50)'
check "$web_url/pads/${pads50[0]}/" 'Pad 1 (10)'
check "$web_url/notes/$note50/" 'Note 5.10'

seed "$api_url" bench10k@example.com 0
pads10k=("${pad_ids[@]}") token10k=$token
sql "INSERT INTO \"Notes\" (\"OwnerId\", \"PadId\", \"Name\", \"Text\", \"CreatedAt\", \"UpdatedAt\")
     SELECT $user_id, (ARRAY[$(IFS=,; echo "${pads10k[*]}")])[1 + g % 5], 'Note ' || g,
            'Note ' || g || '. ' || repeat('Some words that make a note of ordinary length. ', 5),
            now() - g * interval '1 minute' - interval '1 hour', now() - g * interval '1 minute'
     FROM generate_series(1, 10000) AS g" || die "could not insert the 10,000 notes"
sql 'VACUUM ANALYZE "Notes"' || die "VACUUM ANALYZE failed"   # as autovacuum would soon after such an insert
note10k=$(sql "SELECT \"Id\" FROM \"Notes\" WHERE \"OwnerId\" = $user_id ORDER BY \"UpdatedAt\" DESC LIMIT 1")
signin "$web_url" bench10k@example.com
cookie10k=$cookie
check "$web_url/" 'All notes (10000)'
check "$web_url/pads/${pads10k[0]}/" 'Pad 1 (2000)'
check "$web_url/notes/$note10k/" 'Note 1'

if [[ $hold -eq 1 ]]; then
  {
    echo "web=$web_url api=$api_url pg_port=$pg_port   # PostgreSQL on 127.0.0.1: user postgres (trust), database notejam"
    echo "web_pid=$web_pid api_pid=$api_pid pg_pid=$pg_pid"
    echo "pads50=(${pads50[*]}) note50=$note50 pads10k=(${pads10k[*]}) note10k=$note10k"
    echo "cookie50='$cookie50'"
    echo "cookie10k='$cookie10k'"
    echo "token50='$token50'"
    echo "token10k='$token10k'"
  } >"$work/hold.env"
  say "Holding (Ctrl-C ends it); everything to reach it is in $work/hold.env"
  cat "$work/hold.env"
  while :; do sleep 1; done
fi

# ---------------------------------------------------------------------------------------------------------
# 4-5. The pages, for each user

say "wrk -t$threads -c$connections -d${duration}s against each page, after a ${warmup}s warm-up"
measure root50 '/ (50 notes)' "$web_url/" "$cookie50"
measure pad50 '/pads/<id>/ (10 of 50 notes)' "$web_url/pads/${pads50[0]}/" "$cookie50"
measure note50 '/notes/<id>/ (50 notes)' "$web_url/notes/$note50/" "$cookie50"
measure root10k '/ (10,000 notes)' "$web_url/" "$cookie10k"
measure pad10k '/pads/<id>/ (2,000 of 10,000 notes)' "$web_url/pads/${pads10k[0]}/" "$cookie10k"
measure note10k '/notes/<id>/ (10,000 notes)' "$web_url/notes/$note10k/" "$cookie10k"

# ---------------------------------------------------------------------------------------------------------
# 6. Memory after the runs

web_rss=$(rss "$web_pid") api_rss=$(rss "$api_pid")
kill -0 "$web_pid" 2>/dev/null && kill -0 "$api_pid" 2>/dev/null || die "web or api ended during the runs"

# Done with the direct runs: free the CPU for the AppHost.
stop_servers

# ---------------------------------------------------------------------------------------------------------
# 7. For information: / under the AppHost

apphost_line=''
if [[ $apphost -eq 1 ]]; then
  say "For information: / under the AppHost (dotnet run --project Notejam.AppHost)"
  busy=$(ports_in_use 5161 5162 15080 | paste -sd, -)
  if [[ -n $busy ]]; then
    apphost_why="port(s) $busy already in use (is an AppHost running?)"
  else
    set +e
    (
      set -e
      trap stop_apphost EXIT
      setsid dotnet run --project Notejam.AppHost --no-build >"$work/apphost.log" 2>&1 &
      apphost_pid=$!
      echo "$apphost_pid" >"$work/apphost.pid"
      for i in $(seq 1800); do
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' http://localhost:5162/ 2>/dev/null) || true
        [[ $code == 200 || $code == 302 ]] && break
        kill -0 "$apphost_pid" 2>/dev/null || die "the AppHost exited (see apphost.log below)"
        [[ $i -lt 1800 ]] || die "the web did not answer at http://localhost:5162/ within 180 s"
        sleep 0.1
      done
      email="bench-apphost-$(date +%s)-$$@example.com"
      seed http://localhost:5161 "$email" 10
      signin http://localhost:5162 "$email"
      check http://localhost:5162/ 'All notes (50)'
      # web, api and PostgreSQL run under DCP here: their CPU is not measured.
      web_pid='' api_pid='' pg_pid=''
      measure apphost '/ (50 notes, AppHost)' http://localhost:5162/ "$cookie" >&2
      echo "${result[apphost]}" >"$work/apphost.result"
    ) 2>&1 | tee "$work/apphost-run.log"
    status=${PIPESTATUS[0]}
    set -e
    if [[ $status -eq 0 && -s $work/apphost.result ]]; then
      apphost_line=$(cat "$work/apphost.result")
    else
      apphost_why=$(grep -h '^bench/web.sh: ' "$work/apphost-run.log" | tail -n 1 | sed 's/^bench\/web.sh: //')
      apphost_why=${apphost_why:-"it failed (exit $status)"}
      [[ -s $work/apphost.log ]] && { echo "--- last lines of apphost.log"; tail -n 15 "$work/apphost.log"; } >&2
    fi
  fi
  [[ -z $apphost_line ]] && echo "  the AppHost run did not complete: $apphost_why (it is informational; carrying on)"
fi

# ---------------------------------------------------------------------------------------------------------
# 8-9. Summary

verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
read -r r50 p50_50 p99_50 bad50 sock50 _ <<<"${result[root50]}"
read -r r10k p50_10k _ <<<"${result[root10k]}"
rps_ratio=$(awk "BEGIN { printf \"%.2f\", $r50 / ($r10k > 0 ? $r10k : 1) }")
p50_ratio=$(awk "BEGIN { printf \"%.2f\", $p50_10k / ($p50_50 > 0 ? $p50_50 : 0.001) }")

say "Summary"
echo "Notejam.Web, Release, Production, telemetry off, web -> api -> PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') directly"
echo "$started_at, $(nproc) cores, wrk -t$threads -c$connections -d${duration}s (after a ${warmup}s warm-up) on the same machine"
echo
printf '%-38s %6s %7s %7s %7s %6s   %s\n' page 'req/s' 'p50 ms' 'p99 ms' 'not-200' 'socket' 'CPU ms/request: web api pg wrk other (machine busy)'
for entry in "${order[@]}"; do
  key=${entry%%|*} label=${entry#*|}
  read -r rps p50 p99 not_ok sock cweb capi cpg cwrk cother busy <<<"${result[$key]}"
  printf '%-38s %6s %7s %7s %7s %6s   %s %s %s %s %s (%s%%)\n' "$label" "$rps" "$p50" "$p99" "$not_ok" "$sock" \
    "$cweb" "$capi" "$cpg" "$cwrk" "$cother" "$busy"
done
if [[ -n $apphost_line ]]; then
  read -r rps p50 p99 not_ok sock _ _ _ _ _ busy <<<"$apphost_line"
  printf '%-38s %6s %7s %7s %7s %6s   (not split: they run under DCP) (%s%%)\n' '/ (50 notes) under the AppHost, info' \
    "$rps" "$p50" "$p99" "$not_ok" "$sock" "$busy"
elif [[ -n ${apphost_why:-} ]]; then
  printf '%-38s %s\n' '/ (50 notes) under the AppHost, info' "not measured: $apphost_why"
fi
echo
printf '%-46s %-18s %s\n' target measured verdict
printf '%-46s %-18s %s\n' '/ (50 notes) >= 2,000 req/s' "$r50 req/s" "$(verdict "$r50 >= 2000")"
printf '%-46s %-18s %s\n' '/ (50 notes) p99 <= 30 ms' "$p99_50 ms" "$(verdict "$p99_50 <= 30")"
printf '%-46s %-18s %s\n' '/ (50 notes) no errors' "$bad50 not-200, $sock50 socket" "$(verdict "$bad50 + $sock50 == 0")"
printf '%-46s %-18s %s\n' '/ (10,000 notes) <= 1.5x the cost: req/s ratio' "${rps_ratio}x" "$(verdict "$rps_ratio <= 1.5")"
printf '%-46s %-18s %s\n' '/ (10,000 notes) <= 1.5x the cost: p50 ratio' "${p50_ratio}x" "$(verdict "$p50_ratio <= 1.5")"
printf '%-46s %-18s %s\n' 'web RSS after the runs <= 250 MB' "$web_rss MB" "$(verdict "$web_rss <= 250")"
printf '%-46s %-18s %s\n' 'api RSS after the runs <= 250 MB' "$api_rss MB" "$(verdict "$api_rss <= 250")"
