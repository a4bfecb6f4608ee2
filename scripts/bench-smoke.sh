#!/usr/bin/env bash
# Every benchmark in bench/ at a tiny size, so that none can rot unnoticed (CI runs this). The
# figures mean nothing at this size; a benchmark that fails to run, or whose own checks fail
# (exactly-once, a full rebuild equal to the incremental aggregates), fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
run() {
  echo "== $*"
  local start=$SECONDS
  "$@" > bench-smoke.log 2>&1 || { cat bench-smoke.log; rm -f bench-smoke.log; echo "bench-smoke: FAILED: $*"; exit 1; }
  tail -n 4 bench-smoke.log
  echo "   ($((SECONDS - start)) s)"
}
run bash bench/ingest.sh 4 2
run env LOADGEN=tablet bash bench/ingest.sh 4 2
run bash bench/openrosa.sh 4 2 1
run bash bench/sync.sh 300 50
run bash bench/slowloris.sh 20 300 6
run bash bench/hostile.sh 100 10 300 8
run bash bench/soak.sh 2 40
run bash bench/two_servers.sh 300 1 3
run bash bench/backends.sh 4 1
run build/bench/percept-bench-national --households 300 --plans 60
run bash bench/national_postgres.sh 300 60
run bash bench/false_alarms.sh 2 "100 150"
run bash bench/trend_calibration.sh 2 150
run bash bench/power.sh 1 150 "-1"
run bash bench/enumerator_false_alarms.sh 2 60
run bash bench/supervisor_load.sh 300 8 2
run bash scripts/compare-builds.sh build/server/percept build/server/percept 100
rm -f bench-smoke.log
echo "bench-smoke: every benchmark ran"
