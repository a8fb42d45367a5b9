"""Which FOCUS files ``--costs`` names, and what a path is when it cannot be read as one.

::

    inputs = find_cost_files(["exports/2026-05/", "late.csv.gz", "<(zcat x.csv.gz)"], problems)

A path is a file, a folder (every ``*.csv``, ``*.csv.gz`` and ``*.parquet`` below it, in name
order), or a glob pattern (``exports/**/*.parquet``). A named pipe — a FIFO, or a process
substitution such as ``<(zcat export.csv.gz)`` — is a stream: DuckDB reads a file more than once
(the header, then the rows), so the stream is copied into a temporary file first, at most
:data:`STREAM_LIMIT` bytes (:func:`staged`). Anything else is refused with what it is — a device
(``/dev/zero`` would never end, ``/dev/null`` is always empty), a socket, a symbolic link loop or a
link to nothing — never with "no such file" for something that exists.

What a path is, when it is not a file, is said by :func:`engine.files.not_a_file`, as for every
other input.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import Problem
from engine.files import NO_SUCH_FILE, not_a_file

SUFFIXES = (".csv", ".csv.gz", ".parquet")
STREAM_LIMIT = 64 * 1024**3  # bytes copied from a named pipe before it is refused (a temporary file on disk)
_GLOB_CHARS = re.compile(r"[*?\[]")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CostInput:
    path: str  # as given or found: what messages name
    stream: bool = False  # a named pipe, read once into a temporary file (see staged())


def find_cost_files(paths, problems: list[Problem]) -> list[CostInput]:
    """The FOCUS files the paths name, each once, in order; a problem (E410) for each path that names none."""
    found: list[CostInput] = []
    for raw in paths:
        text = str(raw)
        reason = not_a_file(text)
        if reason is None:
            found.append(CostInput(text, stream=stat.S_ISFIFO(os.stat(text).st_mode)))
        elif os.path.isdir(text):
            found.extend(_folder(text, problems))
        elif reason == NO_SUCH_FILE and _GLOB_CHARS.search(text):
            matches = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            if not matches:
                problems.append(Problem("E410", "no file matches this pattern", text))
            found.extend(CostInput(p) for p in matches)
        else:
            problems.append(Problem("E410", "no such file or folder" if reason == NO_SUCH_FILE else reason, text))
    seen: set[str] = set()
    return [f for f in found if not (f.path in seen or seen.add(f.path))]


def _folder(folder: str, problems: list[Problem]) -> list[CostInput]:
    found, before = [], len(problems)
    for path in sorted(Path(folder).rglob("*")):
        if not path.name.lower().endswith(SUFFIXES):
            continue
        reason = not_a_file(str(path))
        if reason is None:
            found.append(CostInput(str(path), stream=stat.S_ISFIFO(os.stat(path).st_mode)))
        elif not path.is_dir():  # a folder named x.csv is only a folder
            problems.append(Problem("E410", f"cannot read it: {reason}", str(path)))
    if not found and len(problems) == before:
        problems.append(Problem("E410", "no FOCUS files (*.csv, *.csv.gz, *.parquet) in this folder", folder))
    return found


@contextlib.contextmanager
def staged(inputs: list[CostInput], problems: list[Problem]):
    """``{input path: path DuckDB reads}``: files as they are, streams copied into a temporary folder
    (removed on exit), at most :data:`STREAM_LIMIT` bytes each. A stream that cannot be read or is
    too large is a problem (E410) and has no entry."""
    if not any(i.stream for i in inputs):
        yield {i.path: i.path for i in inputs}
        return
    folder = tempfile.TemporaryDirectory(prefix="costwarden-stream-")
    try:
        sources = {}
        for index, item in enumerate(inputs):
            if not item.stream:
                sources[item.path] = item.path
                continue
            copy = os.path.join(folder.name, f"{index}-{os.path.basename(item.path) or 'stream'}")
            reason = _copy_stream(item.path, copy)
            if reason is None:
                sources[item.path] = copy
            else:
                problems.append(Problem("E410", reason, item.path))
        yield sources
    finally:
        folder.cleanup()


def _copy_stream(path: str, target: str) -> str | None:
    """Copy the named pipe ``path`` to ``target``; why not, or None."""
    total = 0
    try:
        with open(path, "rb") as source, open(target, "wb") as copy:  # opening a pipe waits for its writer, as cat does
            while True:
                chunk = source.read(_CHUNK)
                if not chunk:
                    return None
                total += len(chunk)
                if total > STREAM_LIMIT:
                    return f"a named pipe that holds more than {STREAM_LIMIT // 1024**3} GiB (write the export to a file)"
                copy.write(chunk)
    except OSError as error:
        return f"cannot read the named pipe: {error.strerror or error}"
