#!/usr/bin/env bash
# Runs COMMAND with a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh) for the tests that
# need one: its URL in PERCEPT_TEST_PG; the cluster is stopped and removed afterwards, whatever
# COMMAND did.
#   bash scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/percept-pg-XXXXXX)
trap 'bash "$here/pg-throwaway.sh" stop "$dir"' EXIT
PERCEPT_TEST_PG=$(bash "$here/pg-throwaway.sh" start "$dir")
export PERCEPT_TEST_PG
"$@"
