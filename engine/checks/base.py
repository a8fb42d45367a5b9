"""What every policy type provides, and what its checks return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, NamedTuple, Protocol


class Violation(NamedTuple):
    """A resource failing a check: a short message and the evidence (actual vs expected).

    Checks that price what they find add the money; a check may lower the severity and enforcement
    of one finding (a rightsizing candidate without a recommendation is an ``info`` / ``audit`` note).
    """

    message: str
    evidence: dict
    monthly_cost: object = None  # engine.findings.Money
    monthly_saving: object = None  # engine.findings.Money
    severity: str | None = None  # None: the policy's
    enforcement: str | None = None  # None: the policy's


@dataclass(frozen=True)
class CheckContext:
    """What a check may depend on besides its input: the clock, the team directory, the budgets, sizes
    and prices; cost checks add notes."""

    as_of: datetime
    ownership: object | None = None  # engine.ownership.Ownership
    budgets: dict = field(default_factory=dict)  # Budgets document id -> engine.budgets.Budgets
    notes: list = field(default_factory=list)  # cost checks add notes here (shown as warnings)
    catalog: object | None = None  # engine.sizing.Catalog (size ladders, previous generations)
    prices: object | None = None  # engine.pricing.PriceSources, asked in order


class CheckSetupError(Exception):
    """A policy that cannot run in this context (e.g. it needs a team directory and has none)."""


ResourceCheck = Callable[[dict], "Violation | None"]


class CompiledCheck(Protocol):
    def bind(self, context: CheckContext) -> ResourceCheck: ...


# report(code, message, pointer, hint) — pointers are relative to the policy's spec
Report = Callable[[str, str, str, "str | None"], None]


class CheckSkipped(Exception):
    """A policy that has nothing to run on here (no cost snapshot, no Budgets document); reported as a note."""


@dataclass(frozen=True)
class CostViolation:
    """A scope (a team, an account, everything) failing a cost check, for one currency and period."""

    scope: dict  # {dimension, value, currency, period: {start, end}}
    owner: str
    owner_source: str
    message: str
    evidence: dict
    severity: str | None = None  # overrides the policy's severity (budget thresholds)
    money: dict = field(default_factory=dict)  # Finding money field name -> engine.findings.Money
