#!/usr/bin/env bash
# How often does a network where every institution is the same raise a part (b) alarm?
# Each seed is one wave of a uniform network (percept-tablet simulate --uniform) in its own ten
# days; the script syncs it, reads /api/v1/critical-points for those days, and counts the seeds
# with any flagged indicator cell, any flagged autonomy cell, and (for comparison) any flagged
# dimension cell. Benjamini-Hochberg at 0.05 over a true null should alarm about one seed in
# twenty or fewer (issue 13's goal: <= 1 in 20).
#
#   bash bench/false_alarms.sh [SEEDS=20] [HOUSEHOLDS=1500]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
households=${2:-1500}
. bench/common.sh
start_server
analyst=$($P --db "$dir/p.db" token create --role analyst --name bench-analyst 2>/dev/null | tail -n 1)
echo "false alarms: $seeds uniform waves of $households households (percept-tablet simulate --uniform)"
any_indicator=0 any_autonomy=0 any_part_b=0 any_dimension=0
for seed in $(seq 1 "$seeds"); do
  first=$(date -d "2026-01-01 + $((10 * seed)) days" +%F)
  last=$(date -d "$first + 9 days" +%F)
  $T simulate --households "$households" --days 10 --first-day "$first" --uniform --seed "$seed" \
    --queue "$dir/wave-$seed.db" > /dev/null
  $T sync --queue "$dir/wave-$seed.db" --server "https://127.0.0.1:$port" --token "$token" \
    --cacert "$dir/dev-cert.pem" > /dev/null 2>&1
  counts=$(curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $analyst" \
    "https://127.0.0.1:$port/api/v1/critical-points?survey=chs-perception&from=$first&to=$last" |
    python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
kinds = [i["kind"] for i in items]
print(kinds.count("indicator"), kinds.count("autonomy"), kinds.count("dimension"))')
  read -r ind aut dim <<< "$counts"
  printf "seed %2d  %s..%s  flagged: %d indicator, %d autonomy, %d dimension cells\n" \
    "$seed" "$first" "$last" "$ind" "$aut" "$dim"
  [ "$ind" -gt 0 ] && any_indicator=$((any_indicator + 1))
  [ "$aut" -gt 0 ] && any_autonomy=$((any_autonomy + 1))
  [ $((ind + aut)) -gt 0 ] && any_part_b=$((any_part_b + 1))
  [ "$dim" -gt 0 ] && any_dimension=$((any_dimension + 1))
done
echo "seeds with any indicator flag:          $any_indicator of $seeds"
echo "seeds with any autonomy flag:           $any_autonomy of $seeds"
echo "seeds with any part (b) flag:           $any_part_b of $seeds (goal: <= 1 in 20)"
echo "seeds with any dimension flag (part a): $any_dimension of $seeds"
