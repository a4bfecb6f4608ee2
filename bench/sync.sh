#!/usr/bin/env bash
# Sync benchmark: a tablet's queue of N interviews (default 10,000), emptied by
# `percept-tablet sync` into a fresh server on loopback. Prints the time to empty it.
#   bench/sync.sh [INTERVIEWS=10000] [BATCH=200]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
batch=${2:-200}
P=build/server/percept
T=build/mobile_stub/percept-tablet
[ -x "$P" ] && [ -x "$T" ] || bash scripts/build.sh > /dev/null
dir=$(mktemp -d /tmp/percept-sync-XXXXXX)
trap 'kill $(cat "$dir/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$dir"' EXIT
$P --db "$dir/p.db" init > /dev/null
$P --db "$dir/p.db" institution import survey_defs/institutions-demo.csv > /dev/null
token=$($P --db "$dir/p.db" token create --role enumerator --name bench 2>/dev/null | tail -n 1)
$P --db "$dir/p.db" serve --port 0 --survey-dir survey_defs --no-log > "$dir/out" 2> "$dir/server.log" &
echo $! > "$dir/pid"
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/out")
start=$(date +%s.%N)
$T simulate --households "$n" --seed 1 --queue "$dir/queue.db" > /dev/null
queued=$(date +%s.%N)
$T sync --queue "$dir/queue.db" --batch "$batch" --server "https://127.0.0.1:$port" --token "$token" --cacert "$dir/dev-cert.pem"
done_at=$(date +%s.%N)
evals=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM evaluations")
awk -v n="$n" -v e="$evals" -v a="$start" -v b="$queued" -v c="$done_at" 'BEGIN {
  printf "simulate      %d interviews queued in %.2f s\n", n, b - a
  printf "sync          queue emptied in %.2f s: %.0f interviews/s, %.0f evaluations/s (batches of '"$batch"')\n", c - b, n / (c - b), e / (c - b) }'
