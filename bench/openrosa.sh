#!/usr/bin/env bash
# OpenRosa ingest (issue 12): the example interview sent as ODK Collect sends it (an XForm
# instance in a multipart body, to /key/{token}/submission) against the same interview as JSON,
# interleaved in one run on fresh databases, and the ratio XML/JSON (goal: at least 0.8).
#   bench/openrosa.sh [CONNECTIONS=16] [SECONDS=8] [ROUNDS=2]
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-16}
secs=${2:-8}
rounds=${3:-2}
declare -A total=([json]=0 [xml]=0)
for round in $(seq "$rounds"); do
  for format in json xml; do
    rate=$(FORMAT=$format bash bench/ingest.sh "$conns" "$secs" | awk '/^throughput/ { print $2 }')
    echo "round $round  $format  $rate durable submissions/s"
    total[$format]=$((total[$format] + rate))
  done
done
awk -v x="${total[xml]}" -v j="${total[json]}" -v r="$rounds" 'BEGIN {
  printf "mean          JSON %.0f/s, XML %.0f/s: XML = %.2f x JSON\n", j / r, x / r, (j ? x / j : 0) }'
