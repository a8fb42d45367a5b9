"""Loading metrics files into per-series statistics over the lookback window.

What a metrics path may be: a regular file, a named pipe (``<(zcat metrics.csv.gz)``: read once, as
a stream, up to :data:`STREAM_LIMIT` bytes, and parsed in Python), the null device (an empty file),
or a link to one of them. Anything else is refused (E430) with what it is — a folder, a device
(``/dev/zero``), a socket, a symbolic link loop, a link to nothing — and "no such file" only when
nothing is there. Row files (CSV, JSON Lines) of more than :data:`PYTHON_LIMIT` bytes in all are read
by DuckDB (:mod:`engine.metrics.duck`); a CloudWatch file is parsed in memory, up to
:data:`MAX_BYTES`. The window is :func:`engine.metrics.window.lookback_window`'s.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.errors import InputError, Problem, did_you_mean
from engine.files import is_null_device, os_error_reason
from engine.metrics import cloudwatch, join
from engine.metrics.rows import MAX_PROBLEMS, RowReader, TooManyProblems, read_csv, read_jsonl
from engine.metrics.statistics import series_statistics
from engine.metrics.window import lookback_window

FORMATS = ("csv", "jsonl", "cloudwatch")
DEFAULT_LOOKBACK = "30d"
PYTHON_LIMIT = 8 * 1024 * 1024  # row files up to this many bytes in all are read in Python; larger ones by DuckDB
MAX_BYTES = 2 * 1024**3  # a CloudWatch file is parsed in memory
STREAM_LIMIT = PYTHON_LIMIT  # a named pipe is read into memory and parsed in Python (DuckDB reads files)
_HEAD = 65536


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


def detect_format(path: str, data: bytes | None = None) -> str | None:
    """The format of a metrics file, from its name (``.csv``, ``.jsonl``) or its first bytes (``data``,
    when the file was read already)."""
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if data is not None:
        head = data[:_HEAD]
    else:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
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
    name (``.csv``, ``.jsonl``) or the content. Raises :class:`InputError` listing every problem, and
    ValueError when the window is out of bounds (:func:`engine.metrics.window.lookback_window`).
    """
    paths = [str(path) for path in paths]
    if format is not None and format not in FORMATS:
        raise InputError([Problem("E433", f"unknown metrics format '{format}'; formats: {', '.join(FORMATS)}",
                                   hint=did_you_mean(format, FORMATS))])
    start, end = lookback_window(as_of, lookback)
    metrics = Metrics(start=start, end=end, files=paths)
    problems: list[Problem] = []
    contents: dict[str, bytes] = {}  # what was read already: named pipes and the null device
    for path in paths:
        try:
            data = _read_if_not_a_file(path)
            kind = format or detect_format(path, data)
        except InputError as error:
            problems.extend(error.problems)
            continue
        except OSError as error:
            problems.append(Problem("E430", _os_reason(path, error), path))
            continue
        if data is not None:
            contents[path] = data
        if kind is None:
            problems.append(Problem("E433", f"cannot tell the metrics format; formats: {', '.join(FORMATS)}", path,
                                    hint="name CSV files .csv and JSON Lines files .jsonl, or give --metrics-format"))
            continue
        metrics.formats[path] = kind
    if problems:
        raise InputError(problems)
    rows = [(path, kind) for path, kind in metrics.formats.items() if kind != "cloudwatch"]
    on_disk = [(path, kind) for path, kind in rows if path not in contents]
    big = sum(os.path.getsize(path) for path, _ in on_disk) + sum(len(contents[path]) for path, _ in rows if path in contents) \
        > python_limit
    reader = RowReader()
    try:
        if on_disk and big:
            metrics.series.update(_with_duckdb(on_disk, start, end))
        for path, kind in rows:
            if big and path not in contents:
                continue  # read by DuckDB
            (read_csv if kind == "csv" else read_jsonl)(path, reader, contents.get(path))
        for path, kind in metrics.formats.items():
            if kind == "cloudwatch":
                data = contents[path] if path in contents else _read_bounded(path, MAX_BYTES)
                cloudwatch.read_cloudwatch(path, data, reader, metrics.warnings)
    except TooManyProblems:
        reader.problems.append(Problem("E434", f"stopped after {MAX_PROBLEMS} problems", paths[0]))
    except InputError as error:
        reader.problems.extend(error.problems)
    except OSError as error:
        name = getattr(error, "filename", None)
        reader.problems.append(Problem("E430", _os_reason(name or "", error), name))
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
                                              f"in a CloudWatch file or a named pipe; give each series in one kind of file",
                                      paths[0])])
        metrics.series[key] = (series.id, series_statistics(samples, window))
    return metrics


# --- what a path is --------------------------------------------------------------------------------
# engine.files (reading YAML documents) makes the same judgement; metrics files are read by path
# (DuckDB reads large ones itself), so only what cannot be read twice is read here.


def _read_if_not_a_file(path: str) -> bytes | None:
    """None for a regular file (read later, by path); the bytes of a named pipe or of the null device;
    InputError (E430) for anything else, saying what it is."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise _unreadable(path, _os_reason(path, error)) from None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return _read_bounded(path, STREAM_LIMIT, stream=True)
    if stat.S_ISCHR(mode) and is_null_device(info):
        return b""
    if stat.S_ISDIR(mode):
        raise _unreadable(path, "is a directory, not a metrics file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        target = os.path.realpath(path)
        via = f" ({target})" if target != os.path.abspath(path) else ""
        raise _unreadable(path, f"is a {'character' if stat.S_ISCHR(mode) else 'block'} device{via}, not a metrics file")
    if stat.S_ISSOCK(mode):
        raise _unreadable(path, "is a socket, not a metrics file")
    raise _unreadable(path, "is not a regular file")


def _read_bounded(path: str, limit: int, stream: bool = False) -> bytes:
    """The bytes of ``path``, counted while reading; E430 past ``limit`` (a regular file: before reading)."""
    chunks, total = [], 0
    try:
        with open(path, "rb") as handle:  # a named pipe waits here for a writer, as cat does
            size = os.fstat(handle.fileno()).st_size
            if not stream and size > limit:
                raise InputError([Problem("E430", f"the file is larger than {_size(limit)} ({size} bytes)", path)])
            while True:
                chunk = handle.read(min(1024 * 1024, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    hint = "save it to a file: large metrics files are read by DuckDB, from a file" if stream else None
                    what = "the named pipe" if stream else "the file"
                    raise InputError([Problem("E430", f"{what} is larger than {_size(limit)} (stopped reading after {total} bytes)",
                                              path, hint=hint)])
    except OSError as error:
        raise _unreadable(path, _os_reason(path, error)) from None
    return b"".join(chunks)


def _os_reason(path: str, error: OSError) -> str:
    return os_error_reason(path, error, what="a metrics file", missing="no such file")


def _unreadable(path: str, reason: str) -> InputError:
    return InputError([Problem("E430", reason, path)])


def _size(limit: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2)):
        if limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


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
