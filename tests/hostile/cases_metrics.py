"""Utilization metrics files: CSV, JSON Lines and CloudWatch get-metric-data output; windows and clocks."""

from __future__ import annotations

import json
from pathlib import Path

from tests.hostile.harness import (
    ANY, METRICS, Accepted, Case, Fifo, Folder, Generated, OneOf, Rejected, Same, Symlink, UsageError, with_file,
)
from tests.hostile.sources import bom, crlf, cut_after, kit, line_of, nested_json, replace

AREA = "metrics"
CSV = kit("metrics.csv")
JSONL = kit("metrics.jsonl")
CLOUDWATCH = kit("cloudwatch.json")
JSONL_ARGS = with_file(METRICS, "--metrics", "metrics.jsonl")
CLOUDWATCH_ARGS = with_file(METRICS, "--metrics", "cloudwatch.json")
# line 2: cpu of 2026-05-29 (8), line 3: its memory (20), line 4: cpu of 2026-05-30 (9), line 5: memory (21), ...


def _line(data: bytes, number: int) -> bytes:
    return data.split(b"\n")[number - 1]


def _set_line(data: bytes, number: int, text: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[number - 1] = text
    return b"\n".join(lines)


def _csv_value(number: int, value: str) -> bytes:
    fields = _line(CSV, number).split(b",")
    fields[4] = value.encode()
    return _set_line(CSV, number, b",".join(fields))


def _jsonl_field(number: int, key: str, raw: str) -> bytes:
    """Line ``number`` of the JSON Lines file with ``key``'s value written as the raw JSON text ``raw``."""
    item = json.loads(_line(JSONL, number))
    text = json.dumps(item)
    old = f'"{key}": {json.dumps(item[key])}'
    return _set_line(JSONL, number, text.replace(old, f'"{key}": {raw}').encode())


def _cloudwatch_value(index: int, raw: str) -> bytes:
    """The CloudWatch file with the cpu series' value number ``index`` written as ``raw``."""
    document = json.loads(CLOUDWATCH)
    marker = "\u0000VALUE\u0000"
    document["MetricDataResults"][0]["Values"][index] = marker
    return json.dumps(document, indent=1).replace(json.dumps(marker), raw).encode()


def _with_offset(data: bytes) -> bytes:
    """Every timestamp the same instant written with +02:00 (00:00Z is 02:00+02:00)."""
    return data.replace(b"T00:00:00Z", b"T02:00:00+02:00").replace(b"T00:00:00+00:00", b"T02:00:00+02:00")


def _big_csv(bad_line: int | None):
    """A 9 MB CSV (read by DuckDB, over the 8 MiB Python limit): the kit's samples, then samples of
    other resources; line ``bad_line`` holds a value that is not a number."""

    def make(path: Path) -> None:
        with open(path, "wb") as out:
            out.write(CSV)
            number = CSV.count(b"\n")
            index = 0
            while out.tell() < 9 * 1024 * 1024:
                number += 1
                value = b"abc" if number == bad_line else str(index % 97).encode()
                hours, minutes = divmod(index % 14400, 60)
                out.write(b"i-other-%d,cpu,2026-06-%02dT%02d:%02d:00Z,60,%s\n" % (index // 14400, 1 + hours // 24 % 19,
                                                                                hours % 24, minutes, value))
                index += 1

    return make


def _no_rightsizing(document: dict) -> str | None:
    found = [f for f in document["findings"] if f["policy"] == "rightsize"]
    return None if not found else f"{len(found)} rightsize findings, expected none (no sample in the window)"


CSV_CASES = [
    Case("metrics-csv-empty", AREA, METRICS, Rejected("E432", "metrics.csv", 1), {"metrics.csv": b""}, note="a 0-byte metrics CSV"),
    Case("metrics-csv-header-only", AREA, METRICS, Accepted(1, _no_rightsizing, "no rightsize finding (no samples)"),
         {"metrics.csv": _line(CSV, 1) + b"\n"}, note="a header and no samples: valid"),
    Case("metrics-csv-truncated", AREA, METRICS, Rejected(("E432", "E434"), "metrics.csv", 20),
         {"metrics.csv": CSV[: CSV.index(_line(CSV, 20)) + 18]}, note="a copy interrupted in the middle of line 20"),
    Case("metrics-csv-json-content", AREA, METRICS, Rejected("E432", "metrics.csv", 1), {"metrics.csv": JSONL},
         note="JSON Lines content in a file named .csv"),
    Case("metrics-csv-invalid-utf8", AREA, METRICS, Rejected("E431", "metrics.csv", 5),
         {"metrics.csv": _set_line(CSV, 5, _line(CSV, 5).replace(b"i-0001", b"i-0\xff01"))}, note="byte 0xff in a resource id on line 5"),
    Case("metrics-csv-bom", AREA, METRICS, Same(), {"metrics.csv": bom(CSV)}, note="a UTF-8 byte order mark: valid"),
    Case("metrics-csv-crlf", AREA, METRICS, Same(), {"metrics.csv": crlf(CSV)}, note="CRLF line ends: valid"),
    Case("metrics-csv-3mb-field", AREA, METRICS, Same(),
         {"metrics.csv": b"\n".join([_line(CSV, 1) + b",note", _line(CSV, 2) + b"," + b"n" * 3_000_000]
                                    + [line + b"," for line in CSV.split(b"\n")[2:] if line]) + b"\n"},
         note="an extra column (ignored) holding 3 MB on line 2: valid"),
    Case("metrics-csv-nan", AREA, METRICS, Rejected("E434", "metrics.csv", 4), {"metrics.csv": _csv_value(4, "NaN")}, note="value NaN"),
    Case("metrics-csv-infinity", AREA, METRICS, Rejected("E434", "metrics.csv", 4), {"metrics.csv": _csv_value(4, "inf")}, note="value inf"),
    Case("metrics-csv-1e400", AREA, METRICS, Rejected("E434", "metrics.csv", 4), {"metrics.csv": _csv_value(4, "1e400")},
         note="value 1e400 (infinite as a float)"),
    Case("metrics-csv-cpu-over-100", AREA, METRICS, Rejected("E434", "metrics.csv", 4), {"metrics.csv": _csv_value(4, "250")},
         note="cpu 250 percent"),
    Case("metrics-csv-memory-over-100", AREA, METRICS, Rejected("E434", "metrics.csv", 5), {"metrics.csv": _csv_value(5, "180")},
         note="memory 180 percent"),
    Case("metrics-csv-offset-timestamps", AREA, METRICS, Same(), {"metrics.csv": _with_offset(CSV)},
         note="the same instants written with +02:00"),
    Case("metrics-csv-9mb-duckdb-bad-row", AREA, METRICS, Rejected("E434", "metrics.csv", 150_000),
         {"metrics.csv": Generated(_big_csv(150_000), "9 MB metrics CSV, 'abc' on line 150000")},
         note="a file large enough for the DuckDB reader, with a bad value on line 150000"),
    Case("metrics-csv-9mb-duckdb-valid", AREA, METRICS, Same(compare="findings"),
         {"metrics.csv": Generated(_big_csv(None), "9 MB metrics CSV")},
         note="the kit's samples plus 190k samples of resources not in the inventory: the same findings"),
]

JSONL_CASES = [
    Case("metrics-jsonl-truncated", AREA, JSONL_ARGS, Rejected("E432", "metrics.jsonl", 20),
         {"metrics.jsonl": JSONL[: JSONL.index(_line(JSONL, 20)) + 30]}, note="a copy interrupted in the middle of line 20"),
    Case("metrics-jsonl-array-line", AREA, JSONL_ARGS, Rejected("E432", "metrics.jsonl", 3),
         {"metrics.jsonl": _set_line(JSONL, 3, b"[1, 2]")}, note="line 3 is an array, not an object"),
    Case("metrics-jsonl-invalid-utf8", AREA, JSONL_ARGS, Rejected("E431", "metrics.jsonl", 5),
         {"metrics.jsonl": _set_line(JSONL, 5, _line(JSONL, 5).replace(b"i-0001", b"i-0\xff01"))}, note="byte 0xff on line 5"),
    Case("metrics-jsonl-bom", AREA, JSONL_ARGS, Same(), {"metrics.jsonl": bom(JSONL)}, note="a UTF-8 byte order mark: valid"),
    Case("metrics-jsonl-crlf", AREA, JSONL_ARGS, Same(), {"metrics.jsonl": crlf(JSONL)}, note="CRLF line ends: valid"),
    Case("metrics-jsonl-nan", AREA, JSONL_ARGS, Rejected(("E432", "E434"), "metrics.jsonl", 4),
         {"metrics.jsonl": _jsonl_field(4, "value", "NaN")}, note="the literal NaN"),
    Case("metrics-jsonl-1e400", AREA, JSONL_ARGS, Rejected(("E432", "E434"), "metrics.jsonl", 4),
         {"metrics.jsonl": _jsonl_field(4, "value", "1e400")}, note="1e400"),
    Case("metrics-jsonl-cpu-over-100", AREA, JSONL_ARGS, Rejected("E434", "metrics.jsonl", 4),
         {"metrics.jsonl": _jsonl_field(4, "value", "250")}, note="cpu 250 percent"),
    Case("metrics-jsonl-deep-nesting", AREA, JSONL_ARGS, Rejected(("E432", "E434"), "metrics.jsonl", 6),
         {"metrics.jsonl": _jsonl_field(6, "value", nested_json(5000))}, note="a value nested 5000 arrays deep"),
    Case("metrics-jsonl-duplicate-key", AREA, JSONL_ARGS, Same(compare="findings"),
         {"metrics.jsonl": _jsonl_field(2, "value", '99, "value": 8')}, note="value given twice: the last one (the kit's) counts"),
    Case("metrics-jsonl-offset-timestamps", AREA, JSONL_ARGS, Same(), {"metrics.jsonl": _with_offset(JSONL)},
         note="the same instants written with +02:00"),
]

CLOUDWATCH_CASES = [
    Case("metrics-cloudwatch-empty", AREA, CLOUDWATCH_ARGS, Rejected(("E432", "E433"), "cloudwatch.json", None),
         {"cloudwatch.json": b""}, note="a 0-byte CloudWatch file"),
    Case("metrics-cloudwatch-truncated", AREA, CLOUDWATCH_ARGS, Rejected("E432", "cloudwatch.json", ANY),
         {"cloudwatch.json": cut_after(CLOUDWATCH, '"Values": [')}, note="a copy interrupted inside the values"),
    Case("metrics-cloudwatch-results-object", AREA, CLOUDWATCH_ARGS,
         Rejected("E432", "cloudwatch.json", ANY), {"cloudwatch.json": b'{"MetricDataResults": {"Id": "q1"}, "Messages": []}\n'},
         note="MetricDataResults is an object, not an array"),
    Case("metrics-cloudwatch-nan", AREA, CLOUDWATCH_ARGS, Rejected("E432", "cloudwatch.json", ANY),
         {"cloudwatch.json": _cloudwatch_value(3, "NaN")}, note="the literal NaN among the values"),
    Case("metrics-cloudwatch-1e400", AREA, CLOUDWATCH_ARGS, Rejected(("E432", "E434"), "cloudwatch.json", ANY),
         {"cloudwatch.json": _cloudwatch_value(3, "1e400")}, note="1e400 among the values"),
    Case("metrics-cloudwatch-cpu-over-100", AREA, CLOUDWATCH_ARGS, Rejected("E434", "cloudwatch.json", ANY),
         {"cloudwatch.json": _cloudwatch_value(3, "250.0")}, note="a CPUUtilization value of 250"),
    Case("metrics-cloudwatch-bom", AREA, CLOUDWATCH_ARGS, Same(), {"cloudwatch.json": bom(CLOUDWATCH)}, note="a byte order mark: valid"),
    Case("metrics-cloudwatch-crlf", AREA, CLOUDWATCH_ARGS, Same(), {"cloudwatch.json": crlf(CLOUDWATCH)}, note="CRLF: valid"),
    Case("metrics-cloudwatch-offset-timestamps", AREA, CLOUDWATCH_ARGS, Same(), {"cloudwatch.json": _with_offset(CLOUDWATCH)},
         note="the same instants written with +02:00"),
]

SPECIAL_CASES = [
    Case("metrics-dev-zero", AREA, with_file(METRICS, "--metrics", "/dev/zero"), Rejected("E430", "/dev/zero", None), note="--metrics /dev/zero"),
    Case("metrics-dev-null", AREA, with_file(METRICS, "--metrics", "/dev/null"), Rejected(("E430", "E432", "E433"), "/dev/null", None),
         note="--metrics /dev/null"),
    Case("metrics-dev-zero-via-symlink", AREA, METRICS, Rejected("E430", "metrics.csv", None), {"metrics.csv": Symlink("/dev/zero")},
         note="metrics.csv is a symlink to /dev/zero"),
    Case("metrics-symlink-loop", AREA, METRICS, Rejected("E430", "metrics.csv", None, wrong="no such file"), {"metrics.csv": Symlink("metrics.csv")},
         note="metrics.csv is a symlink to itself"),
    Case("metrics-directory", AREA, with_file(METRICS, "--metrics", "samples"), Rejected("E430", "samples", None),
         {"samples": Folder()}, note="--metrics names a folder"),
    Case("metrics-fifo", AREA, METRICS, OneOf((Same(), Rejected("E430", "metrics.csv", None))), {"metrics.csv": Fifo(CSV)},
         note="metrics.csv is a named pipe a writer fills: read it, or refuse it clearly"),
    Case("metrics-as-of-0001-01-15", AREA, with_file(METRICS, "--as-of", "0001-01-15"),
         OneOf((Accepted(1, _no_rightsizing, "no rightsize finding (no sample in the window)"), UsageError("--as-of"))),
         note="an as-of date whose 30-day window starts before year 1"),
    Case("metrics-lookback-3000000d", AREA, METRICS + ("--lookback", "3000000d"),
         OneOf((Same(reference_args=METRICS), UsageError("--lookback"))),
         note="a window of 3,000,000 days (starts before year 1): every sample is in it"),
    Case("metrics-lookback-999999999999d", AREA, METRICS + ("--lookback", "999999999999d"),
         OneOf((Same(reference_args=METRICS), UsageError("--lookback"))),
         note="a window longer than Python's timedelta can hold"),
]

CASES = CSV_CASES + JSONL_CASES + CLOUDWATCH_CASES + SPECIAL_CASES
