#!/usr/bin/env bash
# Tests tools/fpulab-log, the serial-log reader, against the recorded logs in
# tests/host/fpulab-log/ (see docs/output.md). Prints TAP 14; exits 1 if a test fails.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
logs="$repo_root/tests/host/fpulab-log"
reader="$repo_root/tools/fpulab-log"
reader_binary="$repo_root/build/host/fpulab-log"
sanitized_binary="$repo_root/build/host/fpulab-log-sanitized"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source "$repo_root/tests/lib/tap.sh"

# report NAME PROBLEMS: one test point; PROBLEMS empty means it passed. A failure also
# shows the reader's stderr.
report() {
	local problems="$2"
	if [[ -n "$problems" ]] && [[ -s "$work/stderr" ]]; then
		problems+=$(sed 's/^/  stderr: /' "$work/stderr" | head -n 20)
	fi
	tap_check "$1" "$problems"
}

skip() { tap_skip "$@"; }

# run_reader ARGUMENTS...: stdout, stderr in $work; the exit status in $status.
run_reader() {
	"$reader" "$@" >"$work/stdout" 2>"$work/stderr"
	status=$?
}

# expect_status EXPECTED: appends to $problems when $status differs.
expect_status() {
	[[ "$status" == "$1" ]] || problems+="exit status $status, expected $1"$'\n'
}

# expect_line FILE LINE: FILE has exactly LINE as one of its lines.
expect_line() {
	grep -qxF -- "$2" "$1" || problems+="no line '$2' in $(basename "$1")"$'\n'
}

# expect_text FILE TEXT: FILE contains TEXT.
expect_text() {
	grep -qF -- "$2" "$1" || problems+="no '$2' in $(basename "$1")"$'\n'
}

expect_empty() {
	[[ ! -s "$1" ]] || problems+="$(basename "$1") is not empty"$'\n'
}

# check_log NAME STATUS SUMMARY MESSAGE: runs the reader on NAME.log and expects the
# exit status, the summary on stdout and, on stderr, "NAME.log:MESSAGE" (MESSAGE
# starts with the line number), or nothing on stderr when MESSAGE is empty.
check_log() {
	local name="$1" expected_status="$2" summary="$3" message="$4"
	problems=""
	run_reader "$logs/$name.log"
	expect_status "$expected_status"
	expect_line "$work/stdout" "summary: $summary"
	if [[ -n "$message" ]]; then
		expect_text "$work/stderr" "fpulab-log: $logs/$name.log:$message"
	else
		expect_empty "$work/stderr"
	fi
	report "$name" "$problems"
}

tap_begin fpulab-log/

# Build first, so a compiler error shows here and not as a failed case.
problems=""
run_reader --help
expect_status 0
expect_text "$work/stdout" "usage: fpulab-log"
report "builds-and-prints-usage" "$problems"

# ---- recorded logs ----
check_log good-ovmf-noise 0 "4 passed, 0 failed, 0 skipped" ""
check_log skip 0 "2 passed, 0 failed, 1 skipped" ""
check_log failing-yaml 1 "2 passed, 1 failed, 1 skipped" ""
check_log json-escapes 0 "1 passed, 0 failed, 1 skipped" ""
check_log truncated 2 "3 passed, 0 failed, 0 skipped" '6: no end marker'
check_log truncated-record 2 "1 passed, 0 failed, 0 skipped" '5: bench record: bad JSON'
check_log missing-plan 2 "2 passed, 0 failed, 0 skipped" '6: no plan'
check_log plan-mismatch 2 "3 passed, 0 failed, 0 skipped" '7: plan 1..4 but 3 test point(s)'
check_log numbering-gap 2 "3 passed, 0 failed, 0 skipped" '6: numbering gap: test point 4 where 3'
check_log repeated-number 2 "3 passed, 0 failed, 0 skipped" '6: test point 2 repeated'
check_log garbled-record 2 "2 passed, 0 failed, 0 skipped" '5: bench record: bad JSON at column 70'
check_log missing-field 2 "1 passed, 0 failed, 0 skipped" '3: cpu record: missing field "watchdog"'
check_log wrong-type 2 "1 passed, 0 failed, 0 skipped" '5: bench record: field "n" must be int'
check_log status-contradiction 2 "2 passed, 1 failed, 0 skipped" '8: end status 0 but 1 test point(s) not ok'
check_log status-without-failure 2 "2 passed, 0 failed, 0 skipped" '7: end status 1 but no test point'
check_log bail-out 2 "2 passed, 0 failed, 0 skipped" '8: end status 2'
check_log unknown-kind 2 "1 passed, 0 failed, 0 skipped" '5: unknown record kind "cpux"'
check_log empty 2 "0 passed, 0 failed, 0 skipped" '1: no "TAP version 14"'
check_log no-tap-version 2 "0 passed, 0 failed, 0 skipped" '5: no "TAP version 14"'
check_log after-end-marker 2 "1 passed, 0 failed, 0 skipped" '7: fpulab line after the end marker'
check_log bad-test-name 2 "2 passed, 0 failed, 0 skipped" '5: empty segment in test point name'
check_log not-ok-without-reason 2 "1 passed, 1 failed, 0 skipped" '5: "not ok" without " # REASON"'
check_log bail-out-status-1 2 "1 passed, 1 failed, 0 skipped" '8: "Bail out!" but end status 1, not 2'
check_log second-cpu-record 2 "1 passed, 0 failed, 0 skipped" '5: second cpu record'
check_log ioapic-not-object 2 "1 passed, 0 failed, 0 skipped" '3: cpu record: field "ioapic" must be obj, not string'
check_log test-after-plan 2 "2 passed, 0 failed, 0 skipped" '6: test point after the plan'
check_log unclosed-yaml 2 "2 passed, 1 failed, 0 skipped" '8: YAML block of line 6 not closed'
check_log raw-samples 0 "2 passed, 0 failed, 0 skipped" ""
check_log raw-count-mismatch 2 "2 passed, 0 failed, 0 skipped" '6: raw samples: 3 values, the bench record has n=4'
check_log raw-without-bench 2 "2 passed, 0 failed, 0 skipped" '5: raw samples not right after a valid bench record'
check_log raw-not-integers 2 "2 passed, 0 failed, 0 skipped" '6: raw samples line is not "# raw V1 V2 ..."'

# ---- --json ----

# kinds_of FILE: the "kind" of every JSON line, space-separated.
kinds_of() {
	jq -r '.kind' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# expect_kinds EXPECTED: every stdout line is one object of these kinds, in order.
expect_kinds() {
	local kinds
	kinds="$(kinds_of "$work/stdout")"
	[[ "$kinds" == "$1" ]] || problems+="kinds '$kinds', expected '$1'"$'\n'
	[[ "$(wc -l <"$work/stdout")" -eq "$(wc -w <<<"$1")" ]] ||
		problems+="$(wc -l <"$work/stdout") lines, expected $(wc -w <<<"$1")"$'\n'
}

# expect_valid_json_lines: each stdout line parses as JSON (needs jq).
expect_valid_json_lines() {
	command -v jq >/dev/null || return 0
	local count
	count="$(jq -c . <"$work/stdout" 2>>"$work/jq-errors" | wc -l)"
	[[ "$count" -eq "$(wc -l <"$work/stdout")" ]] || problems+="jq read $count objects"$'\n'
	jq -e -s 'all(.[]; type == "object" and (keys_unsorted[0] == "kind"))' \
		<"$work/stdout" >/dev/null 2>&1 || problems+="not every line is an object with kind first"$'\n'
}

problems=""
run_reader --json "$logs/good-ovmf-noise.log"
expect_status 0
expect_kinds "fpulab cpu test test test bench test lab claim"
expect_valid_json_lines
expect_line "$work/stdout" '{"kind":"fpulab","schema":1,"version":"0.1.0","boot":"efi","args":"quick"}'
expect_line "$work/stdout" '{"kind":"test","number":4,"name":"xsave/xsaveopt","result":"ok"}'
expect_line "$work/stderr" "summary: 4 passed, 0 failed, 0 skipped"
[[ "$(wc -l <"$work/stderr")" -eq 1 ]] || problems+="stderr holds more than the summary"$'\n'
report "json/good-log" "$problems"

problems=""
run_reader --json "$logs/failing-yaml.log"
expect_status 1
expect_kinds "fpulab cpu test test test test bench"
expect_valid_json_lines
expect_line "$work/stdout" '{"kind":"test","number":2,"name":"selftest/ud","result":"not ok","reason":"unexpected exception #UD at \"rip\" C:\\fpulab"}'
expect_line "$work/stdout" '{"kind":"test","number":3,"name":"xsave/xsavec","result":"skip","reason":"CPUID.(EAX=0DH,ECX=1):EAX[1]=0, no XSAVEC"}'
expect_line "$work/stderr" "summary: 2 passed, 1 failed, 1 skipped"
report "json/not-ok-and-skip" "$problems"

problems=""
run_reader --json "$logs/json-escapes.log"
expect_status 0
expect_kinds "fpulab cpu test claim bench test"
expect_valid_json_lines
expect_line "$work/stdout" "{\"kind\":\"test\",\"number\":2,\"name\":\"xsave/xsavec\",\"result\":\"skip\",\"reason\":\"no\\u0009XSAVEC $(printf '\302\265') \\ufffd here\"}"
if command -v jq >/dev/null; then
	[[ "$(jq -r 'select(.kind == "claim") | .id' <"$work/stdout")" == \
		"$(printf 'claim/\302\265ops-\360\237\230\200\n"q"\\/')" ]] || problems+="claim id not decoded as expected"$'\n'
fi
report "json/escapes" "$problems"

problems=""
run_reader --json "$logs/raw-samples.log"
expect_status 0
expect_kinds "fpulab cpu test bench raw test"
expect_valid_json_lines
expect_line "$work/stdout" '{"kind":"raw","name":"harness/exact/7","n":4,"samples":[7.00,-0.06,700.00,7.00]}'
report "json/raw-samples-in-the-unit" "$problems"

problems=""
run_reader --json "$logs/garbled-record.log"
expect_status 2
expect_kinds "fpulab cpu test test"
expect_valid_json_lines
report "json/garbled-record-left-out" "$problems"

command -v jq >/dev/null || skip "json/validated-with-jq" "jq not installed"

# ---- command line ----

problems=""
run_reader
expect_status 3
expect_text "$work/stderr" "no LOG given"
report "usage/no-file" "$problems"

problems=""
run_reader --frobnicate "$logs/skip.log"
expect_status 3
expect_text "$work/stderr" "unknown option --frobnicate"
report "usage/unknown-option" "$problems"

problems=""
run_reader "$logs/skip.log" "$logs/empty.log"
expect_status 3
report "usage/two-files" "$problems"

problems=""
run_reader "$work/does-not-exist.log"
expect_status 2
expect_text "$work/stderr" "does-not-exist.log: No such file or directory"
expect_line "$work/stdout" "summary: 0 passed, 0 failed, 0 skipped"
report "unreadable-file" "$problems"

problems=""
"$reader" - <"$logs/failing-yaml.log" >"$work/stdout" 2>"$work/stderr"
status=$?
expect_status 1
expect_line "$work/stdout" "summary: 2 passed, 1 failed, 1 skipped"
"$reader" --json - <"$logs/truncated.log" >"$work/stdout" 2>"$work/stderr"
status=$?
expect_status 2
expect_text "$work/stderr" "fpulab-log: <stdin>:6: no end marker"
report "stdin" "$problems"

problems=""
(cd / && "$reader" "$logs/skip.log" >"$work/stdout" 2>"$work/stderr")
status=$?
expect_status 0
expect_line "$work/stdout" "summary: 2 passed, 0 failed, 1 skipped"
report "wrapper/from-another-directory" "$problems"

# The wrapper builds into its own tree: try it on a copy, so the real build is untouched.
problems=""
mkdir -p "$work/tree/tools"
cp -p "$reader" "$work/tree/tools/"
cp -rp "$repo_root/tools/fpulab_log" "$work/tree/tools/"
"$work/tree/tools/fpulab-log" "$logs/skip.log" >/dev/null 2>"$work/stderr"
[[ -x "$work/tree/build/host/fpulab-log" ]] || problems+="no binary built in the copy"$'\n'
touch -d '2000-01-01' "$work/tree/build/host/fpulab-log"
"$work/tree/tools/fpulab-log" "$logs/skip.log" >/dev/null 2>>"$work/stderr"
[[ "$work/tree/build/host/fpulab-log" -nt "$work/tree/tools/fpulab_log/main.c" ]] ||
	problems+="binary older than its sources was not rebuilt"$'\n'
report "wrapper/rebuilds-when-sources-are-newer" "$problems"

# ---- robustness, under AddressSanitizer and UBSan ----

# Inputs beyond the recorded logs: very long lines, deep nesting, binary junk.
make_generated_logs() {
	local generated="$work/generated"
	mkdir -p "$generated"
	{
		printf 'TAP version 14\n# claim {"schema":1,"id":"'
		head -c 200000 /dev/zero | tr '\0' 'x'
		printf '","verdict":"v"}\n# '
		head -c 150000 /dev/zero | tr '\0' 'a'
		printf ' {\nok 1 - '
		head -c 120000 /dev/zero | tr '\0' 'n'
		printf '\n1..1\n# fpulab-end status=0\n'
	} >"$generated/long-lines.log"
	{
		printf 'TAP version 14\n# cpu {"a":'
		head -c 100000 /dev/zero | tr '\0' '['
		printf '\n# bench {"s":"\\ud800'
		printf '\n# lab {"s":"\033[1m\n1..0\n# fpulab-end status=0\n'
	} >"$generated/deep-nesting.log"
	cp "$reader_binary" "$generated/binary-junk.log"
	{ printf 'TAP version 14\n'; head -c 300000 /dev/urandom; } >"$generated/random-junk.log"
	printf 'TAP version 14\n\033[' >"$generated/escape-at-end.log"
}

problems=""
if ! cc -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror "$repo_root"/tools/fpulab_log/*.c \
	-o "$sanitized_binary" 2>"$work/stderr"; then
	problems+="could not build $sanitized_binary"$'\n'
else
	make_generated_logs
	for log in "$logs"/*.log "$work"/generated/*.log; do
		for mode in "" --json; do
			"$reader_binary" $mode "$log" >/dev/null 2>&1
			plain_status=$?
			ASAN_OPTIONS=exitcode=97 UBSAN_OPTIONS=exitcode=98:print_stacktrace=1 \
				"$sanitized_binary" $mode "$log" >/dev/null 2>"$work/stderr"
			sanitized_status=$?
			if grep -qE 'Sanitizer|runtime error' "$work/stderr" ||
				[[ "$sanitized_status" != "$plain_status" ]] ||
				((sanitized_status > 2)); then
				problems+="$(basename "$log") $mode: exit $sanitized_status (plain $plain_status)"$'\n'
				cp "$log" "$repo_root/build/host/failing-$(basename "$log")"
				break 2
			fi
		done
	done
fi
report "sanitizers/all-logs" "$problems"

tap_end
