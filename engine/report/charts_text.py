"""How wide a chart's text is drawn, so that the charts can place their labels where they fit.

The widths are the advance widths of DejaVu Sans (Book and Bold, version 2.37; 1/1000 em, read from
the fonts' ``hmtx`` tables): the font a browser on Linux draws the charts' ``system-ui`` /
``sans-serif`` with, and one of the widest common sans-serif fonts, so text measured here is at
least as wide as it is drawn with Segoe UI, Roboto, Helvetica or Arial (Apple's and Microsoft's
system fonts set digits about 10 % narrower). A character outside the table (accented letters,
CJK, emoji) counts as 1 em, more than most glyphs take. ``tests/test_report_chart_layout.py``
checks the table against Chromium's own measurement of the same text.
"""

from __future__ import annotations

_ASCII = "".join(chr(code) for code in range(32, 127))
_BOOK = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 337 337 "
    "838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 611 732 684 989 "
    "685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 "
    "392 634 592 818 592 592 525 636 337 636 838"
)
_BOLD = (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696 696 696 400 400 "
    "838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 733 850 770 720 682 812 774 1103 "
    "771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 "
    "478 712 652 924 645 652 582 712 365 712 838"
)
ADVANCES = {  # bold? -> character -> advance width in 1/1000 em
    False: dict(zip(_ASCII, map(int, _BOOK.split()))) | {"\u2026": 1000, "\u2212": 838},
    True: dict(zip(_ASCII, map(int, _BOLD.split()))) | {"\u2026": 1000, "\u2212": 838},
}
assert all(len(table) == 97 for table in ADVANCES.values())
UNKNOWN = 1000  # the advance of a character outside the table
ELLIPSIS = "\u2026"

CAP_HEIGHT = 0.73  # em above the baseline: capitals and digits (DejaVu Sans: 1493/2048)
DESCENDER = 0.24  # em below it (p, g, y, commas)


def text_width(text: str, size: float = 12, bold: bool = False) -> float:
    """The width of ``text`` drawn at ``size`` pixels, in pixels."""
    advances = ADVANCES[bold]
    return sum(advances.get(char, UNKNOWN) for char in text) * size / 1000


def fit(text: str, room: float, size: float = 12, bold: bool = False) -> str:
    """``text`` if it fits ``room`` pixels; else its longest start that fits with an ellipsis after it
    (at least one character and the ellipsis, however narrow the room)."""
    if text_width(text, size, bold) <= room:
        return text
    advances = ADVANCES[bold]
    budget = room * 1000 / size - advances[ELLIPSIS]
    used, end = 0, 0
    for end, char in enumerate(text):
        used += advances.get(char, UNKNOWN)
        if used > budget:
            break
    return text[: max(1, end)].rstrip() + ELLIPSIS
