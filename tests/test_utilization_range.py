"""One range rule for utilization (engine.utilization), wherever a value comes from: an inventory's
``utilization`` statistics, and the samples of CSV, JSON Lines (both readers: Python and DuckDB) and
CloudWatch metrics files. Nothing is negative; a percent metric's values are at most 100; other
metrics (bytes, counts) and the series' own statistics (days, samples, period) have no upper bound."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from engine.inventory import load_inventory
from engine.inventory.adapters.costwarden import complete_in_place
from engine.metrics import load_metrics
from engine.utilization import PERCENT_METRICS, SERIES_STATISTICS, VALUE_STATISTICS, sample_problem, statistic_problem

AS_OF = datetime(2026, 1, 31, tzinfo=timezone.utc)
HEADER = "resource_id,metric,timestamp,period,value\n"


def inventory_problems(tmp_path, utilization: dict, name: str = "inv.json") -> list[str]:
    resources = [{"id": "i-1", "type": "AWS::EC2::Instance"},
                 {"id": "i-2", "type": "AWS::EC2::Instance", "utilization": utilization}]
    path = tmp_path / name
    if name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    else:
        path.write_text(json.dumps({"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": resources}, indent=1),
                        encoding="utf-8")
    try:
        load_inventory([str(path)])
    except InputError as error:
        return [p.format() for p in error.problems]
    return []


# --- the inventory ------------------------------------------------------------------------------------------


def test_a_cpu_p95_over_100_is_refused_at_its_line_with_its_pointer(tmp_path):
    found = inventory_problems(tmp_path, {"cpu": {"p95": 250, "days": 20}})
    line, column = next((n, text.index("250") + 1) for n, text in enumerate((tmp_path / "inv.json").read_text().splitlines(), 1)
                        if '"p95": 250' in text)
    assert found == [f"{tmp_path / 'inv.json'}:{line}:{column}: E405 cpu p95 of 250 is over 100: cpu is a percentage (0 to 100) "
                     "(at /resources/1/utilization/cpu/p95)"]


def test_a_negative_statistic_is_refused_whatever_the_metric(tmp_path):
    found = inventory_problems(tmp_path, {"memory": {"max": -5}, "network_in": {"avg": -1.5}})
    assert [f.split(": ", 1)[1] for f in found] == [
        "E405 memory max of -5 is negative; utilization is never negative (at /resources/1/utilization/memory/max)",
        "E405 network_in avg of -1.5 is negative; utilization is never negative (at /resources/1/utilization/network_in/avg)",
    ]


def test_json_lines_inventories_follow_the_same_rule(tmp_path):
    found = inventory_problems(tmp_path, {"memory_available": {"min": 100.5}}, "inv.jsonl")
    assert found == [f"{tmp_path / 'inv.jsonl'}:2:{_column_of_min(tmp_path / 'inv.jsonl')}: E405 memory_available min of 100.5 "
                     "is over 100: memory_available is a percentage (0 to 100) (at /utilization/memory_available/min)"]


def _column_of_min(path) -> int:
    return path.read_text().splitlines()[1].index('"min": ') + len('"min": ') + 1


def test_what_is_not_a_percentage_may_exceed_100(tmp_path):
    utilization = {
        "cpu": {"p95": 100, "max": 100.0, "days": 400, "samples": 100000, "period": 3600},  # 100 % is allowed; counts are not percents
        "network_in": {"max": 9.5e12, "avg": 1e9, "days": 30},  # bytes
        "connections": {"p95": 5000},
    }
    assert inventory_problems(tmp_path, utilization) == []
    loaded = load_inventory([str(tmp_path / "inv.json")])
    assert loaded.resources[1]["utilization"] == utilization


def test_another_percentile_of_a_percent_metric_is_a_percentage_too(tmp_path):
    assert "cpu p90 of 101 is over 100" in inventory_problems(tmp_path, {"cpu": {"p90": 101}})[0]
    assert inventory_problems(tmp_path, {"cpu": {"stddev": 120}}) == []  # not a statistic of the values' unit we know


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(
    st.sampled_from([*PERCENT_METRICS, "network_in", "connections"]),
    st.dictionaries(st.sampled_from([*VALUE_STATISTICS, *SERIES_STATISTICS, "p90", "stddev"]),
                    st.one_of(st.none(), st.integers(-3, 300), st.floats(-1, 1e6, allow_nan=False, allow_infinity=False),
                              st.sampled_from([100, 100.0, 100.000001, 0, -0.0, math.inf, -math.inf, math.nan]))),
    max_size=4))
def test_the_fast_path_never_accepts_what_the_rule_refuses(utilization):
    """complete_in_place (the inventory's written-out check) against engine.utilization.statistic_problem."""
    resource = {"id": "i-1", "type": "AWS::EC2::Instance", "utilization": utilization}
    refused = any(value is not None and statistic_problem(metric, stat, value) is not None
                  for metric, stats in utilization.items() for stat, value in stats.items())
    slow = complete_in_place([resource])
    if refused:
        assert slow == [0], utilization
    elif not any(v is not None and not (0 <= v <= 100) for m, s in utilization.items() if m in PERCENT_METRICS for v in s.values()):
        assert slow == [], utilization  # nothing over 100 anywhere in a percent metric: the fast path keeps it


def test_the_inventory_schema_states_the_same_rule():
    from jsonschema import Draft202012Validator

    from tests.conftest import ROOT

    schema = json.loads((ROOT / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))
    utilization = schema["$defs"]["resource"]["properties"]["utilization"]
    assert sorted(utilization["properties"]) == sorted(PERCENT_METRICS)
    validator = Draft202012Validator({"$defs": schema["$defs"], **utilization})
    for metric in (*PERCENT_METRICS, "network_in"):
        for stat in (*VALUE_STATISTICS, *SERIES_STATISTICS, "p90", "p99.9", "stddev"):
            for value in (-1, 0, 50, 100, 100.5, 1e6):
                assert validator.is_valid({metric: {stat: value}}) == (statistic_problem(metric, stat, value) is None), \
                    (metric, stat, value)


def test_the_rule_words():
    assert statistic_problem("cpu", "avg", 100) is None
    assert statistic_problem("cpu", "days", 120) is None
    assert statistic_problem("network_out", "max", 1e15) is None
    assert statistic_problem("cpu", "max", math.nan) == "cpu max of nan is not a finite number"
    assert sample_problem("memory", 180) == "a memory sample of 180 is over 100: memory is a percentage (0 to 100)"
    assert sample_problem("requests", 180) is None


# --- metrics files ------------------------------------------------------------------------------------------


def _csv(rows: list[tuple[str, str, float]]) -> str:
    stamp = (AS_OF - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return HEADER + "".join(f"{rid},{metric},{stamp},3600,{value}\n" for rid, metric, value in rows)


def _problems(path, **options) -> list[str]:
    with pytest.raises(InputError) as error:
        load_metrics([str(path)], as_of=AS_OF, lookback=timedelta(days=30), **options)
    return [p.format() for p in error.value.problems]


@pytest.mark.parametrize("python_limit", [None, 0], ids=["python-reader", "duckdb-reader"])
def test_csv_samples_over_100_percent_are_refused_at_their_line_by_both_readers(write, python_limit):
    path = write("m.csv", _csv([("i-1", "cpu", 40), ("i-2", "CPUUtilization", 250), ("i-1", "memory", 180),
                                ("i-3", "network_in", 250000), ("i-3", "cpu", 100)]))
    options = {} if python_limit is None else {"python_limit": python_limit}
    assert _problems(path, **options) == [
        f"{path}:3: E434 column value: a cpu sample of 250 is over 100: cpu is a percentage (0 to 100)",
        f"{path}:4: E434 column value: a memory sample of 180 is over 100: memory is a percentage (0 to 100)",
    ]


@pytest.mark.parametrize("python_limit", [None, 0], ids=["python-reader", "duckdb-reader"])
def test_json_lines_samples_over_100_percent_are_refused_at_their_line(write, python_limit):
    stamp = (AS_OF - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [{"resource_id": "i-1", "metric": metric, "timestamp": stamp, "period": 60, "value": value}
             for metric, value in (("connections", 900), ("memory", 100.01))]
    path = write("m.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    options = {} if python_limit is None else {"python_limit": python_limit}
    assert _problems(path, **options) == [
        f"{path}:2: E434 'value': a memory sample of 100.01 is over 100: memory is a percentage (0 to 100)"]


def test_cloudwatch_values_over_100_percent_are_refused_with_their_pointer(write):
    stamps = [(AS_OF - timedelta(minutes=5 * i)).isoformat() for i in range(1, 4)]
    path = write("cw.json", json.dumps({"MetricDataResults": [
        {"Id": "q1", "Label": "i-0abc NetworkIn 300", "Timestamps": stamps, "Values": [1e9, 2e9, 3e9]},
        {"Id": "q2", "Label": "i-0abc CPUUtilization 300", "Timestamps": stamps, "Values": [10, 150.5, 20]},
    ], "Messages": []}))
    assert _problems(path) == [
        f"{path}: E434 a cpu sample of 150.5 is over 100: cpu is a percentage (0 to 100) (at /MetricDataResults/1/Values/1)"]
