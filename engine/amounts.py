"""Exact amounts and ratios for cost findings: computed as decimals, rounded only for display.

Also the one rule for reading a money amount from an input — a FOCUS cost column, a price table,
a Budgets document — (:func:`read_amount`), and the one decimal context money arithmetic runs in
(:func:`arithmetic`).

An amount is a decimal number, optionally signed and in scientific notation (``12``, ``-0.25``,
``.5``, ``9.6E-2``, ``35.2e-7``), possibly surrounded by ASCII white space (space, tab, line
breaks, as DuckDB trims them); nothing else (no
thousands separators, no ``NaN`` or ``Infinity``, no hexadecimal, no ``_``). It has at most 26
digits before the decimal point (:data:`MONEY_LIMIT`: its absolute value is below 10^26) and at
most 12 after it (:data:`MONEY_SCALE`): the range of DuckDB's ``DECIMAL(38,12)``, the type FOCUS
money is summed in. In scientific notation, the number before the exponent writes at most 38
digits, 26 of them before its decimal point, and the exponent is between -999 and 26 (DuckDB reads
no more exactly: beyond that, it refuses some texts and misreads others). A FOCUS export holding more decimal places (floating-point noise such as
``0.38191648489875``) is read rounded to 12, with a warning naming the file and the column; a
price table or a Budgets document, written by people, gets an error instead.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from engine.currencies import CURRENCIES, NUMERIC

CENT = Decimal("0.01")

MONEY_SCALE = 12  # decimal places an amount keeps (DuckDB DECIMAL(38,12))
MONEY_INTEGER_DIGITS = 26  # digits before the decimal point: 38 - 12
MONEY_LIMIT = Decimal(10) ** MONEY_INTEGER_DIGITS  # every amount is below this in absolute value
MONEY_SQL_TYPE = f"DECIMAL({MONEY_INTEGER_DIGITS + MONEY_SCALE},{MONEY_SCALE})"
# The text of an amount (see the module doc). AMOUNT_PATTERN is the same rule as a regular expression
# for RE2 (DuckDB's regexp_full_match) and JSON Schema; NON_NEGATIVE_AMOUNT_PATTERN without a minus sign.
SPACE = " \t\n\r\v\f"  # the white space an amount may have around it
_SPACE = r"[ \t\n\r\v\f]*"
AMOUNT_PATTERN = _SPACE + r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?" + _SPACE
NON_NEGATIVE_AMOUNT_PATTERN = AMOUNT_PATTERN.replace("[+-]?", "[+]?", 1)
AMOUNT_EXAMPLES = "12.5, -0.25 or 9.6E-2"
_AMOUNT = re.compile(AMOUNT_PATTERN)
# the most a number in scientific notation writes: digits before the exponent, of them before the point; the exponent
MANTISSA_DIGITS, MANTISSA_INTEGER_DIGITS, MIN_EXPONENT, MAX_EXPONENT = 38, MONEY_INTEGER_DIGITS, -999, MONEY_INTEGER_DIGITS
_MANTISSA = re.compile(_SPACE + r"[+-]?([0-9]*)[.]?([0-9]*)[eE]([+-]?[0-9]+)")

# Money arithmetic: enough digits that sums and products of amounts (at most 38 significant digits
# each) and the small factors of the engine (730 hours, 3600 seconds, a size ratio) are exact. A
# quotient is rounded half-even at the 100th significant digit (ratio() rounds to 50).
MONEY_CONTEXT = Context(prec=100, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


def arithmetic():
    """``with arithmetic(): ...``: money arithmetic in :data:`MONEY_CONTEXT` (never Python's default 28 digits)."""
    return localcontext(MONEY_CONTEXT)


class AmountError(ValueError):
    """Text that is not a money amount; the message says why (syntax, range or decimal places)."""


def read_amount(text: str, *, negative: bool = True, more_decimals: bool = False, shown: str | None = None) -> Decimal:
    """The amount ``text`` writes, exactly. Raises :class:`AmountError` saying what is wrong.

    ``negative``: whether a negative amount is allowed (costs and credits: yes; prices, budgets: no).
    ``more_decimals``: whether more than :data:`MONEY_SCALE` decimal places are allowed (the caller
    rounds and warns; :func:`decimal_places` tells how many there are). ``shown``: how messages write
    the value (default: quoted, as text).
    """
    shown = shown if shown is not None else repr(text)
    if not _AMOUNT.fullmatch(text):
        raise AmountError(f"{shown} is not a decimal number (write it like {AMOUNT_EXAMPLES})")
    mantissa = _MANTISSA.match(text)
    exponent = int(mantissa[3]) if mantissa else 0
    if MIN_EXPONENT <= exponent <= MAX_EXPONENT:
        value = Decimal(text.strip(SPACE))
        magnitude = value.adjusted() if value else None
    else:  # outside the rule (below); the number itself may be too large for Python's decimals
        before = Decimal(text.strip(SPACE).lower().split("e")[0] or "0")
        value, magnitude = Decimal(0).copy_sign(before), before.adjusted() + exponent if before else None
    if not negative and value.is_signed() and (value or magnitude is not None):
        raise AmountError(f"{shown} is negative (expected an amount of 0 or more)")
    if magnitude is not None and magnitude >= MONEY_INTEGER_DIGITS:
        raise AmountError(
            f"{shown} is out of range: an amount has at most {MONEY_INTEGER_DIGITS} digits before the decimal point"
            f" (less than 10^{MONEY_INTEGER_DIGITS} in absolute value; costwarden sums money exactly as {MONEY_SQL_TYPE})"
        )
    if mantissa and (len(mantissa[1]) > MANTISSA_INTEGER_DIGITS or len(mantissa[1]) + len(mantissa[2]) > MANTISSA_DIGITS
                     or not MIN_EXPONENT <= exponent <= MAX_EXPONENT):
        raise AmountError(f"{shown} writes too many digits in scientific notation (at most {MANTISSA_DIGITS} before the"
                          f" exponent, {MANTISSA_INTEGER_DIGITS} of them before the decimal point, and an exponent between"
                          f" {MIN_EXPONENT} and {MAX_EXPONENT})")
    if not more_decimals and decimal_places(value) > MONEY_SCALE:
        raise AmountError(f"{shown} has {decimal_places(value)} decimal places; an amount has at most {MONEY_SCALE}")
    return value


def decimal_places(value: Decimal) -> int:
    """How many decimal places ``value`` needs (trailing zeros do not count): ``1.2500`` -> 2, ``1e3`` -> 0."""
    if not value:
        return 0
    _, digits, exponent = value.as_tuple()
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def exact(value: Decimal) -> str:
    """The canonical exact text of a decimal: no exponent, no trailing zeros (``"1234.5"``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` with 50 significant digits (for comparisons and further arithmetic)."""
    with localcontext(MONEY_CONTEXT) as context:
        context.prec = 50
        return Decimal(part) / Decimal(whole)


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``100 × part / whole`` rounded half-even to 2 decimals (display)."""
    with localcontext(MONEY_CONTEXT):
        return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def cents(value: Decimal) -> Decimal:
    with localcontext(MONEY_CONTEXT):
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)


def show(amount: Decimal, currency: str) -> str:
    """``12,345.68 USD`` (rounded to cents for people; evidence keeps the exact value)."""
    return f"{cents(amount):,.2f} {currency}"


def at_least(part: Decimal, whole: Decimal, percent_threshold) -> bool:
    """``100 × part >= threshold × whole``, exactly."""
    with localcontext(MONEY_CONTEXT):
        return Decimal(100) * Decimal(part) >= Decimal(str(percent_threshold)) * Decimal(whole)


def currency_problem(code: object) -> str | None:
    """Why ``code`` is not an ISO 4217 currency code (three upper-case letters of the ISO list), or None."""
    if code.__class__ is str and code in CURRENCIES:
        return None
    if not isinstance(code, str):
        return f"expected an ISO 4217 currency code such as USD, got {code!r}"
    stripped = code.strip()
    if stripped.upper() in CURRENCIES:
        return f"{code!r} is not an ISO 4217 currency code: write {stripped.upper()} (three upper-case letters)"
    if stripped in NUMERIC:
        return f"{code!r} is the numeric ISO 4217 code of {NUMERIC[stripped]}: write {NUMERIC[stripped]}"
    return f"{code!r} is not an ISO 4217 currency code (three upper-case letters such as USD, EUR, JPY)"
