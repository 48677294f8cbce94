#!/usr/bin/env bash
# bench-report.sh [LOG...]: how long tools/fpulab-report takes over 10 full logs
# (docs/report.md, "Performance"). Without LOGs it makes 10 full runs with raw
# samples of the hosted build (build/host/fpulab-host raw: every benchmark, 1000
# samples each, the policy lab) and reports them, the first compared with the nine
# others. Prints the figure; exit status 1 when it is over the 10 s the issue allows.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo_root/build/bench-report"
limit_seconds=10
rm -rf "$work"
mkdir -p "$work/logs"

logs=("$@")
if [ "${#logs[@]}" -eq 0 ]; then
	for run in $(seq -w 1 10); do
		"$repo_root/build/host/fpulab-host" raw >"$work/logs/host-full-raw-$run.log" || true
		logs+=("$work/logs/host-full-raw-$run.log")
	done
fi

start=$(date +%s.%N)
status=0
"$repo_root/tools/fpulab-report" "${logs[@]}" -o "$work/report" >"$work/stdout" 2>"$work/stderr" || status=$?
end=$(date +%s.%N)
seconds=$(awk -v start="$start" -v end="$end" 'BEGIN { printf "%.2f", end - start }')
bytes=$(du -cb "${logs[@]}" | tail -n 1 | cut -f1)
printf 'fpulab-report over %d logs (%d KiB): %s s (limit %d s), exit status %d, %d CPUs\n' \
	"${#logs[@]}" "$((bytes / 1024))" "$seconds" "$limit_seconds" "$status" "$(nproc)"
[ "$status" -le 2 ] || { cat "$work/stderr" >&2; exit 1; }
awk -v seconds="$seconds" -v limit="$limit_seconds" 'BEGIN { exit !(seconds <= limit) }'
