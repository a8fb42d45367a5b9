"""What checks return: a resource failing an inventory check, a scope failing a cost check. The
evaluator turns each into a :class:`~engine.findings.Finding`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


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
class CostViolation:
    """A scope (a team, an account, everything) failing a cost check, for one currency and period."""

    scope: dict  # {dimension, value, currency, period: {start, end}}
    owner: str
    owner_source: str
    message: str
    evidence: dict
    severity: str | None = None  # overrides the policy's severity (budget thresholds)
    money: dict = field(default_factory=dict)  # Finding money field name -> engine.findings.Money
