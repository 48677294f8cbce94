#!/usr/bin/env bash
# Rule 3: compiled C never touches x87/MMX/SSE/AVX state. Disassembles object files
# and lists every instruction that names a vector or x87 register or is an x87/MMX/
# MXCSR instruction. FPU state belongs in NASM files, which this check does not read.
# Usage: tools/check-no-vector.sh OBJECT...   (exit 0 clean, 1 found, 3 usage)
set -euo pipefail

if [ "$#" -eq 0 ] || [ "$1" = "--help" ]; then
	echo "usage: $0 OBJECT..." >&2
	exit 3
fi

pattern='%([xyz]mm[0-9]+|mm[0-7]|st(\([0-7]\))?|k[0-7])\b|^\s*[0-9a-f]+:\s+(f[a-z0-9]+|emms|femms|ldmxcsr|stmxcsr|vldmxcsr|vstmxcsr)\b'
found=0
for object in "$@"; do
	hits=$(objdump -d --no-show-raw-insn "$object" | grep -E "$pattern" || true)
	if [ -n "$hits" ]; then
		found=1
		echo "$object uses vector/x87 state:"
		echo "$hits" | head -n 20 | sed 's/^/    /'
	fi
done
exit "$found"
