#!/usr/bin/env bash
# Prints `export` lines for local development secrets, generating them once into .run/secrets.env
# (git-ignored). Real deployments set ENCRYPTION_KEY and SESSION_SECRET themselves.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILE="$ROOT/.run/secrets.env"
if [ ! -f "$FILE" ]; then
    mkdir -p "$ROOT/.run"
    umask 077
    {
        echo "ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64 -w0)"
        echo "SESSION_SECRET=$(head -c 64 /dev/urandom | base64 -w0)"
    } > "$FILE"
fi
while IFS='=' read -r name value; do
    [ -z "${!name:-}" ] && echo "export $name='$value'"
done < "$FILE"
exit 0
