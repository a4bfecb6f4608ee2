#!/usr/bin/env bash
# Behaviour unchanged across a refactoring (issue 11): serves one database, filled once, with
# two builds of `percept` in turn, fetches the report pages, the score API and the five exports
# (over HTTPS and from the command line) from each, and compares them byte for byte.
#   scripts/compare-builds.sh OLD_PERCEPT [NEW_PERCEPT=build/server/percept] [HOUSEHOLDS=600]
# Prints one line per output and exits non-zero when any differs.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1
new=${2:-build/server/percept}
households=${3:-600}
T=build/mobile_stub/percept-tablet
[ -x "$new" ] && [ -x "$T" ] || bash scripts/build.sh > /dev/null
dir=$(mktemp -d /tmp/percept-compare-XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
db=$dir/p.db
# The database is made and filled by the old build and migrated by the new one before it
# serves: an old build refuses a newer schema, a new one migrates an older.
"$old" --db "$db" init > /dev/null 2>&1
"$old" --db "$db" institution import survey_defs/institutions-demo.csv > /dev/null
enumerator=$("$old" --db "$db" token create --role enumerator --name field 2>/dev/null | tail -n 1)
analyst=$("$old" --db "$db" token create --role analyst --name analyst 2>/dev/null | tail -n 1)
institution=$("$old" --db "$db" token create --role institution --name cesfam \
  --institution cesfam-tal-1 2>/dev/null | tail -n 1)

serve() {  # serve BINARY: sets server and url
  "$1" --db "$db" serve --port 0 --survey-dir survey_defs --no-log --rate-limit 0 > "$dir/out" 2> "$dir/server.log" &
  server=$!
  for _ in $(seq 200); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.05; done
  url="https://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$dir/out")"
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

# One wave, stored once, by the old build (both read the same file afterwards).
serve "$old"
"$T" simulate --households "$households" --seed 11 --plant cesfam-tal-2:transparency:-2 --queue "$dir/q.db" > /dev/null
"$T" sync --queue "$dir/q.db" --server "$url" --token "$enumerator" --cacert "$dir/dev-cert.pem" > /dev/null
stop

outputs=(
  "report-es|$analyst|/reports/chs-perception"
  "report-en|$analyst|/reports/chs-perception?lang=en"
  "report-filtered|$analyst|/reports/chs-perception?comuna=8110&from=2000-01-01&lang=en"
  "report-institution|$institution|/reports/chs-perception"
  "scores|$analyst|/api/v1/scores?survey=chs-perception"
  "scores-institution|$institution|/api/v1/scores?survey=chs-perception"
  "critical-points|$analyst|/api/v1/critical-points?survey=chs-perception"
  "export-csv-wide|$analyst|/api/v1/exports/chs-perception.csv"
  "export-csv-long|$analyst|/api/v1/exports/chs-perception.csv?layout=long"
  "export-codebook|$analyst|/api/v1/exports/chs-perception/codebook.csv"
  "export-jsonl|$analyst|/api/v1/exports/chs-perception.jsonl"
  "export-sav|$analyst|/api/v1/exports/chs-perception.sav"
)
for side in old new; do
  bin=$old; [ "$side" = new ] && bin=$new
  [ "$side" = new ] && "$new" --db "$db" init > /dev/null 2>&1
  mkdir -p "$dir/$side"
  serve "$bin"
  for o in "${outputs[@]}"; do
    IFS='|' read -r name token path <<< "$o"
    curl -s --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $token" "$url$path" \
      -o "$dir/$side/$name" -w '%{http_code}\n' > "$dir/$side/$name.status"
  done
  stop
  for f in csv csv-long codebook jsonl sav; do
    "$bin" --db "$db" export --survey chs-perception --format "$f" --out "$dir/$side/cli-$f" 2> /dev/null
  done
done
# An SPSS file records when it was written (bytes 93-109 of its header: date and time); the
# rest must match.
same() {
  case "$1" in
    *sav) cmp -s <(head -c 92 "$dir/old/$1"; tail -c +110 "$dir/old/$1") \
                 <(head -c 92 "$dir/new/$1"; tail -c +110 "$dir/new/$1") ;;
    *) cmp -s "$dir/old/$1" "$dir/new/$1" ;;
  esac
}
rc=0
for f in $(cd "$dir/new" && ls | grep -v '\.status$'); do
  status=cli
  [ -f "$dir/new/$f.status" ] && status=$(cat "$dir/new/$f.status")
  if same "$f" && { [ "$status" = cli ] || cmp -s "$dir/old/$f.status" "$dir/new/$f.status"; }; then
    printf '%-20s identical  (%s, %s bytes)\n' "$f" "$status" "$(wc -c < "$dir/new/$f")"
  else
    printf '%-20s DIFFERENT  (%s)\n' "$f" "$status"; rc=1
  fi
done
exit $rc
