#!/usr/bin/env bash
# `make test`: every check and test, self-sufficient on a fresh Debian machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - start ))s)"; }

step "Dependencies"
scripts/deps.sh browser

STARTED_PG=
if [ -z "${DATABASE_URL:-}" ]; then
    step "Project-local PostgreSQL"
    if ! scripts/pg.sh status; then STARTED_PG=1; fi
    scripts/pg.sh start
    DATABASE_URL="$(scripts/pg.sh url)"
    export DATABASE_URL
    # The cluster `make run` keeps data in: durable, and closed to anyone without its password.
    if [ "$(psql "$DATABASE_URL" -tAc 'SHOW fsync')" != on ]; then
        echo "the project-local PostgreSQL runs with fsync off" >&2; exit 1
    fi
    if PGPASSWORD= psql -w -h 127.0.0.1 -p 54329 -U postgres -tAc 'SELECT 1' postgres >/dev/null 2>&1; then
        echo "the project-local PostgreSQL lets a connection in without its password" >&2; exit 1
    fi
fi
# Tests stop what they start.
cleanup() { if [ -n "$STARTED_PG" ]; then scripts/pg.sh stop || true; fi; }
trap cleanup EXIT

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

step "OpenAPI document is current"
cargo run --locked --quiet --bin profiles -- openapi > "$ROOT/.run-openapi.json"
if ! diff -q "$ROOT/.run-openapi.json" openapi/openapi.json >/dev/null; then
    rm -f "$ROOT/.run-openapi.json"
    echo "openapi/openapi.json is stale: run 'make openapi' and commit it" >&2
    exit 1
fi
rm -f "$ROOT/.run-openapi.json"

step "schema.rs is what diesel print-schema makes of the migrations"
SCHEMA_DB="profiles_schema_check_$$"
ADMIN_URL="${DATABASE_URL%/*}/postgres"
SCHEMA_URL="${DATABASE_URL%/*}/$SCHEMA_DB"
psql -q "$ADMIN_URL" -c "CREATE DATABASE $SCHEMA_DB" >/dev/null
DATABASE_URL="$SCHEMA_URL" cargo run --locked --quiet --bin profiles -- migrate >/dev/null
mkdir -p "$ROOT/.run"
"$ROOT/.run/tools/bin/diesel" print-schema --database-url "$SCHEMA_URL" > "$ROOT/.run/schema.rs"
psql -q "$ADMIN_URL" -c "DROP DATABASE $SCHEMA_DB" >/dev/null
if ! diff -u api/src/db/schema.rs "$ROOT/.run/schema.rs"; then
    echo "api/src/db/schema.rs differs from diesel print-schema: run it (see diesel.toml) and commit" >&2
    exit 1
fi

step "Rust tests (unit and integration, against PostgreSQL)"
cargo test --locked --all-targets

step "Web UI: generated API types, lint, typecheck, unit tests, build"
(cd web-ui && npm run --silent check:api && npm run --silent lint && npm run --silent typecheck && npm test --silent && npm run --silent build && npm run --silent check:size)

step "Stand-ins and test doubles"
(cd e2e/stand-ins && npm test --silent)

step "End-to-end journeys in Chromium (make e2e)"
E2E_SKIP_BUILD=1 make --no-print-directory e2e

step "The API fuzzed from its OpenAPI document (make fuzz)"
E2E_SKIP_BUILD=1 make --no-print-directory fuzz

step "The fault suite (make chaos)"
make --no-print-directory chaos

step "All tests passed in $(( $(date +%s) - start ))s"
