"""The one YAML loader: safe, YAML 1.2 core scalars, bounded, with line/column for every node.

Every YAML input of costwarden (policies, ownership, policy tests, later budgets and exemptions)
goes through :func:`load_yaml_documents`. It builds plain ``dict``/``list``/``str``/``int``/
``float``/``bool``/``None`` values straight from the parser's events (libyaml when available), so
it controls everything PyYAML's constructors would otherwise decide:

* **YAML 1.2 core schema** for plain scalars: ``true``/``false`` (and their capitalised forms)
  are booleans, ``null``/``~``/empty are null, decimal/octal ``0o``/hex ``0x`` integers and
  floats are numbers, and *everything else is a string*: ``yes``, ``on`` and ``2024-09-01`` stay
  strings. ``0755`` is the integer 755 (YAML 1.2 has no leading-zero octal: write ``0o755``, or
  quote it to keep the string). Quoted scalars are always strings.
* **Duplicate keys** are an error naming both lines.
* **Bounded**: file size, nesting depth, and the number of nodes an alias expands to (an alias
  bomb is rejected while loading, not when something later walks the data); an alias to a node
  that is still open (a cyclic alias) is an error.
* **Positions**: each document comes with a map from JSON pointer to (line, column), 1-based.
* Merge keys (``<<: *defaults``) are supported for mappings, counted against the same budget.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import yaml

from engine.errors import InputError, Problem, json_pointer

try:  # libyaml's parser is ~10x faster; the pure-Python one behaves the same.
    _Parser = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Parser = yaml.SafeLoader

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 100
MAX_NODES = 1_000_000  # nodes after alias expansion, per file

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")

_PLAIN = "!costwarden/plain"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_KNOWN_SCALAR_TAGS = {
    _STR_TAG,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _Loader(_Parser):
    """A parser whose resolver marks plain scalars instead of guessing YAML 1.1 types."""

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML hook
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        if kind is yaml.ScalarNode:
            return _STR_TAG
        if kind is yaml.SequenceNode:
            return _SEQ_TAG
        return _MAP_TAG


@dataclass
class YamlDocument:
    """One document of a YAML file: its plain data and where each node starts."""

    data: object
    file: str
    index: int  # position of the document in its file, from 0
    positions: dict[str, tuple[int, int]] = field(repr=False)
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def position(self, pointer: str) -> tuple[int | None, int | None]:
        """Line and column of the node at ``pointer`` or of its nearest existing ancestor."""
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return (None, None)
            pointer = pointer.rsplit("/", 1)[0]

    def key_position(self, pointer: str) -> tuple[int | None, int | None]:
        """Line and column of the *key* of the member at ``pointer`` (else of the node)."""
        return self.key_positions.get(pointer) or self.position(pointer)

    def problem(
        self, code: str, message: str, pointer: str, hint: str | None = None, at_key: bool = False
    ) -> Problem:
        line, column = self.key_position(pointer) if at_key else self.position(pointer)
        return Problem(code, message, self.file, line, column, pointer, hint)


def resolve_plain_scalar(text: str):
    """YAML 1.2 core schema resolution of a plain (unquoted) scalar."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _explicit_scalar(tag: str, text: str, mark, file: str):
    if tag == _STR_TAG:
        return text
    value = resolve_plain_scalar(text)
    expected = {
        "tag:yaml.org,2002:int": int,
        "tag:yaml.org,2002:float": (int, float),
        "tag:yaml.org,2002:bool": bool,
        "tag:yaml.org,2002:null": type(None),
    }[tag]
    if isinstance(value, bool) and expected is not bool:
        value = text  # force the error below
    if not isinstance(value, expected):
        raise _fail("E101", f"value {text!r} does not match its tag {tag}", file, mark)
    return float(value) if tag.endswith("float") else value


def _fail(code: str, message: str, file: str, mark, hint: str | None = None) -> InputError:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return InputError([Problem(code, message, file, line, column, None, hint)])


def _size(value) -> int:
    """Number of nodes in an already built value (for the alias budget)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
            count += len(item)
        elif isinstance(item, list):
            stack.extend(item)
    return count


class _Builder:
    """Builds plain values from parser events, enforcing the loader's bounds."""

    def __init__(self, file: str, max_depth: int, max_nodes: int):
        self.file = file
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.nodes = 0
        self.anchors: dict[str, tuple[object, int]] = {}  # anchor -> (value, node count)
        self.open_anchors: set[str] = set()
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self.duplicates: list[Problem] = []  # every duplicate key of the document (E102), reported together

    def count(self, n: int, mark) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            raise _fail(
                "E103",
                f"document expands to more than {self.max_nodes} nodes (alias bomb?)",
                self.file,
                mark,
            )

    def build(self, loader, path: list) -> object:
        event = loader.get_event()
        mark = event.start_mark
        self.positions[json_pointer(path)] = (mark.line + 1, mark.column + 1)
        if len(path) > self.max_depth:
            raise _fail("E104", f"nesting deeper than {self.max_depth} levels", self.file, mark)

        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                raise _fail("E107", f"alias *{event.anchor} refers to a node that contains it", self.file, mark)
            if event.anchor not in self.anchors:
                raise _fail("E101", f"unknown alias *{event.anchor}", self.file, mark)
            value, size = self.anchors[event.anchor]
            self.count(size, mark)
            return value

        anchor = getattr(event, "anchor", None)
        start = self.nodes
        if isinstance(event, yaml.ScalarEvent):
            self.count(1, mark)
            if event.tag == _PLAIN or (event.tag is None and event.implicit[0]):
                value = resolve_plain_scalar(event.value)
            elif event.tag in (None, "!", _STR_TAG) or event.implicit[1]:
                value = event.value
            elif event.tag in _KNOWN_SCALAR_TAGS:
                value = _explicit_scalar(event.tag, event.value, mark, self.file)
            else:
                raise _fail("E101", f"unsupported tag {event.tag}", self.file, mark)
        elif isinstance(event, yaml.SequenceStartEvent):
            self._check_collection_tag(event, _SEQ_TAG)
            self.count(1, mark)
            if anchor:
                self.open_anchors.add(anchor)
            value = []
            while not loader.check_event(yaml.SequenceEndEvent):
                value.append(self.build(loader, path + [len(value)]))
            loader.get_event()
        elif isinstance(event, yaml.MappingStartEvent):
            self._check_collection_tag(event, _MAP_TAG)
            self.count(1, mark)
            if anchor:
                self.open_anchors.add(anchor)
            value = self._build_mapping(loader, path)
        else:  # pragma: no cover - the parser guarantees node events here
            raise _fail("E101", f"unexpected YAML event {type(event).__name__}", self.file, mark)

        if anchor:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (value, max(self.nodes - start, 1))
        return value

    def _check_collection_tag(self, event, expected: str) -> None:
        if event.tag not in (None, "!", expected):
            raise _fail("E101", f"unsupported tag {event.tag}", self.file, event.start_mark)

    def _build_mapping(self, loader, path: list) -> dict:
        value: dict = {}
        key_lines: dict = {}
        merged: dict = {}
        while not loader.check_event(yaml.MappingEndEvent):
            key_event = loader.peek_event()
            key_mark = key_event.start_mark
            if not isinstance(key_event, yaml.ScalarEvent):
                raise _fail("E101", "mapping keys must be scalars", self.file, key_mark)
            loader.get_event()
            self.count(1, key_mark)
            is_plain = key_event.tag == _PLAIN or (key_event.tag is None and key_event.implicit[0])
            if is_plain and key_event.value == "<<":
                self._merge(loader, path, merged, key_mark)
                continue
            key = key_event.value  # keys are always strings: JSON has no other kind
            if key in key_lines:
                self.duplicates.append(Problem(
                    "E102", f"duplicate key {key!r} (first defined on line {key_lines[key]})", self.file,
                    key_mark.line + 1, key_mark.column + 1, json_pointer(path + [key])))
                self.build(loader, path + [key])  # read past its value, to find the next duplicates too
                continue
            key_lines[key] = key_mark.line + 1
            self.key_positions[json_pointer(path + [key])] = (key_mark.line + 1, key_mark.column + 1)
            value[key] = self.build(loader, path + [key])
        loader.get_event()
        for key, item in merged.items():
            value.setdefault(key, item)
        return value

    def _merge(self, loader, path: list, merged: dict, mark) -> None:
        source = self.build(loader, path + ["<<"])
        sources = source if isinstance(source, list) else [source]
        for item in sources:
            if not isinstance(item, dict):
                raise _fail("E101", "a merge key (<<) needs a mapping or a list of mappings", self.file, mark)
            for key, val in item.items():
                merged.setdefault(key, val)


def load_yaml_documents(
    text_or_bytes: str | bytes,
    file: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> list[YamlDocument]:
    """Parse every document of one YAML stream. Raises :class:`InputError` on any problem."""
    if isinstance(text_or_bytes, bytes):
        if len(text_or_bytes) > max_bytes:
            raise InputError([Problem("E105", f"file is larger than {max_bytes} bytes", file)])
        text = decode_utf8(text_or_bytes, file)
    else:
        text = text_or_bytes
        if len(text) > max_bytes:
            raise InputError([Problem("E105", f"file is larger than {max_bytes} bytes", file)])
    loader = None
    documents = []
    duplicates: list[Problem] = []
    try:
        loader = _Loader(text)
        loader.get_event()  # StreamStart
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # DocumentStart
            builder = _Builder(file, max_depth, max_nodes)
            if loader.check_event(yaml.DocumentEndEvent):
                data = None
            else:
                data = builder.build(loader, [])
            loader.get_event()  # DocumentEnd
            duplicates += builder.duplicates
            documents.append(YamlDocument(data, file, len(documents), builder.positions, builder.key_positions))
        loader.get_event()
        if duplicates:  # the file is not used: every duplicate key of every document, at once
            raise InputError(duplicates)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        if "nesting depth" in message:  # newer libyaml builds stop deep flow nesting themselves
            raise _fail("E104", f"nesting deeper than the parser allows ({message})", file, mark) from None
        raise _fail("E101", f"YAML syntax error: {message}", file, mark) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        raise InputError([_character_problem(text, exc, file)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem("E101", "YAML error: " + " ".join(str(exc).split()), file)]) from None
    except RecursionError:
        raise InputError([Problem("E104", f"nesting deeper than {max_depth} levels", file)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return documents


def _character_problem(text: str, exc: yaml.reader.ReaderError, file: str) -> Problem:
    """E101 on one line, at the line and column of the first character YAML does not allow.

    The parser reports a position in characters (pure Python) or in UTF-8 bytes (libyaml), inside
    a ``<unicode string>``: the character is looked up again in the text instead.
    """
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:  # pragma: no cover - the parser and its own pattern agree
        return Problem("E101", f"YAML error: {exc.reason}", file)
    index = found.start()
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    code = ord(text[index])
    escape = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return Problem(
        "E101", f"unacceptable character #x{code:04x}: {exc.reason}", file, line, column, None,
        f"in a double-quoted string, write it as the escape \"{escape}\"",
    )


def decode_utf8(data: bytes, file: str) -> str:
    """Strict UTF-8 decoding with the line and column of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            [Problem("E106", f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", file, line, column)]
        ) from None
