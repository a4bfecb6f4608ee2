#!/usr/bin/env bash
# percept-bench-national on PostgreSQL (docs/storage.md, "Backends"): a throwaway cluster with
# every commit flushed, an empty database, and the national wave built into it; then the same
# report timings, rebuild and exports as on SQLite (build/bench/percept-bench-national).
#
#   bash bench/national_postgres.sh [HOUSEHOLDS=268000] [PLANS=5000]
set -euo pipefail
cd "$(dirname "$0")/.."
households=${1:-268000}
[ -x build/bench/percept-bench-national ] || bash scripts/build.sh > /dev/null
. bench/pg_common.sh
pg_bench_dir national-pg
url=$(PG_FSYNC=on bash scripts/pg-throwaway.sh start "$dir/pg")
psql -q "$url" -c "CREATE DATABASE national"
echo "percept-bench-national on PostgreSQL 15 (bash bench/national_postgres.sh $households)"
build/bench/percept-bench-national --households "$households" --plans "${2:-5000}" --db "${url%/postgres}/national"
