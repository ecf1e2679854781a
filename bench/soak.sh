#!/usr/bin/env bash
# A soak: does Notejam.Web stay fast, correct and flat in memory under minutes of steady mixed load, the way
# production runs it (as bench/web.sh: Release, ASPNETCORE_ENVIRONMENT=Production, telemetry off, web -> api ->
# a throwaway PostgreSQL)?
#
#   bench/soak.sh [--minutes N] [--connections N] [--users N] [--threads N]
#
# It signs up N users (200) through the API, each with 4 pads and 20 notes, signs each in through the site's form
# and fetches /notes/create/ for its antiforgery form token. Then it runs wrk with bench/soak.lua at N connections
# (64) as N consecutive one-minute runs (5): each request is a random user's, 90% reads (/, /?order=name,
# /pads/<id>/, /notes/<id>/, each OK only with 200) and 10% writes (POST /notes/create/, OK only with a 302 to the
# new note). After every minute it reads the resident memory (VmRSS) of web and api. It prints a table by minute,
# then the verdicts: no errors; p99 of the last minute <= 1.5x the first; RSS of web and of api after the last
# minute <= 1.10x after the first; every acknowledged write stored (new notes in the database vs. 302s counted).
# All sign-ins come from one address (loopback), which bench/lib.sh exempts from the per-address limits.
# Everything it starts is stopped on exit. It exits non-zero only when the soak itself could not run; a missed
# verdict is reported (MISS), not failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

minutes=5 connections=64 users=200 threads=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=$2; shift ;;
    --connections) connections=$2; shift ;;
    --users) users=$2; shift ;;
    --threads) threads=$2; shift ;;
    -h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/soak.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 2 ]] || { echo "bench/soak.sh: --minutes is at least 2 (the verdicts compare the first and the last)" >&2; exit 2; }
[[ $connections =~ ^[1-9][0-9]*$ && $users =~ ^[1-9][0-9]*$ && $threads =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench/soak.sh: --connections, --users and --threads take whole numbers from 1" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
notes_per_user=20 pads_per_user=4 parallel=8
bench_tools
bench_workdir notejam-soak

# ---------------------------------------------------------------------------------------------------------
# 1. Release builds, PostgreSQL, the api and the web

started_at=$(date '+%Y-%m-%d %H:%M')
build_apps
start_postgres
start_apps

# ---------------------------------------------------------------------------------------------------------
# 2. The users

# prepare_user I: soak<I>@example.com signs up through the API and gets its pads and notes there, signs in through
# the site's form and opens /notes/create/; its line of the users file goes to $work/users.d/I.
prepare_user() {
  local i=$1 email="soak$1@example.com" jar=$work/jars/$1 pads=() pad note args=() codes form
  register "$api_url" "$email"
  for pad in $(seq "$pads_per_user"); do
    pads+=("$(call "$api_url" POST /pads "$token" "{\"name\":\"Pad $pad\"}" | jq -r .id)")
  done
  # All notes but the last through one curl, one after the other on one connection; the last one's id is kept.
  for note in $(seq $((notes_per_user - 1))); do
    args+=(--next -sS -m 10 -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" -H 'Content-Type: application/json'
      --data "{\"name\":\"Note $note\",\"text\":\"$note_text\",\"padId\":${pads[note % pads_per_user]}}" "$api_url/notes")
  done
  codes=$(curl "${args[@]:1}") || die "POST $api_url/notes for $email: no answer"
  ! grep -qv '^2' <<<"$codes" || die "POST $api_url/notes for $email answered $(grep -v '^2' <<<"$codes" | sort | uniq -c | xargs)"
  note_id=$(call "$api_url" POST /notes "$token" "{\"name\":\"Note $notes_per_user\",\"text\":\"$note_text\",\"padId\":${pads[0]}}" |
    jq -r .id)
  signin "$web_url" "$email" "$jar"
  form=$(curl -fsS -m 10 -b "$jar" -c "$jar" "$web_url/notes/create/" | form_token) || true
  [[ -n $form ]] || die "GET $web_url/notes/create/ for $email has no __RequestVerificationToken"
  printf '%s\t%s\t%s\t%s\n' "$(jar_cookie "$jar")" "$form" "${pads[0]}" "$note_id" >"$work/users.d/$i"
}

note_text=$(printf 'Some words that make a note of ordinary length. %.0s' 1 2 3 4 5)
say "Signing up $users users through the API ($pads_per_user pads, $notes_per_user notes each) and in through the site, $parallel at a time"
mkdir "$work/jars" "$work/users.d"
seed_started=$SECONDS
( # in a subshell of its own, so its jobs are the users being prepared, not PostgreSQL, api and web
  for i in $(seq "$users"); do
    while [[ $(jobs -rp | wc -l) -ge $parallel ]]; do wait -n || true; done
    prepare_user "$i" &
  done
  wait
)
prepared=$(find "$work/users.d" -type f | wc -l)
[[ $prepared -eq $users ]] || die "only $prepared of the $users users could be prepared (see the messages above)"
for i in $(seq "$users"); do cat "$work/users.d/$i"; done >"$work/users"
seeded=$(sql 'SELECT count(*) FROM "Notes"')
[[ $seeded -eq $((users * notes_per_user)) ]] || die "the database holds $seeded notes, not the $((users * notes_per_user)) seeded"
echo "  $users users and $seeded notes in $((SECONDS - seed_started)) s"

# The first user's pages answer as that user: a cookie that did not sign in would pass as redirects nowhere.
IFS=$'\t' read -r cookie _ first_pad first_note <"$work/users"
check "$web_url/" "All notes ($notes_per_user)"
check "$web_url/pads/$first_pad/" "Pad 1"
check "$web_url/notes/$first_note/" "Note $notes_per_user"

# ---------------------------------------------------------------------------------------------------------
# 3. The soak: one wrk run a minute, and the memory of web and api after each

field() { # field LINE KEY: the value of KEY=value in a SOAK line
  local pair
  for pair in $1; do [[ $pair == "$2="* ]] && { echo "${pair#*=}"; return; }; done
  die "no $2 in: $1"
}

say "wrk -t$threads -c$connections, $minutes one-minute runs: 90% reads, 10% writes, a random one of $users users each"
header=$(printf '%6s %8s %8s %8s %7s %7s %8s %8s' minute 'req/s' 'p50 ms' 'p99 ms' errors writes 'web MB' 'api MB')
echo "$header"
rows=() p99s=() web_rsss=() api_rsss=()
errors_total=0 acked=0 unanswered=0
for minute in $(seq "$minutes"); do
  out=$(wrk -t"$threads" -c"$connections" -d60s --timeout 10s --latency -s "$here/soak.lua" "$web_url/" -- "$work/users") ||
    die "wrk failed in minute $minute: $out"
  if ! kill -0 "$web_pid" 2>/dev/null || ! kill -0 "$api_pid" 2>/dev/null; then die "web or api ended in minute $minute"; fi
  web_rsss+=("$(rss "$web_pid")") api_rsss+=("$(rss "$api_pid")")
  line=$(grep '^SOAK ' <<<"$out") || die "wrk printed no figures in minute $minute: $out"
  requests=$(field "$line" requests) writes_ok=$(field "$line" writes_ok)
  errors=$(($(field "$line" not_ok) + $(field "$line" socket_errors)))
  errors_total=$((errors_total + errors)) acked=$((acked + writes_ok))
  # Writes wrk sent but whose answer it did not wait for when the minute ended (refused ones were answered).
  unanswered=$((unanswered + $(field "$line" writes_sent) - writes_ok - $(field "$line" writes_refused)))
  p99s+=("$(awk -v us="$(field "$line" p99_us)" 'BEGIN { printf "%.1f", us / 1000 }')")
  rows+=("$(awk -v m="$minute" -v n="$requests" -v d="$(field "$line" duration_us)" -v p50="$(field "$line" p50_us)" \
    -v p99="${p99s[-1]}" -v e="$errors" -v w="$writes_ok" -v web="${web_rsss[-1]}" -v api="${api_rsss[-1]}" \
    'BEGIN { printf "%6d %8.0f %8.1f %8.1f %7d %7d %8d %8d", m, n / (d / 1e6), p50 / 1000, p99, e, w, web, api }')")
  echo "${rows[-1]}"
done

sleep 2   # the writes cut off at the end of the last minute finish or fail
stored=$(($(sql 'SELECT count(*) FROM "Notes"') - seeded))

# ---------------------------------------------------------------------------------------------------------
# 4. Summary

verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
p99_ratio=$(ratio "${p99s[-1]}" "${p99s[0]}")
web_ratio=$(ratio "${web_rsss[-1]}" "${web_rsss[0]}") api_ratio=$(ratio "${api_rsss[-1]}" "${api_rsss[0]}")

say "Summary"
echo "Notejam.Web, Release, Production, telemetry off, web -> api -> PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') directly"
echo "$started_at, $(nproc) cores, wrk -t$threads -c$connections --timeout 10s, $minutes x 60 s, $users users, on the same machine"
echo
echo "$header"
printf '%s\n' "${rows[@]}"
echo
printf '%-52s %-34s %s\n' check measured verdict
printf '%-52s %-34s %s\n' 'no errors (not-OK answers and socket errors)' "$errors_total" "$(verdict "$errors_total == 0")"
printf '%-52s %-34s %s\n' 'p99 of the last minute <= 1.5x the first' "${p99s[-1]} / ${p99s[0]} ms = ${p99_ratio}x" \
  "$(verdict "$p99_ratio <= 1.5")"
printf '%-52s %-34s %s\n' 'web RSS after the last minute <= 1.10x the first' "${web_rsss[-1]} / ${web_rsss[0]} MB = ${web_ratio}x" \
  "$(verdict "$web_ratio <= 1.10")"
printf '%-52s %-34s %s\n' 'api RSS after the last minute <= 1.10x the first' "${api_rsss[-1]} / ${api_rsss[0]} MB = ${api_ratio}x" \
  "$(verdict "$api_ratio <= 1.10")"
printf '%-52s %-34s %s\n' 'acknowledged writes all stored' "$stored new notes, $acked acknowledged" \
  "$(verdict "$stored >= $acked && $stored <= $acked + $unanswered")"
echo "  (a write cut off when a minute ended may be stored unacknowledged: $unanswered were, so up to $((acked + unanswered)) new notes pass)"
