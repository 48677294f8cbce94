"""The report as a list of blocks, rendered twice: as HTML (html_page.py) and as
Markdown (markdown_page.py). Sections are built once, in sections.py."""

from dataclasses import dataclass, field


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass
class Paragraph:
    text: str
    tone: str = ""            # "", "bad", "good", "note"


@dataclass
class Items:
    """A bulleted list."""
    items: list
    tone: str = ""


@dataclass
class Cell:
    text: str
    shade: float = None       # 0..1: how costly, for a background shade
    tone: str = ""            # "bad", "good", "note", "mono"
    title: str = ""           # hover text in HTML


@dataclass
class Table:
    header: list
    rows: list                # each a list of str or Cell
    numeric: tuple = ()       # column indexes to right-align
    caption: str = ""


@dataclass
class Chart:
    draw: object              # () -> SVG text; called by rendering.render_charts
    file_name: str            # the same chart as DIR/charts/FILE for report.md
    caption: str
    kind: str                 # "bench" or "change"
    label: str                # what it shows (family, comparison)
    svg: str = ""             # inline SVG text, once drawn


@dataclass
class Box:
    """A group of blocks: tone "bad" marks the problems shown at the top."""
    blocks: list = field(default_factory=list)
    tone: str = ""
    anchor: str = ""


@dataclass
class Details:
    """Folded in HTML; plain in Markdown."""
    summary: str
    blocks: list = field(default_factory=list)
