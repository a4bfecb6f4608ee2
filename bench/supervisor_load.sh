#!/usr/bin/env bash
# Does one supervisor token slow the tablets? A server holds HOUSEHOLDS interviews; one tablet
# submits at concurrency 1 for SECONDS: alone; while wrk keeps CONNECTIONS requests for /healthz
# under way (what any flood of cheap requests costs on these 2 shared cores: the floor); and
# while one supervisor token keeps CONNECTIONS requests for the enumerator summary
# (GET /api/v1/enumerators, a read of the whole survey) under way. Prints the tablet's latency
# and interviews acknowledged each time, what the supervisor's requests got, and how many times
# the survey was read (docs/supervision.md, "Enumerators").
#
#   bash bench/supervisor_load.sh [HOUSEHOLDS=60000] [CONNECTIONS=48] [SECONDS=10]
#   PERCEPT_BIN=other/percept bash bench/supervisor_load.sh ...   (another build, same load)
set -euo pipefail
cd "$(dirname "$0")/.."
households=${1:-60000}
connections=${2:-48}
seconds=${3:-10}
. bench/common.sh
start_server
supervisor=$($P --db "$dir/p.db" token create --role supervisor --name bench-sup 2>/dev/null | tail -n 1)
$T simulate --households "$households" --seed 7 --queue "$dir/queue.db" > /dev/null
$T sync --queue "$dir/queue.db" --batch 500 --server "https://127.0.0.1:$port" --token "$token" \
  --cacert "$dir/dev-cert.pem" > /dev/null 2>&1
stored=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM submissions")
echo "server        $stored interviews stored"
# tablet LABEL SEED: new interviews (a seed of its own: the same seed sends the same ones again,
# which are duplicates and change nothing).
tablet() {
  $T load --server "https://127.0.0.1:$port" --token "$token" --cacert "$dir/dev-cert.pem" \
    --seed "$2" --concurrency 1 --duration "$seconds" 2>/dev/null > "$dir/tablet.out"
  awk -v label="$1" '/acknowledged/ {a=$6} /latency/ {sub(/^latency */, ""); l=$0}
    END { printf "tablet %s  %s  (%d interviews acknowledged)\n", label, l, a }' "$dir/tablet.out"
}
url="https://127.0.0.1:$port/api/v1/enumerators?survey=chs-perception"
start=$(date +%s.%N)
curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $supervisor" "$url" > /dev/null
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "summary       one call alone: %.2f s\n", b - a }'
tablet "alone    " 101
wrk -t 2 -c "$connections" -d "$((seconds + 2))s" "https://127.0.0.1:$port/healthz" > /dev/null 2>&1 &
wrk_pid=$!
sleep 1
tablet "+ healthz" 103
wait "$wrk_pid" || true
wrk -t 2 -c "$connections" -d "$((seconds + 2))s" -H "Authorization: Bearer $supervisor" "$url" \
  > "$dir/wrk.out" 2>&1 &
wrk_pid=$!
sleep 1
tablet "+ summary" 102
wait "$wrk_pid" || true
awk '/Requests\/sec/ {r=$2} /Non-2xx/ {n=$NF} /requests in/ {t=$1} /timeout/ {o=$NF}
  END { printf "supervisor    %d requests answered (%.0f/s), %d of them 429 (two at once per token); %d not answered within wrk'"'"'s 2 s\n", t, r, n, o }' "$dir/wrk.out"
reads=$(curl -s --cacert "$dir/dev-cert.pem" "https://127.0.0.1:$port/metrics" |
  awk '/^percept_enumerator_summary_reads_total/ {print $2}')
echo "server        the survey was read ${reads:-(not counted by this build)} times for the summary"
