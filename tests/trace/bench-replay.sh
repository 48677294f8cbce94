#!/usr/bin/env bash
# make bench-trace (docs/tracing.md "Performance"): a synthetic capture of 1,000,000
# events (build/host/fpulab-trace synth) replayed through every configuration and the
# oracle on the simulated backend; prints the wall time and the peak memory against
# the targets (10 s, 1 GiB on the project's 2-core machines). A benchmark, not a test:
# it exits 0 unless the replay itself fails. EVENTS=N changes the size.
set -uo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

events=${EVENTS:-1000000}
tool=build/host/fpulab-trace
capture=build/bench/trace-$events.trace
mkdir -p build/bench
[ -s "$capture" ] || "$tool" synth "$events" -o "$capture" || { echo "bench-trace: synth failed" >&2; exit 1; }
start=$(date +%s%N)
"$tool" replay "$capture" > build/bench/replay-$events.log
status=$?
end=$(date +%s%N)
milliseconds=$(( (end - start) / 1000000 ))
memory=$(sed -n 's/.* \([0-9]*\) MiB at most resident.*/\1/p' build/bench/replay-$events.log)
configs=$(grep -c '^ok [0-9]* - trace/replay/' build/bench/replay-$events.log)
printf '# bench-trace: %s trace events through %s configurations and the oracle: %d.%03d s wall, %s MiB peak (targets: 10 s, 1024 MiB)\n' \
	"$events" "$configs" $((milliseconds / 1000)) $((milliseconds % 1000)) "${memory:-?}"
[ "$status" -eq 0 ] || { echo "bench-trace: replay exit status $status" >&2; exit 1; }
if [ "$milliseconds" -gt 10000 ] || [ "${memory:-0}" -gt 1024 ]; then
	echo "# bench-trace: over target"
fi
exit 0
