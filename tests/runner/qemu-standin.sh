#!/usr/bin/env bash
# A stand-in for qemu-system-x86_64 (FPULAB_QEMU=this run-qemu.sh), so the runner's
# accelerator branches can be tested on any host. It appends its -accel to
# $STANDIN_CALLS and then, by accelerator:
#   kvm: STANDIN_KVM=abort  prints QEMU's KVM MSR error and aborts (status 134)
#        STANDIN_KVM=silent prints nothing and sleeps until killed
#        STANDIN_KVM=ok     behaves as tcg does below
#   tcg: writes the recorded log $STANDIN_LOG to the serial log file and stdout, and
#        exits as isa-debug-exit does with status $STANDIN_STATUS ((status << 1) | 1).
set -u
accel="" logfile=""
while [ "$#" -gt 0 ]; do
	case "$1" in
		-accel) accel=$2; shift ;;
		-chardev) logfile=$(printf '%s\n' "$2" | tr ',' '\n' | sed -n 's/^logfile=//p') ;;
	esac
	shift
done
echo "$accel" >> "${STANDIN_CALLS:-/dev/null}"
if [ "$accel" = kvm ]; then
	case "${STANDIN_KVM:-ok}" in
		abort)
			echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
			echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion \`ret == cpu->kvm_msr_buf->nmsrs' failed." >&2
			exit 134 ;;
		silent) exec sleep 3600 ;;
	esac
fi
cp "$STANDIN_LOG" "$logfile"
cat "$STANDIN_LOG"
exit $(( (${STANDIN_STATUS:-0} << 1) | 1 ))
