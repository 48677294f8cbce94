#!/usr/bin/env bash
# shellcheck disable=SC2054  # commas inside QEMU option values are meant
# Boot fpulab under QEMU (KVM or TCG) and grade its serial log.
# See --help and docs/runners.md.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: ./run-qemu.sh [--accel kvm|tcg] [--cpu MODEL] [--cpus N]
                     [--boot efi|bios|usb|shell] [--timeout S] [--name NAME]
                     [--interrupt-log] [-- KERNEL ARGS...]

Builds fpulab (tools/install-deps.sh, make -s all; both skipped when
FPULAB_NO_BUILD=1), boots it under QEMU (q35, 512 MiB, no display) and
grades the serial log with tools/fpulab-log.

  --accel kvm|tcg   default: kvm when this host's KVM can run a full guest
                    (/dev/kvm usable, vmx/svm in /proc/cpuinfo, kvm_intel or
                    kvm_amd loaded, not the paravirtual kvm_pvm), else tcg; an
                    automatic KVM start that fails (KVM error, or no serial
                    output within FPULAB_KVM_SILENCE_S=30 s) is rerun once
                    under TCG. --accel kvm on a host that cannot exits 3
  --cpu MODEL       QEMU -cpu model; default: host (kvm), max (tcg)
  --cpus N          number of CPUs (default 2: the second one runs the cross-CPU
                    tests, docs/smp.md; 1 makes them SKIP)
  --boot efi        OVMF + build/fpulab-usb.img as a SATA (AHCI) disk (default)
  --boot usb        OVMF + build/fpulab-usb.img as a USB stick on qemu-xhci
  --boot shell      OVMF's EFI shell starts \fpulab.efi from startup.nsh: the
                    kernel arguments arrive as EFI load options (adds ~5 s)
  --boot bios       SeaBIOS + build/fpulab.iso (GRUB, multiboot2) as a CD-ROM,
                    kernel arguments on a small args disk
  --timeout S       kill QEMU after S seconds (default 600)
  --name NAME       name of the run (default qemu-BOOT-ACCEL-CPU-TIMESTAMP-PID);
                    letters, digits, '.', '_', '-'
  --interrupt-log   QEMU's -d int: every interrupt and exception with the CPU's
                    registers (CR3, IDT, ...) to build/logs/NAME.interrupts.txt
  -- KERNEL ARGS    kernel arguments, e.g. -- quick only='xsave/*'
                    (exit=qemu is added: the kernel reports its status to
                    QEMU's isa-debug-exit port 0xf4)

Serial output goes live to stdout and to build/logs/NAME.log; for efi/usb the
results file the kernel saved goes to build/logs/NAME.results.txt.
Scratch files: build/run/NAME/ (replaced by the next run of the same NAME;
the disk copies are deleted at the end unless FPULAB_KEEP_RUN=1).

Exit status: 0 all tests ok, 1 some test not ok, 2 log incomplete (crash,
hang, timeout), 3 usage or setup error (also: --accel kvm where KVM cannot
run or did not start).
USAGE
}

say() { echo "run-qemu: $*" >&2; }
die() { say "error: $*"; exit 3; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/runner-common.sh
source "$root/tools/runner-common.sh"
# shellcheck source=tools/kvm-probe.sh
source "$root/tools/kvm-probe.sh"

accel=""
cpu=""
boot="efi"
timeout_s=600
cpus=2
name=""
interrupt_log=0
kernel_args=()

need_value() { [ "$#" -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --accel) need_value "$@"; accel=$2; shift 2 ;;
        --accel=*) accel=${1#*=}; shift ;;
        --cpu) need_value "$@"; cpu=$2; shift 2 ;;
        --cpus) need_value "$@"; cpus=$2; shift 2 ;;
        --cpus=*) cpus=${1#*=}; shift ;;
        --cpu=*) cpu=${1#*=}; shift ;;
        --boot) need_value "$@"; boot=$2; shift 2 ;;
        --boot=*) boot=${1#*=}; shift ;;
        --timeout) need_value "$@"; timeout_s=$2; shift 2 ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        --name) need_value "$@"; name=$2; shift 2 ;;
        --name=*) name=${1#*=}; shift ;;
        --interrupt-log) interrupt_log=1; shift ;;
        --) shift; kernel_args=("$@"); break ;;
        *) say "unknown argument: $1"; usage >&2; exit 3 ;;
    esac
done

case "$accel" in ""|kvm|tcg) ;; *) die "--accel must be kvm or tcg, not '$accel'" ;; esac
case "$boot" in efi|bios|usb|shell) ;; *) die "--boot must be efi, bios, usb or shell, not '$boot'" ;; esac
runner_check_options
if [ -n "$cpu" ] && ! [[ "$cpu" =~ ^[A-Za-z0-9_.,=+-]+$ ]]; then
    die "--cpu: unexpected characters in '$cpu'"
fi

runner_kernel_args_line qemu

# ---- build ----
runner_build

qemu_binary=${FPULAB_QEMU:-qemu-system-x86_64}
command -v "$qemu_binary" >/dev/null 2>&1 || die "$qemu_binary not found: run tools/install-deps.sh"
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) not found"

# ---- accelerator and CPU ----
kvm_reason=$(kvm_unusable_reason)
accel_automatic=0
if [ -z "$accel" ]; then
    accel_automatic=1
    if [ -z "$kvm_reason" ]; then
        accel=kvm
        say "accel: kvm (this host's KVM can run a full guest)"
    else
        accel=tcg
        say "accel: tcg (KVM not used: $kvm_reason)"
    fi
else
    say "accel: $accel (asked)"
fi
if [ "$accel" = kvm ]; then
    [ -z "$kvm_reason" ] || die "--accel kvm: $kvm_reason"
    warning=$(kvm_nesting_warning)
    [ -z "$warning" ] || say "$warning"
fi
cpu_asked=$cpu
# Sets cpu for accelerator $1: the one asked for, else host (kvm) or max (tcg).
choose_cpu() {
    cpu=$cpu_asked
    if [ -z "$cpu" ]; then
        if [ "$1" = kvm ]; then cpu=host; else cpu=max; fi
    elif [ "$1" = tcg ] && [ "$cpu" = host ]; then
        say "cpu: 'host' needs KVM; max under TCG"
        cpu=max
    fi
}
choose_cpu "$accel"
say "cpu: $cpu"

# ---- names and paths ----
# Sets name (unless --name gave it), run, log and results for the current accel and cpu.
name_run() {
    if [ -z "$name_asked" ]; then
        name="qemu-$boot-$accel-${cpu//[^A-Za-z0-9._-]/_}-$stamp"
    fi
    run="$root/build/run/$name"
    log="$logs/$name.log"
    results="$logs/$name.results.txt"
    interrupts="$logs/$name.interrupts.txt"
    rm -rf "$run"
    mkdir -p "$run"
    rm -f "$log" "$results" "$interrupts"
    printf '%s\n' "$args_line" > "$run/kernel-args"
}
name_asked=$name
stamp="$(date +%Y%m%d-%H%M%S)-$$"
logs="$root/build/logs"
mkdir -p "$logs"
name_run

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ "${FPULAB_KEEP_RUN:-0}" != 1 ]; then
        rm -f "$run/disk.img" "$run/args.img" "$run/OVMF_VARS.fd"
    fi
}
trap cleanup EXIT

# Sets qemu: the whole command line for the current accel, cpu and run folder, with
# fresh disk copies in $run.
prepare_qemu() {
    qemu=("$qemu_binary"
        -machine q35 -accel "$accel" -cpu "$cpu" -m 512M -smp "$cpus"
        -no-reboot -display none -monitor none -parallel none -nic none
        -device isa-debug-exit,iobase=0xf4,iosize=0x04
        -chardev "stdio,id=com1,signal=off,logfile=$log,logappend=off"
        -serial chardev:com1)
    if [ "$interrupt_log" -eq 1 ]; then qemu+=(-d int -D "$interrupts"); fi
    case "$boot" in
        efi|usb|shell) prepare_efi_disk ;;
        bios) prepare_bios_disks ;;
    esac
    printf '%q ' "${qemu[@]}" > "$run/qemu-command"
    echo >> "$run/qemu-command"
}

prepare_efi_disk() {
    local ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
    local image="$root/build/fpulab-usb.img"
    [ -r "$ovmf_code" ] && [ -r "$ovmf_vars" ] || die "$ovmf_code or $ovmf_vars missing: install ovmf (tools/install-deps.sh)"
    [ -f "$image" ] || die "$image missing: run 'make usb' (or unset FPULAB_NO_BUILD)"
    command -v mcopy >/dev/null 2>&1 || die "mtools not found: run tools/install-deps.sh"
    # A reused VARS file can drop the disk from the boot order: fresh copy each run.
    cp "$ovmf_vars" "$run/OVMF_VARS.fd"
    cp --sparse=always "$image" "$run/disk.img"
    printf '%s\n' "$args_line" | MTOOLS_SKIP_CHECK=1 mcopy -o -i "$run/disk.img@@1M" - ::/fpulab.cfg \
        || die "cannot write fpulab.cfg into $run/disk.img"
    MTOOLS_SKIP_CHECK=1 mdel -i "$run/disk.img@@1M" ::/fpulab-results.txt >/dev/null 2>&1 || true
    if [ "$boot" = shell ]; then
        # No removable-media loader: OVMF falls back to its shell, which runs
        # startup.nsh; fpulab.cfg is emptied so the arguments can only come as
        # load options.
        MTOOLS_SKIP_CHECK=1 mmove -i "$run/disk.img@@1M" ::/EFI/BOOT/BOOTX64.EFI ::/fpulab.efi \
            || die "cannot move the EFI application in $run/disk.img"
        printf '\n' | MTOOLS_SKIP_CHECK=1 mcopy -o -i "$run/disk.img@@1M" - ::/fpulab.cfg
        printf 'fs0:\r\nfpulab.efi %s\r\n' "$args_line" \
            | MTOOLS_SKIP_CHECK=1 mcopy -o -i "$run/disk.img@@1M" - ::/startup.nsh \
            || die "cannot write startup.nsh into $run/disk.img"
    fi
    qemu+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code"
           -drive "if=pflash,format=raw,unit=1,file=$run/OVMF_VARS.fd"
           -drive "if=none,id=stick,format=raw,file=$run/disk.img")
    if [ "$boot" = efi ]; then
        qemu+=(-device ide-hd,drive=stick,bus=ide.0,bootindex=0)  # q35: ICH9 AHCI port 0
    elif [ "$boot" = shell ]; then
        qemu+=(-device ide-hd,drive=stick,bus=ide.0)  # no bootindex: the shell stays in the boot order
    else
        qemu+=(-device qemu-xhci,id=xhci -device usb-storage,bus=xhci.0,drive=stick,bootindex=0)
    fi
}

prepare_bios_disks() {
    local iso="$root/build/fpulab.iso"
    [ -f "$iso" ] || die "$iso missing: run 'make iso' (or unset FPULAB_NO_BUILD)"
    "$root/tools/make-args-disk.sh" "$run/args.img" "$args_line" || die "cannot make the args disk"
    qemu+=(-drive "if=none,id=cd,media=cdrom,format=raw,readonly=on,file=$iso"
           -device ide-cd,drive=cd,bus=ide.0,bootindex=0
           -drive "if=none,id=args,format=raw,file=$run/args.img"
           -device ide-hd,drive=args,bus=ide.1)
}

# Runs "${qemu[@]}" under timeout; sets qemu_rc, elapsed and silent (1 when $1 is a
# bound in seconds and the serial log stayed empty that long: QEMU is then killed).
launch_qemu() {
    local silence_bound=$1 waited=0
    silent=0
    say "run: $name (accel=$accel, boot=$boot, timeout ${timeout_s}s), kernel args: $args_line"
    say "log: $log"
    start=$(date +%s.%N)
    # timeout runs QEMU in its own process group: on Ctrl-C or SIGTERM kill that
    # group ourselves, or QEMU would live on until its timeout.
    timeout -s KILL "$timeout_s" "${qemu[@]}" </dev/null 2>"$run/qemu-stderr" &
    qemu_pid=$!
    trap interrupted INT TERM HUP
    if [ "$silence_bound" -gt 0 ]; then
        # (stderr off: bash reports a QEMU that aborted while it polls)
        while kill -0 "$qemu_pid" 2>/dev/null && [ ! -s "$log" ]; do
            if [ "$waited" -ge $((silence_bound * 5)) ]; then
                silent=1
                kill -KILL -- "-$qemu_pid" 2>/dev/null || kill -KILL "$qemu_pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
            waited=$((waited + 1))
        done 2>/dev/null
    fi
    set +e
    # (the braces keep bash's "Killed" job message off stderr; fd 4 keeps it for the trap)
    { wait "$qemu_pid"; qemu_rc=$?; } 4>&2 2>/dev/null
    set -e
    trap - INT TERM HUP
    elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [ -s "$run/qemu-stderr" ]; then
        sed 's/^/run-qemu: qemu: /' "$run/qemu-stderr" >&2
    fi
}

# shellcheck disable=SC2317  # called by the trap
interrupted() {
    kill -KILL -- "-$qemu_pid" 2>/dev/null || kill -KILL "$qemu_pid" 2>/dev/null || true
    say "interrupted: QEMU killed; log so far in $log" 2>&4
    exit 2
}

prepare_qemu
if [ "$accel" = kvm ]; then
    launch_qemu "${FPULAB_KVM_SILENCE_S:-30}"
    failure=$(kvm_start_failure "$qemu_rc" "$log" "$run/qemu-stderr" "$silent")
    if [ -n "$failure" ] && [ "$accel_automatic" -eq 0 ]; then
        die "--accel kvm: the KVM start failed ($failure); command in $run/qemu-command"
    elif [ -n "$failure" ]; then
        attempt=$(mktemp -d)
        mv "$log" "$attempt/kvm-attempt.log" 2>/dev/null || true
        mv "$run/qemu-stderr" "$attempt/kvm-attempt.stderr" 2>/dev/null || true
        rm -rf "$run"
        accel=tcg
        choose_cpu tcg
        name_run
        mv "$attempt"/* "$run/" 2>/dev/null || true
        rm -rf "$attempt"
        say "KVM start failed: $failure; running once more under TCG (cpu $cpu); the KVM attempt's output is in $run/kvm-attempt.*"
        prepare_qemu
        launch_qemu 0
    fi
else
    launch_qemu 0
fi

timed_out=0
if [ "$qemu_rc" -eq 137 ] || [ "$qemu_rc" -eq 124 ]; then
    timed_out=1
    say "timeout: QEMU killed after ${timeout_s}s"
elif [ "$qemu_rc" -eq 1 ] && [ ! -s "$log" ]; then
    say "error: QEMU failed to start (exit 1, no serial output); command in $run/qemu-command"
    exit 3
elif [ $((qemu_rc % 2)) -eq 1 ]; then
    say "QEMU exit $qemu_rc: kernel status $(((qemu_rc - 1) / 2)) via isa-debug-exit, after ${elapsed}s"
else
    say "QEMU exit $qemu_rc (not via isa-debug-exit: reset, triple fault or shutdown), after ${elapsed}s"
fi

if [ "$boot" != bios ] && [ -f "$run/disk.img" ]; then
    if MTOOLS_SKIP_CHECK=1 mcopy -n -i "$run/disk.img@@1M" ::/fpulab-results.txt "$results" >/dev/null 2>&1; then
        say "results file: $results"
    else
        rm -f "$results"
    fi
fi

# ---- grade ----
[ -f "$log" ] || : > "$log"
runner_grade "$log"
if [ "$timed_out" -eq 1 ]; then
    grade=2
elif [ $((qemu_rc % 2)) -eq 1 ] && [ "$grade" -ne 2 ] && [ "$(((qemu_rc - 1) / 2))" -ne "$grade" ]; then
    say "warning: kernel exit status $(((qemu_rc - 1) / 2)) disagrees with its log (graded $grade)"
fi
say "$name: exit $grade after ${elapsed}s"
exit "$grade"
