# Shared by run-qemu.sh and tools/run-bochs.sh (sourced; they define say and die):
# checking the common options, the kernel-argument line, the build, and grading the
# serial log. docs/runners.md.

# Checks $timeout_s, $cpus and $name.
runner_check_options() {
    [[ "$timeout_s" =~ ^[0-9]+$ ]] && [ "$timeout_s" -gt 0 ] || die "--timeout must be a positive number of seconds, not '$timeout_s'"
    [[ "$cpus" =~ ^[1-8]$ ]] || die "--cpus must be 1 to 8, not '$cpus'"
    if [ -n "$name" ] && ! [[ "$name" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*$ ]]; then
        die "--name may hold letters, digits, '.', '_' and '-' only (and not start with '.' or '-'): '$name'"
    fi
}

# Sets args_line: the kernel arguments ("${kernel_args[@]}") as one line, words joined
# by single spaces, plus exit=$1 unless they hold an exit= word already.
runner_kernel_args_line() {
    local exit_word=$1 has_exit=0 word
    local -a words
    args_line="${kernel_args[*]-}"
    if [[ "$args_line" == *[[:cntrl:]]* ]]; then
        die "kernel arguments must not contain control characters (newlines, tabs)"
    fi
    read -r -a words <<< "$args_line" || true
    for word in "${words[@]}"; do
        case "$word" in exit=*) has_exit=1 ;; esac
    done
    args_line="${words[*]}"
    if [ "$has_exit" -eq 1 ]; then
        say "warning: kernel arguments already hold an exit= word; not adding exit=$exit_word (the run may end only by --timeout)"
    else
        args_line="${args_line:+$args_line }exit=$exit_word"
    fi
}

# Installs the packages and builds, unless FPULAB_NO_BUILD=1.
runner_build() {
    if [ "${FPULAB_NO_BUILD:-0}" != 1 ]; then
        "$root/tools/install-deps.sh" || die "tools/install-deps.sh failed"
        make -s -C "$root" all </dev/null || die "make all failed"
    fi
}

# Sets grade from the serial log $1: 0 all ok, 1 some not ok, 2 incomplete.
runner_grade() {
    local log=$1 end
    if [ -x "$root/tools/fpulab-log" ]; then
        set +e
        "$root/tools/fpulab-log" "$log"
        grade=$?
        set -e
        case "$grade" in 0|1|2) ;; *) say "error: tools/fpulab-log exited $grade"; exit 3 ;; esac
    else
        say "warning: tools/fpulab-log missing: grading by the end marker only"
        end=$(tr -d '\r' < "$log" | grep -a -o '^# fpulab-end status=[0-9]*$' | tail -n 1 || true)
        case "$end" in
            "# fpulab-end status=0") grade=0 ;;
            "# fpulab-end status=1") grade=1 ;;
            *) grade=2 ;;
        esac
    fi
}
