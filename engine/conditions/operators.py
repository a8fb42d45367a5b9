"""The comparison vocabulary: one table, operator name -> how to build its test.

Each entry of :data:`OPERATORS` takes the expected value from the policy (already checked at load
time) and the as-of date, and returns a test ``(actual) -> bool`` applied to the value found at
the leaf's path. Tests are strict about types: comparing a string with a number raises
:class:`TypeMismatch`, which the evaluator reports as an evaluation error naming the policy,
resource and path. It is never a silent "no match".

Absence: a path that is missing and a path whose value is ``null`` are the same ("absent").
``exists`` holds when the value is present and not null; ``absent`` is its negation; ``empty``
holds for an absent value and for ``""``, ``[]`` and ``{}``. Every other operator is false on an
absent value, except ``ne`` and ``not-in``, which are true (an absent value equals nothing), and
``eq null``, which is true.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from engine.conditions.patterns import compile_pattern

Test = Callable[[object], bool]


class TypeMismatch(Exception):
    """A value of the wrong type for an operator; carries both types for the message."""

    def __init__(self, op: str, actual: object, expected: str):
        self.op = op
        self.actual = actual
        self.expected = expected
        super().__init__(f"'{op}' needs {expected}, got {type_name(actual)} {_short(actual)}")


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _same_kind(actual: object, expected: object) -> bool:
    return type_name(actual) == type_name(expected)


# --- equality and membership -------------------------------------------------------------------


def _a(kind: str) -> str:
    """``kind`` with its article: 'a number', 'an array'."""
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _equality(op: str, expected) -> Test:
    """The test of ``eq``, its type errors naming ``op`` (``ne`` negates it)."""
    if expected is None:
        return lambda actual: actual is None
    kind = type_name(expected)

    def test(actual):
        if actual is None:
            return False
        if type_name(actual) != kind:
            raise TypeMismatch(op, actual, f"{_a(kind)} like {_short(expected)}")
        return actual == expected

    return test


def op_eq(expected, as_of) -> Test:
    return _equality("eq", expected)


def op_ne(expected, as_of) -> Test:
    eq = _equality("ne", expected)

    def test(actual):
        if actual is None:
            return expected is not None
        return not eq(actual)

    return test


def _membership(op: str, expected: list) -> Callable[[object], bool]:
    kinds = {type_name(item) for item in expected}
    try:
        members: object = frozenset(expected)
    except TypeError:  # lists or objects inside: compare one by one
        members = expected
    described = " or ".join(sorted(kinds)) or "a value"

    def contains(actual) -> bool:
        if type_name(actual) not in kinds:
            raise TypeMismatch(op, actual, f"{described} (the type of the listed values)")
        if isinstance(actual, bool) or isinstance(members, list):
            return any(_same_kind(actual, item) and actual == item for item in expected)
        return actual in members

    return contains


def op_in(expected, as_of) -> Test:
    contains = _membership("in", expected)
    return lambda actual: actual is not None and contains(actual)


def op_not_in(expected, as_of) -> Test:
    contains = _membership("not-in", expected)
    return lambda actual: actual is None or not contains(actual)


def op_contains(expected, as_of) -> Test:
    def test(actual):
        if actual is None:
            return False
        if isinstance(actual, list):
            return any(_same_kind(item, expected) and item == expected for item in actual)
        if isinstance(actual, str):
            if not isinstance(expected, str):
                raise TypeMismatch("contains", actual, "an array (a string only contains strings)")
            return expected in actual
        if isinstance(actual, dict):
            if not isinstance(expected, str):
                raise TypeMismatch("contains", actual, "an array (an object only contains string keys)")
            return expected in actual
        raise TypeMismatch("contains", actual, "an array, a string or an object")

    return test


# --- ordering ------------------------------------------------------------------------------------


def _ordering(op: str, compare: Callable[[object, object], bool]):
    def build(expected, as_of) -> Test:
        kind = type_name(expected)

        def test(actual):
            if actual is None:
                return False
            if type_name(actual) != kind:
                raise TypeMismatch(op, actual, f"{_a(kind)} like {_short(expected)}")
            return compare(actual, expected)

        return test

    return build


# --- strings ---------------------------------------------------------------------------------------


def op_regex(expected, as_of) -> Test:
    search = compile_pattern(expected).search  # RE2: linear in the value (engine.conditions.patterns)

    def test(actual):
        if actual is None:
            return False
        if not isinstance(actual, str):
            raise TypeMismatch("regex", actual, "a string")
        return search(actual)

    return test


def op_glob(expected, as_of) -> Test:
    pattern = re.compile(fnmatch.translate(expected))

    def test(actual):
        if actual is None:
            return False
        if not isinstance(actual, str):
            raise TypeMismatch("glob", actual, "a string")
        return pattern.match(actual) is not None

    return test


# --- presence --------------------------------------------------------------------------------------


def op_exists(expected, as_of) -> Test:
    return lambda actual: actual is not None


def op_absent(expected, as_of) -> Test:
    return lambda actual: actual is None


def op_empty(expected, as_of) -> Test:
    def test(actual):
        if actual is None:
            return True
        if isinstance(actual, (str, list, dict)):
            return len(actual) == 0
        raise TypeMismatch("empty", actual, "a string, an array or an object")

    return test


# --- age relative to the as-of date ----------------------------------------------------------------

_DURATION = re.compile(r"\A(\d+)\s*(h|d|w)\Z")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


MAX_DURATION = timedelta(days=36500)  # 100 years: longer is a typo, and beyond what a date can be offset by


def parse_duration(text: object) -> timedelta:
    """``12h``, ``30d`` or ``2w``, at most :data:`MAX_DURATION`. Raises ValueError."""
    match = _DURATION.match(str(text).strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a duration like '30d', '12h' or '2w'")
    count, unit = match.group(1), _UNITS[match.group(2)]
    if len(count.lstrip("0")) > 9 or int(count) * unit > MAX_DURATION:  # (10 digits are over it in any unit)
        raise ValueError(f"{text!r} is longer than {MAX_DURATION.days}d (100 years), the longest duration")
    return int(count) * unit


_FROMISOFORMAT_READS_Z = sys.version_info >= (3, 11)


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 date or date-time as an aware UTC datetime (:func:`read_timestamp`). Raises ValueError."""
    if _FROMISOFORMAT_READS_Z and len(text) == 20 and text[10] == "T" and text[19] == "Z":
        # the usual shape, 2026-05-01T00:00:00Z, read by Python 3.11's fromisoformat itself, Z as UTC
        # (a differential test holds it to read_timestamp)
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # let the rule decide (and word the error)
    return read_timestamp(text)


def read_timestamp(text: str) -> datetime:
    """The rule: a date (midnight UTC) or a date-time, ``Z`` or an offset, or none (UTC); the result
    in UTC. Raises ValueError."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    if len(value) == 10:
        parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
    else:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _age(op: str, older: bool):
    def build(expected, as_of) -> Test:
        limit = parse_duration(expected)

        def test(actual):
            if actual is None:
                return False
            if not isinstance(actual, str):
                raise TypeMismatch(op, actual, "a date or date-time string")
            try:
                when = parse_timestamp(actual)
            except ValueError:
                raise TypeMismatch(op, actual, "an ISO-8601 date or date-time") from None
            age = as_of - when
            return age > limit if older else age < limit

        return test

    return build


# --- written-out fast paths (engine.conditions.compiler generates Python source from them) -------------
#
# inline(expected) -> (guard, expression, constant) or None. When ``guard`` holds for ``value`` (None:
# always), ``expression`` gives exactly what the operator's test would; otherwise the test itself is
# called (it handles absence, other types, and raises TypeMismatch). CONST in both stands for
# ``constant``. Guards test the exact class, so subclasses always take the test.

_IS_STR = "value.__class__ is str"
_IS_NUMBER = "value.__class__ is int or value.__class__ is float"


def _guard_for(expected) -> str | None:
    if expected.__class__ is str:
        return _IS_STR
    if expected.__class__ is int or expected.__class__ is float:
        return _IS_NUMBER
    return None


def inline_eq(expected):
    if expected is None:
        return (None, "value is None", None)
    guard = _guard_for(expected)
    return (guard, "value == CONST", expected) if guard else None


def inline_ne(expected):
    if expected is None:
        return (None, "value is not None", None)
    guard = _guard_for(expected)
    return (guard, "value != CONST", expected) if guard else None


def _inline_membership(expression: str):
    def inline(expected):
        try:
            members = frozenset(expected)
        except TypeError:
            return None
        if "string" not in {type_name(item) for item in expected}:
            return None
        return (_IS_STR, expression, members)

    return inline


def _inline_ordering(symbol: str):
    def inline(expected):
        guard = _guard_for(expected)
        return (guard, f"value {symbol} CONST", expected) if guard else None

    return inline


def inline_regex(expected):
    return (_IS_STR, "CONST(value)", compile_pattern(expected).search)


def inline_glob(expected):
    return (_IS_STR, "CONST(value) is not None", re.compile(fnmatch.translate(expected)).match)


def inline_empty(expected):
    return ("value.__class__ is str or value.__class__ is list or value.__class__ is dict", "not value", None)


@dataclass(frozen=True)
class Operator:
    build: Callable[[object, datetime], Test]
    value: str  # what the policy must give: "any", "scalar", "list", "string", "regex", "glob", "duration", "none"
    doc: str
    inline: Callable | None = None  # the written-out fast path, see above


OPERATORS: dict[str, Operator] = {
    "eq": Operator(op_eq, "any", "equal to the value (same type)", inline_eq),
    "ne": Operator(op_ne, "any", "not equal to the value; true when absent", inline_ne),
    "lt": Operator(_ordering("lt", lambda a, b: a < b), "scalar", "less than (numbers, or strings)", _inline_ordering("<")),
    "le": Operator(_ordering("le", lambda a, b: a <= b), "scalar", "less than or equal", _inline_ordering("<=")),
    "gt": Operator(_ordering("gt", lambda a, b: a > b), "scalar", "greater than", _inline_ordering(">")),
    "ge": Operator(_ordering("ge", lambda a, b: a >= b), "scalar", "greater than or equal", _inline_ordering(">=")),
    "in": Operator(op_in, "list", "one of the listed values", _inline_membership("value in CONST")),
    "not-in": Operator(op_not_in, "list", "none of the listed values; true when absent", _inline_membership("value not in CONST")),
    "contains": Operator(op_contains, "any", "an array holding the value, a string holding the substring, or an object holding the key"),
    "regex": Operator(op_regex, "regex", "a string in which the regular expression finds a match (RE2 syntax, see engine.conditions.patterns)", inline_regex),
    "glob": Operator(op_glob, "string", "a string matching the shell pattern (`*`, `?`, `[...]`), case-sensitive", inline_glob),
    "exists": Operator(op_exists, "none", "present and not null", lambda expected: (None, "value is not None", None)),
    "absent": Operator(op_absent, "none", "missing or null", lambda expected: (None, "value is None", None)),
    "empty": Operator(op_empty, "none", "absent, or an empty string, array or object", inline_empty),
    "older-than": Operator(_age("older-than", True), "duration", "a date-time more than the duration before the as-of date"),
    "newer-than": Operator(_age("newer-than", False), "duration", "a date-time less than the duration before the as-of date"),
}
