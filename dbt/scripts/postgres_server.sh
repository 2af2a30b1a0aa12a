#!/usr/bin/env bash
# A local PostgreSQL server for the dbt `postgres` target: Debian's package, a cluster of our own under
# $PG_DIR, listening on loopback only ($PGHOST:$PGPORT) and on a socket inside the cluster directory. Used by
# `make pg-start` / `make pg-stop` and by `make test` (CI).
#
# Who may log in: every role needs its password (SCRAM-SHA-256, on TCP and on the socket; no trust, no peer).
# Roles: `postgres` (superuser, used by this script only), $PGUSER (owns and builds the database, may create
# the tests' databases) and $CALLQA_PG_BI_ROLE (may read the marts only; dbt grants it after every build,
# macros/grants.sql). Their passwords are generated here on first start and kept in $PGPASSFILE (default: beside
# $PG_DIR, data/postgres.pgpass), mode 600, owned by whoever ran this; libpq (psql, psycopg2, dbt) reads it when
# PGPASSFILE points to it.
#
# As root the server runs as the system user `postgres`. When that user cannot reach $PG_DIR (a clone in a
# folder only root may enter), the cluster goes to postgres's home instead
# (/var/lib/postgresql/callqa-clusters/<hash of $PG_DIR>) and $PG_DIR becomes a symbolic link to it.
#   postgres_server.sh start | stop | status | dir
set -euo pipefail

PG_DIR="${PG_DIR:-$(pwd)/data/postgres}"
PG_DIR="${PG_DIR%/}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-55432}"
PGUSER="${PGUSER:-callqa}"
PGDATABASE="${PGDATABASE:-callqa}"
BI_ROLE="${CALLQA_PG_BI_ROLE:-callqa_bi}"
PGPASSFILE="${PGPASSFILE:-$(dirname "$PG_DIR")/postgres.pgpass}"
export PGPASSFILE
unset PGPASSWORD  # the password file is the one source of passwords here

die() { echo "postgres_server.sh: $*" >&2; exit 1; }

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

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# PostgreSQL refuses to run as root: as root, run the server programs as the `postgres` system user.
# (From /, which it can enter: the current folder may be closed to it.)
as_owner() {
    if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The directory the cluster really lives in (printed). Not root: $PG_DIR. Root: $PG_DIR when the user
# `postgres` can reach it (every parent folder searchable), else a directory in that user's home named by a hash
# of $PG_DIR (two clones, two clusters), which `start` links $PG_DIR to so that `stop` and people find it.
cluster_dir() {
    if ! is_root; then echo "$PG_DIR"; return; fi
    if [[ -L "$PG_DIR" ]]; then readlink "$PG_DIR"; return; fi  # relocated by an earlier start
    local parent
    parent="$(dirname "$PG_DIR")"
    while [[ ! -e "$parent" ]]; do parent="$(dirname "$parent")"; done  # (start creates the missing ones first)
    if runuser -u postgres -- test -x "$parent" 2>/dev/null; then echo "$PG_DIR"; return; fi
    local home
    home="$(getent passwd postgres | cut -d: -f6)"
    [[ -n "$home" && -d "$home" ]] || die "the system user 'postgres' cannot enter $(dirname "$PG_DIR") (a parent \
folder is closed to it) and has no home directory for the cluster: set PG_DIR to a folder it can reach, e.g. \
PG_DIR=/var/tmp/callqa-postgres make pg-start"
    echo "$home/callqa-clusters/$(printf '%s' "$(realpath -m "$PG_DIR")" | sha256sum | cut -c1-16)"
}

# Password of a role from the password file (empty if none). Lines: host:port:database:role:password.
password_of() {
    [[ -f "$PGPASSFILE" ]] || return 0
    awk -F: -v h="$PGHOST" -v p="$PGPORT" -v r="$1" '$1 == h && $2 == p && $3 == "*" && $4 == r {print $5; exit}' \
        "$PGPASSFILE"
}

new_password() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# Record (or replace) the password of a role in the password file, readable by its owner only.
remember_password() {
    local role="$1" password="$2" tmp
    mkdir -p "$(dirname "$PGPASSFILE")"
    (umask 077; touch "$PGPASSFILE")
    chmod 600 "$PGPASSFILE"
    tmp="$(umask 077; mktemp "$PGPASSFILE.XXXXXX")"
    awk -F: -v h="$PGHOST" -v p="$PGPORT" -v r="$role" '!($1 == h && $2 == p && $3 == "*" && $4 == r)' \
        "$PGPASSFILE" >"$tmp"
    echo "$PGHOST:$PGPORT:*:$role:$password" >>"$tmp"
    mv "$tmp" "$PGPASSFILE"
}

# SQL as the superuser on database $2 (default postgres), from stdin (so that no password is ever on a command
# line, where `ps` would show it).
superuser_sql() {
    PGOPTIONS="-c client_min_messages=warning" \
        psql -h "$PGHOST" -p "$PGPORT" -U postgres -d "${1:-postgres}" -v ON_ERROR_STOP=1 -qAt -f -
}

superuser_can_log_in() {
    echo "select 1" | superuser_sql >/dev/null 2>&1
}

write_hba() {
    local dir="$1"
    as_owner tee "$dir/pg_hba.conf" >/dev/null <<EOF
# Written by dbt/scripts/postgres_server.sh on every start: a password (SCRAM-SHA-256) for every role,
# on the cluster's own socket and on loopback; nothing else is accepted.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  scram-sha-256
host    all       all   127.0.0.1/32   scram-sha-256
host    all       all   ::1/128        scram-sha-256
EOF
}

server_port() {  # the port our running server listens on (line 4 of postmaster.pid)
    as_owner sed -n 4p "$1/postmaster.pid" 2>/dev/null || true
}

start_server() {
    local bin="$1" dir="$2"
    as_owner "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
        -o "-c listen_addresses=$PGHOST -p $PGPORT -k $dir -c fsync=off -c TimeZone=UTC -c password_encryption=scram-sha-256" \
        start >/dev/null
}

start() {
    local bin dir
    bin="$(pg_bin)"
    mkdir -p "$(dirname "$PG_DIR")"
    dir="$(cluster_dir)"
    if [[ "$dir" != "$PG_DIR" ]]; then
        mkdir -p "$(dirname "$dir")"
        chown postgres: "$(dirname "$dir")"
        chmod 700 "$(dirname "$dir")"
        if [[ ! -L "$PG_DIR" ]]; then
            # an empty folder left by a failed initdb goes; anything else is not ours to remove
            [[ ! -e "$PG_DIR" ]] || rmdir "$PG_DIR" 2>/dev/null || die "$PG_DIR is in the way: the cluster must live \
in $dir because the system user 'postgres' cannot enter $(dirname "$PG_DIR"); move $PG_DIR away and run again"
            ln -s "$dir" "$PG_DIR"
            echo "the system user 'postgres' cannot enter $(dirname "$PG_DIR"): cluster in $dir ($PG_DIR links to it)"
        fi
    fi

    local super_password
    super_password="$(password_of postgres)"
    if [[ ! -f "$dir/PG_VERSION" ]]; then
        ! pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "another server answers on $PGHOST:$PGPORT (not the \
cluster in $dir, which does not exist yet): stop it, or choose another port (PGPORT=...)"
        [[ -n "$super_password" ]] || { super_password="$(new_password)"; remember_password postgres "$super_password"; }
        mkdir -p "$dir"
        ! is_root || chown postgres: "$dir"
        chmod 700 "$dir"
        local pwfile
        pwfile="$(mktemp)"
        ! is_root || chown postgres "$pwfile"
        echo "$super_password" >"$pwfile"
        as_owner "$bin/initdb" -D "$dir" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 \
            --locale=C.UTF-8 --no-sync >/dev/null || { rm -f "$pwfile"; die "initdb failed in $dir"; }
        rm -f "$pwfile"
    fi
    write_hba "$dir"

    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        local port
        port="$(server_port "$dir")"
        [[ "$port" == "$PGPORT" ]] || die "the cluster in $dir already runs on port $port, not $PGPORT: use \
PGPORT=$port, or stop it first (make pg-stop PGPORT=$port)"
        as_owner "$bin/pg_ctl" -D "$dir" reload >/dev/null  # the pg_hba.conf just written
    elif pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        die "another server answers on $PGHOST:$PGPORT (not the cluster in $dir): stop it, or choose another \
port (PGPORT=...)"
    else
        start_server "$bin" "$dir"
    fi

    # No (or a wrong) superuser password on record, e.g. a cluster made by an older version of this script with
    # trust authentication, or a password file removed by `make clean`: set a new one in single-user mode.
    if [[ -z "$super_password" ]] || ! superuser_can_log_in; then
        super_password="$(new_password)"
        as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
        local output
        output="$(echo "alter role postgres password '$super_password';" \
            | as_owner "$bin/postgres" --single -D "$dir" postgres 2>&1)" \
            || die "could not set the superuser password in single-user mode: $output"
        remember_password postgres "$super_password"
        start_server "$bin" "$dir"
        superuser_can_log_in || die "cannot log in as postgres on $PGHOST:$PGPORT with the password in $PGPASSFILE"
    fi
    local data_directory
    data_directory="$(echo "show data_directory" | superuser_sql)"
    [[ "$(realpath "$data_directory")" == "$(realpath "$dir")" ]] \
        || die "the server on $PGHOST:$PGPORT serves $data_directory, not $dir"

    # Roles, each with a password from the file (generated on first start, set again on every start so that file
    # and server agree).
    local role password
    for role in "$PGUSER" "$BI_ROLE"; do
        password="$(password_of "$role")"
        [[ -n "$password" ]] || { password="$(new_password)"; remember_password "$role" "$password"; }
        superuser_sql <<SQL
select format('create role %I login', '$role') where not exists (select 1 from pg_roles where rolname = '$role')
\\gexec
alter role "$role" login password '$password';
SQL
    done
    superuser_sql <<SQL
alter role "$BI_ROLE" nocreatedb nocreaterole;
-- the owner builds the database; the tests create (and drop) databases of their own
alter role "$PGUSER" createdb;
-- ... and may end sessions still open on a test database it drops (drop database ... with (force))
grant pg_signal_backend to "$PGUSER";
select format('create database %I owner %I', '$PGDATABASE', '$PGUSER')
where not exists (select 1 from pg_database where datname = '$PGDATABASE')
\\gexec
revoke all on database "$PGDATABASE" from public;
grant connect on database "$PGDATABASE" to "$BI_ROLE";
SQL
    # View definitions: pg_views.definition, pg_get_viewdef() and pg_rewrite (the parsed query of every view)
    # are readable by every role by default, whatever its schema privileges. Only the owner keeps them. In the
    # database and in template1, so that the databases the tests create inherit it.
    local db
    for db in "$PGDATABASE" template1; do
        superuser_sql "$db" <<SQL
revoke execute on function pg_catalog.pg_get_viewdef(oid), pg_catalog.pg_get_viewdef(oid, boolean),
    pg_catalog.pg_get_viewdef(oid, integer), pg_catalog.pg_get_viewdef(text), pg_catalog.pg_get_viewdef(text, boolean),
    pg_catalog.pg_get_ruledef(oid), pg_catalog.pg_get_ruledef(oid, boolean) from public;
grant execute on function pg_catalog.pg_get_viewdef(oid), pg_catalog.pg_get_viewdef(oid, boolean),
    pg_catalog.pg_get_viewdef(oid, integer), pg_catalog.pg_get_viewdef(text), pg_catalog.pg_get_viewdef(text, boolean),
    pg_catalog.pg_get_ruledef(oid), pg_catalog.pg_get_ruledef(oid, boolean) to "$PGUSER";
revoke select on pg_catalog.pg_rewrite from public;
grant select on pg_catalog.pg_rewrite to "$PGUSER";
SQL
    done
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $PGHOST:$PGPORT, database $PGDATABASE" \
         "(owner $PGUSER, read-only BI role $BI_ROLE), data in $dir, passwords in $PGPASSFILE"
}

stop() {
    local dir
    dir="$(cluster_dir)"
    [[ -f "$dir/PG_VERSION" ]] || [[ -L "$PG_DIR" ]] || return 0
    local bin
    bin="$(pg_bin)"
    as_owner "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) pg_isready -h "$PGHOST" -p "$PGPORT" ;;
    dir) cluster_dir ;;
    *) echo "usage: $0 start|stop|status|dir" >&2; exit 64 ;;
esac
