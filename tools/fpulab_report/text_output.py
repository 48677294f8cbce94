"""The comparison as plain text on standard output, aligned like benchstat's."""

from .families import format_value
from .sections import change_text, p_text

SHORT_KIND = {"raw samples": "raw", "run medians": "runs"}


def _columns(rows):
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) if index in (0, 1, 7) else cell.rjust(width)
                      for index, (cell, width) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def comparison_lines(index, comparison, alpha):
    lines = [f"comparison {index}: {comparison.title}"]
    if comparison.across_machines:
        lines.append("  (different machines: the change says how the machines differ)")
    rows = [["benchmark", "unit", "base", "new", f"change [{1 - alpha:.0%} CI]", "p", "n",
             "verdict"]]
    for row in comparison.rows:
        rows.append([row.name, row.unit,
                     format_value(row.base_median) if row.tested else "",
                     format_value(row.new_median) if row.tested else "",
                     change_text(row), p_text(row),
                     f"{row.n_base}+{row.n_new} {SHORT_KIND[row.sample_kind]}" if row.tested else "",
                     row.verdict + (f" ({row.note})" if row.note else "")])
    lines += _columns(rows)
    lines += [f"only in base: {name}" for name in comparison.only_base]
    lines += [f"only in new: {name}" for name in comparison.only_new]
    return lines
