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

Values: a value that is empty or only whitespace counts as missing. A key-only tag (FOCUS writes
``true``; inventories hold ``True``) counts as present but has no value, so it fails an
allowed-values rule. Allowed values compare exactly; a pattern must find a match somewhere in the
value (Python ``re.search``; SQL ``regexp_matches``), so anchor it with ``^...$`` to match it all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MATCH_MODES = ("exact", "case-insensitive", "normalized")
WHITESPACE = " \t\r\n"
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


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
    """Whether a tag value counts as present: True (key-only) or a non-blank string."""
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
