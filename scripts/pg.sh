#!/usr/bin/env bash
# Project-local PostgreSQL for `make run` and `make test` when DATABASE_URL is unset.
#
#   scripts/pg.sh start   initdb (first time) and start; prints nothing else
#   scripts/pg.sh url     print the DATABASE_URL of the local cluster's `profiles` database
#   scripts/pg.sh stop    stop the cluster (data kept)
#   scripts/pg.sh status  exit 0 when running
#
# The cluster lives in .pg/ (git-ignored) with its own port and socket directory. It is a real
# database for `make run`: fsync stays on (a crash loses no researcher's data), and every
# connection, socket or TCP, needs the password that `start` generates into .pg/password (mode
# 0600), so other local users cannot read or change it. `url` prints a URL carrying it; keep that
# out of logs. Test databases trade durability for speed per database (synchronous_commit=off),
# never for the whole cluster. initdb refuses
# to run as root, so as root the server runs as the `postgres` user; that user must be able to
# reach the data folder, which a checkout under /root (mode 0700) does not allow, so the data then
# lives under /tmp and .pg is a symlink to it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGPORT="${PROFILES_PG_PORT:-54329}"
DBNAME=profiles
LINK="$ROOT/.pg"

need_install() {
    ! command -v pg_config >/dev/null 2>&1 || [ ! -x "$(pg_config --bindir)/initdb" ] \
        || ! pkg-config --exists libpq 2>/dev/null
}

install_postgres() {
    if need_install; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "PostgreSQL server and libpq-dev are missing; install them with:" >&2
            echo "  sudo apt-get install -y postgresql libpq-dev pkg-config" >&2
            exit 1
        fi
        echo "Installing Debian's postgresql and libpq-dev..." >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql libpq-dev pkg-config >&2
    fi
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

data_root() {
    if [ -e "$LINK" ]; then (cd "$LINK" && pwd -P); return; fi
    local dir="$LINK"
    if [ "$(id -u)" -eq 0 ]; then
        mkdir -p "$dir"
        chown postgres:postgres "$dir"
        if ! (cd / && runuser -u postgres -- test -w "$dir"); then
            rmdir "$dir"
            dir="$(mktemp -d /tmp/profiles-pg.XXXXXX)"
            chown postgres:postgres "$dir"
            ln -s "$dir" "$LINK"
        fi
    else
        mkdir -p "$dir"
    fi
    (cd "$LINK" && pwd -P)
}

password_file() {
    echo "$(data_root)/password"
}

# The generated password (made once, kept in .pg/password).
password() {
    local file
    file="$(password_file)"
    if [ ! -s "$file" ]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
    fi
    cat "$file"
}

# Password authentication everywhere; the superuser gets the generated password.
secure_cluster() {
    local bin="$1" root="$2" hba="$2/data/pg_hba.conf"
    if ! grep -qE '^[^#].*\btrust\b' "$hba"; then return; fi
    # Still trusting: set the password while we can, then require it.
    # On stdin, not the command line, where `ps` would show it to every local user.
    printf "ALTER USER postgres PASSWORD '%s';\n" "$(password)" \
        | "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qtA postgres >/dev/null
    as_owner sh -c "printf '%s\n' \
        '# Written by scripts/pg.sh: the password in .pg/password, on the socket and on loopback.' \
        'local all all scram-sha-256' \
        'host all all 127.0.0.1/32 scram-sha-256' \
        'host all all ::1/128 scram-sha-256' > '$hba'"
    as_owner "$bin/pg_ctl" -D "$root/data" reload >/dev/null
}

running() {
    local root
    [ -e "$LINK" ] || return 1
    root="$(cd "$LINK" && pwd -P)"
    [ -f "$root/data/postmaster.pid" ] && as_owner "$(pg_config --bindir)/pg_ctl" -D "$root/data" status >/dev/null 2>&1
}

start() {
    install_postgres
    local bin root
    bin="$(pg_config --bindir)"
    root="$(data_root)"
    if [ ! -f "$root/data/PG_VERSION" ]; then
        local pwfile
        pwfile="$(mktemp)"
        password > "$pwfile"
        if [ "$(id -u)" -eq 0 ]; then chown postgres "$pwfile"; fi
        as_owner "$bin/initdb" -D "$root/data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
            -E UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$pwfile"
    fi
    if ! running; then
        as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
            -o "-p $PGPORT -k $root -c listen_addresses=127.0.0.1 -c max_connections=300" \
            start >/dev/null
    fi
    secure_cluster "$bin" "$root"
    export PGPASSWORD
    PGPASSWORD="$(password)"
    if ! "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" postgres | grep -q 1; then
        "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE $DBNAME" postgres
    fi
}

stop() {
    if running; then
        local root
        root="$(cd "$LINK" && pwd -P)"
        as_owner "$(pg_config --bindir)/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) running ;;
    url) echo "postgres://postgres:$(password)@127.0.0.1:$PGPORT/$DBNAME" ;;
    install) install_postgres ;;
    *) echo "usage: $0 start|stop|status|url|install" >&2; exit 2 ;;
esac
