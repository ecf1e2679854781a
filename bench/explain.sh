#!/usr/bin/env bash
# The plan of every SQL statement behind the site's pages, as PostgreSQL ran it, for the 50-note and the 10,000-note user.
#
#   bench/explain.sh [--out FILE]
#
# Starts the production-shaped api and web on a throwaway PostgreSQL (as bench/web.sh does) with PostgreSQL's own
# auto_explain module logging every statement's plan with EXPLAIN ANALYZE, seeds the same two users, then asks the api
# for what each page needs with no validator (so every query runs, as on the first page after a write): the note list
# in every order, a pad's list, the pad list, a pad, a note; and once more with the validator the page would send (the
# 304 path: the per-request session and version lookup only). It prints each distinct statement with its plan, and a
# verdict line per statement: PASS when the plan has no Seq Scan and no Sort node, MISS otherwise.
# It exits non-zero only when the run itself could not happen.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
out=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/explain.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_tools
bench_workdir notejam-explain
build_apps
start_postgres
# auto_explain (PostgreSQL's contrib, in the server package): every statement of every new session, with its run's figures.
"$psql_cmd" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 \
  -c "ALTER DATABASE notejam SET session_preload_libraries = 'auto_explain'" \
  -c "ALTER DATABASE notejam SET auto_explain.log_min_duration = 0" \
  -c "ALTER DATABASE notejam SET auto_explain.log_analyze = on" \
  -c "ALTER DATABASE notejam SET auto_explain.log_buffers = on" \
  -c "ALTER DATABASE notejam SET auto_explain.log_timing = on" >/dev/null || die "could not turn auto_explain on"
start_apps
seed_bench_users

# Plans depend on the table sizes: on a table of ten rows a sequential scan is the cheapest plan. So the two users share
# the database with 2,000 others, of 5 pads, 50 notes and 2 sessions each (10,000 pads, 100,000 notes), as a site in use would.
say "Adding 2,000 other accounts with 5 pads, 50 notes and 2 sessions each"
sql "INSERT INTO \"AspNetUsers\" (\"UserName\", \"NormalizedUserName\", \"Email\", \"NormalizedEmail\", \"EmailConfirmed\",
       \"PhoneNumberConfirmed\", \"TwoFactorEnabled\", \"LockoutEnabled\", \"AccessFailedCount\")
     SELECT 'filler' || g || '@example.com', upper('filler' || g || '@example.com'), 'filler' || g || '@example.com',
            upper('filler' || g || '@example.com'), false, false, false, true, 0
     FROM generate_series(1, 2000) AS g" >/dev/null || die "could not add the other accounts"
sql "INSERT INTO \"Pads\" (\"OwnerId\", \"Name\")
     SELECT u.\"Id\", 'Pad ' || p FROM \"AspNetUsers\" u, generate_series(1, 5) AS p WHERE u.\"UserName\" LIKE 'filler%'" >/dev/null ||
  die "could not add their pads"
sql "INSERT INTO \"Notes\" (\"OwnerId\", \"PadId\", \"Name\", \"Text\", \"CreatedAt\", \"UpdatedAt\")
     SELECT p.\"OwnerId\", p.\"Id\", 'Note ' || n, 'Some words that make a note of ordinary length.',
            now() - n * interval '1 minute', now() - n * interval '1 minute'
     FROM \"Pads\" p JOIN \"AspNetUsers\" u ON u.\"Id\" = p.\"OwnerId\", generate_series(1, 10) AS n
     WHERE u.\"UserName\" LIKE 'filler%'" >/dev/null || die "could not add their notes"
sql "INSERT INTO \"Sessions\" (\"Id\", \"UserId\", \"Generation\", \"CreatedAt\", \"RotatedAt\")
     SELECT gen_random_uuid(), u.\"Id\", 1, now(), now() FROM \"AspNetUsers\" u, generate_series(1, 2) WHERE u.\"UserName\" LIKE 'filler%'" >/dev/null ||
  die "could not add their sessions"
sql 'VACUUM ANALYZE' || die "VACUUM ANALYZE failed"

# asks API_PATH as USER (50 or 10k) with its token, first with no validator, then with the ETag it got
probe() {
  local who=$1 path=$2 token etag
  token=$([[ $who == 50 ]] && echo "$token50" || echo "$token10k")
  echo "-- $who $path" >>"$work/marks"
  sql "SELECT 'bench-explain-mark $who $path'" >/dev/null
  etag=$(curl -sS -m 10 -o /dev/null -D - -H "Authorization: Bearer $token" "$api_url$path" | awk -F': ' 'tolower($1) == "etag" { print $2 }' | tr -d '\r')
  [[ -n $etag ]] || die "$path gave no ETag"
  sql "SELECT 'bench-explain-mark $who $path (304)'" >/dev/null
  [[ $(curl -sS -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H "If-None-Match: $etag" "$api_url$path") == 304 ]] ||
    die "$path did not answer 304 to its own ETag"
}

say "Asking the api what each page needs, as the 50-note and the 10,000-note user"
start_line=$(wc -l <"$work/postgres.log")
for who in 50 10k; do
  if [[ $who == 50 ]]; then pad=${pads50[0]} note=$note50; else pad=${pads10k[0]} note=$note10k; fi
  for order in -updated_at updated_at name -name; do
    probe "$who" "/notes?order=$order&page=1&pageSize=20"
  done
  probe "$who" "/notes?order=-updated_at&page=50&pageSize=20"
  probe "$who" "/notes?order=-updated_at&padId=$pad&page=1&pageSize=20"
  probe "$who" /pads
  probe "$who" "/pads/$pad"
  probe "$who" "/notes/$note"
done
sleep 1   # the log is written asynchronously

# Each auto_explain entry: "LOG:  duration: ... plan:" then "Query Text: ..." and the plan's lines, until the next LOG.
report=$work/plans.txt
tail -n +"$((start_line + 1))" "$work/postgres.log" | awk '
  /LOG:  duration: .* plan:/ { if (entry != "") print entry "\n\x1e"; entry = ""; inplan = 1; next }
  /^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] (LOG|ERROR|STATEMENT|WARNING):/ { if (entry != "") print entry "\n\x1e"; entry = ""; inplan = 0; next }
  inplan { entry = entry $0 "\n" }
  END { if (entry != "") print entry "\n\x1e" }' >"$work/entries.txt"

awk -v RS='\x1e' '
  /Query Text: SELECT .bench-explain-mark/ { match($0, /bench-explain-mark [^'\'']*/); current = substr($0, RSTART + 19, RLENGTH - 19); next }
  /Query Text:/ {
    text = $0; sub(/^[[:space:]]*/, "", text)
    verdict = ($0 ~ /Seq Scan/ || $0 ~ /(^|[^a-zA-Z])Sort[[:space:]]/) ? "MISS" : "PASS"
    printf "### %s\n%s\nverdict: %s\n\n", current, text, verdict
  }' "$work/entries.txt" >"$report"

say "Plans (every statement once per probe; PASS = no Seq Scan, no Sort)"
cat "$report"
printf '\n== Summary\n'
grep -c '^verdict: PASS' "$report" | xargs printf '%s statements without a Seq Scan or a Sort\n'
misses=$(grep -B50 '^verdict: MISS' "$report" | grep '^### ' | sort -u || true)
if [[ -n $misses ]]; then printf 'MISS in:\n%s\n' "$misses"; else echo "no MISS"; fi
[[ -z $out ]] || { cp "$report" "$out"; echo "written to $out"; }
