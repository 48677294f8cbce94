# shellcheck shell=bash
# shellcheck disable=SC2154  # lava, work and standin come from tests/lava/test-lava.sh
# The LAVA half of tests/lava/test-lava.sh (sourced once lava-run is usable): the
# jobs run in two groups at once, the QEMU TCG runs one after the other and the light
# ones (validations, stand-ins) beside them; then each is checked in a fixed order.

# job NAME FPULAB-LAVA-RUN-ARGS...: tools/fpulab-lava run, its output in $work/NAME.out,
# its exit status in $work/NAME.status, its files in build/lava/test-lava-NAME/.
job() {
	local name=$1; shift
	"$lava" run --quiet --name "test-lava-$name" "$@" > "$work/$name.out" 2>&1
	echo $? > "$work/$name.status"
}

qemu_jobs() {
	job efi-quick --accel tcg -- quick
	job selftest-ud --accel tcg -- quick selftest=ud 'only=cpu/*,kernel/*,selftest/*'
	job pc-standin --boot pc -- quick 'only=cpu/*,kernel/*'
}

light_jobs() {
	local boot mode
	for boot in efi usb bios pc; do
		job "validate-$boot" --validate --boot "$boot" -- quick
	done
	for mode in stop-early hang wrong-plan bail-out; do
		FPULAB_LAVA_QEMU="$standin $mode" job "$mode" --silence 3 -- quick
	done
	# LAVA's job timeout cuts a run short: one that takes 35 s whatever the machine
	# (a quick QEMU TCG run can end within 8 s on a fast one)
	FPULAB_LAVA_QEMU="$standin slow" job cut-short --job-timeout 8 -- quick
	FPULAB_LAVA_RUN=/nonexistent/lava-run job without-lava-run -- quick
	FPULAB_LAVA_RUN=/nonexistent/lava-run FPULAB_LAVA_INSTALL=0 tests/lava/test-lava.sh \
		> "$work/inner-suite.out" 2>&1
}

# cases RUN SUITE: "TEST-PATH RESULT" lines of what LAVA recorded in SUITE, sorted.
cases() {
	jq -r --arg suite "$2" 'select(.definition == $suite) | "\(.extra.test_case_id // .case) \(.result)"' \
		"build/lava/test-lava-$1/results.jsonl" 2>/dev/null | sort
}

# log_cases RUN: the same lines from tools/fpulab-log --json on the serial log LAVA kept.
log_cases() {
	{ tools/fpulab-log --json "build/lava/test-lava-$1/serial.log" 2>/dev/null || true; } |
		jq -r 'select(.kind == "test") | "\(.name) \({"ok": "pass", "not ok": "fail", "skip": "skip"}[.result])"' | sort
}

status_of() { cat "$work/$1.status"; }

expect_status() {   # expect_status RUN STATUS: a problem line when it differs
	[ "$(status_of "$1")" = "$2" ] || echo "fpulab-lava run exit $(status_of "$1"), expected $2"
}

expect_output() {   # expect_output RUN TEXT: a problem line when its output lacks TEXT
	grep -qF -- "$2" "$work/$1.out" || echo "no '$2' in the output of fpulab-lava run"
}

expect_job_result() {   # expect_job_result RUN pass|fail: LAVA's lava/job case
	local result
	result=$(cases "$1" lava | sed -n 's/^job //p')
	[ "$result" = "$2" ] || echo "LAVA's lava/job is '${result:-missing}', expected $2"
}

counts_equal() {   # counts_equal RUN: summary and cases of LAVA = those of fpulab-log
	local lava_summary log_summary
	lava_summary=$(grep '^summary: ' "$work/$1.out")
	log_summary=$(tools/fpulab-log "build/lava/test-lava-$1/serial.log" 2>/dev/null)
	[ "$lava_summary" = "$log_summary" ] || echo "LAVA '$lava_summary', fpulab-log '$log_summary'"
	[ -n "$(log_cases "$1")" ] || echo "fpulab-log found no test point in the serial log LAVA kept"
	diff <(cases "$1" fpulab) <(log_cases "$1") > "$work/$1.diff" || \
		echo "LAVA's cases (<) and fpulab-log's (>) differ: $(grep '^[<>]' "$work/$1.diff" | head -n 3 | tr '\n' ' ')"
}

# check RUN-POINT PROBLEM-LINES: tap_check with the empty lines dropped.
check() {
	tap_check "$1" "$(printf '%s\n' "$2" | sed '/^$/d')"
}

check_schema() {
	local line number=0
	"$lava" validate > "$work/schema.out" 2>&1
	while IFS= read -r line; do
		case "$line" in
			"ok "*" - lava/schema/"*) tap_ok "schema/${line#* - lava/schema/}"; number=$((number + 1)) ;;
			"not ok "*) tap_not_ok "schema/${line#* - lava/schema/}" "LAVA's schema refuses it"; number=$((number + 1)) ;;
		esac
	done < "$work/schema.out"
	[ "$number" -gt 0 ] || tap_not_ok schema "fpulab-lava validate checked nothing" "$(cat "$work/schema.out")"
}

check_quick() {
	check run/efi-quick "$(expect_status efi-quick 0; expect_job_result efi-quick pass
		[ "$(cases efi-quick fpulab-run)" = $'ended pass\nlog pass' ] || echo "fpulab-run: $(cases efi-quick fpulab-run | tr '\n' ' ')"
		[ "$(cases efi-quick fpulab | wc -l)" -gt 20 ] || echo "only $(cases efi-quick fpulab | wc -l) fpulab cases")"
	check run/efi-quick-counts-equal "$(counts_equal efi-quick)"
	check run/selftest-ud "$(expect_status selftest-ud 1; expect_job_result selftest-ud pass
		[ "$(cases selftest-ud fpulab | grep -v ' pass$\| skip$')" = "selftest/ud fail" ] || \
			echo "failed cases: $(cases selftest-ud fpulab | grep -v ' pass$\| skip$' | tr '\n' ' ') (expected selftest/ud alone)"
		[ "$(cases selftest-ud fpulab-run)" = $'ended pass\nlog pass' ] || echo "fpulab-run: $(cases selftest-ud fpulab-run | tr '\n' ' ')"
		counts_equal selftest-ud)"
	check run/cut-short "$(expect_status cut-short 2; expect_job_result cut-short fail
		expect_output cut-short "the job did not complete: Test: lava-test-monitor timed out after"
		cases cut-short fpulab-run | grep ' pass$' | sed 's/^/fpulab-run passed: /'
		grep -q '^summary: [0-9]* passed, [1-9][0-9]* failed' "$work/cut-short.out" || echo "the summary counts no failure")"
}

# check_false_pass MODE CHECK REASON: a run LAVA's monitors alone pass fails CHECK.
check_false_pass() {
	check "run/$1" "$(expect_status "$1" 1; expect_job_result "$1" pass
		expect_output "$1" "fpulab-lava: fail fpulab-run/$2: $3"
		cases "$1" fpulab | grep -v ' pass$\| skip$' | sed 's/^/a test point failed: /'
		[ -n "$(cases "$1" fpulab)" ] || echo "LAVA recorded no fpulab case")"
}

check_pc() {
	local args
	args=$({ tools/fpulab-log --json build/lava/test-lava-pc-standin/serial.log 2>/dev/null || true; } |
		jq -r 'select(.kind == "fpulab") | .args')
	check run/pc-standin "$(expect_status pc-standin 0; expect_job_result pc-standin pass
		[ "$args" = "quick only=cpu/*,kernel/* exit=halt" ] || printf '%s\n' "the kernel read '$args' from \\fpulab.cfg"
		[ ! -e build/lava/test-lava-pc-standin/machine/qemu.pid ] || echo "the stand-in machine was not powered off"
		! pgrep -f "test-lava-pc-standin/machine/stick.img" > /dev/null || echo "its QEMU still runs")"
}

check_without_lava() {
	check run/without-lava-run "$(expect_status without-lava-run 2
		expect_output without-lava-run "tools/install-deps.sh --lava")"
	check suite-skips-without-lava "$(grep -q '^ok [0-9]* - lava/run/efi-quick # SKIP lava-run (/nonexistent/lava-run) not found$' \
			"$work/inner-suite.out" || echo "the suite did not skip run/efi-quick with the reason"
		grep '^not ok ' "$work/inner-suite.out" | sed 's/^/inner suite: /')"
}

qemu_jobs &
qemu_group=$!
light_jobs &
light_group=$!
wait "$qemu_group" "$light_group"

check_schema
for boot in efi usb bios pc; do
	check "dispatcher/$boot" "$(expect_status "validate-$boot" 0)"
done
check_quick
check_false_pass stop-early ended "console closed after line 13 (last test point: ok 8 - kernel/firmware-isolation) before the end marker"
check_false_pass hang ended "no output for 3 s after line 13"
check_false_pass wrong-plan log "line 34: plan 1..21 but 22 test point(s)"
check_false_pass bail-out log "line 16: end status 2: the run could not continue"
check_pc
check_without_lava
