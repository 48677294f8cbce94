"""One log, read through the project's reader (tools/fpulab-log --json)."""

import json
import os
import subprocess
from dataclasses import dataclass, field

READER_PREFIX = "fpulab-log: "

# The reader's exit statuses (docs/output.md).
READER_ALL_OK, READER_SOME_NOT_OK, READER_INCOMPLETE = 0, 1, 2


class ReaderUnavailable(Exception):
    """The reader could not be run at all (a setup problem, not a bad log)."""


@dataclass
class Bench:
    record: dict
    samples: list = None          # raw samples in the record's unit, when printed

    @property
    def name(self):
        return self.record["name"]


@dataclass
class Run:
    path: str
    label: str = ""
    status: int = READER_INCOMPLETE
    problems: list = field(default_factory=list)   # "FILE:LINE: what", from the reader
    summary: str = ""
    fpulab: dict = None
    cpu: dict = None
    weights: dict = None
    tests: list = field(default_factory=list)
    benches: list = field(default_factory=list)
    lab: list = field(default_factory=list)
    claims: list = field(default_factory=list)

    @property
    def complete(self):
        """The reader found the log whole and well formed."""
        return self.status in (READER_ALL_OK, READER_SOME_NOT_OK)

    def tests_with(self, result):
        return [test for test in self.tests if test["result"] == result]


def reader_path():
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fpulab-log")


def _add_record(run, record):
    kind = record.get("kind")
    if kind == "test":
        run.tests.append(record)
    elif kind == "bench":
        run.benches.append(Bench(record))
    elif kind == "raw":
        # The reader writes a raw line only right after its valid bench record.
        if run.benches and run.benches[-1].name == record.get("name"):
            run.benches[-1].samples = record["samples"]
    elif kind == "lab":
        run.lab.append(record)
    elif kind == "claim":
        run.claims.append(record)
    elif kind in ("fpulab", "cpu", "weights"):
        setattr(run, kind, record)


def _read_stderr(run, text):
    for line in text.splitlines():
        if line.startswith(READER_PREFIX):
            run.problems.append(line[len(READER_PREFIX):])
        elif line.startswith("summary: "):
            run.summary = line[len("summary: "):]
        elif line.strip():
            run.problems.append(line)


def read_log(path, reader=None):
    """Runs the reader on path and returns the Run, whatever the log's state."""
    reader = reader or reader_path()
    try:
        finished = subprocess.run([reader, "--json", "--", path], capture_output=True,
                                  check=False)
    except OSError as error:
        raise ReaderUnavailable(f"cannot run {reader}: {error.strerror}") from error
    if finished.returncode > READER_INCOMPLETE:
        message = finished.stderr.decode("utf-8", "replace").strip()
        raise ReaderUnavailable(f"{reader} failed with status {finished.returncode}: {message}")
    run = Run(path=path, status=finished.returncode)
    _read_stderr(run, finished.stderr.decode("utf-8", "replace"))
    for line in finished.stdout.decode("utf-8", "replace").splitlines():
        _add_record(run, json.loads(line))
    return run


def label_runs(runs):
    """Short labels from the file names, numbered where two are alike."""
    names = [os.path.basename(run.path) for run in runs]
    for index, run in enumerate(runs):
        name = names[index]
        stem = name[:-4] if name.endswith(".log") else name
        run.label = stem if names.count(name) == 1 else f"{stem} ({index + 1})"
