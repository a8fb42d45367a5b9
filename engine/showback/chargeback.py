"""Chargeback: each owner's direct spend plus its share of the shared pools of an Allocation.

Per owner and currency: ``direct`` is the spend of the rows it owns that no rule selected;
``allocated`` holds, per rule, its share of that rule's pool in the currency (see
:mod:`engine.showback.allocation` for the splits and :mod:`engine.showback.apportion` for the
remainder rule); ``total = direct + Σ allocated``. Spend that stays unassigned — unassigned rows
no rule selected, and pools nobody could take — is the line of the owner
:data:`~engine.showback.owners.UNASSIGNED_SPEND`. The lines of a currency add up *exactly* to the
window's total in that currency (the showback total: Σ measure over the window's rows), and
each pool's shares add up exactly to the pool.

Amounts are exact decimals at 12 places. :meth:`Chargeback.rounded` gives each line's total in
cents such that a currency's cents add up to its total rounded to cents (the same remainder rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.amounts import exact
from engine.showback.apportion import round_to_sum, split
from engine.showback.owners import UNASSIGNED_SPEND, owner_name
from engine.showback.spend import Showback

_ZERO = Decimal(0)


@dataclass(frozen=True)
class ChargebackLine:
    owner: str  # a team id, or UNASSIGNED_SPEND
    name: str
    currency: str
    direct: Decimal
    allocated: dict  # rule id -> Decimal (every rule of the allocation, 0 when none)

    @property
    def total(self) -> Decimal:
        return self.direct + sum(self.allocated.values(), _ZERO)

    def to_dict(self) -> dict:
        return {"owner": self.owner, "name": self.name, "unassigned": self.owner == UNASSIGNED_SPEND, "currency": self.currency,
                "direct": exact(self.direct), "allocated": {rule: exact(v) for rule, v in self.allocated.items()},
                "total": exact(self.total)}


@dataclass(frozen=True)
class PoolSplit:
    """How one rule's pool in one currency was split."""

    rule: str
    currency: str
    amount: Decimal
    split: str
    shares: dict  # recipient -> Decimal; empty when it stayed unassigned
    unassigned_reason: str | None = None

    def to_dict(self) -> dict:
        return {"rule": self.rule, "currency": self.currency, "amount": exact(self.amount), "split": self.split,
                "shares": {owner: exact(v) for owner, v in self.shares.items()}, "unassigned_reason": self.unassigned_reason}


@dataclass(frozen=True)
class Chargeback:
    measure: str
    window: object  # engine.showback.windows.Window
    rules: tuple[str, ...]
    lines: tuple[ChargebackLine, ...]
    totals: dict  # currency -> Decimal
    pools: tuple[PoolSplit, ...] = ()
    allocation_id: str | None = None
    notes: tuple[str, ...] = field(default=())

    def by_owner_currency(self) -> dict:
        """``{(owner, currency): total}``."""
        return {(line.owner, line.currency): line.total for line in self.lines}

    def csv_header(self) -> list[str]:
        return ["owner", "currency", "direct", *[f"allocated:{rule}" for rule in self.rules], "total", "measure", "period"]

    def csv_rows(self) -> list[list[str]]:
        """One row per line, amounts exact (as :meth:`csv_header` names them); write them with the CSV
        escaping of :mod:`engine.outputs.escaping`."""
        return [
            [line.owner, line.currency, exact(line.direct), *[exact(line.allocated[rule]) for rule in self.rules],
             exact(line.total), self.measure, self.window.label]
            for line in self.lines
        ]

    def rounded(self, places: int = 2) -> dict:
        """``{(owner, currency): total rounded to places}``, adding up per currency to the currency's
        total rounded half-even to ``places`` (the remainder rule of :mod:`engine.showback.apportion`)."""
        out: dict = {}
        for currency in self.totals:
            lines = {line.owner: line.total for line in self.lines if line.currency == currency}
            for owner, amount in round_to_sum(lines, places).items():
                out[(owner, currency)] = amount
        return out

    def to_dict(self) -> dict:
        return {
            "allocation": self.allocation_id,
            "measure": self.measure,
            "period": self.window.label,
            "rules": list(self.rules),
            "totals": [{"currency": c, "amount": exact(v)} for c, v in sorted(self.totals.items())],
            "lines": [line.to_dict() for line in self.lines],
            "pools": [pool.to_dict() for pool in self.pools],
            "notes": list(self.notes),
        }


def chargeback(spend: Showback) -> Chargeback:
    """The chargeback of a showback (see the module doc); without an allocation every line is direct spend."""
    allocation = spend.allocation
    rules = allocation.rules if allocation is not None else ()
    direct: dict = {}  # (owner, currency) -> Decimal; owner UNASSIGNED_SPEND for unassigned rows no rule took
    pools: dict = {}  # (rule index, currency) -> Decimal
    totals: dict = {}
    for line in spend.lines:
        if not line.current:
            continue
        totals[line.currency] = totals.get(line.currency, _ZERO) + line.amount
        if line.pool is None:
            key = (line.owner if line.owner is not None else UNASSIGNED_SPEND, line.currency)
            direct[key] = direct.get(key, _ZERO) + line.amount
        else:
            pools[(line.pool, line.currency)] = pools.get((line.pool, line.currency), _ZERO) + line.amount
    allocated: dict = {}  # (owner, currency) -> {rule id: Decimal}
    splits = []
    notes = []
    for (index, currency), amount in sorted(pools.items()):
        rule = rules[index]
        weights, reason = _weights(rule, currency, direct)
        if weights:
            shares = split(amount, weights)
        else:
            shares = {}
            notes.append(f"rule {rule.id}: {_amount(amount, currency)} stays unassigned: {reason}")
        splits.append(PoolSplit(rule.id, currency, amount, rule.split, shares, reason if not weights else None))
        for owner, share in (shares or {UNASSIGNED_SPEND: amount}).items():
            parts = allocated.setdefault((owner, currency), {})
            parts[rule.id] = parts.get(rule.id, _ZERO) + share
    ids = tuple(rule.id for rule in rules)
    lines = []
    for owner, currency in set(direct) | set(allocated):
        parts = allocated.get((owner, currency), {})
        lines.append(ChargebackLine(owner, owner_name(spend.ownership, owner), currency, direct.get((owner, currency), _ZERO),
                                    {rule: parts.get(rule, _ZERO) for rule in ids}))
    lines.sort(key=lambda line: (line.currency, line.owner == UNASSIGNED_SPEND, -line.total, line.owner))
    return Chargeback(spend.measure, spend.window, ids, tuple(lines), totals, tuple(splits),
                      allocation.id if allocation is not None else None, tuple(notes))


def _amount(amount: Decimal, currency: str) -> str:
    return f"{exact(amount)} {currency}"


def _weights(rule, currency: str, direct: dict) -> tuple[dict, str | None]:
    """The recipients of a rule's pool in ``currency`` and their weights, or ({}, why nobody)."""
    if rule.split == "fixed":
        return {team: share for team, share in rule.shares}, None
    spending = {owner: amount for (owner, c), amount in direct.items() if c == currency and owner != UNASSIGNED_SPEND and amount > 0}
    candidates = list(rule.to) if rule.to is not None else sorted(spending)
    if rule.split == "even":
        if not candidates:
            return {}, f"no team has positive direct spend in {currency}"
        return {team: 1 for team in candidates}, None
    weights = {team: spending[team] for team in candidates if team in spending}
    if not weights:
        named = "none of the teams of to" if rule.to is not None else "no team"
        return {}, f"{named} has positive direct spend in {currency} to split in proportion to"
    return weights, None
