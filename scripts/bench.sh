#!/usr/bin/env bash
# `make bench`: the benchmark suite, self-sufficient like `make test`, on release builds.
#   1. the API (api/examples/bench_api.rs): wrk against a release `profiles serve`, each read and
#      static file as a ratio to /heartbeat in the same run; BENCH_API_SECS per run (default 8);
#   2. the ORCID claims engine (api/examples/bench_claims.rs): BENCH_CLAIMS=N claims (default
#      400) through two workers against ORCID's limit, and a lone claim's wake-up latency.
# BENCH_ONLY=api or BENCH_ONLY=claims runs one. Figures: docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "==> Dependencies"
scripts/deps.sh bench

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

echo "==> cargo build --release (the profiles binary and the benches)"
cargo build --release --locked --quiet -p profiles-api --bins --examples
export PROFILES_BIN="$ROOT/target/release/profiles"
if [ ! -f web-ui/dist/index.html ]; then
    echo "==> web-ui build"
    (cd web-ui && npm run build --silent)
fi

# Not exec: the trap above must still stop PostgreSQL afterwards.
if [ "${BENCH_ONLY:-api}" != "claims" ]; then
    echo "==> API benchmark"
    target/release/examples/bench_api
fi
if [ "${BENCH_ONLY:-claims}" != "api" ]; then
    echo "==> Claims benchmark"
    target/release/examples/bench_claims
fi
