#!/usr/bin/env bash
# `make run`: everything a newcomer needs, in the foreground until Ctrl-C, on a release build (what
# an operator runs). `make dev` (scripts/run.sh dev): a debug build, and the web UI from Vite's dev
# server with hot reload (http://HOST:5173, proxying the API), for working on the code.
set -euo pipefail
MODE="${1:-release}"
case "$MODE" in release|dev) ;; *) echo "usage: scripts/run.sh [release|dev]" >&2; exit 2 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/deps.sh
if [ -z "${DATABASE_URL:-}" ]; then
    scripts/pg.sh start
    DATABASE_URL="$(scripts/pg.sh url)"
    export DATABASE_URL
    echo "==> PostgreSQL: project-local cluster in .pg/ (port 54329, password in .pg/password); 'make stop' stops it"
fi
eval "$(scripts/secrets.sh)"

export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8080}"
VITE_PORT="${VITE_PORT:-5173}"
if [ "$MODE" = dev ]; then
    # The browser talks to Vite, which proxies the API's paths: that is the public origin.
    export PUBLIC_URL="${PUBLIC_URL:-http://$HOST:$VITE_PORT}"
else
    export PUBLIC_URL="${PUBLIC_URL:-http://$HOST:$PORT}"
fi
export APP_BASE_URL="$PUBLIC_URL"
# Metrics for whoever runs this machine (see .env.example for a scraper's token).
export METRICS_ALLOWED_NETWORKS="${METRICS_ALLOWED_NETWORKS:-127.0.0.1/32,::1/128}"

if [ "$MODE" = dev ]; then
    echo "==> Building the API (debug)"
    cargo build --quiet --bin profiles
    BIN=./target/debug/profiles
else
    echo "==> Building the web UI"
    (cd web-ui && npm run --silent build >/dev/null)
    echo "==> Building the API (release; the first build takes a few minutes)"
    cargo build --release --quiet --bin profiles
    BIN=./target/release/profiles
fi

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Without real credentials, local stand-ins play ORCID, Google, GitHub and DataCite. The stand-ins
# and the app read the same client settings from the environment.
if [ -z "${ORCID_CLIENT_ID:-}" ]; then
    export ORCID_CLIENT_ID=APP-PROFILESTEST0001 ORCID_CLIENT_SECRET=local-orcid-secret
    export ORCID_URL=http://127.0.0.1:9401 ORCID_API_URL=http://127.0.0.1:9404
    export GOOGLE_CLIENT_ID="${GOOGLE_CLIENT_ID:-profiles-local.apps.googleusercontent.com}"
    export GOOGLE_CLIENT_SECRET="${GOOGLE_CLIENT_SECRET:-local-google-secret}"
    export GOOGLE_ISSUER_URL="${GOOGLE_ISSUER_URL:-http://127.0.0.1:9402}"
    export GITHUB_CLIENT_ID="${GITHUB_CLIENT_ID:-Ov23liProfilesLocal1}" GITHUB_CLIENT_SECRET="${GITHUB_CLIENT_SECRET:-local-github-secret}"
    export GITHUB_URL="${GITHUB_URL:-http://127.0.0.1:9403}" GITHUB_API_URL="${GITHUB_API_URL:-http://127.0.0.1:9403}"
    export DATACITE_API_URL="${DATACITE_API_URL:-http://127.0.0.1:9405}"
    export DATACITE_SEARCH_URL="${DATACITE_SEARCH_URL:-http://127.0.0.1:9405}"
    # ORCID inbox permission notifications: someone a DOI names who has not granted Auto-Update is
    # asked in their ORCID inbox at the stand-in. The stand-in gives this client the
    # client_credentials grant its /premium-notification token needs (a configured client has it
    # unless grant_types leaves it out). A short sweep, so a notification lands within seconds.
    # With real ORCID credentials none of this applies: ORCID_NOTIFICATIONS stays as configured.
    export ORCID_NOTIFICATIONS="${ORCID_NOTIFICATIONS:-on}" NOTIFICATION_SWEEP_SECS="${NOTIFICATION_SWEEP_SECS:-5}"
    mkdir -p .run
    node e2e/stand-ins/cli.mjs all > .run/stand-ins.out 2> .run/stand-ins.log &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        [ "$(grep -c '"ready"' .run/stand-ins.out 2>/dev/null || true)" -ge 5 ] && grep -q 'Stop with' .run/stand-ins.log && break
        kill -0 "${PIDS[0]}" 2>/dev/null || { cat .run/stand-ins.log >&2; exit 1; }
        sleep 0.1
    done
    grep -v -i 'warn\|node.js' .run/stand-ins.log | sed 's/^/    /'
    # The ORCID Member API double's ready line names a person's inbox page: …/inbox/{orcid}.
    INBOX_URL="$(sed -n 's/.*"inbox":"\([^"]*\)".*/\1/p' .run/stand-ins.out | head -n 1)"
fi

echo "==> Profiles at $PUBLIC_URL  (API docs: $PUBLIC_URL/api/docs)"
if [ -n "${INBOX_URL:-}" ]; then
    echo "==> ORCID inbox (stand-in): $INBOX_URL  (ORCID_NOTIFICATIONS=$ORCID_NOTIFICATIONS: someone a DOI names without Auto-Update is asked there within ${NOTIFICATION_SWEEP_SECS} s; see README, \"Try it: a DOI names someone who never signed in\")"
fi
if [ "$MODE" = dev ]; then
    (cd web-ui && PROFILES_API_URL="http://$HOST:$PORT" npx vite --host "$HOST" --port "$VITE_PORT" --strictPort --clearScreen false) &
    PIDS+=($!)
    echo "==> Vite dev server with hot reload at $PUBLIC_URL (the API itself at http://$HOST:$PORT)"
fi
"$BIN" serve &
PIDS+=($!)
wait "${PIDS[-1]}"
