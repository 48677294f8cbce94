#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (docs/fuzzing.md). Prints TAP 14: per target one
# test point that (a) replays every committed regression input and seed
# (tests/fuzz/regressions/TARGET/, tests/fuzz/corpus/TARGET/) and (b) fuzzes for
# FPULAB_FUZZ_SECONDS (default 5). It fails on any crash, hang, leak or sanitizer
# report; what fuzzing finds is kept in build/fuzz/findings/TARGET/. Without clang's
# libFuzzer every point is a SKIP with the reason.
#   FPULAB_FUZZ_SECONDS  seconds of fuzzing per target
#   FPULAB_FUZZ_WORK     keep each target's learnt corpus in WORK/TARGET (make fuzz);
#                        default: a temporary one, removed at the end
#   FPULAB_FUZZ_FLAGS    more libFuzzer flags for the fuzzing (e.g. -use_value_profile=1)
#   FUZZ_CC              the compiler (default clang-14)
set -uo pipefail
cd "$(dirname "$0")/../.."

targets=(fpulab_log scenario kernel_args)
seconds=${FPULAB_FUZZ_SECONDS:-5}
cc=${FUZZ_CC:-clang-14}
fuzz=build/fuzz
hang_seconds=5         # one input running longer than this is a hang
max_length=8192        # bytes; a longer committed input is still replayed whole
memory_limit_mb=2048

mkdir -p "$fuzz"
scratch=$(mktemp -d "$fuzz/run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# Why libFuzzer cannot be used here, or nothing.
toolchain_problem() {
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "$cc not found (tools/install-deps.sh installs clang-14 and libclang-rt-14-dev)"
		return
	fi
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
		> "$scratch/probe.c"
	if ! "$cc" -fsanitize=fuzzer,address,undefined "$scratch/probe.c" -o "$scratch/probe" \
		> "$scratch/probe.log" 2>&1; then
		echo "$cc -fsanitize=fuzzer does not link (libclang-rt-14-dev missing?): $(head -c 200 "$scratch/probe.log" | tr '\n' ' ')"
	fi
}

# diagnose FILE: the interesting lines of a libFuzzer log as TAP diagnostics.
diagnose() {
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written|ALARM|timeout|leak|deadly|out-of-memory|^    #[0-9]+ ' "$1" \
		| head -n 40 | sed 's/^/# /'
}

# The committed inputs of a target, one per line.
committed_inputs() {
	find "tests/fuzz/regressions/$1" "tests/fuzz/corpus/$1" -type f 2>/dev/null | sort
}

# replay TARGET: runs every committed input once; 0 when none failed.
replay() {
	local target=$1 binary=$fuzz/fuzz_$1 inputs=()
	mapfile -t inputs < <(committed_inputs "$target")
	[ "${#inputs[@]}" -gt 0 ] || return 0
	timeout $((hang_seconds * ${#inputs[@]} + 60)) "$binary" -timeout=$hang_seconds \
		-rss_limit_mb=$memory_limit_mb "${inputs[@]}" > "$scratch/$target.replay.log" 2>&1
}

# fuzz_for TARGET: fuzzes for $seconds; sets executions and new_findings.
fuzz_for() {
	local target=$1 binary=$fuzz/fuzz_$1 work findings=$fuzz/findings/$1 dirs=()
	if [ -n "${FPULAB_FUZZ_WORK:-}" ]; then
		work=$FPULAB_FUZZ_WORK/$target
	else
		work=$scratch/$target.corpus
	fi
	mkdir -p "$work" "$findings"
	for dir in "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target"; do
		[ -d "$dir" ] && dirs+=("$dir")
	done
	touch "$scratch/$target.start"
	timeout $((seconds + hang_seconds + 120)) "$binary" -max_total_time="$seconds" \
		-timeout=$hang_seconds -rss_limit_mb=$memory_limit_mb -max_len=$max_length \
		-dict="tests/fuzz/$target.dict" -artifact_prefix="$findings/" -close_fd_mask=3 \
		-print_final_stats=1 ${FPULAB_FUZZ_FLAGS:-} "$work" "${dirs[@]}" > "$scratch/$target.fuzz.log" 2>&1
	fuzz_status=$?
	executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$target.fuzz.log")
	new_findings=$(find "$findings" -type f -newer "$scratch/$target.start" | sort)
	corpus_size=$(find "$work" -type f | wc -l)
}

source tests/lib/tap.sh
tap_begin fuzz/
problem=$(toolchain_problem)
if [ -z "$problem" ] && ! make --no-print-directory -s fuzz-build FUZZ_CC="$cc" > "$scratch/build.log" 2>&1; then
	build_failed=1
fi

for target in "${targets[@]}"; do
	if [ -n "$problem" ]; then
		tap_skip "$target" "$problem"
		continue
	fi
	if [ -n "${build_failed:-}" ]; then
		tap_not_ok "$target" "building the fuzz targets failed" "$(tail -n 20 "$scratch/build.log")"
		continue
	fi
	if ! replay "$target"; then
		tap_not_ok "$target" "a committed input fails: replay it with $fuzz/fuzz_$target FILE" \
			"$(grep '^Running: ' "$scratch/$target.replay.log" | tail -n 1; diagnose "$scratch/$target.replay.log" | sed 's/^# //')"
		continue
	fi
	fuzz_for "$target"
	tap_diag "fuzz_$target: ${executions:-?} executions in $seconds s, working corpus $corpus_size inputs"
	if [ "$fuzz_status" -ne 0 ] || [ -n "$new_findings" ] || [ -z "$executions" ]; then
		tap_not_ok "$target" "fuzzing found a problem (libFuzzer status $fuzz_status)" \
			"$(diagnose "$scratch/$target.fuzz.log" | sed 's/^# //'; printf 'finding: %s\n' $new_findings)"
		continue
	fi
	tap_ok "$target"
done
tap_end
