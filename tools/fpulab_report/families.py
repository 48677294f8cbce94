"""Benchmark families and the numbers a chart or comparison uses for one record."""

from dataclasses import dataclass

import numpy as np

UNIT_NAMES = {"tsc": "TSC ticks", "cycles": "core cycles", "ns": "ns",
              "instructions": "instructions"}
CORE_CYCLES = "core cycles"
CALIBRATED_FIELDS = ("p5", "p50", "p95")


def family_of(name):
    """xsave/xsaveopt/avx/init -> xsave/xsaveopt; smp/ipi-round-trip -> smp."""
    parts = name.split("/")
    return "/".join(parts[:2]) if len(parts) >= 3 else parts[0]


def short_name(name, family):
    return name[len(family) + 1:] if name.startswith(family + "/") else name


@dataclass
class Values:
    """One bench record in the unit it is best read in."""
    unit: str
    p5: float
    p50: float
    p95: float
    p99: float
    n: int
    samples: np.ndarray = None     # in unit; None when the run printed none
    cycles_source: str = ""


def _calibrated_cycles(record):
    cycles = record.get("cycles")
    if not isinstance(cycles, dict):
        return None
    if not all(isinstance(cycles.get(key), (int, float)) for key in CALIBRATED_FIELDS):
        return None
    return cycles


def values_of(bench):
    """Core cycles where the record carries a calibrated "cycles" object (raw samples,
    in the record's own unit, scaled by its cycles p50 / p50), else the record's unit."""
    record = bench.record
    samples = np.asarray(bench.samples, dtype=float) if bench.samples is not None else None
    cycles = _calibrated_cycles(record)
    if cycles is None:
        return Values(UNIT_NAMES.get(record["unit"], record["unit"]), record["p5"],
                      record["p50"], record["p95"], record["p99"], record["n"], samples)
    if samples is not None:
        samples = samples * (cycles["p50"] / record["p50"]) if record["p50"] > 0 else None
    return Values(CORE_CYCLES, cycles["p5"], cycles["p50"], cycles["p95"],
                  cycles.get("p99", cycles["p95"]), record["n"], samples,
                  str(record.get("cycles_source", "")))


def format_value(value):
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    return f"{value:.2f}"
