"""Draws every chart of the report, on several CPUs when there are several."""

import multiprocessing

_pending = []


def _draw(index):
    return _pending[index]()


def render_charts(chart_blocks, jobs):
    """Fills each Chart's svg. jobs > 1: that many forked workers, each drawing whole
    charts (matplotlib is not thread-safe; processes share nothing)."""
    global _pending
    _pending = [chart.draw for chart in chart_blocks]
    try:
        if jobs > 1 and len(_pending) > 2:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(_pending))) as pool:
                svgs = pool.map(_draw, range(len(_pending)), chunksize=1)
        else:
            svgs = [draw() for draw in _pending]
    finally:
        _pending = []
    for chart, svg in zip(chart_blocks, svgs):
        chart.svg = svg
