"""What every policy type provides, and what its checks return."""

from __future__ import annotations

from dataclasses import dataclass
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
    """What a check may depend on besides the resource: the clock, the team directory, sizes and prices."""

    as_of: datetime
    ownership: object | None = None  # engine.ownership.Ownership
    catalog: object | None = None  # engine.sizing.Catalog (size ladders, previous generations)
    prices: object | None = None  # engine.pricing.PriceSources, asked in order


class CheckSetupError(Exception):
    """A policy that cannot run in this context (e.g. it needs a team directory and has none)."""


ResourceCheck = Callable[[dict], "Violation | None"]


class CompiledCheck(Protocol):
    def bind(self, context: CheckContext) -> ResourceCheck: ...


# report(code, message, pointer, hint) — pointers are relative to the policy's spec
Report = Callable[[str, str, str, "str | None"], None]
