#!/usr/bin/env bash
# Slow-header attack: ATTACKERS connections from 127.0.0.2 that start requests and never finish
# them (one header line a second, reconnecting whenever the server lets go), while a tablet syncs
# INTERVIEWS interviews. Prints how long the tablet took and what the server did to the
# attackers. PERCEPT_BIN=path runs another build (an A/B against an older commit).
#   bench/slowloris.sh [ATTACKERS=200] [INTERVIEWS=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
attackers=${1:-200}
n=${2:-2000}
P=${PERCEPT_BIN:-build/server/percept}
T=build/mobile_stub/percept-tablet
[ -x "$P" ] && [ -x "$T" ] || bash scripts/build.sh > /dev/null
dir=$(mktemp -d /tmp/percept-slowloris-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
$P --db "$dir/p.db" init > /dev/null 2>&1
$P --db "$dir/p.db" institution import survey_defs/institutions-demo.csv > /dev/null
token=$($P --db "$dir/p.db" token create --role enumerator --name bench 2>/dev/null | tail -n 1)
$T simulate --households "$n" --seed 1 --queue "$dir/queue.db" > /dev/null
$P --db "$dir/p.db" serve --port 0 --survey-dir survey_defs --no-log > "$dir/out" 2> "$dir/server.log" &
server=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/out")
echo "slow-header attack: $attackers attackers, a tablet with $n interviews, server $P ($(nproc) cores)"
python3 bench/slowloris.py 127.0.0.1 "$port" "$dir/dev-cert.pem" "$attackers" 45 &
attack=$!
sleep 3  # the attackers hold their connections first
start=$(date +%s.%N)
rc=0
timeout 40 $T sync --queue "$dir/queue.db" --batch 100 --give-up 30 --server "https://127.0.0.1:$port" \
  --token "$token" --cacert "$dir/dev-cert.pem" > /dev/null 2>&1 || rc=$?
end=$(date +%s.%N)
stored=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM submissions")
awk -v a="$start" -v b="$end" -v s="$stored" -v n="$n" -v rc="$rc" 'BEGIN {
  printf "tablet        %d of %d interviews stored in %.1f s (sync exit %d)\n", s, n, b - a, rc }'
wait "$attack" || true
metrics=$(curl -s --cacert "$dir/dev-cert.pem" "https://127.0.0.1:$port/metrics" || true)
echo "$metrics" | grep -E "^percept_(requests_timed_out|connections_(rejected|rejected_per_address|accepted))_total" | sed 's/^/server        /' || true
echo "server        peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$server/status)"
