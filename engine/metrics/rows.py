"""Reading metrics files of samples, one per row (CSV) or line (JSON Lines), in Python.

This is the exact reader: it checks every field, knows the file and line of every sample, and
reports every problem (up to :data:`MAX_PROBLEMS` per run). It reads small files, and it locates
the problems that the DuckDB reader (:mod:`engine.metrics.duck`) only counts in large ones. Both
apply the same rules (:mod:`engine.metrics.names`); a test holds them together.

CSV: a header row naming (in any order, case-insensitively) ``resource_id``, ``metric``,
``timestamp``, ``period`` and ``value``; other columns are ignored. UTF-8, comma-separated,
RFC 4180 quoting. JSON Lines: one object per line with the same keys (``period`` an integer,
``value`` a number, the others strings); blank lines are skipped; other keys are ignored.

Both: a UTF-8 byte order mark at the start is skipped (UTF-16 is refused, E431, with how to
convert); a line (a CSV field included) may be up to :data:`MAX_LINE_BYTES` long, a longer one is
refused (E432) and the rest of the file is not read. A value must be in the range
:mod:`engine.utilization` sets (never negative, at most 100 for a percent metric such as ``cpu``).

A file is read from its path, or from ``data`` (the bytes of a named pipe, read once by the loader).
"""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

import orjson

from engine.errors import Problem
from engine.metrics.names import (
    MAX_PERIOD, NUMBER, PERIOD, TIMESTAMP_EXPECTED, canonical_metric, metric_hint, parse_timestamp,
)
from engine.utilization import sample_problem

COLUMNS = ("resource_id", "metric", "timestamp", "period", "value")
MAX_PROBLEMS = 100
MAX_LINE_BYTES = 16 * 1024 * 1024  # a line of a CSV or JSON Lines metrics file (and so a CSV field); DuckDB's limits too
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF16_HINT = "save the file as UTF-8 (PowerShell: Out-File -Encoding utf8; iconv -f UTF-16 -t UTF-8)"


class TooManyProblems(Exception):
    pass


class NotUtf8(ValueError):
    """A CSV header that is not UTF-8 (or a UTF-16 file): E431, where other header problems are E432."""


@dataclass
class Series:
    """The samples of one (resource, metric): ``{timestamp µs: (value, period, file, line)}``."""

    id: str  # the resource id as spelt in the files (the smallest spelling when they differ in case)
    samples: dict = field(default_factory=dict)


@dataclass
class RowReader:
    """Collects samples from one or more files; ``duplicates`` limits duplicate detection to known keys."""

    keep: bool = True  # keep the samples (False: only locate problems)
    duplicates: set | None = None  # (rid lower, metric, µs) known to be duplicated, or None: detect all
    series: dict = field(default_factory=dict)  # (rid lower, metric) -> Series
    problems: list = field(default_factory=list)
    _seen: dict = field(default_factory=dict)  # duplicate candidates -> (file, line)

    def problem(self, code: str, message: str, file: str, line: int | None, hint: str | None = None, *,
                pointer: str | None = None) -> None:
        self.problems.append(Problem(code, message, file, line, pointer=pointer, hint=hint))
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems

    def add(self, file: str, line: int | None, rid: str, metric: str, when: int, period: int, value: float) -> None:
        key = (rid.lower(), metric)
        sample_key = (key[0], metric, when)
        if self.duplicates is None or sample_key in self.duplicates:
            series = self.series.get(key)
            first = None
            if self.duplicates is None:
                if series is not None and when in series.samples:
                    first = series.samples[when][2:]
            else:
                first = self._seen.get(sample_key)
                if first is None:
                    self._seen[sample_key] = (file, line)
            if first is not None:
                if first[1] is None:
                    where = first[0]
                else:
                    where = f"line {first[1]}" if first[0] == file else f"{first[0]}:{first[1]}"
                self.problem("E435", f"a second sample for resource '{rid}', metric '{metric}' at the same time (first at {where})",
                             file, line, "each (resource, metric, timestamp) may appear once")
                return
        if not self.keep:
            return
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = Series(rid)
        elif rid < series.id:  # the smallest spelling, as the SQL reader shows it
            series.id = rid
        series.samples[when] = (value, period, file, line)

    # --- one sample, whatever the format --------------------------------------------------------

    def check(self, file: str, line: int, rid, metric, stamp, period, value, where: dict, text: bool = True) -> None:
        """Check the five fields (strings from CSV; JSON values from JSON Lines, ``text=False``) and add the sample."""
        ok = True
        if not isinstance(rid, str) or not rid.strip():
            self.problem("E434", f"{where['resource_id']}: expected a resource id, got {_show(rid)}", file, line)
            ok = False
        name = None
        if not isinstance(metric, str) or not metric.strip():
            self.problem("E434", f"{where['metric']}: expected a metric name, got {_show(metric)}", file, line)
            ok = False
        else:
            name = canonical_metric(metric)
            if name is None:
                self.problem("E434", f"{where['metric']}: unknown metric name {metric!r}", file, line, metric_hint(metric))
                ok = False
        when = parse_timestamp(stamp) if isinstance(stamp, str) else None
        if when is None:
            self.problem("E434", f"{where['timestamp']}: expected {TIMESTAMP_EXPECTED}, got {_show(stamp)}", file, line)
            ok = False
        seconds = _period(period) if text or not isinstance(period, str) else None
        if seconds is None:
            self.problem("E434", f"{where['period']}: expected the sampling period in whole seconds (60, 300, 3600), "
                                 f"at most {MAX_PERIOD} (366 days), got {_show(period)}", file, line)
            ok = False
        number = _value(value) if text or not isinstance(value, str) else None
        if number is None:
            self.problem("E434", f"{where['value']}: expected a non-negative number, got {_show(value)}", file, line)
            ok = False
        elif name is not None:
            out_of_range = sample_problem(name, number)
            if out_of_range is not None:
                self.problem("E434", f"{where['value']}: {out_of_range}", file, line)
                ok = False
        if ok:
            self.add(file, line, rid, name, when, seconds, number)


def _period(value) -> int | None:
    if isinstance(value, str):
        if not PERIOD.match(value):
            return None
        value = int(value)
    elif not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 < value <= MAX_PERIOD else None


def _value(value) -> float | None:
    if isinstance(value, str):
        if not NUMBER.match(value):
            return None
        value = float(value)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if 0 <= value < float("inf") else None


def _show(value) -> str:
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= 60 else text[:57] + "..."


# --- reading lines ------------------------------------------------------------------------------


def open_source(file: str, data: bytes | None) -> BinaryIO:
    """The file's bytes to read: ``data`` when given (a pipe the loader read once), else the file."""
    return io.BytesIO(data) if data is not None else open(file, "rb")


def bounded_lines(handle: BinaryIO, file: str, reader: RowReader) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` of a file, the byte order mark skipped; a line over
    :data:`MAX_LINE_BYTES` is a problem (E432) and ends the reading (what follows cannot be trusted
    to start a row). A UTF-16 file is a problem (E431) at line 1."""
    number = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if number == 1:
            if raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            elif raw.startswith(_UTF16_BOMS):
                reader.problem("E431", "the file is UTF-16, not UTF-8", file, 1, UTF16_HINT)
                return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            reader.problem("E432", f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; stopped reading the file",
                           file, number, "a metrics line holds one sample (resource_id, metric, timestamp, period, value)")
            return
        yield number, raw


@contextmanager
def _csv_fields_up_to_a_line():
    """Let the csv module read fields as long as a line may be (its own default is 128 KiB), then put
    its process-wide limit back."""
    previous = csv.field_size_limit(MAX_LINE_BYTES)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# --- CSV ---------------------------------------------------------------------------------------


def _decoded_lines(lines: Iterator[tuple[int, bytes]], file: str, reader: RowReader, first: list) -> Iterator[str]:
    for number, raw in lines:
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw[:error.start].decode("utf-8", errors="replace")) + 1
            reader.problems.append(Problem("E431", f"invalid UTF-8: byte 0x{raw[error.start]:02x}", file, number, column,
                                           hint="metrics files must be UTF-8"))
            first.append(number)
            return


def csv_header(file: str, data: bytes | None = None) -> tuple[list[str], dict[str, int]]:
    """The header's column names and the positions of the required columns. Raises ValueError (message)."""
    with open_source(file, data) as handle:
        raw = handle.readline(MAX_LINE_BYTES + 1)
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    elif raw.startswith(_UTF16_BOMS):
        raise NotUtf8(f"the file is UTF-16, not UTF-8; {UTF16_HINT}")
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"the header row is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8(f"invalid UTF-8 in the header row: byte 0x{raw[error.start]:02x}; metrics files must be UTF-8") from None
    names = next(csv.reader([text]), [])
    lowered = [name.strip().lower() for name in names]
    missing = [column for column in COLUMNS if column not in lowered]
    if not text.strip():
        raise ValueError(f"the file is empty; expected a header row: {','.join(COLUMNS)}")
    if missing:
        raise ValueError(f"the header row has no column {', '.join(missing)}; expected {','.join(COLUMNS)} (any order)")
    duplicated = sorted({name for name in lowered if lowered.count(name) > 1 and name in COLUMNS})
    if duplicated:
        raise ValueError(f"the header row names column {duplicated[0]} twice")
    return names, {column: lowered.index(column) for column in COLUMNS}


def read_csv(file: str, reader: RowReader, data: bytes | None = None) -> None:
    try:
        names, positions = csv_header(file, data)
    except NotUtf8 as error:
        reader.problem("E431", str(error), file, 1)
        return
    except ValueError as error:
        reader.problem("E432", str(error), file, 1)
        return
    width = len(names)
    where = {column: f"column {column}" for column in COLUMNS}
    index = [positions[column] for column in COLUMNS]
    bad_encoding: list = []
    with open_source(file, data) as handle, _csv_fields_up_to_a_line():
        rows = csv.reader(_decoded_lines(bounded_lines(handle, file, reader), file, reader, bad_encoding), strict=True)
        try:
            next(rows, None)  # the header
            line = rows.line_num
            for row in rows:
                start, line = line + 1, rows.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    reader.problem("E432", f"expected {width} fields (as many as the header has), found {len(row)}", file, start)
                    continue
                reader.check(file, start, *(row[i] for i in index), where)
        except csv.Error as error:
            reader.problem("E432", f"malformed CSV: {error}", file, rows.line_num)
        if bad_encoding and len(reader.problems) >= MAX_PROBLEMS:
            raise TooManyProblems


# --- JSON Lines --------------------------------------------------------------------------------


def read_jsonl(file: str, reader: RowReader, data: bytes | None = None) -> None:
    where = {column: f"'{column}'" for column in COLUMNS}
    with open_source(file, data) as handle:
        for number, raw in bounded_lines(handle, file, reader):
            if not raw.strip():
                continue
            try:
                item = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    reader.problem("E431", f"invalid UTF-8: byte 0x{raw[bad.start]:02x}", file, number)
                    continue
                reader.problem("E432", f"invalid JSON: {error.msg}", file, number)
                continue
            if not isinstance(item, dict):
                reader.problem("E432", "expected an object with resource_id, metric, timestamp, period and value", file, number)
                continue
            reader.check(file, number, *(item.get(column) for column in COLUMNS), where, text=False)
