"""Hostile variants of the canonical files in ``kit/``: small, exact byte transformations.

Each function returns the bytes of a variant; :func:`line_of` gives the 1-based line a marker sits
on, so that a case can say exactly which line its error must name.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.hostile.harness import KIT

BOM = b"\xef\xbb\xbf"


def kit(name: str) -> bytes:
    return (KIT / name).read_bytes()


def line_of(data: bytes, marker: bytes | str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th ``marker`` in ``data``."""
    marker = marker.encode() if isinstance(marker, str) else marker
    index = -1
    for _ in range(occurrence):
        index = data.index(marker, index + 1)
    return data.count(b"\n", 0, index) + 1


def column_of(data: bytes, marker: bytes | str) -> int:
    """The 1-based column (in characters) of the first ``marker`` in ``data``."""
    marker = marker.encode() if isinstance(marker, str) else marker
    index = data.index(marker)
    start = data.rfind(b"\n", 0, index) + 1
    return len(data[start:index].decode("utf-8", errors="replace")) + 1


def bom(data: bytes) -> bytes:
    return BOM + data


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def cr_only(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def utf16(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16")


def replace(data: bytes, old: bytes | str, new: bytes | str, count: int = 1) -> bytes:
    old = old.encode() if isinstance(old, str) else old
    new = new.encode() if isinstance(new, str) else new
    assert old in data, f"{old!r} is not in the file"
    return data.replace(old, new, count)


def cut_after(data: bytes, marker: bytes | str) -> bytes:
    """The file truncated just after the first ``marker`` (as a copy interrupted mid-way)."""
    marker = marker.encode() if isinstance(marker, str) else marker
    return data[: data.index(marker) + len(marker)]


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def compact_json(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def nested_json(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def write_bytes(data: bytes):
    def make(path: Path) -> None:
        path.write_bytes(data)

    return make
