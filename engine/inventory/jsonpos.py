"""Line and column of JSON values, found by path: used only to report problems.

orjson gives no positions for values it parsed successfully, so when an adapter reports a problem
at ``/resources/12/tags`` this module scans the bytes once more with a small tokenizer and finds
where that value starts. It is slow compared with parsing (a Python loop per token), so it runs
only on the error path and only for files up to :data:`LOCATE_LIMIT` bytes.
"""

from __future__ import annotations

import json
import re

LOCATE_LIMIT = 32 * 1024 * 1024

_TOKEN = re.compile(rb'\s*(?:("(?:[^"\\]|\\.)*")|([\[\]{}:,])|([^\s\[\]{}:,"]+))')


def _key(raw: bytes) -> str:
    if b"\\" in raw:
        return json.loads(raw)
    return raw[1:-1].decode("utf-8", errors="replace")


def locate_paths(data: bytes, paths: list[tuple]) -> dict[tuple, int]:
    """Byte offset where the value at each path starts (paths absent from the document are left out)."""
    wanted = set(paths)
    found: dict[tuple, int] = {}
    if not wanted or len(data) > LOCATE_LIMIT:
        return found
    # one frame per open container: [path, is_object, current key or index, expecting a key]
    stack: list[list] = []
    for match in _TOKEN.finditer(data):
        string, punct, literal = match.groups()
        top = stack[-1] if stack else None
        if punct is not None:
            if punct == b",":
                if top is not None:
                    if top[1]:
                        top[3] = True
                    else:
                        top[2] += 1
                continue
            if punct == b":":
                continue
            if punct in (b"]", b"}"):
                if stack:
                    stack.pop()
                continue
        elif string is not None and top is not None and top[1] and top[3]:
            top[2] = _key(string)
            top[3] = False
            continue
        # a value starts here
        path = () if top is None else top[0] + (top[2],)
        if path in wanted:
            found[path] = match.start(1) if string is not None else match.start(2) if punct else match.start(3)
            if len(found) == len(wanted):
                break
        if punct == b"{":
            stack.append([path, True, None, True])
        elif punct == b"[":
            stack.append([path, False, 0, False])
    return found


_SPACE = re.compile(r"[ \t\n\r]*")
_SCAN = json.JSONDecoder().scan_once  # the standard library's C scanner: (text, index) -> (value, end)


def element_lines(data: bytes, key: str | None = "resources") -> list[tuple[int, int]] | None:
    """1-based (line, column) where each element of the resource array starts: the document itself
    when it is an array, else the array under ``key`` of the top-level object; None when there is
    no such array or the text is not JSON.

    One pass of the standard library's C scanner over the whole text (values are built and dropped):
    about as costly as parsing the file once more, so callers keep it to small files.
    """
    try:
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        index = _SPACE.match(text).end()
        if text[index] == "{" and key is not None:
            offsets = _array_under(text, index, key)
        elif text[index] == "[":
            offsets = _elements(text, index)
        else:
            return None
    except (ValueError, IndexError, StopIteration, RecursionError):
        return None
    if offsets is None:
        return None
    out, line, line_start, previous = [], 1, 0, 0
    for offset in offsets:
        newlines = text.count("\n", previous, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", previous, offset) + 1
        out.append((line, offset - line_start + 1))
        previous = offset
    return out


def _array_under(text: str, index: int, key: str) -> list[int] | None:
    index = _SPACE.match(text, index + 1).end()
    while text[index] == '"':
        name, index = json.decoder.scanstring(text, index + 1)
        index = _SPACE.match(text, index).end()
        if text[index] != ":":
            return None
        index = _SPACE.match(text, index + 1).end()
        if name == key:
            return _elements(text, index) if text[index] == "[" else None
        _, index = _SCAN(text, index)
        index = _SPACE.match(text, index).end()
        if text[index] != ",":
            return None
        index = _SPACE.match(text, index + 1).end()
    return None


def _elements(text: str, index: int) -> list[int]:
    offsets: list[int] = []
    index = _SPACE.match(text, index + 1).end()
    if text[index] == "]":
        return offsets
    while True:
        offsets.append(index)
        _, index = _SCAN(text, index)
        index = _SPACE.match(text, index).end()
        if text[index] == ",":
            index = _SPACE.match(text, index + 1).end()
            continue
        if text[index] == "]":
            return offsets
        raise ValueError("expected ',' or ']'")
