#!/usr/bin/env bash
# Dumps the Notejam database to one file (pg_dump's custom format: compressed, restorable table by table).
# Usage: deploy/backup/backup.sh <postgresql://user:password@host:port/notejam?sslmode=require> <file.dump>
# Needs pg_dump of the server's major version or newer (Debian: apt-get install postgresql-client).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <database-uri> <file.dump>" >&2; exit 2; }
source_uri=$1 file=$2

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$file" --dbname="$source_uri"
echo "dumped to $file ($(du -h "$file" | cut -f1))"
pg_restore --list "$file" | grep -c ' TABLE DATA ' | xargs echo "tables with data:"
