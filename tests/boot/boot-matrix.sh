#!/usr/bin/env bash
# Boots fpulab on every platform CI has and checks each run's log, as TAP.
# Each case: a runner command, the exit status it must give, and checks on its log.
# FPULAB_BOOT_ONLY=GLOB runs only the cases whose name matches.
set -uo pipefail
cd "$(dirname "$0")/../.."
export FPULAB_NO_BUILD=1

count=0 failures=0
logs=build/logs
echo "TAP version 14"

result() {   # result NAME OK(0/1) REASON
	count=$((count + 1))
	if [ "$2" -eq 0 ]; then echo "ok $count - $1"
	else echo "not ok $count - $1 # $3"; failures=$((failures + 1)); fi
}

# boot NAME EXPECTED_STATUS RUNNER ARGS... -- KERNEL ARGS
# Runs the runner quietly, records its status and duration; the log is build/logs/NAME.log.
boot() {
	local name=$1 expected=$2 runner=$3; shift 3
	local start status
	case "$name" in ${FPULAB_BOOT_ONLY:-*}) ;; *) return 1 ;; esac
	start=$(date +%s)
	"$runner" --name "$name" "$@" > "$logs/$name.runner.txt" 2>&1 < /dev/null
	status=$?
	echo "# $name: status $status in $(( $(date +%s) - start )) s"
	if [ "$status" -ne "$expected" ]; then
		result "boot/$name" 1 "runner exited $status, expected $expected (log: $logs/$name.log)"
		return 1
	fi
	result "boot/$name" 0
	return 0
}

# check NAME DESCRIPTION COMMAND...: one more test point about a finished boot.
check() {
	local name=$1 description=$2; shift 2
	"$@" > /dev/null 2>&1
	result "boot/$name/$description" $? "check failed: $*"
}

# grep without -q: with -q it stops reading early and, under pipefail, tr's SIGPIPE
# would fail the check although the line is there.
log_has() { tr -d '\r' < "$logs/$1.log" | grep -aE "$2" > /dev/null; }
not_ok_count() { tr -d '\r' < "$logs/$1.log" | grep -cE '^not ok '; }
exactly_one_not_ok() { [ "$(not_ok_count "$1")" -eq 1 ] && log_has "$1" "^not ok [0-9]+ - $2 "; }
same_summary() {   # the results file the EFI app wrote says what the serial log says
	local serial results
	serial=$(tools/fpulab-log "$logs/$1.log" 2>/dev/null)
	results=$(tools/fpulab-log "$logs/$1.results.txt" 2>/dev/null) || return 1
	[ -n "$serial" ] && [ "$serial" = "$results" ]
}

mkdir -p "$logs"

# ---- clean runs: status 0 on every platform ----
if boot qemu-efi-max 0 ./run-qemu.sh --accel tcg --boot efi --cpu max --timeout 300 -- quick; then
	check qemu-efi-max results-file-matches-serial same_summary qemu-efi-max
	check qemu-efi-max svm-reported log_has qemu-efi-max '"svm":\{"revision"'
	check qemu-efi-max watchdog-lapic-nmi log_has qemu-efi-max '"watchdog":"lapic-nmi"'
	check qemu-efi-max ioapic-from-madt log_has qemu-efi-max '"ioapic":\{"source":"madt","address":"0xfec00000","pit_gsi":2,.*"table":"XSDT"'
	check qemu-efi-max second-cpu-migration log_has qemu-efi-max '^ok [0-9]+ - smp/xsave/migrate$'
	check qemu-efi-max ipi-weight-measured log_has qemu-efi-max '"ipi":\{"ticks":[0-9]+,"from":"smp/ipi-round-trip"'
	check qemu-efi-max gs-base-both-cpus log_has qemu-efi-max '^ok [0-9]+ - vm/gs-base$'
fi
if boot qemu-bios-max 0 ./run-qemu.sh --accel tcg --boot bios --cpu max --timeout 300 -- quick; then
	check qemu-bios-max multiboot2-boot log_has qemu-bios-max '"boot":"multiboot2"'
	check qemu-bios-max ioapic-from-madt log_has qemu-bios-max '"ioapic":\{"source":"madt","address":"0xfec00000","pit_gsi":2,'
	check qemu-bios-max second-cpu-migration log_has qemu-bios-max '^ok [0-9]+ - smp/xsave/migrate$'
fi
if boot qemu-shell-load-options 0 ./run-qemu.sh --accel tcg --boot shell --cpu max --timeout 300 -- \
	quick 'only=cpu/*,kernel/memory'; then
	check qemu-shell-load-options arguments-from-load-options log_has qemu-shell-load-options \
		'"args":"quick only=cpu/\*,kernel/memory exit=qemu"'
	check qemu-shell-load-options only-selected-ran log_has qemu-shell-load-options '^1\.\.2$'
fi
boot qemu-usb-max 0 ./run-qemu.sh --accel tcg --boot usb --cpu max --timeout 300 -- quick 'only=cpu/*,kernel/*'
# firmware code never runs on fpulab's tables (docs/design.md, 13): QEMU's interrupt
# log shows every hardware interrupt (vector 0x20 and up: only the firmware's in this
# run) under one CR3, the firmware's, while the tests' own exceptions have fpulab's
firmware_interrupts_on_firmware_tables() {
	awk '/^ *[0-9]+: v=[0-9a-f][0-9a-f] / { match($0, / v=[0-9a-f][0-9a-f]/); vector = substr($0, RSTART + 3, 2); pending = 1; next }
		pending && /^CR0=/ { pending = 0; for (i = 1; i <= NF; i++) if ($i ~ /^CR3=/) cr3 = $i
			if (vector >= "20") { hardware[cr3]++; interrupts++ } else own[cr3]++ }
		END { for (c in hardware) tables++
			if (tables != 1 || interrupts < 10) exit 1
			for (c in own) if (!(c in hardware)) exit 0
			exit 1 }' "$logs/$1.interrupts.txt"
}
if boot qemu-efi-firmware-tables 0 ./run-qemu.sh --accel tcg --boot efi --cpu max --cpus 1 --interrupt-log \
	--timeout 300 -- quick 'only=cpu/*,kernel/*'; then
	check qemu-efi-firmware-tables firmware-interrupts-on-firmware-tables \
		firmware_interrupts_on_firmware_tables qemu-efi-firmware-tables
fi
if boot qemu-bios-qemu64 0 ./run-qemu.sh --accel tcg --boot bios --cpu qemu64 --timeout 300 -- quick; then
	check qemu-bios-qemu64 xsave-skips-with-reason log_has qemu-bios-qemu64 '^ok [0-9]+ - kernel/xsave-enabled # SKIP .*XSAVE'
	check qemu-bios-qemu64 xsave-roundtrip-skips log_has qemu-bios-qemu64 '^ok [0-9]+ - xsave/roundtrip/xsave-xrstor # SKIP'
fi
if boot bochs-tigerlake 0 tools/run-bochs.sh --cpu tigerlake --timeout 900 -- quick; then
	check bochs-tigerlake vmx-reported log_has bochs-tigerlake '"vmx":\{"revision"'
	check bochs-tigerlake exactness-checked log_has bochs-tigerlake '"name":"harness/exact/50".*"exact_check":true'
	check bochs-tigerlake xsaveopt-roundtrip-ran log_has bochs-tigerlake '^ok [0-9]+ - xsave/roundtrip/xsaveopt-xrstor$'
	check bochs-tigerlake xsavec-ran-or-defect-named log_has bochs-tigerlake \
		'^ok [0-9]+ - xsave/roundtrip/xsavec-xrstor( # SKIP this CPU raises vector 13 restoring its own XSAVEC output.*)?$'
	check bochs-tigerlake xsaves-benchmarked log_has bochs-tigerlake '"name":"xsave/xsaves/avx512/modified"'
	check bochs-tigerlake avx512-benchmarked log_has bochs-tigerlake '"name":"xsave/xsavec/avx512/'
	check bochs-tigerlake watchdog-ioapic-pit log_has bochs-tigerlake '"watchdog":"ioapic-pit-nmi"'
	check bochs-tigerlake ioapic-from-madt log_has bochs-tigerlake '"ioapic":\{"source":"madt","address":"0xfec00000","pit_gsi":2,'
	check bochs-tigerlake aperf-reason-given log_has bochs-tigerlake '"clocks":\{"run":"tsc",.*"aperf":"IA32_APERF does not advance"'
	check bochs-tigerlake every-clock-exact log_has bochs-tigerlake '"name":"harness/clocks/tsc".*"p50":50.00,.*"exact_check":true'
fi
# two CPUs under Bochs (not the default: with two, its TSC no longer counts instructions)
for model in tigerlake ryzen; do
	if boot "bochs-$model-two-cpus" 0 tools/run-bochs.sh --cpu "$model" --cpus 2 --timeout 600 -- quick 'only=cpu/*,smp/*,vm/gs-base'; then
		check "bochs-$model-two-cpus" second-cpu-migration log_has "bochs-$model-two-cpus" '^ok [0-9]+ - smp/xsave/migrate$'
		check "bochs-$model-two-cpus" ipi-benchmarked log_has "bochs-$model-two-cpus" '"name":"smp/ipi-round-trip"'
		check "bochs-$model-two-cpus" gs-base-both-cpus log_has "bochs-$model-two-cpus" '^ok [0-9]+ - vm/gs-base$'
	fi
done
# clock= asking for a clock the CPU cannot give: the run says so and measures on the TSC
if boot qemu-bios-clock-aperf 0 ./run-qemu.sh --accel tcg --boot bios --cpu max --timeout 300 -- \
	quick clock=aperf 'only=cpu/*,harness/clocks'; then
	check qemu-bios-clock-aperf fallback-named log_has qemu-bios-clock-aperf \
		'^ok [0-9]+ - harness/clocks # SKIP the clock asked for with clock= is unusable here \(CPUID.06H:ECX\[0\] \(APERF/MPERF\) is clear\); the run reads tsc$'
	check qemu-bios-clock-aperf cpu-record-says-why log_has qemu-bios-clock-aperf '"clocks":\{"run":"tsc","requested_unusable":"CPUID'
fi
if boot bochs-ryzen 0 tools/run-bochs.sh --cpu ryzen --timeout 900 -- quick; then
	check bochs-ryzen svm-reported log_has bochs-ryzen '"svm":\{"revision"'
	check bochs-ryzen watchdog-ioapic-pit log_has bochs-ryzen '"watchdog":"ioapic-pit-nmi","ioapic":\{"source":"madt"'
fi

# ---- fault injection: status 1, exactly the injected test not ok with a dump ----
for selftest in ud gp pf hang; do
	name=qemu-efi-selftest-$selftest
	if boot "$name" 1 ./run-qemu.sh --accel tcg --boot efi --cpu max --timeout 300 -- quick \
		"selftest=$selftest" 'only=cpu/*,kernel/*'; then
		check "$name" only-the-injected-test-fails exactly_one_not_ok "$name" "selftest/$selftest"
		check "$name" decoded-dump log_has "$name" '^  rip: "0x'
		check "$name" run-went-on log_has "$name" '^ok [0-9]+ - kernel/memory$'
	fi
done
if boot bochs-tigerlake-selftest-hang 1 tools/run-bochs.sh --cpu tigerlake --timeout 600 -- quick \
	selftest=hang,ud 'only=kernel/watchdog'; then
	check bochs-tigerlake-selftest-hang hang-ended-by-watchdog log_has bochs-tigerlake-selftest-hang \
		'^not ok [0-9]+ - selftest/hang # timeout'
fi

# an aborted test leaves nothing behind on its CPU (docs/design.md): a hang inside the
# #NM handler (the watchdog's NMI arrives in another trap's handler), a fault with the
# first CPU's state spoiled and one with the second CPU's end `not ok` with their dumps,
# kernel/baseline-state and smp/baseline-state find each CPU at its baseline, and every
# test after the aborts is ok
everything_else_after_ok() {   # after the test point $2, every one but the selftests is ok
	tr -d '\r' < "$logs/$1.log" | awk -v name="$2" '
		index($0, "- " name " ") && /^not ok / { after = 1; next }
		after && /^not ok / && !/^not ok [0-9]+ - selftest\// { bad = 1 }
		END { exit (after && !bad) ? 0 : 1 }'
}
for platform in qemu-efi bochs-tigerlake bochs-tigerlake-two-cpus bochs-ryzen bochs-ryzen-two-cpus; do
	name=$platform-selftest-abort-recovery
	case $platform in
	bochs-*-two-cpus) model=${platform#bochs-}; runner=(tools/run-bochs.sh --cpu "${model%-two-cpus}" --cpus 2 --timeout 600) ;;
	bochs-*) runner=(tools/run-bochs.sh --cpu "${platform#bochs-}" --cpus 1 --timeout 600) ;;
	qemu-efi) runner=(./run-qemu.sh --accel tcg --boot efi --cpu max --cpus 2 --timeout 300) ;;
	esac
	if boot "$name" 1 "${runner[@]}" -- quick selftest=nested-nm-hang,dirty-abort,second-cpu-fault 'only=cpu/*,kernel/*,smp/*'; then
		check "$name" nested-ended-by-watchdog log_has "$name" \
			'^not ok [0-9]+ - selftest/nested-nm-hang # timeout: no return within [0-9]+ ms \(inside the handler of #NM'
		check "$name" nested-dump log_has "$name" '^  exception: "NMI"'
		check "$name" dirty-abort-dump log_has "$name" '^not ok [0-9]+ - selftest/dirty-abort # unexpected exception #UD'
		check "$name" first-cpu-at-baseline log_has "$name" '^ok [0-9]+ - kernel/baseline-state$'
		check "$name" everything-after-ok everything_else_after_ok "$name" selftest/nested-nm-hang
		check "$name" run-ended log_has "$name" '^# fpulab-end status=1'
		case $platform in
		bochs-tigerlake|bochs-ryzen) check "$name" only-the-two-fail [ "$(not_ok_count "$name")" -eq 2 ] ;;
		*) check "$name" only-the-three-fail [ "$(not_ok_count "$name")" -eq 3 ]
		   check "$name" second-cpu-at-baseline log_has "$name" '^ok [0-9]+ - smp/baseline-state$' ;;
		esac
	fi
done
# a fault on the second CPU: its own dump, and it is usable afterwards
for platform in qemu-efi bochs-tigerlake; do
	name=$platform-selftest-second-cpu-fault
	case $platform in
	bochs-*) runner=(tools/run-bochs.sh --cpu "${platform#bochs-}" --cpus 2 --timeout 600) ;;
	qemu-efi) runner=(./run-qemu.sh --accel tcg --boot efi --cpu max --timeout 300) ;;
	esac
	if boot "$name" 1 "${runner[@]}" -- quick selftest=second-cpu-fault 'only=smp/*'; then
		check "$name" only-the-injected-test-fails exactly_one_not_ok "$name" "selftest/second-cpu-fault"
		check "$name" second-cpus-dump log_has "$name" '^  message: "second CPU: unexpected exception #UD'
		check "$name" cpus-still-two log_has "$name" '^ok [0-9]+ - smp/xsave/migrate$'
	fi
done
# a guest hung on the second CPU: ended with its dump (VMX: the preemption timer; SVM:
# the NMI the first CPU sends at the call's deadline), the CPU answering afterwards
for platform in qemu-efi bochs-tigerlake bochs-ryzen; do
	name=$platform-selftest-second-cpu-guest-hang
	case $platform in
	bochs-*) runner=(tools/run-bochs.sh --cpu "${platform#bochs-}" --cpus 2 --timeout 600) ;;
	qemu-efi) runner=(./run-qemu.sh --accel tcg --boot efi --cpu max --cpus 2 --timeout 300) ;;
	esac
	if boot "$name" 1 "${runner[@]}" -- quick selftest=second-cpu-guest-hang 'only=smp/second-cpu'; then
		check "$name" only-the-injected-test-fails exactly_one_not_ok "$name" "selftest/second-cpu-guest-hang"
		check "$name" guest-dump log_has "$name" '^not ok [0-9]+ - selftest/second-cpu-guest-hang # guest hang on the second CPU ended: timeout'
		case $platform in
		bochs-tigerlake) check "$name" ended-by-preemption-timer log_has "$name" '^  timer_exits: [1-9]' ;;
		*) check "$name" ended-by-deadline-nmi log_has "$name" '^  deadline_nmis: [1-9]' ;;
		esac
	fi
done
# the second CPU hung in VMX root operation (where INIT alone is blocked): smp_stop's
# NMI makes it leave VMX/SVM and halt, then INIT; the run ends normally
for platform in qemu-efi bochs-tigerlake; do
	name=$platform-selftest-second-cpu-hang
	case $platform in
	bochs-*) runner=(tools/run-bochs.sh --cpu "${platform#bochs-}" --cpus 2 --timeout 600) ;;
	qemu-efi) runner=(./run-qemu.sh --accel tcg --boot efi --cpu max --cpus 2 --timeout 300) ;;
	esac
	if boot "$name" 1 "${runner[@]}" -- quick selftest=second-cpu-hang 'only=smp/second-cpu'; then
		check "$name" only-the-injected-test-fails exactly_one_not_ok "$name" "selftest/second-cpu-hang"
		check "$name" parked-before-init log_has "$name" \
			'^not ok [0-9]+ - selftest/second-cpu-hang # the second CPU hung \(with VMX or SVM on\) and was stopped: it left VMX/SVM in its NMI handler'
		check "$name" run-ended log_has "$name" '^# fpulab-end status=1'
	fi
done
# one CPU: the cross-CPU tests SKIP with the reason
if boot bochs-tigerlake-one-cpu 0 tools/run-bochs.sh --cpu tigerlake --cpus 1 --timeout 300 -- quick 'only=cpu/*,smp/*'; then
	check bochs-tigerlake-one-cpu smp-skips log_has bochs-tigerlake-one-cpu \
		'^ok [0-9]+ - smp/xsave/migrate # SKIP no second CPU answered INIT-SIPI-SIPI'
fi

# ---- bad arguments: reported at the top, the run goes on with defaults ----
if boot qemu-bios-bad-arguments 1 ./run-qemu.sh --accel tcg --boot bios --cpu max --timeout 300 -- \
	quick bogus only=x, selftest=nosuch 'only=cpu/*'; then
	check qemu-bios-bad-arguments unknown-word-first log_has qemu-bios-bad-arguments '^not ok 1 - args/bogus # unknown argument'
	check qemu-bios-bad-arguments malformed-word log_has qemu-bios-bad-arguments '^not ok 2 - args/only=x_ '
	check qemu-bios-bad-arguments unknown-selftest-named log_has qemu-bios-bad-arguments \
		"^not ok 3 - args/selftest=nosuch # unknown selftest 'nosuch' \\(known: .*second-cpu-hang"
	check qemu-bios-bad-arguments rest-ran log_has qemu-bios-bad-arguments '^ok 4 - cpu/features$'
fi

# raw: each bench record is followed by its own samples (n of them, their median the
# record's p50), also for the benchmarks that take their own samples (vm/)
raw_matches_record() {
	tr -d '\r' < "$logs/$1.log" | awk -v name="$2" '
		index($0, "\"name\":\"" name "\"") { match($0, /"n":[0-9]+/); n = substr($0, RSTART + 4, RLENGTH - 4)
			match($0, /"p50":[0-9.]+/); p50 = substr($0, RSTART + 6, RLENGTH - 6) * 100; want = 1; next }
		want { want = 0; if ($1 != "#" || $2 != "raw" || NF - 2 != n) exit 1
			below = 0; at_most = 0; k = int((n * 50 + 99) / 100)   # the nearest-rank p50
			for (i = 3; i <= NF; i++) { below += ($i + 0 < p50); at_most += ($i + 0 <= p50) }
			found = (below < k && k <= at_most) }
		END { exit found ? 0 : 1 }'
}
if boot bochs-tigerlake-raw 0 tools/run-bochs.sh --cpu tigerlake --timeout 300 -- quick raw 'only=harness/exact/1,vm/bench/hypercall'; then
	check bochs-tigerlake-raw harness-samples raw_matches_record bochs-tigerlake-raw harness/exact/1
	check bochs-tigerlake-raw vm-samples raw_matches_record bochs-tigerlake-raw vm/bench/hypercall
fi

# ---- a run that cannot finish is never a pass ----
boot qemu-efi-timeout 2 ./run-qemu.sh --accel tcg --boot efi --cpu max --timeout 2 -- quick

# ---- vm ---- fpulab's own VMX/SVM guests (docs/vm.md): the vm/ tests pass, the two
# vm selftests end `not ok` with a decoded guest dump, and the run goes on.
for platform in bochs-tigerlake bochs-ryzen qemu-efi; do
	name=$platform-vm-selftests
	case $platform in
	bochs-*) runner=(tools/run-bochs.sh --cpu "${platform#bochs-}" --timeout 600) ;;
	qemu-efi) runner=(./run-qemu.sh --accel tcg --boot efi --cpu max --timeout 300) ;;
	esac
	if boot "$name" 1 "${runner[@]}" -- quick selftest=vmentry,guest-hang 'only=vm/exit/*,kernel/memory'; then
		check "$name" vm-tests-pass log_has "$name" '^ok [0-9]+ - vm/exit/hypercall$'
		check "$name" external-interrupt-exit log_has "$name" '^ok [0-9]+ - vm/exit/external-interrupt$'
		check "$name" vmentry-decoded log_has "$name" '^not ok [0-9]+ - selftest/vmentry # injected invalid guest state: (VM entry failed: exit reason 0x80000021|VMRUN failed: VMEXIT_INVALID)'
		check "$name" guest-hang-ended log_has "$name" '^not ok [0-9]+ - selftest/guest-hang # guest hang ended: timeout'
		check "$name" guest-dump log_has "$name" '^  guest_rip: "0x'
		check "$name" run-went-on log_has "$name" '^ok [0-9]+ - kernel/memory$'
	fi
done
# ---- vm ----

# ---- lab ---- the policy lab's metal backend (docs/lab.md): real XSAVE/XRSTOR, the
# real CR0.TS with real #NM traps and the guest tasks' workload in a real guest (SVM on
# QEMU and Bochs ryzen, VMX on Bochs tigerlake); every configuration x scenario intact
# or the expected corruption, each record timed by the TSC. Scenario CPU 1 runs on the
# second real CPU where there is one (QEMU's default two, the *-two-cpus Bochs runs),
# with a guest of its own; with one CPU the scenario's CPUs take turns on its register
# file; with lab_guests=first-cpu CPU 1's guest steps move to the first CPU's guest.
# one timed metal record per configuration x scenario, as the backend's summary line
# counts them (at least 9 x 8)
lab_metal_records() {
	local matrix records
	matrix=$(tr -d '\r' < "$logs/$1.log" | sed -n 's/^# lab: metal backend: \([0-9]*\) configurations x \([0-9]*\) scenarios.*/\1 \2/p' | head -n 1)
	records=$(tr -d '\r' < "$logs/$1.log" | grep -cE '^# lab \{.*"backend":"metal".*"clock":"tsc","cycles":[0-9]')
	[ -n "$matrix" ] && [ "${matrix% *}" -ge 9 ] && [ "${matrix#* }" -ge 8 ] &&
		[ "$records" -eq $(( ${matrix% *} * ${matrix#* } )) ]
}
migrate_record_has() { log_has "$1" "\"scenario\":\"migrate\",\"backend\":\"metal\".*$2"; }
# every migrate record says $2 (the scenario has exactly one guest step on CPU 1)
migrate_records_all_have() {
	local all with
	all=$(tr -d '\r' < "$logs/$1.log" | grep -c '^# lab {.*"scenario":"migrate","backend":"metal"' || true)
	with=$(tr -d '\r' < "$logs/$1.log" | grep '^# lab {.*"scenario":"migrate","backend":"metal"' | grep -c -- "$2" || true)
	[ "$all" -gt 0 ] && [ "$all" -eq "$with" ]
}
for platform in qemu-efi qemu-efi-first-cpu-guest bochs-tigerlake bochs-tigerlake-two-cpus bochs-ryzen-two-cpus; do
	name=$platform-lab-metal
	arguments=(quick 'only=lab/*' backend=metal)
	case $platform in
	bochs-*-two-cpus) model=${platform#bochs-}; runner=(tools/run-bochs.sh --cpu "${model%-two-cpus}" --cpus 2 --timeout 600) ;;
	bochs-*) runner=(tools/run-bochs.sh --cpu "${platform#bochs-}" --cpus 1 --timeout 600) ;;
	qemu-efi*) runner=(./run-qemu.sh --accel tcg --boot efi --cpu max --cpus 2 --timeout 300) ;;
	esac
	[ "$platform" = qemu-efi-first-cpu-guest ] && arguments+=(lab_guests=first-cpu)
	if boot "$name" 0 "${runner[@]}" -- "${arguments[@]}"; then
		check "$name" backend-passed log_has "$name" '^ok [0-9]+ - lab/backend/metal$'
		check "$name" metal-records lab_metal_records "$name"
		check "$name" real-cr0-ts log_has "$name" '"backend":"metal".*"ts":"cr0"'
		check "$name" real-guest log_has "$name" '"backend":"metal".*"vm":"guest-workload","vm_hardware":"(vmx|svm)","guest_steps":[1-9]'
		check "$name" real-guest-nm log_has "$name" '"backend":"metal".*"guest_nm_exits":[1-9]'
		case $platform in
		bochs-tigerlake) check "$name" cpus-take-turns migrate_record_has "$name" '"cpus":"multiplexed","cpus_reason":"no second CPU' ;;
		qemu-efi-first-cpu-guest) check "$name" guest-step-moved migrate_records_all_have "$name" \
			'"cpus":"two","second_cpu_operations":[1-9][0-9]*,"guest_steps_moved":1,"second_cpu_guest_steps":0,"second_cpu_guest_reason":"lab_guests=first-cpu"' ;;
		*) check "$name" second-cpu-own-guest migrate_records_all_have "$name" \
			'"cpus":"two","second_cpu_operations":[1-9][0-9]*,"guest_steps_moved":0,"second_cpu_guest_steps":1' ;;
		esac
		check "$name" status-0 log_has "$name" '^# fpulab-end status=0'
		check "$name" log-valid tools/fpulab-log "$logs/$name.log"
	fi
done
# ---- lab ----

# ---- numbers ---- every boot that benchmarks: no bench record has a negative min or p5
# (docs/output.md, "No negative times"), and the vm/ and smp/ records went through the
# harness (cycles and stability like every other); the records with modes are named.
bench_records() { { tools/fpulab-log --json "$logs/$1.log" 2>/dev/null || true; } | jq -c -s 'map(select(.kind == "bench"))'; }
no_negative_times() { bench_records "$1" | jq -e 'length > 0 and all(.[]; .min >= 0 and .p5 >= 0)'; }
vm_smp_through_harness() {
	bench_records "$1" | jq -e 'map(select(.name | test("^(vm|smp)/"))) | length > 0 and
		all(.[]; (.stability.ensembles | type) == "number" and (.cycles_source | type) == "string")'
}
check_numbers() {
	local name
	for name in qemu-efi-max qemu-bios-max qemu-bios-qemu64 bochs-tigerlake bochs-ryzen \
		bochs-tigerlake-two-cpus bochs-ryzen-two-cpus bochs-tigerlake-raw; do
		case "$name" in ${FPULAB_BOOT_ONLY:-*}) ;; *) continue ;; esac
		[ -f "$logs/$name.log" ] || continue
		check "$name" no-negative-min-or-p5 no_negative_times "$name"
		case "$name" in qemu-efi-max|bochs-*-two-cpus|bochs-tigerlake-raw)
			check "$name" vm-smp-through-harness vm_smp_through_harness "$name" ;;
		esac
		echo "# $name: records with modes: $(bench_records "$name" | jq -r 'map(select(.modes) | .name) | join(" ")')"
	done
}
check_numbers
# ---- numbers ----

echo "1..$count"
[ "$failures" -eq 0 ]
