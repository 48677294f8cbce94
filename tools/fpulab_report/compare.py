"""Comparisons of runs, in the manner of Go's benchstat (docs/report.md)."""

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from . import machines, stats
from .families import values_of

RAW, RUNS, AUTO = "raw", "runs", "auto"


@dataclass
class Row:
    name: str
    unit: str
    base_median: float = None
    new_median: float = None
    change: float = None          # percent (or difference in the unit, percent False)
    ci_low: float = None
    ci_high: float = None
    percent: bool = True
    p: float = None
    sample_kind: str = ""         # "raw samples" or "run medians"
    n_base: int = 0
    n_new: int = 0
    verdict: str = ""             # slower, faster, ~, or why there is no test
    note: str = ""

    @property
    def tested(self):
        return self.p is not None


@dataclass
class Comparison:
    title: str
    base: list
    new: list
    across_machines: bool
    rows: list = field(default_factory=list)
    only_base: list = field(default_factory=list)
    only_new: list = field(default_factory=list)


def _benches_by_name(runs):
    by_name = OrderedDict()
    for run in runs:
        for bench in run.benches:
            by_name.setdefault(bench.name, []).append(values_of(bench))
    return by_name


# From 4 runs a side the rank test on run medians can reach p < 0.05 (2/C(8,4) = 0.029):
# then auto compares runs, the independent unit, and not the samples within a run.
ENOUGH_RUNS = 4


def _samples(values_list, test_unit):
    """The values the test compares, and what they are."""
    if test_unit != RUNS and all(values.samples is not None for values in values_list):
        return np.concatenate([values.samples for values in values_list]), "raw samples"
    return np.array([values.p50 for values in values_list], dtype=float), "run medians"


def _verdict(row, alpha):
    if row.p >= alpha:
        return "~"
    if row.change == 0:
        return "same median, other spread"
    return "slower" if row.change > 0 else "faster"


def compare_bench(name, base_values, new_values, alpha, test_unit):
    units = {values.unit for values in base_values + new_values}
    row = Row(name=name, unit=" / ".join(sorted(units)))
    if len(units) > 1:
        row.verdict, row.note = "not compared", "the sides are in different units"
        return row
    if test_unit == AUTO and min(len(base_values), len(new_values)) >= ENOUGH_RUNS:
        test_unit = RUNS
    base, base_kind = _samples(base_values, test_unit)
    new, new_kind = _samples(new_values, test_unit)
    if base_kind != new_kind:     # one side lacks raw samples: both use run medians
        base, base_kind = _samples(base_values, RUNS)
        new, new_kind = _samples(new_values, RUNS)
    row.sample_kind, row.n_base, row.n_new = base_kind, len(base), len(new)
    row.base_median, row.new_median = stats.median(base), stats.median(new)
    (row.change, row.ci_low, row.ci_high), row.percent = stats.change_interval(
        base, new, 1 - alpha)
    row.p = stats.mann_whitney_p(base, new)
    row.verdict = _verdict(row, alpha)
    if row.verdict == "~" and stats.smallest_p(len(base), len(new)) >= alpha:
        row.note = f"{len(base)}+{len(new)} {base_kind}: too few for significance at " \
                   f"{alpha:g}; give 4 or more runs a side, or runs with raw samples"
    return row


def compare(title, base_runs, new_runs, alpha, test_unit, across_machines):
    comparison = Comparison(title, base_runs, new_runs, across_machines)
    base, new = _benches_by_name(base_runs), _benches_by_name(new_runs)
    for name, base_values in base.items():
        if name in new:
            comparison.rows.append(compare_bench(name, base_values, new[name], alpha, test_unit))
        else:
            comparison.only_base.append(name)
    comparison.only_new = [name for name in new if name not in base]
    return comparison


def _side_label(runs):
    return ", ".join(run.label for run in runs)


def pair_by_cpu(base_runs, new_runs):
    """[(title, base runs, new runs, across machines)] and the CPUs left unpaired.
    Runs on the same CPU are compared with each other; when the two sides share no
    CPU but each has exactly one, they are compared across machines, labelled so."""
    base_groups = machines.group_by_cpu(base_runs)
    new_groups = machines.group_by_cpu(new_runs)
    shared = [key for key in base_groups if key in new_groups]
    pairs, unpaired = [], []
    for key in shared:
        base, new = base_groups[key], new_groups[key]
        pairs.append((f"{machines.cpu_label(base[0])}: {_side_label(base)} vs {_side_label(new)}",
                      base, new, False))
    if not shared and len(base_groups) == 1 and len(new_groups) == 1:
        base, new = next(iter(base_groups.values())), next(iter(new_groups.values()))
        pairs.append((f"across machines: {_side_label(base)} on {machines.cpu_label(base[0])} "
                      f"vs {_side_label(new)} on {machines.cpu_label(new[0])}", base, new, True))
        return pairs, unpaired
    for key, runs in base_groups.items():
        if key not in new_groups:
            unpaired.append(f"base only: {_side_label(runs)} on {machines.cpu_label(runs[0])}")
    for key, runs in new_groups.items():
        if key not in base_groups:
            unpaired.append(f"new only: {_side_label(runs)} on {machines.cpu_label(runs[0])}")
    return pairs, unpaired


def regressions(comparisons, fail_above):
    """Rows slower by more than fail_above percent, significantly."""
    found = []
    for comparison in comparisons:
        for row in comparison.rows:
            if row.verdict == "slower" and row.percent and row.change > fail_above:
                found.append((comparison, row))
    return found
