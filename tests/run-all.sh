#!/usr/bin/env bash
# `make test`: every suite, each printing TAP 14; this script counts their test points
# and ends with `summary: N passed, N failed, N skipped`. Exit 0 only when none failed.
# FPULAB_TEST_SUITES="host hosted lint log report trace runner numbers fuzz lava boot" selects suites (default: all).
set -uo pipefail
cd "$(dirname "$0")/.."

suites=${FPULAB_TEST_SUITES:-"host hosted lint log report trace runner numbers fuzz lava boot"}
passed=0 failed=0 skipped=0
start=$(date +%s)

# Reads TAP on stdin, echoes it, adds its top-level test points to the totals.
count_tap() {
	local suite=$1 line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
			"not ok "*) failed=$((failed + 1)) ;;
			"ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
			"ok "*) passed=$((passed + 1)) ;;
		esac
	done
}

run_suite() {
	local suite=$1; shift
	local output status
	echo "# suite $suite: $*"
	output=$(mktemp)
	"$@" > "$output" 2>&1
	status=$?
	count_tap "$suite" < "$output"
	if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$output"; then
		echo "not ok - $suite # exited with status $status without a failing test point"
		failed=$((failed + 1))
	fi
	rm -f "$output"
}

for suite in $suites; do
	case "$suite" in
		host)
			for test in build/host/test_*; do
				run_suite "host/$(basename "$test")" "$test"
			done ;;
		hosted) run_suite hosted tests/host/test-fpulab-host.sh ;;
		lint) run_suite lint tests/lint/check-build.sh ;;
		log) run_suite log tests/host/test-fpulab-log.sh ;;
		report) run_suite report tests/report/test-fpulab-report.sh ;;
		trace) run_suite trace tests/trace/test-trace.sh ;;
		runner) run_suite runner tests/runner/test-run-qemu.sh ;;
		fuzz) run_suite fuzz tests/fuzz/run-fuzz.sh ;;
		numbers) run_suite numbers tests/numbers/test-numbers.sh ;;
		lava) run_suite lava tests/lava/test-lava.sh ;;
		boot) run_suite boot tests/boot/boot-matrix.sh ;;
		*) echo "not ok - unknown suite $suite"; failed=$((failed + 1)) ;;
	esac
done

echo "# make test took $(( $(date +%s) - start )) s"
echo "summary: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
