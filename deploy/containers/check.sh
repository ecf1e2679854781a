#!/usr/bin/env bash
# The two images, built the way production builds them and run the way the chart and Container Apps run them, on
# this machine (one of CI's checks; a developer with Docker runs it the same way):
#  1. a Docker engine (dockerd is started when none answers, and stopped at the end) and a registry on 127.0.0.1:5000
#     (Debian's docker-registry, started when none answers there);
#  2. the base: NOTEJAM_CONTAINER_BASE when set (a mirror of the published base, say), else the offline stand-in that
#     stand-in-base.sh makes (Debian bookworm, not the published Ubuntu chiseled base);
#  3. notejam-api and notejam-web with the SDK (dotnet publish /t:PublishContainer), base and registry given as the
#     settings ContainerBaseImage and ContainerRegistry;
#  4. a network of its own for the run, PostgreSQL on it (NOTEJAM_POSTGRES_IMAGE, else the offline stand-in of
#     stand-in-postgres.sh, which keeps the official image's POSTGRES_* contract; a volume for its data), then each
#     image hardened: read-only root filesystem (a tmpfs at /tmp the only writable path), every capability dropped,
#     no-new-privileges, 256 MiB of memory, its own uid: migrate once (it must exit 0), then api (published nowhere,
#     as the chart keeps it internal: a container on another network must not reach it) and web (published on
#     127.0.0.1, as an ingress would);
#  5. it checks the images' user (1654, not root), times /health from `docker run` (reported), runs a minute of the
#     site's load through the containers (Notejam.DevTools load: 4 people sign up, read and write through the forms;
#     no request may fail, every acknowledged write must be stored once), then a second minute during which the api
#     gets `docker stop` (SIGTERM: it drains and finishes what it started) and `docker start`: no request may break
#     (the site's 503 page is a clean refusal), no acknowledged write may be lost; and reports the images' sizes
#     against the base's.
#  6. Notejam.Tests' Containers layer: a person's journey in Chromium through the web container and the API's happy path
#     against the api container (ImageTests), the tests' own PostgreSQL as a throwaway container, and the AppHost in
#     container mode (PostgreSQL from the image of step 4, the mail sink from NOTEJAM_SMTP4DEV_IMAGE, else the offline
#     stand-in of stand-in-smtp4dev.sh; a second start on the same volume finds the notes of the first).
#  7. compose (deploy/compose/compose.yaml) with the same images, up until every service is healthy, and a sign-in
#     through its site;
# PostgreSQL is also published on 127.0.0.1, for the load to look its writes up. Exit code 0 only when it all works.
set -euo pipefail
cd "$(dirname "$0")/../.."
registry=localhost:5000
work=$(mktemp -d /tmp/notejam-containers.XXXXXX)
started_dockerd='' registry_pid='' load_pid='' network='' containers=() images=() volumes=() compose_projects=()
say() { printf '== containers: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
die() { echo "deploy/containers/check.sh: $*" >&2; exit 1; }
# One line per check passed, printed and, where NOTEJAM_TEST_RESULTS is set, kept in containers.txt for CI's summary.
report() { echo "  $*"; [[ -z ${NOTEJAM_TEST_RESULTS:-} ]] || { mkdir -p "$NOTEJAM_TEST_RESULTS"; echo "$*" >>"$NOTEJAM_TEST_RESULTS/containers.txt"; }; }
within() { # within SECONDS COMMAND...: runs COMMAND (quietly) every 0.2 s until it succeeds; fails after SECONDS
  local tries=$(($1 * 5))
  shift
  while ! "$@" >/dev/null 2>&1; do ((--tries > 0)) || return 1; sleep 0.2; done
}
cleanup() {
  local status=$?
  [[ -z $load_pid ]] || kill -TERM "$load_pid" 2>/dev/null || true
  for down in "${compose_projects[@]}"; do "$down"; done
  for container in "${containers[@]}"; do docker rm -f "$container" >/dev/null 2>&1 || true; done
  # What it built goes too (a run leaves no images behind; the registry's storage is in $work).
  [[ ${#images[@]} -eq 0 ]] || docker image rm -f "${images[@]}" >/dev/null 2>&1 || true
  [[ ${#volumes[@]} -eq 0 ]] || docker volume rm -f "${volumes[@]}" >/dev/null 2>&1 || true
  [[ -z $network ]] || docker network rm "$network" >/dev/null 2>&1 || true
  [[ -z $registry_pid ]] || { kill -TERM "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || true; }
  if [[ -n $started_dockerd ]]; then   # stopped again: while an engine answers, the AppHost's Postgres:Mode=Auto picks containers
    kill -TERM "$started_dockerd" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.2; done
  fi
  [[ $status -eq 0 ]] || for log in "$work"/*.log; do [[ -s $log ]] && { echo "--- $(basename "$log")"; tail -n 20 "$log"; }; done >&2
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# 1. The engine and the registry
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd"
  dockerd >"$work/dockerd.txt" 2>&1 &
  started_dockerd=$!
  within 30 docker info || die "dockerd did not answer within 30 s"
fi
if ! curl -fsS -m 2 "http://$registry/v2/" >/dev/null 2>&1; then
  say "starting a registry on $registry"
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5000\n' "$work/registry" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.txt" 2>&1 &
  registry_pid=$!
  within 20 curl -fsS -m 2 "http://$registry/v2/" || die "the registry did not answer within 20 s"
fi

# 2. The base (and, further down, PostgreSQL's image): the one given, else an offline stand-in made here
given_or_stand_in() { # given_or_stand_in GIVEN STAND_IN SCRIPT: prints the image to use, making STAND_IN with SCRIPT if need be
  if [[ -n $1 ]]; then echo "$1"; return; fi
  say "the offline stand-in $2" >&2
  "deploy/containers/$3" "$2" >&2 || return 1   # (a command substitution does not inherit set -e)
  echo "$2"
}
base=$(given_or_stand_in "${NOTEJAM_CONTAINER_BASE:-}" "$registry/notejam-aspnet-stand-in:10.0" stand-in-base.sh)
[[ -n ${NOTEJAM_CONTAINER_BASE:-} ]] || images+=("$base")

# 3. The images
tag=check-$(date +%s)
for project in Api Web; do
  say "building notejam-${project,,}:$tag on $base"
  dotnet publish "Notejam.$project/Notejam.$project.csproj" -c Release /t:PublishContainer -nologo -v q -clp:ErrorsOnly \
    -p:ContainerBaseImage="$base" -p:ContainerRegistry="$registry" -p:ContainerImageTag="$tag" >"$work/publish-$project.log" 2>&1 ||
    die "the $project image did not build (publish-$project.log)"
  docker pull -q "$registry/notejam-${project,,}:$tag" >/dev/null
  images+=("$registry/notejam-${project,,}:$tag")
  user=$(docker image inspect -f '{{.Config.User}}' "$registry/notejam-${project,,}:$tag")
  [[ $user == 1654 ]] || die "notejam-${project,,} runs as '$user', not 1654"
done
docker pull -q "$base" >/dev/null 2>&1 || true
postgres_image=$(given_or_stand_in "${NOTEJAM_POSTGRES_IMAGE:-}" "$registry/notejam-postgres-stand-in:15" stand-in-postgres.sh)
[[ -n ${NOTEJAM_POSTGRES_IMAGE:-} ]] || images+=("$postgres_image")

# 4. A network, PostgreSQL, migrate, api, web
devtools=Notejam.DevTools/bin/Debug/net10.0/Notejam.DevTools.dll
[[ -f $devtools ]] || dotnet build Notejam.DevTools -nologo -v q -clp:ErrorsOnly >/dev/null
network=notejam-$tag
docker network create "$network" >/dev/null
subnet=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$network")
password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
pg_port=$((40000 + RANDOM % 10000)) web_port=$((30000 + RANDOM % 10000))
volumes+=("$network-postgres")
containers+=("notejam-postgres-$tag")
docker run -d --name "notejam-postgres-$tag" --network "$network" --network-alias postgres -p "127.0.0.1:$pg_port:5432" \
  -v "$network-postgres:/var/lib/postgresql/data" -e POSTGRES_PASSWORD="$password" -e POSTGRES_DB=notejam "$postgres_image" >/dev/null
PGPASSWORD=$password within 30 psql -h 127.0.0.1 -p "$pg_port" -U postgres -d notejam -qAtX -c 'SELECT 1' ||
  { docker logs "notejam-postgres-$tag" >"$work/postgres.log" 2>&1; die "PostgreSQL did not answer within 30 s (postgres.log)"; }
notes="Host=postgres;Port=5432;Database=notejam;Username=postgres;Password=$password"
notes_here="Host=127.0.0.1;Port=$pg_port;Database=notejam;Username=postgres;Password=$password"
keyring="Host=postgres;Port=5432;Database=notejam_web;Username=notejam_web;Password=web-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hardened=(--network "$network" --read-only --tmpfs /tmp:rw,size=64m --cap-drop ALL --security-opt no-new-privileges --memory 256m)
# Each trusts the network's addresses as its proxies: the web the published port's (the load's addresses come in
# X-Forwarded-For, as through an ingress), the api the web's.
common=(-e Notejam__ApiUrl="http://api:8080/" -e Notejam__WebUrl="http://127.0.0.1:$web_port/" -e Notejam__TrustedProxyNetworks="$subnet")

say "on the network $network ($subnet): migrate (one-shot), then api (not published) and web (127.0.0.1:$web_port), hardened"
docker run --rm --name "notejam-migrate-$tag" "${hardened[@]}" "${common[@]}" -e ConnectionStrings__notejam="$notes" \
  -e ConnectionStrings__webkeyring="$keyring" "$registry/notejam-api:$tag" migrate >"$work/migrate.log" 2>&1 ||
  die "migrate did not exit 0 (migrate.log)"
address() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
healthy_after() { # healthy_after NAME URL: seconds from now until URL/health answers Healthy
  local start=$EPOCHREALTIME
  for _ in $(seq 300); do
    [[ $(curl -s -m 1 "$2/health") == Healthy ]] && { awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; return; }
    sleep 0.1
  done
  docker logs "$1" >"$work/$1.log" 2>&1; die "$1 was not healthy within 30 s ($1.log)"
}
containers+=("notejam-api-$tag")
docker run -d --name "notejam-api-$tag" --network-alias api "${hardened[@]}" "${common[@]}" \
  -e ConnectionStrings__notejam="$notes" -e DataProtection__KeyEncryptionKey="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$registry/notejam-api:$tag" >/dev/null
# From here (the network's gateway) by its address: it is published nowhere.
api_healthy=$(healthy_after "notejam-api-$tag" "http://$(address "notejam-api-$tag"):8080")
containers+=("notejam-web-$tag")
docker run -d --name "notejam-web-$tag" -p "127.0.0.1:$web_port:8080" "${hardened[@]}" "${common[@]}" \
  -e ConnectionStrings__webkeyring="$keyring" -e DataProtection__KeyEncryptionKey="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$registry/notejam-web:$tag" >/dev/null
web_healthy=$(healthy_after "notejam-web-$tag" "http://127.0.0.1:$web_port")

# The api is the network's alone: a container on Docker's default network cannot open a connection to it, while one
# on the run's network can (the same probe, so that the first result means something).
probe() { docker run --rm --network "$1" --entrypoint /bin/bash "$postgres_image" -c "timeout 3 bash -c 'exec 3<>/dev/tcp/$2/8080'" >/dev/null 2>&1; }
api_ip=$(address "notejam-api-$tag")
probe "$network" "$api_ip" || die "a container on the run's network could not reach the api at $api_ip:8080"
! probe bridge "$api_ip" || die "a container on another network reached the api at $api_ip:8080"
report "network: the api ($api_ip:8080) answers on the run's network, not from Docker's default network"

# 5. The site through the containers, and the sizes
say "a minute of the site's load through the containers (Notejam.DevTools load, 4 people)"
dotnet "$devtools" load --site "http://127.0.0.1:$web_port" --database "$notes_here" --clients 4 --minutes 1 >"$work/load.out" 2>"$work/load.log" ||
  { for c in "${containers[@]}"; do docker logs "$c" >"$work/$c.log" 2>&1; done; die "the load failed (load.log)"; }
figures=$(grep '^figures minute=1 ' "$work/load.out") writes=$(grep '^writes ' "$work/load.out")
echo "  $figures"
echo "  $writes"
[[ $figures == *" failed=0 "* ]] || die "requests failed through the containers"
[[ $writes == *" lost=0 duplicated=0 "* && $writes != *"acknowledged=0 "* ]] || die "acknowledged writes were not all stored once"
report "load: a minute of 4 people through the containers, no request failed, every acknowledged write stored once ($writes)"
for c in "notejam-api-$tag" "notejam-web-$tag"; do
  [[ $(docker inspect -f '{{.State.Running}} {{.State.OOMKilled}} {{.HostConfig.ReadonlyRootfs}}' "$c") == "true false true" ]] ||
    die "$c is not running read-only, or was killed for memory"
done

say "docker stop of the api 15 s into a second minute of load (it drains, then finishes what it started), then docker start"
dotnet "$devtools" load --site "http://127.0.0.1:$web_port" --database "$notes_here" --clients 4 --minutes 1 >"$work/stop-load.out" 2>"$work/stop-load.log" &
load_pid=$!
until grep -qx ready "$work/stop-load.out"; do kill -0 "$load_pid" 2>/dev/null || die "the load did not start (stop-load.log)"; sleep 0.2; done
sleep 15
stop_started=$EPOCHREALTIME
docker stop -t 30 "notejam-api-$tag" >/dev/null
stop_took=$(awk -v a="$stop_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
docker start "notejam-api-$tag" >/dev/null
api_back=$(healthy_after "notejam-api-$tag" "http://$(address "notejam-api-$tag"):8080")
wait "$load_pid" || { load_pid=''; die "the load failed (stop-load.log)"; }
load_pid=''
figures=$(grep '^figures minute=1 ' "$work/stop-load.out") writes=$(grep '^writes ' "$work/stop-load.out")
echo "  docker stop took ${stop_took} s (exit code $(docker inspect -f '{{.State.ExitCode}}' "notejam-api-$tag")), healthy again ${api_back} s after docker start"
echo "  $figures"
echo "  $writes"
# While no api answers, the site answers its 503 page: refused, never broken (a 500, a hang, a dropped connection).
[[ $figures == *" broken=0 "* ]] || die "requests broke while the api stopped"
[[ $writes == *" lost=0 duplicated=0 "* && $writes != *"acknowledged=0 "* ]] || die "acknowledged writes were not all stored once across docker stop"
report "docker stop: the api stopped in ${stop_took} s under load and was healthy ${api_back} s after docker start; no request broke, no acknowledged write lost ($writes)"

size() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f", $1 / 1e6 }'; }
base_mb=$(size "$base")
report "images run as uid 1654, read-only, no capabilities, 256 MiB: /health after docker run: api ${api_healthy} s, web ${web_healthy} s (the bound: 3 s)"
for image in api web; do
  mb=$(size "$registry/notejam-$image:$tag")
  report "size: notejam-$image $mb MB, the base $base_mb MB + $((mb - base_mb)) MB (the target: at most + 60 MB)"
done
# 6. The AppHost's container mode, which Postgres:Mode=Auto picks wherever an engine answers: Notejam.Tests' Containers
#    layer on this engine, PostgreSQL from the image above and the mail sink from NOTEJAM_SMTP4DEV_IMAGE, else its
#    offline stand-in (stand-in-smtp4dev.sh, on the base above). The results go where NOTEJAM_TEST_RESULTS says (.ci/run
#    counts them with the rest). NOTEJAM_CONTAINER_TESTS=0 leaves this out (the tests must be built).
image_settings() { # image_settings SECTION IMAGE: the AppHost's settings for IMAGE, as environment variables
  local ref=$2 registry='' tag=''
  if [[ $ref == */* && ${ref%%/*} == *[.:]* ]]; then registry=${ref%%/*}; ref=${ref#*/}; fi
  if [[ ${ref##*/} == *:* ]]; then tag=${ref##*:}; ref=${ref%:*}; fi
  echo "$1__ContainerRegistry=$registry" "$1__ContainerImage=$ref" "$1__ContainerTag=$tag"
}
if [[ ${NOTEJAM_CONTAINER_TESTS:-1} != 0 ]]; then
  smtp4dev_image=${NOTEJAM_SMTP4DEV_IMAGE:-}
  if [[ -z $smtp4dev_image ]]; then
    smtp4dev_image=$registry/notejam-smtp4dev-stand-in:3.15.0
    say "the offline stand-in $smtp4dev_image"
    deploy/containers/stand-in-smtp4dev.sh "$smtp4dev_image" "$base" || die "the smtp4dev stand-in did not build"
    images+=("$smtp4dev_image")
  fi
  say "the AppHost in container mode (dotnet test --filter Layer=Containers), PostgreSQL $postgres_image, mail sink $smtp4dev_image"
  # shellcheck disable=SC2046 # each setting one word
  env $(image_settings Postgres "$postgres_image") $(image_settings MailSink "$smtp4dev_image") \
    NOTEJAM_IMAGES_WEB="http://127.0.0.1:$web_port/" NOTEJAM_IMAGES_API="http://$(address "notejam-api-$tag"):8080/" \
    dotnet test Notejam.Tests --no-build --filter Layer=Containers --logger "trx;LogFileName=containers.trx" \
    --logger "console;verbosity=normal" --results-directory "${NOTEJAM_TEST_RESULTS:-$work/results}" >"$work/containers-tests.log" 2>&1 ||
    die "the Containers layer failed (containers-tests.log)"
  grep -E '^\s+(Passed|Failed|Skipped) |healthy and serving|postgres: |mail: ' "$work/containers-tests.log" | sed 's/^ */  /'
  grep -qE '^\s+Passed ' "$work/containers-tests.log" || die "the Containers layer ran no test (containers-tests.log)"
  report "Containers layer: $(grep -cE '^\s+Passed ' "$work/containers-tests.log") tests passed: the journey in Chromium and the API's happy path on the images, the tests' PostgreSQL in a container, the AppHost in container mode (PostgreSQL $postgres_image, mail sink $smtp4dev_image)"
fi
# 7. Compose (deploy/compose/compose.yaml), as someone without .NET runs Notejam: the images above, PostgreSQL's too, a
#    project of its own; up waits for every health check and depends_on condition (migrate exits 0 first); then a
#    sign-in through the site that only an api which reached PostgreSQL refuses as a wrong password (exit 3).
compose=(docker-compose)
command -v docker-compose >/dev/null || compose=(docker compose)
compose_port=$((20000 + RANDOM % 10000))
compose_project=notejam-compose-${tag#check-}
bash deploy/compose/new-env.sh >"$work/compose.env"
cat >>"$work/compose.env" <<ENV
NOTEJAM_PORT=$compose_port
NOTEJAM_API_IMAGE=$registry/notejam-api:$tag
NOTEJAM_WEB_IMAGE=$registry/notejam-web:$tag
NOTEJAM_POSTGRES_IMAGE=$postgres_image
NOTEJAM_SUBNET=172.31.$((200 + RANDOM % 50)).0/24
ENV
in_compose() { "${compose[@]}" -p "$compose_project" --env-file "$work/compose.env" -f deploy/compose/compose.yaml "$@"; }
compose_down() { in_compose down -v >/dev/null 2>&1 || true; }
compose_projects+=(compose_down)
say "compose: ${compose[*]} up (project $compose_project, the site on 127.0.0.1:$compose_port)"
compose_started=$EPOCHREALTIME
in_compose up -d >"$work/compose.log" 2>&1 ||
  { in_compose logs >>"$work/compose.log" 2>&1; die "compose up failed (compose.log)"; }
web_container=$(in_compose ps -q web)
within 120 bash -c "[[ \$(docker inspect -f '{{.State.Health.Status}}' $web_container) == healthy ]]" ||
  { in_compose logs >>"$work/compose.log" 2>&1; die "the web was not healthy within 120 s (compose.log)"; }
compose_healthy=$(awk -v a="$compose_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
set +e
dotnet "$devtools" signin --site "http://127.0.0.1:$compose_port" --email "nobody@example.com" --password "not the password" >/dev/null 2>"$work/compose-signin.log"
signin=$?
set -e
[[ $signin -eq 3 ]] || die "a sign-in through compose's site did not reach the api and PostgreSQL (exit $signin, compose-signin.log)"
migrate_exit=$(docker inspect -f '{{.State.ExitCode}}' "$(in_compose ps -q migrate)")
report "compose: every service healthy ${compose_healthy} s after up (migrate exited $migrate_exit); a sign-in reached the api and PostgreSQL"
compose_down
say "passed"
