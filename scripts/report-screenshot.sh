#!/usr/bin/env bash
# Renders a funnel HTML report (from `report --html` or `demo --html`) in headless Chromium, takes a screenshot and checks
# that the page rendered: the PNG exists and is not trivially small, and the DOM holds the funnel chart and table.
# Installs the Debian package `chromium` when no Chromium is found (needs root, as in CI containers).
#
# Usage: scripts/report-screenshot.sh <report.html> [<screenshot.png>]
# EXTRA_MARKERS (space-separated) adds markers the rendered DOM must hold, e.g. the insights charts of the demo's report:
#   EXTRA_MARKERS='id="insights-lift-chart" id="insights-calibration"' scripts/report-screenshot.sh artifacts/demo-report.html
# Exit: 0 rendered, 1 the page did not render as expected, 2 bad usage or no browser.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 <report.html> [<screenshot.png>]" >&2
  exit 2
fi

html="$(realpath "$1")"
png="$(realpath -m "${2:-${html%.html}.png}")"
min_png_bytes="${MIN_PNG_BYTES:-20000}"
if [[ ! -f "$html" ]]; then
  echo "no such file: $html" >&2
  exit 2
fi

find_chromium() {
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if ! browser="$(find_chromium)"; then
  echo "Chromium not found; installing the apt package 'chromium'..." >&2
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "cannot install Chromium (needs root and apt-get); install it and retry" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  browser="$(find_chromium)" || { echo "Chromium still not found after installing it" >&2; exit 2; }
fi

profile="$(mktemp -d)"
dom="$(mktemp)"
trap 'rm -rf "$profile" "$dom"' EXIT

# Offline, quiet, reproducible: no sandbox (root in a container), no GPU, no background traffic, a throw-away profile.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile")

mkdir -p "$(dirname "$png")"
rm -f "$png"
timeout 90 "$browser" "${flags[@]}" --screenshot="$png" --window-size=1200,900 "file://$html" >/dev/null 2>&1 || true
timeout 90 "$browser" "${flags[@]}" --dump-dom "file://$html" >"$dom" 2>/dev/null || true

failures=()
if [[ ! -s "$png" ]]; then
  failures+=("no screenshot was written to $png")
else
  size="$(stat -c %s "$png")"
  if [[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]]; then
    failures+=("$png is not a PNG")
  fi
  if (( size < min_png_bytes )); then
    failures+=("the screenshot is only $size bytes (a blank page?); expected at least $min_png_bytes")
  fi
fi

read -r -a extra_markers <<<"${EXTRA_MARKERS:-}"
for marker in 'id="funnel-chart"' 'id="funnel-table"' '<rect' '<td>lead</td>' "${extra_markers[@]}"; do
  if ! grep -qF "$marker" "$dom"; then
    failures+=("the rendered page has no $marker")
  fi
done

if (( ${#failures[@]} > 0 )); then
  printf 'Report did not render: %s\n' "${failures[@]}" >&2
  exit 1
fi

echo "Rendered $html: screenshot $png ($size bytes); the page shows the funnel chart and table"
