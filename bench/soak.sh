#!/usr/bin/env bash
# A soak: does Notejam.Web stay fast, correct and flat in memory under minutes of steady mixed load, the way
# production runs it (as bench/web.sh: Release, ASPNETCORE_ENVIRONMENT=Production, telemetry off, web -> api ->
# a throwaway PostgreSQL)?
#
#   bench/soak.sh [--minutes N] [--clients N]
#
# The load is the fault tests' (`Notejam.DevTools load`, Notejam.DevTools/Load/SiteLoad.cs): N people (64) sign up
# and in through the site's forms, each makes a pad and a note there, then each, one request after the other for N
# minutes (5), reads one of their pages (/, /?order=name, their pad, their note; OK only with 200) or, one time in
# ten, writes a note through the form (OK only with a redirect to the new note). After every minute it reads the
# resident memory (VmRSS) of web and api. It prints a table by minute, then the verdicts: no failed request; p99 of
# the last minute <= 1.5x the first; RSS of web and of api after the last minute <= 1.10x after the first; every
# acknowledged write stored once (looked up by name in PostgreSQL).
# Everything it starts is stopped on exit. It exits non-zero only when the soak itself could not run; a missed
# verdict is reported (MISS), not failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

minutes=5 clients=64
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=$2; shift ;;
    --clients) clients=$2; shift ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/soak.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 2 ]] || { echo "bench/soak.sh: --minutes is at least 2 (the verdicts compare the first and the last)" >&2; exit 2; }
[[ $clients =~ ^[1-9][0-9]*$ ]] || { echo "bench/soak.sh: --clients takes a whole number from 1" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_tools
bench_workdir notejam-soak

# ---------------------------------------------------------------------------------------------------------
# 1. Release builds, PostgreSQL, the api and the web

started_at=$(date '+%Y-%m-%d %H:%M')
build_apps
start_postgres
start_apps

# ---------------------------------------------------------------------------------------------------------
# 2. The load, and the memory of web and api after each minute

field() { # field LINE KEY: the value of KEY=value in a line of the load's figures
  local pair
  for pair in $1; do [[ $pair == "$2="* ]] && { echo "${pair#*=}"; return; }; done
  die "no $2 in: $1"
}

say "Notejam.DevTools load: $clients people sign up and in through the site's forms, then $minutes minutes of 90% reads, 10% writes"
"$devtools" load --site "$web_url" --database "$db" --clients "$clients" --minutes "$minutes" --write-share 0.1 \
  >"$work/load.out" 2>"$work/load.log" &
load_pid=$!
stop_load() { stop "${load_pid:-}" TERM; }
cleanup_hooks+=(stop_load)
web_rsss=() api_rsss=()
for minute in ready $(seq "$minutes"); do
  marker=$([[ $minute == ready ]] && echo ready || echo "minute $minute")
  until grep -qx "$marker" "$work/load.out"; do
    kill -0 "$load_pid" 2>/dev/null || die "the load ended before \"$marker\" (see load.log below)"
    sleep 0.2
  done
  [[ $minute == ready ]] && { echo "  the people are signed in; the load runs"; continue; }
  if ! kill -0 "$web_pid" 2>/dev/null || ! kill -0 "$api_pid" 2>/dev/null; then die "web or api ended in minute $minute"; fi
  web_rsss+=("$(rss "$web_pid")") api_rsss+=("$(rss "$api_pid")")
  echo "  minute $minute: web ${web_rsss[-1]} MB, api ${api_rsss[-1]} MB"
done
wait "$load_pid" || die "the load failed (see load.log below)"
load_pid=''

header=$(printf '%6s %8s %8s %8s %7s %7s %8s %8s' minute 'req/s' 'p50 ms' 'p99 ms' failed writes 'web MB' 'api MB')
rows=() p99s=() failed_total=0
for minute in $(seq "$minutes"); do
  line=$(grep "^figures minute=$minute " "$work/load.out") || die "the load printed no figures for minute $minute"
  failed_total=$((failed_total + $(field "$line" failed)))
  p99s+=("$(field "$line" p99_ms)")
  rows+=("$(printf '%6d %8s %8s %8s %7s %7s %8s %8s' "$minute" "$(field "$line" rps)" "$(field "$line" p50_ms)" "${p99s[-1]}" \
    "$(field "$line" failed)" "$(field "$line" writes_acknowledged)" "${web_rsss[minute - 1]}" "${api_rsss[minute - 1]}")")
done
writes=$(grep '^writes ' "$work/load.out") || die "the load printed no line of writes"

# ---------------------------------------------------------------------------------------------------------
# 4. Summary

verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
p99_ratio=$(ratio "${p99s[-1]}" "${p99s[0]}")
web_ratio=$(ratio "${web_rsss[-1]}" "${web_rsss[0]}") api_ratio=$(ratio "${api_rsss[-1]}" "${api_rsss[0]}")

say "Summary"
echo "Notejam.Web, Release, Production, telemetry off, web -> api -> PostgreSQL $pg_version directly"
echo "$started_at, $(nproc) cores, Notejam.DevTools load: $clients people, $minutes x 60 s, on the same machine"
echo
echo "$header"
printf '%s\n' "${rows[@]}"
echo
printf '%-52s %-34s %s\n' check measured verdict
printf '%-52s %-34s %s\n' 'no failed request (not the answer asked for, or none)' "$failed_total" "$(verdict "$failed_total == 0")"
printf '%-52s %-34s %s\n' 'p99 of the last minute <= 1.5x the first' "${p99s[-1]} / ${p99s[0]} ms = ${p99_ratio}x" \
  "$(verdict "$p99_ratio <= 1.5")"
printf '%-52s %-34s %s\n' 'web RSS after the last minute <= 1.10x the first' "${web_rsss[-1]} / ${web_rsss[0]} MB = ${web_ratio}x" \
  "$(verdict "$web_ratio <= 1.10")"
printf '%-52s %-34s %s\n' 'api RSS after the last minute <= 1.10x the first' "${api_rsss[-1]} / ${api_rsss[0]} MB = ${api_ratio}x" \
  "$(verdict "$api_ratio <= 1.10")"
acked=$(field "$writes" acknowledged) lost=$(field "$writes" lost) twice=$(field "$writes" duplicated)
printf '%-52s %-34s %s\n' 'acknowledged writes all stored, once' "$acked acknowledged, $lost lost, $twice twice" \
  "$(verdict "$acked > 0 && $lost == 0 && $twice == 0")"
echo "  (a write cut off when the load stopped may be stored unacknowledged: $(field "$writes" stored_unacknowledged) were)"
