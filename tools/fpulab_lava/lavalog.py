"""Reading a LAVA job log: lava-run's stdout, or a server's log (`lavacli jobs logs ID
--raw`, the same lines with a leading "- "). Each line is one YAML mapping
{dt, lvl, msg}; `results` lines are the cases LAVA recorded, `target` lines what the
device printed, with LAVA's changes (docs/lava.md, "What LAVA keeps of the serial log").
"""

import json
import re
import sys

import yaml

try:
    LOADER = yaml.CSafeLoader
except AttributeError:
    LOADER = yaml.SafeLoader

SUITES = ("fpulab", "fpulab-run", "lava")
CHECK_LINE = re.compile(r"fpulab-lava: not ok - ([a-z-]+) # (.*)")
NOT_OK_LINE = re.compile(r"not ok [0-9]+ - (\S+)(?: # (.*))?")
# What is left of an escape sequence once LAVA dropped its ESC byte (OVMF's screen
# clearing before fpulab's first line).
ESCAPE_REMNANT = re.compile(r"^(?:\[[0-9;?=]*[A-Za-z])+")


def entries(lines):
    """The {dt, lvl, msg} mappings of a job log; lines that are not one are skipped."""
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("- "):
            line = line[2:]
        if not line.startswith("{"):
            continue
        try:
            entry = yaml.load(line, Loader=LOADER)
        except yaml.YAMLError:
            continue
        if isinstance(entry, dict) and "lvl" in entry:
            yield entry


def target_line(message):
    """A device line as printed: LAVA escaped every '"' as '\\"' (ShellLogger)."""
    line = str(message).replace('\\"', '"')
    return ESCAPE_REMNANT.sub("", line)


class JobLog:
    """The results and the serial lines of one job log."""

    def __init__(self, lines):
        self.results = []
        self.serial = []
        for entry in entries(lines):
            if entry["lvl"] == "results" and isinstance(entry.get("msg"), dict):
                self.results.append(entry["msg"])
            elif entry["lvl"] == "target":
                self.serial.append(target_line(entry.get("msg", "")))

    def suite(self, name):
        return [result for result in self.results if result.get("definition") == name]

    def job_result(self):
        """LAVA's `lava/job` case: None when the log has none (lava-run died)."""
        jobs = [result for result in self.suite("lava") if result.get("case") == "job"]
        return jobs[-1] if jobs else None

    def reasons(self):
        """Why each failed case failed, from the serial lines: {(suite, id): reason}."""
        reasons = {}
        for line in self.serial:
            check = CHECK_LINE.match(line)
            failure = NOT_OK_LINE.match(line)
            if check:
                reasons[("fpulab-run", check.group(1))] = check.group(2)
            elif failure:
                reasons[("fpulab", failure.group(1))] = failure.group(2) or ""
        return reasons


def counts(results):
    """{"pass": N, "fail": N, "skip": N, "unknown": N} of RESULTS."""
    tally = {"pass": 0, "fail": 0, "skip": 0, "unknown": 0}
    for result in results:
        outcome = result.get("result")
        tally[outcome if outcome in tally else "unknown"] += 1
    return tally


def case_id(result):
    return (result.get("extra") or {}).get("test_case_id", result.get("case"))


def failures(log):
    """(suite/case, reason) of every failed case LAVA recorded, in order; a job without
    the run checks counts as one more (its console did not go through fpulab-lava
    console, so nothing checked how the run ended)."""
    reasons = log.reasons()
    found = []
    if log.suite("fpulab") and not log.suite("fpulab-run"):
        found.append(("fpulab-run/(none)", "LAVA recorded no run checks: the console did "
                      "not go through fpulab-lava console (docs/lava.md)"))
    for result in log.results:
        if result.get("result") != "fail":
            continue
        suite = result.get("definition")
        reason = result.get("error_msg") or (result.get("extra") or {}).get("fail") \
            or reasons.get((suite, case_id(result)), "")
        found.append(("%s/%s" % (suite, case_id(result)), reason))
    return found


def summary(log, out=sys.stdout):
    """Prints LAVA's recorded results; returns the exit status (0, 1, 2)."""
    for suite in SUITES:
        tally = counts(log.suite(suite))
        print("fpulab-lava: LAVA suite %s: %d pass, %d fail, %d skip" % (
            suite, tally["pass"], tally["fail"], tally["skip"]), file=out)
    failed = failures(log)
    for name, reason in failed:
        print("fpulab-lava: fail %s%s" % (name, ": " + reason if reason else ""), file=out)
    job = log.job_result()
    complete = job is not None and job.get("result") == "pass"
    if job is None:
        print("fpulab-lava: the job did not complete: LAVA recorded no job result", file=out)
    elif not complete:
        print("fpulab-lava: the job did not complete: %s: %s" % (
            job.get("error_type", "?"), job.get("error_msg", "?")), file=out)
    tests = counts(log.suite("fpulab"))
    others = sum(1 for name, _ in failed if not name.startswith("fpulab/"))
    print("summary: %d passed, %d failed, %d skipped" % (
        tests["pass"], tests["fail"] + others, tests["skip"]), file=out)
    if not complete:
        return 2
    return 1 if failed else 0


def write_results(log, path):
    with open(path, "w", encoding="utf-8") as out:
        for result in log.results:
            out.write(json.dumps(result, sort_keys=True) + "\n")


def write_serial(log, path):
    with open(path, "w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in log.serial))


def read(path):
    with (sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")) as lines:
        return JobLog(lines)


def main(options):
    try:
        log = read(options.job_log)
    except OSError as error:
        print("fpulab-lava: %s" % error, file=sys.stderr)
        return 3
    if options.command == "serial":
        sys.stdout.write("".join(line + "\n" for line in log.serial))
        return 0
    return summary(log)
