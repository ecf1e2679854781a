#!/usr/bin/env bash
# The images and the AppHost's container mode on this machine's engine (one of CI's checks; a developer with Docker
# runs `dotnet test` alone: this script only makes what an offline machine lacks, then runs the same tests):
#  1. a Docker engine (dockerd is started when none answers, and stopped at the end) and a registry on 127.0.0.1:5000
#     (Debian's docker-registry, started when none answers there), which the SDK reads a base image from;
#  2. the offline stand-ins, each where no image is given: the base (NOTEJAM_CONTAINER_BASE, else stand-in-base.sh:
#     Debian bookworm, not the published Ubuntu chiseled base), PostgreSQL (NOTEJAM_POSTGRES_IMAGE, else
#     stand-in-postgres.sh, which keeps the official image's POSTGRES_* contract) and the mail sink
#     (NOTEJAM_SMTP4DEV_IMAGE, else stand-in-smtp4dev.sh, smtp4dev from the repository's tool on the base);
#  3. Notejam.Tests' Containers layer (dotnet test --filter Layer=Containers; the tests must be built), given those images
#     as the settings a developer's mirror would give:
#     - ImageTests and ComposeTests (Containers/NotejamImages.cs): both images built with the SDK
#       (dotnet publish /t:PublishContainer) on the base, run hardened on a network of the run's own (read-only root
#       filesystem, a tmpfs at /tmp, no capabilities, no-new-privileges, 256 MiB, the image's uid 1654; migrate once, the
#       api published nowhere, the web on 127.0.0.1): the journey in Chromium, the API's happy path, the user, /health
#       within 3 s of start, docker stop of the api under load with no acknowledged write lost, the api out of reach from
#       Docker's default network, the sizes against the base; then deploy/compose/compose.yaml up with the same images;
#     - TestPostgresRuleTests: the tests' own PostgreSQL as a throwaway container;
#     - ContainerModeTests: the AppHost in container mode (a second start on the same volume finds the notes).
#     Each check passed adds a line to $NOTEJAM_TEST_RESULTS/containers.txt (CI's summary prints them) and the results
#     go to $NOTEJAM_TEST_RESULTS (containers.trx, counted with CI's tests).
# Exit code 0 only when it all works; everything it built or started is removed.
set -euo pipefail
cd "$(dirname "$0")/../.."
registry=localhost:5000
work=$(mktemp -d /tmp/notejam-containers.XXXXXX)
started_dockerd='' registry_pid='' images=()
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
  # What it built goes too (a run leaves no images behind; the registry's storage is in $work).
  [[ ${#images[@]} -eq 0 ]] || docker image rm -f "${images[@]}" >/dev/null 2>&1 || true
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

# 2. The base, PostgreSQL's image and the mail sink's: each the one given, else an offline stand-in made here
given_or_stand_in() { # given_or_stand_in GIVEN STAND_IN SCRIPT: prints the image to use, making STAND_IN with SCRIPT if need be
  if [[ -n $1 ]]; then echo "$1"; return; fi
  say "the offline stand-in $2" >&2
  "deploy/containers/$3" "$2" >&2 || return 1   # (a command substitution does not inherit set -e)
  echo "$2"
}
base=$(given_or_stand_in "${NOTEJAM_CONTAINER_BASE:-}" "$registry/notejam-aspnet-stand-in:10.0" stand-in-base.sh)
[[ -n ${NOTEJAM_CONTAINER_BASE:-} ]] || images+=("$base")

postgres_image=$(given_or_stand_in "${NOTEJAM_POSTGRES_IMAGE:-}" "$registry/notejam-postgres-stand-in:15" stand-in-postgres.sh)
[[ -n ${NOTEJAM_POSTGRES_IMAGE:-} ]] || images+=("$postgres_image")
smtp4dev_image=${NOTEJAM_SMTP4DEV_IMAGE:-}
if [[ -z $smtp4dev_image ]]; then
  smtp4dev_image=$registry/notejam-smtp4dev-stand-in:3.15.0
  say "the offline stand-in $smtp4dev_image"
  deploy/containers/stand-in-smtp4dev.sh "$smtp4dev_image" "$base" || die "the smtp4dev stand-in did not build"
  images+=("$smtp4dev_image")
fi

# 3. The Containers layer, with those images as the AppHost's settings (which the tests' PostgreSQL follows too)
image_settings() { # image_settings SECTION IMAGE: the AppHost's settings for IMAGE, as environment variables
  local ref=$2 registry='' tag=''
  if [[ $ref == */* && ${ref%%/*} == *[.:]* ]]; then registry=${ref%%/*}; ref=${ref#*/}; fi
  if [[ ${ref##*/} == *:* ]]; then tag=${ref##*:}; ref=${ref%:*}; fi
  echo "$1__ContainerRegistry=$registry" "$1__ContainerImage=$ref" "$1__ContainerTag=$tag"
}
say "dotnet test --filter Layer=Containers: the images on $base, PostgreSQL $postgres_image, mail sink $smtp4dev_image"
# shellcheck disable=SC2046 # each setting one word
env $(image_settings Postgres "$postgres_image") $(image_settings MailSink "$smtp4dev_image") NOTEJAM_CONTAINER_BASE="$base" \
  dotnet test Notejam.Tests --no-build --filter Layer=Containers --logger "trx;LogFileName=containers.trx" \
  --logger "console;verbosity=normal" --results-directory "${NOTEJAM_TEST_RESULTS:-$work/results}" >"$work/containers-tests.log" 2>&1 ||
  die "the Containers layer failed (containers-tests.log)"
grep -E '^\s+(Passed|Failed|Skipped) |healthy and serving|postgres: |mail: ' "$work/containers-tests.log" | sed 's/^ */  /'
grep -qE '^\s+Passed ' "$work/containers-tests.log" || die "the Containers layer ran no test (containers-tests.log)"
! grep -qE '^\s+Skipped ' "$work/containers-tests.log" || die "the Containers layer skipped tests on a running engine (containers-tests.log)"
report "Containers layer: $(grep -cE '^\s+Passed ' "$work/containers-tests.log") tests passed (the images built and run hardened, compose, the tests' PostgreSQL in a container, the AppHost in container mode; base $base, PostgreSQL $postgres_image, mail sink $smtp4dev_image)"
say "passed"
