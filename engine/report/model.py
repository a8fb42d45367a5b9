"""What the report's pages show, gathered once: the estate, and one :class:`OwnerView` per owner.

:func:`build_model` takes the run's :class:`~engine.findings.Result` (evaluated, or read from a
findings document), the run history (:class:`Trend`) and, when the run had cost data, the showback
of the period (:class:`Showback`), and computes every number the HTML pages, the Markdown summary
and the deliveries show. The renderers only lay it out: nothing is computed twice.

Money stays exact (``Decimal``) and per currency: :class:`Amounts` maps a currency to an amount and
is never reduced to one number. Owners are ranked by **money at stake**: per currency, the sum of
what their *open* findings carry in :data:`AT_STAKE` (overspend, unallocated spend, unused
commitment, monthly savings available). Currencies are compared in the estate's order (the
currency with the most at stake first): an owner ranks by its amount in that currency, then the
next, then by open findings, then by id — two currencies are never added to rank.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from engine.findings import MONEY, UNASSIGNED, Finding, Result
from engine.severity import SEVERITIES, SEVERITY_RANK

# the money fields whose open amounts are "at stake": what an owner could act on this month
AT_STAKE = ("overspend", "unallocated_cost", "unused_commitment_cost", "monthly_saving")
# what each money field a report page shows is measured in: a FOCUS cost column, or how it is estimated. A
# budget's overspend is measured in its policy's measure (the finding's evidence says which).
MEASURES = {
    "monthly_saving": "estimated",
    "unallocated_cost": "EffectiveCost",
    "uncovered_cost": "EffectiveCost",
    "unused_commitment_cost": "EffectiveCost",
}
# policy types whose findings' monthly_saving is a saving of waste or of rightsizing (the owner page splits them)
SAVING_KINDS = {"waste": "waste", "rightsizing": "rightsizing", "previous-generation": "rightsizing"}
OWNER_PAGES = "owners"  # the folder of the owner pages, inside the report folder
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
_ZERO = Decimal(0)


class Amounts(dict):
    """``{currency: Decimal}``: one amount per currency, never summed across currencies."""

    def add(self, currency: str, amount: Decimal) -> None:
        self[currency] = self.get(currency, _ZERO) + amount

    def merged(self, other: "Amounts") -> "Amounts":
        out = Amounts(self)
        for currency, amount in other.items():
            out.add(currency, amount)
        return out

    def items_sorted(self, order: tuple[str, ...] = ()) -> list[tuple[str, Decimal]]:
        """The amounts, currencies in ``order`` first, then alphabetically."""
        rank = {currency: index for index, currency in enumerate(order)}
        return sorted(self.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))

    @property
    def nonzero(self) -> bool:
        return any(self.values())


@dataclass(frozen=True)
class Trend:
    """The run compared with the previous one (:func:`engine.showback.compare_runs`: a finding about a
    resource is the same finding when its fingerprint is; a cost finding when its policy and scope are,
    whatever the period). ``classes`` holds, for each finding of the run in order, ``new`` or
    ``persisting``; ``resolved`` the previous run's findings not found now (engine.showback.FindingRecord)."""

    previous_as_of: str
    previous_source: str
    classes: tuple[str, ...]
    resolved: tuple = ()
    # owner -> class -> field of AT_STAKE -> Amounts: what the open findings of the class carry (a resolved finding:
    # what it carried when it was open, in the previous run)
    money: dict = field(default_factory=dict)

    @classmethod
    def of(cls, comparison, findings: int) -> "Trend":
        classes = tuple(klass for klass, _ in comparison.items[:findings])
        resolved = tuple(record for klass, record in comparison.items[findings:] if klass == "resolved" and record.status == "open")
        previous = comparison.previous
        money: dict = {}
        for owner, parts in comparison.by_owner.items():
            for klass, part in parts.items():
                fields = {name: Amounts({c: a for c, a in per.items() if a}) for name, per in part["open_money"].items()
                          if name in AT_STAKE and any(per.values())}
                if fields:
                    money.setdefault(owner, {})[klass] = fields
        return cls(previous.as_of, previous.source, classes, resolved, money)

    def at_stake(self, owner: str | None = None) -> dict:
        """``{class: {field: Amounts}}`` of one owner, or of the estate (every owner's, added per currency)."""
        if owner is not None:
            return self.money.get(owner, {})
        estate: dict = {}
        for parts in self.money.values():
            for klass, fields in parts.items():
                for name, amounts in fields.items():
                    estate.setdefault(klass, {})[name] = estate.get(klass, {}).get(name, Amounts()).merged(amounts)
        return estate

    def counts(self, findings) -> tuple[int, int, int]:
        """Open findings new and persisting (of ``findings``: (position, Finding) pairs), and resolved ones (open before)."""
        new = persisting = 0
        for position, finding in findings:
            if finding.status == "open":
                new += self.classes[position] == "new"
                persisting += self.classes[position] == "persisting"
        return new, persisting, len(self.resolved)


def class_at_stake(fields: dict) -> Amounts:
    """The money at stake of one class of :meth:`Trend.at_stake` (new, persisting, resolved): its fields added, per currency."""
    total = Amounts()
    for amounts in fields.values():
        total = total.merged(amounts)
    return total


@dataclass(frozen=True)
class BudgetBurn:
    """One budget of an owner in the period: spent, forecast and the budget, in the budget's currency."""

    label: str
    currency: str
    budget: Decimal
    actual: Decimal
    forecast: Decimal | None
    source: str  # where the numbers come from: a policy id
    measure: str = ""  # the FOCUS cost column spent and forecast are sums of (BilledCost, EffectiveCost)


@dataclass(frozen=True)
class Commitment:
    """A commitment measure over a scope: coverage or utilization in percent, and the money behind it."""

    label: str
    percent: Decimal
    minimum: Decimal | None
    currency: str
    money_label: str
    money: Decimal
    source: str
    basis: str = ""  # the cost column the percentage is measured on (coverage: the policy's price; utilization: EffectiveCost)


@dataclass
class OwnerView:
    """Everything one owner's page shows."""

    id: str
    name: str
    contacts: tuple[str, ...]
    page: str  # path of the owner's page inside the report folder (owners/NAME.html)
    findings: list[Finding] = field(default_factory=list)  # open first, then by severity and money
    open: int = 0
    exempted: int = 0
    baselined: int = 0
    open_by_severity: dict = field(default_factory=dict)  # severity -> open findings
    at_stake: dict = field(default_factory=dict)  # field of AT_STAKE -> Amounts (open findings)
    at_stake_total: Amounts = field(default_factory=Amounts)  # per currency, the fields added (same currency only)
    savings: dict = field(default_factory=dict)  # "waste" | "rightsizing" | "other" -> Amounts (open findings' monthly_saving)
    budgets: list[BudgetBurn] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    new: int = 0
    persisting: int = 0
    classes: dict = field(default_factory=dict)  # id(finding) -> new | persisting (with a previous run)
    resolved: list = field(default_factory=list)  # engine.showback.FindingRecord: open in the previous run, not now
    claims: list = field(default_factory=list)  # engine.showback.Claim: unassigned spend of resources the inventory says are this owner's
    showback: object = None  # the owner's part of the showback (engine.report.showback_view.OwnerShowback)
    rank: int = 0


@dataclass
class ReportModel:
    """The whole report: the estate and every owner, ranked."""

    title: str
    period: dict | None  # the run's period ({label, given, start, end}) or None
    as_of: str
    version: str
    result: Result
    owners: list[OwnerView]
    currencies: tuple[str, ...]  # the estate's currencies, most at stake first
    at_stake: dict  # field -> Amounts, the estate's open findings
    at_stake_total: Amounts
    open_by_severity: dict
    trend: Trend | None
    showback: object = None  # engine.showback's result for the period, or None
    showback_missing: str | None = None  # why there is no showback (e.g. built from --findings, without --costs)
    fail_on: str = "info"
    measures: dict = field(default_factory=dict)  # money field -> what its amounts are measured in (field_measures)
    claims_checked: bool = False  # whether the unassigned spend was matched to an inventory (claims given)

    def owner(self, owner_id: str) -> OwnerView | None:
        return next((view for view in self.owners if view.id == owner_id), None)


def build_model(result: Result, *, version: str, title: str | None = None, trend: Trend | None = None, showback=None,
                showback_missing: str | None = None, fail_on: str = "info", claims: dict | None = None) -> ReportModel:
    """The report of ``result``: every owner with a finding or a share of the showback, ranked. ``claims``:
    owner -> [engine.showback.Claim] (:func:`engine.showback.claims`), None without an inventory to match."""
    policy_types = {policy.id: policy.type for policy in result.policies}
    views: dict[str, OwnerView] = {}
    pages: set[str] = set()

    def view(owner: str) -> OwnerView:
        if owner not in views:
            team = result.teams.get(owner)
            views[owner] = OwnerView(owner, team.name if team is not None else owner, tuple(team.contacts) if team is not None else (),
                                     page=_page_name(owner, pages))
        return views[owner]

    estate = {name: Amounts() for name in AT_STAKE}
    open_by_severity = dict.fromkeys(SEVERITIES, 0)
    orders: dict[str, list] = {}  # owner -> [(order key, finding)]: open first, most severe, most at stake, then as the run lists them
    rank = SEVERITY_RANK
    for position, finding in enumerate(result.findings):
        owner = views.get(finding.owner) or view(finding.owner)
        status = finding.status
        if trend is not None:
            owner.classes[id(finding)] = trend.classes[position]
        if status != "open":
            if status == "exempted":
                owner.exempted += 1
            else:
                owner.baselined += 1
            orders.setdefault(owner.id, []).append(((1, -rank[finding.severity], True, "", _ZERO, position), finding))
            continue
        owner.open += 1
        owner.open_by_severity[finding.severity] = owner.open_by_severity.get(finding.severity, 0) + 1
        open_by_severity[finding.severity] += 1
        if trend is not None:
            owner.new += trend.classes[position] == "new"
            owner.persisting += trend.classes[position] == "persisting"
        currency, largest = "", _ZERO  # the largest amount at stake, compared only with others of its currency
        kind = policy_types.get(finding.policy)
        if kind in _COMMITMENT_TYPES:
            _commitment(owner, finding)
        saving = finding.monthly_saving
        if saving is not None and saving.amount:  # a saving of 0.00 puts nothing at stake
            owner.at_stake.setdefault("monthly_saving", Amounts()).add(saving.currency, saving.amount)
            estate["monthly_saving"].add(saving.currency, saving.amount)
            owner.savings.setdefault(SAVING_KINDS.get(kind or "", "other"), Amounts()).add(saving.currency, saving.amount)
            currency, largest = saving.currency, saving.amount
        for name, money in finding.other_money:  # the money fields besides monthly_cost and monthly_saving
            if name in AT_STAKE and money.amount:
                owner.at_stake.setdefault(name, Amounts()).add(money.currency, money.amount)
                estate[name].add(money.currency, money.amount)
                if not currency or (money.currency == currency and money.amount > largest):
                    currency, largest = money.currency, money.amount
        if kind == "budget" or finding.overspend is not None:
            _budget(owner, finding)
        orders.setdefault(owner.id, []).append(((0, -rank[finding.severity], not currency, currency, -largest, position), finding))
    if trend is not None:
        for record in trend.resolved:
            view(record.owner).resolved.append(record)
    if showback is not None:
        for owner_id in showback.owners:
            view(owner_id)
    for owner_id, found in (claims or {}).items():
        view(owner_id).claims = found
    for owner in views.values():
        for amounts in owner.at_stake.values():
            owner.at_stake_total = owner.at_stake_total.merged(amounts)
        owner.findings = [finding for _, finding in sorted(orders.get(owner.id, ()), key=_first)]
        if showback is not None:
            owner.showback = showback.owner(owner.id)
            _budgets_of_showback(owner)
    total = Amounts()
    for amounts in estate.values():
        total = total.merged(amounts)
    currencies = tuple(currency for currency, _ in sorted(total.items(), key=lambda item: (-item[1], item[0])))
    ranked = sorted(views.values(), key=lambda o: _rank_key(o, currencies))
    for position, owner in enumerate(ranked, 1):
        owner.rank = position
    period = result.period
    return ReportModel(
        title=title or ("Cost compliance report " + (period["label"] if period else result.as_of[:10])),
        period=period, as_of=result.as_of, version=version, result=result, owners=ranked, currencies=currencies,
        at_stake={name: amounts for name, amounts in estate.items() if amounts}, at_stake_total=total,
        open_by_severity=open_by_severity, trend=trend, showback=showback, showback_missing=showback_missing, fail_on=fail_on,
        measures=field_measures(result.findings), claims_checked=claims is not None)


def _rank_key(owner: OwnerView, currencies: tuple[str, ...]) -> tuple:
    """Most money at stake first, currency by currency in the estate's order; then open findings; then the id."""
    amounts = tuple(-owner.at_stake_total.get(currency, _ZERO) for currency in currencies)
    worst = max((SEVERITY_RANK[s] for s, n in owner.open_by_severity.items() if n), default=-1)
    return (*amounts, -owner.open, -worst, owner.id == UNASSIGNED, owner.id)


def _first(item: tuple):
    return item[0]


_COMMITMENT_TYPES = frozenset({"commitment"})


def _budget(owner: OwnerView, finding: Finding) -> None:
    """A budget finding's evidence: the owner's budget, spent and forecast (budget findings exist only past a threshold)."""
    evidence = finding.evidence
    try:
        budget, actual = Decimal(str(evidence["budget"])), Decimal(str(evidence["actual"]))
        forecast = Decimal(str(evidence["forecast"])) if evidence.get("forecast") is not None else None
        currency = str(evidence["currency"])
    except (KeyError, ArithmeticError, ValueError, TypeError):
        return
    scope = finding.scope or {}
    label = f"{scope.get('dimension')} {scope.get('value')}" if scope.get("dimension") not in ("owner", "all") else finding.title
    owner.budgets.append(BudgetBurn(label or finding.policy, currency, budget, actual, forecast, finding.policy,
                                    str(evidence.get("measure") or "")))


# (evidence key of the percentage, of the minimum, money field, label, evidence key of the cost column measured
# on or the column itself) of commitment findings
_COMMITMENT_MEASURES = (
    ("coverage", "coverage_minimum", "uncovered_cost", "Commitment coverage", "price"),
    ("utilization", "utilization_minimum", "unused_commitment_cost", "Commitment utilization", "EffectiveCost"),
)


def _commitment(owner: OwnerView, finding: Finding) -> None:
    evidence = finding.evidence
    for key, minimum, money_field, label, basis in _COMMITMENT_MEASURES:
        if key not in evidence or not isinstance(evidence.get("currency"), str):
            continue
        money = getattr(finding, money_field)
        try:
            percent = Decimal(str(evidence[key]))
            floor = Decimal(str(evidence[minimum])) if evidence.get(minimum) is not None else None
        except (ArithmeticError, ValueError):
            continue
        scope = finding.scope or {}
        where = "" if scope.get("dimension") in (None, "all") else f" ({scope.get('dimension')} {scope.get('value')})"
        owner.commitments.append(Commitment(label + where, percent, floor, evidence["currency"], MONEY[money_field].label,
                                            money.amount if money is not None else _ZERO, finding.policy,
                                            basis if basis == "EffectiveCost" else str(evidence.get(basis) or "")))


def money_measure(finding: Finding, name: str) -> str:
    """What the finding's money field ``name`` is measured in (:data:`MEASURES`; a budget's overspend: its
    policy's measure), or empty when unknown."""
    if name == "overspend":
        measure = finding.evidence.get("measure")
        return measure if isinstance(measure, str) else ""
    return MEASURES.get(name, "")


def field_measures(findings) -> dict[str, str]:
    """``{money field: what its amounts are measured in}`` over the open ``findings`` (a field measured in
    several columns, e.g. overspend of budget policies on BilledCost and on EffectiveCost, names them all)."""
    seen: dict[str, list[str]] = {}
    for finding in findings:
        if finding.status != "open":
            continue
        for name, money in finding.money.items():
            measure = money_measure(finding, name)
            if measure and measure not in seen.setdefault(name, []):
                seen[name].append(measure)
    return {name: " or ".join(sorted(measures)) for name, measures in seen.items() if measures}


def _page_name(owner: str, taken: set[str]) -> str:
    """``owners/NAME.html`` for an owner: the owner id when it is a plain team id (lowercase, digits,
    dashes), else a readable part of it and a hash, so that no owner text from a findings document
    can name a path outside the folder or a special file."""
    if _SAFE_NAME.match(owner):
        name = owner
    else:
        readable = re.sub(r"[^a-z0-9]+", "-", owner.lower()).strip("-")[:40] or "owner"
        name = f"{readable}-{hashlib.sha256(owner.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
    base, number = name, 2
    while name in taken:  # two owners whose names fold to the same text (Team-A, team-a)
        name = f"{base}-{number}"
        number += 1
    taken.add(name)
    return f"{OWNER_PAGES}/{name}.html"


def _budgets_of_showback(owner: OwnerView) -> None:
    """The scorecard's budget of the owner, for an owner without budget findings (those exist only past a
    threshold): every owner with a budget sees its burn."""
    details = owner.showback.budget() if owner.showback is not None else None
    if not details or owner.budgets:  # a budget policy's findings give its own numbers (its measure, its budget)
        return
    burns = []
    for currency, detail in sorted(details.items()):
        burns.append(BudgetBurn(f"Budget {detail['budgets']}, {detail['period']}", currency,
                                Decimal(detail["budget"]), Decimal(detail["actual"]), Decimal(detail["forecast"]),
                                f"Budgets {detail['budgets']}", detail["measure"]))
    owner.budgets = burns
