#!/usr/bin/env bash
# Runs every test of the solution. On a fresh machine it first installs what the tests need.
#   bash scripts/test.sh            # all tests, then the chart check and the container smoke test
#   bash scripts/test.sh --filter X # extra arguments go to `dotnet test` (the chart check and smoke test still run)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
# The chart tests render charts/hubsync-worker with helm (fetched into .tools/helm when it is not on PATH).
bash scripts/install-helm.sh >/dev/null
dotnet test HubSyncWorker.sln -c Release --logger "console;verbosity=minimal" "$@"
bash scripts/helm-check.sh
bash scripts/container-smoke.sh
