#!/usr/bin/env bash
# Durable JSON ingest on each backend, same load, one run (docs/storage.md, "Backends"):
# SQLite (the default), PostgreSQL with one server, and PostgreSQL with two servers behind nginx
# (deploy/nginx-percept.conf). wrk posts the example interview with a new instance_id each, as
# bench/ingest.sh does; each figure is printed with its ratio to SQLite's.
#
#   bash bench/backends.sh [CONNECTIONS=16] [SECONDS=8]
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-16}
secs=${2:-8}
P=$(pwd)/build/server/percept
[ -x "$P" ] || bash scripts/build.sh > /dev/null
. bench/pg_common.sh
pg_bench_dir backends

# prepare NAME DB: a folder with an initialised database, the demo institutions and a token.
prepare() {
  mkdir -p "$dir/$1"
  (cd "$dir/$1" && $P --db "$2" init > /dev/null &&
    $P --db "$2" institution import "$root/survey_defs/institutions-demo.csv" > /dev/null &&
    $P --db "$2" token create --role enumerator --name bench 2> /dev/null | tail -n 1 > token)
}
# serve NAME DB PORT: a server in that folder, until it listens.
serve() {
  (cd "$dir/$1" && exec $P --db "$2" serve --port "$3" --survey-dir "$root/survey_defs" \
    --rate-limit 0 --no-log > out 2> err) &
  for _ in $(seq 200); do grep -q listening "$dir/$1/out" 2> /dev/null && return; sleep 0.05; done
  echo "backends: server $1 did not start" >&2
  exit 1
}
# load NAME URL TOKEN: wrk's requests/s and p99 (ms) against URL.
load() {
  PERCEPT_TOKEN=$3 wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/ingest.lua "$2/api/v1/submissions" \
    > "$dir/$1.wrk"
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$dir/$1.wrk")
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; print v }' "$dir/$1.wrk")
  echo "$rps $p99"
}

# Durable like SQLite's synchronous=FULL: every commit flushed.
url=$(PG_FSYNC=on bash scripts/pg-throwaway.sh start "$dir/pg")
for name in single pair; do psql -q "$url" -c "CREATE DATABASE $name"; done
base=${url%/postgres}

prepare sqlite "$dir/sqlite/percept.db"
prepare single "$base/single"
prepare pair "$base/pair"
mkdir -p "$dir/pair-b"
cp "$dir/pair/household-key" "$dir/pair-b/"
ports=()
for _ in 1 2 3 4 5; do ports+=("$(free_port)"); done
serve sqlite "$dir/sqlite/percept.db" "${ports[0]}"
serve single "$base/single" "${ports[1]}"
serve pair "$base/pair" "${ports[2]}"
serve pair-b "$base/pair" "${ports[3]}"
start_nginx "${ports[2]}" "${ports[3]}" "${ports[4]}" "$dir/pair/dev-cert.pem" "$dir/pair/dev-key.pem"

echo "durable JSON ingest by backend: $conns connections, ${secs}s each, one after another, $(nproc) cores"
echo "  (bash bench/backends.sh $conns $secs)"
read -r s_rps s_p99 <<< "$(load sqlite "https://127.0.0.1:${ports[0]}" "$(cat "$dir/sqlite/token")")"
read -r p_rps p_p99 <<< "$(load single "https://127.0.0.1:${ports[1]}" "$(cat "$dir/single/token")")"
read -r n_rps n_p99 <<< "$(load pair "https://127.0.0.1:${ports[4]}" "$(cat "$dir/pair/token")")"
printf "%-38s %12s %10s %10s\n" target "requests/s" "× SQLite" "p99 ms"
awk -v s="$s_rps" -v sp="$s_p99" -v p="$p_rps" -v pp="$p_p99" -v n="$n_rps" -v np="$n_p99" 'BEGIN {
  printf "%-38s %12.0f %10.2f %10.1f\n", "SQLite, one server", s, 1, sp
  printf "%-38s %12.0f %10.2f %10.1f\n", "PostgreSQL, one server", p, p / s, pp
  printf "%-38s %12.0f %10.2f %10.1f\n", "PostgreSQL, two servers behind nginx", n, n / s, np }'
