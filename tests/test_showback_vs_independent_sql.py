"""Showback and chargeback equal hand-written DuckDB SQL (tests/independent_sql.py and the queries below), exactly.

Over the bundled example export (two currencies, a commitment purchase, tax, a credit, untagged
rows) with its ownership document, the FinOps Foundation's real sample and the pinned
focus-data-toolkit data (aws, azure, gcp; CSV, gzip, Parquet). The independent side shares no code
with the engine: the ownership chain is the independent module's own (its steps without the
default step: rows no step assigns are the unassigned row), the allocation rules are written
below in SQL by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml

from engine.costs.reader import load_costs
from engine.documents.yaml_loader import load_yaml_documents
from engine.errors import InputError
from engine.ownership import compile_ownership
from engine.showback import UNASSIGNED_SPEND, chargeback, report_window, showback
from engine.showback.allocation import compile_allocation
from tests import independent_sql as q
from tests.conftest import ROOT
from tests.focus_fixtures import *  # noqa: F403 - pytest fixtures
from tests.focus_fixtures import GENERATED_PERIOD, REAL_SAMPLE, REAL_SAMPLE_PERIOD

EXAMPLE = ROOT / "examples" / "costs" / "focus-2026-11.csv"
EXAMPLE_PERIOD = (dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1))
ALL = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")


def _independent_chain(document: dict) -> tuple[list, dict]:
    """The ownership chain in the independent module's terms, without the default step, and the names."""
    names = {}
    for team in document["teams"]:
        for name in [team["id"], *team.get("aliases", []), *team.get("contacts", []), *team.get("members", [])]:
            names[name.strip().lower()] = team["id"]
    steps = []
    for step in document["resolution"]:
        if "tag" in step:
            steps.append(("tag", step["tag"], step.get("match", "normalized")))
        elif "accounts" in step:
            steps.append(("accounts", step["accounts"]))
        elif "resource_ids" in step:
            steps.append(("resource_ids", [(item["pattern"], item["team"]) for item in step["resource_ids"]]))
    return steps, names


GENERATED_OWNERSHIP = {
    "teams": [
        {"id": "payments", "aliases": ["team-payments"]},
        {"id": "data", "aliases": ["team-data"]},
        {"id": "platform", "aliases": ["team-platform"]},
        {"id": "finops"},
    ],
    "resolution": [{"tag": "owner"}, {"accounts": {"200000000014": "platform"}}, {"default": "finops"}],
}
REAL_OWNERSHIP = {
    "teams": [
        {"id": "peoria-data", "aliases": ["PeoriaData"]},
        {"id": "tempe-ai", "aliases": ["TempeAI"]},
        {"id": "compute"},
        {"id": "finops"},
    ],
    "resolution": [{"tag": "business_unit"}, {"accounts": {"11353890204": "compute", "18938484842": "compute"}},
                   {"resource_ids": [{"pattern": "*storageaccounts*", "team": "tempe-ai"}]}, {"default": "finops"}],
}


def _case(focus_file):
    if "focus_sample" in str(focus_file):
        return focus_file, REAL_OWNERSHIP, REAL_SAMPLE_PERIOD
    return focus_file, GENERATED_OWNERSHIP, GENERATED_PERIOD


@pytest.fixture
def example_case():
    document = yaml.safe_load((ROOT / "examples" / "ownership.yaml").read_text())
    return EXAMPLE, document, EXAMPLE_PERIOD


def _compiled(document):
    return compile_ownership(document, lambda *problem: pytest.fail(str(problem)))


def _expected_per_owner(path, start, end, document, measure):
    steps, names = _independent_chain(document)
    got = q.owner_actuals(path, start, end, steps, names, measure=measure, charge_categories=ALL)
    return {(UNASSIGNED_SPEND if owner == "unassigned" else owner, currency): amount for (owner, currency), amount in got.items()}


def _expected_services(path, start, end, document, measure) -> dict:
    """{(owner, currency): {ServiceName or None: Decimal}} by hand-written SQL."""
    steps, names = _independent_chain(document)
    con = q.connect(path)
    owner = q._owner_scope(con, steps, names)
    rows = con.execute(
        f"""
        WITH period_rows AS (
          SELECT f.*{owner.helpers()} FROM focus AS f
          WHERE f.ChargePeriodStart >= {q.sql_literal(start)} AND f.ChargePeriodStart < {q.sql_literal(end)}
            AND f.ChargeCategory IN ({q.sql_list(ALL)}))
        SELECT {owner.value_sql} AS owner, p.BillingCurrency, p.ServiceName, sum(p.{q.identifier(measure)})
        FROM period_rows AS p GROUP BY ALL
        """
    ).fetchall()
    con.close()
    out: dict = {}
    for team, currency, service, amount in rows:
        out.setdefault((UNASSIGNED_SPEND if team == "unassigned" else team, currency), {})[service] = amount
    return out


def _check_showback(path, document, period, measure):
    start, end = period
    costs = load_costs([str(path)])
    window = report_window(end - dt.timedelta(seconds=1))
    result = showback(costs, _compiled(document), window, measure=measure, top_services=None)
    rows_end = window.rows_end
    expected = _expected_per_owner(path, start, rows_end, document, measure)
    assert expected, "the data has spend in the period"
    assert result.by_owner_currency() == expected
    totals = q.budget_actuals(path, start, rows_end, measure=measure, charge_categories=ALL)
    assert result.totals == {currency: amount for (_, currency), amount in totals.items()}
    services = _expected_services(path, start, rows_end, document, measure)
    for owner in result.owners:
        got = {s.name: s.amount for s in owner.services}
        want = {(name if name is not None else "(no service)"): amount for name, amount in services[(owner.owner, owner.currency)].items()}
        assert got == want
        assert sum(s.amount for s in owner.categories) == owner.amount
    return result


@pytest.mark.parametrize("measure", ["EffectiveCost", "BilledCost"])
def test_showback_per_owner_on_the_example_export(example_case, measure):
    path, document, period = example_case
    result = _check_showback(path, document, period, measure)
    assert set(result.totals) == {"EUR", "USD"}, "two currencies, never added together"
    assert result.unassigned(), "the example has rows only the default step would assign"


@pytest.mark.parametrize("measure", ["EffectiveCost", "BilledCost"])
def test_showback_per_owner_on_real_and_generated_data(focus_file, measure):
    path, document, period = _case(focus_file)
    _check_showback(path, document, period, measure)


def test_the_default_team_owns_its_spend_only_when_the_ownership_says_so(example_case):
    path, document, period = example_case
    start, end = period
    owning = {**document, "resolution": [*document["resolution"][:-1], {"default": "finops", "owns_spend": True}]}
    costs = load_costs([str(path)])
    window = report_window(end - dt.timedelta(seconds=1))
    plain = showback(costs, _compiled(document), window).by_owner_currency()
    owned = showback(costs, _compiled(owning), window).by_owner_currency()
    unassigned = {currency: amount for (owner, currency), amount in plain.items() if owner == UNASSIGNED_SPEND}
    assert unassigned and not any(owner == UNASSIGNED_SPEND for owner, _ in owned)
    for currency, amount in unassigned.items():
        assert owned[("finops", currency)] == plain.get(("finops", currency), Decimal(0)) + amount


def _two_months(tmp_path, source) -> tuple:
    """The example export with a copy of its rows one month earlier (October), S3 rows left out and
    EC2 rows doubled there, written as text by DuckDB (no engine code)."""
    import duckdb

    out = tmp_path / "two-months.csv"
    con = duckdb.connect()
    con.execute(f"CREATE VIEW src AS SELECT * FROM read_csv('{source}', all_varchar = true, header = true, nullstr = ['NULL', ''])")
    columns = [row[0] for row in con.execute("DESCRIBE src").fetchall()]

    def shifted(name):
        if name in ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd"):
            return f"strftime(CAST(replace(\"{name}\", 'Z', '') AS TIMESTAMP) - INTERVAL 1 MONTH, '%Y-%m-%dT%H:%M:%SZ') AS \"{name}\""
        if name in ("BilledCost", "EffectiveCost"):
            return f"CASE WHEN ServiceName = 'Amazon EC2' THEN CAST(CAST(\"{name}\" AS DECIMAL(38,12)) * 2 AS VARCHAR) ELSE \"{name}\" END AS \"{name}\""
        return f'"{name}"'

    con.execute(
        f"COPY (SELECT * FROM src UNION ALL SELECT {', '.join(shifted(c) for c in columns)} FROM src WHERE ServiceName IS DISTINCT FROM 'Amazon S3')"
        f" TO '{out}' (HEADER, DELIMITER ',')"
    )
    con.close()
    return out


def test_the_previous_period_and_the_change_per_owner(example_case, tmp_path):
    path, document, (start, end) = example_case
    two = _two_months(tmp_path, path)
    window = report_window(end - dt.timedelta(seconds=1))
    result = showback(load_costs([str(two)]), _compiled(document), window)
    assert result.previous_available and window.previous.label == "2026-10"
    previous = _expected_per_owner(two, dt.datetime(2026, 10, 1), start, document, "EffectiveCost")
    current = _expected_per_owner(two, start, window.rows_end, document, "EffectiveCost")
    for owner in result.owners:
        key = (owner.owner, owner.currency)
        assert owner.previous == previous.get(key, Decimal(0))
        assert owner.amount == current.get(key, Decimal(0))
        assert owner.change == owner.amount - owner.previous
    changed = [o for o in result.owners if o.change]
    assert changed, "October differs from November (EC2 doubled, no S3)"
    totals = q.budget_actuals(two, dt.datetime(2026, 10, 1), start, measure="EffectiveCost", charge_categories=ALL)
    assert result.previous_totals == {currency: amount for (_, currency), amount in totals.items()}


def test_without_rows_in_the_previous_period_there_is_no_trend(example_case):
    path, document, (_, end) = example_case
    result = showback(load_costs([str(path)]), _compiled(document), report_window(end - dt.timedelta(seconds=1)))
    assert not result.previous_available
    assert all(o.previous is None and o.change is None for o in result.owners)
    assert "no cost rows in 2026-10: no trend" in result.notes


# -- chargeback --------------------------------------------------------------------------------------

ALLOCATION = """\
apiVersion: costwarden/v1
kind: Allocation
id: shared
rules:
  - id: tax
    select: {ServiceName: [Tax]}
  - id: search-account
    select: {SubAccountId: ["222222222222"]}
    split: fixed
    shares: {payments: 50, search: "33.3", data-platform: 16.7}
  - id: staging
    select: {tag: {key: Environment, values: [staging], match: case-insensitive}}
    split: even
  - id: untagged
    select: {unassigned: true}
"""

# The same rules, written by hand over the independent module's columns (p: the period's rows with
# the owner chain's helper columns, env: the value of the tag Environment matched case-insensitively)
INDEPENDENT_POOLS = """
    CASE WHEN p.ServiceName IN ('Tax') THEN 0
         WHEN p.SubAccountId IN ('222222222222') THEN 1
         WHEN tag_scope_value(p.env) IN ('staging') THEN 2
         WHEN owner = 'unassigned' THEN 3 END
"""


def _allocation(text: str):
    (doc,) = load_yaml_documents(text.encode(), "allocation.yaml")
    problems = []
    compiled = compile_allocation(doc, problems)
    assert not problems, problems
    return compiled


def _independent_pools(path, start, end, document, measure) -> dict:
    """{(owner, currency, pool): Decimal} by hand-written SQL (owner 'unassigned': no step assigns it)."""
    steps, names = _independent_chain(document)
    con = q.connect(path)
    owner = q._owner_scope(con, steps, names)
    rows = con.execute(
        f"""
        WITH period_rows AS (
          SELECT f.*{owner.helpers()}, {q.tag_value_sql('Environment', 'case-insensitive')} AS env FROM focus AS f
          WHERE f.ChargePeriodStart >= {q.sql_literal(start)} AND f.ChargePeriodStart < {q.sql_literal(end)}
            AND f.ChargeCategory IN ({q.sql_list(ALL)})),
        owned AS (SELECT p.*, {owner.value_sql} AS owner FROM period_rows AS p)
        SELECT owner, p.BillingCurrency, {INDEPENDENT_POOLS} AS pool, sum(p.{q.identifier(measure)})
        FROM owned AS p GROUP BY ALL
        """
    ).fetchall()
    con.close()
    return {(team, currency, pool): amount for team, currency, pool, amount in rows}


def _check_chargeback(path, document, period, measure):
    start, end = period
    window = report_window(end - dt.timedelta(seconds=1))
    allocation = _allocation(ALLOCATION.replace("payments: 50, search: \"33.3\", data-platform: 16.7",
                                                _shares(document)))
    spend = showback(load_costs([str(path)]), _compiled(document), window, measure=measure, allocation=allocation)
    result = chargeback(spend)
    groups = _independent_pools(path, start, window.rows_end, document, measure)
    # the lines of a currency add up exactly to the period's total
    totals = q.budget_actuals(path, start, window.rows_end, measure=measure, charge_categories=ALL)
    expected_totals = {currency: amount for (_, currency), amount in totals.items()}
    assert result.totals == expected_totals
    for currency, total in expected_totals.items():
        assert sum(line.total for line in result.lines if line.currency == currency) == total
    # direct spend: rows no rule takes
    direct: dict = {}
    for (team, currency, pool), amount in groups.items():
        if pool is None:
            key = (UNASSIGNED_SPEND if team == "unassigned" else team, currency)
            direct[key] = direct.get(key, Decimal(0)) + amount
    assert {(l.owner, l.currency): l.direct for l in result.lines if l.direct or (l.owner, l.currency) in direct} == direct
    # each pool: its amount, and shares adding up to it exactly, within one unit of the exact share
    pools: dict = {}
    for (_, currency, pool), amount in groups.items():
        if pool is not None:
            pools[(pool, currency)] = pools.get((pool, currency), Decimal(0)) + amount
    got = {(allocation_index(allocation, p.rule), p.currency): p for p in result.pools}
    assert {k: p.amount for k, p in got.items()} == pools
    for (index, currency), pool in got.items():
        rule = allocation.rules[index]
        if pool.unassigned_reason:
            assert not pool.shares
            continue
        assert sum(pool.shares.values()) == pool.amount
        weights = _weights(rule, currency, direct)
        whole = sum(Fraction(w) for w in weights.values())
        assert set(pool.shares) == set(weights)
        for team, share in pool.shares.items():
            exact = Fraction(pool.amount) * Fraction(weights[team]) / whole
            assert abs(Fraction(share) - exact) < Fraction(1, 10**12)
    for line in result.lines:
        assert line.total == line.direct + sum(line.allocated.values())
    return result


def allocation_index(allocation, rule_id):
    return [rule.id for rule in allocation.rules].index(rule_id)


def _shares(document) -> str:
    teams = [team["id"] for team in document["teams"]][:3]
    return f"{teams[0]}: 50, {teams[1]}: \"33.3\", {teams[2]}: 16.7"


def _weights(rule, currency, direct) -> dict:
    """The recipients and weights the rules define, from the independent direct spend."""
    if rule.split == "fixed":
        return dict(rule.shares)
    spending = {team: amount for (team, c), amount in direct.items() if c == currency and team != UNASSIGNED_SPEND and amount > 0}
    if rule.split == "even":
        return {team: 1 for team in spending}
    return spending


@pytest.mark.parametrize("measure", ["EffectiveCost", "BilledCost"])
def test_chargeback_on_the_example_export(example_case, measure):
    path, document, period = example_case
    result = _check_chargeback(path, document, period, measure)
    assert {p.rule for p in result.pools} == {"tax", "search-account", "staging", "untagged"}
    assert result.csv_header() == ["owner", "currency", "direct", "allocated:tax", "allocated:search-account", "allocated:staging",
                                   "allocated:untagged", "total", "measure", "period"]


@pytest.mark.parametrize("measure", ["EffectiveCost", "BilledCost"])
def test_chargeback_on_real_and_generated_data(focus_file, measure):
    path, document, period = _case(focus_file)
    _check_chargeback(path, document, period, measure)


def test_chargeback_without_an_allocation_is_the_showback(example_case):
    path, document, (_, end) = example_case
    spend = showback(load_costs([str(path)]), _compiled(document), report_window(end - dt.timedelta(seconds=1)))
    result = chargeback(spend)
    assert result.rules == () and result.pools == ()
    assert result.by_owner_currency() == spend.by_owner_currency()


def test_an_allocation_naming_a_team_the_directory_lacks_is_refused_at_its_line(example_case):
    path, document, (_, end) = example_case
    allocation = _allocation(ALLOCATION.replace("search: \"33.3\"", "serach: \"33.3\""))
    with pytest.raises(InputError) as caught:
        showback(load_costs([str(path)]), _compiled(document), report_window(end - dt.timedelta(seconds=1)), allocation=allocation)
    (problem,) = caught.value.problems
    assert (problem.code, problem.file, problem.line, problem.pointer) == ("E306", "allocation.yaml", 10, "/rules/1/shares/serach")
    assert problem.hint == "did you mean 'search'?"


def test_a_rule_selecting_rows_by_a_tag_key_alone(focus_file):
    """``select: {tag: {key}}``: rows whose tag is present (a non-blank value or key-only), whatever its value."""
    path, document, period = _case(focus_file)
    start, end = period
    window = report_window(end - dt.timedelta(seconds=1))
    allocation = _allocation(
        "apiVersion: costwarden/v1\nkind: Allocation\nid: a\nrules:\n  - id: backup\n    select: {tag: {key: backup}}\n"
        "  - id: cc\n    select: {tag: {key: cost-center}}\n  - id: cc2\n    select: {tag: {key: CostCenter}}\n")
    spend = showback(load_costs([str(path)]), _compiled(document), window, allocation=allocation)
    con = q.connect(path)
    rows = con.execute(
        f"""
        SELECT CASE WHEN tag_present({q.tag_value_sql('backup', 'normalized')}) THEN 0
                    WHEN tag_present({q.tag_value_sql('cost-center', 'normalized')}) THEN 1
                    WHEN tag_present({q.tag_value_sql('CostCenter', 'normalized')}) THEN 2 END AS pool,
               BillingCurrency, sum(EffectiveCost)
        FROM focus AS f
        WHERE f.ChargePeriodStart >= {q.sql_literal(start)} AND f.ChargePeriodStart < {q.sql_literal(window.rows_end)}
          AND f.ChargeCategory IN ({q.sql_list(ALL)})
        GROUP BY ALL
        """
    ).fetchall()
    con.close()
    expected = {(pool, currency): amount for pool, currency, amount in rows if pool is not None}
    got = {}
    for line in spend.lines:
        if line.current and line.pool is not None:
            got[(line.pool, line.currency)] = got.get((line.pool, line.currency), Decimal(0)) + line.amount
    assert got == expected
    assert expected, "the data has rows with a cost center tag"


def test_without_an_ownership_every_row_is_unassigned(example_case):
    path, _, (start, end) = example_case
    window = report_window(end - dt.timedelta(seconds=1))
    result = showback(load_costs([str(path)]), None, window)
    totals = q.budget_actuals(path, start, window.rows_end, measure="EffectiveCost", charge_categories=ALL)
    assert result.by_owner_currency() == {(UNASSIGNED_SPEND, currency): amount for (_, currency), amount in totals.items()}
