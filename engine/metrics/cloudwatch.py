"""The AWS CLI's CloudWatch ``get-metric-data`` output as a metrics file.

Shape (what ``aws cloudwatch get-metric-data --output json`` prints)::

    {"MetricDataResults": [{"Id": "q1", "Label": "i-0abc12 CPUUtilization 300",
                            "Timestamps": ["2026-01-01T00:05:00+00:00", ...], "Values": [12.5, ...],
                            "StatusCode": "Complete"}],
     "Messages": []}

Also accepted: an array of such documents, or one per line (pages saved one by one).
Timestamps are ISO-8601 strings (the CLI's default) or epoch seconds (``--cli-timestamp-format wire``).

**Tying a series to a resource and a metric.** The output carries neither dimensions nor the
period: only what the query set. The convention is the query's ``Label``:
``"<resource id> <metric> [<period seconds>]"``, separated by spaces — the metric a costwarden name
(``cpu``) or a provider name (``CPUUtilization``), the resource id an instance id (``i-0abc12``),
an ARN or any id of the inventory (see :mod:`engine.metrics.join`). CloudWatch's dynamic labels
write it for every series a ``SEARCH`` returns:
``"Label": "${PROP('Dim.InstanceId')} ${PROP('MetricName')} ${PROP('Period')}"``.
Without a period in the label, the period is the smallest gap between two timestamps of the
series (CloudWatch returns one value per period); a series with one data point and no period in
its label is skipped with a warning. Series with the same label (pages) are joined.
"""

from __future__ import annotations

import os

import orjson

from engine.errors import InputError, Problem
from engine.metrics.names import MAX_PERIOD, canonical_metric, metric_hint, parse_timestamp
from engine.metrics.rows import RowReader, TooManyProblems

RESULTS = "MetricDataResults"
LABEL_HINT = "set the query's Label to '<resource id> <metric> [<period>]', e.g. 'i-0abc12 CPUUtilization 300'"


def detect(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head[:1] in (b"{", b"[") and RESULTS.encode() in data[:65536]


def read_cloudwatch(file: str, data: bytes, reader: RowReader, warnings: list[str]) -> None:
    """Add the samples of every series of a ``get-metric-data`` output to ``reader``."""
    documents = _documents(file, data)
    series: dict[str, list] = {}  # label -> [(index path), ...]
    for path, document in documents:
        if not isinstance(document, dict) or not isinstance(document.get(RESULTS), list):
            reader.problem("E432", f"{_where(path)}: expected an object with {RESULTS} (aws cloudwatch get-metric-data output)",
                           file, None)
            continue
        for index, result in enumerate(document[RESULTS]):
            here = path + (RESULTS, index)
            if not isinstance(result, dict):
                reader.problem("E434", f"{_where(here)}: expected an object", file, None)
                continue
            label = result.get("Label")
            if not isinstance(label, str) or not label.strip():
                reader.problem("E434", f"{_where(here)}: series '{result.get('Id')}' has no Label", file, None, LABEL_HINT)
                continue
            series.setdefault(label, []).append((here, result))
    for label, parts in series.items():
        _series(file, label, parts, reader, warnings)


def _documents(file: str, data: bytes) -> list[tuple[tuple, object]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        lines = [line for line in data.split(b"\n") if line.strip()]
        if len(lines) > 1 and lines[0].lstrip()[:1] == b"{":
            out = []
            for number, line in enumerate(data.split(b"\n"), 1):
                if not line.strip():
                    continue
                try:
                    out.append(((f"line {number}",), orjson.loads(line)))
                except orjson.JSONDecodeError as bad:
                    raise InputError([Problem("E432", f"invalid JSON: {bad.msg}", file, number)]) from None
            return out
        raise InputError([Problem("E432", f"invalid JSON: {error.msg}", file, error.lineno, error.colno)]) from None
    if isinstance(document, list):
        return [((index,), item) for index, item in enumerate(document)]
    return [((), document)]


def _where(path: tuple) -> str:
    return "/" + "/".join(str(part) for part in path) if path else "the document"


def _series(file: str, label: str, parts: list, reader: RowReader, warnings: list[str]) -> None:
    words = label.split()
    here = _where(parts[0][0])
    if len(words) not in (2, 3):
        reader.problem("E434", f"{here}: cannot read resource and metric from the Label {label!r}", file, None, LABEL_HINT)
        return
    rid, metric = words[0], words[1]
    name = canonical_metric(metric)
    if name is None:
        reader.problem("E434", f"{here}: unknown metric {metric!r} in the Label {label!r}", file, None, metric_hint(metric))
        return
    period = None
    if len(words) == 3:
        if not words[2].isdigit() or not 0 < int(words[2]) <= MAX_PERIOD:
            reader.problem("E434", f"{here}: the period in the Label {label!r} is not a number of seconds", file, None, LABEL_HINT)
            return
        period = int(words[2])
    points: dict[int, float] = {}
    for path, result in parts:
        status = result.get("StatusCode")
        if status not in (None, "Complete"):
            warnings.append(f"{file}: series {label!r} has StatusCode {status}: its data may be incomplete")
        stamps, values = result.get("Timestamps", []), result.get("Values", [])
        if not isinstance(stamps, list) or not isinstance(values, list) or len(stamps) != len(values):
            reader.problem("E434", f"{_where(path)}: Timestamps and Values must be arrays of the same length", file, None)
            return
        for index, (stamp, value) in enumerate(zip(stamps, values)):
            when = _timestamp(stamp)
            if when is None:
                reader.problem("E434", f"{_where(path + ('Timestamps', index))}: expected an ISO-8601 date-time or epoch seconds, "
                                       f"got {stamp!r}", file, None)
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
                reader.problem("E434", f"{_where(path + ('Values', index))}: expected a non-negative number, got {value!r}",
                               file, None)
                continue
            if when in points and points[when] != value:
                reader.problem("E435", f"{_where(path + ('Timestamps', index))}: two values for series {label!r} at {stamp}",
                               file, None)
                continue
            points[when] = float(value)
    if not points:
        return
    if period is None:
        ordered = sorted(points)
        gaps = [later - earlier for earlier, later in zip(ordered, ordered[1:])]
        if not gaps:
            warnings.append(f"{file}: series {label!r} has one data point and no period in its Label; skipped")
            return
        period = max(1, min(gaps) // 1_000_000)
    for when, value in points.items():
        reader.add(file, None, rid, name, when, period, value)


def _timestamp(stamp) -> int | None:
    if isinstance(stamp, str):
        return parse_timestamp(stamp)
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and 0 <= stamp < 1e11:
        return int(round(stamp * 1_000_000))
    return None


def read_file(path: str, max_bytes: int) -> bytes:
    size = os.path.getsize(path)
    if size > max_bytes:
        raise InputError([Problem("E430", f"file is too large ({size} bytes, limit {max_bytes})", path)])
    with open(path, "rb") as handle:
        return handle.read()


__all__ = ["detect", "read_cloudwatch", "read_file", "TooManyProblems"]
