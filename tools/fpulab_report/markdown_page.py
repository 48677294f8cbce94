"""The blocks as Markdown: tables as GitHub tables, charts as links to DIR/charts/."""

from .document import Box, Cell, Chart, Details, Heading, Items, Paragraph, Table


def _text(cell):
    cell = cell if isinstance(cell, Cell) else Cell(str(cell))
    text = cell.text.replace("|", "\\|").replace("\n", " ")
    if not text:
        return ""
    if cell.tone == "bad":
        return f"**{text}**"
    if cell.tone == "mono":
        return f"`{text}`"
    return text


def _table(table):
    header = [_text(cell) or " " for cell in table.header]
    rule = ["---:" if index in table.numeric else "---" for index in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(_text(cell) for cell in row) + " |" for row in table.rows]
    if table.caption:
        lines += ["", f"*{table.caption}*"]
    return "\n".join(lines)


def _block(block):
    if isinstance(block, Heading):
        return "#" * block.level + " " + block.text
    if isinstance(block, Paragraph):
        return f"**{block.text}**" if block.tone == "bad" else block.text
    if isinstance(block, Items):
        wrap = "`" if block.tone == "mono" else ""
        return "\n".join(f"- {wrap}{item}{wrap}" for item in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return f"![{block.label}](charts/{block.file_name})\n\n*{block.caption}*"
    if isinstance(block, Box):
        return "\n\n".join(_block(inner) for inner in block.blocks)
    if isinstance(block, Details):
        return f"**{block.summary}**\n\n" + "\n\n".join(_block(inner) for inner in block.blocks)
    raise TypeError(f"unknown block {block!r}")


def render(blocks):
    return "\n\n".join(_block(block) for block in blocks) + "\n"


def charts_of(blocks):
    """Every Chart, nested ones included."""
    for block in blocks:
        if isinstance(block, Chart):
            yield block
        elif isinstance(block, (Box, Details)):
            yield from charts_of(block.blocks)
