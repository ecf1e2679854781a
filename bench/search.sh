#!/usr/bin/env bash
# How fast GET /notes/search answers for a user with 100,000 notes: the api as production runs it (Release,
# ASPNETCORE_ENVIRONMENT=Production, telemetry off) against a throwaway PostgreSQL, or a given one.
#
#   bench/search.sh [--notes N] [--queries N] [--rounds N] [--postgres postgresql://user:password@host:port/database]
#
# It signs up one user through the API, gives them N notes (100,000) in one INSERT … generate_series whose names and
# texts are words drawn from a 20,000-word vocabulary (a few words are very common, most are rare, as in real
# text), then asks the API for a set of queries (200): a word, two words, and the first four letters of a word (a
# prefix match). One round warms up and checks the answers; the next rounds (3) are measured, one request at a
# time on a kept-alive connection. It prints the median and p95 latency, overall and by kind of query, against the
# target median <= 20 ms. With --postgres the notes go into that database (its notejam schema is migrated first),
# under a new user, and stay there. Everything it starts is stopped on exit. It exits non-zero only when the
# benchmark itself could not run; a missed target is reported, not failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

notes=100000 queries=200 rounds=3 postgres_url=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --notes) notes=$2; shift ;;
    --queries) queries=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --postgres) postgres_url=$2; shift ;;
    -h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/search.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $notes =~ ^[1-9][0-9]*$ && $queries =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench/search.sh: --notes, --queries and --rounds take whole numbers from 1" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_tools
bench_workdir notejam-search-bench

# ---------------------------------------------------------------------------------------------------------
# 1. The api, Release

build_apps Api DevTools

# ---------------------------------------------------------------------------------------------------------
# 2. PostgreSQL (a throwaway cluster, or the one given), the migrations and the api

if [[ -z $postgres_url ]]; then
  start_postgres
  postgres_url="postgresql://postgres@127.0.0.1:$pg_port/notejam"
else
  # The api takes Npgsql's key=value form of postgresql://user[:password]@host[:port]/database
  [[ $postgres_url =~ ^postgres(ql)?://([^:@/]+)(:([^@/]*))?@([^:/]+)(:([0-9]+))?/([^?]+)$ ]] ||
    die "--postgres takes postgresql://user[:password]@host[:port]/database"
  db="Host=${BASH_REMATCH[5]};Port=${BASH_REMATCH[7]:-5432};Database=${BASH_REMATCH[8]};Username=${BASH_REMATCH[2]}"
  [[ -n ${BASH_REMATCH[4]} ]] && db+=";Password=${BASH_REMATCH[4]}"
fi
sql() { "$psql_cmd" "$postgres_url" -v ON_ERROR_STOP=1 -qAtX "$@"; }

pick_port api_port
api_url=http://127.0.0.1:$api_port web_url=''
say "Migrating, then starting the api on $api_url"
(run_app Api "$api_port" migrate) >"$work/migrate.log" 2>&1 || die "the migrations failed (see migrate.log below)"
(run_app Api "$api_port") >"$work/api.log" 2>&1 &
api_pid=$!
wait_healthy "$api_url/health" "$api_pid" api

# ---------------------------------------------------------------------------------------------------------
# 3. One user with N notes

email="bench-search-$(date +%s)-$$@example.com"
register "$api_url" "$email"

say "Writing $notes notes for $email in one INSERT (the tsvector column and its GIN index are kept by PostgreSQL)"
started=$SECONDS
# Words are two to four of 24 syllables ("kalo", "mineruto"), 20,000 of them; the k-th is drawn with a probability
# about 1/k (Zipf's law, as in real text: the commonest word is 7% of all words, most words are in a few dozen notes).
# Each note gets 45 to 104 words: its name is the first 3 to 5 of them.
sql -c "CREATE TEMP TABLE vocabulary AS
          SELECT (row_number() OVER () - 1)::int AS k, w FROM (
            SELECT s1.s || s2.s || coalesce(s3.s, '') || coalesce(s4.s, '') AS w
            FROM unnest('{ka,lo,mi,ne,ru,sa,to,vi,zu,be,da,fo,gi,ha,je,pu,ri,te,no,wa,ko,li,me,su}'::text[]) AS s1(s)
            CROSS JOIN unnest('{ka,lo,mi,ne,ru,sa,to,vi,zu,be,da,fo,gi,ha,je,pu,ri,te,no,wa,ko,li,me,su}'::text[]) AS s2(s)
            CROSS JOIN unnest('{ka,lo,mi,ne,ru,sa,to,vi,zu,be,da,fo,gi,ha,je,pu,ri,te,no,wa,ko,li,me,su,NULL}'::text[]) AS s3(s)
            CROSS JOIN unnest('{ka,lo,mi,ne,ru,sa,to,vi,zu,be,da,fo,gi,ha,je,pu,ri,te,no,wa,ko,li,me,su,NULL}'::text[]) AS s4(s)
            WHERE s3.s IS NOT NULL OR s4.s IS NULL
            ORDER BY md5(s1.s || s2.s || coalesce(s3.s, '') || coalesce(s4.s, '')) LIMIT 20000) AS words;
        CREATE TEMP TABLE picks AS
          SELECT g, i, floor(exp(random() * ln(20000)))::int - 1 AS k
          FROM generate_series(1, $notes) AS g CROSS JOIN LATERAL generate_series(1, 45 + g % 60) AS i;
        INSERT INTO \"Notes\" (\"OwnerId\", \"Name\", \"Text\", \"CreatedAt\", \"UpdatedAt\")
        SELECT $user_id, initcap(string_agg(v.w, ' ' ORDER BY p.i) FILTER (WHERE p.i <= 3 + p.g % 3)),
               string_agg(v.w, ' ' ORDER BY p.i) FILTER (WHERE p.i > 5), now() - p.g * interval '1 minute', now() - p.g * interval '1 minute'
        FROM picks AS p JOIN vocabulary AS v USING (k)
        GROUP BY p.g" -c 'VACUUM ANALYZE "Notes"' >/dev/null || die "could not write the notes"
printf '  %s notes in %s s; the Notes table and its indexes take %s\n' \
  "$(sql -c "SELECT count(*) FROM \"Notes\" WHERE \"OwnerId\" = $user_id")" "$((SECONDS - started))" \
  "$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('\"Notes\"'))")"

# ---------------------------------------------------------------------------------------------------------
# 4. The queries: a word of the notes (any of them alike, not weighted by how common it is), the first four letters of
#    one (a prefix), or two words of one note; about a third each

say "Choosing $queries queries from the notes' own words"
sql -c "CREATE TEMP TABLE vocabulary AS
          SELECT DISTINCT word FROM \"Notes\", regexp_split_to_table(\"Text\", ' ') AS word WHERE \"OwnerId\" = $user_id" \
    -c "(SELECT 'word', word FROM vocabulary ORDER BY random() LIMIT $(((queries + 2) / 3)))
        UNION ALL (SELECT 'prefix', left(word, 4) FROM vocabulary ORDER BY random() LIMIT $(((queries + 1) / 3)))
        UNION ALL (SELECT 'two-words', split_part(\"Text\", ' ', 1 + \"Id\" % 30) || ' ' || split_part(\"Text\", ' ', 11 + \"Id\" % 30)
                   FROM \"Notes\" WHERE \"OwnerId\" = $user_id ORDER BY random() LIMIT $((queries / 3)))" -F ' ' >"$work/queries" ||
  die "could not choose the queries"

# curl asks for every URL of a config file on one kept-alive connection and writes a line per answer.
config() { # config ROUND: the curl config asking each query once, bodies kept for the warm-up round only
  local round=$1 i=0 kind q
  echo "header = \"Authorization: Bearer $token\""
  while read -r kind q; do
    i=$((i + 1))
    echo "url = \"$api_url/notes/search?q=$(jq -rn --arg q "$q" '$q | @uri')\""
    [[ $round -eq 0 ]] && echo "output = \"$work/answers/$i.json\"" || echo 'output = "/dev/null"'
  done <"$work/queries"
}
mkdir -p "$work/answers"
say "Warm-up round, then $rounds measured rounds of $queries requests, one at a time"
for round in $(seq 0 "$rounds"); do
  config "$round" >"$work/round-$round.curl"
  curl -sS -K "$work/round-$round.curl" -w '%{http_code} %{time_total}\n' >"$work/round-$round.times" ||
    die "curl failed in round $round"
  bad=$(awk '$1 != 200' "$work/round-$round.times" | wc -l)
  [[ $bad -eq 0 ]] || die "$bad answers in round $round were not 200: $(awk '$1 != 200 { print $1 }' "$work/round-$round.times" | sort | uniq -c | tr '\n' ' ')"
done
for f in "$work"/answers/*.json; do jq -r .totalCount "$f"; done | sort -n >"$work/matches"

# ---------------------------------------------------------------------------------------------------------
# 5. The figures

percentiles() { # stdin: one number of seconds a line; prints "median p95 max" in ms
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; p = v[int(0.95 * NR + 0.999)]
    printf "%.1f %.1f %.1f\n", m * 1000, p * 1000, v[NR] * 1000 }'
}
: >"$work/measured"
for round in $(seq 1 "$rounds"); do paste -d' ' <(awk '{ print $1 }' "$work/queries") <(awk '{ print $2 }' "$work/round-$round.times") >>"$work/measured"; done

say "Summary"
echo "GET /notes/search, api Release/Production, telemetry off, PostgreSQL $(sql -c 'SHOW server_version' | awk '{print $1}'), $(nproc) cores, $(date '+%Y-%m-%d %H:%M')"
echo "$notes notes of one user; $queries queries x $rounds rounds = $((queries * rounds)) requests, one at a time, kept-alive"
read -r m_min m_med m_max <<<"$(awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)], v[NR] }' "$work/matches")"
echo "notes matched per query: median $m_med (from $m_min to $m_max)"
echo
printf '%-10s %8s %8s %8s %8s\n' queries requests 'p50 ms' 'p95 ms' 'max ms'
for kind in all word two-words prefix; do
  read -r med p95 max <<<"$(awk -v k="$kind" 'k == "all" || $1 == k { print $2 }' "$work/measured" | percentiles)"
  printf '%-10s %8s %8s %8s %8s\n' "$kind" "$(awk -v k="$kind" 'k == "all" || $1 == k' "$work/measured" | wc -l)" "$med" "$p95" "$max"
  [[ $kind == all ]] && overall=$med
done
echo
verdict=$(awk -v m="$overall" 'BEGIN { print (m <= 20 ? "met" : "MISSED") }')
printf 'target: median <= 20 ms: %s ms, %s\n' "$overall" "$verdict"
