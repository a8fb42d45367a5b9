"""Where the text of an SVG chart lands: boxes of its ``<text>`` elements and the checks on them.

Each ``<text>`` becomes the box its glyphs cover: as wide as the font's advance widths make the text
(:func:`engine.report.charts_text.text_width`, DejaVu Sans: ``tests/test_report_chart_layout.py``
checks those widths against Chromium's own measurement), from the cap height above the baseline to
the descender below it, widened by half the halo stroke when the text has one (a white halo drawn
over another label hides it), and turned by the text's ``rotate(a cx cy)``. Nothing here reads the
charts' layout code: positions come from the SVG as a browser reads it (x, y, dy, text-anchor,
font-size, font-weight, transform).

:func:`overlaps` lists the pairs of texts whose boxes intersect, :func:`outside` the texts that
leave the picture, :func:`overflowing` the texts drawn inside a bar that are wider than the bar.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from engine.report.charts_text import CAP_HEIGHT, DESCENDER, text_width

SVG = "{http://www.w3.org/2000/svg}"
_ROTATE = re.compile(r"rotate\(\s*(-?[\d.]+)(?:[ ,]+(-?[\d.]+)[ ,]+(-?[\d.]+))?\s*\)")


@dataclass(frozen=True)
class Label:
    text: str
    corners: tuple[tuple[float, float], ...]  # the box, turned: four (x, y) corners in order
    width: float = 0.0  # the glyphs' advance widths added up (along the baseline, turned or not)
    halo: float = 0.0  # how far the box reaches past the glyphs for the halo (half its stroke)
    turned: bool = False

    @property
    def left(self) -> float:
        return min(x for x, _ in self.corners)

    @property
    def right(self) -> float:
        return max(x for x, _ in self.corners)

    @property
    def top(self) -> float:
        return min(y for _, y in self.corners)

    @property
    def bottom(self) -> float:
        return max(y for _, y in self.corners)


def _number(value: str | None, default: float = 0.0) -> float:
    return float(value) if value not in (None, "") else default


def labels(root: ET.Element) -> list[Label]:
    """Every non-empty ``<text>`` of the chart as a :class:`Label`."""
    found = []
    inherited = _number(root.get("font-size"), 16)
    for element in root.iter(f"{SVG}text"):
        text = "".join(element.itertext())
        if not text.strip():
            continue
        size = _number(element.get("font-size"), inherited)
        bold = element.get("font-weight") in ("bold", "600", "700", "800", "900")
        width = text_width(text, size, bold)
        x, y = _number(element.get("x")), _number(element.get("y"))
        dy = element.get("dy") or "0"
        baseline = y + (float(dy[:-2]) * size if dy.endswith("em") else float(dy))
        anchor = element.get("text-anchor") or "start"
        left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        halo = _number(element.get("stroke-width")) / 2 if element.get("stroke") not in (None, "none") else 0.0
        box = ((left - halo, baseline - CAP_HEIGHT * size - halo), (left + width + halo, baseline - CAP_HEIGHT * size - halo),
               (left + width + halo, baseline + DESCENDER * size + halo), (left - halo, baseline + DESCENDER * size + halo))
        match = _ROTATE.search(element.get("transform") or "")
        if match:
            angle = math.radians(float(match.group(1)))
            cx, cy = float(match.group(2) or 0), float(match.group(3) or 0)
            cos, sin = math.cos(angle), math.sin(angle)
            box = tuple((cx + (px - cx) * cos - (py - cy) * sin, cy + (px - cx) * sin + (py - cy) * cos) for px, py in box)
        found.append(Label(text, box, width, halo, match is not None))
    return found


def _separated(a: Label, b: Label) -> bool:
    """True when an edge direction of either box separates them (separating axis theorem, convex boxes)."""
    for corners in (a.corners, b.corners):
        for i in range(4):
            (x1, y1), (x2, y2) = corners[i], corners[(i + 1) % 4]
            nx, ny = y2 - y1, x1 - x2
            pa = [nx * x + ny * y for x, y in a.corners]
            pb = [nx * x + ny * y for x, y in b.corners]
            if max(pa) <= min(pb) or max(pb) <= min(pa):
                return True
    return False


def overlaps(svg: str) -> list[tuple[str, str]]:
    """The pairs of texts whose boxes intersect."""
    found = labels(ET.fromstring(svg))
    return [(a.text, b.text) for i, a in enumerate(found) for b in found[i + 1:] if not _separated(a, b)]


def outside(svg: str) -> list[str]:
    """The texts that reach beyond the picture's viewBox (they are cut off)."""
    root = ET.fromstring(svg)
    x0, y0, width, height = map(float, root.get("viewBox").split())
    return [label.text for label in labels(root)
            if label.left < x0 or label.top < y0 or label.right > x0 + width or label.bottom > y0 + height]


def overflowing(svg: str) -> list[str]:
    """The texts drawn over a bar (their middle inside a ``<rect>`` of the same group) that are wider than it."""
    root = ET.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        rects = [(_number(r.get("x")), _number(r.get("y")), _number(r.get("width")), _number(r.get("height")))
                 for r in group.findall(f"{SVG}rect")]
        holder = ET.Element("svg", {"font-size": root.get("font-size") or "16"})
        holder.extend(group.findall(f"{SVG}text"))
        for label in labels(holder):
            mx, my = (label.left + label.right) / 2, (label.top + label.bottom) / 2
            for x, y, w, h in rects:
                if x <= mx <= x + w and y <= my <= y + h and (label.left < x or label.right > x + w):
                    found.append(label.text)
    return found
