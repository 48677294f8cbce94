#!/usr/bin/env bash
# Suite `numbers`: the figures a performance engineer reads (docs/method.md). The
# hosted build on this machine: harness/calibration/imul reads 3.00 +- 0.05 cycles per
# link in full runs; every bench record carries cycles, their source, stability and no
# negative time; the cpu record says what the clock is; the AMX/XFD tests run or SKIP
# with the reason; tools/fpulab-stability measures. About 10 s.
set -uo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source tests/lib/tap.sh

binary=build/host/fpulab-host
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# records LOG KIND: the log's records of that kind as one JSON array.
records() {
	{ tools/fpulab-log --json "$1" 2>/dev/null || true; } | jq -c -s --arg kind "$2" 'map(select(.kind == $kind))'
}

tap_begin numbers/
if [ ! -x "$binary" ]; then
	tap_not_ok binary-built "$binary is missing: run make host"
	tap_end
	exit 1
fi

# ---- the calibration check, full runs: two of three must hold (a neighbour's burst
# on this shared machine can spoil one run; a wrong calibration spoils all three) ----
passes=0 figures=""
for run in 1 2 3; do
	"$binary" 'only=harness/calibration/*' > "$work/calibration-$run.log" 2>&1
	line=$(grep -E '^(not )?ok [0-9]+ - harness/calibration/imul' "$work/calibration-$run.log")
	figures+="run $run: $(records "$work/calibration-$run.log" test | jq -r 'map(select(.name | startswith("harness/calibration/"))) | map("\(.name) \(.result)") | join(", ")'); "
	figures+="$(records "$work/calibration-$run.log" bench | jq -r 'map("\(.name | sub("harness/calibration/"; "")) \(.cycles.p50) cycles") | join(", ")')"$'\n'
	case "$line" in
		*"# SKIP"*) skip_reason=${line#*# SKIP } ;;
		"ok "*) passes=$((passes + 1)) ;;
	esac
done
if [ -n "${skip_reason-}" ]; then
	tap_skip calibration-imul-3.00-in-full-runs "$skip_reason"
elif [ "$passes" -ge 2 ]; then
	tap_ok "calibration-imul-3.00-in-full-runs ($passes of 3)"
	tap_diag "$(printf '%s' "$figures" | tr '\n' ' ')"
else
	tap_not_ok calibration-imul-3.00-in-full-runs "only $passes of 3 full runs read 3.00 +- 0.05" "$figures"
fi

# ---- a quick run of everything ----
"$binary" quick > "$work/quick.log" 2> "$work/quick.stderr"
bench=$(records "$work/quick.log" bench)
cpu=$(records "$work/quick.log" cpu)

problems=$(jq -r 'if length == 0 then "no bench records" else
	map(select((.cycles | type) != "object" or ([.cycles[]] | length) != 6
		   or (.cycles_source | IN("pmu", "aperf", "instructions", "add-chain") | not)
		   or (.cycles_source == "add-chain" and (.cycles_calibration.ticks_per_cycle | type) != "number")
		   or (.stability.ensembles | type) != "number" or (.stability.stable | type) != "boolean"
		   or (.floored | type) != "number" or (.pairs_per_sample | type) != "number")
	    | "\(.name): cycles, cycles_source, cycles_calibration, stability, floored or pairs_per_sample missing")[] end' <<<"$bench")
tap_check "every-record-has-cycles-and-stability ($(jq length <<<"$bench") records)" "$problems"

problems=$(jq -r 'map(select(.min < 0 or .p5 < 0 or .cycles.min < 0 or .cycles.p5 < 0)
	| "\(.name): min \(.min), p5 \(.p5)")[]' <<<"$bench")
tap_check no-negative-min-or-p5 "$problems"

problems=$(jq -r '.[0].clocks | if (.tsc_granule | type) != "number" then "no tsc_granule"
	elif (.cycles.source | type) != "string" or (.cycles.trusted | type) != "boolean" then "no cycles source"
	elif (.cycles.trusted | not) and (.cycles.reason | type) != "string" then "untrusted cycles without a reason"
	else empty end' <<<"$cpu")
tap_check cpu-record-says-what-the-clock-is "$problems"

# modes, where a record has them, are levels with shares
problems=$(jq -r 'map(select(.modes) | select((.modes | length) < 2 or any(.modes[]; .share <= 0 or .share > 1)
	or (.modes | map(.value) | . != sort)) | "\(.name): modes \(.modes)")[]' <<<"$bench")
tap_check "modes-are-ordered-levels ($(jq 'map(select(.modes)) | length' <<<"$bench") records with modes)" "$problems"

# ---- AMX and XFD as Linux does them: ok where the CPU and kernel give them, else SKIP
# with the reason ----
problems=$(records "$work/quick.log" test | jq -r '
	map(select(.name | startswith("xfd/linux/"))) as $tests
	| if ($tests | length) != 3 then "expected 3 xfd/linux/ tests, found \($tests | length)" else
	  $tests[] | select(.result == "not ok" or (.result == "skip" and ((.reason // "") | length) == 0))
	  | "\(.name): \(.result) \(.reason // "")" end')
reason=$(records "$work/quick.log" test | jq -r 'map(select(.name == "xfd/linux/permission"))[0].reason // "ran"')
tap_check "amx-xfd-hosted-tests-run-or-skip-with-the-reason ($reason)" "$problems"

# ---- the stability tool: runs, prints every record and the summary; usage errors ----
tools/fpulab-stability 2 --only 'harness/calibration/*' > "$work/stability.txt" 2>&1
status=$?
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status: $(head -n 3 "$work/stability.txt")"$'\n'
for expected in '^records: 2$' '^median spread: [0-9.]+ %$' '^worst spread: [0-9.]+ % \(harness/calibration/' \
		'^goal \(median <= 2 %, worst <= 5 %\): (met|missed)$' '^runs on a higher cost level .*: [0-9]+ in [0-9]+ records; among the runs at the lowest level: median spread [0-9.]+ %, worst [0-9.]+ %$' $'^[0-9.]+\t[0-9.]+\t[0-9.]+,[0-9.]+\tharness/calibration/imul$'; do
	grep -Ec "$expected" "$work/stability.txt" > /dev/null || problems+="no line matching $expected"$'\n'
done
tools/fpulab-stability 1 > /dev/null 2>&1
[ $? -eq 3 ] || problems+="one run is a usage error (exit 3)"$'\n'
tools/fpulab-stability --field 'bad field' > /dev/null 2>&1
[ $? -eq 3 ] || problems+="a bad field is a usage error (exit 3)"$'\n'
tap_check stability-tool-measures "$problems"

# A run with a test point not ok (status 1, its log complete) still counts; a run that
# did not complete (status 2) stops the tool. Stand-ins for the hosted build say so.
problems=""
for code in 1 2; do
	printf '#!/bin/sh\n"%s" "$@"\nexit %s\n' "$PWD/$binary" "$code" > "$work/exits-$code"
	chmod +x "$work/exits-$code"
done
tools/fpulab-stability 2 --only 'harness/calibration/*' --binary "$work/exits-1" > "$work/stability-1.txt" 2>&1
status=$?
[ "$status" -eq 0 ] && grep -q '^records: 2$' "$work/stability-1.txt" && grep -q 'its records still count' "$work/stability-1.txt" ||
	problems+="a run with status 1: exit $status, $(grep -m1 -E '^records|fpulab-stability' "$work/stability-1.txt")"$'\n'
tools/fpulab-stability 2 --only 'harness/calibration/*' --binary "$work/exits-2" > /dev/null 2>&1
status=$?
[ "$status" -eq 2 ] || problems+="a run with status 2: exit $status, expected 2"$'\n'
tap_check stability-tool-counts-a-run-with-a-failed-point "$problems"

tap_end
