#!/usr/bin/env bash
# Prints a compose environment file with new random passwords and keys, for deploy/compose/compose.yaml:
#   bash deploy/compose/new-env.sh > deploy/compose/.env      (git ignores it; keep it: the volume needs the same password)
set -euo pipefail
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
echo "POSTGRES_PASSWORD=$(secret)"
echo "WEB_KEYRING_PASSWORD=$(secret)"
echo "API_KEY_ENCRYPTION_KEY=$(secret)"
echo "WEB_KEY_ENCRYPTION_KEY=$(secret)"
echo "# NOTEJAM_PORT=8080"
echo "# NOTEJAM_API_IMAGE=notejam-api:latest NOTEJAM_WEB_IMAGE=notejam-web:latest NOTEJAM_POSTGRES_IMAGE=docker.io/library/postgres:17"
