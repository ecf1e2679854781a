#!/usr/bin/env bash
# Restores a dump made by backup.sh into an EMPTY database, in one transaction: all of it or nothing.
# Usage: deploy/backup/restore.sh <file.dump> <postgresql://user:password@host:port/notejam_restored>
# Create the target first (createdb, or CREATE DATABASE notejam_restored), then point the apps at it.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <file.dump> <empty-database-uri>" >&2; exit 2; }
file=$1 target_uri=$2

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$target_uri" \
  --command="SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
[ "$tables" -eq 0 ] || { echo "the target database is not empty ($tables tables): refusing to restore into it" >&2; exit 1; }

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$target_uri" "$file"
echo "restored $file"
