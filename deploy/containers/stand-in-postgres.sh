#!/usr/bin/env bash
# Makes an OFFLINE STAND-IN for the postgres image (docker.io/library/postgres), for machines that cannot pull it:
# Debian bookworm (debootstrap --variant=minbase from the apt mirror this machine uses) with Debian's postgresql-15,
# and an entry point that keeps the official image's environment contract: POSTGRES_PASSWORD (required),
# POSTGRES_USER (postgres), POSTGRES_DB (the user's name), PGDATA (/var/lib/postgresql/data), a new cluster on the
# first start, listening on every address with scram-sha-256 passwords. It runs as the image's postgres user.
#
#   deploy/containers/stand-in-postgres.sh [IMAGE]    (default localhost:5000/notejam-postgres-stand-in:15)
set -euo pipefail
image=${1:-localhost:5000/notejam-postgres-stand-in:15}
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { echo "stand-in-postgres.sh: debootstrap is missing (apt-get install -y debootstrap)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "stand-in-postgres.sh: no Docker engine answers" >&2; exit 1; }

root=$(mktemp -d /tmp/notejam-stand-in-pg.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "stand-in-postgres.sh: making an OFFLINE STAND-IN postgres image (Debian bookworm, postgresql-15), not the official image"
debootstrap --variant=minbase --include=postgresql-15,postgresql-client-15,locales bookworm "$root/fs" "$mirror" >"$root/debootstrap.log" 2>&1 ||
  { tail -n 20 "$root/debootstrap.log" >&2; echo "stand-in-postgres.sh: debootstrap failed" >&2; exit 1; }
cat >"$root/fs/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/bash
# The official postgres image's environment contract (see deploy/containers/stand-in-postgres.sh).
set -euo pipefail
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  [[ -n ${POSTGRES_PASSWORD:-} ]] || { echo "POSTGRES_PASSWORD is required (the official image's contract)" >&2; exit 1; }
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  printf '%s' "$POSTGRES_PASSWORD" >/tmp/pwfile
  "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f /tmp/pwfile
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [[ $db != postgres ]]; then
    "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/tmp" -w start >/dev/null
    "$bin/psql" -h /tmp -U "$user" -d postgres -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" >/dev/null
    "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "docker-entrypoint.sh: made the cluster in $PGDATA (user $user, database $db)"
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
ENTRY
chmod 755 "$root/fs/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$root/fs/var/lib/postgresql/data"
chroot "$root/fs" chown -R postgres:postgres /var/lib/postgresql
uid=$(chroot "$root/fs" id -u postgres)
rm -rf "$root/fs/var/cache/apt/archives/"*.deb "$root/fs/var/lib/apt/lists/"* "$root/fs/etc/postgresql"
tar -C "$root/fs" -c . | docker import \
  --change 'ENV PGDATA=/var/lib/postgresql/data PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "USER $uid" --change 'EXPOSE 5432' --change 'VOLUME /var/lib/postgresql/data' \
  --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' - "$image" >/dev/null
if [[ $image == */* && ${image%%/*} == *[.:]* ]]; then
  docker push -q "$image" >/dev/null
fi
echo "stand-in-postgres.sh: $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}')): OFFLINE STAND-IN, Debian bookworm, PostgreSQL 15"
