"""What a ``--metrics`` path may be and how its bytes are read: links, devices, pipes, byte order
marks, UTF-16, long fields and lines, CloudWatch shapes; and the bounds of the lookback window.
Both row readers (Python for small files, DuckDB for large ones: ``python_limit=0``) are held to
the same answers."""

from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import InputError
from engine.metrics import load_metrics
from engine.metrics.loader import STREAM_LIMIT
from engine.metrics.rows import MAX_LINE_BYTES
from engine.metrics.window import EARLIEST_START, lookback_window, parse_lookback
from tests.conftest import ROOT

AS_OF = datetime(2026, 1, 31, tzinfo=timezone.utc)
HEADER = "resource_id,metric,timestamp,period,value\n"
BOM = b"\xef\xbb\xbf"
CSV = HEADER + "".join(f"i-1,cpu,2026-01-{day:02d}T00:00:00Z,86400,{day}\n" for day in range(2, 30))
STATISTICS = {"p50": 15.0, "p95": 28.0, "p99": 29.0, "max": 29.0, "min": 2.0, "avg": 15.5, "days": 28.0, "samples": 28,
              "period": 86400}  # of CSV, by hand: 28 daily samples 2..29 in the window


def load(paths, **options):
    return load_metrics([str(p) for p in paths], as_of=AS_OF, lookback=timedelta(days=30), **options)


def problems_of(paths, **options) -> list[str]:
    with pytest.raises(InputError) as error:
        load(paths, **options)
    return [p.format() for p in error.value.problems]


def jsonl(text: str = CSV) -> str:
    rows = [line.split(",") for line in text.splitlines()[1:]]
    return "".join(json.dumps({"resource_id": r, "metric": m, "timestamp": t, "period": int(p), "value": float(v)}) + "\n"
                   for r, m, t, p, v in rows)


def cloudwatch() -> str:
    rows = [line.split(",") for line in CSV.splitlines()[1:]]
    return json.dumps({"MetricDataResults": [{"Id": "q1", "Label": "i-1 CPUUtilization 86400", "StatusCode": "Complete",
                                              "Timestamps": [r[2] for r in rows], "Values": [float(r[4]) for r in rows]}],
                       "Messages": []}, indent=1)


# --- what the path is ----------------------------------------------------------------------------------------


def test_a_symlink_loop_is_named_as_such_not_as_a_missing_file(tmp_path):
    loop = tmp_path / "metrics.csv"
    loop.symlink_to("metrics.csv")
    assert problems_of([loop]) == [f"{loop}: E430 is a symbolic link loop (a link that leads back to itself)"]


def test_a_link_to_nothing_says_where_it_points(tmp_path):
    link = tmp_path / "metrics.csv"
    link.symlink_to("gone.csv")
    assert problems_of([link]) == [f"{link}: E430 is a symbolic link to 'gone.csv', which does not exist"]
    assert problems_of([tmp_path / "nothing.csv"]) == [f"{tmp_path / 'nothing.csv'}: E430 no such file"]


def test_a_folder_and_a_device_are_named(tmp_path):
    assert problems_of([tmp_path]) == [f"{tmp_path}: E430 is a directory, not a metrics file"]
    assert problems_of(["/dev/zero"]) == ["/dev/zero: E430 is a character device, not a metrics file"]
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    assert problems_of([link]) == [f"{link}: E430 is a character device (/dev/zero), not a metrics file"]


def test_the_null_device_reads_as_an_empty_file(tmp_path):
    assert problems_of(["/dev/null"]) == ["/dev/null: E433 cannot tell the metrics format; formats: csv, jsonl, cloudwatch; "
                                          "name CSV files .csv and JSON Lines files .jsonl, or give --metrics-format"]
    assert problems_of(["/dev/null"], format="csv") == [
        "/dev/null:1: E432 the file is empty; expected a header row: resource_id,metric,timestamp,period,value"]


def _fifo(tmp_path: Path, name: str, content: bytes) -> tuple[Path, threading.Thread]:
    path = tmp_path / name
    os.mkfifo(path)

    def write() -> None:
        try:
            with open(path, "wb") as pipe:
                pipe.write(content)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return path, writer


@pytest.mark.parametrize("name, content", [("m.csv", CSV), ("m.jsonl", jsonl()), ("cw.json", cloudwatch())])
def test_a_named_pipe_is_read_once_like_the_file(tmp_path, name, content):
    path, writer = _fifo(tmp_path, name, content.encode())
    assert load([path]).series == {("i-1", "cpu"): ("i-1", STATISTICS)}
    writer.join(5)


def test_a_named_pipe_among_large_files_is_read_beside_duckdb(tmp_path, write):
    other = write("other.csv", HEADER + "i-2,cpu,2026-01-20T00:00:00Z,3600,5\n")
    path, writer = _fifo(tmp_path, "m.csv", CSV.encode())
    series = load([other, path], python_limit=0).series
    assert series[("i-1", "cpu")] == ("i-1", STATISTICS) and series[("i-2", "cpu")][1]["max"] == 5.0
    writer.join(5)


def test_a_named_pipe_over_the_stream_limit_is_refused_with_what_to_do(tmp_path):
    path, writer = _fifo(tmp_path, "m.csv", b"x" * (STREAM_LIMIT + 10))
    assert problems_of([path]) == [
        f"{path}: E430 the named pipe is larger than {STREAM_LIMIT // 2**20} MiB (stopped reading after {STREAM_LIMIT + 1} bytes); "
        "save it to a file: large metrics files are read by DuckDB, from a file"]
    writer.join(5)


# --- byte order marks and encodings: one rule for every metrics format ---------------------------------------


@pytest.mark.parametrize("python_limit", [None, 0], ids=["python-reader", "duckdb-reader"])
@pytest.mark.parametrize("name, content", [("m.csv", CSV), ("m.jsonl", jsonl()), ("cw.json", cloudwatch()),
                                           ("m.txt", CSV), ("cw.txt", cloudwatch())],
                         ids=["csv", "jsonl", "cloudwatch", "csv-detected", "cloudwatch-detected"])
def test_a_utf8_byte_order_mark_is_skipped(write, name, content, python_limit):
    options = {} if python_limit is None else {"python_limit": python_limit}
    path = write(name, BOM + content.encode())
    assert load([path], **options).series == {("i-1", "cpu"): ("i-1", STATISTICS)}


@pytest.mark.parametrize("name, content, expected", [
    ("m.csv", CSV, ":1: E431 the file is UTF-16, not UTF-8; save the file as UTF-8"),
    ("m.jsonl", jsonl(), ":1: E431 the file is UTF-16, not UTF-8; save the file as UTF-8"),
    ("cw.json", cloudwatch(), ":1:1: E431 the file is UTF-16, not UTF-8; save the file as UTF-8"),
])
def test_utf16_is_refused_with_how_to_convert(write, name, content, expected):
    path = write(name, content.encode("utf-16"))  # with its byte order mark, as PowerShell writes it
    found = problems_of([path], format={"m.csv": "csv", "m.jsonl": "jsonl", "cw.json": "cloudwatch"}[name])
    assert len(found) == 1 and found[0].startswith(f"{path}{expected}"), found
    assert "PowerShell: Out-File -Encoding utf8" in found[0]


# --- long fields and lines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("python_limit", [None, 0], ids=["python-reader", "duckdb-reader"])
def test_a_3_mb_field_in_an_extra_column_is_read(write, python_limit):
    lines = CSV.splitlines()
    text = "\n".join([lines[0] + ",note", lines[1] + "," + "n" * 3_000_000] + [line + "," for line in lines[2:]]) + "\n"
    options = {} if python_limit is None else {"python_limit": python_limit}
    assert load([write("m.csv", text)], **options).series == {("i-1", "cpu"): ("i-1", STATISTICS)}


@pytest.mark.parametrize("python_limit", [None, 0], ids=["python-reader", "duckdb-reader"])
def test_a_3_mb_json_lines_member_is_read(write, python_limit):
    lines = jsonl().splitlines()
    lines[0] = lines[0][:-1] + ', "note": "' + "n" * 3_000_000 + '"}'
    options = {} if python_limit is None else {"python_limit": python_limit}
    assert load([write("m.jsonl", "\n".join(lines) + "\n")], **options).series == {("i-1", "cpu"): ("i-1", STATISTICS)}


@pytest.mark.parametrize("python_limit", [None, 0], ids=["python-reader", "duckdb-reader"])
@pytest.mark.parametrize("name", ["m.csv", "m.jsonl"])
def test_a_line_over_the_limit_is_refused_at_its_line(write, name, python_limit):
    lines = (CSV if name == "m.csv" else HEADER + jsonl()).splitlines()
    lines[3] = lines[3] + ("," if name == "m.csv" else "") + "x" * (MAX_LINE_BYTES + 1)
    text = "\n".join(lines if name == "m.csv" else lines[1:]) + "\n"
    line = 4 if name == "m.csv" else 3
    options = {} if python_limit is None else {"python_limit": python_limit}
    path = write(name, text)
    assert problems_of([path], **options) == [
        f"{path}:{line}: E432 line longer than 16 MiB; stopped reading the file; "
        "a metrics line holds one sample (resource_id, metric, timestamp, period, value)"]


# --- CloudWatch shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("document, expected", [
    ({"MetricDataResults": {"Id": "q1"}, "Messages": []},
     "E432 MetricDataResults must be an array of series, got an object (aws cloudwatch get-metric-data output) "
     "(at /MetricDataResults)"),
    ({"Messages": [], "MetricDataResult": []}, "E432 no MetricDataResults (aws cloudwatch get-metric-data output) (at /)"),
    ([{"MetricDataResults": []}, "page"],
     "E432 expected an object with MetricDataResults (aws cloudwatch get-metric-data output), got a string (at /1)"),
    ({"MetricDataResults": [17]}, "E434 expected an object, got a number (at /MetricDataResults/0)"),
])
def test_cloudwatch_shape_problems_give_a_pointer(write, document, expected):
    path = write("cw.json", json.dumps(document))
    assert problems_of([path], format="cloudwatch") == [f"{path}: {expected}"]


def test_cloudwatch_pages_one_per_line_give_the_line(write):
    page = json.loads(cloudwatch())
    bad = {"MetricDataResults": [{"Id": "q2", "Label": "i-2 cpu 300", "Timestamps": ["2026-01-30T00:00:00Z"], "Values": [-1]}]}
    path = write("pages.json", json.dumps(page) + "\n\n" + json.dumps(bad) + "\n")
    assert problems_of([path]) == [f"{path}:3: E434 expected a non-negative number, got -1 (at /MetricDataResults/0/Values/0)"]


# --- the lookback window --------------------------------------------------------------------------------


def test_the_window_starts_no_earlier_than_year_1():
    as_of = datetime(1, 1, 15, tzinfo=timezone.utc)
    assert lookback_window(as_of, timedelta(days=14)) == (EARLIEST_START, as_of)
    with pytest.raises(ValueError, match=r"a 15d window ending 0001-01-15 would start before year 1; the lookback can be 14d at most"):
        lookback_window(as_of, timedelta(days=15))
    with pytest.raises(ValueError, match="would start before year 1"):
        lookback_window(AS_OF, timedelta.max)
    with pytest.raises(ValueError, match="longer than 0"):
        lookback_window(AS_OF, timedelta(0))
    assert lookback_window(datetime(2026, 1, 31), timedelta(days=1))[1] == AS_OF  # naive: UTC


def test_a_lookback_no_date_can_hold_is_a_value_error_not_an_overflow():
    with pytest.raises(ValueError):
        parse_lookback("999999999999d")
    with pytest.raises(ValueError, match="not longer than 0"):
        parse_lookback("0h")
    assert parse_lookback("2w") == timedelta(days=14)


def test_load_metrics_refuses_a_window_before_year_1(write):
    from engine import api

    path = write("m.csv", CSV)
    with pytest.raises(ValueError, match="would start before year 1"):
        load_metrics([str(path)], as_of=datetime(1, 1, 15, tzinfo=timezone.utc), lookback=timedelta(days=30))
    with pytest.raises(ValueError, match="would start before year 1"):
        api.load_metrics([str(path)], as_of="0001-01-15", lookback="30d")
    with pytest.raises(ValueError):  # not an OverflowError
        api.load_metrics([str(path)], as_of="2026-01-31", lookback="999999999999d")


KIT = ROOT / "tests" / "hostile" / "kit"


@pytest.mark.parametrize("options, expected", [
    (["--as-of", "0001-01-15"], "--lookback 30d with --as-of 0001-01-15: a 30d window ending 0001-01-15 would start before "
                                "year 1; the lookback can be 14d at most"),
    (["--lookback", "3000000d"], "--lookback: '3000000d' is longer than 36500d (100 years), the longest duration"),
    (["--lookback", "999999999999d"], "--lookback: '999999999999d' is longer than"),
])
def test_the_command_line_gives_a_usage_error_for_a_window_out_of_bounds(options, expected):
    args = ["check", "-p", str(KIT / "policies"), "-i", str(KIT / "inventory.json"), "--metrics", str(KIT / "metrics.csv"),
            "--as-of", "2026-06-20", "-f", "json", *options]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_a_window_from_year_1_that_fits_is_evaluated():
    args = ["check", "-p", str(KIT / "policies"), "-i", str(KIT / "inventory.json"), "--metrics", str(KIT / "metrics.csv"),
            "--as-of", "0001-01-15", "--lookback", "14d", "-f", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    assert not [f for f in json.loads(result.output)["findings"] if f["policy"] == "rightsize"]  # no sample in that window


def test_a_policy_test_whose_window_starts_before_year_1_is_an_error_at_its_lookback(tmp_path):
    folder = tmp_path / "rightsizing"
    shutil.copytree(ROOT / "policies" / "rightsizing", folder)
    test_file = folder / "realdata.test.yaml"
    test_file.write_text(test_file.read_text(encoding="utf-8").replace('as_of: "2026-01-01"', 'as_of: "0001-01-15"'),
                         encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(folder)])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert "E303 a 30d window ending 0001-01-15 would start before year 1; the lookback can be 14d at most (at /metrics/lookback)" \
        in result.output, result.output
