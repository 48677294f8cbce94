# The one TAP 14 library of the test scripts (sourced). A script calls tap_begin PREFIX,
# then one tap_* call a test point, then tap_end, which prints the plan and returns 1 if
# any point failed:
#
#   source tests/lib/tap.sh
#   tap_begin runner/
#   tap_check name "$problems"        # ok when empty; else not ok, first line as reason
#   tap_skip other-name "why"
#   tap_end
#
# Problems are collected as lines: problems+="what went wrong"$'\n'. Every line of a
# failure's problems is printed as a '# ' diagnostic under its point.

tap_begin() {
	tap_prefix=${1-}
	tap_count=0
	tap_failures=0
	tap_skips=0
	echo "TAP version 14"
}

tap_ok() {   # tap_ok NAME
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $tap_prefix$1"
}

tap_not_ok() {   # tap_not_ok NAME REASON [DETAILS]: DETAILS as diagnostics
	tap_count=$((tap_count + 1))
	tap_failures=$((tap_failures + 1))
	echo "not ok $tap_count - $tap_prefix$1 # ${2:-failed}"
	if [ -n "${3-}" ]; then
		printf '%s\n' "$3" | sed 's/^/# /'
	fi
}

tap_skip() {   # tap_skip NAME REASON
	tap_count=$((tap_count + 1))
	tap_skips=$((tap_skips + 1))
	echo "ok $tap_count - $tap_prefix$1 # SKIP $2"
}

tap_check() {   # tap_check NAME PROBLEMS: ok when PROBLEMS is empty
	if [ -z "$2" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "$(printf '%s' "$2" | head -n 1)" "$2"
	fi
}

tap_status() {   # tap_status NAME STATUS [REASON]: ok when STATUS is 0
	if [ "$2" -eq 0 ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "${3:-failed}"
	fi
}

tap_diag() {   # tap_diag TEXT...: a comment line for people
	echo "# $*"
}

tap_end() {
	echo "1..$tap_count"
	[ "$tap_failures" -eq 0 ]
}
