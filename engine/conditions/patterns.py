"""Regular expressions in policies: RE2 syntax, matched in time linear in the text.

Every regular expression a policy gives — the ``regex`` operator of a condition, a tagging rule's
``pattern`` — is compiled by :func:`compile_pattern` with RE2 (the ``google-re2`` package). RE2
never backtracks, so no pattern can make a run super-linear: ``(a+)+$`` against forty ``a`` and a
``!`` takes microseconds, where a backtracking engine (Python's ``re``) takes hours. It is also the
syntax of the SQL engines the cost data is queried with (DuckDB's ``regexp_matches`` is RE2), so a
pattern means the same on resources and on cost rows.

The syntax is RE2's (https://github.com/google/re2/wiki/Syntax), which is Python's without what
needs backtracking: no lookaround (``(?=``, ``(?!``, ``(?<=``, ``(?<!``), no backreferences
(``\\1``, ``(?P=name)``), no possessive or atomic groups; ``\\z`` (not ``\\Z``) is the end of the
text. ``$`` without ``(?m)`` matches only at the very end (Python's ``$`` also matches before a
final newline), and ``\\d``, ``\\w``, ``\\s``, ``\\b`` are ASCII. A repetition count is at most 1000.
A pattern RE2 rejects is a validation error (``E302``) with RE2's reason.

A pattern *searches*: it matches when it finds a match anywhere in the value (anchor it with
``^...$`` to match the whole value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import re2

MEMO = 65536  # distinct values a pattern remembers its answer for (tag values repeat: a team, a cost center)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its parse errors on standard error
_OPTIONS.never_capture = True  # searching only: no group is read
_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED  # the C++ RE2 object's Match: one call, no match object built

# (what the pattern holds, or RE2's reason starts with) -> the hint
_HINTS = (
    ("(?=", "RE2 has no lookahead: match the text itself, or use a second rule"),
    ("(?!", "RE2 has no negative lookahead: use a second rule, or 'not' around a condition"),
    ("(?<", "RE2 has no lookbehind"),
    ("(?P=", "RE2 has no backreferences"),
    ("\\Z", "write \\z for the end of the text"),
    ("invalid escape sequence: \\", "a backreference (\\1) or an escape RE2 does not know"),
    ("invalid repetition size", "a repetition count is at most 1000, and nested repetitions multiply"),
    ("pattern too large", "the pattern compiles to more than RE2's memory bound: repeat less"),
)


class PatternError(ValueError):
    """A pattern RE2 does not accept; ``hint`` says what RE2 lacks, where that is the reason."""

    def __init__(self, message: str, hint: str | None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Pattern:
    """A compiled policy pattern: ``search(text) -> bool``, whether it matches somewhere in ``text`` (a str)."""

    text: str
    search: Callable[[str], bool] = field(compare=False, repr=False)


def compile_pattern(text: str) -> Pattern:
    """The pattern ``text`` compiled with RE2. Raises :class:`PatternError`."""
    regexp = re2._re2.RE2(text.encode("utf-8", "surrogatepass"), _OPTIONS)
    if not regexp.ok():
        reason = regexp.error()
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        hint = next((hint for sign, hint in _HINTS if sign in text or reason.startswith(sign)), None)
        raise PatternError(reason, hint)
    return Pattern(text, _searcher(regexp))


def _searcher(regexp) -> Callable[[str], bool]:
    """``search(text) -> bool``: a dict's lookup (no Python frame once a value was seen), which asks
    RE2 about a value it has not seen and remembers the answer (up to :data:`MEMO` values)."""
    return _Answers(regexp.Match).__getitem__


class _Answers(dict):
    """text -> whether the pattern matches somewhere in it, asked of RE2 on first sight."""

    __slots__ = ("match",)

    def __init__(self, match):
        super().__init__()
        self.match = match

    def __missing__(self, text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")
        found = self.match(_UNANCHORED, data, 0, len(data))[0][0] != -1
        if len(self) >= MEMO:
            self.clear()
        self[text] = found
        return found
