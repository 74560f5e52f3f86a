#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine, and nothing that is already there.
#   scripts/deps.sh          system packages (PostgreSQL, libpq, haproxy) and npm packages
#   scripts/deps.sh browser  also Debian's Chromium, for the browser tests
#   scripts/deps.sh bench    also wrk, for the API benchmark
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "==> apt-get install ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# npm ci only when node_modules is missing or older than the lockfile.
npm_ci() {
    local dir="$ROOT/$1"
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        echo "==> npm ci in $1" >&2
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
}

command -v node >/dev/null || { echo "Node.js 20+ is required (apt-get install nodejs npm)" >&2; exit 1; }
# haproxy: the load balancer in front of the scaled-out server in the browser journeys (and the
# fault suite).
apt_install postgresql libpq-dev pkg-config haproxy
if [ "${1:-}" = "browser" ]; then
    apt_install chromium fonts-liberation
fi
# `make bench` drives the API with wrk.
if [ "${1:-}" = "bench" ]; then
    apt_install wrk
fi
# diesel's CLI, pinned, in the project's own folder: `make test` checks schema.rs with it.
DIESEL_VERSION=2.3.3
if ! "$ROOT/.run/tools/bin/diesel" --version 2>/dev/null | grep -q "$DIESEL_VERSION"; then
    echo "==> cargo install diesel_cli $DIESEL_VERSION (into .run/tools)" >&2
    cargo install diesel_cli --version "$DIESEL_VERSION" --locked --no-default-features --features postgres \
        --root "$ROOT/.run/tools" --quiet >&2
fi
# schemathesis (the API fuzzer of `make test`), pinned, in the project's own virtualenv.
FUZZ_REQ="$ROOT/e2e/fuzz/requirements.txt"
if [ ! -x "$ROOT/.run/venv/bin/schemathesis" ] || [ "$FUZZ_REQ" -nt "$ROOT/.run/venv/.installed" ]; then
    echo "==> pip install schemathesis (into .run/venv)" >&2
    python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
    python3 -m venv "$ROOT/.run/venv" >&2
    "$ROOT/.run/venv/bin/pip" install --quiet --disable-pip-version-check -r "$FUZZ_REQ" >&2
    touch "$ROOT/.run/venv/.installed"
fi
npm_ci web-ui
npm_ci e2e/stand-ins
[ -f "$ROOT/e2e/package-lock.json" ] && npm_ci e2e
exit 0
