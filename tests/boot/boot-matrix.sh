#!/usr/bin/env bash
# Boots fpulab on every platform CI has and checks each run's log, as TAP: a loop over
# the platform table (tests/boot/platforms.table: one clean run a platform) and the boot
# cases (tests/boot/cases.txt), with the checks of tests/boot/checks.sh.
#   FPULAB_BOOT_ONLY=GLOB   only the cases whose name matches (extglob: @(a|b))
#   FPULAB_BOOT_JOBS=N      boots at a time (default 2; docs/design.md, 18, says why that
#                           keeps every check meaningful)
#   FPULAB_BOOT_LIST=1      print each case's command, status and checks; boot nothing
#   FPULAB_BOOT_GRADE=1     boot nothing: grade the logs the last boots left
# Every boot runs first, N at a time; then the cases are graded in table order.
set -uo pipefail
shopt -s extglob   # FPULAB_BOOT_ONLY may be @(a|b)
set -f   # kernel arguments hold globs (only=cpu/*): never expanded against files here
cd "$(dirname "$0")/../.."
source tests/lib/tap.sh
source tests/lib/thresholds.sh
source tests/boot/checks.sh
export FPULAB_NO_BUILD=1

logs=build/logs
table=tests/boot/platforms.table
cases_file=tests/boot/cases.txt
jobs=${FPULAB_BOOT_JOBS:-2}
mkdir -p "$logs"

# ---- the platform table ----
declare -A platform_runner platform_options platform_cpus platform_timeout platform_boot
platforms=()
# one row: platform | runner | options | cpus | timeout | boot | clean run | status | cpu record must show
clean_rows=()
trim() { local text=$1; text=${text#"${text%%[![:space:]]*}"}; printf '%s' "${text%"${text##*[![:space:]]}"}"; }
while IFS= read -r row; do
	case "$row" in "| platform "*|"|---"*) continue ;; "| "*) ;; *) continue ;; esac
	IFS='|' read -r _ name runner options cpus timeout boot clean status condition _ <<< "$row"
	name=$(trim "$name")
	platforms+=("$name")
	platform_runner[$name]=$(trim "$runner") platform_options[$name]=$(trim "$options")
	platform_cpus[$name]=$(trim "$cpus") platform_timeout[$name]=$(trim "$timeout") platform_boot[$name]=$(trim "$boot")
	clean_rows+=("$name|$(trim "$clean")|$(trim "$status")|$(trim "$condition")")
done < "$table"

# ---- the cases: parallel arrays, one index a case ----
case_names=() case_platforms=() case_statuses=() case_args=() case_runner=() case_checks=()
declare -A extra_checks   # platform -> checks added to its clean run
declare -A case_seen
add_case() {   # NAME PLATFORM STATUS ARGS RUNNER-OPTIONS CHECK-LINES
	[ -z "${case_seen[$1]+set}" ] || { echo "cases.txt: two cases named $1" >&2; exit 3; }
	case_seen[$1]=1
	case "$1" in ${FPULAB_BOOT_ONLY:-*}) ;; *) return ;; esac
	case_names+=("$1") case_platforms+=("$2") case_statuses+=("$3")
	case_args+=("$4") case_runner+=("$5") case_checks+=("$6")
}
for row in "${clean_rows[@]}"; do
	IFS='|' read -r name clean status condition <<< "$row"
	checks="check cpu-record-shows-the-platform record cpu $(printf '%q' "$condition")"$'\n'
	case "${platform_boot[$name]}" in   # the EFI application writes a results file
		efi|usb|shell) checks+="check results-file-matches-serial results_file_matches"$'\n' ;;
	esac
	add_case "$name" "$name" "$status" "$clean" "" "$checks"
done

# Adds the entry being parsed (case_* variables below) for each of its platforms.
finish_entry() {
	local platform checks check filter glob matched
	[ -n "$entry_name" ] || return 0
	if [ -z "$entry_on" ]; then
		[ -n "${platform_runner[$entry_name]+set}" ] || { echo "cases.txt: case $entry_name has no 'on' and is no platform" >&2; exit 3; }
		extra_checks[$entry_name]+=$entry_checks
		return 0
	fi
	for platform in $entry_on; do
		[ -n "${platform_runner[$platform]+set}" ] || { echo "cases.txt: case $entry_name: unknown platform $platform" >&2; exit 3; }
		checks=""
		while IFS= read -r check; do
			[ -n "$check" ] || continue
			filter=${check%% *}
			if [ "$filter" != check ]; then   # check@GLOB,GLOB
				matched=0
				IFS=',' read -r -a globs <<< "${filter#check@}"
				for glob in "${globs[@]}"; do
					# shellcheck disable=SC2254  # the glob is meant
					case "$platform" in $glob) matched=1 ;; esac
				done
				[ "$matched" -eq 1 ] || continue
				check="check ${check#* }"
			fi
			checks+="$check"$'\n'
		done <<< "$entry_checks"
		add_case "${entry_name//\{platform\}/$platform}" "$platform" "$entry_status" "$entry_args" "$entry_runner" "$checks"
	done
}
entry_name=""
while IFS= read -r text || [ -n "$text" ]; do
	case "$text" in ""|"#"*) continue ;; esac
	keyword=${text%% *} rest=${text#* }
	[ "$keyword" = "$text" ] && rest=""
	case "$keyword" in
		case) finish_entry; entry_name=$rest entry_on="" entry_status=0 entry_args="" entry_runner="" entry_checks="" ;;
		on) entry_on=$rest ;;
		status) entry_status=$rest ;;
		args) entry_args=$rest ;;
		runner) entry_runner=$rest ;;
		check|check@*) entry_checks+="$text"$'\n' ;;
		*) echo "cases.txt: unknown line: $text" >&2; exit 3 ;;
	esac
done < "$cases_file"
finish_entry
for i in "${!case_names[@]}"; do   # the clean runs' added checks
	[ "${case_names[$i]}" = "${case_platforms[$i]}" ] && case_checks[$i]+=${extra_checks[${case_names[$i]}]-}
done

# The runner command of case $1, as words in runner_command.
runner_command_of() {
	local platform=${case_platforms[$1]}
	local -a kernel_args
	eval "runner_command=(${platform_runner[$platform]} --name ${case_names[$1]} ${platform_options[$platform]} --cpus ${platform_cpus[$platform]} --timeout ${platform_timeout[$platform]} ${case_runner[$1]})"
	eval "kernel_args=(${case_args[$1]})"
	runner_command+=(-- "${kernel_args[@]}")
}

if [ "${FPULAB_BOOT_LIST:-0}" = 1 ]; then
	for i in "${!case_names[@]}"; do
		runner_command_of "$i"
		printf '%s: status %s: %s\n' "${case_names[$i]}" "${case_statuses[$i]}" "${runner_command[*]}"
		printf '%s' "${case_checks[$i]}" | sed 's/^check /    /'
	done
	exit 0
fi

# ---- boot: every case, $jobs at a time ----
# Runs case $1 quietly; its status and duration go to $logs/NAME.status.
boot_case() {
	local name=${case_names[$1]} start status
	runner_command_of "$1"
	start=$(date +%s)
	"${runner_command[@]}" > "$logs/$name.runner.txt" 2>&1 < /dev/null
	status=$?
	echo "$status $(( $(date +%s) - start ))" > "$logs/$name.status"
}
if [ "${FPULAB_BOOT_GRADE:-0}" != 1 ]; then
	for i in "${!case_names[@]}"; do
		rm -f "$logs/${case_names[$i]}.status"
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		boot_case "$i" &
	done
	wait
fi

# ---- grade, in table order ----
tap_begin boot/
for i in "${!case_names[@]}"; do
	case_name=${case_names[$i]}
	log=$logs/$case_name.log
	read -r status seconds < "$logs/$case_name.status" 2>/dev/null || status=none seconds=0
	tap_diag "$case_name: status $status in $seconds s"
	if [ "$status" != "${case_statuses[$i]}" ]; then
		tap_not_ok "$case_name" "runner exited $status, expected ${case_statuses[$i]} (log: $log)" \
			"$(tail -n 5 "$logs/$case_name.runner.txt" 2>/dev/null)"
		continue
	fi
	tap_ok "$case_name"
	records=$logs/$case_name.records.jsonl
	{ tools/fpulab-log --json "$log" 2>/dev/null || true; } > "$records"
	while IFS= read -r check; do
		[ -n "$check" ] || continue
		eval "words=(${check#check })"
		"${words[@]:1}" > /dev/null 2>&1
		tap_status "$case_name/${words[0]}" $? "failed: ${words[*]:1} (log: $log)"
	done <<< "${case_checks[$i]}"
done
tap_end
