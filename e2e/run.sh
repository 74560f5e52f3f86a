#!/usr/bin/env bash
# `make e2e`: the end-to-end journeys in Debian's Chromium against the real server, PostgreSQL and
# the stand-ins. Installs what is missing (Chromium, npm packages), builds the server and the web
# UI unless E2E_SKIP_BUILD=1 (make test has just built both), then runs Playwright. Extra arguments
# go to Playwright, e.g. `e2e/run.sh -g "Search & Link"` or `e2e/run.sh --workers=1`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$(date +%s)

scripts/deps.sh browser

if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
    echo "==> Building the server and the web UI" >&2
    cargo build --locked --quiet -p profiles-api --bins
    (cd web-ui && npm run --silent build >/dev/null)
fi

# Without DATABASE_URL the suite uses the project-local cluster; stop it afterwards if we started it.
STARTED_PG=
if [ -z "${DATABASE_URL:-}" ] && ! scripts/pg.sh status; then
    STARTED_PG=1
fi
cleanup() { if [ -n "$STARTED_PG" ]; then scripts/pg.sh stop || true; fi; }
trap cleanup EXIT

status=0
(cd e2e && npx --no-install playwright test "$@") || status=$?
echo "==> e2e: $( [ $status -eq 0 ] && echo passed || echo FAILED ) in $(( $(date +%s) - start ))s" \
     "(screenshots in e2e/artifacts/screenshots, logs in e2e/artifacts/logs, traces of failures in e2e/test-results)" >&2
exit $status
