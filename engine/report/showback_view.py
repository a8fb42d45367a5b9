"""The showback part of a report: :mod:`engine.showback`'s numbers for the period, gathered per owner.

:func:`compute` runs what the report shows from the cost data — the showback (spend per owner and
currency, its services and the change from the previous period), the chargeback (shared costs split
by the Allocation document's rules), the totals consolidated at stated exchange rates (with
``--rates``), the FinOps scorecard, and the series of spend and KPIs over the earlier runs of the
history. :class:`ReportShowback` hands each owner its part (:class:`OwnerShowback`); nothing is
computed again by the renderers. :func:`chargeback_csv` writes the chargeback lines, every cell
neutralised for spreadsheets.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from engine.outputs.escaping import csv_number, csv_text
from engine.showback import (UNALLOCATED, Chargeback, Consolidated, OwnerScorecard, OwnerSpend, Scorecard, Showback, Window,
                             chargeback, consolidate, kpi_series, scorecard, showback, spend_series)
from engine.showback.settings import DEFAULT_SCORECARD, LEVELS

LEVEL_POINTS = {level: points for points, level in enumerate(LEVELS)}  # crawl 0, walk 1, run 2


@dataclass(frozen=True)
class OwnerShowback:
    """One owner's spend, chargeback lines, scorecard, and its series over earlier runs."""

    owner: str
    spend: tuple[OwnerSpend, ...]  # one per currency
    charges: tuple  # engine.showback.ChargebackLine, one per currency
    card: OwnerScorecard | None
    consolidated: Decimal | None  # the spend in the consolidated currency (with --rates)
    spend_history: dict = field(default_factory=dict)  # currency -> [(as_of, period label, amount)], earlier runs
    kpi_history: dict = field(default_factory=dict)  # (kpi, currency) -> [(as_of, value, level)], earlier runs

    def budget(self) -> dict | None:
        """The scorecard's budget adherence detail (budget, actual, forecast, ...) of each currency: ``{currency: detail}``."""
        if self.card is None:
            return None
        result = self.card.kpis.get("budget_adherence")
        if result is None or not result.values:
            return None
        return {value.currency: value.detail for value in result.values}


@dataclass(frozen=True)
class ReportShowback:
    window: Window
    spend: Showback
    charge: Chargeback
    card: Scorecard
    consolidated: Consolidated | None
    spend_history: dict = field(default_factory=dict)
    kpi_history: dict = field(default_factory=dict)

    @property
    def owners(self) -> list[str]:
        """The owners with spend or a scorecard (the unallocated row is not an owner)."""
        found = {o.owner for o in self.spend.owners} | {o.owner for o in self.card.owners}
        return sorted(found - {UNALLOCATED})

    def owner(self, owner: str) -> OwnerShowback:
        spend = tuple(self.spend.for_owner(owner))
        return OwnerShowback(
            owner, spend, tuple(line for line in self.charge.lines if line.owner == owner), self.card.for_owner(owner),
            self.consolidated.owners.get(owner) if self.consolidated is not None else None,
            {currency: points for (who, currency), points in self.spend_history.items() if who == owner},
            {(kpi, currency): points for (who, kpi, currency), points in self.kpi_history.items() if who == owner})

    def unallocated(self) -> tuple[OwnerSpend, ...]:
        return tuple(self.spend.for_owner(UNALLOCATED))

    def score(self, owner: str) -> tuple[Decimal | None, int]:
        """``(mean level points over the available KPIs — crawl 0, walk 1, run 2 —, KPIs available)``."""
        card = self.card.for_owner(owner)
        levels = [result.level for result in card.kpis.values() if result.level] if card is not None else []
        if not levels:
            return None, 0
        return Decimal(sum(LEVEL_POINTS[level] for level in levels)) / len(levels), len(levels)


def compute(costs, ownership, result, budgets, window: Window, *, allocation=None, rates=None, currency=None,
            settings=DEFAULT_SCORECARD, measure: str = "EffectiveCost", earlier_runs=()) -> ReportShowback:
    """The showback, chargeback, consolidation and scorecard of ``window``, and the series of ``earlier_runs``
    (engine.showback.RunRecord, oldest first)."""
    spend = showback(costs, ownership, window, measure=measure, allocation=allocation)
    charge = chargeback(spend)
    card = scorecard(costs, ownership, window, spend=spend, result=result, budgets=budgets, settings=settings)
    consolidated = consolidate(spend, rates, currency) if rates is not None else None
    return ReportShowback(window, spend, charge, card, consolidated, spend_series(earlier_runs), kpi_series(earlier_runs))


_NUMBER_COLUMN = ("direct", "total")


def chargeback_csv(charge: Chargeback) -> str:
    """The chargeback lines as CSV (RFC 4180, CRLF): owner, currency, direct, one column per rule, total,
    measure, period. Amounts are exact decimals kept as numbers; every text cell is neutralised so that a
    spreadsheet never runs it as a formula (:func:`engine.outputs.escaping.csv_text`)."""
    header = charge.csv_header()
    numbers = [name in _NUMBER_COLUMN or name.startswith("allocated:") for name in header]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(name) for name in header])
    for row in charge.csv_rows():
        writer.writerow([csv_number(cell) if number else csv_text(cell) for cell, number in zip(row, numbers)])
    return out.getvalue()
