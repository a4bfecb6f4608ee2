#!/usr/bin/env bash
# Slow-header attack: ATTACKERS connections from 127.0.0.2 that start requests and never finish
# them (one header line a second, reconnecting whenever the server lets go), while a tablet syncs
# INTERVIEWS interviews. Prints how long the tablet took and what the server did to the
# attackers. PERCEPT_BIN=path runs another build (an A/B against an older commit).
#   bench/slowloris.sh [ATTACKERS=200] [INTERVIEWS=2000] [SECONDS=45]
set -euo pipefail
cd "$(dirname "$0")/.."
attackers=${1:-200}
n=${2:-2000}
seconds=${3:-45}
source bench/common.sh
start_server
echo "slow-header attack: $attackers attackers, a tablet with $n interviews, server $P ($(nproc) cores)"
python3 bench/slowloris.py 127.0.0.1 "$port" "$dir/dev-cert.pem" "$attackers" "$seconds" &
attack=$!
sleep 3  # the attackers hold their connections first
sync_tablet "$n"
wait "$attack" || true
server_figures "(requests_timed_out|connections_(rejected|rejected_per_address|accepted|shed))_total"
