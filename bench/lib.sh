# shellcheck shell=bash
# Shared by bench/web.sh, bench/profile.sh and bench/soak.sh (sourced, not run): the tools, a work folder whose
# processes are all stopped on exit, the Release builds, a throwaway PostgreSQL, the api and the web as production
# runs them (Release, ASPNETCORE_ENVIRONMENT=Production, telemetry off, web -> api -> PostgreSQL, nothing in
# between), and the helpers that talk to them: call the API, seed a user through it, sign in through the site's
# form (with a form's token), the benchmark's two users (seed_bench_users), PostgreSQL's count of
# committed transactions (xact_commits).
#
# The sourcing script runs with `set -euo pipefail` and calls, in this order: bench_tools, bench_workdir,
# build_apps, start_postgres, start_apps. Before start_apps it may put NAME=VALUE pairs in app_env, for the
# environment of both the api and the web. Messages start with "bench/<script>: ".

password='bench-password-1'
build_lock=/tmp/notejam-build.lock   # other engineers build in this tree: one build at a time
app_env=()                           # NAME=VALUE pairs added to the environment of api and web
cleanup_hooks=()                     # functions cleanup runs before it stops web, api and PostgreSQL
pg_port='' api_port='' web_port=''   # set by start_postgres and start_apps (through pick_port)

say() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }
die() { echo "bench/${0##*/}: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------
# Tools

bench_tools() { # installs what is missing of wrk, jq, curl and psql; finds psql (psql_cmd)
  local missing=() tool
  for tool in wrk jq curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  command -v psql >/dev/null || missing+=(postgresql-client)
  if [[ ${#missing[@]} -gt 0 ]]; then
    say "Installing ${missing[*]}"
    { apt-get install -y -qq "${missing[@]}" || { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }; } >/dev/null ||
      die "could not install ${missing[*]} with apt-get"
  fi
  psql_cmd=psql
}

# ---------------------------------------------------------------------------------------------------------
# Everything started is stopped on exit, whatever happens

bench_workdir() { # bench_workdir PREFIX: makes $work (/tmp/PREFIX.XXXXXX) and sets the traps that clean up
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  devtools=$work/out/DevTools/Notejam.DevTools   # what build_apps publishes (see Notejam.DevTools/Program.cs)
  chmod 711 "$work"   # the postgres user reaches its data directory inside
  api_pid='' web_pid='' pg_pid=''
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

stop() { # stop PID SIGNAL: signal a process and wait up to 20 s for it to end
  local pid=$1 signal=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

stop_servers() { # web, api, then PostgreSQL
  stop "$web_pid" TERM
  stop "$api_pid" TERM
  stop "$pg_pid" TERM   # the tool stops PostgreSQL (fast shutdown) and deletes the cluster (a script's background job ignores INT)
  web_pid='' api_pid='' pg_pid=''
}

ports_in_use() { # prints those of the given TCP ports something listens on
  local port
  for port; do [[ -z $(ss -Htln "sport = :$port") ]] || echo "$port"; done
}

cleanup() {
  local status=$? hook log
  trap - EXIT INT TERM
  for hook in "${cleanup_hooks[@]}"; do "$hook"; done
  stop_servers
  if [[ $status -ne 0 ]]; then
    for log in "$work"/*.log; do
      [[ -s $log ]] && { echo "--- last lines of $(basename "$log")"; tail -n 15 "$log"; } >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}

used_ports=' '
pick_port() { # pick_port VAR: sets VAR to a free TCP port no other pick_port gave
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    [[ $used_ports != *" $port "* && -z $(ports_in_use "$port") ]] && break
  done
  used_ports+="$port "
  printf -v "$1" '%s' "$port"
}

wait_healthy() { # wait_healthy URL PID NAME
  local url=$1 pid=$2 name=$3
  for _ in $(seq 600); do
    [[ $(curl -sS -m 2 "$url" 2>/dev/null) == Healthy ]] && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited before it was healthy (see its log below)"
    sleep 0.1
  done
  die "$name was not healthy at $url after 60 s"
}

# ---------------------------------------------------------------------------------------------------------
# Release builds, PostgreSQL, the migrations, the api and the web

build_apps() { # build_apps [NAME...]: publishes Notejam.NAME (Release; default Api Web DevTools) into $work/out/NAME
  local project projects=("$@")
  [[ ${#projects[@]} -gt 0 ]] || projects=(Api Web DevTools)
  say "Building ${projects[*]} (Release) into $work/out"
  for project in "${projects[@]}"; do
    flock "$build_lock" dotnet publish "Notejam.$project/Notejam.$project.csproj" -c Release -o "$work/out/$project" \
      -nologo -v q -clp:ErrorsOnly >"$work/build-$project.log" 2>&1 || { cat "$work/build-$project.log" >&2; die "the $project build failed"; }
  done
}


# start_postgres: a throwaway cluster of the machine's PostgreSQL on 127.0.0.1:$pg_port, made and run as the tests' is
# (`Notejam.DevTools postgres`, Notejam.DevTools/Postgres), with an empty database notejam. Sets pg_pid (the tool, which
# deletes the cluster when interrupted), pg_server_pid (the postmaster: the backends are its children), pg_version,
# PGPASSWORD (exported, for psql), db (the api's connection string) and web_db (the web's, which migrate makes).
start_postgres() {
  local line
  pick_port pg_port
  say "Starting PostgreSQL (Notejam.DevTools postgres) on 127.0.0.1:$pg_port"
  "$devtools" postgres --port "$pg_port" --setting max_connections=200 \
    >"$work/postgres.out" 2>"$work/postgres.log" &
  pg_pid=$!
  for _ in $(seq 600); do
    line=$(head -n 1 "$work/postgres.out")
    [[ $line == ready* ]] && break
    kill -0 "$pg_pid" 2>/dev/null || die "PostgreSQL did not start (see postgres.log below)"
    sleep 0.1
  done
  [[ $line =~ ^ready\ port=[0-9]+\ password=([0-9a-f]+)\ pid=([0-9]+)$ ]] || die "PostgreSQL did not start in 60 s: $line"
  export PGPASSWORD=${BASH_REMATCH[1]}
  pg_server_pid=${BASH_REMATCH[2]}
  pg_version=$("$psql_cmd" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAtX -c 'SHOW server_version') ||
    die "could not reach PostgreSQL"
  "$psql_cmd" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAtX -c 'CREATE DATABASE notejam' >/dev/null ||
    die "could not create the database"
  db="Host=127.0.0.1;Port=$pg_port;Database=notejam;Username=postgres;Password=$PGPASSWORD"
  # The web's own database and role, which the api's migrate makes with this password.
  web_db="Host=127.0.0.1;Port=$pg_port;Database=notejam_web;Username=notejam_web;Password=bench-web-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
}

sql() { "$psql_cmd" -h 127.0.0.1 -p "$pg_port" -U postgres -d notejam -v ON_ERROR_STOP=1 -qAtX -c "$1"; }

# run_app PROJECT PORT ARGS...: the published app as production runs it (from its folder), without telemetry, with a
# key-encryption key of its own for this run, and loopback (where every benchmark sign-in comes from) not rate-limited.
# As deployed: the api has the notes database, the web its own key-ring database, the migration both.
run_app() {
  local project=$1 port=$2 databases
  shift 2
  case "$project $*" in
    "Api migrate"*) databases=(ConnectionStrings__notejam="$db" ConnectionStrings__webkeyring="$web_db") ;;
    Api*) databases=(ConnectionStrings__notejam="$db") ;;
    *) databases=(ConnectionStrings__webkeyring="$web_db") ;;
  esac
  cd "$work/out/$project" || exit 1   # the content root: appsettings.json, wwwroot
  exec env -u OTEL_EXPORTER_OTLP_ENDPOINT ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_URLS="http://127.0.0.1:$port" "${databases[@]}" \
    Notejam__ApiUrl="$api_url/" Notejam__WebUrl="$web_url/" \
    DataProtection__KeyEncryptionKey="bench-$project-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    Notejam__Limits__ExemptLoopback=true "${app_env[@]}" "./Notejam.$project" "$@"
}

start_apps() { # migrates, then starts the api ($api_url, $api_pid) and the web ($web_url, $web_pid) and waits for both
  pick_port api_port
  pick_port web_port
  api_url=http://127.0.0.1:$api_port web_url=http://127.0.0.1:$web_port
  say "Migrating, then starting api on $api_url and web on $web_url"
  (run_app Api "$api_port" migrate) >"$work/migrate.log" 2>&1 || die "the migrations failed (see migrate.log below)"
  (run_app Api "$api_port") >"$work/api.log" 2>&1 &
  api_pid=$!
  (run_app Web "$web_port") >"$work/web.log" 2>&1 &
  web_pid=$!
  wait_healthy "$api_url/health" "$api_pid" api
  wait_healthy "$web_url/health" "$web_pid" web
}

rss() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }   # resident memory of PID, MB

# ---------------------------------------------------------------------------------------------------------
# Talking to the API and the site

call() { # call API_BASE METHOD PATH TOKEN JSON: prints the answer's body; dies unless it is a 2xx
  local base=$1 method=$2 path=$3 token=$4 body=$5 out code
  local args=(-sS -m 10 -X "$method" -w '\n%{http_code}')
  [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
  out=$(curl "${args[@]}" "$base$path") || die "$method $base$path: no answer"
  code=${out##*$'\n'}
  [[ $code == 2?? ]] || die "$method $base$path answered $code: ${out%$'\n'*}"
  printf '%s\n' "${out%$'\n'*}"
}

# register API_BASE EMAIL: signs up EMAIL through the API, then signs in; sets token and user_id.
register() {
  local base=$1 email=$2
  call "$base" POST /users/register '' \
    "$(jq -nc --arg e "$email" --arg p "$password" '{email: $e, password: $p, repeatPassword: $p}')" >/dev/null
  token=$(call "$base" POST /users/signin '' "$(jq -nc --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" |
    jq -r .accessToken)
  user_id=$(call "$base" GET /users/me "$token" '' | jq -r .id)
}

# seed API_BASE EMAIL NOTES_PER_PAD: registers and signs in EMAIL, then makes 5 pads with NOTES_PER_PAD notes
# each. Sets token, user_id, pad_ids and note_id (the newest note).
seed() {
  local base=$1 email=$2 per_pad=$3 pad note text
  register "$base" "$email"
  pad_ids=() note_id=''
  for pad in 1 2 3 4 5; do
    pad_ids+=("$(call "$base" POST /pads "$token" "$(jq -nc --arg n "Pad $pad" '{name: $n}')" | jq -r .id)")
    for note in $(seq "$per_pad"); do
      text="Note $note of pad $pad. $(printf 'Some words that make a note of ordinary length. %.0s' 1 2 3 4 5)"
      note_id=$(call "$base" POST /notes "$token" \
        "$(jq -nc --arg n "Note $pad.$note" --arg t "$text" --argjson p "${pad_ids[-1]}" '{name: $n, text: $t, padId: $p}')" |
        jq -r .id)
    done
  done
}

# signin WEB_BASE EMAIL [FORM_PAGE]: signs in through the site's form, as a browser does (`Notejam.DevTools signin`);
# sets cookie (the Cookie header a browser then sends), and with FORM_PAGE (e.g. /notes/create/) form, the antiforgery
# token of that page's form (valid with cookie, which then carries the antiforgery cookie too).
signin() {
  local base=$1 email=$2 page=${3:-} out args=()
  [[ -z $page ]] || args=(--form "$page")
  out=$("$devtools" signin --site "$base" --email "$email" --password "$password" "${args[@]}") ||
    die "could not sign in as $email at $base"
  cookie=$(sed -n 's/^cookie=//p' <<<"$out") form=$(sed -n 's/^form=//p' <<<"$out")
  [[ "; $cookie" == *"; notejam="* ]] || die "signing in at $base gave no notejam cookie"
}

# check URL TEXT: the page answers 200 to the cookie, and shows TEXT (a redirect to /signin/ would not)
check() {
  local url=$1 text=$2 status
  status=$(curl -sS -m 10 -o "$work/page.html" -w '%{http_code}' -H "Cookie: $cookie" "$url") || die "GET $url: no answer"
  [[ $status == 200 ]] || die "GET $url with the session cookie answered $status, not 200"
  grep -qF -- "$text" "$work/page.html" || die "GET $url does not show \"$text\""
}

# check_create WEB_BASE COOKIE FORM PAD_ID: posts the note form once, as bench/write.lua does, with the Cookie header
# COOKIE and the form token FORM (from note_form); dies unless the answer is a redirect to the new note.
check_create() {
  local base=$1 cookie=$2 form=$3 pad=$4 status
  status=$(curl -sS -m 10 -o /dev/null -w '%{http_code} %{redirect_url}' -H "Cookie: $cookie" \
    --data-urlencode "Name=Bench check note" --data-urlencode "Text=Posted once to check the form works." \
    --data-urlencode "PadId=$pad" --data-urlencode "__RequestVerificationToken=$form" "$base/notes/create/") ||
    die "POST $base/notes/create/: no answer"
  [[ $status =~ ^302\ .*/notes/[0-9]+/$ ]] || die "POST $base/notes/create/ answered \"$status\", not a redirect to the new note"
}

# seed_bench_users: the two users of bench/web.sh and bench/profile.sh, signed in through the site's form.
#   bench50@example.com, through the API: 5 pads of 10 notes. Sets user50 (its id), pads50, note50 (its newest
#     note), token50 (API), cookie50 (site), form50 (the note form's token, valid with cookie50).
#   bench10k@example.com: 5 pads through the API, then 10,000 notes (2,000 a pad) in one INSERT and VACUUM ANALYZE.
#     Sets user10k, pads10k, note10k, token10k, cookie10k.
# Each user's /, first pad and newest note are checked to answer 200 and show what they should.
# shellcheck disable=SC2034 # the variables it sets are for the sourcing script
seed_bench_users() {
  say "Signing up a user with 50 notes in 5 pads, and one with 10,000"
  seed "$api_url" bench50@example.com 10
  pads50=("${pad_ids[@]}") note50=$note_id token50=$token user50=$user_id
  signin "$web_url" bench50@example.com /notes/create/
  cookie50=$cookie form50=$form
  check "$web_url/" 'All notes (50)'
  check "$web_url/pads/${pads50[0]}/" 'Pad 1 (10)'
  check "$web_url/notes/$note50/" 'Note 5.10'

  seed "$api_url" bench10k@example.com 0
  pads10k=("${pad_ids[@]}") token10k=$token user10k=$user_id
  sql "INSERT INTO \"Notes\" (\"OwnerId\", \"PadId\", \"Name\", \"Text\", \"CreatedAt\", \"UpdatedAt\")
       SELECT $user10k, (ARRAY[$(IFS=,; echo "${pads10k[*]}")])[1 + g % 5], 'Note ' || g,
              'Note ' || g || '. ' || repeat('Some words that make a note of ordinary length. ', 5),
              now() - g * interval '1 minute' - interval '1 hour', now() - g * interval '1 minute'
       FROM generate_series(1, 10000) AS g" >/dev/null || die "could not insert the 10,000 notes"
  sql 'VACUUM ANALYZE "Notes"' || die "VACUUM ANALYZE failed"   # as autovacuum would soon after such an insert
  note10k=$(sql "SELECT \"Id\" FROM \"Notes\" WHERE \"OwnerId\" = $user10k ORDER BY \"UpdatedAt\" DESC LIMIT 1")
  signin "$web_url" bench10k@example.com
  cookie10k=$cookie
  check "$web_url/" 'All notes (10000)'
  check "$web_url/pads/${pads10k[0]}/" 'Pad 1 (2000)'
  check "$web_url/notes/$note10k/" 'Note 1'
}

# xact_commits: transactions committed so far in the database notejam (pg_stat_database.xact_commit), read from
# the database postgres so that reading does not count. A backend reports its counts when it goes idle, at most
# once a second and within 10 s: wait 11 s after the work before reading (settle_stats).
xact_commits() {
  "$psql_cmd" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAtX \
    -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'notejam'" || die "could not read pg_stat_database"
}
settle_stats() { sleep 11; }

# warm_pages SECONDS: wrk -t$threads -c$connections (the sourcing script's) for SECONDS on each page bench/web.sh measures (/alive, then /,
# /pads/<id>/, /notes/<id>/ of both users of seed_bench_users), one after the other, answers unchecked: the JIT
# (tiered compilation, dynamic PGO) keeps recompiling the hot methods for several seconds of load, and without
# this it would do so during whichever run comes first.
warm_pages() {
  local seconds=$1 target url cookie headers
  say "Warming up: each page for ${seconds}s, so that the JIT has settled before anything is measured"
  for target in "/alive|" "/|$cookie50" "/pads/${pads50[0]}/|$cookie50" "/notes/$note50/|$cookie50" \
    "/|$cookie10k" "/pads/${pads10k[0]}/|$cookie10k" "/notes/$note10k/|$cookie10k"; do
    url=$web_url${target%%|*} cookie=${target#*|} headers=()
    [[ -z $cookie ]] || headers=(-H "Cookie: $cookie")
    wrk -t"${threads:-2}" -c"${connections:-16}" -d"${seconds}s" "${headers[@]}" "$url" >/dev/null ||
      die "wrk failed warming up on $url"
  done
}
