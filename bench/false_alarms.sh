#!/usr/bin/env bash
# How often does a network where every institution is the same raise an alarm, and which
# dimensions does it call important? Each seed is one wave of a uniform network
# (percept-tablet simulate --uniform) in its own ten days, at each size; the script syncs it,
# reads /api/v1/critical-points (compared with the whole network, and with each institution's
# type) and /api/v1/scores for those days, and counts:
#   - the waves with any flagged dimension cell (part a), under either comparison;
#   - the waves with any flagged indicator or autonomy cell (part b);
#   - per dimension, the waves where it is high-importance. Under a true null every dimension
#     should be high about as often as any other. Beside method 2's counts (importance
#     disattenuated by alpha) the script prints method 1's from the same waves (Pearson's r,
#     recovered as importance * sqrt(alpha)), where the 4-item dimensions win every wave.
# Benjamini-Hochberg at 0.05 over a true null should alarm in about one wave in twenty or fewer.
#
#   bash bench/false_alarms.sh [SEEDS=20] [HOUSEHOLDS="500 1500"]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
sizes=${2:-"500 1500"}
. bench/common.sh
start_server
analyst=$($P --db "$dir/p.db" token create --role analyst --name bench-analyst 2>/dev/null | tail -n 1)
get() {
  curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $analyst" "https://127.0.0.1:$port$1"
}
echo "false alarms: $seeds uniform waves at each of: $sizes households"
echo "  (bash bench/false_alarms.sh $seeds \"$sizes\"; waves from percept-tablet simulate --uniform)"
wave=0
for households in $sizes; do
  any_network=0 any_type=0 any_part_b=0
  : > "$dir/high.txt"
  : > "$dir/high1.txt"
  for seed in $(seq 1 "$seeds"); do
    wave=$((wave + 1))
    sync_wave "$wave" "$households" "$((households * 1000 + seed))" --uniform
    q="survey=chs-perception&from=$first&to=$last"
    get "/api/v1/critical-points?$q" > "$dir/network.json"
    get "/api/v1/critical-points?$q&compare=type" > "$dir/type.json"
    get "/api/v1/scores?$q" > "$dir/scores.json"
    read -r dim_network part_b dim_type high high1 <<< "$(python3 - "$dir" <<'PY'
import json, math, statistics, sys
d = sys.argv[1]
kinds = lambda f: [i["kind"] for i in json.load(open(f"{d}/{f}"))["items"]]
network, by_type = kinds("network.json"), kinds("type.json")
cells = [c for c in json.load(open(f"{d}/scores.json"))["network"]
         if c["dimension"] != "overall" and c.get("importance") is not None]
high = [c["dimension"] for c in cells if c.get("high_importance")]
# Method 1: r itself, the same median rule.
r = {c["dimension"]: c["importance"] * math.sqrt(c["alpha"]) if (c.get("alpha") or 0) > 0
     else c["importance"] for c in cells}
median = statistics.median(r.values()) if r else 0
high1 = [k for k, v in r.items() if v >= median]
print(network.count("dimension"), len(network) - network.count("dimension"),
      by_type.count("dimension"), ",".join(high) or "-", ",".join(high1) or "-")
PY
)"
    printf "  %5d households, seed %2d  flagged: %d dimension (network), %d dimension (type), %d part (b)  high: %s\n" \
      "$households" "$seed" "$dim_network" "$dim_type" "$part_b" "$high"
    [ "$dim_network" -gt 0 ] && any_network=$((any_network + 1))
    [ "$dim_type" -gt 0 ] && any_type=$((any_type + 1))
    [ "$part_b" -gt 0 ] && any_part_b=$((any_part_b + 1))
    echo "$high" | tr ',' '\n' >> "$dir/high.txt"
    echo "$high1" | tr ',' '\n' >> "$dir/high1.txt"
  done
  echo "$households households: waves with any dimension flag, compare=network: $any_network of $seeds"
  echo "$households households: waves with any dimension flag, compare=type:    $any_type of $seeds"
  echo "$households households: waves with any part (b) flag:                   $any_part_b of $seeds (goal: <= 1 in 20)"
  echo "$households households: waves where each dimension is high-importance (of $seeds), method 2 and method 1:"
  python3 - "$dir" "$seeds" <<'PY'
import collections, json, sys
d, seeds = sys.argv[1], sys.argv[2]
count = lambda f: collections.Counter(l.strip() for l in open(f"{d}/{f}") if l.strip() not in ("", "-"))
m2, m1 = count("high.txt"), count("high1.txt")
items = collections.Counter(i["dimension"] for i in
                            json.load(open("survey_defs/chs-perception-v2.json"))["evaluation"]
                            if i.get("type") == "likert" and i.get("dimension"))
for dim in sorted(items):
    print(f"    {dim:16} {items[dim]} items   method 2: {m2[dim]:2} of {seeds}   method 1: {m1[dim]:2} of {seeds}")
PY
done
