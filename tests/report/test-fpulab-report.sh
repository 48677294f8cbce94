#!/usr/bin/env bash
# The `report` suite: tools/fpulab-report on the real logs in tests/report/logs/
# (docs/report.md): the report of one log as a person sees it (headless Chromium:
# DOM and screenshot), comparisons and their gate, bad input, and the unit tests of
# its statistics. Record checks go through tools/fpulab-log --json and jq.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
source tests/lib/tap.sh
source tests/lib/records.sh
report_tool="$repo_root/tools/fpulab-report"
logs="$repo_root/tests/report/logs"
full_log="$logs/qemu-tcg-efi-quick-raw-selftest-ud.log"
python=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tap_begin report/

check() {   # check NAME PROBLEMS: tap_check without the last empty line
	tap_check "$1" "${2%$'\n'}"
}

# all_records LOG: the reader's JSON Lines (tests/lib/records.sh) as one array.
all_records() {
	records "$1" | jq -c -s .
}

# run_report ARGS...: stdout, stderr in $work/out, $work/err; the status in $status.
run_report() {
	"$report_tool" "$@" >"$work/out" 2>"$work/err"
	status=$?
}

# contains FILE TEXT: FILE holds TEXT (fixed string); else a problem line.
contains() {
	grep -qF -- "$2" "$1" || echo "$(basename "$1") lacks: $2"
}

if ! "$python" -c 'import matplotlib, numpy' 2>/dev/null; then
	tap_not_ok setup "python3-matplotlib or python3-numpy missing: run tools/install-deps.sh"
	tap_end
	exit 1
fi

# ---- unit tests of the statistics and the pairing ----
"$python" "$repo_root/tests/report/test_report_units.py" >"$work/units" 2>&1
while IFS= read -r line; do
	name=${line%% (*}
	case "$line" in
		*" ... ok") tap_ok "unit/$name" ;;
		*" ... FAIL" | *" ... ERROR") tap_not_ok "unit/$name" "${line##* ... }" ;;
	esac
done <"$work/units"
grep -q '^OK$' "$work/units" || tap_not_ok unit/all "the unit tests did not end OK" "$(tail -n 30 "$work/units")"

# ---- one log ----
problems=""
run_report "$full_log" -o "$work/one"
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0 (a not ok in the log is shown, not an error)"$'\n'
for file in index.html report.md; do
	[ -s "$work/one/$file" ] || problems+="no $file"$'\n'
done
check one-log/writes-html-and-markdown "$problems"

json=$(all_records "$full_log")
md="$work/one/report.md"

problems=""
failed=$(jq -r '[.[] | select(.kind == "test" and .result == "not ok")] | length' <<<"$json")
[ "$failed" -gt 0 ] || problems+="the sample log has no not ok to show"$'\n'
while IFS=$'\t' read -r name reason; do
	problems+=$(contains "$md" "| \`$name\` | $reason |")
done < <(jq -r '.[] | select(.kind == "test" and .result == "not ok") | [.name, .reason] | @tsv' <<<"$json")
first_section=$(grep -m1 '^## ' "$md")
[ "$first_section" = "## Failed test points ($failed)" ] ||
	problems+="first section is '$first_section', not the failed test points"$'\n'
check one-log/not-ok-at-the-top "$problems"

problems=""
skips=0
while IFS=$'\t' read -r name reason; do
	skips=$((skips + 1))
	problems+=$(contains "$md" "| \`$name\` | $reason |")
done < <(jq -r '.[] | select(.kind == "test" and .result == "skip") | [.name, .reason] | @tsv' <<<"$json")
[ "$skips" -gt 0 ] || problems+="the sample log has no SKIP"$'\n'
check one-log/every-skip-with-its-reason "$problems"

problems=""
brand=$(jq -r '.[] | select(.kind == "cpu") | .brand' <<<"$json")
problems+=$(contains "$md" "### $brand")
problems+=$(contains "$md" "| microcode | $(jq -r '.[] | select(.kind == "cpu") | .microcode' <<<"$json" |
	xargs printf '0x%x') |")
check one-log/machine-from-the-cpu-record "$problems"

problems=""
lab=$(jq '[.[] | select(.kind == "lab")] | length' <<<"$json")
cells=$(grep -oE '[0-9]+\+[0-9]+ (intact|corrupted \(expected\)|CORRUPTED|error)' "$md" | wc -l)
[ "$lab" -gt 0 ] || problems+="the sample log has no lab records"$'\n'
[ "$cells" -eq "$lab" ] || problems+="$cells lab cells in report.md, $lab lab records"$'\n'
shaded=$(grep -o 'data-shade="' "$work/one/index.html" | wc -l)
[ "$shaded" -eq "$lab" ] || problems+="$shaded shaded cells in index.html, $lab lab records"$'\n'
while read -r backend; do
	problems+=$(contains "$md" ": $backend backend")
done < <(jq -r '[.[] | select(.kind == "lab") | .backend] | unique[]' <<<"$json")
check one-log/lab-table-shaded-with-verdicts "$problems"

problems=""
while IFS=$'\t' read -r id verdict; do
	problems+=$(contains "$md" "| $id |")
	problems+=$(contains "$md" "| $verdict |")
done < <(jq -r '.[] | select(.kind == "claim") | [.id, .verdict] | @tsv' <<<"$json")
[ "$(jq '[.[] | select(.kind == "claim")] | length' <<<"$json")" -gt 0 ] || problems+="no claims in the log"$'\n'
check one-log/claims-with-evidence "$problems"

# One chart per benchmark family (name up to its second segment; docs/report.md).
problems=""
families=$(jq '[.[] | select(.kind == "bench") | .name | split("/")
	| if length >= 3 then .[0:2] else .[0:1] end | join("/")] | unique | length' <<<"$json")
charts=$(grep -o '<figure class="chart" data-chart="bench"' "$work/one/index.html" | wc -l)
[ "$charts" -eq "$families" ] || problems+="$charts bench charts, $families families"$'\n'
histograms=$(grep -c 'shaded: histogram of the raw samples' "$md")
[ "$histograms" -eq "$families" ] || problems+="$histograms charts with raw samples of $families"$'\n'
check one-log/a-chart-per-family-with-raw-samples "$problems"

# Self-contained: no script, no link, every reference in-page or a data URL.
problems=""
html="$work/one/index.html"
grep -qiE '<(script|link|iframe|img|object|embed)\b' "$html" && problems+="page has a script, link or external element"$'\n'
grep -oE '(href|src)="[^"]*"' "$html" | grep -vE '^(href|src)="(#|data:)' | sort -u | head -n 3 |
	sed 's/^/reference: /' >"$work/refs"
[ -s "$work/refs" ] && problems+="$(cat "$work/refs")"$'\n'
grep -oE 'url\([^)]*\)' "$html" | grep -vE '^url\((#|data:)' | head -n 3 >"$work/urls"
[ -s "$work/urls" ] && problems+="$(cat "$work/urls")"$'\n'
grep -q '@import' "$html" && problems+="page imports CSS"$'\n'
check one-log/self-contained "$problems"

# ---- in a browser ----
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	tap_skip browser/charts-rendered "chromium not installed (tools/install-deps.sh --browser installs it)"
else
	problems=""
	mkdir -p "$work/profile"
	flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--user-data-dir="$work/profile" --enable-logging=stderr --v=0 --hide-scrollbars)
	timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$html" >"$work/dom.html" 2>"$work/browser-dom.err" ||
		problems+="chromium --dump-dom failed"$'\n'
	timeout 120 "$browser" "${flags[@]}" --window-size=1280,7000 --screenshot="$work/shot.png" \
		"file://$html" >/dev/null 2>"$work/browser-shot.err" || problems+="chromium --screenshot failed"$'\n'
	# Every chart in the DOM Chromium built holds an SVG with drawn paths.
	read -r figures drawn < <("$python" "$repo_root/tests/report/dom_charts.py" "$work/dom.html")
	[ "$figures" -eq "$families" ] && [ "$drawn" -eq "$figures" ] ||
		problems+="DOM: $figures chart figures, $drawn drawn, $families families"$'\n'
	grep -h ':CONSOLE' "$work"/browser-*.err >"$work/console"
	[ -s "$work/console" ] && problems+="console: $(head -n 3 "$work/console")"$'\n'
	# The screenshot shows the charts: enough pixels in the first run's bar colour.
	bar_pixels=$("$python" - "$work/shot.png" <<-'PY' 2>&1
		import sys
		from PIL import Image
		image = Image.open(sys.argv[1]).convert("RGB")
		target = (0x1f, 0x77, 0xb4)
		print(sum(count for count, colour in image.getcolors(1 << 24)
		          if all(abs(a - b) <= 12 for a, b in zip(colour, target))))
		PY
	)
	[[ "$bar_pixels" =~ ^[0-9]+$ ]] && [ "$bar_pixels" -gt 2000 ] ||
		problems+="screenshot: $bar_pixels pixels of the chart colour"$'\n'
	[ -n "${FPULAB_REPORT_SCREENSHOT-}" ] && cp "$work/shot.png" "$FPULAB_REPORT_SCREENSHOT"
	check browser/charts-rendered "$problems"
fi

# ---- comparisons ----
problems=""
run_report "$logs/bochs-tigerlake-run1.log" "$logs/bochs-tigerlake-run2.log" --fail-above 0 -o "$work/same"
[ "$status" -eq 0 ] || problems+="identical runs: exit status $status, expected 0"$'\n'
benches=$(all_records "$logs/bochs-tigerlake-run1.log" | jq '[.[] | select(.kind == "bench")] | length')
rows=$(grep -cE '^(harness|xsave)/.* ~$' "$work/out")
[ "$rows" -eq "$benches" ] || problems+="$rows rows without a change of $benches benchmarks"$'\n'
problems+=$(contains "$work/same/report.md" "## Comparison")
check compare/identical-runs-no-change "$problems"

problems=""
run_report "$logs/host-run1.log" "$logs/host-run2.log" -o "$work/host"
[ "$status" -eq 0 ] || problems+="exit status $status"$'\n'
shared=$(jq -n --argjson a "$(all_records "$logs/host-run1.log")" --argjson b "$(all_records "$logs/host-run2.log")" \
	'[$a[] | select(.kind == "bench") | .name] - ([$a[] | select(.kind == "bench") | .name]
	 - [$b[] | select(.kind == "bench") | .name]) | length')
rows=$(grep -cE '^\| `(harness|xsave)/[^`]*` \| TSC ticks \| [0-9.,]+ \| [0-9.,]+ \| [-+][0-9.]+(%)? \[' "$work/host/report.md")
[ "$rows" -eq "$shared" ] || problems+="$rows comparison rows with medians and interval, $shared shared benchmarks"$'\n'
n=$(all_records "$logs/host-run1.log" | jq '[.[] | select(.kind == "bench") | .n][0]')
problems+=$(contains "$work/host/report.md" " | $n+$n raw samples | ")
[ "$(grep -o 'data-chart="change"' "$work/host/index.html" | wc -l)" -eq 1 ] || problems+="no change chart"$'\n'
check compare/same-machine-medians-interval-p "$problems"

problems=""
run_report "$logs/bochs-tigerlake-run1.log" "$logs/qemu-tcg-efi-small.log" --fail-above 50
[ "$status" -eq 1 ] || problems+="Bochs base, QEMU new: exit status $status, expected 1"$'\n'
problems+=$(contains "$work/out" "across machines")
problems+=$(contains "$work/err" "fpulab-report: regression above 50%: xsave/xsave/")
run_report "$logs/qemu-tcg-efi-small.log" "$logs/bochs-tigerlake-run1.log" --fail-above 50
[ "$status" -eq 0 ] || problems+="QEMU base, Bochs new (faster): exit status $status, expected 0"$'\n'
check compare/fail-above-gates-significant-regressions "$problems"

problems=""
run_report --base "$logs/bochs-tigerlake-run1.log" "$logs/qemu-tcg-efi-small.log" \
	--new "$logs/bochs-tigerlake-run2.log" "$logs/host-run1.log"
[ "$status" -eq 0 ] || problems+="exit status $status"$'\n'
problems+=$(contains "$work/out" "comparison 1: 11th Gen Intel(R) Core(TM) i5-1135G7")
grep -q '^comparison 2' "$work/out" && problems+="compared more than the shared CPU"$'\n'
problems+=$(contains "$work/out" "not compared: base only: qemu-tcg-efi-small on QEMU TCG CPU")
problems+=$(contains "$work/out" "not compared: new only: host-run1 on")
check compare/groups-per-cpu "$problems"

problems=""
run_report "$logs/host-run1.log" "$logs/host-noraw.log"
[ "$status" -eq 0 ] || problems+="exit status $status"$'\n'
problems+=$(contains "$work/out" "1+1 run medians: too few for significance")
check compare/without-raw-samples-run-medians "$problems"

# ---- bad input: the reader's message, the other logs still reported, status 2 ----
problems=""
good="$logs/host-run1.log"
head -c 15000 "$logs/qemu-tcg-efi-small.log" >"$work/truncated.log"
sed '0,/"p50":/s//"p50":x/' "$logs/bochs-tigerlake-run1.log" >"$work/garbled.log"
cp "$repo_root/Makefile" "$work/foreign.log"
truncated_line=$(wc -l <"$work/truncated.log"); truncated_line=$((truncated_line + 1))
garbled_line=$(grep -n '"p50":x' "$work/garbled.log" | cut -d: -f1)
foreign_line=$(wc -l <"$work/foreign.log")
run_report "$work/truncated.log" "$good" "$work/garbled.log" "$work/foreign.log" -o "$work/bad"
[ "$status" -eq 2 ] || problems+="exit status $status, expected 2"$'\n'
problems+=$(contains "$work/err" "fpulab-report: $work/truncated.log:$truncated_line: ")
problems+=$(contains "$work/err" "fpulab-report: $work/garbled.log:$garbled_line: bench record: bad JSON")
problems+=$(contains "$work/err" "fpulab-report: $work/foreign.log:$foreign_line: no \"TAP version 14\"")
problems+=$(contains "$work/bad/report.md" "## Logs that could not be read whole")
problems+=$(contains "$work/bad/report.md" "$work/foreign.log: incomplete or garbled; nothing in it could be used.")
problems+=$(contains "$work/bad/report.md" "| host-run1 | ")
[ "$(grep -o 'data-chart="bench"' "$work/bad/index.html" | wc -l)" -gt 0 ] || problems+="the good log's charts are missing"$'\n'
check bad-input/named-reported-status-2 "$problems"

# ---- usage ----
problems=""
run_report
[ "$status" -eq 3 ] || problems+="no LOG: exit status $status"$'\n'
run_report --base "$good"
[ "$status" -eq 3 ] || problems+="--base without --new: exit status $status"$'\n'
run_report "$good" -o /proc/fpulab-report
[ "$status" -eq 3 ] || problems+="unwritable DIR: exit status $status"$'\n'
check usage-errors-exit-3 "$problems"

tap_end
