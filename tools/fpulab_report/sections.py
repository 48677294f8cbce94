"""The report's sections as document blocks (document.py), from the runs and the
comparisons. Problems and failures come first."""

import re
from collections import OrderedDict
from functools import partial

from . import charts, machines
from .document import Box, Cell, Chart, Details, Heading, Items, Paragraph, Table
from .families import family_of, format_value, short_name, values_of


class ChartNames:
    """Stable ids and file names: chart-1, chart-2, ... in the order they are made."""

    def __init__(self):
        self.count = 0

    def next(self, label):
        self.count += 1
        slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-").lower()[:60]
        return f"chart-{self.count}", f"{self.count:02d}-{slug}.svg"


def run_state(run):
    return "complete" if run.complete else "incomplete or garbled"


def shown_label(run):
    return run.label if run.complete else f"{run.label} (incomplete)"


# ---- at the top ----

def problems_section(runs):
    bad = [run for run in runs if run.problems or not run.complete]
    if not bad:
        return []
    blocks = [Heading(2, "Logs that could not be read whole", "problems")]
    for run in bad:
        used = "its well-formed part is shown below, marked (incomplete), and left out of " \
               "comparisons" if run.tests or run.benches else "nothing in it could be used"
        blocks.append(Paragraph(f"{run.path}: {run_state(run)}; {used}.", "bad"))
        blocks.append(Items(run.problems or ["the reader gave no reason"], "mono"))
    return [Box(blocks, "bad", "problems-box")]


def failures_section(runs):
    rows = [[shown_label(run), Cell(test["name"], tone="mono"), test.get("reason", "")]
            for run in runs for test in run.tests_with("not ok")]
    if not rows:
        return [Paragraph("No test point is not ok in any log.", "good")]
    return [Box([Heading(2, f"Failed test points ({len(rows)})", "failures"),
                 Table(["log", "test", "reason"], rows)], "bad", "failures-box")]


def runs_section(runs):
    rows = []
    for run in runs:
        fpulab = run.fpulab or {}
        rows.append([run.label, machines.cpu_label(run), fpulab.get("boot", "?"),
                     Cell(fpulab.get("args", ""), tone="mono"), run.summary or "no summary",
                     Cell(run_state(run), tone="" if run.complete else "bad")])
    return [Heading(2, "Logs", "logs"),
            Table(["log", "machine", "boot", "arguments", "tests", "log state"], rows)]


# ---- comparisons ----

def _signed(value, percent):
    text = f"{value:+.1f}%" if percent else f"{value:+.2f}"
    return text


def change_text(row):
    if not row.tested:
        return ""
    return f"{_signed(row.change, row.percent)} [{_signed(row.ci_low, row.percent)}, " \
           f"{_signed(row.ci_high, row.percent)}]"


def p_text(row):
    if not row.tested:
        return ""
    return "<0.001" if row.p < 0.001 else f"{row.p:.3f}"


def verdict_cell(row):
    tone = {"slower": "bad", "faster": "good"}.get(row.verdict, "")
    return Cell(row.verdict + (f" ({row.note})" if row.note else ""), tone=tone)


def comparison_table(comparison, confidence):
    rows = []
    for row in comparison.rows:
        rows.append([Cell(row.name, tone="mono"), row.unit,
                     format_value(row.base_median) if row.tested else "",
                     format_value(row.new_median) if row.tested else "",
                     change_text(row), p_text(row),
                     f"{row.n_base}+{row.n_new} {row.sample_kind}" if row.tested else "",
                     verdict_cell(row)])
    return Table(["benchmark", "unit", "base median", "new median",
                  f"change [{confidence:.0%} CI]", "p", "n", "verdict"], rows,
                 numeric=(2, 3, 4, 5))


def comparison_section(index, comparison, options, names):
    blocks = [Heading(3, f"Comparison {index}: {comparison.title}", f"comparison-{index}")]
    if comparison.across_machines:
        blocks.append(Paragraph("Different machines: the change says how the machines "
                                "differ, not how the code changed.", "note"))
    blocks.append(Paragraph(
        f"base: {', '.join(run.path for run in comparison.base)}; new: "
        f"{', '.join(run.path for run in comparison.new)}. Significant when p < "
        f"{options.alpha} (Mann-Whitney U, two-sided); change of the median with a "
        f"percentile-bootstrap interval."))
    plotted = [row for row in comparison.rows if row.tested and row.percent]
    if plotted:
        chart_id, file_name = names.next(f"comparison-{index}")
        draw = partial(charts.change_chart, chart_id,
                       f"Comparison {index}: change of each median", plotted, options.fail_above)
        blocks.append(Chart(draw, file_name, f"Comparison {index}: {len(plotted)} benchmarks, "
                            "change of the median with its confidence interval.", "change",
                            comparison.title))
    blocks.append(comparison_table(comparison, 1 - options.alpha))
    leftovers = [f"only in base: {name}" for name in comparison.only_base] + \
                [f"only in new: {name}" for name in comparison.only_new]
    if leftovers:
        blocks.append(Items(leftovers, "mono"))
    return blocks


def comparisons_section(comparisons, unpaired, options, names):
    if not comparisons and not unpaired:
        return []
    blocks = [Heading(2, "Comparison", "comparison")]
    for index, comparison in enumerate(comparisons, 1):
        blocks += comparison_section(index, comparison, options, names)
    if unpaired:
        blocks.append(Paragraph("Not compared (no run on the same CPU on the other side):"))
        blocks.append(Items(unpaired))
    return blocks


# ---- machines and benchmarks ----

def machines_section(groups):
    blocks = [Heading(2, "Machines", "machines")]
    for runs in groups.values():
        blocks.append(Heading(3, machines.cpu_label(runs[0])))
        blocks.append(Paragraph("runs: " + ", ".join(shown_label(run) for run in runs)))
        blocks.append(Table(["", ""], [[name, Cell(str(value))]
                                       for name, value in machines.machine_rows(runs[0])]))
    return blocks


def _family_groups(runs):
    """(family, unit) -> OrderedDict benchmark name -> [(run index, run, values)]."""
    families = OrderedDict()
    for index, run in enumerate(runs):
        for bench in run.benches:
            values = values_of(bench)
            key = (family_of(bench.name), values.unit)
            families.setdefault(key, OrderedDict()).setdefault(bench.name, []).append(
                (index, run, values))
    return families


def _bench_details(family, benches):
    rows = []
    for name, entries in benches.items():
        for _, run, values in entries:
            rows.append([Cell(short_name(name, family), tone="mono"), shown_label(run),
                         str(values.n), format_value(values.p5), format_value(values.p50),
                         format_value(values.p95), format_value(values.p99),
                         "yes" if values.samples is not None else "no"])
    return Table(["benchmark", "run", "n", "p5", "median", "p95", "p99", "raw samples"], rows,
                 numeric=(2, 3, 4, 5, 6))


def family_blocks(machine_number, family, unit, benches, run_colours, names):
    groups = []
    used_runs = OrderedDict()
    for name, entries in benches.items():
        series = []
        for index, run, values in entries:
            series.append(charts.Series(shown_label(run), run_colours[index], values))
            used_runs[shown_label(run)] = run_colours[index]
        groups.append((short_name(name, family), series))
    legend = list(used_runs.items()) if len(used_runs) > 1 else []
    chart_id, file_name = names.next(f"machine-{machine_number}-{family}")
    draw = partial(charts.range_chart, chart_id, f"{family} ({unit})", unit, groups, legend)
    sources = {values.cycles_source for entries in benches.values()
               for _, _, values in entries if values.cycles_source}
    raw = any(values.samples is not None for entries in benches.values()
              for _, _, values in entries)
    caption = f"{family}: {len(benches)} benchmark(s), in {unit} per iteration" + \
              (f" (cycles from {', '.join(sorted(sources))})" if sources else "") + \
              ("; shaded: histogram of the raw samples (the axis ends past the highest p95)" if raw else
               "; no raw samples in these runs (kernel argument raw)")
    return [Chart(draw, file_name, caption, "bench", family),
            Details(f"numbers of {family}", [_bench_details(family, benches)])]


def benchmarks_section(groups, run_colours, names):
    blocks = [Heading(2, "Benchmarks", "benchmarks")]
    for machine_number, runs in enumerate(groups.values(), 1):
        families = _family_groups(runs)
        blocks.append(Heading(3, machines.cpu_label(runs[0])))
        if not families:
            blocks.append(Paragraph("No bench records."))
        colours = [run_colours[id(run)] for run in runs]
        for (family, unit), benches in families.items():
            blocks += family_blocks(machine_number, family, unit, benches, colours, names)
    return blocks


# ---- the policy lab ----

def _verdict_label(record):
    verdict = record["verdict"]
    if verdict == "corrupted":
        return ("corrupted (expected)", "note") if record.get("expected_corruption") else \
               ("CORRUPTED", "bad")
    if verdict == "intact":
        return "intact", ""
    return verdict + (f": {record['error']}" if record.get("error") else ""), "bad"


def _lab_cell(record, top_cost):
    cost = record.get("cost_cycles")
    verdict, tone = _verdict_label(record)
    measured = f", measured {record['cycles']} TSC ticks" if "cycles" in record else ""
    text = f"{cost if cost is not None else '?'}\n{record['saves']}+{record['restores']} {verdict}"
    shade = cost / top_cost if isinstance(cost, (int, float)) and top_cost else None
    return Cell(text, shade, tone, f"{record['policy']} on {record['scenario']}: cost "
                f"{cost}, {record['saves']} saves + {record['restores']} restores{measured}")


def lab_table(records):
    scenarios = list(OrderedDict.fromkeys(record["scenario"] for record in records))
    policies = list(OrderedDict.fromkeys(record["policy"] for record in records))
    cells = {(record["policy"], record["scenario"]): record for record in records}
    costs = [record.get("cost_cycles") for record in records
             if isinstance(record.get("cost_cycles"), (int, float))]
    top = max(costs) if costs else 0
    rows = []
    for policy in policies:
        row_records = [cells.get((policy, scenario)) for scenario in scenarios]
        origin = next(record["origin"] for record in row_records if record)
        total = sum(record.get("cost_cycles", 0) for record in row_records if record)
        rows.append([Cell(policy, tone="mono"), origin] +
                    [_lab_cell(record, top) if record else "" for record in row_records] +
                    [str(total)])
    return Table(["configuration", "origin"] + scenarios + ["total cost"], rows,
                 caption="cell: cost (cycles, the lab's cost model), then saves+restores and "
                         "the verdict; darker = costlier")


def _weights_text(weights):
    parts = []
    for name, weight in (weights.get("weights") or {}).items():
        parts.append(f"{name} {weight.get('ticks')} ({weight.get('from')})")
    return f"cost weights ({weights.get('source')}): " + "; ".join(parts)


def lab_section(runs):
    with_lab = [run for run in runs if run.lab]
    if not with_lab:
        return [Heading(2, "Policy lab", "lab"), Paragraph("No lab records in these logs.")]
    blocks = [Heading(2, "Policy lab", "lab")]
    for run in with_lab:
        for backend in OrderedDict.fromkeys(record["backend"] for record in run.lab):
            records = [record for record in run.lab if record["backend"] == backend]
            blocks.append(Heading(3, f"{shown_label(run)}: {backend} backend"))
            blocks.append(lab_table(records))
        if run.weights:
            blocks.append(Paragraph(_weights_text(run.weights), "note"))
        lab_tests = [test for test in run.tests if test["name"].startswith("lab/")]
        blocks.append(Details(f"lab test points of {shown_label(run)}", [Table(
            ["test", "result"], [[Cell(test["name"], tone="mono"), _result_cell(test)]
                                 for test in lab_tests])]))
    return blocks


def _result_cell(test):
    result = test["result"] + (f": {test['reason']}" if test.get("reason") else "")
    return Cell(result, tone={"not ok": "bad", "skip": "note"}.get(test["result"], ""))


# ---- claims and skips ----

def _evidence(value):
    if isinstance(value, dict):
        return ", ".join(f"{key}={_evidence(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_evidence(item) for item in value) + "]"
    return str(value)


CLAIM_FIELDS = ("kind", "schema", "id", "claim", "verdict")


def _claim_tests(run):
    tests = {}
    for test in run.tests:
        match = re.search(r"(?:^|/)claim/(c\d+)$", test["name"])
        if match:
            tests[match.group(1).upper()] = test
    return tests


def claims_section(runs):
    blocks = [Heading(2, "Claims", "claims")]
    found = False
    for run in runs:
        tests = _claim_tests(run)
        records = {record["id"]: record for record in run.claims}
        ids = sorted(set(tests) | set(records), key=lambda text: (len(text), text))
        if not ids:
            continue
        found = True
        rows = []
        for claim_id in ids:
            record, test = records.get(claim_id, {}), tests.get(claim_id)
            evidence = "; ".join(f"{key}: {_evidence(value)}" for key, value in record.items()
                                 if key not in CLAIM_FIELDS)
            rows.append([claim_id, record.get("claim", ""),
                         record.get("verdict", "no claim record"),
                         _result_cell(test) if test else "no test point",
                         Cell(evidence, tone="small")])
        blocks.append(Heading(3, shown_label(run)))
        blocks.append(Table(["claim", "as the seed put it", "verdict", "test point", "evidence"],
                            rows))
    if not found:
        blocks.append(Paragraph("No claims in these logs."))
    return blocks


def skips_section(runs):
    blocks = [Heading(2, "Skipped tests", "skips")]
    total = 0
    for run in runs:
        skipped = run.tests_with("skip")
        total += len(skipped)
        if skipped:
            blocks.append(Details(f"{shown_label(run)}: {len(skipped)} skipped", [Table(
                ["test", "reason"], [[Cell(test["name"], tone="mono"), test.get("reason", "")]
                                     for test in skipped])]))
    if not total:
        blocks.append(Paragraph("No test was skipped."))
    return blocks


def summary_paragraph(runs, groups, comparisons):
    tests = sum(len(run.tests) for run in runs)
    failed = sum(len(run.tests_with("not ok")) for run in runs)
    text = f"{len(runs)} log(s), {len(groups)} machine(s), {tests} test points, " \
           f"{failed} not ok, {sum(len(run.benches) for run in runs)} benchmarks"
    if comparisons:
        text += f", {len(comparisons)} comparison(s)"
    return Paragraph(text + ".")


def build(runs, comparisons, unpaired, options):
    groups = machines.group_by_cpu(runs)
    run_colours = {id(run): charts.colour(index) for index, run in enumerate(runs)}
    names = ChartNames()
    blocks = [Heading(1, "fpulab report"), summary_paragraph(runs, groups, comparisons)]
    blocks += problems_section(runs)
    blocks += failures_section(runs)
    blocks += runs_section(runs)
    blocks += comparisons_section(comparisons, unpaired, options, names)
    blocks += machines_section(groups)
    blocks += benchmarks_section(groups, run_colours, names)
    blocks += lab_section(runs)
    blocks += claims_section(runs)
    blocks += skips_section(runs)
    return blocks
