#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer into ./build-asan and
# runs the whole test suite there: the servers the end-to-end tests start are instrumented too,
# and any memory error, leak or undefined behaviour fails the test that caused it.
#   scripts/sanitize.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" -DPERCEPT_TCMALLOC=OFF \
  > build-asan.configure.log 2>&1 || { cat build-asan.configure.log; exit 1; }
rm -f build-asan.configure.log
cmake --build build-asan -j"$(nproc)" --target percept percept-tablet percept_tests
cd build-asan
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
bash ../scripts/with-postgres.sh ctest --output-on-failure --timeout 900 -j"$(nproc)" "$@"
