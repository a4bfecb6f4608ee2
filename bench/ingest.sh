#!/usr/bin/env bash
# Ingest benchmark: durable submissions/s and latency of POST /api/v1/submissions over TLS
# keep-alive at a fixed concurrency, against a fresh database, then checks that the database
# holds exactly as many interviews as were acknowledged. With wrk and JSON (the default) it
# also drives a bare TLS server with the same load, and prints Percept's rate and CPU against
# it, the CPU a request the 0.6× goal would leave, and the floor under it (README, Benchmarks).
#   bench/ingest.sh [CONNECTIONS=16] [SECONDS=10]
# FORMAT=xml sends the same interview as ODK Collect does (OpenRosa, docs/openrosa.md).
# LOADGEN=tablet drives it with `percept-tablet load` (realistic interviews from the generator)
# instead of wrk (the example interview with two institutions drawn from the demo network).
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-16}
secs=${2:-10}
P=${PERCEPT_BIN:-build/server/percept}  # PERCEPT_BIN: another build, for an A/B run
[ -x "$P" ] && [ -x build/mobile_stub/percept-tablet ] && [ -x build/bench/percept-bench-bare-tls ] &&
  [ -x build/bench/percept-bench-storage ] ||
  bash scripts/build.sh > /dev/null
command -v wrk > /dev/null || bash scripts/install-deps.sh
dir=$(mktemp -d /tmp/percept-bench-XXXXXX)
trap 'kill $(cat "$dir/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$dir"' EXIT
$P --db "$dir/p.db" init > /dev/null
$P --db "$dir/p.db" institution import survey_defs/institutions-demo.csv > /dev/null
export PERCEPT_TOKEN=$($P --db "$dir/p.db" token create --role enumerator --name bench 2>/dev/null | tail -n 1)
$P --db "$dir/p.db" serve --port 0 --survey-dir survey_defs --rate-limit 0 ${PERCEPT_SERVE_ARGS:-} > "$dir/out" 2> "$dir/server.log" &
echo $! > "$dir/pid"
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/out")
echo "percept ingest benchmark: $conns connections, ${secs}s, TLS keep-alive, synchronous=FULL, $(nproc) cores"
if [ "${LOADGEN:-wrk}" = tablet ]; then
  echo "load: percept-tablet load, generated interviews (3-7 institutions each), a new instance_id each"
  build/mobile_stub/percept-tablet load --concurrency "$conns" --duration "$secs" \
    --server "https://127.0.0.1:$port" --token "$PERCEPT_TOKEN" --cacert "$dir/dev-cert.pem" | grep -E "^(load|throughput|latency)"
elif [ "${FORMAT:-json}" = xml ]; then
  # The same interview as ODK Collect sends it: its XForm instance in a multipart body.
  python3 bench/instance_xml.py docs/example-submission.json "$dir/body" > "$dir/content-type"
  echo "load: wrk, the example interview as an OpenRosa multipart submission ($(wc -c < "$dir/body") bytes), a new instanceID each"
  PERCEPT_BODY="$dir/body" PERCEPT_CONTENT_TYPE="$(cat "$dir/content-type")" \
    wrk -t2 -c"$conns" -d"${secs}s" -s bench/ingest.lua "https://127.0.0.1:$port/key/$PERCEPT_TOKEN/submission" | grep -E "^(requests|throughput|latency)"
else
  echo "load: wrk, docs/example-submission.json ($(wc -c < docs/example-submission.json) bytes), a new instance_id each"
  # The baseline first, in the same run with the same load and certificate: a bare cpp-httplib
  # TLS server that only parses the JSON (bench/bare_tls.cc).
  build/bench/percept-bench-bare-tls "$dir/dev-cert.pem" "$dir/dev-key.pem" > "$dir/bare.out" 2>&1 &
  bare=$!
  for _ in $(seq 100); do grep -q listening "$dir/bare.out" 2>/dev/null && break; sleep 0.05; done
  bare_port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/bare.out")
  # CPU seconds a process has used (user + system), to put a cost on each request: steadier than
  # the rates on a shared machine, and it says where the gap is.
  cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
  bare_cpu=$(cpu "$bare")
  times > "$dir/bare.times.before"  # the CPU of this shell's finished children: wrk's, once it ends
  wrk -t2 -c"$conns" -d"${secs}s" -s bench/ingest.lua "https://127.0.0.1:$bare_port/api/v1/submissions" \
    > "$dir/bare.wrk"
  times > "$dir/bare.times.after"
  bare_cpu=$(awk -v a="$bare_cpu" -v b="$(cpu "$bare")" 'BEGIN { print b - a }')
  kill "$bare"; wait "$bare" 2>/dev/null || true
  percept_cpu=$(cpu "$(cat "$dir/pid")")
  times > "$dir/times.before"
  wrk -t2 -c"$conns" -d"${secs}s" -s bench/ingest.lua "https://127.0.0.1:$port/api/v1/submissions" \
    > "$dir/percept.wrk"
  times > "$dir/times.after"
  percept_cpu=$(awk -v a="$percept_cpu" -v b="$(cpu "$(cat "$dir/pid")")" 'BEGIN { print b - a }')
  grep -E "^(requests|throughput|latency)" "$dir/percept.wrk"
  rate() { awk '/^throughput/ { print $2 }' "$1"; }
  count() { awk '/^requests/ { print $2 }' "$1"; }
  echo "baseline      bare TLS server parsing the JSON: $(rate "$dir/bare.wrk") requests/s," \
    "$(sed -n 's/^latency *//p' "$dir/bare.wrk")"
  awk -v p="$(rate "$dir/percept.wrk")" -v b="$(rate "$dir/bare.wrk")" \
    'BEGIN { printf "ratio         %.2f × the bare TLS baseline (goal 0.6)\n", p / b }'
  awk -v pc="$percept_cpu" -v pn="$(count "$dir/percept.wrk")" -v bc="$bare_cpu" \
    -v bn="$(count "$dir/bare.wrk")" 'BEGIN { p = pc * 1e6 / pn; b = bc * 1e6 / bn;
      printf "server cpu    %.0f µs per durable interview; the bare server %.0f µs per request (%.1f×)\n", p, b, p / b }'
fi
kill -TERM "$(cat "$dir/pid")"; wait "$(cat "$dir/pid")" 2>/dev/null || true
grep "transactions" "$dir/server.log" | sed 's/^percept: /group commit  /'
if [ -f "$dir/times.after" ]; then
  # What the goal leaves each interview, against what no server can go under: the bare server's
  # CPU per request, plus what validating and storing an interview cost by themselves, in
  # groups as large as this run's (bench/storage_floor.cc). wrk's CPU a request is the lower of
  # its two runs', which leaves the goal the larger budget.
  group=$(awk '/transactions/ { printf "%d", $2 / $6 + 0.5 }' "$dir/server.log")
  build/bench/percept-bench-storage --group "$((group > 0 ? group : 1))" \
    --interviews "$(awk '/^requests/ { n = $2 < 20000 ? $2 : 20000; print (n > 500 ? n : 500) }' "$dir/percept.wrk")" > "$dir/floor"
  child_cpu() { awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
  awk -v w0="$(child_cpu "$dir/times.before")" -v w1="$(child_cpu "$dir/times.after")" \
    -v v0="$(child_cpu "$dir/bare.times.before")" -v v1="$(child_cpu "$dir/bare.times.after")" \
    -v n="$(count "$dir/percept.wrk")" -v b="$(rate "$dir/bare.wrk")" -v cores="$(nproc)" \
    -v bc="$bare_cpu" -v bn="$(count "$dir/bare.wrk")" -v g="$group" \
    -v valid="$(awk '/^validating/ { print $2 }' "$dir/floor")" \
    -v store="$(awk '/^storing/ { print $2 }' "$dir/floor")" 'BEGIN {
      wrk = (w1 - w0) * 1e6 / n; wrk_bare = (v1 - v0) * 1e6 / bn; if (wrk_bare < wrk) wrk = wrk_bare
      bare = bc * 1e6 / bn; budget = cores * 1e6 / (0.6 * b) - wrk; floor = bare + valid + store
      printf "budget        0.6 × the baseline is %.0f interviews/s: %d cores, less wrk'"'"'s %.0f µs a request, leave %.0f µs of server CPU per interview\n", 0.6 * b, cores, wrk, budget
      printf "floor         the bare server'"'"'s %.0f µs + validating %.0f µs + storing %.0f µs (percept-bench-storage, groups of %d) = %.0f µs per interview, %.2f × the budget\n", bare, valid, store, g, floor, floor / budget }'
fi
stored=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM submissions")
acked=$(grep -c "POST /\(api/v1/submissions\|key/…/submission\) 201" "$dir/server.log" || true)
echo "stored        $stored interviews in the database; $acked acknowledged with 201 in the server log"
