#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: no system service, trust authentication on
# 127.0.0.1 only, a free port, one database.
#
#   Tests/Postgres/pg_cluster.sh start     # initdb (when needed), start, create the database; prints the URL
#   Tests/Postgres/pg_cluster.sh url       # prints the URL of the running cluster
#   Tests/Postgres/pg_cluster.sh restart   # pg_ctl restart -m fast (same port, same data)
#   Tests/Postgres/pg_cluster.sh stop      # stops it and deletes its data
#
# PG_CLUSTER_DIR chooses where it lives (default .build/postgres in the repository). Installs
# Debian's `postgresql` when initdb is missing (with sudo when not root). initdb refuses to run
# as root: as root, the cluster runs as the `postgres` system user the package creates, and
# when that user cannot reach PG_CLUSTER_DIR (a checkout under /root) the data directory goes
# to a private directory under /tmp, recorded in PG_CLUSTER_DIR/datadir.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${PG_CLUSTER_DIR:-$repo/.build/postgres}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
db=walletbridge_test
superuser=walletbridge

die() { echo "pg_cluster: $*" >&2; exit 1; }

bindir() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        echo "pg_cluster: installing Debian's postgresql" >&2
        $sudo apt-get update -qq >&2
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
        found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
        [ -n "$found" ] && [ -x "$found/initdb" ] || die "initdb not found under /usr/lib/postgresql/*/bin"
    fi
    echo "$found"
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

datadir() {
    if [ -f "$dir/datadir" ]; then cat "$dir/datadir"; else echo "$dir/data"; fi
}

port() { cat "$dir/port"; }

url() { echo "postgres://$superuser@127.0.0.1:$(port)/$db"; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local bin data log
    bin="$(bindir)"
    if [ -f "$dir/port" ] && as_owner "$bin/pg_ctl" -D "$(datadir)" status >/dev/null 2>&1; then
        url
        return
    fi
    data="$dir/data"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no postgres system user (is Debian's postgresql installed?)"
        if ! runuser -u postgres -- test -x "$dir"; then
            # The postgres user cannot traverse the path to the repository (/root is 0700).
            if [ -f "$dir/datadir" ]; then data="$(cat "$dir/datadir")"; else data="$(mktemp -d /tmp/walletbridge-postgres.XXXXXX)/data"; fi
            echo "$data" >"$dir/datadir"
        fi
        mkdir -p "$data"
        chown -R postgres:postgres "$(dirname "$data")" 2>/dev/null || chown -R postgres:postgres "$data"
    fi
    mkdir -p "$data"
    chmod 700 "$data"
    log="$(dirname "$data")/postgres.log"
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$data" -U "$superuser" -A trust -E UTF8 --no-instructions >/dev/null
        cat >"$data/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
    fi
    local p
    p="$(free_port)"
    echo "$p" >"$dir/port"
    cat >"$data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $p
unix_socket_directories = '$data'
max_connections = 200
CONF
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data/postgresql.auto.conf" "$data/pg_hba.conf"
    as_owner touch "$log" 2>/dev/null || true
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null || { cat "$log" >&2 || true; die "the cluster did not start"; }
    if ! as_owner "$bin/psql" -h "$data" -p "$p" -U "$superuser" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        as_owner "$bin/createdb" -h "$data" -p "$p" -U "$superuser" "$db"
    fi
    url
}

restart() {
    local bin data
    bin="$(bindir)"
    data="$(datadir)"
    as_owner "$bin/pg_ctl" -D "$data" -l "$(dirname "$data")/postgres.log" -m fast -w -t 60 restart >/dev/null
}

stop() {
    local bin data
    bin="$(bindir)"
    data="$(datadir)"
    if [ -f "$data/PG_VERSION" ]; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    if [ -f "$dir/datadir" ]; then rm -rf "$(dirname "$data")"; fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    url) [ -f "$dir/port" ] || die "no cluster in $dir (run start)"; url ;;
    restart) restart ;;
    stop) stop ;;
    *) die "usage: $0 start|url|restart|stop" ;;
esac
