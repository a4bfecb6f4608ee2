# Shared by the bench scripts (sourced): a fresh database with the demo institutions and an
# enumerator token, and `percept serve` on a free loopback port.
#   start_server [SERVE ARGS...]  sets: dir, token, port, server (its pid); cleans up on exit
P=${PERCEPT_BIN:-build/server/percept}
T=${PERCEPT_TABLET_BIN:-build/mobile_stub/percept-tablet}
[ -x "$P" ] && [ -x "$T" ] || bash scripts/build.sh > /dev/null

start_server() {
  dir=$(mktemp -d /tmp/percept-bench-XXXXXX)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
  $P --db "$dir/p.db" init > /dev/null 2>&1
  $P --db "$dir/p.db" institution import survey_defs/institutions-demo.csv > /dev/null
  token=$($P --db "$dir/p.db" token create --role enumerator --name bench 2>/dev/null | tail -n 1)
  $P --db "$dir/p.db" serve --port 0 --survey-dir survey_defs --no-log "$@" > "$dir/out" 2> "$dir/server.log" &
  server=$!
  for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/out")
}

# sync_tablet N: queues N generated interviews and times their sync; prints what arrived, and
# says so when not all of them did.
sync_tablet() {
  local n=$1 start end rc=0 stored
  $T simulate --households "$n" --seed 1 --queue "$dir/queue.db" > /dev/null
  start=$(date +%s.%N)
  timeout 40 $T sync --queue "$dir/queue.db" --batch 100 --give-up 30 --server "https://127.0.0.1:$port" \
    --token "$token" --cacert "$dir/dev-cert.pem" > /dev/null 2>&1 || rc=$?
  end=$(date +%s.%N)
  stored=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM submissions")
  awk -v a="$start" -v b="$end" -v s="$stored" -v n="$n" -v rc="$rc" 'BEGIN {
    printf "tablet        %d of %d interviews stored in %.1f s (sync exit %d)\n", s, n, b - a, rc }'
  [ "$stored" -eq "$n" ] || echo "tablet        NOT ALL STORED: the attack kept the tablet out"
}

# server_figures REGEX: the server's metrics matching REGEX, and its peak memory.
server_figures() {
  curl -s --cacert "$dir/dev-cert.pem" "https://127.0.0.1:$port/metrics" | grep -E "^percept_($1)" |
    sed 's/^/server        /' || true
  echo "server        peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$server/status)"
}

# sync_wave WAVE HOUSEHOLDS SEED [SIMULATE ARGS...]: generates wave number WAVE in its own ten
# days (from 2026-01-01 + 10 * WAVE; sets `first` and `last`) and syncs it to the server.
sync_wave() {
  local wave=$1 households=$2 seed=$3
  shift 3
  first=$(date -d "2026-01-01 + $((10 * wave)) days" +%F)
  last=$(date -d "$first + 9 days" +%F)
  $T simulate --households "$households" --days 10 --first-day "$first" --seed "$seed" "$@" \
    --queue "$dir/wave-$wave.db" > /dev/null
  $T sync --queue "$dir/wave-$wave.db" --server "https://127.0.0.1:$port" --token "$token" \
    --cacert "$dir/dev-cert.pem" > /dev/null 2>&1
}
