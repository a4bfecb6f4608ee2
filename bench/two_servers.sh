#!/usr/bin/env bash
# Two `percept serve` on one PostgreSQL behind nginx (deploy/nginx-percept.conf), one of them
# SIGKILLed and restarted while a tablet syncs through nginx; then PostgreSQL itself stopped for
# OUTAGE seconds while a second tablet syncs (docs/operations.md, "Several servers behind
# nginx"). Prints the figures and checks, failing unless they hold:
#   - every interview the tablets had acknowledged is stored, once;
#   - during the outage the servers answer 503 with Retry-After, never 500, and recover on
#     their own when the database is back;
#   - both servers' /scores are equal, and equal a rebuild from the stored evaluations.
#
#   bash bench/two_servers.sh [INTERVIEWS=5000] [KILLS=2] [OUTAGE=10]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
kills=${2:-2}
outage=${3:-10}
P=$(pwd)/build/server/percept
T=$(pwd)/build/mobile_stub/percept-tablet
[ -x "$P" ] && [ -x "$T" ] || bash scripts/build.sh > /dev/null
. bench/pg_common.sh
pg_bench_dir two

url=$(PG_FSYNC=on bash scripts/pg-throwaway.sh start "$dir/pg")
psql -q "$url" -c "CREATE DATABASE percept"
db="${url%/postgres}/percept"
mkdir -p "$dir/a" "$dir/b"
(
  cd "$dir/a"
  $P --db "$db" init > /dev/null
  $P --db "$db" institution import "$root/survey_defs/institutions-demo.csv" > /dev/null
)
token=$(cd "$dir/a" && $P --db "$db" token create --role enumerator --name tablet 2> /dev/null | tail -n 1)
analyst=$(cd "$dir/a" && $P --db "$db" token create --role analyst --name analyst 2> /dev/null | tail -n 1)
cp "$dir/a/household-key" "$dir/b/"

# start NAME PORT: runs a server in its folder on PORT and waits until it listens.
start() {
  (cd "$dir/$1" && exec $P --db "$db" serve --port "$2" --survey-dir "$root/survey_defs" \
    > out 2>> err) &
  echo $! > "$dir/$1/pid"
  for _ in $(seq 200); do grep -q listening "$dir/$1/out" 2> /dev/null && return; sleep 0.05; done
  echo "two_servers: server $1 did not start" >&2
  cat "$dir/$1/err" >&2
  exit 1
}
port_a=$(free_port)
port_b=$(free_port)
start a "$port_a"
start b "$port_b"
port=$(free_port)
start_nginx "$port_a" "$port_b" "$port" "$dir/a/dev-cert.pem" "$dir/a/dev-key.pem"

echo "two servers on one PostgreSQL behind nginx: $n interviews, server A SIGKILLed $kills times; then $((n / 2)) more while PostgreSQL is down for $outage s"
echo "  (bash bench/two_servers.sh $n $kills $outage)"
$T simulate --households "$n" --seed 5 --queue "$dir/queue.db" > /dev/null
start_time=$(date +%s.%N)
$T sync --queue "$dir/queue.db" --batch 50 --give-up 60 --server "https://127.0.0.1:$port" \
  --token "$token" --cacert "$dir/a/dev-cert.pem" > "$dir/sync.out" 2>&1 &
sync_pid=$!
for k in $(seq 1 "$kills"); do
  sleep 1
  kill -9 "$(cat "$dir/a/pid")" 2> /dev/null || true
  wait "$(cat "$dir/a/pid")" 2> /dev/null || true
  sleep 0.5
  start a "$port_a"
  echo "  server A killed and restarted ($k)"
done
rc=0
wait $sync_pid || rc=$?
end_time=$(date +%s.%N)
tail -n 1 "$dir/sync.out" | sed 's/^/  tablet: /'
stored=$(psql -tA "$db" -c "SELECT count(*) FROM submissions")
# What the tablet holds as acknowledged, against what the database holds.
sqlite3 "$dir/queue.db" "SELECT instance_id FROM interviews WHERE state = 'sent'" | sort > "$dir/acked"
psql -tA "$db" -c "SELECT instance_id FROM submissions" | sort > "$dir/stored"
acked=$(wc -l < "$dir/acked")
missing=$(comm -23 "$dir/acked" "$dir/stored" | wc -l)
awk -v a="$start_time" -v b="$end_time" -v n="$n" -v s="$stored" 'BEGIN {
  printf "  %d of %d interviews stored in %.1f s (%.0f interviews/s through nginx)\n", s, n, b - a, s / (b - a) }'
fail=0
[ "$rc" -eq 0 ] || { echo "  FAILED: the tablet's sync exited $rc"; fail=1; }
[ "$stored" -eq "$n" ] || { echo "  FAILED: $stored stored, $n sent"; fail=1; }
dupes=$(psql -tA "$db" -c "SELECT count(*) - count(DISTINCT instance_id) FROM submissions")
echo "  acknowledged to the tablet: $acked; of those missing from the database: $missing; duplicated: $dupes"
[ "$missing" -eq 0 ] && [ "$dupes" -eq 0 ] || fail=1

# PostgreSQL stopped for $outage s while a second tablet syncs.
$T simulate --households "$((n / 2))" --seed 6 --queue "$dir/queue2.db" > /dev/null
bash "$root/scripts/pg-throwaway.sh" pause "$dir/pg"
$T sync --queue "$dir/queue2.db" --batch 50 --give-up 120 --server "https://127.0.0.1:$port" \
  --token "$token" --cacert "$dir/a/dev-cert.pem" > "$dir/sync2.out" 2>&1 &
sync_pid=$!
sleep "$outage"
bash "$root/scripts/pg-throwaway.sh" resume "$dir/pg"
echo "  PostgreSQL stopped for $outage s during a second sync, then started again"
rc=0
wait $sync_pid || rc=$?
tail -n 1 "$dir/sync2.out" | sed 's/^/  tablet: /'
[ "$rc" -eq 0 ] || { echo "  FAILED: the second sync exited $rc"; fail=1; }
sqlite3 "$dir/queue2.db" "SELECT instance_id FROM interviews WHERE state = 'sent'" | sort > "$dir/acked2"
psql -tA "$db" -c "SELECT instance_id FROM submissions" | sort > "$dir/stored"
missing=$(comm -23 "$dir/acked2" "$dir/stored" | wc -l)
answers() { cat "$dir/a/err" "$dir/b/err" | grep -c " $1 " || true; }
echo "  acknowledged: $(wc -l < "$dir/acked2"); missing: $missing; answers 503: $(answers 503), 500: $(answers 500)"
[ "$missing" -eq 0 ] && [ "$(answers 500)" -eq 0 ] || fail=1
[ "$(wc -l < "$dir/acked2")" -eq "$((n / 2))" ] || { echo "  FAILED: not all acknowledged"; fail=1; }

scores() { curl -sf --cacert "$dir/$1/dev-cert.pem" -H "Authorization: Bearer $analyst" \
  "https://127.0.0.1:$2/api/v1/scores?survey=chs-perception"; }
sleep 1  # B follows A's log within a second
a_json=$(scores a "$port_a")
b_json=$(scores b "$port_b")
(cd "$dir/a" && $P --db "$db" rebuild-aggregates > /dev/null 2>&1)
a_rebuilt=$(scores a "$port_a")
b_rebuilt=$(scores b "$port_b")
if [ "$a_json" = "$b_json" ] && [ "$a_json" = "$a_rebuilt" ] && [ "$a_json" = "$b_rebuilt" ]; then
  echo "  /scores: server A = server B = a rebuild"
else
  echo "  FAILED: /scores differ between the servers or from a rebuild"
  fail=1
fi
exit $fail
