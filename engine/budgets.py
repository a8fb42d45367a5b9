"""Budgets documents: the amounts a budget policy compares spend with, owned by finance.

::

    apiVersion: costwarden/v1
    kind: Budgets
    id: team-monthly
    period: month            # the amounts are per month (must match the policies using them)
    currency: USD            # the currency of every amount unless an entry says otherwise
    default: 5000            # scope values without an entry (omit: those are not checked)
    amounts:
      payments: 12000
      data-platform: {amount: 8000, owner: data-platform}
      "123456789012": {amount: "2500.50", currency: EUR, owner: web}

Amounts are exact decimals (write them as numbers or strings). A budget is compared only with
spend in its own currency; spend of the same scope in another currency is reported, never added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from engine.findings import Money


@dataclass(frozen=True)
class BudgetEntry:
    money: Money
    owner: str | None = None


@dataclass(frozen=True)
class Budgets:
    id: str
    period: str | None
    entries: dict = field(default_factory=dict)  # scope value -> BudgetEntry
    default: BudgetEntry | None = None
    file: str | None = None

    def for_scope(self, value) -> BudgetEntry | None:
        if value is not None and value in self.entries:
            return self.entries[value]
        return self.default


def _decimal(value, pointer: str, report) -> Decimal | None:
    if isinstance(value, bool):
        report("E323", "an amount is a number or a decimal string", pointer, None)
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        report("E323", f"{value!r} is not a decimal amount", pointer, None)
        return None
    if not amount.is_finite() or amount < 0:
        report("E323", f"{value!r} is not a non-negative amount", pointer, None)
        return None
    return amount


def compile_budgets(data: dict, report, file: str | None = None) -> Budgets | None:
    """Build Budgets from a schema-valid document; report(code, message, pointer, hint)."""
    currency = data["currency"]
    ok = True
    entries: dict = {}
    for name, item in data.get("amounts", {}).items():
        pointer = "/amounts/" + str(name).replace("~", "~0").replace("/", "~1")
        if isinstance(item, dict):
            amount = _decimal(item["amount"], pointer + "/amount", report)
            entry_currency, owner = item.get("currency", currency), item.get("owner")
        else:
            amount = _decimal(item, pointer, report)
            entry_currency, owner = currency, None
        if amount is None:
            ok = False
            continue
        entries[str(name)] = BudgetEntry(Money(amount, entry_currency), owner)
    default = None
    if "default" in data:
        amount = _decimal(data["default"], "/default", report)
        if amount is None:
            ok = False
        else:
            default = BudgetEntry(Money(amount, currency))
    if not ok:
        return None
    return Budgets(data["id"], data.get("period"), entries, default, file)
