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

The judgement of what a path is (:func:`not_a_file`) is the same as engine.files' (which reads
whole documents); when that module reaches this layer, :func:`not_a_file` is its function.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import Problem

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
        try:
            mode = os.stat(text).st_mode
        except OSError as error:
            if error.errno == errno.ENOENT and not os.path.islink(text) and _GLOB_CHARS.search(text):
                matches = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
                if not matches:
                    problems.append(Problem("E410", "no file matches this pattern", text))
                found.extend(CostInput(p) for p in matches)
            else:
                problems.append(Problem("E410", _os_reason(text, error, "no such file or folder"), text))
            continue
        if stat.S_ISDIR(mode):
            found.extend(_folder(text, problems))
        elif stat.S_ISREG(mode):
            found.append(CostInput(text))
        elif stat.S_ISFIFO(mode):
            found.append(CostInput(text, stream=True))
        else:
            problems.append(Problem("E410", _kind_reason(text, mode), text))
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


def not_a_file(path: str) -> str | None:
    """Why ``path`` cannot be read as a file ("no such file", "a character device (/dev/zero), not a file" ...),
    or None when it can (a regular file, a named pipe, or a link to one of them)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return _os_reason(path, error)
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    return _kind_reason(path, mode)


def _kind_reason(path: str, mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "character" if stat.S_ISCHR(mode) else "block"
        target = os.path.realpath(path)
        via = f" ({target})" if target != os.path.abspath(path) else ""
        return f"it is a {kind} device{via}, not a file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a file"
    return "it is not a regular file"


def _os_reason(path: str, error: OSError, missing: str = "no such file") -> str:
    code = error.errno
    if code == errno.ELOOP:
        return "a symbolic link loop (a link that leads back to itself)"
    if code == errno.ENOENT:
        if os.path.islink(path):
            return f"a symbolic link to '{os.readlink(path)}', which does not exist"
        return missing
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or str(error)


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
        return f"cannot read the named pipe: {_os_reason(path, error)}"
