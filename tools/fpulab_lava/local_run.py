"""`fpulab-lava run`: one job on this machine with lava-run, no server (docs/lava.md).
Everything of a run is in build/lava/NAME/: job.yaml, device.yaml, lava-run.log (LAVA's
job log), results.jsonl (its results, one JSON object a line), serial.log (the serial
output as LAVA recorded it) and output/ (lava-run's --output-dir); the boot media it
made are deleted after the run unless FPULAB_KEEP_RUN=1."""

import os
import shutil
import subprocess
import signal
import sys
import threading
import time

from . import lavalog, media, templates

REPO = templates.REPO
# How long lava-run may outlive its job timeout (its own clean-up) before it is killed.
LAVA_GRACE_S = 120


def say(message):
    print("fpulab-lava: %s" % message, file=sys.stderr)


def build():
    """tools/install-deps.sh and make all, as the runners do; skipped by FPULAB_NO_BUILD=1."""
    if os.environ.get("FPULAB_NO_BUILD") == "1":
        return True
    for command in ([os.path.join(REPO, "tools", "install-deps.sh")],
                    ["make", "-s", "-C", REPO, "all"]):
        if subprocess.run(command, stdin=subprocess.DEVNULL).returncode != 0:
            say("%s failed" % " ".join(command))
            return False
    return True


def lava_run_command():
    """lava-run's command line prefix (with sudo -n when not root), or None with why."""
    binary = os.environ.get("FPULAB_LAVA_RUN", "lava-run")
    path = shutil.which(binary)
    if path is None:
        return None, "%s not found: install lava-dispatcher with tools/install-deps.sh --lava" % binary
    if os.geteuid() == 0:
        return [path], None
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"],
                                               capture_output=True).returncode == 0:
        return ["sudo", "-n", path], None
    return None, "lava-run must run as root (not root, and sudo asks for a password)"


def accel(asked):
    if asked:
        return asked
    probe = subprocess.run(["bash", "-c", 'source "$1" && kvm_unusable_reason', "probe",
                            os.path.join(REPO, "tools", "kvm-probe.sh")], capture_output=True,
                           text=True)
    reason = probe.stdout.strip()
    say("accel: tcg (KVM not used: %s)" % reason if reason else "accel: kvm")
    return "tcg" if reason else "kvm"


def run_folder(options):
    name = options.name or "lava-%s-%s-%d" % (options.boot, time.strftime("%Y%m%d-%H%M%S"),
                                               os.getpid())
    folder = os.path.join(REPO, "build", "lava", name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "output"))
    return name, folder


def media_urls(boot, folder, args_line):
    urls = templates.default_urls()
    if boot == "usb":
        urls["usb_url"] = "file://" + media.usb_image(folder, args_line)
    elif boot == "bios":
        urls["args_url"] = "file://" + media.args_disk(folder, args_line)
    return urls


def device_variables(options, folder, job):
    """What the device dictionary is rendered with: fpulab-lava's settings and, as a
    server does, the job's context."""
    variables = dict(job.get("context") or {})
    variables.update(fpulab_tools=os.path.join(REPO, "tools"), accel=accel(options.accel),
                     standin_dir=os.path.join(folder, "machine"))
    if os.environ.get("FPULAB_LAVA_QEMU"):
        variables["qemu_command"] = os.environ["FPULAB_LAVA_QEMU"]
    if options.silence is not None:
        variables["fpulab_silence"] = options.silence
    return variables


def write(path, text):
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def prepare(options, folder, args_line):
    """Writes job.yaml and device.yaml into FOLDER (both checked with LAVA's schemas)."""
    variables = templates.job_variables(options.boot, args_line,
                                        media_urls(options.boot, folder, args_line),
                                        options.job_timeout)
    job_path = options.job or templates.job_template_path(options.boot)
    job_text, job = templates.render_job(job_path, variables)
    device_path = options.device or os.path.join(
        templates.LAVA, "devices", "pc-standin.jinja2" if options.boot == "pc" else "qemu-local.jinja2")
    device_text, _ = templates.render_device(device_path, device_variables(options, folder, job))
    write(os.path.join(folder, "job.yaml"), job_text)
    write(os.path.join(folder, "device.yaml"), device_text)
    say("job: %s (kernel args: %s), device: %s" % (job_path, args_line, device_path))


def show_live(line, quiet):
    """Prints what the device printed as lava-run reports it, and LAVA's errors."""
    for entry in lavalog.entries([line]):
        if entry["lvl"] == "target" and not quiet:
            print(lavalog.target_line(entry.get("msg", "")), flush=True)
        elif entry["lvl"] in ("error", "exception"):
            say("lava: %s" % entry.get("msg"))


def run_lava(command, folder, options, name):
    """Runs lava-run, its job log into FOLDER/lava-run.log. False when it outlived the job
    timeout by LAVA_GRACE_S and was killed."""
    validate = ["--validate"] if options.validate else []
    arguments = command + validate + ["--job-id", "fpulab-%s-%d" % (name, os.getpid()), "--output-dir",
                           os.path.join(folder, "output"), "--device",
                           os.path.join(folder, "device.yaml"), os.path.join(folder, "job.yaml")]
    with open(os.path.join(folder, "lava-run.log"), "w", encoding="utf-8") as job_log:
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
        killer = threading.Timer(options.job_timeout + LAVA_GRACE_S, process.kill)
        killer.start()
        for line in process.stdout:
            job_log.write(line)
            show_live(line, options.quiet)
        process.wait()
        killer.cancel()
    if process.returncode == -signal.SIGKILL:
        say("lava-run still ran %d s after the job timeout: killed" % LAVA_GRACE_S)
        return False
    return True


def read_job_log(folder):
    with open(os.path.join(folder, "lava-run.log"), encoding="utf-8", errors="replace") as lines:
        return lavalog.JobLog(lines)


def report_validation(folder):
    """After lava-run --validate: 0 when the dispatcher accepted job and device, else 2."""
    job = read_job_log(folder).job_result()
    if job is not None and job.get("result") == "pass":
        say("lava-run --validate: the dispatcher accepts %s/job.yaml on device.yaml" % folder)
        return 0
    say("lava-run --validate refused it: %s" % (job or {}).get("error_msg", "no job result"))
    return 2


def report(folder):
    log = read_job_log(folder)
    lavalog.write_results(log, os.path.join(folder, "results.jsonl"))
    lavalog.write_serial(log, os.path.join(folder, "serial.log"))
    say("LAVA's job log: %s/lava-run.log; results: results.jsonl; serial: serial.log" % folder)
    return lavalog.summary(log)


def remove_media(folder):
    """The run's disk copies (35 MiB each) go, as run-qemu.sh's do, unless FPULAB_KEEP_RUN=1."""
    if os.environ.get("FPULAB_KEEP_RUN") == "1":
        return
    for name in ("fpulab-usb.img", "fpulab-args.img", "machine/stick.img", "machine/OVMF_VARS.fd"):
        try:
            os.unlink(os.path.join(folder, name))
        except FileNotFoundError:
            pass


def main(options):
    try:
        args_line = templates.kernel_args_line(options.kernel_args,
                                               "halt" if options.boot == "pc" else "qemu")
    except templates.TemplateError as error:
        say(str(error))
        return 3
    command, why = lava_run_command()
    if command is None:
        say(why)
        return 2
    if not build():
        return 2
    name, folder = run_folder(options)
    try:
        prepare(options, folder, args_line)
    except (templates.TemplateError, media.MediaError) as error:
        say(str(error))
        return 2
    finished = run_lava(command, folder, options, name)
    remove_media(folder)
    if options.validate:
        return report_validation(folder) if finished else 2
    status = report(folder)
    return status if finished else 2
