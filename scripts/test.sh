#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
# One throwaway PostgreSQL cluster serves every test that needs one (docs/storage.md). The suite
# runs twice: its servers on SQLite, then on PostgreSQL (PERCEPT_TEST_BACKEND).
bash ../scripts/with-postgres.sh bash -c '
  ctest --output-on-failure --timeout 600 -j"$(nproc)" &&
  echo "== the same suite with every server on PostgreSQL" &&
  PERCEPT_TEST_BACKEND=postgres ctest --output-on-failure --timeout 600 -j"$(nproc)"'

