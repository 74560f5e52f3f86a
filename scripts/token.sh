#!/usr/bin/env bash
# `make token ORCID=<iD> SCOPE=<scope>[,<scope>…] [NAME=…]`: an API token for an existing account,
# printed once on stdout. Uses the same database and secrets as `make run`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${ORCID:?give ORCID=<ORCID iD of the account>}"
: "${SCOPE:?give SCOPE=<claims:read|claims:write|events:write|accounts:read>[,…]}"
if [ -z "${DATABASE_URL:-}" ]; then
    scripts/pg.sh start >/dev/null
    DATABASE_URL="$(scripts/pg.sh url)"
    export DATABASE_URL
fi
eval "$(scripts/secrets.sh)"
cargo build --quiet --bin profiles
args=()
IFS=',' read -ra scopes <<< "$SCOPE"
for s in "${scopes[@]}"; do args+=(--scope "$s"); done
exec ./target/debug/profiles tokens create --orcid "$ORCID" --name "${NAME:-make token}" "${args[@]}"
