"""Exact amounts and ratios for cost findings: computed as decimals, rounded only for display."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

CENT = Decimal("0.01")


def exact(value: Decimal) -> str:
    """The canonical exact text of a decimal: no exponent, no trailing zeros (``"1234.5"``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` with 50 significant digits (for comparisons and further arithmetic)."""
    with localcontext() as context:
        context.prec = 50
        return Decimal(part) / Decimal(whole)


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``100 × part / whole`` rounded half-even to 2 decimals (display)."""
    with localcontext() as context:
        context.prec = 50
        return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def cents(value: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 50
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)


def show(amount: Decimal, currency: str) -> str:
    """``12,345.68 USD`` (rounded to cents for people; evidence keeps the exact value)."""
    return f"{cents(amount):,.2f} {currency}"


def at_least(part: Decimal, whole: Decimal, percent_threshold) -> bool:
    """``100 × part >= threshold × whole``, exactly."""
    return Decimal(100) * Decimal(part) >= Decimal(str(percent_threshold)) * Decimal(whole)
