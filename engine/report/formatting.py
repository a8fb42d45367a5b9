"""How numbers and money read in the report: one place for the rounding and the separators.

Amounts stay exact (``Decimal``) until they are shown; these functions round only the text.
Money is shown as the engine's messages show it: grouped thousands, two decimals rounded half-even,
then the currency code — ``12,345.68 USD`` (``engine.amounts.show`` follows the same rule; a
test holds the two together).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

CURRENCY_CODE = re.compile(r"[A-Z]{3}\Z")  # ISO 4217 alphabetic code, as FOCUS BillingCurrency holds
_CENT = Decimal("0.01")
# compact tick labels: (threshold, divisor, suffix), largest first
_COMPACT = ((Decimal(10) ** 12, Decimal(10) ** 12, "T"), (Decimal(10) ** 9, Decimal(10) ** 9, "B"),
            (Decimal(10) ** 6, Decimal(10) ** 6, "M"), (Decimal(10) ** 3, Decimal(10) ** 3, "k"))


def to_decimal(value) -> Decimal:
    """``value`` (``Decimal``, ``int`` or ``float``) as a finite ``Decimal``; a float through its
    shortest repr (``0.1`` -> ``Decimal("0.1")``). Anything else, ``bool``, NaN or infinity: ValueError."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise ValueError(f"expected a number (Decimal, int or float), got {type(value).__name__}: {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return Decimal(repr(value))
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def check_currency(currency: str) -> str:
    if not isinstance(currency, str) or not CURRENCY_CODE.match(currency):
        raise ValueError(f"expected a currency code of three capital letters (ISO 4217, e.g. 'USD'), got {currency!r}")
    return currency


def _rounded(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half-even to ``places`` decimals, whatever its size; never ``-0``."""
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + places + 2)
        try:
            result = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        except InvalidOperation as error:  # pragma: no cover - prec above covers every finite value
            raise ValueError(f"cannot round {value!r}") from error
    return result if result else abs(result)


def format_number(value, places: int = 0) -> str:
    """``1234.5`` -> ``"1,234.5"`` with ``places`` decimals (rounded half-even)."""
    return f"{_rounded(to_decimal(value), places):,.{places}f}"


def format_money(amount, currency: str) -> str:
    """``Decimal("12345.675"), "USD"`` -> ``"12,345.68 USD"``: exact input, rounded (half-even, to
    cents) only for the text."""
    return f"{format_number(amount, 2)} {check_currency(currency)}"


def format_percent(value, places: int = 1) -> str:
    """A percentage (``72.54`` means 72.54 %) -> ``"72.5%"``."""
    return f"{format_number(value, places)}%"


def format_compact(value) -> str:
    """Short text for an axis tick: ``1500`` -> ``"1.5k"``, ``-2000000`` -> ``"-2M"``, ``0.25`` -> ``"0.25"``.
    At most three significant digits after scaling; exact for the round tick values axes use."""
    number = to_decimal(value)
    magnitude = abs(number)
    for threshold, divisor, suffix in _COMPACT:
        if magnitude >= threshold:
            return _short(number / divisor) + suffix
    return _short(number)


def _short(number: Decimal) -> str:
    places = 0 if abs(number) >= 100 else 1 if abs(number) >= 10 else 2
    text = f"{_rounded(number, places):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
