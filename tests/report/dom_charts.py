"""dom_charts.py DOM: prints "FIGURES DRAWN" for the DOM Chromium dumped: chart
figures, and those holding an SVG with at least 20 drawn elements (paths, uses)."""

import sys
from html.parser import HTMLParser


class Charts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures = self.drawn = 0
        self.in_figure = False
        self.marks = 0

    def handle_starttag(self, tag, attributes):
        classes = dict(attributes).get("class") or ""
        if tag == "figure" and "chart" in classes.split():
            self.figures += 1
            self.in_figure, self.marks = True, 0
        elif self.in_figure and tag in ("path", "use"):
            self.marks += 1

    def handle_endtag(self, tag):
        if tag == "figure" and self.in_figure:
            self.drawn += self.marks >= 20
            self.in_figure = False


parser = Charts()
with open(sys.argv[1], encoding="utf-8") as dom:
    parser.feed(dom.read())
print(parser.figures, parser.drawn)
