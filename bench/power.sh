#!/usr/bin/env bash
# The power table: how often a real drop is found. Each wave is a uniform network
# (percept-tablet simulate --uniform) with one cell moved down by SHIFT scale points
# (--plant cesfam-tal-1:transparency:SHIFT, fractions allowed); the script syncs it, reads
# /api/v1/critical-points for the wave's days, and counts the waves where that cell is flagged
# below_network, and the waves with any other flag (a false alarm beside it). It also prints the
# cell's mean gap and mean minimum detectable gap, so a consultant can set one beside the other.
#
#   bash bench/power.sh [WAVES=20] [HOUSEHOLDS="500 1500"] [SHIFTS="-0.5 -1 -2"]
set -euo pipefail
cd "$(dirname "$0")/.."
waves=${1:-20}
sizes=${2:-"500 1500"}
shifts=${3:-"-0.5 -1 -2"}
cell=cesfam-tal-1
dimension=transparency
. bench/common.sh
start_server
analyst=$($P --db "$dir/p.db" token create --role analyst --name bench-analyst 2>/dev/null | tail -n 1)
echo "power: $waves uniform waves per size and shift, $cell · $dimension moved down"
echo "  (bash bench/power.sh $waves \"$sizes\" \"$shifts\")"
printf "%-12s %-10s %-14s %-14s %-10s %-10s\n" households shift found "other flags" "mean gap" "mean mdg"
wave=0
for households in $sizes; do
  shift_index=0
  for shift in $shifts; do
    shift_index=$((shift_index + 1))
    found=0 others=0
    : > "$dir/gaps.txt"
    for seed in $(seq 1 "$waves"); do
      wave=$((wave + 1))
      sync_wave "$wave" "$households" "$((households * 1000 + shift_index * 100 + seed))" \
        --uniform --plant "$cell:$dimension:$shift"
      q="survey=chs-perception&from=$first&to=$last&institution=$cell"
      curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $analyst" \
        "https://127.0.0.1:$port/api/v1/scores?$q" > "$dir/scores.json"
      curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $analyst" \
        "https://127.0.0.1:$port/api/v1/critical-points?survey=chs-perception&from=$first&to=$last" \
        > "$dir/critical.json"
      read -r hit other gap mdg <<< "$(python3 - "$dir" "$cell" "$dimension" <<'PY'
import json, sys
d, cell, dim = sys.argv[1:]
items = json.load(open(f"{d}/critical.json"))["items"]
hit = any(i["kind"] == "dimension" and i["institution_id"] == cell and i["dimension"] == dim
          and "below_network" in i["flags"] for i in items)
other = sum(1 for i in items if not (i["kind"] == "dimension" and i["institution_id"] == cell
                                      and i["dimension"] == dim))
c = next(c for c in json.load(open(f"{d}/scores.json"))["cells"] if c["dimension"] == dim)
print(int(hit), other, c.get("gap", "nan"), c.get("min_detectable_gap", "nan"))
PY
)"
      found=$((found + hit))
      [ "$other" -gt 0 ] && others=$((others + 1))
      echo "$gap $mdg" >> "$dir/gaps.txt"
    done
    read -r mean_gap mean_mdg <<< "$(awk '{ g += $1; m += $2 } END { printf "%.1f %.1f", g / NR, m / NR }' "$dir/gaps.txt")"
    printf "%-12s %-10s %-14s %-14s %-10s %-10s\n" "$households" "$shift" "$found of $waves" \
      "$others of $waves" "$mean_gap" "$mean_mdg"
  done
done
