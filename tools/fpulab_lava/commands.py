"""The command line of tools/fpulab-lava: one subcommand per job (docs/lava.md)."""

import argparse
import sys

from . import console

BOOTS = ("efi", "usb", "bios")


def add_run(subparsers):
    run = subparsers.add_parser("run", help="run a job here with lava-run (no server)")
    run.add_argument("--boot", choices=BOOTS + ("pc",), default="efi",
                     help="efi: OVMF, fpulab.efi as -kernel (default); usb: OVMF, the USB "
                          "image; bios: SeaBIOS, the ISO; pc: the real-machine job on a "
                          "stand-in machine (lava/devices/pc-standin.jinja2)")
    run.add_argument("--job", metavar="FILE",
                     help="job template or job (default lava/jobs/fpulab-qemu-BOOT.jinja2)")
    run.add_argument("--device", metavar="FILE",
                     help="device dictionary (default lava/devices/qemu-local.jinja2, "
                          "pc-standin.jinja2 for --boot pc)")
    run.add_argument("--accel", choices=("kvm", "tcg"),
                     help="default: kvm where tools/kvm-probe.sh finds it usable, else tcg")
    run.add_argument("--name", help="name of the run: build/lava/NAME/ (default lava-BOOT-TIME-PID)")
    run.add_argument("--job-timeout", type=int, default=900, metavar="S",
                     help="LAVA's job timeout in seconds (900)")
    run.add_argument("--silence", type=float, metavar="S",
                     help="the console filter's silence limit (default: the device's, 60)")
    run.add_argument("--quiet", action="store_true", help="do not print the serial output")
    run.add_argument("--validate", action="store_true",
                     help="only lava-run --validate: the dispatcher's checks of job and device")
    run.add_argument("kernel_args", nargs="*", metavar="-- KERNEL ARGS")


def add_job(subparsers):
    job = subparsers.add_parser("job", help="print a job for a lab (submit it with lavacli)")
    job.add_argument("--boot", choices=BOOTS + ("pc",), default="efi",
                     help="efi, usb, bios: the fpulab-qemu device type; pc: a real machine "
                          "(fpulab-pc: flasher, minimal boot, serial console)")
    job.add_argument("--url-base", metavar="URL",
                     help="where the lab serves fpulab.efi, fpulab-usb.img, fpulab.iso and "
                          "fpulab-args.img (default: file:// of this checkout's build/)")
    job.add_argument("--job-timeout", type=int, default=1200, metavar="S",
                     help="LAVA's job timeout in seconds (1200)")
    job.add_argument("kernel_args", nargs="*", metavar="-- KERNEL ARGS")


def add_small_commands(subparsers):
    device = subparsers.add_parser("device", help="print a device's YAML, as a server renders it")
    device.add_argument("--dictionary", default=None, metavar="FILE",
                        help="device dictionary (default lava/devices/qemu-local.jinja2)")
    subparsers.add_parser("validate", help="check every job and device in lava/ with "
                                           "LAVA's schemas (TAP)")
    watch = subparsers.add_parser("console", help="relay a console and add the run checks")
    console.add_arguments(watch)
    set_args = subparsers.add_parser("set-args", help="write \\fpulab.cfg into a USB image")
    set_args.add_argument("image", metavar="IMAGE")
    set_args.add_argument("kernel_args", nargs="*", metavar="-- KERNEL ARGS")
    serial = subparsers.add_parser("serial", help="the serial output kept in a LAVA job log")
    serial.add_argument("job_log", metavar="JOB-LOG")
    results = subparsers.add_parser("results", help="the results recorded in a LAVA job log")
    results.add_argument("job_log", metavar="JOB-LOG")


def parser(description=None):
    top = argparse.ArgumentParser(prog="fpulab-lava", description=description,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = top.add_subparsers(dest="command", required=True)
    add_run(subparsers)
    add_job(subparsers)
    add_small_commands(subparsers)
    return top


def dispatch(options):
    if options.command == "console":
        return console.main(options)
    if options.command == "set-args":
        from . import media
        return media.set_args_command(options)
    if options.command in ("serial", "results"):
        from . import lavalog
        return lavalog.main(options)
    try:
        from . import templates
    except ImportError as error:
        print("fpulab-lava: %s: install lava-dispatcher with tools/install-deps.sh --lava"
              % error, file=sys.stderr)
        return 2
    if options.command == "run":
        from . import local_run
        return local_run.main(options)
    return templates.main(options)
