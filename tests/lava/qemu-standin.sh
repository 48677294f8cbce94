#!/usr/bin/env bash
# A stand-in for qemu-system-x86_64 in the LAVA tests (tools/fpulab-lava run with
# FPULAB_LAVA_QEMU="tests/lava/qemu-standin.sh MODE"): it ignores QEMU's options and
# prints the recorded serial log tests/lava/recorded-run.log (a real QEMU TCG run of 22
# test points) changed by MODE into one of the runs that LAVA's monitors alone would
# pass (docs/lava.md, "No false pass"):
#   good        the log as recorded; exits as isa-debug-exit does for status 0
#   stop-early  the lines up to test point 8, then exits 0 (QEMU after a triple fault)
#   hang        the lines up to test point 8, then prints nothing and never exits
#   slow        the whole log, a line a second (never silent for long, but 35 s in all:
#               longer than a short job timeout on any machine)
#   wrong-plan  the whole log with the plan 1..21 for its 22 test points
#   bail-out    test points 1-8, "Bail out!", the plan 1..8 and end status 2
set -u
mode=${1:?usage: qemu-standin.sh good|stop-early|hang|slow|wrong-plan|bail-out [QEMU OPTIONS]}
log="$(dirname "$0")/recorded-run.log"

# The recorded lines up to and including test point 8's.
first_part() {
	awk '{ print } /^ok 8 - / { exit }' "$log"
}

case "$mode" in
	good) cat "$log"; exit 1 ;;
	stop-early) first_part; exit 0 ;;
	hang) first_part; exec sleep 3600 ;;
	slow)
		while IFS= read -r line; do
			printf '%s\n' "$line"
			sleep 1
		done < "$log"
		exit 1 ;;
	wrong-plan) sed 's/^1\.\.22\r$/1..21\r/' "$log"; exit 1 ;;
	bail-out)
		first_part
		printf 'Bail out! stand-in: the kernel could not continue\r\n1..8\r\n# fpulab-end status=2\r\n'
		exit 5 ;;
	*) echo "qemu-standin.sh: unknown mode $mode" >&2; exit 3 ;;
esac
