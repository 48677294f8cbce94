#!/usr/bin/env bash
# Build-level checks, as TAP: rule 3 (no vector instructions in compiled C), rule 4
# (the EFI image is a relocatable PE32+ holding the VMX/SVM-capable kernel), and that
# the checks themselves can fail.
set -uo pipefail
# grep -c, not grep -q, at the end of a pipe: -q stops reading at the first match, the
# writer dies of SIGPIPE, and pipefail turns the match into a failure.
cd "$(dirname "$0")/../.."

source tests/lib/tap.sh
result() { tap_status "$@"; }   # result NAME STATUS [REASON]

tap_begin

c_objects=()
while IFS= read -r source; do
	object="build/obj/${source%.c}.o"
	[ -f "$object" ] && c_objects+=("$object")
done < <(find boot kernel support bench lab -name '*.c' | sort)
[ "${#c_objects[@]}" -gt 10 ]
result "lint/c-objects-found (${#c_objects[@]})" $? "build the kernel first"
# The policy lab's objects run in the kernel with other contexts' vector state live.
lab_objects=$(printf '%s\n' "${c_objects[@]}" | grep -cE '^build/obj/lab/(backends/)?[^/]+\.o$')
[ "$lab_objects" -ge 20 ]
result "lint/lab-objects-among-them ($lab_objects)" $? "only $lab_objects lab/*.o and lab/backends/*.o objects checked"

report=$(tools/check-no-vector.sh "${c_objects[@]}")
result "lint/no-vector-instructions-in-compiled-c" $? "$(echo "$report" | head -n 3 | tr '\n' ' ')"

scratch=$(mktemp -d)
printf 'double scale(double a, double b) { return a * b + 0.5; }\n' > "$scratch/uses_sse.c"
cc -O2 -c "$scratch/uses_sse.c" -o "$scratch/uses_sse.o"
tools/check-no-vector.sh "$scratch/uses_sse.o" > /dev/null
[ $? -eq 1 ]
result "lint/no-vector-check-catches-sse" $? "the checker missed SSE code"
rm -rf "$scratch"

file build/fpulab.efi | grep -c 'PE32+ executable (EFI application) x86-64' > /dev/null
result "lint/efi-image-is-pe32+" $?
objdump -h build/fpulab.efi | grep -c '\.reloc' > /dev/null
result "lint/efi-image-has-relocations" $? "no .reloc section: not position-independent"
readelf -r build/fpulab.so | grep -cE 'R_X86_64_(32|32S) ' > /dev/null
[ $? -ne 0 ]
result "lint/efi-link-has-no-absolute-32-bit-relocations" $?
symbols=$(nm build/fpulab.so)
grep -qw vmx_enable <<<"$symbols" && grep -qw svm_enable <<<"$symbols"
result "lint/efi-image-holds-vmx-and-svm-code" $? "vmx_enable or svm_enable missing from the EFI link"
file build/fpulab.elf | grep -c 'ELF 64-bit.*statically linked' > /dev/null
result "lint/multiboot2-elf-is-static-elf64" $?
grub-file --is-x86-multiboot2 build/fpulab.elf
result "lint/multiboot2-header-valid" $? "grub-file rejects the multiboot2 header"

tap_end
