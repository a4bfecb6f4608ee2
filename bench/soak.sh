#!/usr/bin/env bash
# Crash soak (issue 6): CYCLES times (default 20), three tablets sync their queues while a load
# generator keeps the server busy and a supervisor reviews what arrived (approving or rejecting
# it, issue 14), and the server is SIGKILLed at a random moment and restarted. At the end every
# interview a tablet was told is stored must be stored exactly once, every review the supervisor
# was told is saved must be saved, and the incremental aggregates (rejections taken out) must
# equal a full rebuild. Prints the counts; exits non-zero on a loss.
#   bench/soak.sh [CYCLES=20] [INTERVIEWS_PER_TABLET_PER_CYCLE=300]
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-20}
per_cycle=${2:-300}
P=$PWD/build/server/percept
T=$PWD/build/mobile_stub/percept-tablet
[ -x "$P" ] && [ -x "$T" ] || bash scripts/build.sh > /dev/null
dir=$(mktemp -d /tmp/percept-soak-XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true; jobs -p | xargs -r kill 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
db=$dir/p.db
$P --db "$db" init > /dev/null
$P --db "$db" institution import survey_defs/institutions-demo.csv > /dev/null
token=$($P --db "$db" token create --role enumerator --name soak 2>/dev/null | tail -n 1)
supervisor=$($P --db "$db" token create --role supervisor --name soak-sup 2>/dev/null | tail -n 1)
: > "$dir/reviews_acked"
# The supervisor: lists what is waiting and approves or rejects it, one PATCH at a time; a
# review is written down only when the server answered 200. The ids are cut out with grep: a
# Python started per list (a pyenv shim under load) took longer than the whole cycle, and no
# review was ever made.
review_loop() {
  while true; do
    ids=$(curl -sf --max-time 2 --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $supervisor" \
      "$url/api/v1/submissions?survey=chs-perception&review_state=received&limit=20" 2>/dev/null |
      grep -o '"instance_id":"[0-9a-f-]\{36\}"' | cut -d'"' -f4) ||
      { sleep 0.05; continue; }
    for id in $ids; do
      if [ $((RANDOM % 2)) = 0 ]; then state=rejected; else state=approved; fi
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$dir/dev-cert.pem" -X PATCH \
        -H "Authorization: Bearer $supervisor" -H "Content-Type: application/json" \
        --data "{\"review_state\":\"$state\",\"comment\":\"soak\"}" "$url/api/v1/submissions/$id" 2>/dev/null) || true
      [ "$code" = 200 ] && echo "$id $state" >> "$dir/reviews_acked"
    done
  done
}
# The first start takes a free port from the kernel (a random one could be held by another
# process); the restarts after each kill reuse it, as a real server's address stays the same.
port=0
start_server() {
  : > "$dir/out"
  $P --db "$db" serve --port "$port" --survey-dir survey_defs --no-log --rate-limit 0 > "$dir/out" 2>> "$dir/server.log" &
  server_pid=$!
  for _ in $(seq 200); do
    if grep -q listening "$dir/out" 2>/dev/null; then
      port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/out"); url="https://127.0.0.1:$port"; return
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "soak: the server did not start on port $port; its log ends:" >&2
  tail -n 20 "$dir/server.log" >&2
  exit 1
}
start_server
for cycle in $(seq "$cycles"); do
  # Each tablet comes back from the field with new interviews and syncs them in small batches,
  # so that the kill falls mid-sync; a load generator keeps the server busy meanwhile.
  for t in 1 2 3; do
    $T simulate --households "$per_cycle" --seed $((t * 1000 + cycle)) --queue "$dir/tablet$t.db" > /dev/null
  done
  for t in 1 2 3; do
    $T sync --queue "$dir/tablet$t.db" --batch 5 --give-up 2 --server "$url" --token "$token" --cacert "$dir/dev-cert.pem" > /dev/null 2>&1 &
  done
  $T load --concurrency 4 --duration 3 --seed "$cycle" --server "$url" --token "$token" --cacert "$dir/dev-cert.pem" > /dev/null 2>&1 &
  review_loop &
  reviewer=$!
  delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.05 + 0.6 * r / 32767 }')
  sleep "$delay"
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
  kill "$reviewer" 2>/dev/null; wait "$reviewer" 2>/dev/null || true
  wait  # the tablets give up after 2 s without a server; the load generator ends
  start_server
  pending=$(for t in 1 2 3; do sqlite3 "$dir/tablet$t.db" "SELECT count(*) FROM interviews WHERE state='pending'"; done | awk '{ s += $1 } END { print s }')
  echo "cycle $cycle/$cycles: SIGKILL after ${delay}s; $pending interviews left waiting on the tablets"
done
for t in 1 2 3; do
  $T sync --queue "$dir/tablet$t.db" --server "$url" --token "$token" --cacert "$dir/dev-cert.pem" > /dev/null
done
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
# Every interview a tablet was told is stored is stored, exactly once.
for t in 1 2 3; do sqlite3 "$dir/tablet$t.db" "SELECT instance_id FROM interviews WHERE state='sent'"; done | sort > "$dir/acked"
sqlite3 "$db" "SELECT instance_id FROM submissions" | sort > "$dir/stored"
acked=$(wc -l < "$dir/acked"); stored=$(wc -l < "$dir/stored"); distinct=$(sort -u "$dir/stored" | wc -l)
missing=$(comm -23 "$dir/acked" "$dir/stored" | wc -l)
echo "tablets: $acked interviews acknowledged; server: $stored stored ($distinct distinct, the rest from the load generator); missing: $missing"
# Every review the supervisor was told is saved is saved, with its history row.
reviews=$(wc -l < "$dir/reviews_acked")
lost_reviews=$(while read -r id state; do
  sqlite3 "$db" "SELECT count(*) FROM submissions s JOIN reviews r ON r.submission_seq = s.seq WHERE s.instance_id = '$id' AND s.review_state = '$state' AND r.to_state = '$state'"
done < "$dir/reviews_acked" | awk '$1 == 0 { n++ } END { print n + 0 }')
echo "supervisor: $reviews reviews acknowledged; lost: $lost_reviews; rejected now: $(sqlite3 "$db" "SELECT count(*) FROM submissions WHERE review_state = 'rejected'")"
# The aggregates kept incrementally through every crash equal a rebuild from the evaluations.
dump() { sqlite3 "$db" "SELECT survey_id, survey_version, institution_id, day, hex(sums) FROM aggregates ORDER BY 1,2,3,4"; }
log_rows=$(sqlite3 "$db" "SELECT count(*) FROM aggregate_log")
dump > "$dir/incremental"
$P --db "$db" rebuild-aggregates > /dev/null 2>&1
dump > "$dir/rebuilt"
if cmp -s "$dir/incremental" "$dir/rebuilt"; then same=yes; else
  same=no
  echo "soak: rows kept incrementally (<) and rebuilt (>) differ:" >&2
  diff "$dir/incremental" "$dir/rebuilt" | cut -c1-160 | head -n 10 >&2 || true
fi
echo "aggregates: $(wc -l < "$dir/rebuilt") rows; incremental equals rebuild: $same (log rows left after the clean stop: $log_rows)"
[ "$missing" -eq 0 ] && [ "$lost_reviews" -eq 0 ] && [ "$stored" -eq "$distinct" ] && [ "$acked" -eq $((3 * per_cycle * cycles)) ] && [ "$same" = yes ] && [ "$log_rows" -eq 0 ]
