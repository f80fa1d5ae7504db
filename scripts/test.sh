#!/usr/bin/env bash
# Runs every test of the solution. On a fresh machine it first installs what the tests need.
#   bash scripts/test.sh            # all tests
#   bash scripts/test.sh --filter X # extra arguments go to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
dotnet test HubSyncWorker.sln -c Release --logger "console;verbosity=minimal" "$@"
