#!/usr/bin/env bash
# Runs the hosted build (build/host/fpulab-host, host/host.mk) and checks its output with
# tools/fpulab-log against docs/output.md: a quick run is a complete log with status 0,
# only= limits the run, a bad argument is a `not ok` with exit status 1, a fault or a
# hang inside a test ends that test only, and the hosted objects keep rule 3.
# Prints TAP 14; exits 1 if a test fails. Reached through build/host/test_fpulab-host.
set -uo pipefail
# grep -c, not grep -q, at the end of a pipe: -q stops reading at the first match, the
# writer dies of SIGPIPE, and pipefail turns the match into a failure. Records are read
# through tools/fpulab-log --json and jq (tests/lib/records.sh).
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

binary=build/host/fpulab-host
reader=tools/fpulab-log
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source tests/lib/tap.sh
source tests/lib/records.sh
source tests/lib/thresholds.sh
result() { tap_check "$@"; }   # result NAME PROBLEMS: ok when PROBLEMS is empty

# run NAME ARGUMENTS...: the log in $work/NAME.log, its exit status in $status, the
# reader's exit status in $reader_status and its summary in $work/NAME.summary.
run() {
	local name=$1; shift
	timeout 300 "$binary" "$@" >"$work/$name.log" 2>"$work/$name.stderr"
	status=$?
	"$reader" "$work/$name.log" >"$work/$name.summary" 2>&1
	reader_status=$?
}

cpu_record() { first_record "$1" cpu; }

# names LOG: the test point names, one a line.
names() {
	sed -nE 's/^(not )?ok [0-9]+ - ([^ ]+).*/\2/p' "$1"
}

tap_begin host/

if [ ! -x "$binary" ]; then
	result binary-built "$binary is missing: run make host"
	tap_end
	exit 1
fi
result binary-built ""

# A quick run: complete, valid, status 0, exit status 0.
run quick quick
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0"$'\n'
[ "$reader_status" -eq 0 ] || problems+="fpulab-log exit status $reader_status: $(cat "$work/quick.summary")"$'\n'
head -n 1 "$work/quick.log" | grep -cx 'TAP version 14' > /dev/null || problems+="first line is not TAP version 14"$'\n'
has_record "$work/quick.log" fpulab '.boot == "host" and .args == "quick"' ||
	problems+="no fpulab record with \"boot\":\"host\" and the arguments"$'\n'
has_record "$work/quick.log" cpu true || problems+="no cpu record"$'\n'
has_record "$work/quick.log" bench '.name == "xsave/xgetbv0"' || problems+="no xsave/xgetbv0 bench record"$'\n'
# the lab's cost weights come from this run's benchmark medians (support/harness.c)
has_record "$work/quick.log" weights '.weights.save.ticks > 0 and .weights.save.from == "xsave/xsaveopt/x87-sse/modified"' ||
	problems+="no weights record with a measured save weight"$'\n'
has_record "$work/quick.log" lab '.cost_weights == "default"' && problems+="lab records costed with default weights after the benchmarks"$'\n'
[ "$(tail -n 1 "$work/quick.log")" = "# fpulab-end status=0" ] || problems+="last line: $(tail -n 1 "$work/quick.log")"$'\n'
[ -s "$work/quick.stderr" ] && problems+="stderr: $(head -n 3 "$work/quick.stderr")"$'\n'
result "quick-run-complete-with-status-0 ($(grep -c '^ok ' "$work/quick.log") ok, $(grep -c '^# bench ' "$work/quick.log") bench records)" "$problems"

# Ring 0 only instructions SKIP with the reason instead of being executed in a process.
problems=""
for expected in 'xsave/roundtrip/xsaves-xrstors # SKIP XSAVES needs CPL0: not available in a Linux process' \
		'xsave/bench/xrstors # SKIP XRSTORS needs CPL0: not available in a Linux process' \
		'xsave/fault/xsetbv-invalid # SKIP XSETBV needs CPL0: not available in a Linux process'; do
	if ! cpu_record "$work/quick.log" | jq -e '.features.xsaves' > /dev/null &&
	   [ "${expected#*xsetbv}" = "$expected" ]; then
		continue   # no XSAVES: the CPUID reason comes first
	fi
	grep -E '^ok [0-9]+ - ' "$work/quick.log" | grep -cF -- "- $expected" > /dev/null || problems+="no 'ok N - $expected' line"$'\n'
done
# the core-cycle clock is a perf event read with RDPMC, or the record says why not
has_record "$work/quick.log" cpu '.clocks["core-cycles"] | . == "usable" or test("^perf_event_open|RDPMC|mmap")' ||
	problems+="the cpu record does not say why the core-cycle counter is not used"$'\n'
result ring0-instructions-skip-with-the-reason "$problems"

# The quick run on CPU models this machine is not (tests/host/cpu-models.tsv), under
# QEMU's user-mode emulation: each complete, clean, and with the model's features.
while IFS=$'\t' read -r model condition description; do
	case "$model" in ""|"#"*) continue ;; esac
	problems=""
	if ! command -v qemu-x86_64 > /dev/null 2>&1; then
		result "cpu-model/$model" "qemu-x86_64 not found (Debian qemu-user: tools/install-deps.sh installs it)"
		continue
	fi
	log="$work/model-${model//[^A-Za-z0-9]/_}.log"
	timeout 300 qemu-x86_64 -cpu "$model" "$binary" quick > "$log" 2> "$log.stderr"
	model_status=$?
	[ "$model_status" -eq 0 ] || problems+="exit status $model_status, expected 0"$'\n'
	tools/fpulab-log "$log" > "$log.summary" 2>&1 || problems+="fpulab-log: $(tail -n 1 "$log.summary")"$'\n'
	failed_points=$(grep -E '^not ok ' "$log" | head -n 3)
	[ -z "$failed_points" ] || problems+="$failed_points"$'\n'
	cpu_record "$log" | jq -e "$condition" > /dev/null ||
		problems+="the cpu record does not show the model ($description): $(cpu_record "$log" | jq -c '{xcr0, features}')"$'\n'
	[ "$(tail -n 1 "$log")" = "# fpulab-end status=0" ] || problems+="last line: $(tail -n 1 "$log")"$'\n'
	result "cpu-model/$model ($description: $(grep -c '^ok .*# SKIP' "$log") skipped)" "$problems"
done < tests/host/cpu-models.tsv

# only=GLOB limits the run to matching tests.
run only quick 'only=harness/*'
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0"$'\n'
[ "$reader_status" -eq 0 ] || problems+="fpulab-log exit status $reader_status"$'\n'
[ -n "$(names "$work/only.log")" ] || problems+="no test points"$'\n'
outside=$(names "$work/only.log" | grep -v '^harness/' | head -n 3 | tr '\n' ' ')
[ -z "$outside" ] || problems+="tests outside harness/*: $outside"$'\n'
names "$work/only.log" | grep -cx 'harness/calibration/add' > /dev/null || problems+="harness/calibration/add did not run"$'\n'
result only-glob-limits-the-run "$problems"

# An unknown argument: a `not ok args/...` first, the run goes on, exit status 1.
run bad quick 'only=harness/exact/1' no-such-argument
problems=""
[ "$status" -eq 1 ] || problems+="exit status $status, expected 1"$'\n'
[ "$reader_status" -eq 1 ] || problems+="fpulab-log exit status $reader_status, expected 1"$'\n'
grep -q '^not ok 1 - args/no-such-argument # unknown argument' "$work/bad.log" ||
	problems+="no 'not ok 1 - args/no-such-argument # unknown argument...' line"$'\n'
grep -q '^ok 2 - harness/exact/1$' "$work/bad.log" || problems+="the run did not go on"$'\n'
[ "$(tail -n 1 "$work/bad.log")" = "# fpulab-end status=1" ] || problems+="last line: $(tail -n 1 "$work/bad.log")"$'\n'
result unknown-argument-is-not-ok-and-exit-1 "$problems"

# Faults and a hang inside tests end those tests with a dump; the run goes on to its end.
run selftests 'selftest=ud,gp,pf,hang' 'only=selftest/*'
problems=""
[ "$status" -eq 1 ] || problems+="exit status $status, expected 1"$'\n'
[ "$reader_status" -eq 1 ] || problems+="fpulab-log exit status $reader_status, expected 1: $(cat "$work/selftests.summary")"$'\n'
for expected in 'selftest/ud # unexpected exception #UD' 'selftest/gp # unexpected exception #GP' \
		'selftest/pf # unexpected exception #PF' 'selftest/hang # timeout: no return within 3000 ms'; do
	grep -E '^not ok [0-9]+ - ' "$work/selftests.log" | grep -cF -- "- $expected" > /dev/null ||
		problems+="no 'not ok N - $expected' line"$'\n'
done
[ "$(grep -cE '^  vector: (6|13|14|2)$' "$work/selftests.log")" -eq 4 ] ||
	problems+="expected four dumps with vectors 6, 13, 14 and 2"$'\n'
grep -qE '^  cr2: "0x0*[1-9a-f][0-9a-f]*"$' "$work/selftests.log" || problems+="the #PF dump has no fault address in cr2"$'\n'
[ "$(tail -n 2 "$work/selftests.log" | tr '\n' ' ')" = "1..4 # fpulab-end status=1 " ] ||
	problems+="the run did not end with 1..4 and status 1"$'\n'
result faults-and-hangs-end-only-their-test "$problems"

# Rule 3 for the hosted objects, and no implicit calls into libc's vectorised string code.
c_objects=()
while IFS= read -r object; do c_objects+=("$object"); done \
	< <(find build/host/obj -name '*.o' | sort | while read -r object; do
		source=${object#build/host/obj/}; [ -f "${source%.o}.c" ] && echo "$object"; done)
problems=""
report=$(tools/check-no-vector.sh "${c_objects[@]}" 2>&1) || problems=$(echo "$report" | head -n 3)
[ "${#c_objects[@]}" -gt 20 ] || problems+="only ${#c_objects[@]} C objects in build/host/obj"
result "hosted-c-objects-use-no-vector-registers (${#c_objects[@]} objects)" "$problems"
libc_string=$(nm -u "${c_objects[@]}" 2>/dev/null |
	grep -owE 'mem(cpy|move|set|cmp)|str(len|cmp|ncmp|chr)' | sort -u | tr '\n' ' ')
result hosted-c-objects-call-no-libc-string-functions "${libc_string:+calls libc: $libc_string}"

# The policy lab on the simulated backend, and its Markdown table.
problems=""
build/host/fpulab-host quick 'only=lab/*' backend=sim > "$work/lab.log" 2>&1 || problems+="exit status $?"$'\n'
tools/fpulab-log "$work/lab.log" > "$work/lab.summary" 2>&1 || problems+="fpulab-log: $(cat "$work/lab.summary")"$'\n'
lab_records_complete "$work/lab.log" true ||
	problems+="$(record_count "$work/lab.log" lab true) lab records, not configurations x scenarios (at least $lab_min_configurations x $lab_min_scenarios)"$'\n'
has_record "$work/lab.log" claim '.id == "C1" and .verdict == "reproduced"' || problems+="C1 not reproduced"$'\n'
[ "$(grep -cE '^ok [0-9]+ - lab/mutant/' "$work/lab.log")" -ge 5 ] || problems+="fewer than five mutants caught"$'\n'
result lab-simulated-backend-runs-cleanly "$problems"
problems=""
tools/lab-table "$work/lab.log" > "$work/lab.md" 2>&1 || problems+="lab-table exit $?: $(head -n 2 "$work/lab.md")"$'\n'
[ "$(grep -cE '^\| [a-z0-9+-]+ \| ' "$work/lab.md")" -ge 10 ] || problems+="the Markdown table has fewer than 10 rows"$'\n'
grep -qE '^\| oracle \| lower bound \| .* \| [0-9]+ \| [0-9]+ \|$' "$work/lab.md" ||
	problems+="the oracle's row has no total of operations and cycles"$'\n'
# two backends in one log: a table each, the claims once
build/host/fpulab-host quick 'only=lab/*' backend=all > "$work/lab-all.log" 2>&1 || problems+="backend=all exit status $?"$'\n'
tools/lab-table "$work/lab-all.log" > "$work/lab-all.md" 2>&1 || problems+="lab-table (all) exit $?"$'\n'
[ "$(grep -c '^### Policy lab, ' "$work/lab-all.md")" -eq 2 ] && [ "$(grep -c '^### Claims' "$work/lab-all.md")" -eq 1 ] ||
	problems+="backend=all: not two backend tables and one claims table"$'\n'
result lab-table-renders-markdown "$problems"

# The policy lab on the hosted backend: real XSAVE/XRSTOR on this CPU's registers, the
# same scenarios, intact or the expected corruption, every record timed by the TSC.
problems=""
build/host/fpulab-host quick 'only=lab/*' backend=hosted > "$work/lab-hosted.log" 2>&1 || problems+="exit status $?"$'\n'
tools/fpulab-log "$work/lab-hosted.log" > "$work/lab-hosted.summary" 2>&1 ||
	problems+="fpulab-log: $(cat "$work/lab-hosted.summary")"$'\n'
grep -qE '^ok [0-9]+ - lab/backend/hosted$' "$work/lab-hosted.log" || problems+="lab/backend/hosted did not pass"$'\n'
timed_hosted='.backend == "hosted" and .clock == "tsc" and (.cycles | type == "number")'
hosted_records=$(record_count "$work/lab-hosted.log" lab "$timed_hosted")
lab_records_complete "$work/lab-hosted.log" "$timed_hosted" ||
	problems+="$hosted_records timed hosted lab records, not configurations x scenarios (at least $lab_min_configurations x $lab_min_scenarios)"$'\n'
has_record "$work/lab-hosted.log" lab '.backend != "hosted"' && problems+="lab records of another backend"$'\n'
has_record "$work/lab-hosted.log" lab '.verdict == "error"' && problems+="a hosted run ended in an error"$'\n'
[ "$(record_count "$work/lab-hosted.log" lab '.verdict == "corrupted" and .expected_corruption == true')" -ge 2 ] ||
	problems+="the expected corruptions were not detected on real registers"$'\n'
[ "$(tail -n 1 "$work/lab-hosted.log")" = "# fpulab-end status=0" ] || problems+="last line: $(tail -n 1 "$work/lab-hosted.log")"$'\n'
result "lab-hosted-backend-runs-cleanly ($hosted_records records)" "$problems"

tap_end
