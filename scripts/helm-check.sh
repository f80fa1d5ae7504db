#!/usr/bin/env bash
# Checks the Helm chart: lint (strict) and render with the default values and with a production-like values file, and asserts
# that a bad value fails against values.schema.json. Fetches helm first when needed (scripts/install-helm.sh).
#   bash scripts/helm-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
helm="$(bash scripts/install-helm.sh)"
chart=charts/hubsync-worker
prod="$chart/ci/production-values.yaml"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== helm lint --strict (default values on the embedded store, production values) =="
"$helm" lint --strict "$chart" --set redis.allowEmbeddedStore=true
"$helm" lint --strict "$chart" -f "$prod"

echo "== helm template (default values: refused without Redis unless the embedded store is allowed) =="
if "$helm" template hubsync "$chart" >"$out/default.yaml" 2>"$out/default.err"; then
  echo "helm template accepted default values without redis.host" >&2; exit 1
fi
grep -q "redis.allowEmbeddedStore" "$out/default.err" || { cat "$out/default.err" >&2; exit 1; }
"$helm" template hubsync "$chart" --set redis.allowEmbeddedStore=true >"$out/default.yaml"
grep -c '^kind:' "$out/default.yaml" | xargs echo "  manifests:"

echo "== helm template (production values) =="
"$helm" template hubsync "$chart" -f "$prod" >"$out/production.yaml"
for kind in Deployment Service ConfigMap PodDisruptionBudget ServiceAccount Ingress ServiceMonitor Job CronJob NetworkPolicy; do
  grep -q "^kind: $kind\$" "$out/production.yaml" || { echo "production rendering lacks a $kind" >&2; exit 1; }
done
if grep -q '^kind: Secret$' "$out/production.yaml"; then echo "existingSecret is set, yet a Secret was rendered" >&2; exit 1; fi
echo "  all expected kinds rendered"

echo "== a bad value must fail (schema) =="
for bad in "replicaCount=-1" "resync.enabled=yes" "image.pullPolicy=Sometimes"; do
  if "$helm" template hubsync "$chart" --set redis.allowEmbeddedStore=true --set "$bad" >"$out/bad.yaml" 2>"$out/bad.err"; then
    echo "helm template accepted the bad value $bad" >&2; exit 1
  fi
  grep -q "schema" "$out/bad.err" || { echo "$bad failed, but not on the schema:" >&2; cat "$out/bad.err" >&2; exit 1; }
  echo "  rejected: $bad"
done
echo "helm check passed"
