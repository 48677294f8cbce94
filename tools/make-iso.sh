#!/usr/bin/env bash
# Make build/fpulab.iso: a hybrid BIOS/UEFI ISO (grub-mkrescue) whose GRUB
# (boot/grub.cfg) boots the multiboot2 kernel at once, talking on COM1 and VGA.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/make-iso.sh OUT.iso ELF

Builds a hybrid ISO (El Torito BIOS + UEFI, also bootable as a disk image)
with grub-mkrescue: /boot/fpulab.elf = ELF, /boot/grub/grub.cfg = boot/grub.cfg.
Only the GRUB modules fpulab needs (plus the file systems and partition maps,
so that the search for /fpulab-args.cfg does not print "file not found"
errors) are installed, no locales, themes or fonts: about 6 MB, made in
about a second.
Reproducible: with faketime installed and the same inputs, the bytes are the
same (set SOURCE_DATE_EPOCH to choose the timestamps; default 2000-01-01).
USAGE
}

die() { echo "make-iso: $*" >&2; exit 3; }

case "${1-}" in
    -h|--help) usage; exit 0 ;;
esac
[ "$#" -eq 2 ] || { usage >&2; exit 3; }
out=$1
elf=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cfg="$here/boot/grub.cfg"

[ -f "$elf" ] || die "kernel not found: $elf"
[ -f "$cfg" ] || die "GRUB configuration not found: $cfg"
command -v grub-mkrescue >/dev/null 2>&1 || die "grub-mkrescue not found: run tools/install-deps.sh"
command -v xorriso >/dev/null 2>&1 || die "xorriso not found: run tools/install-deps.sh"
for d in /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi; do
    [ -d "$d" ] || die "$d missing: install grub-pc-bin and grub-efi-amd64-bin (tools/install-deps.sh)"
done
if command -v grub-file >/dev/null 2>&1 && ! grub-file --is-x86-multiboot2 "$elf"; then
    die "$elf is not a multiboot2 kernel"
fi

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-946684800}"
[[ "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH must be a number of seconds"

outdir=$(dirname "$out")
mkdir -p "$outdir"
stage=$(mktemp -d "$outdir/.iso-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root/boot/grub"
cp "$cfg" "$stage/root/boot/grub/grub.cfg"
cp "$elf" "$stage/root/boot/fpulab.elf"
find "$stage/root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
chmod -R u=rwX,go=rX "$stage/root"

# Modules the configuration uses, and every file system and partition map
# module: the search for /fpulab-args.cfg probes all devices, and GRUB tries
# to load every module of fs.lst / partmap.lst (printing "file not found" for
# each one missing) for a device it does not recognize, e.g. a user's NTFS
# disk on real hardware or the hybrid ISO's extra partitions under UEFI.
modules=$( {
    printf '%s\n' normal configfile echo test multiboot2 serial terminal search \
        search_fs_file search_fs_uuid search_label part_gpt part_msdos iso9660 fat all_video
    for platform in i386-pc x86_64-efi; do
        cat "/usr/lib/grub/$platform/fs.lst" "/usr/lib/grub/$platform/partmap.lst" 2>/dev/null || true
    done
} | LC_ALL=C sort -u | tr '\n' ' ')

# grub-mkrescue names the ISO (and the GRUB search for it) after the current
# time: run it under a fixed time when faketime is there.
timecmd=()
if command -v faketime >/dev/null 2>&1; then
    timecmd=(env TZ=UTC faketime -f "$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')")
else
    echo "make-iso: faketime not installed: the ISO works but is not byte-reproducible" >&2
fi

tmpiso="$stage/out.iso"
if ! "${timecmd[@]}" grub-mkrescue \
        --locales= --themes= --fonts= \
        --install-modules="$modules" \
        -o "$tmpiso" "$stage/root" -volid FPULAB </dev/null >"$stage/log" 2>&1; then
    cat "$stage/log" >&2
    die "grub-mkrescue failed"
fi
chmod 644 "$tmpiso"
mv -f "$tmpiso" "$out"
