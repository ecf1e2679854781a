#!/usr/bin/env bash
# How fast Notejam.Web serves its busiest pages the way production runs it: Release builds,
# ASPNETCORE_ENVIRONMENT=Production, telemetry off, web -> api -> a throwaway PostgreSQL, nothing in between.
#
#   bench/web.sh [--no-apphost] [--duration SECONDS] [--warmup SECONDS] [--connections N] [--threads N] [--hold]
#
# For a user with 50 notes in 5 pads and one with 10,000 notes, it signs in through the site's form and runs wrk
# against /, /pads/<id>/ and /notes/<id>/ (a warm-up, then the measured run; before any, every page gets a warm-up
# of max(5, --warmup) seconds, for the JIT to settle), and, with the same settings, against the web's own /alive
# (anonymous, Kestrel answering "Healthy": the ceiling), before and after the pages.
# Last, as the 50-note user, it posts the site's note form (POST /notes/create/, antiforgery token and cookie
# from the sign-in; each request stores a real note) with bench/write.lua. Then it prints the resident memory of
# web and api, and, for information (skip it with --no-apphost), / under `dotnet run --project Notejam.AppHost`
# (dashboard, DCP proxies, Debug builds, telemetry on). The machine is shared, so the read targets are ratios
# within the run: each page's req/s as a percentage of the ceiling (the mean of the two /alive runs), and the
# 10,000-note user's cost (1/req/s) against the 50-note user's. Each target gets a PASS or MISS line (by how much).
# Everything it starts is stopped on exit.
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
    -h | --help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
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
pg_pids() { [[ -z ${pg_server_pid:-} ]] || echo "$pg_server_pid" $(pgrep -P "$pg_server_pid"); }
all_ticks() { # the ticks of web, api, PostgreSQL (server and backends), this script and its children, the machine
  local pg
  read -r -a pg <<<"$(pg_pids)"
  echo "$(cpu_ticks "$web_pid") $(cpu_ticks "$api_pid") $(cpu_ticks "${pg[@]}") $(cpu_ticks $$) $(machine_ticks)"
}

declare -A result   # key -> "req/s p50_ms p99_ms not_ok socket_errors, CPU ms/request: web api pg wrk other, busy%"
declare -A extra    # key -> the wrk script's line of figures (BENCH ...), for what only some scripts count
order=()
after_warmup=''     # a function measure calls between the warm-up and the measured run, if set

# measure KEY LABEL URL COOKIE [SCRIPT [ARGS...]]: a warm-up, then the measured wrk run, both with the wrk script
# SCRIPT (bench/wrk-report.lua: every answer but a 200 is an error) and its ARGS, and the Cookie header COOKIE
# (none if empty). Beside the figures it keeps the CPU each side spent per request (from /proc): web, api,
# PostgreSQL, wrk, and whatever else ran on the machine meanwhile.
measure() {
  local key=$1 label=$2 url=$3 cookie=$4 script=${5:-$here/wrk-report.lua} out line before after
  local args=() headers=()
  [[ $# -le 5 ]] || args=(-- "${@:6}")
  [[ -z $cookie ]] || headers=(-H "Cookie: $cookie")
  if [[ $warmup -gt 0 ]]; then
    wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$script" "${headers[@]}" "$url" "${args[@]}" >/dev/null ||
      die "wrk failed warming up on $url"
  fi
  [[ -z $after_warmup ]] || "$after_warmup"
  before=$(all_ticks)
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$script" "${headers[@]}" "$url" "${args[@]}") ||
    die "wrk failed on $url: $out"
  after=$(all_ticks)
  line=$(grep '^BENCH ' <<<"$out") || die "wrk printed no figures for $url: $out"
  extra[$key]=$line
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
  printf '  %-36s %6s req/s  p50 %6s ms  p99 %7s ms  not-OK %s  socket errors %s\n' "$label" "$rps" "$p50" "$p99" "$not_ok" "$sock"
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

seed_bench_users

if [[ $hold -eq 1 ]]; then
  {
    echo "web=$web_url api=$api_url pg_port=$pg_port PGPASSWORD=$PGPASSWORD   # PostgreSQL on 127.0.0.1: user postgres, database notejam"
    echo "web_pid=$web_pid api_pid=$api_pid pg_pid=$pg_pid"
    echo "pads50=(${pads50[*]}) note50=$note50 pads10k=(${pads10k[*]}) note10k=$note10k"
    echo "cookie50='$cookie50'"
    echo "form50='$form50'   # the note form's __RequestVerificationToken, with cookie50"
    echo "cookie10k='$cookie10k'"
    echo "token50='$token50'"
    echo "token10k='$token10k'"
  } >"$work/hold.env"
  say "Holding (Ctrl-C ends it); everything to reach it is in $work/hold.env"
  cat "$work/hold.env"
  while :; do sleep 1; done
fi

# ---------------------------------------------------------------------------------------------------------
# 4-5. The ceiling, the pages for each user, the ceiling again

[[ $warmup -eq 0 ]] || warm_pages $((warmup > 5 ? warmup : 5))
say "wrk -t$threads -c$connections -d${duration}s against each page, after a ${warmup}s warm-up"
measure alive1 '/alive (anonymous: the ceiling)' "$web_url/alive" ''
measure root50 '/ (50 notes)' "$web_url/" "$cookie50"
measure pad50 '/pads/<id>/ (10 of 50 notes)' "$web_url/pads/${pads50[0]}/" "$cookie50"
measure note50 '/notes/<id>/ (50 notes)' "$web_url/notes/$note50/" "$cookie50"
measure root10k '/ (10,000 notes)' "$web_url/" "$cookie10k"
measure pad10k '/pads/<id>/ (2,000 of 10,000 notes)' "$web_url/pads/${pads10k[0]}/" "$cookie10k"
measure note10k '/notes/<id>/ (10,000 notes)' "$web_url/notes/$note10k/" "$cookie10k"
measure alive2 '/alive again (the ceiling)' "$web_url/alive" ''

# ---------------------------------------------------------------------------------------------------------
# 6. Writes, last (they add notes): the 50-note user posts the note form into its first pad

check_create "$web_url" "$cookie50" "$form50" "${pads50[0]}"   # the form works (and the user has a note more)
notes50() { sql "SELECT count(*) FROM \"Notes\" WHERE \"OwnerId\" = $user50"; }
count_before_writes() { sleep 2; notes_before=$(notes50); }   # the warm-up's last writes land first
after_warmup=count_before_writes
measure write 'POST /notes/create/ (50-note user)' "$web_url/notes/create/" "$cookie50" "$here/write.lua" "$form50" "${pads50[0]}"
after_warmup=''
sleep 2   # the writes cut off when the run ended finish or fail
notes_stored=$(($(notes50) - notes_before))

# ---------------------------------------------------------------------------------------------------------
# 7. Memory after the runs

web_rss=$(rss "$web_pid") api_rss=$(rss "$api_pid")
if ! kill -0 "$web_pid" 2>/dev/null || ! kill -0 "$api_pid" 2>/dev/null; then die "web or api ended during the runs"; fi

# Done with the direct runs: free the CPU for the AppHost.
stop_servers

# ---------------------------------------------------------------------------------------------------------
# 8. For information: / under the AppHost

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
      web_pid='' api_pid='' pg_pid='' pg_server_pid=''
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
# 9-10. Summary

fig() { # fig KEY FIELD: one figure of a run (rps p50 p99 not_ok sock)
  local rps p50 p99 not_ok sock
  read -r rps p50 p99 not_ok sock _ <<<"${result[$1]}"
  case $2 in rps) echo "$rps" ;; p50) echo "$p50" ;; p99) echo "$p99" ;; not_ok) echo "$not_ok" ;; sock) echo "$sock" ;; esac
}
bench_field() { # bench_field KEY NAME: NAME=value of the wrk script's BENCH line of a run
  local pair
  for pair in ${extra[$1]}; do [[ $pair == "$2="* ]] && { echo "${pair#*=}"; return; }; done
  echo 0
}
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }   # calc FORMAT EXPRESSION (in parentheses: a > is no redirection)
# at_least VALUE TARGET UNIT / at_most VALUE TARGET UNIT: PASS, or MISS and by how much (in UNIT, and as a part of
# the target). UNIT follows the numbers: "%" (printed as points), " ms", " MB", "x", " req/s", " errors".
miss_by() {
  awk -v v="$1" -v t="$2" -v u="$3" -v dir="$4" 'BEGIN {
    if ((dir == "min" && v >= t) || (dir == "max" && v <= t)) { print "PASS"; exit }
    d = (v > t ? v - t : t - v); s = sprintf("%.2f", d); sub(/\.?0+$/, "", s)
    printf "MISS by %s%s", s, (u == "%" ? " points" : u)
    if (t > 0) printf " (%.0f%% %s)", 100 * d / t, (dir == "min" ? "short" : "over")
    print ""
  }'
}
at_least() { miss_by "$1" "$2" "$3" min; }
at_most() { miss_by "$1" "$2" "$3" max; }

alive1=$(fig alive1 rps) alive2=$(fig alive2 rps)
ceiling=$(calc '%.0f' "($alive1 + $alive2) / 2")
pct() { calc '%.1f' "$ceiling > 0 ? 100 * $(fig "$1" rps) / $ceiling : 0"; }   # a run's req/s, in % of the ceiling
cost() { calc '%.2f' "$(fig "$2" rps) > 0 ? $(fig "$1" rps) / $(fig "$2" rps) : 999"; } # cost of run $2 / cost of run $1
serving_cpu() { local f; read -r -a f <<<"${result[$1]}"; calc '%.2f' "${f[5]} + ${f[6]} + ${f[7]}"; } # web+api+pg ms/request
cpu_cost() { calc '%.2f' "$(serving_cpu "$1") > 0 ? $(serving_cpu "$2") / $(serving_cpu "$1") : 0"; } # the same, in CPU
disturbed() { local f; read -r -a f <<<"${result[$1]}"; calc '%d' "${f[9]} > ${f[5]} + ${f[6]} + ${f[7]}"; }

say "Summary"
echo "Notejam.Web, Release, Production, telemetry off, web -> api -> PostgreSQL $pg_version directly"
echo "$started_at, $(nproc) cores, wrk -t$threads -c$connections -d${duration}s (after a ${warmup}s warm-up) on the same machine"
echo "The ceiling: the web's own /alive (anonymous), $alive1 req/s before the pages and $alive2 after: $ceiling req/s" \
  "(they differ by $(calc '%.0f' "$alive1 > 0 && $alive2 > 0 ? 100 * ($alive1 > $alive2 ? $alive1 / $alive2 : $alive2 / $alive1) - 100 : 0")%)"
echo
printf '%-38s %6s %8s %7s %7s %6s %6s   %s\n' run 'req/s' 'ceiling' 'p50 ms' 'p99 ms' 'not-OK' 'socket' \
  'CPU ms/request: web api pg wrk other (machine busy)'
for entry in "${order[@]}"; do
  key=${entry%%|*} label=${entry#*|}
  read -r rps p50 p99 not_ok sock cweb capi cpg cwrk cother busy <<<"${result[$key]}"
  printf '%-38s %6s %7s%% %7s %7s %7s %6s   %s %s %s %s %s (%s%%)\n' "$label" "$rps" "$(pct "$key")" "$p50" "$p99" "$not_ok" \
    "$sock" "$cweb" "$capi" "$cpg" "$cwrk" "$cother" "$busy"
done
if [[ -n $apphost_line ]]; then
  read -r rps p50 p99 not_ok sock _ _ _ _ _ busy <<<"$apphost_line"
  printf '%-38s %6s %8s %7s %7s %7s %6s   (not split: they run under DCP) (%s%%)\n' '/ (50 notes) under the AppHost, info' \
    "$rps" '' "$p50" "$p99" "$not_ok" "$sock" "$busy"
elif [[ -n ${apphost_why:-} ]]; then
  printf '%-38s %s\n' '/ (50 notes) under the AppHost, info' "not measured: $apphost_why"
fi
writes_ok=$(bench_field write created) writes_2xx3xx=$(bench_field write ok_2xx3xx)
echo
echo "Writes: $notes_stored notes stored during the measured run; $writes_2xx3xx answers 2xx/3xx, of which $writes_ok redirects to" \
  "the new note ($(fig write not_ok) answers were not such a redirect; up to $connections writes cut off when the run ended may be stored unanswered)"

disturbed_runs=()
for entry in "${order[@]}"; do
  key=${entry%%|*}
  [[ $key == alive* || $key == apphost ]] || [[ $(disturbed "$key") -eq 0 ]] || disturbed_runs+=("${entry#*|}")
done
if [[ ${#disturbed_runs[@]} -gt 0 ]]; then
  printf -v joined '%s; ' "${disturbed_runs[@]}"
  echo
  echo "Disturbed runs (other processes took more CPU per request than web, api and PostgreSQL together): ${joined%; }."
  echo "Their req/s, and the ratios that use them, say more about the machine than about the site: run again."
fi

errors_other=0
for key in alive1 pad50 note50 root10k pad10k note10k alive2 write; do
  errors_other=$((errors_other + $(fig "$key" not_ok) + $(fig "$key" sock)))
done

echo
row() { printf '%-53s %-40s %s\n' "$@"; }
row target measured verdict
row '/ (50 notes) >= 10% of the ceiling' "$(pct root50)% ($(fig root50 rps) req/s)" "$(at_least "$(pct root50)" 10 %)"
row '/ (50 notes) p99 <= 25 ms' "$(fig root50 p99) ms" "$(at_most "$(fig root50 p99)" 25 ' ms')"
row '/ (50 notes) no errors' "$(fig root50 not_ok) not-200, $(fig root50 sock) socket" \
  "$(at_most "$(($(fig root50 not_ok) + $(fig root50 sock)))" 0 ' error(s)')"
row '/pads/<id>/ (50 notes) >= 10% of the ceiling' "$(pct pad50)% ($(fig pad50 rps) req/s)" "$(at_least "$(pct pad50)" 10 %)"
row '/notes/<id>/ (50 notes) >= 15% of the ceiling' "$(pct note50)% ($(fig note50 rps) req/s)" "$(at_least "$(pct note50)" 15 %)"
for page in root pad note; do
  case $page in root) name='/' ;; pad) name='/pads/<id>/' ;; note) name='/notes/<id>/' ;; esac
  row "$name (10,000 notes) cost <= 1.2x (50 notes)" \
    "$(cost "${page}50" "${page}10k")x ($(fig "${page}50" rps) / $(fig "${page}10k" rps) req/s; CPU $(cpu_cost "${page}50" "${page}10k")x)" \
    "$(at_most "$(cost "${page}50" "${page}10k")" 1.2 x)"
done
row 'POST /notes/create/ >= 500 req/s' "$(fig write rps) req/s" "$(at_least "$(fig write rps)" 500 ' req/s')"
row 'POST /notes/create/ p99 <= 50 ms' "$(fig write p99) ms" "$(at_most "$(fig write p99)" 50 ' ms')"
row 'POST /notes/create/: every answered write stored' "$notes_stored stored, $writes_ok answered" \
  "$(if [[ $notes_stored -ge $writes_ok && $notes_stored -le $((writes_ok + connections)) ]]; then echo PASS; else echo MISS; fi)"
row 'no errors in the other runs (incl. /alive, writes)' "$errors_other not-OK or socket" \
  "$(at_most "$errors_other" 0 ' error(s)')"
row 'web RSS after the runs <= 200 MB' "$web_rss MB" "$(at_most "$web_rss" 200 ' MB')"
row 'api RSS after the runs <= 200 MB' "$api_rss MB" "$(at_most "$api_rss" 200 ' MB')"
