#!/usr/bin/env bash
# Boot build/fpulab.iso under Bochs (headless) and grade its serial log.
# See --help and docs/runners.md.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/run-bochs.sh [--cpu BOCHS_MODEL] [--cpus N] [--timeout S]
                          [--name NAME] [-- KERNEL ARGS...]

Builds fpulab (tools/install-deps.sh, make -s all; both skipped when
FPULAB_NO_BUILD=1), boots build/fpulab.iso (GRUB, multiboot2) under Bochs 2.7
without a window and grades the serial log with tools/fpulab-log.

  --cpu MODEL     Bochs CPU model (default tigerlake: VMX, AVX-512, XSAVES;
                  ryzen: SVM, AVX2); 'bochs --help cpu' lists them
  --cpus N        number of CPUs (default 1: only then does Bochs's TSC tick once
                  per instruction; 2 runs the cross-CPU tests, docs/smp.md)
  --timeout S     kill Bochs after S seconds (default 600)
  --name NAME     name of the run (default bochs-MODEL-TIMESTAMP-PID);
                  letters, digits, '.', '_', '-'
  -- KERNEL ARGS  kernel arguments (exit=bochs is added: the kernel ends
                  Bochs by writing "Shutdown" to port 0x8900)

The Bochs binary is $BOCHS when set (e.g. a newer Bochs built elsewhere, for
CPU models Debian's 2.7 lacks such as sapphire_rapids), else 'bochs' from PATH.

Serial output goes live to stdout and to build/logs/NAME.log; Bochs's own
log to build/logs/NAME.bochs.txt. Scratch files (bochsrc, args disk):
build/run/NAME/, replaced by the next run of the same NAME.
Bochs's exit status means nothing (always 1): the run is graded from the
serial log only.

Exit status: 0 all tests ok, 1 some test not ok, 2 log incomplete (crash,
hang, timeout), 3 usage or setup error.
USAGE
}

say() { echo "run-bochs: $*" >&2; }
die() { say "error: $*"; exit 3; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/runner-common.sh
source "$root/tools/runner-common.sh"

cpu="tigerlake"
timeout_s=600
cpus=1
name=""
kernel_args=()

need_value() { [ "$#" -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --cpu) need_value "$@"; cpu=$2; shift 2 ;;
        --cpus) need_value "$@"; cpus=$2; shift 2 ;;
        --cpus=*) cpus=${1#*=}; shift ;;
        --cpu=*) cpu=${1#*=}; shift ;;
        --timeout) need_value "$@"; timeout_s=$2; shift 2 ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        --name) need_value "$@"; name=$2; shift 2 ;;
        --name=*) name=${1#*=}; shift ;;
        --) shift; kernel_args=("$@"); break ;;
        *) say "unknown argument: $1"; usage >&2; exit 3 ;;
    esac
done

runner_check_options
[[ "$cpu" =~ ^[A-Za-z0-9_]+$ ]] || die "--cpu: not a Bochs CPU model name: '$cpu'"

runner_kernel_args_line bochs

# ---- build ----
runner_build

bochs=${BOCHS:-bochs}
command -v "$bochs" >/dev/null 2>&1 || die "$bochs not found: run tools/install-deps.sh (or fix \$BOCHS)"
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) not found"
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
[ -r "$bios" ] || die "$bios missing: install bochsbios (tools/install-deps.sh)"
[ -r "$vgabios" ] || die "$vgabios missing: install vgabios (tools/install-deps.sh)"
iso="$root/build/fpulab.iso"
[ -f "$iso" ] || die "$iso missing: run 'make iso' (or unset FPULAB_NO_BUILD)"

models=$("$bochs" -help cpu </dev/null 2>&1 | sed -n '/^Supported CPU models:/,/^[0-9]\{11\}/p' | grep -E '^[a-z0-9_]+$' || true)
if [ -n "$models" ] && ! grep -qx -- "$cpu" <<< "$models"; then
    die "unknown Bochs CPU model '$cpu'; known: $(tr '\n' ' ' <<< "$models")"
fi

# ---- names and paths ----
if [ -z "$name" ]; then
    name="bochs-$cpu-$(date +%Y%m%d-%H%M%S)-$$"
fi
logs="$root/build/logs"
run="$root/build/run/$name"
log="$logs/$name.log"
bochs_log="$logs/$name.bochs.txt"
mkdir -p "$logs"
rm -rf "$run"
mkdir -p "$run"
rm -f "$log" "$bochs_log"
: > "$log"
printf '%s\n' "$args_line" > "$run/kernel-args"

"$root/tools/make-args-disk.sh" "$run/args.img" "$args_line" || die "cannot make the args disk"
# The debugger (Debian builds Bochs with it) reads its commands from this file;
# a Bochs built without the debugger has no -rc option.
printf 'c\n' > "$run/debugger-commands"
debugger_commands=()
bochs_help=$("$bochs" --help </dev/null 2>&1 || true)   # no 'grep -q' on a pipe: SIGPIPE + pipefail
if grep -q -- '^ *-rc ' <<< "$bochs_help"; then
    debugger_commands=(-rc "$run/debugger-commands")
fi

# Paths in bochsrc are double-quoted; refuse the rare ones that would break it.
for p in "$run" "$log" "$bochs_log" "$iso"; do
    [[ "$p" != *'"'* ]] || die "path holds a double quote, Bochs cannot take it: $p"
done

cat > "$run/bochsrc" <<BOCHSRC
# Written by tools/run-bochs.sh for run $name.
config_interface: textconfig
# Headless: the Debian build has no 'nogui'; rfb without waiting for a client.
display_library: rfb, options="timeout=0"
megs: 256
cpu: model=$cpu, count=$cpus, reset_on_triple_fault=0
romimage: file="$bios"
vgaromimage: file="$vgabios"
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path="$run/args.img", mode=flat
ata0-slave: type=cdrom, path="$iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$log"
# As fast as the host allows; a fixed start date keeps runs alike.
clock: sync=none, time0=946684800
# ALSA without a sound card makes Bochs abort (buffer overflow): no sound.
sound: driver=dummy
mouse: enabled=0
magic_break: enabled=0
log: "$bochs_log"
# Never ask: a panic ends Bochs (a triple fault is a panic here), errors are logged.
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
BOCHSRC

# Run Bochs in its own network namespace when possible: its VNC (rfb) server
# then listens nowhere reachable and parallel runs never fight over port 5900.
netns=()
if command -v unshare >/dev/null 2>&1 && unshare -rn true </dev/null >/dev/null 2>&1; then
    netns=(unshare -rn)
else
    say "note: cannot make a network namespace; Bochs's VNC server listens on a port from 5900 for the run"
fi

say "run: $name (cpu=$cpu, timeout ${timeout_s}s), kernel args: $args_line"
say "log: $log"

start=$(date +%s.%N)
(cd "$run" && exec timeout -s KILL "$timeout_s" "${netns[@]}" "$bochs" -q -f "$run/bochsrc" "${debugger_commands[@]}") \
    </dev/null >"$run/bochs-output.txt" 2>&1 &
bochs_pid=$!
# Live output: follow the serial file until Bochs (its timeout) ends.
tail -n +1 -s 0.2 --pid="$bochs_pid" -f "$log" </dev/null &
tail_pid=$!
# shellcheck disable=SC2317  # called by the trap
interrupted() {
    kill -KILL -- "-$bochs_pid" 2>/dev/null || kill -KILL "$bochs_pid" 2>/dev/null || true
    kill "$tail_pid" 2>/dev/null || true
    say "interrupted: Bochs killed; log so far in $log" 2>&4
    exit 2
}
trap interrupted INT TERM HUP
set +e
{ wait "$bochs_pid"; bochs_rc=$?; } 4>&2 2>/dev/null
wait "$tail_pid" 2>/dev/null
set -e
trap - INT TERM HUP
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

timed_out=0
if [ "$bochs_rc" -eq 137 ] || [ "$bochs_rc" -eq 124 ]; then
    timed_out=1
    say "timeout: Bochs killed after ${timeout_s}s"
fi
# Bochs's panics (other than the requested shutdown) tell why a run ended early.
panics=$(cat "$bochs_log" "$run/bochs-output.txt" 2>/dev/null | grep -a '>>PANIC<<' \
         | grep -v 'Shutdown port: shutdown requested' | sort -u || true)
if [ -n "$panics" ]; then
    printf '%s\n' "$panics" | head -n 5 | sed 's/^/run-bochs: bochs: /' >&2
fi
if [ ! -s "$log" ] && [ "$timed_out" -eq 0 ]; then
    if grep -qa '^00000000000p\[' "$bochs_log" "$run/bochs-output.txt" 2>/dev/null || [ ! -s "$bochs_log" ]; then
        [ -n "$panics" ] || tail -n 5 "$run/bochs-output.txt" | sed 's/^/run-bochs: bochs: /' >&2
        say "error: Bochs failed to start; see $bochs_log and $run/bochs-output.txt"
        exit 3
    fi
fi
if grep -qa 'Shutdown port: shutdown requested' "$bochs_log" 2>/dev/null; then
    say "Bochs ended by the kernel's shutdown request after ${elapsed}s"
elif [ "$timed_out" -eq 0 ]; then
    say "Bochs ended without a shutdown request (exit $bochs_rc) after ${elapsed}s"
fi

# ---- grade ----
runner_grade "$log"
[ "$timed_out" -eq 1 ] && grade=2
say "$name: exit $grade after ${elapsed}s"
exit "$grade"
