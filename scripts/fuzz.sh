#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 60) from its seed
# corpus in fuzz/corpus/, as many at once as there are cores. Exits non-zero if any target
# finds a crash (the input is saved as build-fuzz/crash-*). Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
if ! command -v clang++ > /dev/null || [ ! -d /usr/lib/llvm-14/lib/clang ] || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev > /dev/null
  else
    echo "fuzz: clang and libclang-rt-14-dev are needed" >&2; exit 1
  fi
fi
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPERCEPT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build-fuzz -j"$(nproc)" > /dev/null
cd build-fuzz
# One target per core at a time: each fuzzer is one process on one core.
fuzz_one() {
  local target=$1 work
  work=$(mktemp -d)
  cp ../fuzz/corpus/$target/* "$work/"
  local rc=0
  ./fuzz/fuzz_$target "$work" -max_total_time="$secs" -max_len=8192 -print_final_stats=1 \
    2> "fuzz_$target.log" || rc=1
  rm -rf "$work"
  return $rc
}
status=0
pids=()
targets=(submission definition institutions instance request)
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do sleep 1; done
  fuzz_one "$target" &
  pids+=($!)
done
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  echo "fuzz_$target: ${secs}s"
  if ! wait "${pids[$i]}"; then
    status=1
    tail -40 "fuzz_$target.log"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "fuzz_$target.log" | sed "s/^/  /"
done
exit $status
