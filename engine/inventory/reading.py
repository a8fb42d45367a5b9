"""Reading an inventory file into a parsed JSON value, with every failure turned into a Problem.

* E401 the file cannot be read (missing, a directory, a device, a socket, a symbolic link loop or a
  link to nothing — each named as what it is —, no permission, I/O error);
* E402 it is not UTF-8 (line and column of the first bad byte; UTF-16 is named as such);
* E403 it is not JSON / JSON Lines (line and column from the parser), or it is empty;
* E406 it is larger than the limit (a regular file: checked before reading; a named pipe or standard
  input: counted while reading; never reads past the limit);
* E407 its arrays/objects nest deeper than :data:`DEPTH_LIMIT`.

JSON Lines is read when the name ends in ``.jsonl`` / ``.ndjson``, or when the file starts with
``{`` and holds more than one JSON value (one per line).

The path ``-`` (:data:`STDIN`) is standard input, read under the same size limit, detected by its
content as a file is and named :data:`STDIN_NAME` in problems.

orjson before 3.9.15 does not limit nesting and crashes the process on very deep input
(CVE-2024-27454); with such a version a cheap byte-level pre-check (:func:`nesting_exceeds`)
runs before parsing. Newer versions stop at 1024 levels themselves.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from typing import NamedTuple

import orjson

from engine.errors import InputError, Problem
from engine.files import is_null_device, os_error_reason

DEFAULT_MAX_BYTES = 2 * 1024**3
DEPTH_LIMIT = 1024
MAX_PARSE_PROBLEMS = 100
_CHUNK = 64 * 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
STDIN = "-"  # as an inventory path: standard input
STDIN_NAME = "<stdin>"  # what problems call it


def _orjson_limits_depth() -> bool:
    try:
        version = tuple(int(part) for part in orjson.__version__.split(".")[:3])
    except ValueError:
        return False
    return version >= (3, 9, 15)


ORJSON_LIMITS_DEPTH = _orjson_limits_depth()


class ParsedFile(NamedTuple):
    """A parsed file: the JSON value (for JSON Lines, the list of the lines' values) and where it came from."""

    doc: object
    data: bytes  # the bytes parsed (without a UTF-8 byte order mark), to locate problems later
    record_spans: list[tuple[int, int, int]] | None  # JSON Lines: (line number, start, end) of each value


def read_limited(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a file (``-``: standard input); E401 when it cannot be read, E406 when it is over ``max_bytes``.

    A regular file over the limit is refused before reading. A named pipe (``<(zcat inventory.json.gz)``)
    is read as a stream, counting bytes, and refused as soon as it passes the limit; like ``cat``, it waits
    for a writer. The null device reads as an empty file. Anything else that is not a file is refused with
    what it is (:func:`not_a_file`): a folder, a device (``/dev/zero`` would never end), a socket, a
    symbolic link loop or a link to nothing; "file not found" is said only when nothing is there.
    """
    if path == STDIN:
        return read_stdin(max_bytes)
    reason = not_a_file(path)
    if reason is not None:
        raise _problem("E401", path, reason)
    try:
        with open(path, "rb", buffering=0) as handle:
            info = os.fstat(handle.fileno())
            reason = _kind_reason(path, info)  # what was opened, if the path changed since
            if reason is not None:
                raise _problem("E401", path, reason)
            regular = stat.S_ISREG(info.st_mode)
            if regular and info.st_size > max_bytes:
                raise _too_large(path, info.st_size, max_bytes)
            return _read_up_to(handle.read, info.st_size + 1 if regular else _CHUNK, max_bytes, path)
    except MemoryError:
        raise _problem("E406", path, "not enough memory to read this file") from None
    except OSError as error:
        raise _problem("E401", path, _os_reason(path, error)) from None


def not_a_file(path: str) -> str | None:
    """Why ``path`` cannot be read as an inventory file, or None when it can (a regular file, a named
    pipe, the null device, or a link to one of them).

    The same judgement as ``engine.files`` makes for YAML documents; the null device is read here
    (as an empty file) because ``-i /dev/null`` is a common way to say "nothing".
    """
    try:
        info = os.stat(path)
    except OSError as error:
        return _os_reason(path, error)
    return _kind_reason(path, info)


def _kind_reason(path: str, info: os.stat_result) -> str | None:
    mode = info.st_mode
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or is_null_device(info):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not an inventory file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        target = os.path.realpath(path)
        via = f" ({target})" if target != os.path.abspath(path) else ""
        return f"is a {'character' if stat.S_ISCHR(mode) else 'block'} device{via}, not an inventory file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not an inventory file"
    return "is not a regular file"


def _os_reason(path: str, error: OSError) -> str:
    return os_error_reason(path, error, what="an inventory file", missing="file not found")


def read_stdin(max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of standard input, as :func:`read_limited` reads a file; problems name :data:`STDIN_NAME`."""
    stream = sys.stdin
    if stream is None:  # closed when the process started (``<&-``)
        raise _problem("E401", STDIN_NAME, "standard input is closed")
    raw = getattr(stream, "buffer", None)
    try:
        if raw is None:  # a text stream without bytes underneath (an embedding application's)
            return _read_up_to(lambda size: stream.read(size).encode("utf-8"), _CHUNK, max_bytes, STDIN_NAME)
        return _read_up_to(raw.read, _CHUNK, max_bytes, STDIN_NAME)
    except MemoryError:
        raise _problem("E406", STDIN_NAME, "not enough memory to read standard input") from None
    except (OSError, ValueError) as error:  # ValueError: read from a closed file
        raise _problem("E401", STDIN_NAME, f"cannot read standard input: {getattr(error, 'strerror', None) or error}") from None


def _read_up_to(read, want: int, max_bytes: int, name: str) -> bytes:
    """Everything ``read(size)`` gives, first asking for ``want`` bytes; E406 as soon as it passes ``max_bytes``."""
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = read(min(want, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = _CHUNK
    if total > max_bytes:
        raise _too_large(name, None, max_bytes)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_file(data: bytes, path: str) -> ParsedFile:
    """Parse JSON or JSON Lines; raises InputError (E402, E403, E407) with line and column."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    elif data.startswith(_UTF16_BOMS):
        raise _problem("E402", path, "the file is UTF-16, not UTF-8", line=1, column=1,
                       hint="re-save it as UTF-8 (PowerShell: Out-File -Encoding utf8)")
    if path.lower().endswith(_JSONL_SUFFIXES):
        return _parse_lines(data, path)
    _check_depth(data, path)
    try:
        return ParsedFile(orjson.loads(data), data, None)
    except orjson.JSONDecodeError as error:
        if _is_trailing_content(error) and data.lstrip()[:1] == b"{":
            return _parse_lines(data, path)
        raise InputError([_decode_problem(data, path, error)]) from None
    except RecursionError:
        raise _problem("E407", path, f"JSON nests deeper than {DEPTH_LIMIT} levels") from None
    except MemoryError:
        raise _problem("E406", path, "not enough memory to parse this file") from None


def _parse_lines(data: bytes, path: str) -> ParsedFile:
    values, spans, problems = [], [], []
    start = 0
    number = 0
    size = len(data)
    while start <= size:
        end = data.find(b"\n", start)
        if end < 0:
            end = size
        number += 1
        line = data[start:end]
        if line.strip():
            try:
                if not ORJSON_LIMITS_DEPTH and line.count(b"[") + line.count(b"{") > DEPTH_LIMIT:
                    _check_depth(line, path, number)
                values.append(orjson.loads(line))
                spans.append((number, start, end))
            except orjson.JSONDecodeError as error:
                problems.append(_decode_problem(line, path, error, first_line=number))
            except InputError as error:
                problems.extend(error.problems)
            except RecursionError:
                problems.append(Problem("E407", f"JSON nests deeper than {DEPTH_LIMIT} levels", path, number))
            if len(problems) >= MAX_PARSE_PROBLEMS:
                problems.append(Problem("E403", "too many invalid lines; stopped reading", path, number))
                break
        start = end + 1
    if problems:
        raise InputError(problems)
    if not values:  # as an empty .json file is: nothing to read is not an empty inventory
        what = "the file is empty" if not data else "the file holds only blank lines"
        raise _problem("E403", path, f"{what}; expected JSON Lines, one resource per line",
                       hint="an inventory with no resources is a document with \"resources\": []")
    return ParsedFile(values, data, spans)


def _is_trailing_content(error: orjson.JSONDecodeError) -> bool:
    return "after document" in error.msg or "trailing" in error.msg


def _decode_problem(data: bytes, path: str, error: json.JSONDecodeError, first_line: int = 1) -> Problem:
    """E402 when the bytes are not UTF-8, E407 for nesting, else E403 at the parser's line and column."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line, column = line_and_column(data, bad.start)
        return Problem("E402", f"invalid UTF-8: byte 0x{data[bad.start]:02x} at offset {bad.start}",
                       path, line + first_line - 1, column,
                       hint="inventory files must be UTF-8; re-export them or convert with iconv")
    line, column = error.lineno + first_line - 1, error.colno
    message = error.msg
    if "recursion" in message or "depth" in message:
        # point at the bracket that opens the level too many, whichever orjson version found it
        offset = first_offset_deeper_than(data, DEPTH_LIMIT) if len(data) <= _POSITION_SCAN_LIMIT else None
        if offset is not None:
            line, column = line_and_column(data, offset)
            line += first_line - 1
        return Problem("E407", f"JSON nests deeper than {DEPTH_LIMIT} levels", path, line, column)
    if not data.strip():
        empty = "standard input is empty" if path == STDIN_NAME else "the file is empty"
        return Problem("E403", f"{empty}; expected a JSON document", path, line, column)
    hint = None
    stdin = path == STDIN_NAME
    if "end of data" in message or "EOF" in message:
        hint = f"the {'input' if stdin else 'file'} ends before the JSON value does; is it truncated?"
    elif _is_trailing_content(error):
        hint = ("JSON Lines on standard input are one object per line" if stdin
                else "for one JSON value per line, name the file .jsonl")
    return Problem("E403", f"invalid JSON: {message}", path, line, column, hint=hint)


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


# --- nesting pre-check for orjson < 3.9.15 --------------------------------------------------------

_KEEP = b'[]{}"'
_DELETE_OTHERS = bytes(byte for byte in range(256) if byte not in _KEEP)
_BRACES_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")
_STRING_IN_SKELETON = re.compile(rb'"[^"]*"')
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_QUICK_PASSES = 32
_POSITION_SCAN_LIMIT = 256 * 1024 * 1024


def _check_depth(data: bytes, path: str, line_number: int | None = None) -> None:
    if ORJSON_LIMITS_DEPTH:
        return
    verdict = nesting_exceeds(data, DEPTH_LIMIT)
    if verdict is False:
        return
    if verdict is None:  # brackets do not balance: invalid JSON; the standard parser says where, safely
        try:
            json.loads(data)
        except RecursionError:
            verdict = True
        except json.JSONDecodeError as error:
            raise InputError([_decode_problem(data, path, error, line_number or 1)]) from None
        except UnicodeDecodeError as error:
            line, column = line_and_column(data, error.start)
            raise _problem("E402", path, f"invalid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}",
                           line=line + (line_number or 1) - 1, column=column) from None
        else:
            return
    offset = first_offset_deeper_than(data, DEPTH_LIMIT) if len(data) <= _POSITION_SCAN_LIMIT else None
    line = column = None
    if offset is not None:
        line, column = line_and_column(data, offset)
        line += (line_number or 1) - 1
    elif line_number is not None:
        line = line_number
    raise _problem("E407", path, f"JSON nests deeper than {DEPTH_LIMIT} levels", line=line, column=column)


def nesting_exceeds(data: bytes, limit: int) -> bool | None:
    """Whether arrays/objects nest deeper than ``limit`` (outside strings); None when brackets do not balance.

    Works at C speed on the bytes: drop escaped backslashes and quotes, keep only brackets and quotes,
    drop strings, then strip innermost ``[]`` pairs one level per pass.
    """
    if len(data) <= limit:
        return False
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # removing two adjacent quotes keeps every bracket on the same side of every string
    skeleton = data.translate(_BRACES_AS_BRACKETS, _DELETE_OTHERS).replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = _STRING_IN_SKELETON.sub(b"", skeleton)
    depth = 0
    while skeleton:
        if depth == _QUICK_PASSES:
            return _skeleton_exceeds(skeleton, limit - depth)
        shorter = skeleton.replace(b"[]", b"")
        if len(shorter) == len(skeleton):
            return None
        depth += 1
        if depth > limit:
            return True
        skeleton = shorter
    return False


def _skeleton_exceeds(skeleton: bytes, limit: int) -> bool | None:
    """The exact check in linear time for deep skeletons: parse them as nested lists."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit + 200))
    try:
        nested = json.loads(b"[" + skeleton.replace(b"][", b"],[") + b"]")
    except RecursionError:
        return True
    except json.JSONDecodeError:
        return None
    finally:
        sys.setrecursionlimit(previous)
    depth = 0
    stack = [(nested, 0)]
    while stack:  # iterative depth of the nested lists (minus the wrapper)
        level, current = stack.pop()
        depth = max(depth, current)
        stack.extend((child, current + 1) for child in level)
        if depth > limit:
            return True
    return False


def first_offset_deeper_than(data: bytes, limit: int) -> int | None:
    """Byte offset of the first bracket that opens level ``limit + 1`` (a slow scan: error path only)."""
    depth = 0
    for match in _TOKEN.finditer(data):
        first = data[match.start()]
        if first == 0x5B or first == 0x7B:
            depth += 1
            if depth > limit:
                return match.start()
        elif first == 0x5D or first == 0x7D:
            depth -= 1
    return None


def _problem(code: str, path: str, message: str, line: int | None = None, column: int | None = None,
             hint: str | None = None) -> InputError:
    return InputError([Problem(code, message, path, line, column, hint=hint)])


def _too_large(path: str, size: int | None, limit: int) -> InputError:
    actual = f"{_human(size)}, " if size is not None else ""
    what = "standard input is" if path == STDIN_NAME else "file is"
    return _problem("E406", path, f"{what} too large ({actual}over the {_human(limit)} limit for inventory files)",
                    hint="split the inventory into several files or raise the size limit")


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size} bytes"
