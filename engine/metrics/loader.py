"""Loading metrics files into per-series statistics over the lookback window."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.errors import InputError, Problem, did_you_mean
from engine.metrics import cloudwatch, join
from engine.metrics.rows import MAX_PROBLEMS, RowReader, TooManyProblems, read_csv, read_jsonl
from engine.metrics.statistics import series_statistics

FORMATS = ("csv", "jsonl", "cloudwatch")
DEFAULT_LOOKBACK = "30d"
PYTHON_LIMIT = 8 * 1024 * 1024  # row files up to this many bytes in all are read in Python; larger ones by DuckDB
MAX_BYTES = 2 * 1024**3  # a CloudWatch file is parsed in memory


@dataclass
class Metrics:
    """Statistics per (resource id, metric) over the window ``[start, end)``."""

    start: datetime
    end: datetime
    series: dict = field(default_factory=dict)  # (id lower, metric) -> (id as written, statistics)
    files: list = field(default_factory=list)
    formats: dict = field(default_factory=dict)  # file -> format
    warnings: list = field(default_factory=list)

    def attach(self, resources: list[dict]) -> list[str]:
        """Put the statistics into the resources' ``utilization``; returns the warnings (these and the join's)."""
        return list(self.warnings) + join.attach(resources, self.series)


def detect_format(path: str) -> str | None:
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if cloudwatch.detect(head):
        return "cloudwatch"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"{" and b'"resource_id"' in head:
        return "jsonl"
    first = stripped.split(b"\n", 1)[0].lower()
    if b"resource_id" in first and b"," in first:
        return "csv"
    return None


def load_metrics(paths, *, as_of: datetime, lookback: timedelta, format: str | None = None,  # noqa: A002
                 python_limit: int = PYTHON_LIMIT) -> Metrics:
    """Read metrics files and compute each series' statistics over ``[as_of - lookback, as_of)``.

    ``format`` (one of :data:`FORMATS`) applies to every file; by default it is detected from the
    name (``.csv``, ``.jsonl``) or the content. Raises :class:`InputError` listing every problem.
    """
    paths = [str(path) for path in paths]
    if format is not None and format not in FORMATS:
        raise InputError([Problem("E433", f"unknown metrics format '{format}'; formats: {', '.join(FORMATS)}",
                                   hint=did_you_mean(format, FORMATS))])
    start, end = as_of - lookback, as_of
    metrics = Metrics(start=start, end=end, files=paths)
    problems: list[Problem] = []
    for path in paths:
        if not os.path.isfile(path):
            problems.append(Problem("E430", "no such file" if not os.path.exists(path) else "not a file", path))
            continue
        try:
            kind = format or detect_format(path)
        except OSError as error:
            problems.append(Problem("E430", f"cannot read file: {error.strerror or error}", path))
            continue
        if kind is None:
            problems.append(Problem("E433", f"cannot tell the metrics format; formats: {', '.join(FORMATS)}", path,
                                    hint="name CSV files .csv and JSON Lines files .jsonl, or give --metrics-format"))
            continue
        metrics.formats[path] = kind
    if problems:
        raise InputError(problems)
    rows = [(path, kind) for path, kind in metrics.formats.items() if kind != "cloudwatch"]
    big = sum(os.path.getsize(path) for path, _ in rows) > python_limit
    reader = RowReader()
    try:
        if rows and big:
            metrics.series.update(_with_duckdb(rows, start, end))
        else:
            for path, kind in rows:
                (read_csv if kind == "csv" else read_jsonl)(path, reader)
        for path, kind in metrics.formats.items():
            if kind == "cloudwatch":
                cloudwatch.read_cloudwatch(path, cloudwatch.read_file(path, MAX_BYTES), reader, metrics.warnings)
    except TooManyProblems:
        reader.problems.append(Problem("E434", f"stopped after {MAX_PROBLEMS} problems", paths[0]))
    except OSError as error:
        reader.problems.append(Problem("E430", f"cannot read file: {error.strerror or error}", getattr(error, "filename", None)))
    if reader.problems:
        raise InputError(reader.problems)
    window = (end - start).total_seconds()
    low, high = _micro(start), _micro(end)
    for key, series in reader.series.items():
        samples = [(value, period) for when, (value, period, _, _) in series.samples.items() if low <= when < high]
        if not samples:
            continue
        if key in metrics.series:
            raise InputError([Problem("E435", f"resource '{series.id}', metric '{key[1]}' is in a large CSV/JSON Lines file and "
                                              f"in a CloudWatch file; give each series in one kind of file", paths[0])])
        metrics.series[key] = (series.id, series_statistics(samples, window))
    return metrics


def _micro(when: datetime) -> int:
    return (when - datetime(1970, 1, 1, tzinfo=when.tzinfo)) // timedelta(microseconds=1)


def _with_duckdb(rows: list[tuple[str, str]], start: datetime, end: datetime) -> dict:
    from engine.metrics.duck import Located, aggregate

    try:
        return aggregate(rows, start, end)
    except ValueError as error:  # a CSV header: the exact reader names the file
        reason, duplicates = str(error), set()
    except Located as located:
        reason, duplicates = located.reason, located.duplicates or set()
    reader = RowReader(keep=False, duplicates=duplicates)
    try:
        for path, kind in rows:
            (read_csv if kind == "csv" else read_jsonl)(path, reader)
    except TooManyProblems:
        reader.problems.append(Problem("E434", f"stopped after {MAX_PROBLEMS} problems", rows[0][0]))
    raise InputError(reader.problems or [Problem("E434", f"the metrics files could not be read: {reason}", rows[0][0])])
