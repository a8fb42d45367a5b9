"""What every policy type is given: the context a check is bound to, and the shapes of a per-resource
check and of the problem reporter. What a compiled check offers is said in :mod:`engine.checks`; what
checks return is in :mod:`engine.violations`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from engine.violations import Violation


@dataclass(frozen=True)
class CheckContext:
    """What a check may depend on besides its input: the clock, the team directory, the budgets, sizes
    and prices, the period the run reports on; cost checks add notes."""

    as_of: datetime
    ownership: object | None = None  # engine.ownership.Ownership
    budgets: dict = field(default_factory=dict)  # Budgets document id -> engine.budgets.Budgets
    notes: list = field(default_factory=list)  # cost checks add notes here (shown as warnings)
    catalog: object | None = None  # engine.sizing.Catalog (size ladders, previous generations)
    prices: object | None = None  # engine.pricing.PriceSources, asked in order
    period: object | None = None  # engine.costs.periods.ReportPeriod: the period a run reports on (check --period)
    change: object | None = None  # engine.change_cost.ChangeCost: the priced plan, for change checks (None: no plan)


ResourceCheck = Callable[[dict], "Violation | None"]


# report(code, message, pointer, hint) — pointers are relative to the policy's spec
Report = Callable[[str, str, str, "str | None"], None]
