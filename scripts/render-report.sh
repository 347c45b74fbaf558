#!/usr/bin/env bash
# Renders a monthly report's HTML page in headless Chromium as readers get it, and checks it:
#   - the Chinese has a font (fontconfig knows a CJK one; without it every character is a box);
#   - at 1440 px the page fills the width and lays the four charts out two by two (the 一件事 chart below
#     them, in its section); at 720 px one per row;
#     at neither does the page scroll sideways, and each chart's SVG has bars and fills its box;
#   - the 办不成事, upward-sync, 缺数清单 and 一件事 sections have their nine tables (or say why one is empty), and
#     at 1440 px every one fits without scrolling sideways;
#   - printed on A4 it is a few pages.
# It writes report-1440.png, report-720.png and report-a4.pdf to OUT_DIR (default: a new temporary folder).
#
#   npm run report -- --month 2026-11 --html report.html     # or --file saved.json --html report.html
#   scripts/render-report.sh report.html [OUT_DIR]
#   scripts/render-report.sh                                   # the fixture tests/fixtures/monthly-report-2026-11.json (CI),
#                                                              # the report tests/integration/report.test.ts builds
#
# Needs (Debian): apt-get install -y chromium fonts-noto-cjk. Offline: the page loads nothing, and the flags
# keep Chromium from calling home.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "render-report: $*" >&2; exit 1; }

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || fail "chromium not found: apt-get install -y chromium fonts-noto-cjk"
fc-list ':lang=zh' family 2>/dev/null | grep -q . ||
  fail "no CJK font: the report's Chinese would be drawn as boxes. apt-get install -y fonts-noto-cjk"

out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/civicflow-report-XXXXXX")}
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/civicflow-chromium-XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "${1:-}" ]; then
  html=$(realpath "$1")
else
  html="$work/report.html"
  npm run --silent report -- --file tests/fixtures/monthly-report-2026-11.json --html "$html" >/dev/null
fi
[ -s "$html" ] || fail "$html is missing or empty"

run() { # a fresh profile per run: nothing carries over between them
  local profile
  profile=$(mktemp -d "$work/profile-XXXXXX")
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" "$@" 2>/dev/null
}

# The layout as Chromium computed it, measured by a harness page (the report itself has no script) that
# loads it in a frame of each width and writes what it found into its own DOM.
cat >"$work/harness.html" <<EOF
<!doctype html><meta charset="utf-8"><body>
<iframe id="w1440" src="file://$html" style="width:1440px;height:2000px;border:0"></iframe>
<iframe id="w720" src="file://$html" style="width:720px;height:2000px;border:0"></iframe>
<pre id="result">pending</pre>
<script>
function measure(frame) {
  const doc = frame.contentDocument, width = frame.clientWidth, page = doc.querySelector('.page');
  const charts = [...doc.querySelectorAll('figure.chart')].map((f) => {
    const svg = f.querySelector('svg'), box = f.getBoundingClientRect(), s = svg.getBoundingClientRect();
    return { id: f.dataset.chart, top: Math.round(box.top), bars: svg.querySelectorAll('rect').length,
             empty: svg.textContent.includes('本月无数据'),
             fills: s.width >= 0.85 * (box.width - 24), height: Math.round(s.height) };
  });
  const sections = [...doc.querySelectorAll('[data-table]')].map((t) => ({ id: t.dataset.table, table: t.tagName === 'TABLE',
             fits: t.tagName !== 'TABLE' || t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1 }));
  return { width, overflow: doc.documentElement.scrollWidth > width + 1, sections,
           pageShare: +(page.getBoundingClientRect().width / width).toFixed(2),
           rows: new Set(charts.map((c) => c.top)).size, charts,
           masthead: doc.querySelector('.masthead').textContent.includes('政务服务数据管理局') };
}
let loaded = 0;
for (const f of document.querySelectorAll('iframe')) f.onload = () => {
  if (++loaded < 2) return;
  const r = {};
  try { for (const f of document.querySelectorAll('iframe')) r[f.id] = measure(f); }
  catch (e) { r.error = String(e); }
  document.getElementById('result').textContent = 'RESULT ' + JSON.stringify(r);
};
</script>
EOF
result=$(run --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom "file://$work/harness.html" |
  grep -o 'RESULT {.*}' | sed 's/^RESULT //' || true)
[ -n "$result" ] || fail "Chromium did not lay the page out (no measurement came back)"
node_check=$(cat <<'JS'
const r = JSON.parse(process.argv[1]);
const problems = [];
if (r.error) problems.push(`the harness failed: ${r.error}`);
for (const [id, rows] of [['w1440', 3], ['w720', 5]]) {
  const m = r[id];
  if (!m) { problems.push(`${id}: not measured`); continue; }
  if (m.overflow) problems.push(`${id}: the page scrolls sideways`);
  if (m.pageShare < 0.95) problems.push(`${id}: the page takes ${m.pageShare * 100}% of the width`);
  if (m.charts.length !== 5) problems.push(`${id}: ${m.charts.length} charts, expected 5`);
  if (m.rows !== rows) problems.push(`${id}: charts in ${m.rows} rows, expected ${rows}`);
  for (const c of m.charts) {
    if (c.bars < 1 && !c.empty) problems.push(`${id}: chart ${c.id} has no bars and does not say it has no data`);
    if (!c.fills || c.height < 80) problems.push(`${id}: chart ${c.id} does not fill its box (${c.height} px high)`);
  }
  if (!m.masthead) problems.push(`${id}: no masthead`);
  const tables = ['hardcase-by-channel', 'hardcase-by-cause', 'hardcase-by-item', 'upward-by-state', 'upward-rejections', 'upward-lag', 'gaps-ranking', 'gaps-by-owner', 'bundles-by-code'];
  const found = m.sections.map((t) => t.id);
  if (found.join() !== tables.join()) problems.push(`${id}: section tables ${found.join(', ') || 'none'}, expected ${tables.join(', ')}`);
  if (id === 'w1440') for (const t of m.sections) if (!t.fits) problems.push(`${id}: table ${t.id} scrolls sideways`);
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
console.log(`layout: ${['w1440', 'w720'].map((id) => `${r[id].width} px wide, charts in ${r[id].rows} rows`).join('; ')}; ` +
  `${r.w1440.sections.filter((t) => t.table).length} of 9 section tables with rows`);
JS
)
npm exec -- node -e "$node_check" "$result" || fail "layout check failed (measured: $result)"

run --window-size=1440,1800 --screenshot="$out/report-1440.png" "file://$html" >/dev/null
run --window-size=720,2400 --screenshot="$out/report-720.png" "file://$html" >/dev/null
run --no-pdf-header-footer --print-to-pdf="$out/report-a4.pdf" "file://$html" >/dev/null
for f in report-1440.png report-720.png report-a4.pdf; do [ -s "$out/$f" ] || fail "Chromium wrote no $f"; done
# Skia writes the page tree's /Count in the clear (the pages themselves may sit in compressed streams).
pages=$(grep -a -o '/Count [0-9]*' "$out/report-a4.pdf" | awk '{ if ($2 > n) n = $2 } END { print n + 0 }')
{ [ "$pages" -ge 1 ] && [ "$pages" -le 6 ]; } || fail "A4 print has $pages pages, expected 1 to 6"
echo "render-report: checked in Chromium at 1440 and 720 px with CJK fonts; A4 print $pages page(s); files in $out"
