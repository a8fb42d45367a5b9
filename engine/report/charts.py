"""Inline SVG charts for the HTML report: self-contained, accessible, printable, deterministic.

Five kinds, one function each, all taking plain Python data and returning an SVG string to embed in
HTML as it is:

* :func:`horizontal_bar` — one value per label (spend or money at stake per owner), largest first;
* :func:`column_chart` — one column per period (monthly spend), with an optional budget line;
* :func:`stacked_bar` — several series per label (spend by category, open findings by severity per owner);
* :func:`line_chart` — several series over runs or months (KPIs over time), ``None`` leaves a gap;
* :func:`progress_bar` — one share of a whole (budget burn, tag coverage), with an optional target.

Values are ``Decimal``, ``int`` or ``float``, or money objects with ``amount`` and ``currency``
attributes (the engine's ``Money``). A money chart names its ``currency``; a value in another
currency raises ``ValueError`` (two currencies never share an axis). Labels are any text: they are
XML-escaped, characters XML cannot hold become U+FFFD, and long ones are cut with an ellipsis (the
full label stays in the mark's ``<title>``).

Accessibility (the choice made here): the ``<svg>`` has ``role="img"`` and ``aria-labelledby``
naming its ``<title>`` (the chart's title) and its ``<desc>``, which lists every value shown as text
(``team-a: 12,345.68 USD; ...``). A screen reader reads the chart as one image with that
description; the marks inside are presentational for it (``role="img"`` hides them), so they carry
no ARIA of their own, only a ``<title>`` each, shown as a tooltip to mouse users. The report's tables
hold the complete data; the description holds what the chart shows.

Meaning never rests on colour alone: series differ by colour (Okabe–Ito, safe for the common forms
of colour blindness) *and* by an SVG ``<pattern>`` fill (hatches, dots, grids) or, for lines, by
dash pattern and marker shape; bars carry their values as text; legends show the pattern swatch;
lines are labelled at their end. Everything reads in grayscale print.

Self-contained and safe to inline: presentation attributes only (no ``<style>`` element, whose rules
would leak into the whole page), no script, no external reference, system fonts. Pattern and title
ids start with the caller's ``chart_id`` (required, ``[A-Za-z][A-Za-z0-9_-]*``), so several charts
share a page without clashing. The same input gives byte-identical output.

Many labels: :func:`horizontal_bar` and :func:`stacked_bar` show the ``top`` largest (default 15)
and one "Others (N)" bar holding the sum of the rest, so a chart over 200 owners stays readable
(the report's ranking table lists them all). :func:`stacked_bar` keeps at most 8 series (the 7
largest and one "Other (N)" series); :func:`line_chart` refuses more than 8 (summing lines would
change their meaning). No data gives a "No data" placeholder with the same title.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Sequence

from engine.report.formatting import (
    check_currency,
    format_compact,
    format_money,
    format_number,
    format_percent,
    to_decimal,
)

__all__ = ["Series", "horizontal_bar", "column_chart", "stacked_bar", "line_chart", "progress_bar", "STYLES"]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#555555"
GRID = "#d9d9d9"
AXIS = "#404040"
CHAR_W = 7.0  # estimated width of a character at font-size 12 (for layout and truncation)
PAD = 12
TITLE_H = 30
LEGEND_ROW_H = 22
ROW_H = 24
BAR_H = 16
MAX_LABEL_CHARS = 30
MAX_SERIES = 8
_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Style:
    """How one series looks: an Okabe–Ito colour, a pattern over it, and for lines a marker and dashes."""

    colour_name: str
    colour: str
    pattern: str  # a key of _PATTERNS
    marker: str  # a key of _MARKERS
    dashes: str  # stroke-dasharray ("" = solid)

    @property
    def ink(self) -> str:
        """The colour that reads on this fill: white on dark colours, near-black on light ones."""
        red, green, blue = (int(self.colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
        return "#ffffff" if luminance < 0.35 else TEXT


# The series styles, in the order series get them. Okabe & Ito (2008), "Color Universal Design".
STYLES = (
    Style("blue", "#0072B2", "solid", "circle", ""),
    Style("orange", "#E69F00", "diagonal", "square", "7 3"),
    Style("bluish green", "#009E73", "dots", "triangle", "2 3"),
    Style("reddish purple", "#CC79A7", "crosshatch", "diamond", "9 3 2 3"),
    Style("sky blue", "#56B4E9", "horizontal", "cross", "12 4"),
    Style("vermillion", "#D55E00", "back-diagonal", "plus", "4 4"),
    Style("yellow", "#F0E442", "vertical", "triangle-down", "12 3 3 3"),
    Style("black", "#000000", "grid", "star", "1 3"),
)
WITHIN = STYLES[0]
OVER = Style("vermillion", "#D55E00", "diagonal", "square", "")
CREDIT = Style("sky blue", "#56B4E9", "back-diagonal", "circle", "")
OTHERS = Style("grey", "#BBBBBB", "dots", "circle", "")

# pattern name -> marks drawn over the colour in an 8×8 tile (the ink colour is filled in)
_PATTERNS = {
    "solid": "",
    "diagonal": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{ink}" stroke-width="1.6"/>',
    "back-diagonal": '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="{ink}" stroke-width="1.6"/>',
    "dots": '<circle cx="2" cy="2" r="1.4" fill="{ink}"/><circle cx="6" cy="6" r="1.4" fill="{ink}"/>',
    "crosshatch": '<path d="M0,8 l8,-8 M0,0 l8,8" stroke="{ink}" stroke-width="1"/>',
    "horizontal": '<path d="M0,2 h8 M0,6 h8" stroke="{ink}" stroke-width="1.4"/>',
    "vertical": '<path d="M2,0 v8 M6,0 v8" stroke="{ink}" stroke-width="1.4"/>',
    "grid": '<path d="M0,4 h8 M4,0 v8" stroke="{ink}" stroke-width="1"/>',
}

# marker name -> SVG path around (0, 0), radius about 4.5
_MARKERS = {
    "circle": "M-4,0 a4,4 0 1,0 8,0 a4,4 0 1,0 -8,0 Z",
    "square": "M-3.8,-3.8 h7.6 v7.6 h-7.6 Z",
    "triangle": "M0,-4.8 L4.5,3.6 L-4.5,3.6 Z",
    "diamond": "M0,-5 L5,0 L0,5 L-5,0 Z",
    "cross": "M-4,-2.5 L-2.5,-4 L0,-1.5 L2.5,-4 L4,-2.5 L1.5,0 L4,2.5 L2.5,4 L0,1.5 L-2.5,4 L-4,2.5 L-1.5,0 Z",
    "plus": "M-1.3,-4.5 h2.6 v3.2 h3.2 v2.6 h-3.2 v3.2 h-2.6 v-3.2 h-3.2 v-2.6 h3.2 Z",
    "triangle-down": "M0,4.8 L4.5,-3.6 L-4.5,-3.6 Z",
    "star": "M0,-5 L1.2,-1.6 L4.8,-1.5 L1.9,0.6 L2.9,4 L0,2 L-2.9,4 L-1.9,0.6 L-4.8,-1.5 L-1.2,-1.6 Z",
}


@dataclass(frozen=True)
class Series:
    """A named series: one value per label (``None`` for a missing point in a line chart)."""

    name: str
    values: Sequence


# ---------------------------------------------------------------- public chart functions


def horizontal_bar(
    labels: Sequence[str],
    values: Sequence,
    *,
    chart_id: str,
    title: str,
    currency: str | None = None,
    unit: str = "",
    top: int = 15,
    others_label: str = "Others",
    width: int = 720,
) -> str:
    """One bar per label, largest first (ties by label); the ``top`` largest and an "Others (N)" bar."""
    _check_common(chart_id, title, width)
    labels = _labels(labels)
    amounts, currency = _amounts(values, currency, len(labels), "values")
    _check_top(top)
    if not labels:
        return _no_data(chart_id, title, width)
    fmt = _formatter(currency, unit)
    rows = sorted(zip(labels, amounts), key=lambda row: (-row[1], row[0]))
    others = None
    if len(rows) > top:
        rest = rows[top:]
        others = (f"{others_label} ({len(rest)})", sum((amount for _, amount in rest), Decimal(0)))
        rows = rows[:top]
    shown = rows + ([others] if others else [])
    has_negative = any(amount < 0 for _, amount in shown)
    ticks = _ticks(min([Decimal(0)] + [a for _, a in shown]), max([Decimal(0)] + [a for _, a in shown]), integer=_integral(amounts, currency))
    texts = [fmt(amount) for _, amount in shown]
    label_w = min(MAX_LABEL_CHARS, max(len(label) for label, _ in shown)) * CHAR_W + 10
    value_w = max(len(text) for text in texts) * CHAR_W + 8
    legend = []
    if has_negative:
        legend.append((CREDIT, "below zero (credit)"))
    if others:
        legend.append((OTHERS, f"{others_label}: sum of the {len(labels) - top} smaller"))
    width = max(width, int(PAD * 2 + label_w + value_w * (2 if has_negative else 1) + 160))
    canvas = _Canvas(chart_id, title, width)
    legend_h = canvas.legend(legend, PAD, TITLE_H)
    top_y = TITLE_H + legend_h + 4
    px0 = PAD + label_w + (value_w if has_negative else 0)
    px1 = width - PAD - value_w
    scale = _Scale(ticks[0], ticks[-1], px0, px1)
    plot_h = len(shown) * ROW_H
    canvas.vertical_grid(scale, ticks, top_y, top_y + plot_h, currency or unit)
    lines = []
    for index, ((label, amount), text) in enumerate(zip(shown, texts)):
        is_others = others is not None and index == len(shown) - 1
        style = OTHERS if is_others else CREDIT if amount < 0 else WITHIN
        y = top_y + index * ROW_H + (ROW_H - BAR_H) / 2
        x0, x1 = sorted((scale.px(Decimal(0)), scale.px(amount)))
        canvas.add(
            f"<g><title>{_esc(label)}: {_esc(text)}</title>"
            f'{canvas.rect(x0, y, x1 - x0, BAR_H, style)}'
            f"{_text(PAD + label_w - 8, y + BAR_H / 2, _cut(label, MAX_LABEL_CHARS), anchor='end')}"
            f"{_text(x0 - 4 if amount < 0 else x1 + 4, y + BAR_H / 2, text, anchor='end' if amount < 0 else 'start', halo='#ffffff')}"
            "</g>"
        )
        lines.append(f"{label}: {text}")
    canvas.zero_line(scale, top_y, top_y + plot_h)
    canvas.height = top_y + plot_h + 34 + PAD
    order = "largest first" + (f"; the {top} largest and the sum of the other {len(labels) - top}" if others else "")
    return canvas.render(f"Horizontal bar chart, {len(shown)} bars, {order}. " + "; ".join(lines) + ".")


def column_chart(
    labels: Sequence[str],
    values: Sequence,
    *,
    chart_id: str,
    title: str,
    currency: str | None = None,
    unit: str = "",
    budget=None,
    width: int = 720,
    height: int = 320,
) -> str:
    """One column per label in the given order (periods); ``budget`` (one value, or one per column)
    draws a dashed budget line, and columns above it get the "over budget" pattern."""
    _check_common(chart_id, title, width)
    labels = _labels(labels)
    amounts, currency = _amounts(values, currency, len(labels), "values")
    budgets: list[Decimal] | None = None
    if budget is not None:
        if isinstance(budget, (list, tuple)):
            budgets, currency = _amounts(budget, currency, len(labels), "budget")
        else:
            single, currency = _amounts([budget], currency, 1, "budget")
            budgets = single * len(labels)
    if not labels:
        return _no_data(chart_id, title, width)
    fmt = _formatter(currency, unit)
    everything = [Decimal(0)] + amounts + (budgets or [])
    ticks = _ticks(min(everything), max(everything), integer=_integral(amounts + (budgets or []), currency))
    over = [budgets is not None and amount > budgets[i] for i, amount in enumerate(amounts)]
    canvas = _Canvas(chart_id, title, width)
    legend = []
    if budgets is not None:
        same = len(set(budgets)) == 1
        budget_name = f"budget {fmt(budgets[0])}" if same else "budget (per column)"
        legend = [(WITHIN, "within budget"), (OVER, "over budget"), ("budget-line", budget_name)]
    legend_h = canvas.legend(legend, PAD, TITLE_H)
    tick_w = max(len(_tick_text(t)) for t in ticks) * CHAR_W + 10
    px0, px1 = PAD + tick_w, width - PAD
    slot = (px1 - px0) / len(labels)
    column_w = slot * 0.7
    texts = [fmt(amount) for amount in amounts]
    shown_values = [text if len(text) * CHAR_W <= slot else format_compact(amount) for text, amount in zip(texts, amounts)]
    rotate_values = any(len(text) * CHAR_W > slot for text in shown_values)
    value_room = (max(len(t) for t in shown_values) * CHAR_W + 8) if rotate_values else 18
    label_chars = max(3, int(slot / CHAR_W))
    rotate_labels = any(len(label) > label_chars for label in labels) and slot < 10 * CHAR_W
    label_room = (min(MAX_LABEL_CHARS, max(len(label) for label in labels)) * CHAR_W * 0.72 + 16) if rotate_labels else 22
    top_y = TITLE_H + legend_h + value_room
    bottom_y = max(top_y + 120, height - PAD - label_room - 16)
    scale = _Scale(ticks[0], ticks[-1], bottom_y, top_y)  # y grows downwards
    canvas.horizontal_grid(scale, ticks, px0, px1, currency or unit)
    lines, texts_on_top = [], []
    for index, (label, amount) in enumerate(zip(labels, amounts)):
        cx = px0 + slot * (index + 0.5)
        y0, y1 = sorted((scale.px(Decimal(0)), scale.px(amount)))
        style = OVER if over[index] else WITHIN
        note = f" (over the budget of {fmt(budgets[index])})" if over[index] else ""
        value_text = shown_values[index]
        if amount < 0:
            value_mark = _text(cx, y1 + 12, value_text, anchor="middle", halo="#ffffff")
        elif rotate_values:
            value_mark = _text(cx, y0 - 6, value_text, anchor="start", rotate=(-90, cx, y0 - 6), halo="#ffffff")
        else:
            value_mark = _text(cx, y0 - 8, value_text, anchor="middle", weight="bold" if over[index] else None, halo="#ffffff")
        if rotate_labels:
            label_mark = _text(cx, bottom_y + 14, _cut(label, MAX_LABEL_CHARS), anchor="end", rotate=(-45, cx, bottom_y + 14))
        else:
            label_mark = _text(cx, bottom_y + 14, _cut(label, label_chars), anchor="middle")
        canvas.add(f"<g><title>{_esc(label)}: {_esc(texts[index])}{_esc(note)}</title>{canvas.rect(cx - column_w / 2, y0, column_w, y1 - y0, style)}</g>")
        texts_on_top.append(f"<g><title>{_esc(label)}: {_esc(texts[index])}{_esc(note)}</title>{value_mark}{label_mark}</g>")
        lines.append(f"{label}: {texts[index]}{note}")
    if budgets is not None:
        canvas.budget_line(scale, budgets, px0, slot)
    canvas.zero_line_horizontal(scale, px0, px1)
    canvas.parts.extend(texts_on_top)  # over the budget line
    canvas.height = bottom_y + label_room + PAD
    summary = f"Column chart, {len(labels)} columns in order."
    if budgets is not None:
        same = len(set(budgets)) == 1
        summary += f" Budget {fmt(budgets[0])}." if same else " Budget per column as listed."
        summary += f" {sum(over)} of {len(labels)} over budget."
    return canvas.render(summary + " " + "; ".join(lines) + ".")


def stacked_bar(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    currency: str | None = None,
    unit: str = "",
    top: int = 15,
    others_label: str = "Others",
    other_series_label: str = "Other",
    width: int = 720,
) -> str:
    """One horizontal bar per label, split into one segment per series (positive values stack right
    of zero, negative ones left of it); rows by total, largest first; the ``top`` rows and "Others (N)"."""
    _check_common(chart_id, title, width)
    labels = _labels(labels)
    _check_top(top)
    columns: list[tuple[str, list[Decimal]]] = []
    for item in series:
        if not isinstance(item, Series):
            raise ValueError(f"expected Series(name, values), got {type(item).__name__}")
        amounts, currency = _amounts(item.values, currency, len(labels), f"series {item.name!r}")
        columns.append((_clean(item.name), amounts))
    if not labels or not columns:
        return _no_data(chart_id, title, width)
    fmt = _formatter(currency, unit)
    all_values = [a for _, amounts in columns for a in amounts]
    if len(columns) > MAX_SERIES:
        ranked = sorted(range(len(columns)), key=lambda i: (-sum(abs(a) for a in columns[i][1]), i))
        kept = sorted(ranked[: MAX_SERIES - 1])
        dropped = [i for i in range(len(columns)) if i not in kept]
        merged = [sum((columns[i][1][row] for i in dropped), Decimal(0)) for row in range(len(labels))]
        columns = [columns[i] for i in kept] + [(f"{other_series_label} ({len(dropped)})", merged)]
    rows = [(label, [amounts[r] for _, amounts in columns]) for r, label in enumerate(labels)]
    rows.sort(key=lambda row: (-sum(row[1], Decimal(0)), row[0]))
    others = None
    if len(rows) > top:
        rest = rows[top:]
        others = (f"{others_label} ({len(rest)})", [sum((row[1][s] for row in rest), Decimal(0)) for s in range(len(columns))])
        rows = rows[:top]
    shown = rows + ([others] if others else [])
    lows = [sum((a for a in parts if a < 0), Decimal(0)) for _, parts in shown]
    highs = [sum((a for a in parts if a > 0), Decimal(0)) for _, parts in shown]
    ticks = _ticks(min([Decimal(0)] + lows), max([Decimal(0)] + highs), integer=_integral(all_values, currency))
    totals = [fmt(sum(parts, Decimal(0))) for _, parts in shown]
    label_w = min(MAX_LABEL_CHARS, max(len(label) for label, _ in shown)) * CHAR_W + 10
    value_w = (max(len(t) for t in totals) + 6) * CHAR_W + 8
    has_negative = any(low < 0 for low in lows)
    width = max(width, int(PAD * 2 + label_w + value_w + 160))
    canvas = _Canvas(chart_id, title, width)
    styles = [STYLES[i] for i in range(len(columns))]
    legend_h = canvas.legend([(style, name) for style, (name, _) in zip(styles, columns)], PAD, TITLE_H)
    top_y = TITLE_H + legend_h + 4
    px0 = PAD + label_w + (24 if has_negative else 0)
    px1 = width - PAD - value_w
    scale = _Scale(ticks[0], ticks[-1], px0, px1)
    plot_h = len(shown) * ROW_H
    canvas.vertical_grid(scale, ticks, top_y, top_y + plot_h, currency or unit)
    lines = []
    for index, (label, parts) in enumerate(shown):
        y = top_y + index * ROW_H + (ROW_H - BAR_H) / 2
        marks = []
        right = left = Decimal(0)
        for style, (name, _), amount in zip(styles, columns, parts):
            if amount == 0:
                continue
            start, end = (right, right + amount) if amount > 0 else (left + amount, left)
            if amount > 0:
                right = end
            else:
                left = start
            x0, x1 = scale.px(start), scale.px(end)
            text = fmt(amount)
            inside = _short_value(amount, currency, unit)
            mark = f"<g><title>{_esc(label)}, {_esc(name)}: {_esc(text)}</title>{canvas.rect(x0, y, x1 - x0, BAR_H, style)}"
            if len(inside) * CHAR_W + 6 <= x1 - x0:
                mark += _text((x0 + x1) / 2, y + BAR_H / 2, inside, anchor="middle", size=11, halo="#ffffff")  # reads on any pattern
            marks.append(mark + "</g>")
        end_x = scale.px(right)
        total_text = totals[index]
        canvas.add(
            "<g>"
            + "".join(marks)
            + f"{_text(PAD + label_w - 8, y + BAR_H / 2, _cut(label, MAX_LABEL_CHARS), anchor='end')}"
            + f"<g><title>{_esc(label)}: total {_esc(total_text)}</title>{_text(end_x + 4, y + BAR_H / 2, 'Total ' + total_text, anchor='start', fill=MUTED)}</g>"
            + "</g>"
        )
        detail = ", ".join(f"{name} {fmt(amount)}" for (name, _), amount in zip(columns, parts))
        lines.append(f"{label}: total {total_text} ({detail})")
    canvas.zero_line(scale, top_y, top_y + plot_h)
    canvas.height = top_y + plot_h + 34 + PAD
    order = "by total, largest first" + (f"; the {top} largest and the sum of the other {len(labels) - top}" if others else "")
    names = ", ".join(name for name, _ in columns)
    return canvas.render(f"Stacked bar chart, {len(shown)} bars {order}, segments: {names}. " + "; ".join(lines) + ".")


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    currency: str | None = None,
    unit: str = "",
    width: int = 720,
    height: int = 320,
) -> str:
    """One line per series over ``x_labels`` (runs or months, in order); ``None`` leaves a gap. Each
    line has its own dash pattern and marker shape and is labelled at its last point."""
    _check_common(chart_id, title, width)
    x_labels = _labels(x_labels)
    if len(series) > MAX_SERIES:
        raise ValueError(f"a line chart shows at most {MAX_SERIES} series, got {len(series)}")
    lines_data: list[tuple[str, list[Decimal | None]]] = []
    for item in series:
        if not isinstance(item, Series):
            raise ValueError(f"expected Series(name, values), got {type(item).__name__}")
        values = list(item.values)
        if len(values) != len(x_labels):
            raise ValueError(f"series {item.name!r} has {len(values)} values for {len(x_labels)} labels")
        present = [v for v in values if v is not None]
        amounts, currency = _amounts(present, currency, len(present), f"series {item.name!r}")
        filled = iter(amounts)
        lines_data.append((_clean(item.name), [None if v is None else next(filled) for v in values]))
    points = [a for _, values in lines_data for a in values if a is not None]
    if not x_labels or not points:
        return _no_data(chart_id, title, width)
    fmt = _formatter(currency, unit)
    ticks = _ticks(min([Decimal(0)] + points), max([Decimal(0)] + points), integer=_integral(points, currency))
    canvas = _Canvas(chart_id, title, width)
    styles = STYLES[: len(lines_data)]
    legend_h = canvas.legend([(("line", style), name) for style, (name, _) in zip(styles, lines_data)], PAD, TITLE_H)
    end_texts = []
    for name, values in lines_data:
        last = next((v for v in reversed(values) if v is not None), None)
        end_texts.append(f"{_cut(name, 18)} {_short_value(last, currency, unit)}" if last is not None else "")
    end_w = max(len(t) for t in end_texts) * CHAR_W + 28
    # room left of the axis for the tick values and the axis caption (written above them), and for half the first
    # x label, which is centred on the axis
    tick_w = max([len(_tick_text(t)) for t in ticks] + [len(currency or unit)]) * CHAR_W + 10
    px0, px1 = PAD + max(tick_w, min(len(x_labels[0]), 12) * CHAR_W / 2), width - PAD - end_w
    if px1 - px0 < 120:
        width, px1 = int(width + 120 - (px1 - px0)), px0 + 120
        canvas.width = width
    top_y = TITLE_H + legend_h + 10
    label_chars = max(3, int((px1 - px0) / max(1, len(x_labels)) / CHAR_W))
    bottom_y = max(top_y + 120, height - PAD - 40)
    scale = _Scale(ticks[0], ticks[-1], bottom_y, top_y)
    canvas.horizontal_grid(scale, ticks, px0, px1, currency or unit)
    step = (px1 - px0) / (len(x_labels) - 1) if len(x_labels) > 1 else 0
    xs = [px0 + step * i if len(x_labels) > 1 else (px0 + px1) / 2 for i in range(len(x_labels))]
    every = max(1, -(-len(x_labels) * 8 * CHAR_W // (px1 - px0)))  # thin the x labels when they crowd
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            canvas.add(f"<g><title>{_esc(label)}</title>{_text(xs[i], bottom_y + 16, _cut(label, max(label_chars * every, 6)), anchor='middle')}</g>")
    descriptions = []
    ends = []
    for style, (name, values), end_text in zip(styles, lines_data, end_texts):
        path, run = [], []
        for x, value in zip(xs, values):
            if value is None:
                run = []
                continue
            path.append(("M" if not run else "L") + f"{_n(x)},{_n(scale.px(value))}")
            run.append(value)
        dashes = f' stroke-dasharray="{style.dashes}"' if style.dashes else ""
        marks = [f'<path d="{" ".join(path)}" fill="none" stroke="{style.colour}" stroke-width="2.5"{dashes}/>']
        for label, x, value in zip(x_labels, xs, values):
            if value is not None:
                marks.append(f"<g><title>{_esc(name)}, {_esc(label)}: {_esc(fmt(value))}</title>{_marker(style, x, scale.px(value))}</g>")
        canvas.add("<g>" + "".join(marks) + "</g>")
        last_index = max((i for i, v in enumerate(values) if v is not None), default=None)
        if last_index is not None:
            ends.append([scale.px(values[last_index]), end_text, style, name])
        descriptions.append(f"{name}: " + ", ".join(f"{label} {'no value' if v is None else fmt(v)}" for label, v in zip(x_labels, values)))
    for y, text, style, name in _spread(ends, top_y, bottom_y):
        canvas.add(f"<g><title>{_esc(name)}</title>{_marker(style, px1 + 16, y, size=0.8)}{_text(px1 + 23, y, text, anchor='start')}</g>")
    canvas.zero_line_horizontal(scale, px0, px1)
    canvas.height = bottom_y + 30 + PAD
    return canvas.render(f"Line chart over {len(x_labels)} points ({x_labels[0]} to {x_labels[-1]}), {len(lines_data)} series. " + "; ".join(descriptions) + ".")


def progress_bar(
    part,
    whole,
    *,
    chart_id: str,
    title: str,
    currency: str | None = None,
    unit: str = "",
    target=None,
    width: int = 480,
) -> str:
    """The share ``part / whole`` as a bar (budget burn, tag coverage), its percentage and both
    amounts as text. Above 100 % the excess is drawn past a 100 % mark with the "over" pattern;
    ``target`` (a percentage) draws a marker. A whole of zero or less gives an "n/a" placeholder."""
    _check_common(chart_id, title, width)
    (part_amount, whole_amount), currency = _amounts([part, whole], currency, 2, "part and whole")
    fmt = _formatter(currency, unit)
    target_value = None if target is None else to_decimal(target)
    if whole_amount <= 0:
        return _no_data(chart_id, title, width, message=f"n/a: the whole is {fmt(whole_amount)}")
    with localcontext() as context:
        context.prec = 50
        share = part_amount * 100 / whole_amount
    percent_text = format_percent(share)
    amounts_text = f"{fmt(part_amount)} of {fmt(whole_amount)}"
    canvas = _Canvas(chart_id, title, width)
    scale_max = max(Decimal(100), share, target_value or Decimal(0))
    px0, px1 = PAD, width - PAD
    scale = _Scale(Decimal(0), scale_max, px0, px1)
    y, bar_h = TITLE_H + 44, 22
    canvas.add(
        f"{_text(PAD, TITLE_H + 10, percent_text, anchor='start', size=16, weight='bold')}"
        f"{_text(PAD + len(percent_text) * 11 + 10, TITLE_H + 10, amounts_text, anchor='start', fill=MUTED)}"
        f'<rect x="{_n(px0)}" y="{_n(y)}" width="{_n(scale.px(Decimal(100)) - px0)}" height="{bar_h}" fill="#f2f2f2" stroke="{AXIS}" stroke-width="1"/>'
    )
    filled = min(max(share, Decimal(0)), Decimal(100))
    if filled > 0:
        canvas.add(f"<g><title>{_esc(percent_text)}: {_esc(amounts_text)}</title>{canvas.rect(px0, y, scale.px(filled) - px0, bar_h, WITHIN)}</g>")
    legend = []
    if share > 100:
        x100 = scale.px(Decimal(100))
        canvas.add(
            f"<g><title>over by {_esc(format_percent(share - 100))}: {_esc(fmt(part_amount - whole_amount))}</title>"
            f"{canvas.rect(x100, y, scale.px(share) - x100, bar_h, OVER)}</g>"
            f'<line x1="{_n(x100)}" y1="{_n(y - 6)}" x2="{_n(x100)}" y2="{_n(y + bar_h + 6)}" stroke="{TEXT}" stroke-width="2"/>'
            f"{_text(x100, y + bar_h + 16, '100%', anchor='middle', size=11)}"
        )
        legend = [(WITHIN, "up to 100%"), (OVER, "above 100%")]
    if target_value is not None:
        xt = scale.px(target_value)
        canvas.add(
            f'<line x1="{_n(xt)}" y1="{_n(y - 6)}" x2="{_n(xt)}" y2="{_n(y + bar_h + 6)}" stroke="{TEXT}" stroke-width="2" stroke-dasharray="3 2"/>'
            f"{_text(xt, y - 10, 'target ' + format_percent(target_value), anchor='middle', size=11)}"
        )
    legend_h = canvas.legend(legend, PAD, y + bar_h + 26)
    canvas.height = y + bar_h + (26 + legend_h if legend else 20) + PAD
    target_note = f" Target {format_percent(target_value)}." if target_value is not None else ""
    return canvas.render(f"Progress bar: {percent_text} ({amounts_text}).{target_note}")


# ---------------------------------------------------------------- input checks and numbers


def _check_common(chart_id, title, width) -> None:
    if not isinstance(chart_id, str) or not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must match [A-Za-z][A-Za-z0-9_-]* (at most 64 characters), got {chart_id!r}")
    if not isinstance(title, str):
        raise ValueError(f"title must be a string, got {type(title).__name__}")
    if not isinstance(width, int) or isinstance(width, bool) or not 200 <= width <= 4000:
        raise ValueError(f"width must be an int from 200 to 4000, got {width!r}")


def _check_top(top) -> None:
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ValueError(f"top must be a positive int, got {top!r}")


def _labels(labels: Sequence) -> list[str]:
    return [_clean(label) for label in labels]


def _clean(text) -> str:
    """A label as one line of XML-safe text (characters XML 1.0 cannot hold become U+FFFD)."""
    return _SPACES.sub(" ", _NOT_XML.sub("\ufffd", str(text))).strip()


def _amounts(values: Sequence, currency: str | None, expected: int, what: str) -> tuple[list[Decimal], str | None]:
    """Values as Decimals and the one currency they are in; money objects must agree with it."""
    values = list(values)
    if len(values) != expected:
        raise ValueError(f"{what}: {len(values)} values for {expected} labels")
    if currency is not None:
        check_currency(currency)
    out = []
    for value in values:
        if hasattr(value, "amount") and hasattr(value, "currency"):
            if currency is None:
                currency = check_currency(value.currency)
            elif value.currency != currency:
                raise ValueError(f"{what}: {value.currency} amount on a {currency} axis; one chart shows one currency")
            value = value.amount
        out.append(to_decimal(value))
    return out, currency


def _integral(values: Sequence[Decimal], currency: str | None) -> bool:
    return currency is None and all(value == value.to_integral_value() for value in values)


def _formatter(currency: str | None, unit: str):
    if currency is not None:
        return lambda amount: format_money(amount, currency)
    if unit == "%":
        return format_percent
    suffix = f" {_clean(unit)}" if unit else ""
    return lambda amount: _plain(amount) + suffix


def _plain(amount: Decimal) -> str:
    return format_number(amount, 0) if amount == amount.to_integral_value() else format_number(amount, 2)


def _short_value(amount: Decimal, currency: str | None, unit: str) -> str:
    """The text written inside a segment or at a line's end: compact money, plain counts and percentages."""
    if currency is not None:
        return format_compact(amount)
    if unit == "%":
        return format_percent(amount)
    return _plain(amount)


def _tick_text(value: Decimal) -> str:
    return format_compact(value)


def _ticks(low: Decimal, high: Decimal, *, integer: bool, count: int = 5) -> list[Decimal]:
    """Round tick values covering ``low``..``high`` (1, 2, 2.5 or 5 times a power of ten apart)."""
    if low == high:
        high = low + 1
    with localcontext() as context:
        context.prec = max(28, high.copy_abs().adjusted() + 10, low.copy_abs().adjusted() + 10)
        raw = (high - low) / count
        base = Decimal(1).scaleb(raw.adjusted())
        step = next(m * base for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)) if m * base >= raw)
        if integer and step < 1:
            step = Decimal(1)
        if integer and step == Decimal("2.5"):
            step = Decimal(2) if raw <= 2 else Decimal(5)
        first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
        last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
        n = int((last - first) / step)
        return [(first + step * i).normalize() + 0 for i in range(n + 1)]


class _Scale:
    """Maps values (Decimals) to pixels linearly: ``low`` -> ``px_low``, ``high`` -> ``px_high``."""

    def __init__(self, low: Decimal, high: Decimal, px_low: float, px_high: float):
        self.low, self.high = float(low), float(high)
        self.px_low, self.px_high = px_low, px_high

    def px(self, value: Decimal) -> float:
        return self.px_low + (float(value) - self.low) / (self.high - self.low) * (self.px_high - self.px_low)


# ---------------------------------------------------------------- SVG text


def _esc(text) -> str:
    return html.escape(_clean(text), quote=True)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "\u2026"


def _n(x: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (deterministic across runs)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(x, y, text, *, anchor="start", size=12, weight=None, fill=TEXT, rotate=None, halo=None) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    if rotate:
        extra += f' transform="rotate({rotate[0]} {_n(rotate[1])} {_n(rotate[2])})"'
    if halo:
        extra += f' stroke="{halo}" stroke-width="3" paint-order="stroke"'
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" dy="0.35em" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
        f"{_esc(text)}</text>"
    )


def _marker(style: Style, x: float, y: float, size: float = 1.0) -> str:
    scale = f" scale({size})" if size != 1.0 else ""
    return (
        f'<path d="{_MARKERS[style.marker]}" transform="translate({_n(x)} {_n(y)}){scale}" '
        f'fill="{style.colour}" stroke="{TEXT}" stroke-width="1"/>'
    )


def _spread(ends: list, top: float, bottom: float, gap: float = 15) -> list:
    """End labels moved apart vertically (at least ``gap``), kept inside ``top``..``bottom``."""
    ends = sorted(ends, key=lambda end: (end[0], end[3]))
    for i in range(1, len(ends)):
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + gap)
    overflow = ends[-1][0] - bottom if ends else 0
    if overflow > 0:
        for end in ends:
            end[0] -= overflow
        for i in range(len(ends) - 2, -1, -1):
            ends[i][0] = min(ends[i][0], ends[i + 1][0] - gap)
    return ends


class _Canvas:
    """Collects one chart's marks and the patterns they use; renders the ``<svg>``."""

    def __init__(self, chart_id: str, title: str, width: int):
        self.id = chart_id
        self.title = _clean(title)
        self.width = width
        self.height = 0.0
        self.parts: list[str] = []
        self.patterns: dict[str, str] = {}
        if self.title:
            self.parts.append(_text(PAD, 16, _cut(self.title, int((width - 2 * PAD) / 8)), size=15, weight="bold"))

    def add(self, svg: str) -> None:
        self.parts.append(svg)

    def fill(self, style: Style) -> str:
        """``url(#...)`` of the pattern for ``style`` (defined once per chart), or the plain colour."""
        if style.pattern == "solid":
            return style.colour
        key = f"{self.id}-{style.pattern}-{style.colour[1:]}"
        if key not in self.patterns:
            marks = _PATTERNS[style.pattern].format(ink="#ffffff" if style.ink == "#ffffff" else "#000000")
            self.patterns[key] = (
                f'<pattern id="{key}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{style.colour}"/>{marks}</pattern>'
            )
        return f"url(#{key})"

    def rect(self, x, y, w, h, style: Style) -> str:
        return (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" '
            f'fill="{self.fill(style)}" stroke="{TEXT}" stroke-width="0.75"/>'
        )

    def legend(self, items: list, x: float, y: float) -> float:
        """Swatch + name per item, wrapped to the width; returns the height used."""
        if not items:
            return 0.0
        cx, cy = x, y
        for style, name in items:
            name = _cut(_clean(name), 48)
            item_w = 24 + len(name) * CHAR_W + 20
            if cx > x and cx + item_w > self.width - PAD:
                cx, cy = x, cy + LEGEND_ROW_H
            if style == "budget-line":
                swatch = f'<line x1="{_n(cx)}" y1="{_n(cy + 7)}" x2="{_n(cx + 18)}" y2="{_n(cy + 7)}" stroke="{TEXT}" stroke-width="2" stroke-dasharray="5 3"/>'
            elif isinstance(style, tuple):  # a line series: its dashes and marker
                line_style = style[1]
                dashes = f' stroke-dasharray="{line_style.dashes}"' if line_style.dashes else ""
                swatch = (
                    f'<line x1="{_n(cx)}" y1="{_n(cy + 7)}" x2="{_n(cx + 18)}" y2="{_n(cy + 7)}" stroke="{line_style.colour}" stroke-width="2.5"{dashes}/>'
                    + _marker(line_style, cx + 9, cy + 7, size=0.8)
                )
            else:
                swatch = self.rect(cx, cy, 18, 14, style)
            self.parts.append(f"<g>{swatch}{_text(cx + 24, cy + 7, name)}</g>")
            cx += item_w
        return cy - y + LEGEND_ROW_H

    def vertical_grid(self, scale: _Scale, ticks, y0: float, y1: float, caption: str) -> None:
        marks = []
        for tick in ticks:
            x = scale.px(tick)
            marks.append(f'<line x1="{_n(x)}" y1="{_n(y0)}" x2="{_n(x)}" y2="{_n(y1)}" stroke="{GRID}" stroke-width="1"/>')
            marks.append(_text(x, y1 + 12, _tick_text(tick), anchor="middle", size=11, fill=MUTED))
        marks.append(f'<line x1="{_n(scale.px_low)}" y1="{_n(y1)}" x2="{_n(scale.px_high)}" y2="{_n(y1)}" stroke="{AXIS}" stroke-width="1"/>')
        if caption:
            marks.append(_text(scale.px_high, y1 + 27, caption, anchor="end", size=11, fill=MUTED))
        self.parts.append('<g aria-hidden="true">' + "".join(marks) + "</g>")

    def horizontal_grid(self, scale: _Scale, ticks, x0: float, x1: float, caption: str) -> None:
        marks = []
        for tick in ticks:
            y = scale.px(tick)
            marks.append(f'<line x1="{_n(x0)}" y1="{_n(y)}" x2="{_n(x1)}" y2="{_n(y)}" stroke="{GRID}" stroke-width="1"/>')
            marks.append(_text(x0 - 6, y, _tick_text(tick), anchor="end", size=11, fill=MUTED))
        marks.append(f'<line x1="{_n(x0)}" y1="{_n(scale.px_high)}" x2="{_n(x0)}" y2="{_n(scale.px_low)}" stroke="{AXIS}" stroke-width="1"/>')
        if caption:
            marks.append(_text(x0 - 6, scale.px_high - 14, caption, anchor="end", size=11, fill=MUTED))
        self.parts.append('<g aria-hidden="true">' + "".join(marks) + "</g>")

    def zero_line(self, scale: _Scale, y0: float, y1: float) -> None:
        x = scale.px(Decimal(0))
        self.parts.append(f'<line x1="{_n(x)}" y1="{_n(y0)}" x2="{_n(x)}" y2="{_n(y1)}" stroke="{AXIS}" stroke-width="1.5"/>')

    def zero_line_horizontal(self, scale: _Scale, x0: float, x1: float) -> None:
        y = scale.px(Decimal(0))
        self.parts.append(f'<line x1="{_n(x0)}" y1="{_n(y)}" x2="{_n(x1)}" y2="{_n(y)}" stroke="{AXIS}" stroke-width="1.5"/>')

    def budget_line(self, scale: _Scale, budgets: list[Decimal], x0: float, slot: float) -> None:
        """A dashed step line at each column's budget (named in the legend, not on the plot)."""
        steps = []
        for i, amount in enumerate(budgets):
            y = scale.px(amount)
            steps.append(("M" if i == 0 else "L") + f"{_n(x0 + slot * i)},{_n(y)} L{_n(x0 + slot * (i + 1))},{_n(y)}")
        self.parts.append(f'<path d="{" ".join(steps)}" fill="none" stroke="{TEXT}" stroke-width="2" stroke-dasharray="6 4"/>')

    def render(self, description: str) -> str:
        height = int(-(-self.height // 1))
        defs = "<defs>" + "".join(self.patterns[key] for key in sorted(self.patterns)) + "</defs>" if self.patterns else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{self.id}" viewBox="0 0 {self.width} {height}" '
            f'width="{self.width}" height="{height}" style="max-width:100%;height:auto" role="img" '
            f'aria-labelledby="{self.id}-title {self.id}-desc" font-family="{_esc(FONT)}" font-size="12">'
            f'<title id="{self.id}-title">{_esc(self.title)}</title><desc id="{self.id}-desc">{_esc(description)}</desc>'
            f'{defs}<rect width="{self.width}" height="{height}" fill="#ffffff"/>' + "".join(self.parts) + "</svg>"
        )


def _no_data(chart_id: str, title: str, width: int, message: str = "No data") -> str:
    canvas = _Canvas(chart_id, title, width)
    canvas.add(
        f'<rect x="{PAD}" y="{TITLE_H}" width="{width - 2 * PAD}" height="60" fill="#f7f7f7" stroke="{GRID}" stroke-dasharray="4 3"/>'
        + _text(width / 2, TITLE_H + 30, message, anchor="middle", fill=MUTED, size=13)
    )
    canvas.height = TITLE_H + 60 + PAD
    return canvas.render(message + ".")
