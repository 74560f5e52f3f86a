#!/usr/bin/env bash
# `make bench`: the benchmark suite, self-sufficient like `make test`, on release builds.
#   1. the API (api/examples/bench_api.rs): wrk against a release `profiles serve`, each read and
#      static file as a ratio to the /heartbeat runs either side of it, the median of
#      BENCH_API_ROUNDS rounds (default 3) of BENCH_API_SECS per run (default 4);
#   2. the ORCID claims engine (api/examples/bench_claims.rs): BENCH_CLAIMS=N claims (default
#      400) through two workers against ORCID's limit, a lone claim's wake-up latency, and intake
#      (BENCH_INTAKE_DOIS, default 2000, three creators each) through the poller, and half as
#      many through DOI events;
#   3. scale (api/examples/bench_scale.rs): BENCH_SCALE_CLAIMS claims (default 200,000; the
#      issue's 1,000,000 by setting it) read one request at a time, the queue's pick-up cost, and
#      a worker's RSS while backlogs of 10,000 and BENCH_SCALE_CLAIMS jobs drain
#      (BENCH_SCALE_DRAIN_SECS each, default 10). BENCH_API_HOLD=1 (bench_api alone) keeps a
#      seeded server up for profiling by hand;
#   4. the settings page's Largest Contentful Paint in Debian's Chromium (e2e/bench/lcp.mjs): the
#      journeys' stack on the release binary, one person signed in with ORCID, /settings loaded
#      warm (BENCH_LCP_RUNS, default 10) and cold (BENCH_LCP_COLD_RUNS, default 5) at desktop and
#      phone sizes, against the server's own plain "Sign-in problem" page in the same run.
# BENCH_ONLY=api, claims, scale or lcp runs one. Figures: docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

only() { [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = "$1" ]; }

echo "==> Dependencies"
scripts/deps.sh bench
# The LCP benchmark drives Debian's Chromium, as the journeys do.
if only lcp; then scripts/deps.sh browser; fi

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
if only api; then
    echo "==> API benchmark"
    target/release/examples/bench_api
fi
if only claims; then
    echo "==> Claims benchmark"
    target/release/examples/bench_claims
fi
if only scale; then
    echo "==> Scale benchmark"
    target/release/examples/bench_scale
fi
if only lcp; then
    echo "==> Settings page LCP benchmark"
    (cd e2e && node bench/lcp.mjs)
fi
