#!/usr/bin/env bash
# Are GET /api/v1/trends' flags calibrated (docs/waves.md, "Calibration")? Per pair, three waves
# of a uniform network (percept-tablet simulate --uniform), ten days each: A, B, and C, which is
# B's like but with one institution's dimension planted better (--plant INSTITUTION:DIM:SHIFT).
#   - A -> B is a true null: does any family (dimensions, autonomy, indicators) flag any cell?
#     Benjamini-Hochberg at 0.05 per family should alarm in about one pair in twenty or fewer.
#   - A -> C has one real change: is the planted cell flagged "improved"?
#
#   bash bench/trend_calibration.sh [PAIRS=20] [HOUSEHOLDS=1500] [PLANT=cesfam-tal-1:transparency:0.5]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-20}
households=${2:-1500}
plant=${3:-cesfam-tal-1:transparency:0.5}
planted_institution=${plant%%:*}
planted_dimension=$(echo "$plant" | cut -d: -f2)
. bench/common.sh
start_server
analyst=$($P --db "$dir/p.db" token create --role analyst --name bench-analyst 2>/dev/null | tail -n 1)
get() {
  curl -sf --cacert "$dir/dev-cert.pem" -H "Authorization: Bearer $analyst" "https://127.0.0.1:$port$1"
}
echo "trend calibration: $pairs pairs of uniform waves of $households households; planted $plant"
echo "  (bash bench/trend_calibration.sh $pairs $households $plant)"
wave=0
null_dimensions=0 null_autonomy=0 null_indicators=0 found=0
for pair in $(seq 1 "$pairs"); do
  ids=()
  for role in a b c; do
    wave=$((wave + 1))
    extra=(--uniform)
    [ "$role" = c ] && extra+=(--plant "$plant")
    sync_wave "$wave" "$households" "$((pair * 100 + wave))" "${extra[@]}"
    $P --db "$dir/p.db" wave create --survey chs-perception --survey-dir survey_defs \
      --id "w$wave" --from "$first" --to "$last" > /dev/null
    ids+=("w$wave")
  done
  get "/api/v1/trends?survey=chs-perception&waves=${ids[0]},${ids[1]}" > "$dir/null.json"
  get "/api/v1/trends?survey=chs-perception&waves=${ids[0]},${ids[2]}" > "$dir/planted.json"
  read -r dims autonomy indicators hit change q <<< "$(python3 - "$dir" "$planted_institution" "$planted_dimension" <<'PY'
import json, sys
d, inst, dim = sys.argv[1:]
null = json.load(open(f"{d}/null.json"))
flagged = lambda cells: sum(1 for c in cells if c.get("flags"))
planted = json.load(open(f"{d}/planted.json"))
cell = next(c for c in planted["cells"] if c["institution_id"] == inst and c["dimension"] == dim)
fmt = lambda v: "-" if v is None else f"{v:.4g}"
print(flagged(null["cells"]), flagged(null["autonomy"]["cells"]), flagged(null["indicators"]["cells"]),
      int("improved" in cell.get("flags", [])), fmt(cell["change"]), fmt(cell["q"]))
PY
)"
  printf "  pair %2d  null A->B flagged cells: %d dimension, %d autonomy, %d indicator   planted A->C: %s (change %s, q %s)\n" \
    "$pair" "$dims" "$autonomy" "$indicators" "$([ "$hit" = 1 ] && echo found || echo missed)" "$change" "$q"
  [ "$dims" -gt 0 ] && null_dimensions=$((null_dimensions + 1))
  [ "$autonomy" -gt 0 ] && null_autonomy=$((null_autonomy + 1))
  [ "$indicators" -gt 0 ] && null_indicators=$((null_indicators + 1))
  found=$((found + hit))
done
echo "null pairs with any flagged cell: dimensions $null_dimensions, autonomy $null_autonomy, indicators $null_indicators, of $pairs (goal: <= 1 in 20 each)"
echo "planted change found (improved): $found of $pairs (goal: >= 18 in 20)"
