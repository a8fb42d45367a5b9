"""Splitting an amount exactly, and rounding amounts so that they still add up (the remainder rule).

**The remainder rule** (largest remainder, also called Hamilton's method), used for every split of
a shared cost: each recipient's share is computed exactly, as a fraction (``amount × weight ÷
Σ weights``), then rounded *down* to :data:`PLACES` decimal places (the precision of FOCUS money
in the cost engine, ``DECIMAL(38,12)``). Rounding down leaves a whole number of units of
``10**-PLACES``, fewer than the number of recipients; they go one each to the recipients whose
shares lost the most in rounding, ties to the recipient that sorts first. The shares then add
up to the amount exactly: ``100.00`` split three ways is ``33.333333333334``,
``33.333333333333`` and ``33.333333333333`` (the first recipient in sort order takes the unit).
A negative amount (a shared credit) is split the same way (rounding down is toward minus
infinity).

:func:`round_to_sum` applies the same rule to present amounts at fewer places (cents), so that the
rounded amounts add up to the rounded total.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

PLACES = 12


def _largest_remainder(exact: dict, total_units: int, scale: int) -> dict:
    """``exact``: key -> Fraction; ``total_units``: what the rounded values must add up to, in units of 1/scale."""
    floors = {key: math.floor(value * scale) for key, value in exact.items()}
    left = total_units - sum(floors.values())
    if left < 0 or left > len(exact):
        raise ArithmeticError(f"cannot distribute {left} units over {len(exact)} values")
    order = sorted(exact, key=lambda key: (-(exact[key] * scale - floors[key]), key))
    for key in order[:left]:
        floors[key] += 1
    return floors


def _decimal(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places)


def split(amount: Decimal, weights: dict, places: int = PLACES) -> dict:
    """``amount`` split over the keys of ``weights`` (key -> positive weight) in proportion to the
    weights, at ``places`` decimals, adding up to ``amount`` exactly (the remainder rule above).
    ``amount`` must have at most ``places`` decimals."""
    if not weights:
        raise ValueError("nobody to split among")
    whole = sum(Fraction(w) for w in weights.values())
    if whole <= 0 or any(Fraction(w) <= 0 for w in weights.values()):
        raise ValueError("split weights must be positive")
    scale = 10**places
    total = Fraction(amount) * scale
    if total.denominator != 1:
        raise ValueError(f"{amount} has more than {places} decimals")
    exact = {key: Fraction(amount) * Fraction(weight) / whole for key, weight in weights.items()}
    units = _largest_remainder(exact, int(total), scale)
    return {key: _decimal(value, places) for key, value in units.items()}


def round_to_sum(amounts: dict, places: int = 2) -> dict:
    """``amounts`` (key -> Decimal) rounded to ``places`` decimals so that they add up to their exact
    total rounded half-even to ``places`` (the remainder rule above, applied to presentation)."""
    if not amounts:
        return {}
    scale = 10**places
    exact = {key: Fraction(value) for key, value in amounts.items()}
    with localcontext() as context:
        context.prec = 60
        total = sum(amounts.values(), Decimal(0)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    units = _largest_remainder(exact, int(Fraction(total) * scale), scale)
    return {key: _decimal(value, places) for key, value in units.items()}
