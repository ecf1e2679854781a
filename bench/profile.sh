#!/usr/bin/env bash
# Where Notejam.Web and Notejam.Api spend their time on one page, the way production runs them (as bench/web.sh:
# Release, ASPNETCORE_ENVIRONMENT=Production, telemetry off, web -> api -> a throwaway PostgreSQL, the same two
# users and data).
#
#   bench/profile.sh [--page PAGE] [--user 50|10k] [--duration SECONDS] [--warmup SECONDS] [--connections N]
#                    [--threads N] [--requests N] [--top N] [--out DIR]
#
# PAGE is a path of the site (default /), in which {pad} and {note} stand for the user's first pad and newest note;
# the shorthands pad and note mean /pads/{pad}/ and /notes/{note}/, and write means posting the note form
# (POST /notes/create/ with bench/write.lua, as bench/web.sh's write run; it adds notes). --user picks the user
# with 50 notes (default) or the one with 10,000.
# After a warm-up (5 s on each page bench/web.sh measures, then on PAGE) it puts wrk load on the page (16
# connections) and, while it runs, records both processes:
#   - dotnet-trace collect -p PID --duration (10 s): thread-time sampling (profiles dotnet-common and
#     dotnet-sampled-thread-time; waits are included, so idle threads show too), as .nettrace and Speedscope,
#     after a 2 s trace thrown away (the first session of a process costs it seconds of setting up);
#   - then dotnet-counters collect for 10 s: System.Runtime and Microsoft.AspNetCore.Hosting, as CSV.
# Then it prints, for web and for api, `dotnet-trace report FILE topN --inclusive -n 30` and the exclusive topN,
# a summary of the counters, wrk's figures under the trace, and the PostgreSQL transactions per page:
# pg_stat_database.xact_commit before and after N (200) requests made one after the other (beside it, the count
# of an idle window of the same wait, for what runs in the background).
# The files (traces, Speedscope files, counters, reports) stay in DIR (default /tmp/notejam-profile-<date>-<time>),
# which it prints first and last; everything else it started is stopped and removed on exit. The tools come
# from .config/dotnet-tools.json (`dotnet tool restore`). It exits non-zero only when it could not profile.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

page=/ user=50 duration=10 warmup=5 connections=16 threads=2 requests=200 top=30 out=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --page) page=$2; shift ;;
    --user) user=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --requests) requests=$2; shift ;;
    --top) top=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/profile.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $duration =~ ^[1-9][0-9]*$ && $warmup =~ ^[0-9]+$ && $connections =~ ^[1-9][0-9]*$ && $threads =~ ^[1-9][0-9]*$ &&
  $requests =~ ^[1-9][0-9]*$ && $top =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench/profile.sh: --duration, --warmup, --connections, --threads, --requests and --top take whole numbers" >&2; exit 2; }
[[ $user == 50 || $user == 10k ]] || { echo "bench/profile.sh: --user is 50 or 10k" >&2; exit 2; }
case $page in
  pad) page='/pads/{pad}/' ;;
  note) page='/notes/{note}/' ;;
  write) ;;
  /*) ;;
  *) echo "bench/profile.sh: --page is a path that starts with /, or pad, note or write" >&2; exit 2 ;;
esac

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_tools
say "Restoring the local tools (dotnet-trace, dotnet-counters)"
dotnet tool restore >/dev/null || die "dotnet tool restore failed"
for tool in dotnet-trace dotnet-counters; do
  dotnet "$tool" --version >/dev/null 2>&1 || die "$tool does not run after dotnet tool restore"
done

out=${out:-/tmp/notejam-profile-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || die "cannot make $out"
out=$(cd "$out" && pwd)
echo "The files go to $out"
bench_workdir notejam-profile
pids=()   # the tools it runs in the background, stopped on exit if they still run
stop_tools() { local pid; for pid in "${pids[@]}"; do stop "$pid" INT; done; }
cleanup_hooks+=(stop_tools)

timespan() { printf '00:%02d:%02d:%02d' $(($1 / 3600)) $(($1 / 60 % 60)) $(($1 % 60)); }   # dd:hh:mm:ss

# ---------------------------------------------------------------------------------------------------------
# 1. The production-shaped apps and the users, as bench/web.sh has them

started_at=$(date '+%Y-%m-%d %H:%M')
build_apps
start_postgres
start_apps
seed_bench_users

if [[ $user == 50 ]]; then
  pad=${pads50[0]} note=$note50 cookie=$cookie50 form=$form50
else
  pad=${pads10k[0]} note=$note10k
  signin "$web_url" bench10k@example.com /notes/create/
fi
if [[ $page == write ]]; then
  label="POST /notes/create/ ($user-note user)"
  url=$web_url/notes/create/
  wrk_script=$here/write.lua
  wrk_args=(-- "$form" "$pad")
  check_create "$web_url" "$cookie" "$form" "$pad"
else
  path=${page//\{pad\}/$pad}
  path=${path//\{note\}/$note}
  label="GET $path ($user-note user)"
  url=$web_url$path
  wrk_script=$here/wrk-report.lua
  wrk_args=()
  check "$url" ''
fi

# ---------------------------------------------------------------------------------------------------------
# 2. Load, and meanwhile the traces and the counters of web and api

if [[ $warmup -gt 0 ]]; then
  warm_pages "$warmup"
  say "Warm-up: wrk -t$threads -c$connections -d${warmup}s on $label"
  wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$wrk_script" -H "Cookie: $cookie" "$url" "${wrk_args[@]}" \
    >/dev/null || die "wrk failed warming up on $url"
fi
# collect WHAT APP...: on each APP at once, dotnet-trace (WHAT=trace), dotnet-counters (WHAT=counters), or a 2 s
# trace that is thrown away (WHAT=prime); waits for them
collect() {
  local what=$1 app pid_var pid collectors=()
  shift
  for app; do
    pid_var=${app}_pid
    if [[ $what == prime ]]; then
      dotnet dotnet-trace collect -p "${!pid_var}" --profile dotnet-common,dotnet-sampled-thread-time \
        --duration "$(timespan 2)" -o "$work/$app-prime.nettrace" </dev/null >"$work/$app-prime.log" 2>&1 &
    elif [[ $what == trace ]]; then
      dotnet dotnet-trace collect -p "${!pid_var}" --profile dotnet-common,dotnet-sampled-thread-time \
        --duration "$(timespan "$duration")" --format Speedscope -o "$out/$app.nettrace" </dev/null >"$out/$app-trace.log" 2>&1 &
    else
      dotnet dotnet-counters collect -p "${!pid_var}" --counters System.Runtime,Microsoft.AspNetCore.Hosting \
        --duration "$(timespan 10)" --format csv -o "$out/$app-counters.csv" </dev/null >"$out/$app-counters.log" 2>&1 &
    fi
    collectors+=("$!") pids+=("$!")
  done
  for pid in "${collectors[@]}"; do
    wait "$pid" || echo "  a $what collection exited with $? (its log is in $out)" >&2
  done
}

# The load runs until both are done: first the traces of web and api (together), then their counters (together:
# a counters session in the process would show in its trace, and its percentiles cost the process CPU).
say "Load: wrk -t$threads -c$connections on $label; tracing web and api for ${duration}s, then their counters for 10s"
wrk -t"$threads" -c"$connections" -d1h --latency -s "$wrk_script" -H "Cookie: $cookie" "$url" "${wrk_args[@]}" \
  >"$out/wrk.txt" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
load_started=$SECONDS
sleep 2
# The first session a process sees makes its event sources build their descriptors (reflection, seconds on this
# machine, on a thread the sampler then keeps seeing there): a short trace first, thrown away, so that the one
# kept shows the app.
collect prime web api
collect trace web api
collect counters web api
kill -INT "$wrk_pid" 2>/dev/null || true   # wrk stops, then prints its figures
wait "$wrk_pid" || die "wrk failed under the trace: $(cat "$out/wrk.txt")"
load_seconds=$((SECONDS - load_started))
pids=()
for app in web api; do
  [[ -s $out/$app.nettrace ]] || die "no trace of $app: $(tail -n 5 "$out/$app-trace.log")"
done
if ! kill -0 "$web_pid" 2>/dev/null || ! kill -0 "$api_pid" 2>/dev/null; then die "web or api ended under the trace"; fi

# ---------------------------------------------------------------------------------------------------------
# 3. PostgreSQL transactions per page: an idle window, then N requests one after the other

say "PostgreSQL transactions: an idle window, then $requests requests one after the other (11 s for the counts to settle each)"
settle_stats
xact0=$(xact_commits)
settle_stats
xact1=$(xact_commits)
args=()
for _ in $(seq "$requests"); do
  if [[ $page == write ]]; then
    args+=(--next -sS -m 10 -o /dev/null -w '%{http_code}\n' -H "Cookie: $cookie" --data-urlencode "Name=Profiled note"
      --data-urlencode "Text=Posted to count the transactions of a write." --data-urlencode "PadId=$pad"
      --data-urlencode "__RequestVerificationToken=$form" "$url")
  else
    args+=(--next -sS -m 10 -o /dev/null -w '%{http_code}\n' -H "Cookie: $cookie" "$url")
  fi
done
codes=$(curl "${args[@]:1}") || die "curl failed on $url"
expected=200
[[ $page != write ]] || expected=302
answered=$(grep -c "^$expected\$" <<<"$codes" || true)
[[ $answered -eq $requests ]] ||
  die "$((requests - answered)) of the $requests requests did not answer $expected: $(sort <<<"$codes" | uniq -c | xargs)"
settle_stats
xact2=$(xact_commits)

# ---------------------------------------------------------------------------------------------------------
# 4. The reports

for app in web api; do
  dotnet dotnet-trace report "$out/$app.nettrace" topN --inclusive -n "$top" >"$out/$app-top-inclusive.txt" 2>&1 ||
    die "dotnet-trace report failed on $app.nettrace: $(tail -n 5 "$out/$app-top-inclusive.txt")"
  dotnet dotnet-trace report "$out/$app.nettrace" topN -n "$top" >"$out/$app-top-exclusive.txt" 2>&1 ||
    die "dotnet-trace report failed on $app.nettrace: $(tail -n 5 "$out/$app-top-exclusive.txt")"
done

# counters_summary FILE: each counter of a dotnet-counters CSV, with the mean of its values over the samples
counters_summary() {
  awk -F, 'NR > 1 && NF >= 5 {
      key = $2; for (i = 3; i <= NF - 2; i++) key = key (i == 3 ? "  " : ",") $i
      if (!(key in n)) order[++keys] = key
      n[key]++; sum[key] += $NF; type[key] = $(NF - 1)
    }
    END { for (k = 1; k <= keys; k++) { key = order[k]; printf "  %-100s %-8s %14.2f\n", key, type[key], sum[key] / n[key] } }' "$1"
}

say "Results ($started_at, $(nproc) cores; $label; files in $out)"
line=$(grep '^BENCH ' "$out/wrk.txt") || die "wrk printed no figures: $(cat "$out/wrk.txt")"
awk -v line="$line" -v s="$load_seconds" 'BEGIN {
  n = split(line, kv, "[ =]"); for (i = 2; i < n; i += 2) f[kv[i]] = kv[i + 1]
  printf "wrk under the trace and the counters (%d s): %.0f req/s, p50 %.2f ms, p99 %.2f ms, not OK %d, socket errors %d\n", s,
    f["requests"] / (f["duration_us"] / 1e6), f["p50_us"] / 1000, f["p99_us"] / 1000, f["not_ok"], f["socket_errors"] }'
awk -v idle="$((xact1 - xact0))" -v page="$((xact2 - xact1))" -v n="$requests" 'BEGIN {
  printf "PostgreSQL transactions: %.2f a request (%d for %d requests; %d in an idle window of the same wait)\n",
    page / n, page, n, idle }'
for app in web api; do
  echo
  echo "--- $app: dotnet-trace report $app.nettrace topN --inclusive -n $top"
  cat "$out/$app-top-inclusive.txt"
  echo
  echo "--- $app: dotnet-trace report $app.nettrace topN -n $top (exclusive)"
  cat "$out/$app-top-exclusive.txt"
  echo
  echo "--- $app: dotnet-counters, 10 s under load (mean of the samples)"
  if [[ -s $out/$app-counters.csv ]]; then counters_summary "$out/$app-counters.csv"; else echo "  (no counters: see $app-counters.log)"; fi
done
echo
echo "The files are in $out: {web,api}.nettrace (PerfView, dotnet-trace report), {web,api}.speedscope.json"
echo "(https://www.speedscope.app or any Speedscope viewer), {web,api}-counters.csv, {web,api}-top-*.txt, wrk.txt"
