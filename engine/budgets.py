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

A budget entry is an amount of 0 or more, or ``{amount, currency, owner}``. Amounts follow the
rule of every money input (:func:`engine.amounts.read_amount`): numbers or decimal strings
(``"2500.50"``, ``9.6E-2``), at most 26 digits before the decimal point and 12 after it, read
exactly. Currencies are ISO 4217 codes. A budget is compared only with spend in its own currency;
spend of the same scope in another currency is reported, never added.

Each entry keeps the line it is written on, so that a budget policy can name an entry that
matches no scope value with spend in the period (a typo, a team alias) in a warning
(:func:`unmatched_entries`).
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal

from engine.amounts import AmountError, currency_problem, read_amount
from engine.findings import Money

ENTRY_SHAPE = 'a budget entry is an amount of 0 or more (500 or "2500.50") or {amount, currency, owner}'


@dataclass(frozen=True)
class BudgetEntry:
    money: Money
    owner: str | None = None
    line: int | None = None  # where the entry is written in its Budgets file


@dataclass(frozen=True)
class Budgets:
    id: str
    period: str | None
    entries: dict = field(default_factory=dict)  # scope value -> BudgetEntry
    default: BudgetEntry | None = None
    file: str | None = None
    period_line: int | None = None  # the line of ``period:``

    def for_scope(self, value) -> BudgetEntry | None:
        if value is not None and value in self.entries:
            return self.entries[value]
        return self.default

    def where(self, line: int | None) -> str:
        """``budgets.yaml:9`` (or the file alone, or the document's id when it has no file)."""
        place = self.file or f"Budgets '{self.id}'"
        return f"{place}:{line}" if line is not None and self.file else place


def _amount(value, pointer: str, report, entry: bool = True) -> Decimal | None:
    shape = f"; {ENTRY_SHAPE}" if entry else ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        report("E323", f"{json.dumps(value, ensure_ascii=False, default=str)} is not an amount{shape}", pointer, None)
        return None
    if isinstance(value, float) and not math.isfinite(value):
        shown = ".nan" if math.isnan(value) else ".inf (or a number too large for a float, such as 1e400)" if value > 0 else "-.inf"
        report("E323", f"{shown} is not an amount{shape}", pointer, None)
        return None
    try:
        text = value if isinstance(value, str) else repr(value)
        return read_amount(text, negative=False, shown=None if isinstance(value, str) else text)
    except AmountError as error:
        report("E323", f"{error}{shape}", pointer, None)
        return None


def _currency(value: str, pointer: str, report) -> bool:
    wrong = currency_problem(value)
    if wrong is not None:
        report("E323", wrong, pointer, None)
    return wrong is None


def compile_budgets(data: dict, report, file: str | None = None, position=None) -> Budgets | None:
    """Build Budgets from a document; report(code, message, pointer, hint).

    ``position(pointer) -> (line, column)`` places the entries (a document's ``position``). Amounts and
    currencies are checked by their rules whatever the schema said of them (their problems supersede the
    schema's: :mod:`engine.documents.stages`); the other parts are read only when they have the shape the
    schema asks for, so that a document the schema refused is checked too, without failing."""
    def line_of(pointer: str) -> int | None:
        return position(pointer)[0] if position is not None else None

    currency = data.get("currency")
    ok = "currency" in data and _currency(currency, "/currency", report)
    entries: dict = {}
    amounts = data.get("amounts", {})
    for name, item in amounts.items() if isinstance(amounts, dict) else ():
        pointer = "/amounts/" + str(name).replace("~", "~0").replace("/", "~1")
        if isinstance(item, dict):
            if "amount" not in item:  # the schema's problem
                ok = False
                continue
            amount = _amount(item["amount"], pointer + "/amount", report)
            entry_currency, owner = item.get("currency", currency), item.get("owner")
            if "currency" in item and not _currency(entry_currency, pointer + "/currency", report):
                ok = False
        else:
            amount = _amount(item, pointer, report)
            entry_currency, owner = currency, None
        if amount is None:
            ok = False
            continue
        entries[str(name)] = BudgetEntry(Money(amount, entry_currency), owner, line_of(pointer))
    default = None
    if "default" in data:
        amount = _amount(data["default"], "/default", report, entry=False)
        if amount is None:
            ok = False
        else:
            default = BudgetEntry(Money(amount, currency), None, line_of("/default"))
    if not ok or not isinstance(data.get("id"), str):
        return None
    period_line = line_of("/period") if "period" in data else None
    return Budgets(data["id"], data.get("period"), entries, default, file, period_line)


def unmatched_entries(budgets: Budgets, seen, describe: str, period: str, known=(), aliases=None) -> list[str]:
    """Warnings for the entries of ``budgets`` whose name is none of the scope values ``seen`` (with spend in ``period``).

    ``describe`` names the scope ("team", "SubAccountId", "tag team value"); ``known``: names that need
    no warning even without spend (the directory's team ids, for scope owner); ``aliases``: name ->
    what it stands for (a team alias or member email, for scope owner)."""
    seen = sorted({str(v) for v in seen if v is not None})
    warnings = []
    for name, entry in sorted(budgets.entries.items()):
        if name in seen or name in known:
            continue
        where = budgets.where(entry.line)
        stands_for = (aliases or {}).get(name)
        if stands_for is not None and stands_for != name:
            warnings.append(f"{where}: Budgets '{budgets.id}' entry '{name}' names {describe} {stands_for} by an alias or a"
                            f" member's email; budgets are by {describe} id, so the entry matches nothing: write '{stands_for}'")
            continue
        near = difflib.get_close_matches(name, [*seen, *known], n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        warnings.append(f"{where}: Budgets '{budgets.id}' entry '{name}' matches no {describe} with spend in {period}{hint}")
    return warnings
