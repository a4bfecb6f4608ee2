#!/usr/bin/env bash
# The main job: installs what is missing, builds, prepares data/percept.db with the demo
# questionnaire and institutions, prints fresh demo tokens, and runs the HTTPS server on
# https://localhost:8443 (Ctrl-C stops it cleanly).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh --target percept  # the server alone: the tests and benchmarks are not needed here
P=build/server/percept
DB=${PERCEPT_DB:-data/percept.db}
PORT=${PERCEPT_PORT:-8443}
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
exec $P --db "$DB" serve --port "$PORT" --survey-dir survey_defs
