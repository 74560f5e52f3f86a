#!/usr/bin/env bash
# `make bench`: the ORCID claims benchmark (api/examples/bench_claims.rs), self-sufficient like
# `make test`. BENCH_CLAIMS=N sets the number of claims (default 400). Figures: docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "==> Dependencies"
scripts/deps.sh

STARTED_PG=
if [ -z "${DATABASE_URL:-}" ]; then
    echo "==> Project-local PostgreSQL"
    if ! scripts/pg.sh status; then STARTED_PG=1; fi
    scripts/pg.sh start
    DATABASE_URL="$(scripts/pg.sh url)"
    export DATABASE_URL
fi
# Stop what we started.
cleanup() { if [ -n "$STARTED_PG" ]; then scripts/pg.sh stop || true; fi; }
trap cleanup EXIT

echo "==> cargo build (debug: the profiles binary and the bench)"
cargo build --locked --quiet -p profiles-api --bins --examples

echo "==> Benchmark"
# Not exec: the trap above must still stop PostgreSQL afterwards.
target/debug/examples/bench_claims
