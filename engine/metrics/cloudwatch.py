"""The AWS CLI's CloudWatch ``get-metric-data`` output as a metrics file.

Shape (what ``aws cloudwatch get-metric-data --output json`` prints)::

    {"MetricDataResults": [{"Id": "q1", "Label": "i-0abc12 CPUUtilization 300",
                            "Timestamps": ["2026-01-01T00:05:00+00:00", ...], "Values": [12.5, ...],
                            "StatusCode": "Complete"}],
     "Messages": []}

Also accepted: an array of such documents, or one per line (pages saved one by one).
Timestamps are ISO-8601 strings (the CLI's default) or epoch seconds (``--cli-timestamp-format wire``).
A UTF-8 byte order mark at the start is skipped; UTF-16 is refused (E431). Problems give the JSON
pointer of what is wrong (``/MetricDataResults/0/Values/3``) and, for pages one per line, the line.
Values obey :mod:`engine.utilization`'s range (a ``CPUUtilization`` of 250 is refused).

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

import orjson

from engine.errors import InputError, Problem, json_pointer
from engine.metrics.names import MAX_PERIOD, canonical_metric, metric_hint, parse_timestamp
from engine.metrics.rows import UTF16_HINT, RowReader, TooManyProblems
from engine.utilization import sample_problem

RESULTS = "MetricDataResults"
LABEL_HINT = "set the query's Label to '<resource id> <metric> [<period>]', e.g. 'i-0abc12 CPUUtilization 300'"


_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def detect(data: bytes) -> bool:
    head = data[:4096].removeprefix(_BOM).lstrip()
    return head[:1] in (b"{", b"[") and RESULTS.encode() in data[:65536]


def read_cloudwatch(file: str, data: bytes, reader: RowReader, warnings: list[str]) -> None:
    """Add the samples of every series of a ``get-metric-data`` output to ``reader``."""
    documents = _documents(file, data)
    series: dict[str, list] = {}  # label -> [(place, result), ...]
    for place, document in documents:
        if not isinstance(document, dict):
            reader.problem("E432", f"expected an object with {RESULTS} (aws cloudwatch get-metric-data output), "
                                   f"got {_kind(document)}", file, place.line, pointer=place.pointer())
            continue
        results = document.get(RESULTS)
        if not isinstance(results, list):
            what = f"{RESULTS} must be an array of series, got {_kind(results)}" if RESULTS in document else f"no {RESULTS}"
            reader.problem("E432", f"{what} (aws cloudwatch get-metric-data output)", file, place.line,
                           pointer=place.pointer(RESULTS) if RESULTS in document else place.pointer())
            continue
        for index, result in enumerate(results):
            here = place.down(RESULTS, index)
            if not isinstance(result, dict):
                reader.problem("E434", f"expected an object, got {_kind(result)}", file, here.line, pointer=here.pointer())
                continue
            label = result.get("Label")
            if not isinstance(label, str) or not label.strip():
                reader.problem("E434", f"series '{result.get('Id')}' has no Label", file, here.line, LABEL_HINT, pointer=here.pointer())
                continue
            series.setdefault(label, []).append((here, result))
    for label, parts in series.items():
        _series(file, label, parts, reader, warnings)


class _Place:
    """Where a value is: the line of its page (pages one per line; else None) and its path in that page."""

    __slots__ = ("line", "path")

    def __init__(self, line: int | None, path: tuple = ()):
        self.line, self.path = line, path

    def down(self, *parts) -> "_Place":
        return _Place(self.line, self.path + parts)

    def pointer(self, *parts) -> str:
        return json_pointer(self.path + parts) or "/"


def _kind(value) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _documents(file: str, data: bytes) -> list[tuple[_Place, object]]:
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    elif data.startswith(_UTF16_BOMS):
        raise InputError([Problem("E431", "the file is UTF-16, not UTF-8", file, 1, 1, hint=UTF16_HINT)])
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
                    out.append((_Place(number), orjson.loads(line)))
                except orjson.JSONDecodeError as bad:
                    raise InputError([_invalid(file, line, bad, number)]) from None
            return out
        raise InputError([_invalid(file, data, error)]) from None
    if isinstance(document, list):
        return [(_Place(None, (index,)), item) for index, item in enumerate(document)]
    return [(_Place(None), document)]


def _invalid(file: str, data: bytes, error: orjson.JSONDecodeError, line: int | None = None) -> Problem:
    """E431 when the bytes are not UTF-8, else E432 at the parser's line and column."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        before = data[:bad.start]
        start = before.rfind(b"\n") + 1
        column = len(before[start:].decode("utf-8", errors="replace")) + 1
        number = line if line is not None else before.count(b"\n") + 1
        return Problem("E431", f"invalid UTF-8: byte 0x{data[bad.start]:02x}", file, number, column, hint="metrics files must be UTF-8")
    if not data.strip():
        return Problem("E432", "the file is empty; expected aws cloudwatch get-metric-data output", file)
    if line is not None:
        return Problem("E432", f"invalid JSON: {error.msg}", file, line, error.colno)
    return Problem("E432", f"invalid JSON: {error.msg}", file, error.lineno, error.colno)


def _series(file: str, label: str, parts: list, reader: RowReader, warnings: list[str]) -> None:
    words = label.split()
    first = parts[0][0]
    at = {"pointer": first.pointer("Label")}
    if len(words) not in (2, 3):
        reader.problem("E434", f"cannot read resource and metric from the Label {label!r}", file, first.line, LABEL_HINT, **at)
        return
    rid, metric = words[0], words[1]
    name = canonical_metric(metric)
    if name is None:
        reader.problem("E434", f"unknown metric {metric!r} in the Label {label!r}", file, first.line, metric_hint(metric), **at)
        return
    period = None
    if len(words) == 3:
        if not words[2].isdigit() or not 0 < int(words[2]) <= MAX_PERIOD:
            reader.problem("E434", f"the period in the Label {label!r} is not a number of seconds", file, first.line, LABEL_HINT, **at)
            return
        period = int(words[2])
    points: dict[int, float] = {}
    for place, result in parts:
        status = result.get("StatusCode")
        if status not in (None, "Complete"):
            warnings.append(f"{file}: series {label!r} has StatusCode {status}: its data may be incomplete")
        stamps, values = result.get("Timestamps", []), result.get("Values", [])
        if not isinstance(stamps, list) or not isinstance(values, list) or len(stamps) != len(values):
            reader.problem("E434", "Timestamps and Values must be arrays of the same length", file, place.line,
                           pointer=place.pointer())
            return
        for index, (stamp, value) in enumerate(zip(stamps, values)):
            when = _timestamp(stamp)
            if when is None:
                reader.problem("E434", f"expected an ISO-8601 date-time or epoch seconds, got {stamp!r}", file, place.line,
                               pointer=place.pointer("Timestamps", index))
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
                reader.problem("E434", f"expected a non-negative number, got {value!r}", file, place.line,
                               pointer=place.pointer("Values", index))
                continue
            out_of_range = sample_problem(name, value)
            if out_of_range is not None:
                reader.problem("E434", out_of_range, file, place.line, pointer=place.pointer("Values", index))
                continue
            if when in points and points[when] != value:
                reader.problem("E435", f"two values for series {label!r} at {stamp}", file, place.line,
                               pointer=place.pointer("Timestamps", index))
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


__all__ = ["detect", "read_cloudwatch", "TooManyProblems"]
