#!/usr/bin/env bash
# `make fuzz`: schemathesis against the real stack (see run.mjs). Installs what is missing, builds
# the server and the web UI unless E2E_SKIP_BUILD=1, and stops a PostgreSQL it had to start.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
scripts/deps.sh browser
if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
    cargo build --locked --quiet -p profiles-api --bins
    (cd web-ui && npm run --silent build >/dev/null)
fi
STARTED_PG=
if [ -z "${DATABASE_URL:-}" ] && ! scripts/pg.sh status; then STARTED_PG=1; fi
cleanup() { if [ -n "$STARTED_PG" ]; then scripts/pg.sh stop || true; fi; }
trap cleanup EXIT
cd e2e && node fuzz/run.mjs
