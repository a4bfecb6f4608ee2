#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (docs/storage.md, "Backends"): Debian's
# PostgreSQL 15 binaries, run as an unprivileged user (nobody, when called as root) in DIR, on a
# free loopback port, trusting local connections, with no trace outside DIR. Tests need no
# durability: fsync is off unless PG_FSYNC=on (the benchmarks, which compare it with SQLite's).
#
#   bash scripts/pg-throwaway.sh start DIR   prints postgresql://percept@127.0.0.1:PORT/postgres
#   bash scripts/pg-throwaway.sh stop DIR    stops it and removes DIR
#   bash scripts/pg-throwaway.sh pause DIR   stops the server, keeping its data (an outage)
#   bash scripts/pg-throwaway.sh resume DIR  starts it again on the same port
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-throwaway: no PostgreSQL server (install postgresql-15)" >&2; exit 1; }
as_owner() {
  # (from /: the caller's folder may be one the cluster's user cannot enter)
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u nobody -- "$@"); else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U percept --auth=trust -E UTF8 --no-locale > "$dir/initdb.log"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "$port" > "$dir/port"
    echo "${PG_FSYNC:-off}" > "$dir/fsync"
    bash "$0" resume "$dir"
    echo "postgresql://percept@127.0.0.1:$port/postgres"
    ;;
  resume)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$(cat "$dir/fsync") -c max_connections=200" start > /dev/null
    ;;
  pause)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "pg-throwaway: start, stop, pause or resume" >&2
    exit 2
    ;;
esac
