#!/usr/bin/env bash
# run-qemu.sh's choice of accelerator (docs/runners.md, "Choosing the accelerator"):
# the KVM probe on crafted hosts (FPULAB_HOST_ROOT), every branch of the automatic
# choice and of --accel kvm with a stand-in QEMU (tests/runner/qemu-standin.sh), and the
# real path on this host. Prints TAP 14; exits 1 if a test fails.
set -uo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source tests/lib/tap.sh
source tools/kvm-probe.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
standin=$PWD/tests/runner/qemu-standin.sh
good_log=$PWD/tests/host/fpulab-log/good-ovmf-noise.log      # status 0
failing_log=$PWD/tests/host/fpulab-log/failing-yaml.log      # status 1

# host NAME KIND: a crafted host root in $work/NAME; KIND is usable, missing, pvm,
# no-flag or no-module.
host() {
	local root="$work/$1"
	mkdir -p "$root/dev" "$root/proc" "$root/sys/module/kvm"
	[ "$2" = missing ] || : > "$root/dev/kvm"
	printf 'processor\t: 0\nflags\t\t: fpu sse sse2 %s lm\n' "$([ "$2" = no-flag ] || echo svm)" > "$root/proc/cpuinfo"
	case "$2" in
		pvm) mkdir -p "$root/sys/module/kvm_pvm" ;;
		no-module) ;;
		*) mkdir -p "$root/sys/module/kvm_amd/parameters"; echo 1 > "$root/sys/module/kvm_amd/parameters/nested" ;;
	esac
	echo "$root"
}

tap_begin runner/

# ---- the probe ----
for case in "missing:/dev/kvm is missing" \
		"pvm:/dev/kvm comes from kvm_pvm, a paravirtual KVM that cannot run a full guest" \
		"no-flag:no vmx or svm flag in /proc/cpuinfo" \
		"no-module:neither kvm_intel nor kvm_amd is loaded" "usable:"; do
	kind=${case%%:*} expected=${case#*:}
	reason=$(FPULAB_HOST_ROOT=$(host "probe-$kind" "$kind") kvm_unusable_reason)
	problems=""
	if [ -z "$expected" ]; then
		[ -z "$reason" ] || problems="a usable host was called unusable: $reason"
	else
		case "$reason" in *"$expected"*) ;; *) problems="reason '$reason', expected '$expected'" ;; esac
	fi
	tap_check "probe/$kind" "$problems"
done

# standin NAME HOSTKIND [VAR=VALUE...] -- RUNNER ARGS: run-qemu.sh with the stand-in on a
# crafted host; sets status, $work/NAME.{out,calls}.
standin() {
	local name=$1 kind=$2; shift 2
	local -a settings=()
	while [ "$1" != -- ]; do settings+=("$1"); shift; done
	shift
	: > "$work/$name.calls"
	env FPULAB_NO_BUILD=1 FPULAB_QEMU="$standin" FPULAB_HOST_ROOT="$(host "$name" "$kind")" \
		STANDIN_CALLS="$work/$name.calls" STANDIN_LOG="$good_log" "${settings[@]}" \
		timeout 120 ./run-qemu.sh --name "runner-test-$name" "$@" > "$work/$name.out" 2>&1
	status=$?
}
calls() { tr '\n' ' ' < "$work/$1.calls"; }
said() { grep -cF -- "$2" "$work/$1.out" > /dev/null || echo "did not say '$2'"; }

# ---- automatic choice ----
standin auto-pvm pvm -- -- quick
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0"$'\n'
[ "$(calls auto-pvm)" = "tcg " ] || problems+="QEMU ran with: $(calls auto-pvm), expected tcg only"$'\n'
problems+=$(said auto-pvm "accel: tcg (KVM not used: /dev/kvm comes from kvm_pvm")
tap_check auto/unusable-kvm-runs-tcg-and-says-why "$problems"

standin auto-usable usable STANDIN_KVM=ok -- -- quick
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0"$'\n'
[ "$(calls auto-usable)" = "kvm " ] || problems+="QEMU ran with: $(calls auto-usable), expected kvm only"$'\n'
tap_check auto/usable-kvm-runs-kvm-once "$problems"

# A KVM start that aborts: rerun once under TCG; the log and status are the TCG run's.
standin auto-abort usable STANDIN_KVM=abort STANDIN_LOG="$failing_log" STANDIN_STATUS=1 -- -- quick
problems=""
[ "$status" -eq 1 ] || problems+="exit status $status, expected the TCG run's 1"$'\n'
[ "$(calls auto-abort)" = "kvm tcg " ] || problems+="QEMU ran with: $(calls auto-abort), expected kvm then tcg"$'\n'
problems+=$(said auto-abort "KVM start failed: QEMU exited with status 134: qemu-system-x86_64: error: failed to set MSR 0x10a")
cmp -s build/logs/runner-test-auto-abort.log "$failing_log" || problems+="the log is not the TCG run's"$'\n'
[ -s build/run/runner-test-auto-abort/kvm-attempt.stderr ] || problems+="the KVM attempt's stderr was not kept"$'\n'
tap_check auto/kvm-abort-reruns-under-tcg "$problems"

# A KVM start that prints nothing: stopped after the bound, rerun under TCG.
standin auto-silent usable STANDIN_KVM=silent FPULAB_KVM_SILENCE_S=2 -- -- quick
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0"$'\n'
[ "$(calls auto-silent)" = "kvm tcg " ] || problems+="QEMU ran with: $(calls auto-silent), expected kvm then tcg"$'\n'
problems+=$(said auto-silent "KVM start failed: no serial output within 2s under KVM")
tap_check auto/silent-kvm-reruns-under-tcg "$problems"

# ---- asked for ----
standin asked-pvm pvm -- --accel kvm -- quick
problems=""
[ "$status" -eq 3 ] || problems+="exit status $status, expected 3"$'\n'
[ -z "$(calls asked-pvm)" ] || problems+="QEMU ran: $(calls asked-pvm)"$'\n'
problems+=$(said asked-pvm "error: --accel kvm: /dev/kvm comes from kvm_pvm")
tap_check asked/kvm-on-unusable-host-exits-3 "$problems"

standin asked-abort usable STANDIN_KVM=abort -- --accel kvm -- quick
problems=""
[ "$status" -eq 3 ] || problems+="exit status $status, expected 3"$'\n'
[ "$(calls asked-abort)" = "kvm " ] || problems+="QEMU ran with: $(calls asked-abort), expected kvm only (no rerun)"$'\n'
problems+=$(said asked-abort "error: --accel kvm: the KVM start failed")
tap_check asked/kvm-start-failure-exits-3 "$problems"

standin asked-tcg usable STANDIN_KVM=abort -- --accel tcg -- quick
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0"$'\n'
[ "$(calls asked-tcg)" = "tcg " ] || problems+="QEMU ran with: $(calls asked-tcg), expected tcg only"$'\n'
tap_check asked/tcg-never-tries-kvm "$problems"

# ---- the real path on this host ----
real_reason=$(kvm_unusable_reason)
FPULAB_NO_BUILD=1 timeout 300 ./run-qemu.sh --name runner-test-real -- quick 'only=cpu/*' > "$work/real.out" 2>&1
status=$?
problems=""
[ "$status" -eq 0 ] || problems+="exit status $status, expected 0: $(tail -n 3 "$work/real.out")"$'\n'
if [ -n "$real_reason" ]; then
	problems+=$(said real "accel: tcg (KVM not used: $real_reason)")
fi
tap_check "real/automatic-choice (${real_reason:-KVM usable})" "$problems"

# A host whose /dev/kvm cannot run QEMU's guest, told that it can: the real QEMU's KVM
# start fails (abort, or silence), and the run completes under TCG.
if [ -e /dev/kvm ] && [ -n "$real_reason" ] && [ "$real_reason" != "/dev/kvm is missing" ]; then
	FPULAB_NO_BUILD=1 FPULAB_HOST_ROOT="$(host real-claimed usable)" FPULAB_KVM_SILENCE_S=15 \
		timeout 300 ./run-qemu.sh --name runner-test-real-fallback -- quick 'only=cpu/*' > "$work/fallback.out" 2>&1
	status=$?
	problems=""
	[ "$status" -eq 0 ] || problems+="exit status $status, expected 0: $(tail -n 3 "$work/fallback.out")"$'\n'
	problems+=$(said fallback "KVM start failed: ")
	tap_check real/failing-kvm-start-falls-back-to-tcg "$problems"
else
	tap_skip real/failing-kvm-start-falls-back-to-tcg "this host has ${real_reason:-a usable KVM}: no failing /dev/kvm to start"
fi

rm -rf build/run/runner-test-* build/logs/runner-test-*
tap_end
