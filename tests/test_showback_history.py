"""Run history: earlier findings files (any version the engine wrote) and the history DuckDB file; findings new,
persisting or resolved per owner; KPI and spend series."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import duckdb
import pytest

import engine
from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.inventory.snapshot import load_inventory
from engine.library import load_budgets
from engine.showback import (
    compare_runs, kpi_series, load_previous_runs, open_history, report_window, run_record, scorecard, showback, spend_series,
)
from engine.showback.history import HISTORY_VERSION, RunRecord, SpendRecord
from tests.conftest import ROOT

AS_OF = "2026-11-26T23:00:00Z"


@pytest.fixture(scope="module")
def run():
    """The built-in policies over the example inventory and export, with the scorecard and showback."""
    ownership = engine.load_ownership(str(ROOT / "examples" / "ownership.yaml"))
    budgets = load_budgets([str(ROOT / "examples" / "budgets.yaml")])
    costs = load_costs([str(ROOT / "examples" / "costs" / "focus-2026-11.csv")])
    resources = load_inventory([str(ROOT / "examples" / "inventory.json")]).resources
    result = evaluate(engine.load_policies(), resources, costs=costs, ownership=ownership, budgets=budgets, as_of=AS_OF)
    window = report_window(dt.datetime(2026, 11, 26, 23))
    spend = showback(costs, ownership, window)
    card = scorecard(costs, ownership, window, spend=spend, result=result, budgets=budgets)
    return result, spend, card


@pytest.fixture
def findings_json(run):
    return json.loads(engine.render(run[0], "json"))


def _write(tmp_path, name, document) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return str(path)


def test_new_persisting_and_resolved_against_an_earlier_findings_file(run, findings_json, tmp_path):
    result = run[0]
    previous = copy.deepcopy(findings_json)
    previous["as_of"] = "2026-10-31T23:00:00Z"
    dropped = next(f for f in previous["findings"] if f["resource"] is not None and f["money"]["monthly_saving"])
    previous["findings"].remove(dropped)  # a finding of today that the earlier run did not have: new
    gone = copy.deepcopy(dropped)
    gone["resource"]["id"] = "i-deleted-since"
    previous["findings"].append(gone)  # a finding the earlier run had and today's has not: resolved
    for finding in previous["findings"]:  # the earlier run's cost findings were about October
        if finding["scope"] is not None:
            finding["scope"]["period"] = {"start": "2026-10-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"}
    (earlier,) = load_previous_runs([_write(tmp_path, "october.json", previous)])
    assert earlier.as_of == "2026-10-31T23:00:00Z" and len(earlier.findings) == len(result.findings)
    comparison = compare_runs(run_record(result), earlier)
    assert comparison.counts() == {"new": 1, "persisting": len(result.findings) - 1, "resolved": 1}
    classes = {klass: [r for k, r in comparison.items if k == klass] for klass in ("new", "resolved")}
    assert classes["new"][0].resource_id == dropped["resource"]["id"]
    assert classes["resolved"][0].resource_id == "i-deleted-since"
    persisting_costs = [r for k, r in comparison.items if k == "persisting" and not r.is_resource]
    assert persisting_costs, "cost findings of October and November are the same findings"
    owner = dropped["owner"]
    saving = dropped["money"]["monthly_saving"]
    part = comparison.by_owner[owner]
    assert part["new"]["findings"] == 1 and part["resolved"]["findings"] == 1
    assert part["new"]["money"]["monthly_saving"] == {saving["currency"]: Decimal(saving["amount"])}
    assert part["resolved"]["money"]["monthly_saving"] == {saving["currency"]: Decimal(saving["amount"])}
    totals = sum(classes.get("persisting", {}).get("findings", 0) for classes in comparison.by_owner.values())
    assert totals == len(result.findings) - 1


def test_a_findings_file_of_an_earlier_version_still_compares(run, findings_json, tmp_path):
    """Files written before fingerprint recipe 2, periods, locations and exemptions (schema version 1 all along)."""
    old = copy.deepcopy(findings_json)
    old["schema_version"] = "1"
    old.pop("change", None)
    for key in ("fingerprint_version", "period", "exemptions", "baseline"):
        old.pop(key, None)
    for finding in old["findings"]:
        finding["fingerprint"] = "0" * 32  # another recipe's
        for key in ("location", "exemption"):
            finding.pop(key, None)
        finding["money"] = {k: v for k, v in finding["money"].items() if k in ("monthly_cost", "monthly_saving", "overspend")}
    (earlier,) = load_previous_runs([_write(tmp_path, "old.json", old)])
    comparison = compare_runs(run_record(run[0]), earlier)
    assert comparison.counts() == {"new": 0, "persisting": len(run[0].findings), "resolved": 0}


def test_runs_are_ordered_by_their_as_of_instant(findings_json, tmp_path):
    later = dict(findings_json, as_of="2026-12-31T00:00:00Z")
    earlier = dict(findings_json, as_of="2026-10-01T00:00:00Z")
    runs = load_previous_runs([_write(tmp_path, "b.json", later), _write(tmp_path, "a.json", earlier)])
    assert [r.as_of for r in runs] == ["2026-10-01T00:00:00Z", "2026-12-31T00:00:00Z"]


def test_findings_files_that_cannot_be_read_are_located(findings_json, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "schema_version": "1",\n  "findings": [,]\n}\n')
    newer = _write(tmp_path, "newer.json", dict(findings_json, schema_version="2"))
    wrong = copy.deepcopy(findings_json)
    wrong["findings"][0]["severity"] = "severe"
    del wrong["findings"][1]["owner"]
    wrong_path = _write(tmp_path, "wrong.json", wrong)
    with pytest.raises(InputError) as caught:
        load_previous_runs([str(broken), newer, wrong_path, str(tmp_path / "missing.json")])
    found = {(p.file.rsplit("/", 1)[-1], p.code, p.line, p.column) for p in caught.value.problems}
    assert ("broken.json", "E490", 3, 16) in found
    assert ("newer.json", "E491", 2, 21) in found
    assert any(f == "wrong.json" and code == "E204" and line is not None for f, code, line, _ in found)
    assert any(f == "wrong.json" and code == "E202" and line is not None for f, code, line, _ in found)
    assert ("missing.json", "E490", None, None) in found


# -- the history file ---------------------------------------------------------------------------------

def test_a_history_file_keeps_findings_kpis_and_spend_across_runs(run, tmp_path):
    result, spend, card = run
    path = tmp_path / "runs.duckdb"
    record = run_record(result, spend=spend, card=card)
    with open_history(path) as history:
        assert history.latest() is None
        assert history.append(record) == 1
    with open_history(path) as history:  # reopened: the same run
        latest = history.latest()
        assert [f.to_dict() for f in latest.findings] == [f.to_dict() for f in record.findings]
        assert latest.period == {"label": "2026-11", "start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
        comparison = compare_runs(record, latest)
        assert comparison.counts() == {"new": 0, "persisting": len(result.findings), "resolved": 0}
        assert history.append(record) == 2
        runs = history.records()
    assert [r.source for r in runs] == ["history run 1", "history run 2"]
    assert runs[0].kpis == record.kpis and runs[0].spend == record.spend
    assert runs[0].counts == record.counts
    series = kpi_series(runs)
    coverage = series[("data-platform", "tag_coverage", "USD")]
    expected = next(v for v in card.for_owner("data-platform").kpis["tag_coverage"].values if v.currency == "USD")
    assert coverage == [(AS_OF, expected.value.quantize(Decimal("1e-12"), rounding="ROUND_HALF_EVEN"), expected.level)] * 2
    [spent] = spend_series(runs)[("payments", "USD")]  # two runs of one period: one point
    assert (spent.label, spent.as_of, spent.complete) == ("2026-11", AS_OF, False)
    assert spent.amount == next(o.amount for o in spend.owners if (o.owner, o.currency) == ("payments", "USD"))
    assert spent.last_day == dt.date(2026, 11, 26)


def _month(label: str, as_of: str, amounts: dict, measure: str = "EffectiveCost") -> RunRecord:
    year, month = map(int, label.split("-"))
    end = f"{year + month // 12}-{month % 12 + 1:02d}-01T00:00:00Z"
    return RunRecord(as_of, {"label": label, "start": f"{label}-01T00:00:00Z", "end": end}, "0", None,
                     spend=tuple(SpendRecord(owner, "USD", measure, Decimal(amount)) for owner, amount in amounts.items()))


def test_the_spend_series_has_one_point_per_period_the_latest_run_winning():
    """A run in the middle of November, one at its end and one of October: two points, October's and the end of
    November's; a run measured in another column is not a point of the series."""
    runs = [_month("2026-10", "2026-11-01T00:00:00Z", {"search": "300"}),
            _month("2026-11", "2026-11-15T00:00:00Z", {"search": "150", "payments": "80"}),
            _month("2026-11", "2026-11-15T06:00:00Z", {"search": "9999"}, measure="BilledCost"),
            _month("2026-11", "2026-12-01T00:00:00Z", {"search": "320"})]
    series = spend_series(runs, "EffectiveCost")
    assert [(p.label, p.amount, p.complete) for p in series[("search", "USD")]] == [
        ("2026-10", Decimal(300), True), ("2026-11", Decimal(320), True)]
    [payments] = series[("payments", "USD")]  # its latest run of November is the mid-month one
    assert (payments.label, payments.amount, payments.complete, payments.last_day) == ("2026-11", Decimal(80), False, dt.date(2026, 11, 14))
    assert [p.amount for p in spend_series(runs)[("search", "USD")]] == [Decimal(300), Decimal(320)]  # every measure: the latest run


def test_a_failed_append_leaves_the_file_as_it_was(run, tmp_path):
    path = tmp_path / "runs.duckdb"
    record = run_record(run[0])
    with open_history(path) as history:
        history.append(record)
        broken = record.__class__(**{**record.__dict__, "findings": (record.findings[0].__class__(
            **{**record.findings[0].__dict__, "status": None}),)})
        with pytest.raises(duckdb.Error):
            history.append(broken)
        assert len(history.records()) == 1


def test_history_files_that_are_not_ours_or_newer_are_refused(tmp_path):
    newer = tmp_path / "newer.duckdb"
    with open_history(newer):
        pass
    con = duckdb.connect(str(newer))
    con.execute("UPDATE costwarden_history SET value = ? WHERE key = 'schema_version'", [str(HISTORY_VERSION + 1)])
    con.close()
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE sales (x INTEGER)")
    con.close()
    text = tmp_path / "text.duckdb"
    text.write_text("not a database\n" * 100)
    cases = {
        newer: ("E493", "history of schema version 2, newer than this costwarden's (1)"),
        other: ("E492", "not a costwarden history file (it holds the tables sales)"),
        tmp_path: ("E492", "a history file is a DuckDB file, not a folder"),
    }
    for path, (code, message) in cases.items():
        with pytest.raises(InputError) as caught:
            open_history(path)
        assert [(p.code, p.message) for p in caught.value.problems] == [(code, message)]
    with pytest.raises(InputError) as caught:
        open_history(text)
    assert caught.value.problems[0].code == "E492" and caught.value.problems[0].message.startswith("cannot open the history file")
