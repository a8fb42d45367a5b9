"""How tag keys and values are matched — the rules every part of costwarden shares.

These rules are written so that SQL over a FOCUS ``Tags`` JSON column can reproduce them exactly
(the cost engine does). Each rule names the SQL it corresponds to.

Key matching modes (a policy chooses one):

``exact``
    The key as written. SQL: ``key = k``.
``case-insensitive``
    ``lower(key) = lower(k)``.
``normalized``
    Case-insensitive, surrounding whitespace (space, tab, CR, LF) removed, and ``_`` read as
    ``-``. SQL: ``replace(lower(trim(key, ' \\t\\r\\n')), '_', '-')``.

Colliding keys: when several keys of one resource match (``Owner`` and ``owner`` under
``case-insensitive``), the key spelled exactly as the policy writes it wins; otherwise the
smallest key in code-point order (``ORDER BY key`` with a binary collation). The others are
reported as collisions in the finding's evidence.

Near misses: a required key that is absent under the chosen mode but present when all case and
every character other than a letter or digit is ignored (``CostCenter`` vs ``cost-center``,
``cost center``) is reported as a near miss. The resource still fails.

Values: a tag's value is read by one rule, :func:`tag_value`, the same for an inventory (the
adapters read every tag through it) and for a FOCUS ``Tags`` object (the SQL of
:mod:`engine.costs.sql` is written from :data:`VALUE_KINDS`, and a differential test holds the two
together):

============  =====================================================================
JSON value    read as
============  =====================================================================
a string      itself
``true``      a key-only tag (FOCUS and Azure write it for "the key is present")
``false``     the text ``false``
an integer    its decimal digits (``5`` -> ``"5"``), when it fits in 64 bits
other number  the shortest text that reads back as the same double, as Python's ``repr``
              prints it (``1.0`` -> ``"1.0"``, ``1e20`` -> ``"1e+20"``, ``2.5e-05``); an
              integer beyond 64 bits is read as a double first, as DuckDB and orjson do
null, a list, an object, an infinite number: invalid
============  =====================================================================

An invalid value is a problem of the input: an inventory reports it (E405); a FOCUS row simply
does not carry that key (the reader warns once per file, counting the rows).

A value that is empty or only whitespace counts as missing. A key-only tag counts as present but
has no value, so it fails an allowed-values rule. Allowed values compare exactly with the value's
text; a pattern must find a match somewhere in it (Python ``re.search``; SQL ``regexp_matches``),
so anchor it with ``^...$`` to match it all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MATCH_MODES = ("exact", "case-insensitive", "normalized")
WHITESPACE = " \t\r\n"
_NOT_ALNUM = re.compile(r"[^0-9a-z]")

INVALID = object()  # tag_value() of a value that cannot be a tag value
KEY_ONLY = True  # tag_value() of a key-only tag

# The kinds of tag value and how each reads (the table of the module doc). tag_value() applies it in
# Python; engine.costs.sql writes it into SQL, kind by kind, through the dialect. A kind not listed
# (null, list, object, an infinite number) is invalid.
VALUE_KINDS: dict[str, str] = {
    "string": "itself",
    "true": "key only",
    "false": "the text false",
    "integer": "its decimal digits",
    "float": "its shortest round-trip text (Python repr)",
}
_INT64_MIN, _UINT64_END = -(2**63), 2**64  # integers DuckDB and orjson keep as integers


def value_kind(value: object) -> str | None:
    """The kind of a tag value (a key of :data:`VALUE_KINDS`), or None when it is invalid."""
    kind = value.__class__
    if kind is str:
        return "string"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        if _INT64_MIN <= value < _UINT64_END:
            return "integer"
        try:
            value = float(value)
        except OverflowError:
            return None
        kind = float
    if kind is float:
        return "float" if value - value == 0 else None  # finite (inf - inf and nan are nan)
    if isinstance(value, str):
        return "string"
    return None


def tag_value(value: object) -> object:
    """A tag value read by the rule of the module doc: its text (``str``), :data:`KEY_ONLY` (``True``), or :data:`INVALID`."""
    kind = value_kind(value)
    if kind == "string":
        return value if value.__class__ is str else str(value)
    if kind == "true":
        return KEY_ONLY
    if kind == "false":
        return "false"
    if kind == "integer":
        return str(value)
    if kind == "float":
        return repr(float(value))
    return INVALID


def normalize_key(key: str, mode: str) -> str:
    if mode == "exact":
        return key
    if mode == "case-insensitive":
        return key.lower()
    return key.strip(WHITESPACE).lower().replace("_", "-")


def loose_key(key: str) -> str:
    """The loosest form, used only to spot near misses."""
    return _NOT_ALNUM.sub("", key.lower())


def has_value(value: object) -> bool:
    """Whether a tag value (as :func:`tag_value` reads it) counts as present: True (key-only) or a non-blank string."""
    if value is True:
        return True
    if isinstance(value, str):
        return value.strip(WHITESPACE) != ""
    return value is not None and value is not False


@dataclass(frozen=True)
class TagHit:
    key: str  # the resource's key that matched
    value: object
    collisions: tuple[str, ...] = ()  # other keys of the resource that matched too


def find_tag(tags: dict, key: str, mode: str, normalized_key: str | None = None) -> TagHit | None:
    """The tag of ``tags`` that matches ``key`` under ``mode`` (see the module doc), or None."""
    if mode == "exact":
        if key in tags:
            return TagHit(key, tags[key])
        return None
    wanted = normalized_key if normalized_key is not None else normalize_key(key, mode)
    matches = [k for k in tags if normalize_key(k, mode) == wanted]
    if not matches:
        return None
    if len(matches) == 1:
        return TagHit(matches[0], tags[matches[0]])
    chosen = key if key in matches else min(matches)
    return TagHit(chosen, tags[chosen], tuple(sorted(k for k in matches if k != chosen)))


def near_misses(tags: dict, key: str) -> list[str]:
    wanted = loose_key(key)
    return sorted(k for k in tags if loose_key(k) == wanted)
