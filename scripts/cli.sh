#!/usr/bin/env bash
# Runs the `profiles` command against the same database and secrets as `make run`
# (used by `make token` and `make admin`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -z "${DATABASE_URL:-}" ]; then
    scripts/pg.sh start >/dev/null
    DATABASE_URL="$(scripts/pg.sh url)"
    export DATABASE_URL
fi
eval "$(scripts/secrets.sh)"
cargo build --quiet --bin profiles
exec ./target/debug/profiles "$@"
