#!/usr/bin/env bash
# The main job: installs what is missing, builds, prepares data/percept.db with the demo
# questionnaire and institutions, prints fresh demo tokens, and runs the HTTPS server on
# https://localhost:8443 (Ctrl-C stops it cleanly). A simulated tablet sends it 300 demo
# interviews, so that the report has something to show (one CESFAM is planted weak on
# transparency); they are the same interviews every time (a fixed seed), so a second run stores
# none twice. PERCEPT_DEMO_HOUSEHOLDS=0 sends none.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The server and the tablet stand-in alone: the tests and benchmarks are not needed here.
bash scripts/build.sh --target percept --target percept-tablet
P=build/server/percept
T=build/mobile_stub/percept-tablet
DB=${PERCEPT_DB:-data/percept.db}
PORT=${PERCEPT_PORT:-8443}
HOUSEHOLDS=${PERCEPT_DEMO_HOUSEHOLDS:-300}
$P --db "$DB" init
$P --db "$DB" institution import survey_defs/institutions-demo.csv
stamp=$(date +%Y%m%d-%H%M%S)
enumerator=$($P --db "$DB" token create --role enumerator --name "demo-enumerator-$stamp" 2>/dev/null | tail -n 1)
analyst=$($P --db "$DB" token create --role analyst --name "demo-analyst-$stamp" 2>/dev/null | tail -n 1)
supervisor=$($P --db "$DB" token create --role supervisor --name "demo-supervisor-$stamp" 2>/dev/null | tail -n 1)
institution=$($P --db "$DB" token create --role institution --name "demo-cesfam-tal-1-$stamp" --institution cesfam-tal-1 2>/dev/null | tail -n 1)
cat <<TXT

Demo tokens (shown once; stored only as hashes):
  enumerator   $enumerator
  analyst      $analyst
  supervisor   $supervisor   (every team: https://localhost:$PORT/supervise/chs-perception)
  institution  $institution   (CESFAM Los Cerros, cesfam-tal-1)

A tablet with ODK Collect (serve with --host 0.0.0.0 and a certificate tablets trust, --cert/--key;
Collect refuses the development certificate): set the server URL to
  https://<this machine's address>:$PORT/key/$enumerator
  (or make its set-up QR code: $P --db $DB token create --role enumerator --name tablet-1 \\
     --collect-qr tablet-1.png --server-url https://<this machine's address>:$PORT)
A browser instead of Collect:
  https://localhost:$PORT/key/$enumerator/enter/chs-perception

Send one interview:
  curl --cacert $(dirname "$DB")/dev-cert.pem -H "Authorization: Bearer $enumerator" \\
       -H "Content-Type: application/json" --data-binary @docs/example-submission.json \\
       https://localhost:$PORT/api/v1/submissions

TXT
if [ "$HOUSEHOLDS" -gt 0 ]; then
  # The server in the background while the tablet syncs, then in the foreground as usual.
  $P --db "$DB" serve --port "$PORT" --survey-dir survey_defs &
  server=$!
  trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
  for _ in $(seq 100); do
    curl -sk "https://localhost:$PORT/healthz" > /dev/null 2>&1 && break
    sleep 0.1
  done
  queue=$(dirname "$DB")/demo-tablet-queue.db
  rm -f "$queue"
  $T simulate --households "$HOUSEHOLDS" --seed 7 --queue "$queue" \
    --plant cesfam-tal-1:transparency:-1.5 > /dev/null
  if $T sync --server "https://localhost:$PORT" --token "$enumerator" \
       --cacert "$(dirname "$DB")/dev-cert.pem" --queue "$queue" > /dev/null; then
    echo "The demo tablet has sent its $HOUSEHOLDS interviews. The report (sign in with the analyst token):"
    echo "  https://localhost:$PORT/reports/chs-perception"
  else
    echo "The demo tablet could not send its interviews (see above); the server runs without them." >&2
  fi
  wait $server
  exit $?
fi
exec $P --db "$DB" serve --port "$PORT" --survey-dir survey_defs
