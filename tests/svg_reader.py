"""Read the SVG pictures of ``lessons_lib.svg_views`` back as marks and numbers, for tests.

The tests check the picture as drawn (bar heights in pixels, the words and
values written on it), not only the explorer's attributes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The ``<svg>`` element of a picture, or of a live view's HTML that holds one."""
    found = re.search(r"<svg\b.*?</svg>", markup, re.DOTALL)
    assert found, "no <svg> picture in the markup"
    return ET.fromstring(found.group(0))


def panels(root: ET.Element) -> list[ET.Element]:
    """The picture's panels, left to right."""
    return root.findall(f"{SVG}g")


def texts(element: ET.Element) -> list[str]:
    """Every word written in ``element``, in drawing order."""
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def marks(element: ET.Element, kind: str) -> list[ET.Element]:
    """The marks of one kind (``bar``, ``arc``, ``link``, ``word``, ``blend``, ``point``, ``value``)."""
    return [e for e in element.iter() if kind in e.get("class", "").split()]


def values(element: ET.Element) -> list[str]:
    """The numbers written on the picture's marks, in drawing order."""
    return [t.text for t in marks(element, "value")]


def bar_heights(element: ET.Element) -> list[float]:
    """The bars' heights in pixels, left to right."""
    return [float(b.get("height")) for b in marks(element, "bar")]


def star_centre(polygon: ET.Element) -> tuple[float, float]:
    """The centre of a star drawn by ``svg_views._star`` (the mean of its ten corners)."""
    corners = [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]
    return sum(x for x, _ in corners) / len(corners), sum(y for _, y in corners) / len(corners)
