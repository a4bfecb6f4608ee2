#!/usr/bin/env bash
# How often is a careful enumerator called deviant? Each seed starts a fresh server with five
# careful enumerators of one team (percept-tablet simulate --enumerator-style careful, a queue
# and a token each), syncs them and reads GET /api/v1/enumerators; it counts the seeds with any
# enumerator `deviant` (issue 14's goal: at most 1 in 20), and, for contrast, one seed with a
# fabricator in place of the fifth.
#
#   bash bench/enumerator_false_alarms.sh [SEEDS=20] [HOUSEHOLDS=300]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
households=${2:-300}
. bench/common.sh

# wave SEED STYLE_OF_THE_FIFTH: prints "deviant_count max_abs_gap" for that seed's five.
wave() {
  local seed=$1 fifth=$2
  start_server
  local analyst
  analyst=$($P --db "$dir/p.db" token create --role analyst --name bench-analyst 2>/dev/null | tail -n 1)
  for i in 1 2 3 4 5; do
    local style=careful tok
    [ "$i" = 5 ] && style=$fifth
    tok=$($P --db "$dir/p.db" token create --role enumerator --team norte --name "enc-$i" 2>/dev/null | tail -n 1)
    $T simulate --households "$households" --seed "$((seed * 10 + i))" --enumerator-style "$style" \
      --queue "$dir/q$i.db" > /dev/null
    $T sync --queue "$dir/q$i.db" --server "https://127.0.0.1:$port" --token "$tok" \
      --cacert "$dir/dev-cert.pem" > /dev/null 2>&1
  done
  curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $analyst" \
    "https://127.0.0.1:$port/api/v1/enumerators?survey=chs-perception" |
    python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
gaps = [abs(i["gap"]) for i in items if i["gap"] is not None]
print(sum(1 for i in items if i["deviant"]), "%.1f" % max(gaps))'
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
  trap - EXIT
}

echo "enumerator false alarms: $seeds seeds, five careful enumerators of $households households each"
alarmed=0
for seed in $(seq 1 "$seeds"); do
  read -r deviant gap <<< "$(wave "$seed" careful)"
  printf "seed %2d  deviant: %d of 5  largest |gap| %s index points\n" "$seed" "$deviant" "$gap"
  [ "$deviant" -gt 0 ] && alarmed=$((alarmed + 1))
done
echo "seeds with any careful enumerator deviant: $alarmed of $seeds (goal: <= 1 in 20)"
read -r deviant gap <<< "$(wave 999 fabricator)"
echo "with a fabricator as the fifth: deviant $deviant of 5, largest |gap| $gap index points"
