#!/usr/bin/env bash
# The two images, built the way production builds them and run the way the chart and Container Apps run them, on
# this machine (one of CI's checks; a developer with Docker runs it the same way):
#  1. a Docker engine (dockerd is started when none answers, and stopped at the end) and a registry on 127.0.0.1:5000
#     (Debian's docker-registry, started when none answers there);
#  2. the base: NOTEJAM_CONTAINER_BASE when set (a mirror of the published base, say), else the offline stand-in that
#     stand-in-base.sh makes (Debian bookworm, not the published Ubuntu chiseled base);
#  3. notejam-api and notejam-web with the SDK (dotnet publish /t:PublishContainer), base and registry given as the
#     settings ContainerBaseImage and ContainerRegistry;
#  4. a throwaway PostgreSQL (Notejam.DevTools postgres), then each image hardened: read-only root filesystem (a tmpfs
#     at /tmp the only writable path), every capability dropped, no-new-privileges, 256 MiB of memory, its own uid:
#     migrate once (it must exit 0), then api and web;
#  5. it checks the images' user (1654, not root), times /health from `docker run` (reported), runs a minute of the
#     site's load through the containers (Notejam.DevTools load: 4 people sign up, read and write through the forms;
#     no request may fail, every acknowledged write must be stored once), then a second minute during which the api
#     gets `docker stop` (SIGTERM: it drains and finishes what it started) and `docker start`: no request may break
#     (the site's 503 page is a clean refusal), no acknowledged write may be lost; and reports the images' sizes
#     against the base's.
# The containers share the host's network (PostgreSQL listens on 127.0.0.1 only). Exit code 0 only when it all works.
set -euo pipefail
cd "$(dirname "$0")/../.."
registry=localhost:5000
work=$(mktemp -d /tmp/notejam-containers.XXXXXX)
started_dockerd='' registry_pid='' pg_pid='' load_pid='' containers=() images=()
say() { printf '== containers: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
die() { echo "deploy/containers/check.sh: $*" >&2; exit 1; }
cleanup() {
  local status=$?
  [[ -z $load_pid ]] || kill -TERM "$load_pid" 2>/dev/null || true
  for container in "${containers[@]}"; do docker rm -f "$container" >/dev/null 2>&1 || true; done
  # What it built goes too (a run leaves no images behind; the registry's storage is in $work).
  [[ ${#images[@]} -eq 0 ]] || docker image rm -f "${images[@]}" >/dev/null 2>&1 || true
  [[ -z $pg_pid ]] || { kill -TERM "$pg_pid" 2>/dev/null; wait "$pg_pid" 2>/dev/null || true; }
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
  for _ in $(seq 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || die "dockerd did not answer within 30 s"
fi
if ! curl -fsS -m 2 "http://$registry/v2/" >/dev/null 2>&1; then
  say "starting a registry on $registry"
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5000\n' "$work/registry" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.txt" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do curl -fsS -m 2 "http://$registry/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS -m 2 "http://$registry/v2/" >/dev/null || die "the registry did not answer"
fi

# 2. The base
base=${NOTEJAM_CONTAINER_BASE:-}
if [[ -z $base ]]; then
  base=$registry/notejam-aspnet-stand-in:10.0
  say "the offline stand-in base $base"
  deploy/containers/stand-in-base.sh "$base"
  images+=("$base")
fi

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

# 4. PostgreSQL, migrate, api, web
devtools=Notejam.DevTools/bin/Debug/net10.0/Notejam.DevTools.dll
[[ -f $devtools ]] || dotnet build Notejam.DevTools -nologo -v q -clp:ErrorsOnly >/dev/null
dotnet "$devtools" postgres --setting max_connections=100 >"$work/postgres.out" 2>"$work/postgres.log" &
pg_pid=$!
for _ in $(seq 300); do grep -q '^ready' "$work/postgres.out" && break; kill -0 "$pg_pid" || die "PostgreSQL did not start"; sleep 0.1; done
read -r _ port password _ < <(sed -n 's/^ready port=\([0-9]*\) password=\([0-9a-f]*\) .*/x \1 \2 x/p' "$work/postgres.out")
PGPASSWORD=$password psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtX -c 'CREATE DATABASE notejam' >/dev/null
notes="Host=127.0.0.1;Port=$port;Database=notejam;Username=postgres;Password=$password"
keyring="Host=127.0.0.1;Port=$port;Database=notejam_web;Username=notejam_web;Password=web-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
api_port=$((20000 + RANDOM % 10000)) web_port=$((30000 + RANDOM % 10000))
hardened=(--network host --read-only --tmpfs /tmp:rw,size=64m --cap-drop ALL --security-opt no-new-privileges --memory 256m)
common=(-e Notejam__ApiUrl="http://127.0.0.1:$api_port/" -e Notejam__WebUrl="http://127.0.0.1:$web_port/" -e Notejam__Limits__ExemptLoopback=true)

say "migrate (one-shot), then api on :$api_port and web on :$web_port, hardened"
docker run --rm --name "notejam-migrate-$tag" "${hardened[@]}" "${common[@]}" -e ConnectionStrings__notejam="$notes" \
  -e ConnectionStrings__webkeyring="$keyring" "$registry/notejam-api:$tag" migrate >"$work/migrate.log" 2>&1 ||
  die "migrate did not exit 0 (migrate.log)"
healthy_after() { # healthy_after NAME PORT: seconds from now until http://127.0.0.1:PORT/health answers Healthy
  local start=$EPOCHREALTIME
  for _ in $(seq 300); do
    [[ $(curl -s -m 1 "http://127.0.0.1:$2/health") == Healthy ]] && { awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; return; }
    sleep 0.1
  done
  docker logs "$1" >"$work/$1.log" 2>&1; die "$1 was not healthy within 30 s ($1.log)"
}
containers+=("notejam-api-$tag")
docker run -d --name "notejam-api-$tag" "${hardened[@]}" "${common[@]}" -e ASPNETCORE_HTTP_PORTS="$api_port" \
  -e ConnectionStrings__notejam="$notes" -e DataProtection__KeyEncryptionKey="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$registry/notejam-api:$tag" >/dev/null
api_healthy=$(healthy_after "notejam-api-$tag" "$api_port")
containers+=("notejam-web-$tag")
docker run -d --name "notejam-web-$tag" "${hardened[@]}" "${common[@]}" -e ASPNETCORE_HTTP_PORTS="$web_port" \
  -e ConnectionStrings__webkeyring="$keyring" -e DataProtection__KeyEncryptionKey="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$registry/notejam-web:$tag" >/dev/null
web_healthy=$(healthy_after "notejam-web-$tag" "$web_port")

# 5. The site through the containers, and the sizes
say "a minute of the site's load through the containers (Notejam.DevTools load, 4 people)"
dotnet "$devtools" load --site "http://127.0.0.1:$web_port" --database "$notes" --clients 4 --minutes 1 >"$work/load.out" 2>"$work/load.log" ||
  { for c in "${containers[@]}"; do docker logs "$c" >"$work/$c.log" 2>&1; done; die "the load failed (load.log)"; }
figures=$(grep '^figures minute=1 ' "$work/load.out") writes=$(grep '^writes ' "$work/load.out")
echo "  $figures"
echo "  $writes"
[[ $figures == *" failed=0 "* ]] || die "requests failed through the containers"
[[ $writes == *" lost=0 duplicated=0 "* && $writes != *"acknowledged=0 "* ]] || die "acknowledged writes were not all stored once"
for c in "${containers[@]}"; do
  [[ $(docker inspect -f '{{.State.Running}} {{.State.OOMKilled}} {{.HostConfig.ReadonlyRootfs}}' "$c") == "true false true" ]] ||
    die "$c is not running read-only, or was killed for memory"
done

say "docker stop of the api 15 s into a second minute of load (it drains, then finishes what it started), then docker start"
dotnet "$devtools" load --site "http://127.0.0.1:$web_port" --database "$notes" --clients 4 --minutes 1 >"$work/stop-load.out" 2>"$work/stop-load.log" &
load_pid=$!
until grep -qx ready "$work/stop-load.out"; do kill -0 "$load_pid" 2>/dev/null || die "the load did not start (stop-load.log)"; sleep 0.2; done
sleep 15
stop_started=$EPOCHREALTIME
docker stop -t 30 "notejam-api-$tag" >/dev/null
stop_took=$(awk -v a="$stop_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
docker start "notejam-api-$tag" >/dev/null
api_back=$(healthy_after "notejam-api-$tag" "$api_port")
wait "$load_pid" || { load_pid=''; die "the load failed (stop-load.log)"; }
load_pid=''
figures=$(grep '^figures minute=1 ' "$work/stop-load.out") writes=$(grep '^writes ' "$work/stop-load.out")
echo "  docker stop took ${stop_took} s (exit code $(docker inspect -f '{{.State.ExitCode}}' "notejam-api-$tag")), healthy again ${api_back} s after docker start"
echo "  $figures"
echo "  $writes"
# While no api answers, the site answers its 503 page: refused, never broken (a 500, a hang, a dropped connection).
[[ $figures == *" broken=0 "* ]] || die "requests broke while the api stopped"
[[ $writes == *" lost=0 duplicated=0 "* && $writes != *"acknowledged=0 "* ]] || die "acknowledged writes were not all stored once across docker stop"

size() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f", $1 / 1e6 }'; }
base_mb=$(size "$base")
echo "images (uid 1654, read-only, no capabilities, 256 MiB): /health after docker run: api ${api_healthy} s, web ${web_healthy} s (the issue's bound: 3 s)"
for image in api web; do
  mb=$(size "$registry/notejam-$image:$tag")
  echo "  notejam-$image: $mb MB, the base $base_mb MB + $((mb - base_mb)) MB (the target: at most + 60 MB)"
done
say "passed"
