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
    """Findings compared with the previous run: by fingerprint, open ones only.

    ``new``: open now, not open then; ``persisting``: open then and now; ``resolved``: open then, not
    open now (fixed, exempted or baselined since). ``previous_as_of`` dates the run compared with.
    """

    previous_as_of: str
    new: frozenset
    persisting: frozenset
    resolved: tuple  # the previous run's findings no longer open (engine.findings.Finding)

    def status(self, finding: Finding) -> str | None:
        fingerprint = finding.fingerprint
        if fingerprint in self.new:
            return "new"
        if fingerprint in self.persisting:
            return "persisting"
        return None


def compare_runs(current: Result, previous: Result) -> Trend:
    """The open findings of ``current`` against those of ``previous`` (see :class:`Trend`)."""
    before = {finding.fingerprint: finding for finding in previous.findings if finding.status == "open"}
    now = {finding.fingerprint for finding in current.findings if finding.status == "open"}
    return Trend(previous.as_of, frozenset(now - before.keys()), frozenset(now & before.keys()),
                 tuple(finding for fingerprint, finding in before.items() if fingerprint not in now))


@dataclass(frozen=True)
class BudgetBurn:
    """One budget of an owner in the period: spent, forecast and the budget, in the budget's currency."""

    label: str
    currency: str
    budget: Decimal
    actual: Decimal
    forecast: Decimal | None
    source: str  # where the numbers come from: a policy id


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
    resolved: list[Finding] = field(default_factory=list)
    showback: object = None  # the owner's part of the showback (engine.showback), when the run had cost data
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

    def owner(self, owner_id: str) -> OwnerView | None:
        return next((view for view in self.owners if view.id == owner_id), None)


def build_model(result: Result, *, version: str, title: str | None = None, trend: Trend | None = None, showback=None,
                showback_missing: str | None = None, fail_on: str = "info") -> ReportModel:
    """The report of ``result``: every owner with a finding (or a share of the showback), ranked."""
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
    for finding in result.findings:
        owner = view(finding.owner)
        owner.findings.append(finding)
        if finding.status == "exempted":
            owner.exempted += 1
            continue
        if finding.status == "baselined":
            owner.baselined += 1
            continue
        owner.open += 1
        owner.open_by_severity[finding.severity] = owner.open_by_severity.get(finding.severity, 0) + 1
        open_by_severity[finding.severity] += 1
        if trend is not None:
            status = trend.status(finding)
            owner.new += status == "new"
            owner.persisting += status == "persisting"
        if not finding.has_money:
            _commitment(owner, finding)
            continue
        for name in AT_STAKE:
            money = getattr(finding, name)
            if money is not None and money.amount:  # a saving of 0.00 puts nothing at stake
                owner.at_stake.setdefault(name, Amounts()).add(money.currency, money.amount)
                estate[name].add(money.currency, money.amount)
        saving = finding.monthly_saving
        if saving is not None and saving.amount:
            kind = SAVING_KINDS.get(policy_types.get(finding.policy, ""), "other")
            owner.savings.setdefault(kind, Amounts()).add(saving.currency, saving.amount)
        _budget(owner, finding, policy_types)
        _commitment(owner, finding)
    if trend is not None:
        for finding in trend.resolved:
            view(finding.owner).resolved.append(finding)
    if showback is not None:
        for owner_id in _showback_owners(showback):
            view(owner_id)
    for owner in views.values():
        for amounts in owner.at_stake.values():
            owner.at_stake_total = owner.at_stake_total.merged(amounts)
        owner.findings.sort(key=_finding_order)
        owner.showback = _showback_of(showback, owner.id)
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
        open_by_severity=open_by_severity, trend=trend, showback=showback, showback_missing=showback_missing, fail_on=fail_on)


def _rank_key(owner: OwnerView, currencies: tuple[str, ...]) -> tuple:
    """Most money at stake first, currency by currency in the estate's order; then open findings; then the id."""
    amounts = tuple(-owner.at_stake_total.get(currency, _ZERO) for currency in currencies)
    worst = max((SEVERITY_RANK[s] for s, n in owner.open_by_severity.items() if n), default=-1)
    return (*amounts, -owner.open, -worst, owner.id == UNASSIGNED, owner.id)


def _finding_order(finding: Finding) -> tuple:
    """Open first; then the most severe; then the most money at stake (per currency, by currency code); then policy and subject."""
    stake = [getattr(finding, name) for name in AT_STAKE]
    largest = max((money.amount for money in stake if money is not None), default=_ZERO)
    return (finding.status != "open", -SEVERITY_RANK[finding.severity], -largest, finding.sort_key())


def _budget(owner: OwnerView, finding: Finding, policy_types: dict) -> None:
    """A budget finding's evidence: the owner's budget, spent and forecast (budget findings exist only past a threshold)."""
    if policy_types.get(finding.policy) != "budget" and finding.overspend is None:
        return
    evidence = finding.evidence
    try:
        budget, actual = Decimal(str(evidence["budget"])), Decimal(str(evidence["actual"]))
        forecast = Decimal(str(evidence["forecast"])) if evidence.get("forecast") is not None else None
        currency = str(evidence["currency"])
    except (KeyError, ArithmeticError, ValueError, TypeError):
        return
    scope = finding.scope or {}
    label = f"{scope.get('dimension')} {scope.get('value')}" if scope.get("dimension") not in ("owner", "all") else finding.title
    owner.budgets.append(BudgetBurn(label or finding.policy, currency, budget, actual, forecast, finding.policy))


# (evidence key of the percentage, of the minimum, money field, label) of commitment findings
_COMMITMENT_MEASURES = (
    ("coverage", "coverage_minimum", "uncovered_cost", "Commitment coverage"),
    ("utilization", "utilization_minimum", "unused_commitment_cost", "Commitment utilization"),
)


def _commitment(owner: OwnerView, finding: Finding) -> None:
    evidence = finding.evidence
    for key, minimum, money_field, label in _COMMITMENT_MEASURES:
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
                                            money.amount if money is not None else _ZERO, finding.policy))


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


def _showback_owners(showback) -> list[str]:
    return list(getattr(showback, "owners", ()) or ())


def _showback_of(showback, owner: str):
    if showback is None:
        return None
    return showback.owner(owner) if hasattr(showback, "owner") else None
