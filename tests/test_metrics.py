"""Metrics files: formats, statistics (checked by hand and between the Python and DuckDB readers), errors, joining."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import InputError
from engine.metrics import load_metrics
from engine.metrics.join import attach, id_suffixes
from engine.metrics.statistics import series_statistics

AS_OF = datetime(2026, 1, 31, tzinfo=timezone.utc)
DAY = timedelta(days=1)
HEADER = "resource_id,metric,timestamp,period,value\n"


def hourly(rid: str, metric: str, values, start: datetime, period: int = 3600) -> str:
    return "".join(
        f"{rid},{metric},{(start + timedelta(seconds=period * i)).strftime('%Y-%m-%dT%H:%M:%SZ')},{period},{v}\n"
        for i, v in enumerate(values)
    )


def load(paths, lookback=timedelta(days=30), **options):
    return load_metrics([str(p) for p in paths], as_of=AS_OF, lookback=lookback, **options)


def both(paths, **options):
    """The statistics from the Python reader and from the DuckDB reader (which must agree)."""
    small = load(paths, **options)
    large = load(paths, python_limit=0, **options)
    assert small.series == large.series
    return small


# --- statistics, by hand ---------------------------------------------------------------------------


def test_nearest_rank_percentiles_average_and_days_by_hand(write):
    # 20 hourly samples 1..20: p95 is the ceil(0.95 * 20) = 19th smallest, p99 the 20th, p50 the 10th
    path = write("m.csv", HEADER + hourly("i-1", "cpu", range(1, 21), AS_OF - 2 * DAY))
    stats = both([path]).series[("i-1", "cpu")][1]
    assert stats == {"p50": 10.0, "p95": 19.0, "p99": 20.0, "max": 20.0, "min": 1.0, "avg": 10.5,
                     "days": round(20 * 3600 / 86400, 4), "samples": 20, "period": 3600}


def test_samples_are_weighted_by_their_period():
    # 10 % for 5 minutes and 50 % for an hour: half of the measured time is above 10 %
    stats = series_statistics([(10.0, 300), (50.0, 3600)], 30 * 86400)
    assert stats["p50"] == 50.0 and stats["min"] == 10.0
    assert stats["avg"] == round((10 * 300 + 50 * 3600) / 3900, 6)
    assert stats["period"] == 3600 and stats["days"] == round(3900 / 86400, 4)


def test_the_window_ends_before_the_as_of_instant_and_starts_at_as_of_minus_lookback(write):
    start = AS_OF - 14 * DAY
    rows = (hourly("i-1", "cpu", [5], start - timedelta(hours=1))  # before the window
            + hourly("i-1", "cpu", [7], start)  # the first instant of the window
            + hourly("i-1", "cpu", [9], AS_OF - timedelta(hours=1))  # the last hour
            + hourly("i-1", "cpu", [99], AS_OF))  # the as-of instant: outside
    stats = both([write("m.csv", HEADER + rows)], lookback=14 * DAY).series[("i-1", "cpu")][1]
    assert (stats["min"], stats["max"], stats["samples"]) == (7.0, 9.0, 2)


def test_days_are_capped_at_the_window(write):
    path = write("m.csv", HEADER + "i-1,cpu,2026-01-30T12:00:00Z,604800,3\n")
    assert both([path], lookback=2 * DAY).series[("i-1", "cpu")][1]["days"] == 2.0


def test_python_and_duckdb_agree_on_random_series(tmp_path):
    generator = random.Random(7)
    lines = [HEADER]
    for resource in range(40):
        period = generator.choice([60, 300, 3600, 86400])
        for index in range(generator.randint(1, 60)):
            when = AS_OF - timedelta(seconds=period * (index + 1) + generator.choice([0, 0, 30]))
            mixed = generator.choice([period, period, 300])
            lines.append(f"I-{resource},{generator.choice(['cpu', 'CPUUtilization'])},{when.isoformat()},{mixed},"
                         f"{round(generator.uniform(0, 100), generator.randint(0, 4))}\n")
    # the same (resource, metric, instant) twice would be an error: keep the first of each
    seen, unique = set(), [lines[0]]
    for line in lines[1:]:
        rid, _, when, _, _ = line.split(",")
        if (rid, when) not in seen:
            seen.add((rid, when))
            unique.append(line)
    path = tmp_path / "random.csv"
    path.write_text("".join(unique))
    small, large = load([path]), load([path], python_limit=0)
    assert small.series.keys() == large.series.keys() and len(small.series) == 40
    for key in small.series:
        a, b = small.series[key][1], large.series[key][1]
        assert {k: v for k, v in a.items() if k != "avg"} == {k: v for k, v in b.items() if k != "avg"}, key
        assert a["avg"] == pytest.approx(b["avg"], abs=2e-6)
        assert small.series[key][0] == large.series[key][0] == key[0].upper()


def test_jsonl_gives_the_same_statistics_as_csv(write):
    csv_path = write("m.csv", HEADER + hourly("i-1", "cpu", [3, 1, 2], AS_OF - DAY))
    records = [{"resource_id": "i-1", "metric": "cpu", "timestamp": (AS_OF - DAY + timedelta(hours=i)).isoformat(),
                "period": 3600, "value": v} for i, v in enumerate([3, 1, 2])]
    jsonl_path = write("m.jsonl", "\n".join(json.dumps(r) for r in records) + "\n\n")
    assert both([jsonl_path]).series == both([csv_path]).series


def test_provider_metric_names_are_stored_under_costwarden_names(write):
    path = write("m.csv", HEADER + hourly("i-1", "CPUUtilization", [1], AS_OF - DAY) + hourly("i-1", "mem_used_percent", [2], AS_OF - DAY)
                 + hourly("i-1", "network_in", [3], AS_OF - DAY))
    assert sorted(metric for _, metric in both([path]).series) == ["cpu", "memory", "network_in"]


def test_header_columns_in_any_order_extra_columns_ignored_timestamps_in_several_spellings(write):
    text = ("value,unit,Timestamp,metric,resource_id,period\n"
            "1,Percent,2026-01-30T00:00:00Z,cpu,i-1,3600\n"
            "2,Percent,2026-01-30 01:00:00,cpu,i-1,3600\n"
            "3,Percent,2026-01-30T04:00:00+02:00,cpu,i-1,3600\n"  # 02:00 UTC
            "4,Percent,2026-01-29,cpu,i-1,3600\n")
    stats = both([write("m.csv", text)]).series[("i-1", "cpu")][1]
    assert stats["samples"] == 4 and stats["max"] == 4.0


def test_files_merge_sample_by_sample(write):
    first = write("a.csv", HEADER + hourly("i-1", "cpu", [1, 2], AS_OF - DAY))
    second = write("b.csv", HEADER + hourly("i-1", "cpu", [3], AS_OF - DAY + 5 * timedelta(hours=1)))
    assert both([first, second]).series[("i-1", "cpu")][1]["samples"] == 3


# --- bad input -----------------------------------------------------------------------------------


def problems_of(paths, **options) -> list[str]:
    with pytest.raises(InputError) as error:
        load(paths, **options)
    return [p.format() for p in error.value.problems]


BAD_ROWS = [
    ("i-1,cpu,2026-01-30T00:00:00Z,3600,-5\n", "line 2", "column value: expected a non-negative number, got '-5'"),
    ("i-1,cpu,2026-01-30T00:00:00Z,3600,nan\n", "line 2", "expected a non-negative number, got 'nan'"),
    ("i-1,cpu,yesterday,3600,5\n", "line 2", "column timestamp: expected an ISO-8601 date-time"),
    ("i-1,cpu,2026-02-30T00:00:00Z,3600,5\n", "line 2", "column timestamp"),
    ("i-1,cpu,2026-01-30T24:00:00Z,3600,5\n", "line 2", "column timestamp"),  # DuckDB alone would read the next midnight
    ("i-1,cpu,2026-01-30T00:00:00Z,0,5\n", "line 2", "column period: expected the sampling period in whole seconds"),
    ("i-1,cpu,2026-01-30T00:00:00Z,5m,5\n", "line 2", "column period"),
    (",cpu,2026-01-30T00:00:00Z,60,5\n", "line 2", "column resource_id: expected a resource id"),
    ("i-1,CPU Usage,2026-01-30T00:00:00Z,60,5\n", "line 2", "column metric: unknown metric name 'CPU Usage'"),
]


@pytest.mark.parametrize("row, where, message", BAD_ROWS)
@pytest.mark.parametrize("limit", [None, 0], ids=["python", "duckdb"])
def test_a_bad_value_names_file_line_column_and_what_was_expected(write, row, where, message, limit):
    path = write("m.csv", HEADER + row)
    options = {} if limit is None else {"python_limit": limit}
    found = problems_of([path], **options)
    assert len(found) == 1 and found[0].startswith(f"{path}:2: E434 ") and message in found[0], found


@pytest.mark.parametrize("limit", [None, 0], ids=["python", "duckdb"])
def test_a_duplicate_sample_names_both_lines(write, limit):
    path = write("m.csv", HEADER + "i-1,cpu,2026-01-30T00:00:00Z,60,5\nI-1,CPUUtilization,2026-01-30T00:00:00+00:00,60,6\n")
    options = {} if limit is None else {"python_limit": limit}
    (problem,) = problems_of([path], **options)
    assert problem.startswith(f"{path}:3: E435 ") and "(first at line 2)" in problem


@pytest.mark.parametrize("limit", [None, 0], ids=["python", "duckdb"])
def test_structure_problems(write, limit):
    options = {} if limit is None else {"python_limit": limit}
    missing = write("a.csv", "resource_id,metric,timestamp,value\ni-1,cpu,2026-01-30,5\n")
    assert "E432 the header row has no column period" in problems_of([missing], **options)[0]
    short = write("b.csv", HEADER + "i-1,cpu,2026-01-30\n")
    assert problems_of([short], **options) == [f"{short}:2: E432 expected 5 fields (as many as the header has), found 3"]
    long = write("d.csv", HEADER + "i-1,cpu,2026-01-30T00:00:00Z,60,5,extra\n")
    assert problems_of([long], **options) == [f"{long}:2: E432 expected 5 fields (as many as the header has), found 6"]
    broken = write("c.csv", HEADER + "i-1,cpu,2026-01-30T00:00:00Z,60,5\n" + "i-1,cpu,2026-01-30T00:01:00Z,60,5\xe9\n")
    broken.write_bytes(broken.read_bytes().replace("\xe9".encode(), b"\xe9"))
    (problem,) = problems_of([broken], **options)
    assert problem.startswith(f"{broken}:3:") and "E431 invalid UTF-8: byte 0xe9" in problem


def test_jsonl_types_are_strict(write):
    lines = [
        {"resource_id": "i-1", "metric": "cpu", "timestamp": "2026-01-30T00:00:00Z", "period": 60, "value": "5"},
        {"resource_id": "i-1", "metric": "cpu", "timestamp": "2026-01-30T00:01:00Z", "period": 60.0, "value": 5},
        ["not", "an", "object"],
    ]
    path = write("m.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n{broken\n")
    for limit in (None, 0):
        found = problems_of([path], **({} if limit is None else {"python_limit": limit}))
        assert [f.split(": ", 1)[0] for f in found] == [f"{path}:1", f"{path}:2", f"{path}:3", f"{path}:4"], found
        assert "'value': expected a non-negative number, got '5'" in found[0]
        assert "'period': expected the sampling period" in found[1]


def test_every_problem_is_listed_not_only_the_first(write):
    path = write("m.csv", HEADER + "i-1,cpu,x,60,5\ni-2,cpu,2026-01-30T00:00:00Z,60,-1\n")
    assert [p.split(": ")[0] for p in problems_of([path])] == [f"{path}:2", f"{path}:3"]


def test_the_metrics_schema_describes_what_the_reader_accepts(write):
    import csv

    from jsonschema import Draft202012Validator

    from engine.documents.schemas import load_schema

    validator = Draft202012Validator(load_schema("metrics.schema.json"))
    rows = HEADER + hourly("i-1", "CPUUtilization", [1.5], AS_OF - DAY) + "i-1,cpu,2026-01-30 10:00:00.25+02:00,60,0\n"
    load([write("m.csv", rows)])  # accepted by the reader ...
    for row in csv.DictReader(rows.splitlines()):  # ... and by the schema, with numbers as JSON Lines has them
        record = {**row, "period": int(row["period"]), "value": float(row["value"])}
        assert not list(validator.iter_errors(record)), record
    assert list(validator.iter_errors({"resource_id": "i-1", "metric": "cpu", "timestamp": "2026-01-30T24:00:00Z", "period": 60, "value": 1}))


def test_the_cli_lists_the_same_formats():
    from engine.cli import METRICS_FORMATS
    from engine.metrics import FORMATS

    assert METRICS_FORMATS == FORMATS


def test_unreadable_and_unknown_files(tmp_path, write):
    assert problems_of([tmp_path / "missing.csv"]) == [f"{tmp_path / 'missing.csv'}: E430 no such file"]
    odd = write("m.txt", "hello\n")
    assert "E433 cannot tell the metrics format" in problems_of([odd])[0]


def test_cli_exits_2_on_a_bad_metrics_file(write):
    from click.testing import CliRunner

    from engine.cli import main
    from tests.conftest import ROOT

    path = write("m.csv", HEADER + "i-1,cpu,2026-01-30T00:00:00Z,3600,-5\n")
    result = CliRunner().invoke(main, ["check", "--inventory", str(ROOT / "examples" / "inventory.json"), "--metrics", str(path),
                                       "--as-of", "2026-01-31"])
    assert result.exit_code == 2
    assert f"{path}:2: E434 column value: expected a non-negative number" in result.output
    assert "Traceback" not in result.output


# --- CloudWatch get-metric-data ------------------------------------------------------------------


def cloudwatch(*results) -> str:
    return json.dumps({"MetricDataResults": list(results), "Messages": []})


def test_cloudwatch_labels_tie_series_to_resources_and_metrics(write):
    stamps = [(AS_OF - timedelta(minutes=5 * i)).isoformat() for i in range(1, 4)]  # newest first, as CloudWatch returns them
    path = write("cw.json", cloudwatch(
        {"Id": "q1", "Label": "i-0abc CPUUtilization 300", "Timestamps": stamps, "Values": [10, 30, 20], "StatusCode": "Complete"},
        {"Id": "q2", "Label": "i-0abc mem_used_percent", "Timestamps": stamps[:2], "Values": [40, 41], "StatusCode": "Complete"},
    ))
    metrics = load([path])
    assert metrics.formats == {str(path): "cloudwatch"}
    cpu = metrics.series[("i-0abc", "cpu")][1]
    assert (cpu["samples"], cpu["period"], cpu["max"], cpu["p50"]) == (3, 300, 30.0, 20.0)
    memory = metrics.series[("i-0abc", "memory")][1]
    assert memory["period"] == 300 and memory["days"] == round(600 / 86400, 4)  # inferred from the gap


def test_cloudwatch_pages_epoch_timestamps_partial_data_and_single_points(write):
    first = {"Id": "q1", "Label": "i-1 cpu", "Timestamps": [(AS_OF - DAY).timestamp()], "Values": [5], "StatusCode": "PartialData"}
    second = {"Id": "q1", "Label": "i-1 cpu", "Timestamps": [(AS_OF - DAY - timedelta(hours=1)).timestamp()], "Values": [7]}
    lonely = {"Id": "q2", "Label": "i-2 cpu", "Timestamps": ["2026-01-30T00:00:00Z"], "Values": [1]}
    path = write("pages.json", cloudwatch(first) + "\n" + cloudwatch(second, lonely) + "\n")
    metrics = load([path], format="cloudwatch")
    assert metrics.series[("i-1", "cpu")][1]["samples"] == 2
    assert ("i-2", "cpu") not in metrics.series
    assert any("PartialData" in w for w in metrics.warnings) and any("one data point" in w for w in metrics.warnings)


def test_cloudwatch_bad_labels_and_values_are_input_errors(write):
    path = write("cw.json", cloudwatch(
        {"Id": "q1", "Label": "CPUUtilization", "Timestamps": ["2026-01-30T00:00:00Z"], "Values": [1]},
        {"Id": "q2", "Label": "i-1 cpu", "Timestamps": ["2026-01-30T00:00:00Z", "2026-01-30T00:05:00Z"], "Values": [1, -2]},
    ))
    found = problems_of([path])
    assert f"{path}: E434 cannot read resource and metric from the Label 'CPUUtilization' (at /MetricDataResults/0/Label); " \
           "set the query's Label" in found[0], found
    assert f"{path}: E434 expected a non-negative number, got -2 (at /MetricDataResults/1/Values/1)" in found, found


# --- joining to the inventory --------------------------------------------------------------------


def test_id_suffixes():
    assert id_suffixes("arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc") == ["i-0abc"]
    assert id_suffixes("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc") == [
        "app/web/50dc", "web/50dc", "50dc"]
    assert id_suffixes("arn:aws:rds:eu-west-1:111111111111:db:orders") == ["orders"]
    assert id_suffixes("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1")[-1] == "vm-1"
    assert id_suffixes("//compute.googleapis.com/projects/p/zones/z/instances/etl")[-2:] == ["instances/etl", "etl"]
    assert id_suffixes("i-0abc") == []


def test_join_by_id_ignoring_case_then_by_the_end_of_the_id():
    resources = [
        {"id": "arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc", "utilization": {"cpu": {"p95": 1}, "memory": {"p95": 2}}},
        {"id": "/subscriptions/s/resourceGroups/a/providers/Microsoft.Compute/virtualMachines/web-1", "utilization": {}},
        {"id": "/subscriptions/s/resourceGroups/b/providers/Microsoft.Compute/virtualMachines/web-1", "utilization": {}},
        {"id": "vm-exact", "utilization": {}},
    ]
    stats = {"p95": 9}
    series = {
        ("i-0abc", "cpu"): ("I-0ABC", stats),
        ("web-1", "cpu"): ("web-1", stats),
        ("vm-exact", "cpu"): ("VM-EXACT", stats),
        ("i-gone", "cpu"): ("i-gone", stats),
    }
    warnings = attach(resources, series)
    assert resources[0]["utilization"] == {"cpu": {"p95": 9}, "memory": {"p95": 2}}  # replaced metric by metric
    assert resources[1]["utilization"] == resources[2]["utilization"] == {}
    assert resources[3]["utilization"] == {"cpu": {"p95": 9}}
    assert warnings == [
        "metrics: 1 resource id of the metrics matches no resource of the inventory: 'i-gone'",
        "metrics: 1 resource id of the metrics matches the end of several resources' ids; not used (give the full id): 'web-1'",
    ]


def test_a_full_id_wins_over_the_end_of_an_id():
    resources = [{"id": "arn:aws:ec2:eu-west-1:1:instance/i-1", "utilization": {}}]
    series = {("i-1", "cpu"): ("i-1", {"p95": 1}), ("arn:aws:ec2:eu-west-1:1:instance/i-1", "cpu"): ("arn:aws:ec2:eu-west-1:1:instance/i-1", {"p95": 2})}
    warnings = attach(resources, series)
    assert resources[0]["utilization"] == {"cpu": {"p95": 2}}
    assert warnings == ["metrics: 'i-1' and 'arn:aws:ec2:eu-west-1:1:instance/i-1' all give cpu of resource "
                        "'arn:aws:ec2:eu-west-1:1:instance/i-1'; using 'arn:aws:ec2:eu-west-1:1:instance/i-1'"]
    again = [{"id": "arn:aws:ec2:eu-west-1:1:instance/i-1", "utilization": {}}]
    attach(again, dict(reversed(list(series.items()))))  # the order of the series does not matter
    assert again[0]["utilization"] == {"cpu": {"p95": 2}}
