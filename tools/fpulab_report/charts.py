"""Charts as self-contained SVG text (matplotlib's SVG backend, text drawn as paths).

Every id in a chart's SVG is prefixed with the chart's own id, so many charts can be
inlined in one page without two elements sharing an id."""

import io
import re
from dataclasses import dataclass

import matplotlib
matplotlib.use("svg")
from matplotlib.figure import Figure            # noqa: E402  (after the backend)
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.lines import Line2D              # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402
import numpy as np                               # noqa: E402

from .families import format_value               # noqa: E402

matplotlib.rcParams.update({
    "svg.fonttype": "path",       # glyphs as paths: no font files, no web fonts
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#d62728"]
SLOWER, FASTER, SAME = "#c0392b", "#1e8449", "#7f8c8d"
HISTOGRAM_BINS = 60
DETAILED_RUNS = 3   # more runs of one benchmark: one pooled histogram, no value labels
POOLED = "#888888"
ROW_INCHES = 0.24
CHAR_INCHES = 0.062
SHORTEN = re.compile(r"(\.\d\d)\d+")


def colour(index):
    return PALETTE[index % len(PALETTE)]


@dataclass
class Series:
    label: str
    colour: str
    values: object          # families.Values


def _svg_text(figure, chart_id):
    buffer = io.StringIO()
    matplotlib.rcParams["svg.hashsalt"] = chart_id
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # Two decimals of a point are plenty: path data and positions shrink by half.
    text = re.sub(r'\bd="[^"]*"', lambda match: SHORTEN.sub(r"\1", match.group(0)), text)
    text = re.sub(r'\b([xy]="-?\d+\.\d\d)\d*"', r'\1"', text)
    text = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r'(href="#|url\(#)([^")]+)', rf'\g<1>{chart_id}-\2', text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{chart_id}" ', 1)


def _row_labels(axes, labels, size):
    """Row names left of the axes, as plain texts: matplotlib's tick machinery costs
    more than the texts themselves."""
    axes.set_yticks([])
    transform = blended_transform_factory(axes.transAxes, axes.transData)
    for y, text in labels:
        axes.text(-0.01, y, text, transform=transform, ha="right", va="center", fontsize=size)


def _axis_range(series_lists):
    """From the lowest p5 (or 0) to the highest p95, padded: rare far samples do not
    squeeze every range into a corner."""
    lows = [s.values.p5 for series in series_lists for s in series]
    highs = [s.values.p95 for series in series_lists for s in series]
    low, high = min(lows), max(highs)
    if low >= 0 and low < 0.5 * high:
        low = 0.0
    span = high - low
    pad = span * 0.08 if span > 0 else max(abs(high) * 0.05, 1.0)
    return low - (pad if low != 0 else 0), high + pad


def _histogram_polygon(samples, edges, centre, half_height):
    """The histogram of samples as one closed outline mirrored about centre, the fullest
    bin half_height high on each side; runs of equal bins merged, empty ends dropped.
    None when no sample falls on the axis."""
    counts, _ = np.histogram(samples, bins=edges)
    used = np.nonzero(counts)[0]
    if len(used) == 0:
        return None
    first, last = used[0], used[-1]
    counts = counts[first:last + 1]
    starts = np.nonzero(np.concatenate([[True], counts[1:] != counts[:-1]]))[0]
    lefts = edges[first + starts]
    rights = np.append(lefts[1:], edges[last + 1])
    heights = np.repeat(counts[starts] / counts.max() * half_height, 2)
    xs = np.column_stack([lefts, rights]).ravel()
    upper = np.column_stack([xs, centre - heights])
    lower = np.column_stack([xs[::-1], (centre + heights)[::-1]])
    return np.vstack([upper, lower])


class _Marks:
    """Everything a range chart draws, gathered so it is drawn in a few calls."""

    def __init__(self, edges):
        self.edges = edges
        self.bars, self.bar_colours = [], []
        self.polygons, self.polygon_colours = [], []
        self.medians = []
        self.values = []

    def _histogram(self, samples, centre, half_height, colour_text):
        polygon = _histogram_polygon(samples, self.edges, centre, half_height)
        if polygon is not None:
            self.polygons.append(polygon)
            self.polygon_colours.append(colour_text)

    def add_row(self, series_list, first_y):
        """One benchmark: a band per series, from first_y down. Up to DETAILED_RUNS
        series get a histogram and their median written each; more share one pooled
        histogram and their medians are left to the table."""
        sampled = [series for series in series_list if series.values.samples is not None]
        detailed = len(series_list) <= DETAILED_RUNS
        if not detailed and sampled:
            last_y = first_y + len(series_list) - 1
            self._histogram(np.concatenate([series.values.samples for series in sampled]),
                            (first_y + last_y) / 2, (last_y - first_y) / 2 + 0.42, POOLED)
        for offset, series in enumerate(series_list):
            values, y = series.values, first_y + offset
            if detailed and values.samples is not None:
                self._histogram(values.samples, y, 0.42, series.colour)
            self.bars.append([(values.p5, y), (values.p95, y)])
            self.bar_colours.append(series.colour)
            self.medians.append((values.p50, y))
            if detailed:
                self.values.append((y, format_value(values.p50)))

    def draw(self, axes):
        if self.polygons:
            axes.add_collection(PolyCollection(self.polygons, facecolors=self.polygon_colours,
                                               alpha=0.28, linewidths=0))
        axes.add_collection(LineCollection(self.bars, colors=self.bar_colours, linewidths=3.2))
        xs, ys = zip(*self.medians)
        axes.plot(xs, ys, linestyle="none", marker="|", markersize=9, markeredgewidth=2,
                  color="black")
        transform = blended_transform_factory(axes.transAxes, axes.transData)
        for y, text in self.values:
            axes.text(1.01, y, text, transform=transform, va="center", fontsize=7)


def range_chart(chart_id, title, unit, groups, legend=()):
    """groups: [(row label, [Series])]; one band per series: a histogram of its raw
    samples (when printed), the p5-p95 range and a tick at the median (the value at
    the right). legend: [(label, colour)]."""
    rows = sum(len(series) for _, series in groups) + 0.5 * len(groups)
    label_inches = 0.3 + CHAR_INCHES * max(len(label) for label, _ in groups)
    height = 0.9 + ROW_INCHES * rows + (0.25 if legend else 0)
    figure = Figure(figsize=(label_inches + 7.2, height))
    axes = figure.add_axes([label_inches / (label_inches + 7.2), 0.55 / height,
                            6.4 / (label_inches + 7.2), (height - 0.95 -
                                                          (0.25 if legend else 0)) / height])
    low, high = _axis_range([series for _, series in groups])
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    marks, y, ticks = _Marks(edges), 0.0, []
    for label, series_list in groups:
        marks.add_row(series_list, y)
        ticks.append((y + (len(series_list) - 1) / 2, label))
        y += len(series_list) + 0.5
    marks.draw(axes)
    axes.set_xlim(low, high)
    axes.set_ylim(y - 0.5, -0.7)
    _row_labels(axes, ticks, 8)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_xlabel(f"{unit} per iteration: bar p5-p95, tick median, shade raw samples")
    axes.set_title(title, loc="left", fontweight="bold")
    if legend:
        handles = [Line2D([], [], color=c, linewidth=3.2) for _, c in legend]
        figure.legend(handles, [label for label, _ in legend], loc="upper right",
                      ncol=min(len(legend), 4), frameon=False, fontsize=7)
    return _svg_text(figure, chart_id)


def _change_colour(row):
    return {"slower": SLOWER, "faster": FASTER}.get(row.verdict, SAME)


def change_chart(chart_id, title, rows, fail_above=None):
    """rows: comparison rows with a percent change; the change of the median with its
    confidence interval, one line per benchmark."""
    label_inches = 0.3 + CHAR_INCHES * max(len(row.name) for row in rows)
    height = 1.0 + 0.17 * len(rows)
    figure = Figure(figsize=(label_inches + 6.0, height))
    axes = figure.add_axes([label_inches / (label_inches + 6.0), 0.55 / height,
                            5.6 / (label_inches + 6.0), (height - 0.95) / height])
    colours = [_change_colour(row) for row in rows]
    axes.add_collection(LineCollection([[(row.ci_low, y), (row.ci_high, y)]
                                        for y, row in enumerate(rows)],
                                       colors=colours, linewidths=2))
    axes.scatter([row.change for row in rows], range(len(rows)), s=12, c=colours, zorder=3)
    low = min(min(row.ci_low, row.change) for row in rows)
    high = max(max(row.ci_high, row.change) for row in rows)
    pad = max((high - low) * 0.05, 0.5)
    axes.set_xlim(min(low - pad, -pad), max(high + pad, pad,
                                             (fail_above or 0) + pad))
    extreme = max(max(abs(row.ci_low), abs(row.ci_high)) for row in rows)
    if extreme > 200:
        axes.set_xscale("symlog", linthresh=10)
    axes.axvline(0, color="black", linewidth=0.8)
    if fail_above is not None:
        axes.axvline(fail_above, color=SLOWER, linewidth=0.8, linestyle="--")
    axes.set_ylim(len(rows) - 0.5, -0.7)
    _row_labels(axes, [(y, row.name) for y, row in enumerate(rows)], 7)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_xlabel("change of the median, % (dot), with its confidence interval "
                    "(red: slower, green: faster, grey: no significant change)")
    axes.set_title(title, loc="left", fontweight="bold")
    return _svg_text(figure, chart_id)
