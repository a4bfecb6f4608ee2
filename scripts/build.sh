#!/usr/bin/env bash
# Configures and builds Percept (Release) into ./build.
#   scripts/build.sh [--target T]... [cmake args...]
# With --target, only those targets and what they need (scripts/demo.sh builds the server alone);
# without, everything: the programs, the tests and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --target) targets+=(--target "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${args[@]}" > build.configure.log 2>&1 || { cat build.configure.log; exit 1; }
rm -f build.configure.log
cmake --build build -j"$(nproc)" "${targets[@]}"
