"""Reading one plan file: its bytes, the JSON document, where each resource change starts, or what the file is instead.

A plan file is the output of ``terraform show -json PLANFILE`` (or ``tofu show -json``). It is
read under the inventory reader's size limit (:data:`engine.inventory.reading.DEFAULT_MAX_BYTES`,
checked before reading), from a file or, for ``-``, from standard input.

The JSON is parsed once with the standard library's C scanner, driven entry by entry through the
top-level ``resource_changes`` array, so the character offset where each entry starts comes out of
the same pass that parses it (no second scan of the file). Offsets become 1-based line and column
(in characters) with :meth:`PlanFile.positions`.

A file that is not plan JSON gets a problem saying what it is and how to make plan JSON:

* ``E440`` a state: ``terraform show -json`` without a plan file (``values``, no
  ``planned_values`` / ``resource_changes``), or a raw ``terraform.tfstate`` (``version``,
  ``serial``, ``lineage``);
* ``E441`` the GitHub Action ``hashicorp/setup-terraform`` wrapper's lines around the JSON
  (``[command]/.../terraform-bin show -json ...``, ``::set-output`` / ``::debug::``);
* ``E442`` the text output of ``terraform plan`` / ``terraform show`` (without ``-json``);
* ``E443`` a binary plan file (the zip archive ``terraform plan -out`` writes);
* ``E444`` a ``format_version`` this reader does not support (a newer major version, or not a version);
* ``E445`` some other JSON document (an array, an inventory, provider schemas, ...);
* ``E446`` the machine-readable log of ``terraform plan -json`` (one ``@message`` object a line).

File-level problems keep the inventory reader's codes: ``E401`` unreadable, ``E402`` not UTF-8,
``E403`` not JSON (or empty), ``E406`` over the size limit, ``E407`` nesting too deep.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

import orjson

from engine.errors import InputError, Problem
from engine.inventory.jsonpos import locate_paths
from engine.inventory.reading import DEFAULT_MAX_BYTES, STDIN, STDIN_NAME, line_and_column, read_limited

SUPPORTED_MAJOR_VERSIONS = (0, 1)
NEWEST_KNOWN_VERSION = (1, 2)  # the newest format_version this reader was written against (Terraform 1.3 to 1.15)

HOW_TO_MAKE = "make plan JSON with: terraform plan -out=tfplan && terraform show -json tfplan > plan.json"

_ZIP_MAGIC = b"PK\x03\x04"
_UTF8_BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _NotANumber(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's JSON reader takes them, JSON has no such numbers."""


def _not_a_number(name: str):
    raise _NotANumber(name)


def _finite(text: str) -> float:
    value = float(text)
    if value in (_INFINITY, -_INFINITY):  # 1e400: beyond what a float holds
        raise _NotANumber(text)
    return value


_INFINITY = float("inf")
_DECODER = json.JSONDecoder(parse_constant=_not_a_number, parse_float=_finite)
_SCANNER = _DECODER.scan_once  # the C scanner: (text, index) -> (value, end index)
_WRAPPER_LINE = re.compile(r"^(?:\[command\]|::(?:debug|set-output|add-mask|group|endgroup|notice|warning|error)\b)", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TEXT_OUTPUT = re.compile(
    r"^\s*(?:(?:Terraform|OpenTofu) (?:will perform|used the selected providers|detected the following|has compared)"
    r"|No changes\.|Plan: \d+ to add|Changes to Outputs:|Refreshing state\.\.\.|Reading\.\.\.|Acquiring state lock"
    r"|Note: Objects have changed outside of|# (?:module\.|data\.)?[A-Za-z0-9_]+\.[^\s]+(?: will be| must be| has|:)"
    r"|resource \"[^\"]+\" \"[^\"]+\" \{|data \"[^\"]+\" \"[^\"]+\" \{|Initializing )",
    re.M,
)


@dataclass
class PlanFile:
    """A parsed plan: the document, and where each ``resource_changes`` entry starts in the text."""

    path: str  # the name used in problems and locations (``<stdin>`` for standard input)
    doc: dict
    text: str  # the decoded file (without a byte order mark)
    entry_offsets: list[int]  # character offset of each resource_changes entry, in order

    def positions(self) -> list[tuple[int, int]]:
        """1-based (line, column) of each entry, columns counted in characters; one pass over the text."""
        text, out = self.text, []
        line, line_start, previous = 1, 0, 0
        for offset in self.entry_offsets:
            newlines = text.count("\n", previous, offset)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", previous, offset) + 1
            out.append((line, offset - line_start + 1))
            previous = offset
        return out


def read_plan(given: str, max_bytes: int = DEFAULT_MAX_BYTES) -> PlanFile:
    """Read and parse the plan at ``given`` (``-``: standard input); raises InputError with one problem."""
    path = STDIN_NAME if given == STDIN else given
    try:
        data = read_limited(given, max_bytes)
    except InputError as error:
        raise InputError([_about_plans(problem) for problem in error.problems]) from None
    return parse_plan(data, path)


def parse_plan(data: bytes, path: str) -> PlanFile:
    """Parse plan JSON from bytes; raises InputError (E402, E403, E407, E440-E446)."""
    if data.startswith(_ZIP_MAGIC):
        raise _error("E443", path, "this is a binary plan file (the zip archive that terraform plan -out writes), "
                     "not plan JSON", hint="convert it: terraform show -json tfplan > plan.json", line=1, column=1)
    if data.startswith(_UTF16_BOMS):
        raise _error("E402", path, "the file is UTF-16, not UTF-8", line=1, column=1,
                     hint="PowerShell's > writes UTF-16; use: terraform show -json tfplan | Out-File -Encoding utf8 plan.json")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line, column = line_and_column(data, bad.start)
        raise _error("E402", path, f"invalid UTF-8: byte 0x{data[bad.start]:02x} at offset {bad.start}",
                     line=line, column=column, hint="plan JSON is UTF-8; " + HOW_TO_MAKE) from None
    if text.startswith(_UTF8_BOM):
        text = text[1:]
    start = _WHITESPACE.match(text).end()
    if start == len(text):
        empty = "standard input is empty" if path == STDIN_NAME else "the file is empty"
        raise _error("E403", path, f"{empty}; expected the JSON of a Terraform plan", line=1, column=1, hint=HOW_TO_MAKE)
    if text[start] != "{":
        raise _not_json_object(text, start, path)
    try:
        doc, offsets, end = _parse_object(text, start)
    except RecursionError:
        raise _error("E407", path, "JSON nests too deeply to read") from None
    except (ValueError, IndexError, StopIteration):
        raise _invalid_json(text, path) from None
    rest = _WHITESPACE.match(text, end).end()
    if rest != len(text):
        raise _trailing_content(text, rest, path)
    _check_is_plan(doc, path, text, start)
    return PlanFile(path, doc, text, offsets)


# --- parsing with positions -------------------------------------------------------------------------


def _parse_object(text: str, index: int) -> tuple[dict, list[int], int]:
    """The top-level object starting at ``text[index] == '{'``, the offsets of its resource_changes entries, its end."""
    doc: dict = {}
    offsets: list[int] = []
    index = _WHITESPACE.match(text, index + 1).end()
    if text[index] == "}":
        return doc, offsets, index + 1
    while True:
        if text[index] != '"':
            raise ValueError("expected a key")
        key, index = json.decoder.scanstring(text, index + 1)
        index = _WHITESPACE.match(text, index).end()
        if text[index] != ":":
            raise ValueError("expected ':'")
        index = _WHITESPACE.match(text, index + 1).end()
        if key == "resource_changes" and text[index] == "[":
            value, offsets, index = _parse_entries(text, index)
        else:
            value, index = _SCANNER(text, index)
        doc[key] = value
        index = _WHITESPACE.match(text, index).end()
        if text[index] == ",":
            index = _WHITESPACE.match(text, index + 1).end()
            continue
        if text[index] == "}":
            return doc, offsets, index + 1
        raise ValueError("expected ',' or '}'")


def _parse_entries(text: str, index: int) -> tuple[list, list[int], int]:
    items: list = []
    offsets: list[int] = []
    index = _WHITESPACE.match(text, index + 1).end()
    if text[index] == "]":
        return items, offsets, index + 1
    while True:
        offsets.append(index)
        value, index = _SCANNER(text, index)
        items.append(value)
        index = _WHITESPACE.match(text, index).end()
        if text[index] == ",":
            index = _WHITESPACE.match(text, index + 1).end()
            continue
        if text[index] == "]":
            return items, offsets, index + 1
        raise ValueError("expected ',' or ']'")


# --- what the file is, when it is not plan JSON ---------------------------------------------------


def _check_is_plan(doc: dict, path: str, text: str, start: int) -> None:
    """Raise a problem saying what the document is when it is not a plan (placed at its first '{')."""
    if "resource_changes" in doc or "planned_values" in doc:
        return _check_format_version(doc, path, text)
    place = {"line": text.count("\n", 0, start) + 1, "column": start - text.rfind("\n", 0, start)}
    try:
        _what_it_is(doc, path)
    except InputError as error:
        raise InputError([replace(problem, **place) for problem in error.problems]) from None


def _what_it_is(doc: dict, path: str) -> None:
    if "values" in doc and "format_version" in doc:
        raise _error("E440", path, "this is the JSON of a Terraform state (terraform show -json without a plan file: "
                     "it has 'values' but no 'resource_changes'), not of a plan", hint=HOW_TO_MAKE)
    if "lineage" in doc and "serial" in doc:
        raise _error("E440", path, "this is a Terraform state file (terraform.tfstate: 'version', 'serial', "
                     "'lineage'), not plan JSON", hint=HOW_TO_MAKE)
    if "provider_schemas" in doc:
        raise _error("E445", path, "this is the output of terraform providers schema -json, not plan JSON",
                     hint=HOW_TO_MAKE)
    if "@message" in doc or doc.get("@module") == "terraform.ui":
        raise _ui_log(path)
    if doc.get("apiVersion") == "costwarden/v1":
        kind = doc.get("kind") if doc.get("kind").__class__ is str else "document"
        raise _error("E445", path, f"this is a costwarden {kind}, not a Terraform plan",
                     hint="give inventory files with --inventory; " + HOW_TO_MAKE)
    keys = ", ".join(sorted(str(key) for key in doc)[:8]) or "none"
    raise _error("E445", path, f"not a Terraform plan: expected an object with 'format_version' and "
                 f"'resource_changes' (keys found: {keys})", hint=HOW_TO_MAKE)


def _check_format_version(doc: dict, path: str, text: str) -> None:
    version = doc.get("format_version")
    if version is None:
        return  # hand-made plans often leave it out; the snapshot warns
    parsed = parse_format_version(version)
    if parsed is not None and parsed[0] in SUPPORTED_MAJOR_VERSIONS:
        return
    data = text.encode("utf-8")
    offset = locate_paths(data, [("format_version",)]).get(("format_version",))
    line, column = line_and_column(data, offset) if offset is not None else (None, None)
    if parsed is None:
        raise _error("E444", path, f"format_version {json.dumps(version)} is not a version such as \"1.2\"",
                     line=line, column=column, hint=HOW_TO_MAKE)
    raise _error("E444", path, f"plan format_version {version} is not supported: costwarden reads plan JSON format "
                 f"0.x and 1.x (Terraform 0.12 and later, OpenTofu); a new major version changes the format",
                 line=line, column=column,
                 hint="upgrade costwarden, or make the plan with a Terraform or OpenTofu that writes format 1.x")


def parse_format_version(version: object) -> tuple[int, int] | None:
    """``"1.2"`` -> (1, 2); None when it is not a ``MAJOR.MINOR`` string."""
    if version.__class__ is not str:
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)?", version)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _not_json_object(text: str, start: int, path: str) -> InputError:
    """The file does not start with '{': wrapper lines, text output, a JSON array, or not JSON at all."""
    head = text[start:start + 4096]
    if _WRAPPER_LINE.match(head):
        return _wrapper(text, path)
    if _ANSI.search(head) or _TEXT_OUTPUT.search(_ANSI.sub("", head)):
        line, column = text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        return _error("E442", path, "this is the text output of terraform plan or terraform show, not plan JSON",
                      line=line, column=column, hint="add -json: terraform show -json tfplan > plan.json")
    if text[start] == "[":
        try:
            json.loads(text)
        except ValueError:
            return _invalid_json(text, path)
        return _error("E445", path, "not a Terraform plan: the JSON is an array; plan JSON is an object with "
                      "'format_version' and 'resource_changes'", hint=HOW_TO_MAKE)
    return _invalid_json(text, path)


def _trailing_content(text: str, rest: int, path: str) -> InputError:
    """Something follows the JSON object: wrapper lines, the next line of a UI log, or garbage."""
    if _WRAPPER_LINE.search(text, rest, rest + 4096):
        return _wrapper(text, path)
    if '"@message"' in text[:rest] and text[rest] == "{":
        return _ui_log(path)
    return _invalid_json(text, path)


def _wrapper(text: str, path: str) -> InputError:
    where = text.find("\n{")
    starts = f"; the JSON starts on line {text.count(chr(10), 0, where + 1) + 1}" if where >= 0 else ""
    return _error("E441", path, "the file holds the setup-terraform wrapper's output ('[command]...terraform-bin show "
                  f"-json ...' and '::' lines) around the plan JSON{starts}", line=1, column=1,
                  hint="set terraform_wrapper: false in hashicorp/setup-terraform, or run terraform-bin show -json")


def _ui_log(path: str) -> InputError:
    return _error("E446", path, "this is the machine-readable log of terraform plan -json (one @message object a "
                  "line), not the plan's JSON", hint=HOW_TO_MAKE)


def _invalid_json(text: str, path: str) -> InputError:
    """E403 at the position the standard parser gives (E407 when it is about nesting)."""
    try:
        _DECODER.decode(text)
    except _NotANumber as constant:  # located by orjson, which refuses them where they are
        try:
            orjson.loads(text)
        except orjson.JSONDecodeError as error:
            return _error("E403", path, f"invalid JSON: {constant} is not a finite number (a plan's numbers fit a float: no NaN, "
                          "Infinity or 1e400)",
                          line=error.lineno, column=error.colno, hint=HOW_TO_MAKE)
        return _error("E403", path, f"invalid JSON: {constant} is not a finite number", hint=HOW_TO_MAKE)
    except RecursionError:
        return _error("E407", path, "JSON nests too deeply to read")
    except json.JSONDecodeError as error:
        hint = ("the file ends before the JSON does; is it truncated?" if error.pos >= len(text.rstrip())
                else HOW_TO_MAKE)
        return _error("E403", path, f"invalid JSON: {error.msg}", line=error.lineno, column=error.colno, hint=hint)
    return _error("E403", path, "invalid JSON", hint=HOW_TO_MAKE)  # parsed here but not by the entry walker


def _about_plans(problem: Problem) -> Problem:
    """The inventory reader's problem, worded for a plan file."""
    message = (problem.message.replace("an inventory file", "a plan file").replace("inventory files", "plan files")
               .replace("inventory file", "plan file"))
    hint = problem.hint
    if problem.code == "E406":
        hint = "raise the size limit (max_bytes), or plan a smaller part of the configuration"
    return replace(problem, message=message, hint=hint)


def _error(code: str, path: str, message: str, *, line: int | None = None, column: int | None = None,
           hint: str | None = None) -> InputError:
    return InputError([Problem(code, message, path, line, column, hint=hint)])
