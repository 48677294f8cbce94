# The check functions of the boot cases (tests/boot/cases.txt), sourced by
# boot-matrix.sh. Each runs on one finished boot: $case_name is its name, $log its
# serial log, $records its records as JSON Lines (tools/fpulab-log --json); it returns
# 0 when the check holds and prints nothing that matters. Records are read through jq
# only; `line` is for TAP and YAML lines.

# The log without carriage returns (OVMF's console mirror adds them).
log_text() { tr -d '\r' < "$log"; }

# line REGEX: a TAP or YAML line matches (grep -E). Refuses a record line's pattern.
line() {
	case "$1" in '^# '[a-z]*' {'*|'^# '[a-z]*' \{'*) echo "line: use record for records: $1" >&2; return 2 ;; esac
	log_text | grep -aE "$1" > /dev/null
}

# record KIND JQ: some record of KIND meets the jq condition.
record() {
	jq -e -s --arg kind "$1" "map(select(.kind == \$kind) | try ($2) catch false) | any" "$records" > /dev/null
}

# every_record KIND SELECT JQ: at least one record of KIND meets SELECT, and all that do
# meet JQ.
every_record() {
	jq -e -s --arg kind "$1" "map(select(.kind == \$kind) | select(try ($2) catch false))
		| length > 0 and all(try ($3) catch false)" "$records" > /dev/null
}

not_ok_count() { [ "$(log_text | grep -cE '^not ok ')" -eq "$1" ]; }

# only_not_ok TEST: exactly one test point is not ok, and it is TEST.
only_not_ok() { not_ok_count 1 && line "^not ok [0-9]+ - $1 "; }

# everything_else_after_ok TEST: after TEST's `not ok`, every point but the selftests is ok.
everything_else_after_ok() {
	log_text | awk -v name="$1" '
		index($0, "- " name " ") && /^not ok / { after = 1; next }
		after && /^not ok / && !/^not ok [0-9]+ - selftest\// { bad = 1 }
		END { exit (after && !bad) ? 0 : 1 }'
}

# The results file the EFI application wrote says what the serial log says.
results_file_matches() {
	local serial results
	serial=$(tools/fpulab-log "$log" 2>/dev/null)
	results=$(tools/fpulab-log "${log%.log}.results.txt" 2>/dev/null) || return 1
	[ -n "$serial" ] && [ "$serial" = "$results" ]
}

log_valid() { tools/fpulab-log "$log" > /dev/null 2>&1; }

# One timed metal record per configuration x scenario (tests/lib/thresholds.sh).
lab_metal_records() {
	lab_records_complete "$log" '.backend == "metal" and .clock == "tsc" and (.cycles | type == "number")'
}

# raw_matches_record BENCH: BENCH's record is followed by a `# raw` line of its own
# samples: n of them (the record's n), the record's p50 their nearest-rank median. The
# record is found by its position among the bench records (jq), not by reading it.
raw_matches_record() {
	local position n p50
	position=$(jq -r -s --arg name "$1" '[.[] | select(.kind == "bench")] | map(.name) | index($name) // empty' "$records")
	n=$(jq -r -s --arg name "$1" 'map(select(.kind == "bench" and .name == $name))[0].n // empty' "$records")
	p50=$(jq -r -s --arg name "$1" 'map(select(.kind == "bench" and .name == $name))[0].p50 // empty' "$records")
	[ -n "$position" ] && [ -n "$n" ] && [ -n "$p50" ] || return 1
	log_text | awk -v position="$position" -v n="$n" -v p50="$p50" '
		/^# bench \{/ { want = (benches++ == position); next }
		want { want = 0; if ($1 != "#" || $2 != "raw" || NF - 2 != n) exit 1
			below = 0; at_most = 0; k = int((n * 50 + 99) / 100); scaled = p50 * 100
			for (i = 3; i <= NF; i++) { below += ($i + 0 < scaled); at_most += ($i + 0 <= scaled) }
			found = (below < k && k <= at_most) }
		END { exit found ? 0 : 1 }'
}

# Firmware code never runs on fpulab's tables (docs/design.md): QEMU's interrupt log
# shows every hardware interrupt (vector 0x20 and up: only the firmware's in this run)
# under one CR3, the firmware's, while the tests' own exceptions have fpulab's.
firmware_interrupts_on_firmware_tables() {
	awk '/^ *[0-9]+: v=[0-9a-f][0-9a-f] / { match($0, / v=[0-9a-f][0-9a-f]/); vector = substr($0, RSTART + 3, 2); pending = 1; next }
		pending && /^CR0=/ { pending = 0; for (i = 1; i <= NF; i++) if ($i ~ /^CR3=/) cr3 = $i
			if (vector >= "20") { hardware[cr3]++; interrupts++ } else own[cr3]++ }
		END { for (c in hardware) tables++
			if (tables != 1 || interrupts < 10) exit 1
			for (c in own) if (!(c in hardware)) exit 0
			exit 1 }' "${log%.log}.interrupts.txt"
}

# No bench record has a negative min or p5 (docs/output.md, "No negative times"), and
# the run has bench records.
no_negative_times() {
	jq -e -s 'map(select(.kind == "bench")) | length > 0 and all(.[]; .min >= 0 and .p5 >= 0)' "$records" > /dev/null
}

# The vm/ and smp/ benchmarks went through the harness: cycles and stability like
# every other record.
vm_smp_through_harness() {
	jq -e -s 'map(select(.kind == "bench" and (.name | test("^(vm|smp)/")))) | length > 0 and
		all(.[]; (.stability.ensembles | type) == "number" and (.cycles_source | type) == "string")' "$records" > /dev/null
}
