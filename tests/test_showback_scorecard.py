"""The per-owner scorecard: KPIs computed as the policies compute them (checked against the policies and
against hand-written SQL), crawl/walk/run levels from the Scorecard document, and "not available" with a
reason instead of a 0."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

import engine
from engine.amounts import ratio
from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.inventory.snapshot import load_inventory
from engine.library import load_budgets, load_library
from engine.ownership import compile_ownership
from engine.showback import DEFAULT_SCORECARD, UNASSIGNED_SPEND, load_scorecard, report_window, scorecard, showback
from tests import independent_sql as q
from tests.conftest import ROOT
from tests.focus_fixtures import *  # noqa: F403 - pytest fixtures
from tests.test_showback_vs_independent_sql import EXAMPLE, EXAMPLE_PERIOD, _case, _independent_chain

ALL = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
EXAMPLE_OWNERSHIP = yaml.safe_load((ROOT / "examples" / "ownership.yaml").read_text())


def _compiled(document):
    return compile_ownership(document, lambda *problem: pytest.fail(str(problem)))


def _owning(document):
    """The same chain whose default team owns its spend: the policies' owners and showback's are then the same."""
    return {**document, "resolution": [*document["resolution"][:-1], {**document["resolution"][-1], "owns_spend": True}]}


def _values(card, kpi) -> dict:
    return {(o.owner, v.currency): v for o in card.owners for v in o.kpis[kpi].values}


def _card(path, document, period, **options):
    costs = load_costs([str(path)])
    window = report_window(period[1] - dt.timedelta(seconds=1))
    ownership = _compiled(document)
    spend = showback(costs, ownership, window)
    return scorecard(costs, ownership, window, spend=spend, **options), window


def _cases(focus_file):
    return [(EXAMPLE, EXAMPLE_OWNERSHIP, EXAMPLE_PERIOD), _case(focus_file)]


def test_tag_and_commitment_coverage_per_owner_equal_hand_written_sql(focus_file):
    for path, document, period in _cases(focus_file):
        card, window = _card(path, document, period)
        steps, names = _independent_chain(document)
        scope = ("owner", steps, names)
        coverage = q.tag_coverage(path, period[0], window.rows_end, ["team", "cost-center"], mode="normalized", scope=scope)
        got = _values(card, "tag_coverage")
        want = {(UNASSIGNED_SPEND if o == "unassigned" else o, c): g for (o, c), g in coverage.items() if g["total_cost"]}
        assert set(got) == set(want)
        for key, group in want.items():
            assert got[key].value == ratio(100 * group["allocated_cost"], group["total_cost"])
            assert Decimal(got[key].detail["unallocated_cost"]) == group["unallocated_cost"]
        commitments = q.commitment(path, period[0], window.rows_end, {"service_categories": ["Compute"]}, "ContractedCost", scope)
        got = _values(card, "commitment_coverage")
        want = {(UNASSIGNED_SPEND if o == "unassigned" else o, c): g for (o, c), g in commitments.items() if g["eligible_price"] > 0}
        assert set(got) == set(want)
        for key, group in want.items():
            assert got[key].value == ratio(100 * group["covered_price"], group["eligible_price"])
            assert Decimal(got[key].detail["uncovered_effective_cost"]) == group["uncovered_cost"]


POLICIES = """\
apiVersion: costwarden/v1
kind: Policy
id: coverage
title: t
severity: low
type: tag-coverage
spec: {match: normalized, keys: [{key: team}, {key: cost-center}], minimum: 100, scope: owner}
---
apiVersion: costwarden/v1
kind: Policy
id: budget
title: t
severity: low
type: budget
spec:
  budgets: tiny
  scope: owner
  measure: EffectiveCost
  charge_categories: [Usage, Purchase, Tax, Credit, Adjustment]
  thresholds: [{on: actual, percent: 0.000000001}]
---
apiVersion: costwarden/v1
kind: Budgets
id: tiny
period: month
currency: USD
default: "123.45"
"""


def test_tag_coverage_and_forecast_variance_equal_what_the_policies_find(focus_file, tmp_path):
    (tmp_path / "p.yaml").write_text(POLICIES)
    library = load_library([str(tmp_path / "p.yaml")])
    for path, document, period in _cases(focus_file):
        document = _owning(document)
        card, window = _card(path, document, period, budgets=library.budgets)
        result = evaluate(library, None, costs=load_costs([str(path)]), ownership=_compiled(document),
                          as_of=window.rows_end.isoformat() + "Z", budgets=library.budgets)
        assert not result.errors
        coverage = {(f.scope["value"], f.scope["currency"]): f.evidence for f in result.findings if f.policy == "coverage"}
        got = _values(card, "tag_coverage")
        for key, evidence in coverage.items():
            assert got[key].detail["coverage_by_cost"] == evidence["coverage_by_cost"]
            assert got[key].detail["allocated_cost"] == evidence["allocated_cost"]
        assert {k for k, v in got.items() if v.value < 100} == set(coverage)
        budgets = {(f.scope["value"], f.scope["currency"]): f.evidence for f in result.findings if f.policy == "budget"}
        got = _values(card, "forecast_variance")
        assert budgets and {k for k in budgets if k[1] == "USD"} <= set(got)
        for key, value in got.items():
            if key not in budgets:  # below the smallest threshold a policy takes: no positive spend
                assert Decimal(value.detail["actual"]) <= 0
                continue
            assert (value.detail["actual"], value.detail["forecast"]) == (budgets[key]["actual"], budgets[key]["forecast"])
            assert value.detail["budget"] == "123.45"


def test_levels_follow_the_thresholds_and_their_direction(write):
    path = write("scorecard.yaml", """\
apiVersion: costwarden/v1
kind: Scorecard
id: strict
kpis:
  tag_coverage: {levels: {walk: 95, run: 99}}
  open_findings: {severities: [critical], levels: {walk: 2, run: 1}}
""")
    settings = load_scorecard(path)
    assert settings.level("tag_coverage", Decimal("98.99")) == "walk"
    assert settings.level("tag_coverage", Decimal(99)) == "run"
    assert settings.level("tag_coverage", Decimal("94.999")) == "crawl"
    assert settings.level("open_findings", 1) == "run" and settings.level("open_findings", 2) == "walk"
    assert settings.level("open_findings", 3) == "crawl"
    assert settings.level("forecast_variance", Decimal(12)) == "run"  # the default thresholds
    assert settings.level("forecast_variance", Decimal("15.01")) == "crawl"
    assert DEFAULT_SCORECARD.levels["commitment_coverage"] == (Decimal(70), Decimal(80))


def test_levels_in_the_wrong_order_and_a_bad_pattern_are_located(write):
    path = write("scorecard.yaml", """\
apiVersion: costwarden/v1
kind: Scorecard
id: bad
kpis:
  tag_coverage:
    keys: [{key: team, pattern: '(?<=x)y'}]
    levels: {walk: 90, run: 80}
  savings_share: {levels: {walk: 5, run: 10}}
  open_findings: {severities: [severe]}
""")
    semantic = [
        ("E302", 6, 33, "/kpis/tag_coverage/keys/0/pattern"),
        ("E363", 7, 13, "/kpis/tag_coverage/levels"),
        ("E363", 8, 27, "/kpis/savings_share/levels"),
    ]
    with pytest.raises(InputError) as caught:
        load_scorecard(path)  # the schema's problem does not hide the others
    assert [(p.code, p.line, p.column, p.pointer) for p in caught.value.problems] == [
        *semantic, ("E204", 9, 32, "/kpis/open_findings/severities/0")]
    path.write_text(path.read_text().replace("[severe]", "[critical]"))
    with pytest.raises(InputError) as caught:
        load_scorecard(path)
    assert [(p.code, p.line, p.column, p.pointer) for p in caught.value.problems] == semantic


def test_kpis_that_cannot_be_computed_are_not_available_with_the_reason():
    ownership = _compiled(EXAMPLE_OWNERSHIP)
    window = report_window(dt.datetime(2026, 11, 30, 12))
    card = scorecard(None, ownership, window)
    for owner in card.owners:
        assert {k: (r.available, r.reason) for k, r in owner.kpis.items()} == {
            "tag_coverage": (False, "no cost data given"),
            "forecast_variance": (False, "no cost data given"),
            "commitment_coverage": (False, "no cost data given"),
            "savings_share": (False, "no findings given"),
            "open_findings": (False, "no findings given"),
        }
        assert all(r.level is None and not r.values for r in owner.kpis.values())
    costs = load_costs([str(EXAMPLE)])
    card = scorecard(costs, ownership, window, spend=showback(costs, ownership, window))
    finops = card.for_owner("finops").kpis
    assert finops["forecast_variance"].reason == "no Budgets document given"
    assert finops["tag_coverage"].reason == "no spend with a positive EffectiveCost in 2026-11"
    assert not finops["tag_coverage"].available
    budgets = load_budgets([str(ROOT / "examples" / "budgets.yaml")])
    card = scorecard(costs, ownership, window, spend=showback(costs, ownership, window), budgets=budgets)
    assert card.for_owner(UNASSIGNED_SPEND).kpis["forecast_variance"].reason == "unassigned spend has no budget"
    search = card.for_owner("search").kpis["forecast_variance"]
    assert search.available and {v.currency for v in search.values} == {"USD"}  # the EUR spend has no budget in EUR


def test_savings_share_and_open_findings_come_from_the_runs_findings():
    ownership = engine.load_ownership(str(ROOT / "examples" / "ownership.yaml"))
    budgets = load_budgets([str(ROOT / "examples" / "budgets.yaml")])
    costs = load_costs([str(EXAMPLE)])
    resources = load_inventory([str(ROOT / "examples" / "inventory.json")]).resources
    result = evaluate(engine.load_policies(), resources, costs=costs, ownership=ownership, budgets=budgets, as_of="2026-11-26T23:00:00Z")
    window = report_window(dt.datetime(2026, 11, 26, 23))
    spend = showback(costs, ownership, window)
    card = scorecard(costs, ownership, window, spend=spend, result=result, budgets=budgets)
    for owner in card.owners:
        findings = card.for_owner(owner.owner).kpis["open_findings"]
        if owner.owner == UNASSIGNED_SPEND:
            assert not findings.available
            continue
        mine = [f for f in result.findings if f.owner == owner.owner and f.status == "open"]
        assert findings.values[0].value == sum(1 for f in mine if f.severity in ("critical", "high"))
        assert findings.values[0].detail["open"] == len(mine)
    hours = Decimal((min(window.rows_end, spend.data_end) - window.start).total_seconds()) / 3600
    savings = _values(card, "savings_share")
    assert savings
    for (owner, currency), value in savings.items():
        saved = sum((f.monthly_saving.amount for f in result.findings if f.monthly_saving and f.monthly_saving.currency == currency
                     and f.status == "open" and (f.owner if f.owner_source != "default" else UNASSIGNED_SPEND) == owner), Decimal(0))
        spent = next(o.amount for o in spend.owners if (o.owner, o.currency) == (owner, currency))
        assert value.value == ratio(100 * saved, ratio(spent * 730, hours))
    assert any(v.value > 0 for v in savings.values())
