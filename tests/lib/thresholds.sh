# Thresholds the C code and the test scripts share, read from the C headers that hold
# them (sourced; run from the repository root).
lab_min_configurations=$(sed -n 's/^#define LAB_MIN_CONFIGURATIONS \([0-9][0-9]*\).*/\1/p' lab/lab_coverage.h)
lab_min_scenarios=$(sed -n 's/^#define LAB_MIN_SCENARIOS \([0-9][0-9]*\).*/\1/p' lab/lab_coverage.h)
if [ -z "$lab_min_configurations" ] || [ -z "$lab_min_scenarios" ]; then
	echo "tests/lib/thresholds.sh: cannot read LAB_MIN_* from lab/lab_coverage.h" >&2
	return 1
fi

# lab_records_complete LOG JQ: LOG holds one lab record meeting JQ per configuration x
# scenario, as its "# lab: BACKEND backend: C configurations x S scenarios" comment
# counts them, and the matrix is at least the shared minimum.
lab_records_complete() {
	local matrix records
	matrix=$(tr -d '\r' < "$1" | sed -n 's/^# lab: [a-z]* backend: \([0-9]*\) configurations x \([0-9]*\) scenarios.*/\1 \2/p' | head -n 1)
	records=$({ tools/fpulab-log --json "$1" 2>/dev/null || true; } |
		jq -s "map(select(.kind == \"lab\") | select(try ($2) catch false)) | length")
	[ -n "$matrix" ] && [ "${matrix% *}" -ge "$lab_min_configurations" ] && [ "${matrix#* }" -ge "$lab_min_scenarios" ] &&
		[ "$records" -eq $(( ${matrix% *} * ${matrix#* } )) ]
}
