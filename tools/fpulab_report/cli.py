"""fpulab-report LOG... [-o DIR]: the command line (docs/report.md)."""

import argparse
import os
import sys

from . import compare, logs

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_LOG, EXIT_USAGE = 0, 1, 2, 3

DESCRIPTION = """\
Renders fpulab logs (read through tools/fpulab-log --json) as DIR/index.html
(self-contained: inline SVG charts, no script, nothing fetched) and DIR/report.md,
and compares runs like Go's benchstat: with two or more LOGs the first is the base
and each other one is compared with it; with --base A... --new B... the groups are.
Runs are compared per CPU; two sides on different CPUs are compared across machines,
labelled so. The comparison is also printed on standard output.

exit status: 0 done; 1 --fail-above found a significant regression above PCT;
2 a log could not be read whole (its problems are listed, the others reported;
takes precedence over 1); 3 usage or setup error."""


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 3, like the project's other tools."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def parse_arguments(argv):
    parser = _Parser(prog="fpulab-report", description=DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logs", nargs="*", metavar="LOG", help="fpulab serial logs")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="write DIR/index.html, DIR/report.md and DIR/charts/")
    parser.add_argument("--base", nargs="+", metavar="A", default=[], help="base group")
    parser.add_argument("--new", nargs="+", metavar="B", default=[], help="new group")
    parser.add_argument("--fail-above", type=float, metavar="PCT",
                        help="exit 1 when a benchmark is significantly slower by more than "
                             "PCT percent")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level (default 0.05; the interval is 1-alpha)")
    parser.add_argument("--test-unit", choices=[compare.AUTO, compare.RAW, compare.RUNS],
                        default=compare.AUTO,
                        help="what the rank test compares: auto (default): the run "
                             "medians when each side has 4 runs or more, else the raw "
                             "samples where every run printed them, else the run medians; "
                             "raw: the raw samples where printed; runs: the run medians")
    parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 8),
                        help="processes drawing charts (default: the CPUs, at most 8)")
    options = parser.parse_args(argv)
    if bool(options.base) != bool(options.new):
        parser.error("--base and --new go together")
    if options.base and options.logs:
        parser.error("give LOGs or --base/--new, not both")
    if not options.logs and not options.base:
        parser.error("no LOG given")
    if options.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if not 0 < options.alpha < 1:
        parser.error("--alpha must be between 0 and 1")
    return options


def _load(paths):
    runs = [logs.read_log(path) for path in paths]
    return runs


def comparisons_of(options, runs_by_path):
    """The comparisons to make, from complete logs only."""
    def usable(paths):
        return [runs_by_path[path] for path in paths if runs_by_path[path].complete]
    if options.base:
        sides = [(usable(options.base), usable(options.new))]
    elif len(options.logs) >= 2:
        base = usable(options.logs[:1])
        sides = [(base, usable([path])) for path in options.logs[1:]]
    else:
        return [], []
    comparisons, unpaired = [], []
    for base, new in sides:
        if not base or not new:
            unpaired.append("a side has no log that could be read whole")
            continue
        pairs, left = compare.pair_by_cpu(base, new)
        unpaired += left
        for title, base_runs, new_runs, across in pairs:
            comparisons.append(compare.compare(title, base_runs, new_runs, options.alpha,
                                               options.test_unit, across))
    return comparisons, unpaired


def write_report(directory, runs, comparisons, unpaired, options):
    # matplotlib is imported only when a report is written.
    from . import html_page, markdown_page, rendering, sections
    blocks = sections.build(runs, comparisons, unpaired, options)
    chart_blocks = list(markdown_page.charts_of(blocks))
    rendering.render_charts(chart_blocks, options.jobs)
    os.makedirs(os.path.join(directory, "charts"), exist_ok=True)
    for chart in chart_blocks:
        with open(os.path.join(directory, "charts", chart.file_name), "w",
                  encoding="utf-8") as output:
            output.write(chart.svg)
    with open(os.path.join(directory, "index.html"), "w", encoding="utf-8") as output:
        output.write(html_page.render(blocks))
    with open(os.path.join(directory, "report.md"), "w", encoding="utf-8") as output:
        output.write(markdown_page.render(blocks))


def print_summary(runs, comparisons, unpaired, options):
    from .text_output import comparison_lines
    for run in runs:
        for problem in run.problems:
            print(f"fpulab-report: {problem}", file=sys.stderr)
        if not run.complete:
            print(f"fpulab-report: {run.path}: incomplete or garbled, left out of comparisons",
                  file=sys.stderr)
    for index, comparison in enumerate(comparisons, 1):
        print("\n".join(comparison_lines(index, comparison, options.alpha)))
        print()
    for line in unpaired:
        print(f"not compared: {line}")


def gate(comparisons, options):
    if options.fail_above is None:
        return EXIT_OK
    found = compare.regressions(comparisons, options.fail_above)
    for comparison, row in found:
        print(f"fpulab-report: regression above {options.fail_above:g}%: {row.name} "
              f"{row.change:+.1f}% [{row.ci_low:+.1f}%, {row.ci_high:+.1f}%] p={row.p:.3g} "
              f"in {comparison.title}", file=sys.stderr)
    return EXIT_REGRESSION if found else EXIT_OK


def main(argv=None):
    options = parse_arguments(sys.argv[1:] if argv is None else argv)
    paths = options.logs or options.base + options.new
    try:
        runs = _load(list(dict.fromkeys(paths)))
    except logs.ReaderUnavailable as error:
        print(f"fpulab-report: {error}", file=sys.stderr)
        return EXIT_USAGE
    logs.label_runs(runs)
    runs_by_path = {run.path: run for run in runs}
    comparisons, unpaired = comparisons_of(options, runs_by_path)
    print_summary(runs, comparisons, unpaired, options)
    if options.output:
        try:
            write_report(options.output, runs, comparisons, unpaired, options)
        except OSError as error:
            print(f"fpulab-report: cannot write {options.output}: {error.strerror}",
                  file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {os.path.join(options.output, 'index.html')} and "
              f"{os.path.join(options.output, 'report.md')}")
    status = gate(comparisons, options)
    if any(not run.complete for run in runs):
        return EXIT_BAD_LOG
    return status
