#!/usr/bin/env bash
# Renders a monthly report's HTML page in headless Chromium (Debian's `chromium`), checks that the browser
# laid out its four charts, and writes a screenshot (the README's docs/report.png is made this way).
#
#   npm run report -- --month 2026-11 --html /tmp/report.html     # or --file saved.json --html …
#   scripts/render-report.sh /tmp/report.html [docs/report.png]
#
# Needs: apt-get install -y chromium fonts-noto-cjk (the fonts draw the Chinese labels). Offline: the page
# loads nothing, and the flags keep Chromium from calling home.
set -euo pipefail
if [ $# -lt 1 ]; then echo "usage: $0 REPORT.html [OUT.png]" >&2; exit 2; fi
html=$(realpath "$1")
out=${2:-docs/report.png}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then echo "chromium not found: apt-get install -y chromium fonts-noto-cjk" >&2; exit 2; fi
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --no-first-run --hide-scrollbars --window-size=1280,1600)

# The DOM as Chromium parsed it: four chart figures, each an <svg> with bars drawn.
dom=$("$chromium" "${flags[@]}" --dump-dom "file://$html" 2>/dev/null)
charts=$(grep -o '<figure class="chart" data-chart="[a-z-]*"><svg' <<<"$dom" | wc -l)
bars=$(grep -o '<rect ' <<<"$dom" | wc -l)
if [ "$charts" -ne 4 ] || [ "$bars" -lt 4 ]; then
  echo "expected 4 charts with bars in the rendered page; found $charts charts, $bars rects" >&2
  exit 1
fi
"$chromium" "${flags[@]}" --screenshot="$(realpath -m "$out")" "file://$html" 2>/dev/null
test -s "$out"
echo "chromium rendered $charts charts ($bars bars); screenshot: $out"
