#!/usr/bin/env bash
# Exercises the container's build steps without a Docker engine: the Dockerfile's exact publish command, then the published app
# started the way the image starts it (dotnet HubSyncWorker.dll) on a free port, with a minimal configuration: fake token and
# secret, embedded store, no incremental sync, no property bootstrap, HubSpot pointing at a closed local port. It must answer
# /alive with 200 and serve /metrics; then it is stopped.
#   bash scripts/container-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
log="$out.log"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$out" "$log"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Docker's TARGETARCH for this machine (amd64, arm64), as the build stage receives it.
case "$(uname -m)" in
  x86_64|amd64) TARGETARCH=amd64 ;;
  aarch64|arm64) TARGETARCH=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

echo "== restore and publish (the Dockerfile's steps, -a $TARGETARCH, in a staging copy holding only what the Dockerfile copies) =="
stage="$(mktemp -d)"
trap 'cleanup; rm -rf "$stage"' EXIT
# The restore layer: exactly the files the Dockerfile COPYs before `dotnet restore` (a project missing there fails here, as in docker build).
awk '/^RUN dotnet restore/ { exit } /^COPY / { print }' Dockerfile | while read -r _ rest; do
  set -- $rest
  dest="${!#}"
  for ((i = 1; i < $#; i++)); do
    mkdir -p "$stage/$dest"
    cp "${!i}" "$stage/$dest"
  done
done
(cd "$stage" && dotnet restore src/HubSyncWorker -a "$TARGETARCH" --nologo -v q)
# The build layer: the analyzer settings and the sources.
cp .editorconfig "$stage/"
tar --exclude=bin --exclude=obj -cf - src | tar -C "$stage" -xf -
(cd "$stage" && dotnet publish src/HubSyncWorker -c Release -a "$TARGETARCH" -o "$out" --no-restore --nologo -v q)
for file in HubSyncWorker.dll HubSyncWorker.runtimeconfig.json appsettings.json; do
  [ -f "$out/$file" ] || { echo "publish output lacks $file" >&2; exit 1; }
done

port="$(free_port)"
closed="$(free_port)"   # nothing listens there: every HubSpot call fails fast
echo "== start the published app on 127.0.0.1:$port =="
(
  cd "$out"
  export ASPNETCORE_URLS="http://127.0.0.1:$port" DOTNET_RUNNING_IN_CONTAINER=true
  export HubSpot__AccessToken="pat-smoke-not-a-real-token" HubSpot__BaseUrl="http://127.0.0.1:$closed" HubSpot__AllowCustomBaseUrl=true
  export Webhooks__ClientSecret="smoke-not-a-real-secret" Sync__IncrementalEnabled=false Sync__BootstrapProperties=false
  exec dotnet HubSyncWorker.dll
) >"$log" 2>&1 &
pid=$!

status=""
for _ in $(seq 1 150); do
  if ! kill -0 "$pid" 2>/dev/null; then echo "the app exited early:" >&2; cat "$log" >&2; exit 1; fi
  status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/alive" || true)"
  [ "$status" = "200" ] && break
  sleep 0.2
done
if [ "$status" != "200" ]; then echo "/alive answered '$status' instead of 200; log:" >&2; cat "$log" >&2; exit 1; fi
echo "/alive: 200"

metrics="$(curl -sf "http://127.0.0.1:$port/metrics")" || { echo "/metrics did not answer 200; log:" >&2; cat "$log" >&2; exit 1; }
if ! grep -q '^hubsync_' <<<"$metrics"; then echo "/metrics has no hubsync_* series:" >&2; head -50 <<<"$metrics" >&2; exit 1; fi
echo "/metrics: 200, $(grep -c '^hubsync_' <<<"$metrics") hubsync_* samples"

if grep -q 'pat-smoke-not-a-real-token\|smoke-not-a-real-secret' "$log"; then echo "a secret appeared in the log" >&2; exit 1; fi
if ! head -1 "$log" | grep -q '^{'; then echo "logs are not JSON in a container:" >&2; head -5 "$log" >&2; exit 1; fi
echo "logs: JSON, no secret"
echo "container smoke test passed"
