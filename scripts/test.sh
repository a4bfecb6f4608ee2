#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
# One throwaway PostgreSQL cluster serves every test that needs one (docs/storage.md). The suite
# runs with its servers on SQLite, then the end-to-end tests again with every server on
# PostgreSQL (PERCEPT_TEST_BACKEND); the unit tests run each backend already in the first run.
# The ones that drive Chromium run once: what they reach on the server (the report, OpenRosa)
# other end-to-end tests run on PostgreSQL too, and they spend their time in the browser. So do
# the statistical stories: they test the method over thousands of interviews, which is the same
# on either backend (the scores' equality across backends has tests of its own).
bash ../scripts/with-postgres.sh bash -c '
  ctest --output-on-failure --timeout 600 -j"$(nproc)" &&
  echo "== the end-to-end tests with every server on PostgreSQL" &&
  PERCEPT_TEST_BACKEND=postgres ctest -L e2e -E "^in a real browser|^the story" \
    --output-on-failure --timeout 600 -j"$(nproc)"'

