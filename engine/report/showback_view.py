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
from datetime import date, timedelta
from decimal import Decimal

from engine.amounts import percent

from engine.outputs.escaping import csv_number, csv_text
from engine.showback import (UNASSIGNED_SPEND, Chargeback, Consolidated, OwnerScorecard, OwnerSpend, Scorecard, Showback,
                             UnassignedSpend, Window, chargeback, consolidate, kpi_series, scorecard, showback, spend_series,
                             unassigned_spend)
from engine.showback.settings import DEFAULT_SCORECARD, LEVELS

LEVEL_POINTS = {level: points for points, level in enumerate(LEVELS)}  # crawl 0, walk 1, run 2


@dataclass(frozen=True)
class PeriodAmount:
    """An owner's spend in one period (one column of "spend per period"): this run's, the cost data's for the
    period before, or the latest earlier run's of that period (the history)."""

    label: str  # the period's label (2026-11)
    start: str  # the period's start (ISO-8601 UTC), to order the periods
    amount: Decimal
    last_day: date | None = None  # the last day counted, when the period was not over (its spend so far)
    source: str = ""  # where the amount comes from: "this run", "the cost data", "history run as of ..."

    @property
    def title(self) -> str:
        """``2026-11``, or ``2026-11 to 26 Nov`` for a period counted only so far."""
        return self.label if self.last_day is None else f"{self.label} to {self.last_day.day} {self.last_day:%b}"


@dataclass(frozen=True)
class Change:
    """This period's spend against the period before: the amount and percentage it changed by."""

    previous: PeriodAmount
    amount: Decimal
    percent: Decimal | None  # None when the previous amount is 0


@dataclass(frozen=True)
class OwnerShowback:
    """One owner's spend, chargeback lines, scorecard, and its series over earlier runs."""

    owner: str
    spend: tuple[OwnerSpend, ...]  # one per currency
    charges: tuple  # engine.showback.ChargebackLine, one per currency
    card: OwnerScorecard | None
    consolidated: Decimal | None  # the spend in the consolidated currency (with --rates)
    periods: dict = field(default_factory=dict)  # currency -> [PeriodAmount], one per period, oldest first, this one last
    changes: dict = field(default_factory=dict)  # currency -> Change, or None without the period before
    kpi_history: dict = field(default_factory=dict)  # (kpi, currency) -> [(as_of, value, level)], earlier runs

    def budget(self) -> dict | None:
        """The scorecard's forecast variance detail (budget, actual, forecast, ...) of each currency: ``{currency: detail}``."""
        if self.card is None:
            return None
        result = self.card.kpis.get("forecast_variance")
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
    unassigned: UnassignedSpend | None = None  # the unassigned spend, item by item
    spend_history: dict = field(default_factory=dict)  # (owner, currency) -> [engine.showback.history.PeriodSpend], earlier runs
    kpi_history: dict = field(default_factory=dict)  # (owner, kpi, currency) -> [(as_of, value, level)], earlier runs

    @property
    def owners(self) -> list[str]:
        """The owners with spend or a scorecard (the unassigned row is not an owner)."""
        found = {o.owner for o in self.spend.owners} | {o.owner for o in self.card.owners}
        return sorted(found - {UNASSIGNED_SPEND})

    def owner(self, owner: str) -> OwnerShowback:
        spend = tuple(self.spend.for_owner(owner))
        return OwnerShowback(
            owner, spend, tuple(line for line in self.charge.lines if line.owner == owner), self.card.for_owner(owner),
            self.consolidated.owners.get(owner) if self.consolidated is not None else None,
            {line.currency: self.periods(line) for line in spend}, {line.currency: self.change(line) for line in spend},
            {(kpi, currency): points for (who, kpi, currency), points in self.kpi_history.items() if who == owner})

    def current(self, amount: Decimal) -> PeriodAmount:
        """This run's period as a :class:`PeriodAmount` (with its last day while the period's data is partial)."""
        window, spend = self.window, self.spend
        last_day = None
        if spend.partial:
            end = min(window.rows_end, spend.data_end) if spend.data_end is not None else window.rows_end
            last_day = (end - timedelta(microseconds=1)).date()
        return PeriodAmount(window.label, _iso(window.start), amount, last_day, "this run")

    def previous(self, owner: str, currency: str) -> PeriodAmount | None:
        """The owner's spend in the period before this one: from the cost data when it holds rows of that period,
        else from the latest earlier run of that period in the history; None when neither has it."""
        before = self.window.previous
        if before is None:
            return None
        if self.spend.previous_available:
            amount = self.spend.previous_by_owner_currency().get((owner, currency), Decimal(0))
            return PeriodAmount(before.label, _iso(before.start), amount, None, "the cost data")
        point = next((p for p in self.spend_history.get((owner, currency), ()) if p.label == before.label), None)
        if point is None:
            return None
        return PeriodAmount(before.label, _iso(before.start), point.amount, None if point.complete else point.last_day,
                            f"history run as of {point.as_of}")

    def previous_totals(self) -> dict:
        """``{currency: amount}`` of the period before, as :meth:`previous` gets it for every owner (empty without it)."""
        before = self.window.previous
        if before is None:
            return {}
        if self.spend.previous_available:
            return dict(self.spend.previous_totals)
        totals: dict = {}
        for (_, currency), points in self.spend_history.items():
            for point in points:
                if point.label == before.label:
                    totals[currency] = totals.get(currency, Decimal(0)) + point.amount
        return totals

    def change(self, line: OwnerSpend) -> Change | None:
        """The owner's change from the period before (:meth:`previous`), or None without it."""
        previous = self.previous(line.owner, line.currency)
        if previous is None:
            return None
        difference = line.amount - previous.amount
        return Change(previous, difference, percent(difference, abs(previous.amount)) if previous.amount else None)

    def periods(self, line: OwnerSpend) -> list[PeriodAmount]:
        """The owner's spend per period in ``line``'s currency, one column per period, oldest first: the earlier
        runs' (the latest run of each period), the period before from the cost data when it holds it (it wins over
        the history), and this run's period last (it wins over an earlier run of the same period)."""
        columns: dict[str, PeriodAmount] = {}
        for point in self.spend_history.get((line.owner, line.currency), ()):
            columns[point.label] = PeriodAmount(point.label, point.start or "", point.amount,
                                                None if point.complete else point.last_day, f"history run as of {point.as_of}")
        previous = self.previous(line.owner, line.currency)
        if previous is not None:
            columns[previous.label] = previous
        columns[self.window.label] = self.current(line.amount)
        return sorted(columns.values(), key=lambda column: (column.start, column.label))

    def unassigned_rows(self) -> tuple[OwnerSpend, ...]:
        """The showback's unassigned row, one per currency."""
        return tuple(self.spend.for_owner(UNASSIGNED_SPEND))

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
    unassigned = unassigned_spend(costs, ownership, window, measure=measure, charge_categories=spend.charge_categories)
    return ReportShowback(window, spend, charge, card, consolidated, unassigned, spend_series(earlier_runs, measure),
                          kpi_series(earlier_runs))


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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
