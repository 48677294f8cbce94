#!/usr/bin/env bash
# Make build/fpulab-usb.img: a GPT disk image with one EFI System Partition
# (FAT32, from 1 MiB) holding EFI/BOOT/BOOTX64.EFI (fpulab.efi), fpulab.cfg and
# README.TXT. Write it to a USB stick (dd) and boot it on a UEFI machine, or
# attach it to QEMU with OVMF (run-qemu.sh --boot efi|usb). No root needed.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/make-usb-image.sh OUT.img EFI [CFG_LINE]

  OUT.img    the image to write (34 MiB, GPT, one EFI System Partition
             at 1 MiB, FAT32 with 512-byte clusters)
  EFI        the UEFI application, installed as \EFI\BOOT\BOOTX64.EFI
  CFG_LINE   the kernel arguments written as the one line of \fpulab.cfg
             (default: an empty line, i.e. no arguments)

Needs sfdisk (fdisk) and mtools; no root. The same inputs give the same bytes
(fixed GUIDs, volume serial and timestamps; SOURCE_DATE_EPOCH sets the time).
To change the arguments of an existing image:
  printf '%s\n' 'quick only=xsave/*' | mcopy -o -i OUT.img@@1M - ::/fpulab.cfg
USAGE
}

die() { echo "make-usb-image: $*" >&2; exit 3; }

case "${1-}" in
    -h|--help) usage; exit 0 ;;
esac
[ "$#" -eq 2 ] || [ "$#" -eq 3 ] || { usage >&2; exit 3; }
out=$1
efi=$2
cfg_line=${3-}

[ -n "$out" ] || die "OUT.img is empty"
[ -f "$efi" ] || die "EFI application not found: $efi"
if [[ "$cfg_line" == *[[:cntrl:]]* ]]; then
    die "CFG_LINE must be one line without control characters"
fi
for tool in sfdisk mformat mmd mcopy; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run tools/install-deps.sh"
done

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-946684800}"
[[ "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH must be a number of seconds"
export MTOOLS_SKIP_CHECK=1

MIB=$((1024 * 1024))
TOTAL_MIB=34                      # smallest size that holds a FAT32 ESP here
START=2048                        # partition start, sectors (1 MiB)
TOTAL_SECTORS=$((TOTAL_MIB * MIB / 512))
# The partition runs to the last usable sector (the backup GPT takes the last
# 33): FAT32 needs at least 65525 clusters, 32 MiB of partition is not enough.
PART_SECTORS=$(( TOTAL_SECTORS - 34 - START ))
ESP_TYPE=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
DISK_GUID=6670756C-6162-4000-8000-000000000001   # fixed: reproducible
PART_GUID=6670756C-6162-4000-8000-000000000002

outdir=$(dirname "$out")
mkdir -p "$outdir"
tmp=$(mktemp "$out.tmp.XXXXXX")
stage=$(mktemp -d)
trap 'rm -rf "$tmp" "$stage"' EXIT

truncate -s $((TOTAL_SECTORS * 512)) "$tmp"
sfdisk --quiet --no-reread --no-tell-kernel "$tmp" >/dev/null <<SFDISK || die "sfdisk failed on $tmp"
label: gpt
label-id: $DISK_GUID
unit: sectors
first-lba: 34
start=$START, size=$PART_SECTORS, type=$ESP_TYPE, uuid=$PART_GUID, name="EFI System Partition"
SFDISK

cp "$efi" "$stage/BOOTX64.EFI"
printf '%s\n' "$cfg_line" > "$stage/fpulab.cfg"
printf '%s\r\n' \
    "fpulab: a bare-metal x86-64 FPU / XSAVE benchmark." \
    "" \
    "Boot this stick on a UEFI machine (Secure Boot off). Results are shown" \
    "on screen, sent to COM1 (115200 8N1) and saved as \\fpulab-results.txt" \
    "on this partition." \
    "" \
    "Kernel arguments: the first line of \\fpulab.cfg, e.g." \
    "  quick only=xsave/*,vm/* skip=*avx512*" \
    "  selftest=NAME   exit=firmware|halt" \
    > "$stage/README.TXT"
touch -d "@$SOURCE_DATE_EPOCH" "$stage"/*

img="$tmp@@$((START * 512))"
mformat -i "$img" -F -c 1 -T "$PART_SECTORS" -H "$START" -h 64 -s 32 \
    -N 46505541 -v FPULAB :: || die "mformat failed"
mmd -i "$img" ::/EFI ::/EFI/BOOT || die "mmd failed"
mcopy -m -i "$img" "$stage/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI || die "mcopy failed (EFI application too big?)"
mcopy -m -i "$img" "$stage/fpulab.cfg" "$stage/README.TXT" ::/ || die "mcopy failed"
chmod 644 "$tmp"
mv -f "$tmp" "$out"
