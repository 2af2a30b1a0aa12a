#!/usr/bin/env bash
# A local PostgreSQL server for the dbt `postgres` target: Debian's package, a cluster of our own under
# $PG_DIR, listening on loopback only ($PGHOST:$PGPORT). Used by `make pg-start` / `make pg-stop` and by
# `make test` (CI). Roles: $PGUSER owns the database and builds it; $CALLQA_PG_BI_ROLE may read the marts only
# (dbt grants it after every build; macros/grants.sql).
#   postgres_server.sh start | stop | status
set -euo pipefail

PG_DIR="${PG_DIR:-$(pwd)/data/postgres}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-55432}"
PGUSER="${PGUSER:-callqa}"
PGDATABASE="${PGDATABASE:-callqa}"
BI_ROLE="${CALLQA_PG_BI_ROLE:-callqa_bi}"

pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    if [[ -z "$dir" ]]; then
        echo "PostgreSQL server not installed: installing Debian's package 'postgresql'" >&2
        local sudo=""
        [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
        dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    fi
    echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run the server programs as the `postgres` system user.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

superuser_sql() {
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c "$1"
}

start() {
    local bin
    bin="$(pg_bin)"
    if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
        mkdir -p "$PG_DIR"
        [[ "$(id -u)" -ne 0 ]] || chown postgres "$PG_DIR"
        chmod 700 "$PG_DIR"
        # trust on loopback only: a throw-away local server for development and CI, never exposed
        as_owner "$bin/initdb" -D "$PG_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    fi
    # a server already answering on the port (ours, or one the machine provides) is used as it is
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" && ! as_owner "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$PG_DIR" -w -l "$PG_DIR/server.log" \
            -o "-c listen_addresses=$PGHOST -p $PGPORT -k $PG_DIR -c fsync=off -c TimeZone=UTC" start >/dev/null
    fi
    superuser_sql "select 1 from pg_roles where rolname = '$PGUSER'" | grep -q 1 \
        || superuser_sql "create role \"$PGUSER\" login"
    # the owner builds the database; the tests create (and drop) databases of their own
    superuser_sql "alter role \"$PGUSER\" createdb"
    # ... and may end sessions still open on a test database it drops (drop database ... with (force))
    superuser_sql "grant pg_signal_backend to \"$PGUSER\""
    superuser_sql "select 1 from pg_roles where rolname = '$BI_ROLE'" | grep -q 1 \
        || superuser_sql "create role \"$BI_ROLE\" login nocreatedb nocreaterole"
    superuser_sql "select 1 from pg_database where datname = '$PGDATABASE'" | grep -q 1 \
        || superuser_sql "create database \"$PGDATABASE\" owner \"$PGUSER\""
    superuser_sql "revoke all on database \"$PGDATABASE\" from public; grant connect on database \"$PGDATABASE\" to \"$BI_ROLE\""
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $PGHOST:$PGPORT, database $PGDATABASE (owner $PGUSER, read-only BI role $BI_ROLE), data in $PG_DIR"
}

stop() {
    [[ -f "$PG_DIR/PG_VERSION" ]] || return 0
    local bin
    bin="$(pg_bin)"
    as_owner "$bin/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) pg_isready -h "$PGHOST" -p "$PGPORT" ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
