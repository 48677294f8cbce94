#!/usr/bin/env bash
# Make a small raw FAT disk (no partition table) whose root holds
# /fpulab-args.cfg = set fpulab_args="ARGS". GRUB's boot/grub.cfg (in the ISO)
# searches every non-floppy disk for that file and sources it, so a BIOS boot
# of build/fpulab.iso gets its kernel arguments from this disk.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/make-args-disk.sh OUT.img "ARGS"

Writes OUT.img: a raw FAT12 disk of 1 cylinder of 16 heads x 63 sectors
(516096 bytes, so Bochs 2.7 autodetects its geometry) holding
/fpulab-args.cfg with the line:  set fpulab_args="ARGS"
Its boot sector has no 0x55AA signature, so firmware never boots from it.
ARGS are the kernel arguments (space separated words); they must not hold
control characters such as newlines. \, " and $ are escaped for GRUB.
Needs mtools only (no root).
USAGE
}

die() { echo "make-args-disk: $*" >&2; exit 3; }

case "${1-}" in
    -h|--help) usage; exit 0 ;;
esac
[ "$#" -eq 2 ] || { usage >&2; exit 3; }
out=$1
args=$2
[ -n "$out" ] || die "OUT.img is empty"
command -v mformat >/dev/null 2>&1 && command -v mcopy >/dev/null 2>&1 \
    || die "mtools (mformat, mcopy) not found: run tools/install-deps.sh"
if [[ "$args" == *[[:cntrl:]]* ]]; then
    die "ARGS must not contain control characters (newline, tab, ...)"
fi

# GRUB double-quoted string: only \ " $ are special; escape them.
esc=${args//\\/\\\\}
esc=${esc//\"/\\\"}
esc=${esc//\$/\\\$}

# Reproducible: fixed timestamps and volume serial.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-946684800}"
export MTOOLS_SKIP_CHECK=1

tmp=$(mktemp "${out}.tmp.XXXXXX")
cfg=$(mktemp)
trap 'rm -f "$tmp" "$cfg"' EXIT

printf 'set fpulab_args="%s"\n' "$esc" > "$cfg"
touch -d "@$SOURCE_DATE_EPOCH" "$cfg"
# 1 cylinder x 16 heads x 63 sectors x 512 bytes = 516096 bytes.
truncate -s 0 "$tmp"
truncate -s $((16 * 63 * 512)) "$tmp"
mformat -i "$tmp" -t 1 -h 16 -s 63 -H 0 -N 46505541 -v FPULABARGS :: \
    || die "mformat failed on $tmp"
mcopy -i "$tmp" -m "$cfg" ::/fpulab-args.cfg || die "mcopy failed"
# Clear the boot sector signature (0x55AA): a BIOS then skips this disk instead
# of running mformat's "not a bootable disk, press a key" loader, and UEFI does
# not take the FAT boot sector for an MBR. GRUB and mtools do not need it.
printf '\0\0' | dd of="$tmp" bs=1 seek=510 count=2 conv=notrunc status=none \
    || die "cannot clear the boot signature of $tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$out"
trap 'rm -f "$cfg"' EXIT
