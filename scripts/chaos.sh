#!/usr/bin/env bash
# `make chaos`: the fault suite (api/examples/chaos.rs) against the real binaries, PostgreSQL and
# the stand-in doubles; self-sufficient like `make test`, which runs it with the default sizes.
# Larger runs: CHAOS_CLAIMS, CHAOS_KILLS, CHAOS_FAULT_CLAIMS, CHAOS_DATACITE_DOWN_SECS,
# CHAOS_PG_DOWN_SECS (see the example's header); the table goes to docs/reliability.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/deps.sh
STARTED_PG=
if [ -z "${DATABASE_URL:-}" ]; then
    if ! scripts/pg.sh status; then STARTED_PG=1; fi
    scripts/pg.sh start
    DATABASE_URL="$(scripts/pg.sh url)"
    export DATABASE_URL
fi
cleanup() { if [ -n "$STARTED_PG" ]; then scripts/pg.sh stop || true; fi; }
trap cleanup EXIT
cargo build --locked --quiet -p profiles-api --bins --examples
target/debug/examples/chaos
