# Sourced by run-qemu.sh: whether this Linux host's KVM can run a full guest
# (docs/runners.md, "Choosing the accelerator"). FPULAB_HOST_ROOT, when set, is a
# folder that stands for / (its proc/cpuinfo, sys/module/ and dev/kvm are read instead),
# so tests can craft the hosts this machine is not.

# Prints why KVM cannot run a full guest here; prints nothing when it can.
kvm_unusable_reason() {
    local root=${FPULAB_HOST_ROOT:-}
    local device="$root/dev/kvm" modules="$root/sys/module" cpuinfo="$root/proc/cpuinfo"

    if [ ! -e "$device" ]; then
        echo "/dev/kvm is missing"
    elif [ ! -r "$device" ] || [ ! -w "$device" ]; then
        echo "/dev/kvm is not readable and writable by $(id -un)"
    elif [ -d "$modules/kvm_pvm" ]; then
        echo "/dev/kvm comes from kvm_pvm, a paravirtual KVM that cannot run a full guest"
    elif ! grep -qE '^flags[[:space:]]*:.*\<(vmx|svm)\>' "$cpuinfo" 2>/dev/null; then
        echo "no vmx or svm flag in /proc/cpuinfo: the CPU gives this host no hardware virtualization"
    elif [ ! -d "$modules/kvm_intel" ] && [ ! -d "$modules/kvm_amd" ]; then
        echo "/dev/kvm exists but neither kvm_intel nor kvm_amd is loaded"
    fi
}

# Prints the nested-virtualization warning for a usable KVM, if there is one to give.
kvm_nesting_warning() {
    local root=${FPULAB_HOST_ROOT:-} file nested=""

    for file in "$root/sys/module/kvm_intel/parameters/nested" "$root/sys/module/kvm_amd/parameters/nested"; do
        if [ -r "$file" ]; then nested=$(cat "$file"); break; fi
    done
    case "$nested" in
        Y|y|1) ;;
        "") echo "warning: cannot read kvm_intel/kvm_amd 'nested' parameter: the vm/ tests may SKIP" ;;
        *) echo "warning: nested virtualization is off (nested=$nested): the vm/ tests will SKIP; enable with e.g. 'modprobe kvm_intel nested=1'" ;;
    esac
}

# Why a KVM start that ended (or was stopped) as described failed, or nothing when it
# did not: $1 QEMU's exit status, $2 the serial log, $3 QEMU's stderr, $4 1 when the
# firmware stayed silent past the bound.
kvm_start_failure() {
    local status=$1 log=$2 stderr=$3 silent=$4

    if [ "$silent" -eq 1 ]; then
        echo "no serial output within ${FPULAB_KVM_SILENCE_S:-30}s under KVM"
    elif grep -qiE 'kvm|failed to set MSR' "$stderr" 2>/dev/null && ! grep -aq '^TAP version 14' "$log" 2>/dev/null; then
        echo "QEMU exited with status $status: $(grep -iE 'kvm|failed to set MSR' "$stderr" | head -n 1)"
    elif [ $((status % 2)) -eq 0 ] && ! grep -aq '^TAP version 14' "$log" 2>/dev/null; then
        echo "QEMU exited with status $status before fpulab printed anything"
    fi
}
