"""The blocks as one self-contained HTML page: inline CSS and SVG, no script, nothing
fetched."""

from html import escape

from .document import Box, Cell, Chart, Details, Heading, Items, Paragraph, Table

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       margin: 0 auto; max-width: 1200px; padding: 0 1.2em 3em; }
h1 { margin-top: 0.8em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { caption-side: bottom; text-align: left; color: #666; font-size: 12px; padding-top: 0.3em; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.small { font-size: 11px; color: #444; }
.bad { color: #b03a2e; font-weight: 600; }
.good { color: #1e8449; }
.note { color: #7d6608; }
.box-bad { border: 2px solid #c0392b; background: #fdf2f1; padding: 0.2em 1em; margin: 1em 0; }
figure.chart { margin: 1em 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 12px; }
details { margin: 0.3em 0 1em; } summary { cursor: pointer; color: #1f4e79; }
.lab td { white-space: nowrap; font-size: 12px; }
div.scroll { overflow-x: auto; }
"""


def _cell(cell, tag, numeric):
    if not isinstance(cell, Cell):
        cell = Cell(str(cell))
    classes = [cell.tone] if cell.tone else []
    if numeric:
        classes.append("num")
    attributes = f' class="{" ".join(classes)}"' if classes else ""
    if cell.shade is not None:
        alpha = 0.06 + 0.64 * max(0.0, min(1.0, cell.shade))
        attributes += f' style="background: rgba(230, 126, 34, {alpha:.2f})"'
        attributes += f' data-shade="{cell.shade:.3f}"'
    if cell.title:
        attributes += f' title="{escape(cell.title)}"'
    return f"<{tag}{attributes}>{escape(cell.text).replace(chr(10), '<br>')}</{tag}>"


def _table(table):
    shaded = any(isinstance(cell, Cell) and cell.shade is not None
                 for row in table.rows for cell in row)
    out = ['<div class="scroll">' + ('<table class="lab">' if shaded else "<table>")]
    if table.caption:
        out.append(f"<caption>{escape(table.caption)}</caption>")
    if any(table.header):
        out.append("<thead><tr>" + "".join(_cell(h, "th", False) for h in table.header) +
                   "</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        out.append("<tr>" + "".join(_cell(cell, "td", index in table.numeric)
                                    for index, cell in enumerate(row)) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _block(block):
    if isinstance(block, Heading):
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        tone = f' class="{block.tone}"' if block.tone else ""
        return f"<p{tone}>{escape(block.text)}</p>"
    if isinstance(block, Items):
        tone = f' class="{block.tone}"' if block.tone else ""
        return f"<ul{tone}>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + \
               "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return (f'<figure class="chart" data-chart="{block.kind}" '
                f'data-label="{escape(block.label)}">\n{block.svg}\n'
                f"<figcaption>{escape(block.caption)}</figcaption></figure>")
    if isinstance(block, Box):
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f'<section class="box-{block.tone}"{anchor}>' + \
               "\n".join(_block(inner) for inner in block.blocks) + "</section>"
    if isinstance(block, Details):
        return f"<details><summary>{escape(block.summary)}</summary>" + \
               "\n".join(_block(inner) for inner in block.blocks) + "</details>"
    raise TypeError(f"unknown block {block!r}")


def _navigation(blocks):
    links = []
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2 and block.anchor:
            links.append(f'<a href="#{escape(block.anchor)}">{escape(block.text)}</a>')
        if isinstance(block, Box):
            links += [f'<a href="#{escape(inner.anchor)}">{escape(inner.text)}</a>'
                      for inner in block.blocks
                      if isinstance(inner, Heading) and inner.level == 2 and inner.anchor]
    return "<nav>" + "".join(links) + "</nav>"


def render(blocks):
    body = "\n".join(_block(block) for block in blocks)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>fpulab report</title>\n<style>" + STYLE + "</style>\n</head>\n<body>\n" +
            _navigation(blocks) + "\n" + body + "\n</body>\n</html>\n")
