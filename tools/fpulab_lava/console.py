"""`fpulab-lava console`: the console filter that keeps LAVA from passing a broken run.

LAVA's test monitors see only what matches their patterns: a run that goes silent, a
console that closes early or a log whose plan or end status is wrong can come out of
LAVA as a pass. This filter sits between LAVA and the console (QEMU, or telnet to a
lab's serial server), relays every byte unchanged, and when the run is over (end
marker, silence or end of the console) prints its own checks, which the job's second
monitor records as the cases of the `fpulab-run` suite (docs/lava.md):

    fpulab-lava: checks
    fpulab-lava: ok - ended
    fpulab-lava: not ok - log # line 80: plan 1..36 but 37 test point(s)
    fpulab-lava: done

`ended`: the end marker arrived. `log`: tools/fpulab-log read the relayed log as
complete (exit 0 or 1). These lines are in none of fpulab's formats (docs/output.md),
so the log LAVA keeps still reads with tools/fpulab-log.
"""

import ctypes
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

PREFIX = "fpulab-lava: "
ESCAPE = re.compile(rb"\x1b\[[0-9;?=]*[ -/]*[@-~]|\x1b.")
END_MARKER = re.compile(rb"# fpulab-end status=[0-9]+")
TEST_POINT = re.compile(rb"(?:not )?ok [0-9]+ - \S+")
TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The longest wait after the end marker, however much the console still prints.
LINGER_MAX_S = 30


class RunWatch:
    """Follows the relayed lines: where the run is, what it printed last."""

    def __init__(self):
        self.partial = b""
        self.lines = 0
        self.started = False
        self.ended = None  # when the end marker came (time.monotonic())
        self.last_test_point = ""

    def feed(self, data):
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for line in lines:
            self.lines += 1
            self.look_at(ESCAPE.sub(b"", line).replace(b"\r", b"").replace(b"\0", b""))

    def look_at(self, line):
        if line.endswith(b"TAP version 14"):
            self.started = True
        elif self.started and END_MARKER.fullmatch(line):
            self.ended = time.monotonic()
        elif self.started and TEST_POINT.match(line):
            self.last_test_point = line.decode("utf-8", "replace")

    @property
    def finished(self):
        return self.ended is not None

    def where(self):
        where = "after line %d" % self.lines
        if self.last_test_point:
            where += " (last test point: %s)" % self.last_test_point
        elif not self.started:
            where += " (no \"TAP version 14\" yet)"
        return where


def die_with_parent():
    """The console command gets SIGKILL when this filter dies (prctl PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def forward_input(source, process):
    """LAVA's keystrokes for the console command; False once our input has ended."""
    data = os.read(source, 4096)
    if not data:
        return False
    try:
        write_all(process.stdin.fileno(), data)
    except OSError:
        pass
    return True


def relay(process, log_file, watch, limits):
    """Copies the console to stdout and LOG_FILE until the run is over, and our input to
    the console command. Returns why it stopped: None after the end marker, else why."""
    source, keys = process.stdout.fileno(), sys.stdin.fileno()
    inputs = [source, keys]
    while not watch.finished or time.monotonic() - watch.ended < LINGER_MAX_S:
        limit = limits["linger"] if watch.finished else (
            limits["silence"] if watch.started else limits["boot_silence"])
        ready, _, _ = select.select(inputs, [], [], limit)
        if not ready:
            return None if watch.finished else "no output for %g s %s" % (limit, watch.where())
        if keys in ready and not forward_input(keys, process):
            inputs.remove(keys)
        if source not in ready:
            continue
        data = os.read(source, 65536)
        if not data:
            return None if watch.finished else \
                "console closed %s before the end marker" % watch.where()
        write_all(sys.stdout.fileno(), data)
        log_file.write(data)
        watch.feed(data)
    return None


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_check(log_path, reader):
    """The `log` check: tools/fpulab-log's verdict on the relayed log, or why not."""
    try:
        result = subprocess.run([reader, log_path], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        return "tools/fpulab-log could not run: %s" % error
    if result.returncode in (0, 1):
        return None
    problems = result.stderr.decode("utf-8", "replace").splitlines()
    prefix = "fpulab-log: %s:" % log_path
    first = next((line for line in problems if line.startswith(prefix)), None)
    if first is not None:
        return "line " + first[len(prefix):].strip()
    return "tools/fpulab-log exit %d: %s" % (result.returncode,
                                               problems[0] if problems else "no message")


def print_checks(ended_problem, log_problem):
    lines = ["checks"]
    for name, problem in (("ended", ended_problem), ("log", log_problem)):
        lines.append("ok - " + name if problem is None else
                     "not ok - %s # %s" % (name, problem))
    lines.append("done")
    text = "".join("\r\n" + PREFIX + line for line in lines) + "\r\n"
    write_all(sys.stdout.fileno(), text.encode())
    return 0 if ended_problem is None and log_problem is None else 1


def run_console(command, limits, log_path=None, reader=None):
    """Runs COMMAND as the console; returns 0 when both checks passed, else 1."""
    reader = reader or os.path.join(TOOLS, "fpulab-log")
    keep = log_path is not None
    if not keep:
        handle, log_path = tempfile.mkstemp(prefix="fpulab-lava-console-", suffix=".log")
        os.close(handle)
    os.set_blocking(sys.stdout.fileno(), True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    process = None
    try:
        try:
            # Its own pipes: QEMU makes its standard input non-blocking, which on a
            # shared terminal would make our output lose bytes.
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        except OSError as error:
            return print_checks("console command did not start: %s" % error,
                                "no log: the console command did not start")
        watch = RunWatch()
        with open(log_path, "wb") as log_file:
            ended_problem = relay(process, log_file, watch, limits)
        stop(process)
        return print_checks(ended_problem, log_check(log_path, reader))
    finally:
        if process is not None:
            stop(process)
        if not keep:
            os.unlink(log_path)


def add_arguments(parser):
    parser.add_argument("--boot-silence", type=float, default=300, metavar="S",
                        help="end the run after S s without output before \"TAP version 14\" (300)")
    parser.add_argument("--silence", type=float, default=120, metavar="S",
                        help="end the run after S s without output once it started (120)")
    parser.add_argument("--linger", type=float, default=2, metavar="S",
                        help="after the end marker, wait until the console is quiet for S s or closes (2)")
    parser.add_argument("--log", metavar="FILE", help="keep the relayed console output in FILE")
    parser.add_argument("console_command", nargs="+", metavar="-- COMMAND",
                        help="the console: QEMU's command line, or e.g. telnet HOST PORT")


def main(options):
    limits = {"boot_silence": options.boot_silence, "silence": options.silence,
              "linger": options.linger}
    return run_console(options.console_command, limits, options.log)
