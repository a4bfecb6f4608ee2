#!/usr/bin/env bash
# Hostile clients (issue 10) while a tablet syncs: IDLE silent TLS connections from 8 loopback
# addresses (the connection cap is 1,000) and SLOW uploads of declared 2 MiB bodies at ~1 KB/s
# from another address, half without a token, half with a valid one. Prints how long the
# tablet's INTERVIEWS took, what the server did to each attacker, and its peak memory.
# PERCEPT_BIN=path runs another build (an A/B against an older commit).
#   bench/hostile.sh [IDLE=1000] [SLOW=70] [INTERVIEWS=2000] [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-1000}
slow=${2:-70}
n=${3:-2000}
seconds=${4:-30}
source bench/common.sh
start_server
echo "hostile clients: $idle idle connections from 8 addresses, $slow slow uploads; a tablet with $n interviews; server $P ($(nproc) cores)"
python3 bench/hostile.py 127.0.0.1 "$port" "$dir/dev-cert.pem" "$idle" "$slow" "$seconds" "$token" &
attack=$!
# The attackers hold their connections first (about 1,000 handshakes a second).
sleep $(( idle / 400 + 3 ))
sync_tablet "$n"
wait "$attack" || true
server_figures "(connections_(open|shed_total|rejected_total)|requests_(bodies_refused|timed_out)_total|body_bytes_reserved)"
