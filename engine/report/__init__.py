"""Building blocks of the compliance report: inline SVG charts (:mod:`engine.report.charts`), the
text of numbers and money (:mod:`engine.report.formatting`) and delivery of each owner's part by
email and chat webhooks (:mod:`engine.report.delivery`).

These modules sit at the bottom of the layering: they import nothing from the rest of ``engine``
except :mod:`engine.errors`, and take plain Python data (labels, ``Decimal`` amounts, strings).
"""
