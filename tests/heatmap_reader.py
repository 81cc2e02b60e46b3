"""Read an HTML heatmap (lessons_lib.html_heatmap) back as a browser would: labels, numbers, colours."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np


@dataclass
class Heatmap:
    caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)  # what each cell says (empty when too small)
    backgrounds: list[list[str]] = field(default_factory=list)
    inks: list[list[str]] = field(default_factory=list)  # text colour, "" when none is set
    hovers: list[list[str]] = field(default_factory=list)
    table_class: str = ""

    @property
    def values(self) -> np.ndarray:
        """The numbers printed in the cells, or (cells too small to print in) those in their tooltips."""
        return np.array([[float(text or hover.rsplit(": ", 1)[1]) for text, hover in zip(texts, hovers)]
                         for texts, hovers in zip(self.texts, self.hovers)])


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.map = Heatmap()
        self.section = ""  # "caption", "thead" or "tbody"
        self.text: list[str] | None = None  # the open th/td/caption's text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.map.table_class = attrs.get("class", "")
        if tag in ("caption", "thead", "tbody"):
            self.section = tag
        if tag == "caption":
            self.text = []
        elif tag == "tr" and self.section == "tbody":
            for cells in (self.map.texts, self.map.backgrounds, self.map.inks, self.map.hovers):
                cells.append([])
        elif tag in ("th", "td"):
            self.text = []
        if tag == "td":
            style = dict(part.split(":", 1) for part in attrs.get("style", "").split(";") if part)
            self.map.backgrounds[-1].append(style.get("background", ""))
            self.map.inks[-1].append(style.get("color", ""))
            self.map.hovers[-1].append(attrs.get("title", ""))
        if tag == "br" and self.text is not None:
            self.text.append("\n")

    def handle_endtag(self, tag):
        if self.text is None or tag not in ("caption", "th", "td"):
            return
        text, self.text = "".join(self.text).strip(), None
        if tag == "caption":
            self.map.caption = text
        elif tag == "td":
            self.map.texts[-1].append(text)
        elif self.section == "thead" and text:
            self.map.columns.append(text)
        elif self.section == "tbody":
            self.map.rows.append(text)

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def read_heatmap(markup: str) -> Heatmap:
    """The heatmap in ``markup`` (style block ignored)."""
    reader = _Reader()
    reader.feed(re.sub(r"<style>.*?</style>", "", markup, flags=re.S))
    return reader.map
