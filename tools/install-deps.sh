#!/usr/bin/env bash
# Install the Debian packages fpulab's build and runners need, only those
# missing. Quiet when nothing is missing. Runs apt-get update only when it
# has something to install. Needs root (uses sudo when not root and sudo is
# there); otherwise prints what to install and exits 3.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/install-deps.sh [--browser] [--lava] [--list] [--check]

Installs (apt-get, no prompts, --no-install-recommends) the Debian packages
fpulab needs that are not installed yet:
  build:   gcc make binutils gnu-efi nasm
  images:  grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools fdisk faketime
  run:     qemu-system-x86 qemu-user ovmf bochs bochsbios vgabios
  scripts: coreutils util-linux findutils grep sed jq file
  fuzz:    clang-14 libclang-rt-14-dev (libFuzzer, docs/fuzzing.md)
  report:  python3-matplotlib python3-numpy (tools/fpulab-report)
  trace:   trace-cmd e2fsprogs (tools/fpulab-trace: trace-cmd captures, the ext4 workload)

  --browser also chromium and python3-pil, which only the report suite's browser
            test needs (make test asks for them; about 115 MB to fetch, 30 s here;
            docs/report.md)
  --lava    also LAVA's dispatcher for tools/fpulab-lava run (docs/lava.md):
            lava-dispatcher, about 150 packages, about a minute; never without
            --lava, so make run does not wait for it (make test's suite lava
            asks for it)
  --list    print the package list and exit
  --check   only report what is missing (exit 0 when nothing, 1 otherwise)

Exit status: 0 ok, 1 apt-get failed (or --check found something missing),
3 usage error or not root without sudo.
USAGE
}

PACKAGES=(
    gcc make binutils gnu-efi nasm
    grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools fdisk faketime
    qemu-system-x86 qemu-user ovmf bochs bochsbios vgabios
    coreutils util-linux findutils grep sed jq file
    clang-14 libclang-rt-14-dev
    python3-matplotlib python3-numpy
    trace-cmd e2fsprogs
)
BROWSER_PACKAGES=(chromium python3-pil)

LAVA_PACKAGES=(lava-dispatcher)

check_only=0
list_only=0
for argument in "$@"; do
    case "$argument" in
        -h|--help) usage; exit 0 ;;
        --browser) PACKAGES+=("${BROWSER_PACKAGES[@]}") ;;
        --lava) PACKAGES+=("${LAVA_PACKAGES[@]}") ;;
        --list) list_only=1 ;;
        --check) check_only=1 ;;
        *) echo "install-deps: unknown argument: $argument" >&2; usage >&2; exit 3 ;;
    esac
done
if [ "$list_only" -eq 1 ]; then
    printf '%s\n' "${PACKAGES[@]}"
    exit 0
fi

command -v dpkg-query >/dev/null 2>&1 || {
    echo "install-deps: dpkg-query not found: this script supports Debian/Ubuntu only" >&2
    echo "install-deps: needed: ${PACKAGES[*]}" >&2
    exit 3
}

# One dpkg-query for all (unknown packages only print to stderr).
installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${PACKAGES[@]}" 2>/dev/null || true) "
missing=()
for p in "${PACKAGES[@]}"; do
    case "$installed" in
        *" $p:installed "*) ;;
        *) missing+=("$p") ;;
    esac
done

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$check_only" -eq 1 ]; then
    echo "install-deps: missing: ${missing[*]}"
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
    if ! sudo -n true 2>/dev/null; then
        # sudo needs a password: allowed only with a terminal.
        if [ -t 0 ]; then
            SUDO=(sudo)
        else
            echo "install-deps: not root and sudo needs a password (no terminal)." >&2
            echo "install-deps: as root run: apt-get install --no-install-recommends ${missing[*]}" >&2
            exit 3
        fi
    fi
else
    echo "install-deps: not root and no sudo." >&2
    echo "install-deps: as root run: apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 3
fi

echo "install-deps: installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update </dev/null >&2 \
    || { echo "install-deps: apt-get update failed" >&2; exit 1; }
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install \
    --no-install-recommends "${missing[@]}" </dev/null >&2 \
    || { echo "install-deps: apt-get install failed: ${missing[*]}" >&2; exit 1; }
