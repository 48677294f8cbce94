"""Boot media carrying the kernel arguments: \\fpulab.cfg in a USB image (the EFI
removable-media path reads its first line, docs/kernel-args.md) and GRUB's args disk."""

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The ESP of build/fpulab-usb.img starts at 1 MiB (tools/make-usb-image.sh).
ESP = "@@1M"


class MediaError(Exception):
    """A boot medium that could not be made."""


def mtools(arguments, stdin=None):
    environment = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    try:
        result = subprocess.run(arguments, input=stdin, env=environment, capture_output=True)
    except OSError as error:
        raise MediaError("%s: %s (install mtools: tools/install-deps.sh)" % (arguments[0], error))
    return result


def set_args(image, args_line):
    """Writes ARGS_LINE as \\fpulab.cfg into IMAGE's ESP and drops an old results file."""
    result = mtools(["mcopy", "-o", "-i", image + ESP, "-", "::/fpulab.cfg"],
                    stdin=(args_line + "\n").encode())
    if result.returncode != 0:
        raise MediaError("cannot write fpulab.cfg into %s: %s" % (
            image, result.stderr.decode("utf-8", "replace").strip()))
    mtools(["mdel", "-i", image + ESP, "::/fpulab-results.txt"])


def usb_image(folder, args_line):
    """A copy of build/fpulab-usb.img in FOLDER whose \\fpulab.cfg holds ARGS_LINE."""
    image = os.path.join(folder, "fpulab-usb.img")
    try:
        shutil.copyfile(os.path.join(REPO, "build", "fpulab-usb.img"), image)
    except OSError as error:
        raise MediaError("%s (run make usb)" % error)
    set_args(image, args_line)
    return image


def args_disk(folder, args_line):
    """GRUB's args disk for the ISO (tools/make-args-disk.sh) in FOLDER."""
    disk = os.path.join(folder, "fpulab-args.img")
    result = subprocess.run([os.path.join(REPO, "tools", "make-args-disk.sh"), disk, args_line],
                            capture_output=True)
    if result.returncode != 0:
        raise MediaError("tools/make-args-disk.sh failed: %s" %
                         result.stderr.decode("utf-8", "replace").strip())
    return disk


def set_args_command(options):
    """`fpulab-lava set-args IMAGE -- ARGS` (a flasher's first step, lava/device-types/)."""
    args_line = " ".join(" ".join(options.kernel_args).split())
    if any(ord(character) < 32 for character in args_line):
        print("fpulab-lava: kernel arguments must not hold control characters", file=sys.stderr)
        return 3
    try:
        set_args(options.image, args_line)
    except MediaError as error:
        print("fpulab-lava: %s" % error, file=sys.stderr)
        return 2
    print("fpulab-lava: %s: \\fpulab.cfg = %s" % (options.image, args_line))
    return 0
