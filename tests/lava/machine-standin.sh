#!/usr/bin/env bash
# A stand-in for a lab machine of device type fpulab-pc, so the real-machine job runs
# here (tests/lava/test-lava.sh, lava/devices/pc-standin.jinja2): the "USB stick" is
# the file DIR/stick.img, the "PDU" starts and kills a QEMU (OVMF, the stick on
# qemu-xhci) in the background, and the "serial server" is DIR/serial.log, which the
# console command follows.
#   machine-standin.sh power-on DIR    start the machine (a fresh serial log)
#   machine-standin.sh power-off DIR   stop it (nothing when it is off)
#   machine-standin.sh reset DIR       power-off, then power-on
#   machine-standin.sh console DIR     print the serial output as it comes
# FPULAB_LAVA_QEMU_TIMEOUT (default 300 s) bounds each power-on, so no machine outlives
# a test that lost track of it.
set -euo pipefail
action=${1:?usage: machine-standin.sh power-on|power-off|reset|console DIR}
dir=${2:?usage: machine-standin.sh power-on|power-off|reset|console DIR}
mkdir -p "$dir"
ovmf=/usr/share/OVMF

# setsid makes the machine's timeout and QEMU a process group of their own: killed whole.
power_off() {
	if [ -f "$dir/qemu.pid" ]; then
		kill -KILL -- "-$(cat "$dir/qemu.pid")" 2>/dev/null || true
		rm -f "$dir/qemu.pid"
	fi
}

power_on() {
	power_off
	[ -f "$dir/stick.img" ] || { echo "machine-standin: no $dir/stick.img: nothing flashed" >&2; exit 1; }
	cp "$ovmf/OVMF_VARS_4M.fd" "$dir/OVMF_VARS.fd"
	: > "$dir/serial.log"
	# LAVA runs this on a terminal that hangs up when the script ends: the machine must
	# not get that SIGHUP before setsid has detached it.
	trap '' HUP
	setsid timeout -s KILL "${FPULAB_LAVA_QEMU_TIMEOUT:-300}" qemu-system-x86_64 \
		-machine q35 -accel tcg -cpu max -m 512M -smp 2 -no-reboot \
		-display none -monitor none -nic none -serial "file:$dir/serial.log" \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf/OVMF_CODE_4M.fd" \
		-drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd" \
		-drive "if=none,id=stick,format=raw,file=$dir/stick.img" \
		-device qemu-xhci,id=xhci -device usb-storage,bus=xhci.0,drive=stick,bootindex=0 \
		</dev/null >"$dir/qemu.out" 2>&1 &
	echo $! > "$dir/qemu.pid"
}

case "$action" in
	power-on) power_on ;;
	power-off) power_off ;;
	reset) power_off; power_on ;;
	console) touch "$dir/serial.log"; exec tail -F -n +1 "$dir/serial.log" 2>/dev/null ;;
	*) echo "machine-standin: unknown action $action" >&2; exit 3 ;;
esac
