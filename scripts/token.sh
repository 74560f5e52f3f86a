#!/usr/bin/env bash
# `make token ORCID=<iD> SCOPE=<scope>[,<scope>…] [NAME=…]`: an API token for an existing account,
# printed once on stdout. A token never does more than its owner (events:write needs a staff admin:
# `make admin ORCID=<iD> ROLE=staff_admin`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${ORCID:?give ORCID=<ORCID iD of the account>}"
: "${SCOPE:?give SCOPE=<claims:read|claims:write|events:write|accounts:read>[,…]}"
args=()
IFS=',' read -ra scopes <<< "$SCOPE"
for s in "${scopes[@]}"; do args+=(--scope "$s"); done
exec "$ROOT/scripts/cli.sh" tokens create --orcid "$ORCID" --name "${NAME:-make token}" "${args[@]}"
