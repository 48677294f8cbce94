#!/usr/bin/env bash
# Suite lava (docs/lava.md): fpulab's LAVA jobs run here with lava-run, no server.
#  - console/*: fpulab-lava console, the filter between LAVA and the console, on the
#    stand-in QEMU (tests/lava/qemu-standin.sh): needs no LAVA, never skips;
#  - schema/*, dispatcher/*: every job template and device dictionary in lava/ through
#    LAVA's schemas (lava_common.schemas) and lava-run --validate;
#  - run/*: real jobs under QEMU TCG (quick; selftest=ud; the real-machine job on a
#    stand-in machine), the runs LAVA alone would pass (stop early, hang, wrong plan,
#    status 2) and a job cut short by its timeout, on the stand-in QEMU.
# lava-dispatcher is installed with tools/install-deps.sh --lava when missing (unless
# FPULAB_LAVA_INSTALL=0); where it is absent and cannot be installed, the LAVA points
# SKIP with the reason. Prints TAP 14; exits 1 if a test fails.
set -uo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." || exit 2
source tests/lib/tap.sh

lava=tools/fpulab-lava
standin=$PWD/tests/lava/qemu-standin.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FPULAB_NO_BUILD=1

# ---- without LAVA: the console filter ----

# console NAME LIMITS... -- COMMAND...: fpulab-lava console; output in $work/NAME.out,
# exit status in $work/NAME.status, seconds taken in $work/NAME.seconds.
console() {
	local name=$1 start=$SECONDS; shift
	timeout 60 "$lava" console "$@" < /dev/null > "$work/$name.out" 2> "$work/$name.err"
	echo $? > "$work/$name.status"
	echo $((SECONDS - start)) > "$work/$name.seconds"
}

# check_lines FILE EXPECTED-LINE...: problems for each line FILE lacks (CR dropped).
check_lines() {
	local file=$1 line; shift
	for line in "$@"; do
		tr -d '\r' < "$file" | grep -qxF -- "$line" || echo "no line '$line' in $(basename "$file")"
	done
}

check_console() {   # check_console NAME STATUS EXPECTED-LINE...
	local name=$1 status=$2 problems; shift 2
	problems=$(check_lines "$work/$name.out" "fpulab-lava: checks" "$@" "fpulab-lava: done")
	[ "$(cat "$work/$name.status")" = "$status" ] || problems+=$'\n'"exit $(cat "$work/$name.status"), expected $status"
	[ "$(cat "$work/$name.seconds")" -le 20 ] || problems+=$'\n'"took $(cat "$work/$name.seconds") s"
	tap_check "console/$name" "$(printf '%s' "$problems" | sed '/^$/d')"
}

tap_begin lava/

console good --silence 5 -- "$standin" good
problems=$(check_lines "$work/good.out" "fpulab-lava: ok - ended" "fpulab-lava: ok - log")
"$standin" good > "$work/good.expected"
cmp -s "$work/good.expected" <(head -c "$(stat -c %s "$work/good.expected")" "$work/good.out") \
	|| problems+=$'\n'"the relayed output differs from the console's"
tap_check console/good-relayed-unchanged "$(printf '%s' "$problems" | sed '/^$/d')"

console hang --silence 2 -- "$standin" hang
check_console hang 1 "fpulab-lava: not ok - ended # no output for 2 s after line 13 (last test point: ok 8 - kernel/firmware-isolation)" \
	"fpulab-lava: not ok - log # line 13: no end marker \"# fpulab-end status=S\": the log is truncated or the run did not finish"
console stop-early --silence 5 -- "$standin" stop-early
check_console stop-early 1 "fpulab-lava: not ok - ended # console closed after line 13 (last test point: ok 8 - kernel/firmware-isolation) before the end marker"
console wrong-plan --silence 5 -- "$standin" wrong-plan
check_console wrong-plan 1 "fpulab-lava: ok - ended" "fpulab-lava: not ok - log # line 34: plan 1..21 but 22 test point(s)"
console bail-out --silence 5 -- "$standin" bail-out
check_console bail-out 1 "fpulab-lava: ok - ended" "fpulab-lava: not ok - log # line 16: end status 2: the run could not continue"
console boot-silence --boot-silence 1 -- sleep 30
check_console boot-silence 1 "fpulab-lava: not ok - ended # no output for 1 s after line 0 (no \"TAP version 14\" yet)"
console no-command -- /nonexistent/console
check_console no-command 1 "fpulab-lava: not ok - ended # console command did not start: [Errno 2] No such file or directory: '/nonexistent/console'"

# ---- is LAVA here? ----

# Prints why lava-run cannot be used here; nothing when it can.
lava_missing() {
	if [ -n "${FPULAB_LAVA_RUN:-}" ] && ! command -v "$FPULAB_LAVA_RUN" > /dev/null; then
		echo "lava-run ($FPULAB_LAVA_RUN) not found"
	elif ! command -v lava-run > /dev/null || ! /usr/bin/python3 -c 'import lava_common.schemas' 2> /dev/null; then
		echo "lava-dispatcher is not installed"
	elif [ "$(id -u)" -ne 0 ] && ! sudo -n true 2> /dev/null; then
		echo "lava-run needs root: not root, and sudo asks for a password"
	fi
}

missing=$(lava_missing)
if [ -n "$missing" ] && [ -z "${FPULAB_LAVA_RUN:-}" ] && [ "${FPULAB_LAVA_INSTALL:-1}" != 0 ]; then
	tap_diag "$missing: installing it with tools/install-deps.sh --lava"
	install_start=$SECONDS
	if tools/install-deps.sh --lava > "$work/install.out" 2>&1; then
		tap_diag "tools/install-deps.sh --lava took $((SECONDS - install_start)) s"
	else
		missing+=", and tools/install-deps.sh --lava failed: $(tail -n 1 "$work/install.out")"
	fi
	[ -n "$(lava_missing)" ] || missing=""
fi

LAVA_POINTS="schema dispatcher/efi dispatcher/usb dispatcher/bios dispatcher/pc run/efi-quick
	run/efi-quick-counts-equal run/selftest-ud run/cut-short run/stop-early run/hang
	run/wrong-plan run/bail-out run/pc-standin suite-skips-without-lava"
if [ -n "$missing" ]; then
	for point in $LAVA_POINTS; do tap_skip "$point" "$missing"; done
	FPULAB_LAVA_RUN=/nonexistent/lava-run "$lava" run -- quick > "$work/absent.out" 2>&1
	status=$?
	problems=""
	[ "$status" -eq 2 ] || problems="exit $status, expected 2"
	grep -qF "tools/install-deps.sh --lava" "$work/absent.out" || problems+=$'\n'"no hint at tools/install-deps.sh --lava"
	tap_check run/without-lava-run "$(printf '%s' "$problems" | sed '/^$/d')"
	tap_end
	exit
fi
source tests/lava/lava-checks.sh
tap_end
