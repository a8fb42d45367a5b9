"""Unknown and sensitive values: how a plan marks them, how a resource records them, and how to ask.

A plan's change carries, beside the values, two kinds of marks with the values' shape:

* ``after_unknown``: ``true`` where a value will only be known after apply ("known after apply").
  Terraform leaves such a value out of ``after`` (an object's attribute is absent, a list's element
  is null). costwarden keeps it out of the resource too: an unknown value is never a value, and an
  unknown tag is never a missing tag;
* ``after_sensitive`` / ``before_sensitive``: ``true`` where a value is sensitive. costwarden
  replaces it by :data:`SENSITIVE` (the text Terraform itself prints) and also replaces every other
  occurrence of that value anywhere in the resource (:func:`scrub`): a sensitive ``tags`` value
  that ``tags_all`` repeats unmarked, a password inside a connection string.

Either way the resource records the place in ``change.unknown`` / ``change.sensitive``: sorted JSON
pointers (RFC 6901) into the resource itself, such as ``/properties/arn``, ``/size``, ``/tags``
(the whole tag map: it may hold keys the plan does not show) or ``/tags/team`` (that tag's value).
The questions a policy engine asks are answered by :func:`is_unknown`, :func:`is_sensitive` and
:func:`unknown_tags`.
"""

from __future__ import annotations

import json
import math
import re

import orjson

from engine.errors import json_pointer

SENSITIVE = "(sensitive value)"
"""What a sensitive value becomes: a string a policy can compare, that says what it stands for."""

SUBSTRING_MIN_LENGTH = 4
"""Sensitive strings at least this long are also replaced where they occur inside a longer string;
shorter ones only where a whole string equals them (replacing every "on" or "1" inside every other
string would garble the resource and protect nothing)."""


# --- reading the marks of a change ------------------------------------------------------------------


def marked_paths(marks: object, prefix: tuple = ()) -> list[tuple]:
    """The paths (tuples of keys and indexes) at which ``marks`` holds ``true``."""
    if marks is True:
        return [prefix]
    found: list[tuple] = []
    if marks.__class__ is dict:
        for key, mark in marks.items():
            if mark is True:
                found.append(prefix + (key,))
            elif mark.__class__ is dict or mark.__class__ is list:
                found.extend(marked_paths(mark, prefix + (key,)))
    elif marks.__class__ is list:
        for index, mark in enumerate(marks):
            if mark is True:
                found.append(prefix + (index,))
            elif mark.__class__ is dict or mark.__class__ is list:
                found.extend(marked_paths(mark, prefix + (index,)))
    return found


def mark_at(marks: object, key: object) -> object:
    """The marks of one attribute (``true``: the whole value is marked; a dict or list: parts of it)."""
    if marks is True:
        return True
    if marks.__class__ is dict:
        return marks.get(key)
    return None


def hide_sensitive(values: object, marks: object, secrets: set) -> tuple[object, list[tuple]]:
    """Replace the values ``marks`` marks sensitive by :data:`SENSITIVE`, in place where they sit in a
    container; returns the new top value and the marked paths. Every string and number inside a
    sensitive value (and every key of a sensitive map) is added to ``secrets`` for :func:`scrub`."""
    found: list[tuple] = []
    values = _hide(values, marks, (), found, secrets)
    return values, found


def _hide(value: object, mark: object, path: tuple, found: list, secrets: set) -> object:
    if mark is True:
        found.append(path)
        if value is None:
            return None  # nothing to hide; null stays null (absent to every policy)
        _collect(value, secrets)
        return SENSITIVE
    if mark.__class__ is dict and value.__class__ is dict:
        for key, inner in mark.items():
            if (inner is True or inner.__class__ is dict or inner.__class__ is list) and key in value:
                value[key] = _hide(value[key], inner, path + (key,), found, secrets)
    elif mark.__class__ is list and value.__class__ is list:
        for index, inner in enumerate(mark[:len(value)]):
            if inner is True or inner.__class__ is dict or inner.__class__ is list:
                value[index] = _hide(value[index], inner, path + (index,), found, secrets)
    return value


def _collect(value: object, secrets: set) -> None:
    kind = value.__class__
    if kind is str:
        if value:
            secrets.add(value)
    elif kind is int or kind is float:
        secrets.add(value)
    elif kind is dict:
        for key, inner in value.items():
            secrets.add(key)
            _collect(inner, secrets)
    elif kind is list:
        for inner in value:
            _collect(inner, secrets)


def collect_secrets(values: object, marks: object, secrets: set) -> None:
    """Add the sensitive strings and numbers of ``values`` (by ``marks``) to ``secrets``, changing nothing
    (for the side of a change that is not output, whose secrets must not leak through the other side)."""
    if marks is True:
        if values is not None:
            _collect(values, secrets)
    elif marks.__class__ is dict and values.__class__ is dict:
        for key, inner in marks.items():
            if key in values:
                collect_secrets(values[key], inner, secrets)
    elif marks.__class__ is list and values.__class__ is list:
        for index, inner in enumerate(marks[:len(values)]):
            collect_secrets(values[index], inner, secrets)


# --- scrubbing every occurrence ----------------------------------------------------------------------


class Scrubber:
    """Replaces every occurrence of a set of sensitive values in strings, numbers and keys."""

    def __init__(self, secrets: set):
        self.texts = frozenset(s for s in secrets if s.__class__ is str and s and s != SENSITIVE)
        numbers = {s for s in secrets if s.__class__ is not str and s.__class__ is not bool}
        self.numbers = frozenset(numbers)
        # numbers also hide as text (a sensitive port 5432 in "host:5432"), longest first
        spelled = {str(n) for n in numbers} | set(self.texts)
        self.exact = frozenset(spelled)
        self.inner = sorted((s for s in spelled if len(s) >= SUBSTRING_MIN_LENGTH), key=lambda s: (-len(s), s))
        self._in_json = _json_pattern(spelled, self.numbers)

    def finds(self, dumped: bytes) -> bool:
        """Whether a value's compact JSON (``orjson.dumps``) may hold something to replace: a quick test, in
        one pass of the regex engine, before walking the value (never False when :meth:`value` would change it)."""
        return self._in_json is not None and self._in_json.search(dumped) is not None

    def text(self, value: str) -> str:
        if value in self.exact:
            return SENSITIVE
        for secret in self.inner:
            if secret in value:
                value = value.replace(secret, SENSITIVE)
        return value

    def value(self, value: object) -> object:
        """``value`` with every occurrence replaced; containers are changed in place (and returned)."""
        kind = value.__class__
        if kind is str:
            return self.text(value)
        if kind is int or kind is float:  # a number whose text is a sensitive string shows it too
            return SENSITIVE if value in self.numbers or str(value) in self.exact else value
        if kind is dict:
            renamed = None
            for key, inner in value.items():
                value[key] = self.value(inner)
                if key.__class__ is str and self.text(key) != key:
                    renamed = renamed or []
                    renamed.append(key)
            for key in renamed or ():
                value[self.text(key)] = value.pop(key)
            return value
        if kind is list:
            for index, inner in enumerate(value):
                value[index] = self.value(inner)
            return value
        return value


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _json_pattern(spelled, numbers) -> "re.Pattern | None":
    """What :meth:`Scrubber.value` replaces, as it shows in compact JSON: a text of
    :data:`SUBSTRING_MIN_LENGTH` characters or more anywhere, a shorter one as a whole string or key
    (``"on"``), a number (or a text that reads as one) as a whole number too (``:5432,``), in each
    spelling a number has (``5``, ``5.0``, ``1e16``). The long texts are a trie, so the regex engine
    rejects most positions on their first byte."""
    texts, whole, spellings = [], [], set()
    for text in spelled:
        encoded = json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")
        if len(text) >= SUBSTRING_MIN_LENGTH:
            texts.append(encoded)
        else:
            whole.append(re.escape(b'"' + encoded + b'"'))
        if _NUMBER.fullmatch(text):  # a number whose text this is: 5432, or 1e16 for "1e+16"
            spellings.add(text)
            if math.isfinite(float(text)):
                numbers = {*numbers, float(text)}
    for number in numbers:
        if number.__class__ is float and not math.isfinite(number):
            continue  # JSON has no such number
        spellings.add(repr(number))
        if number.__class__ is float and number.is_integer() and abs(number) < 1e18:
            spellings.add(str(int(number)))
        try:
            spellings.add(orjson.dumps(number).decode())
        except TypeError:  # beyond 64 bits: such a value is walked without the quick test anyway
            pass
    for text in sorted(spellings):
        whole.append(rb"(?<=[:\[,])" + re.escape(text.encode()) + rb"(?:\.0)?(?=[,\]}])")
    parts = ([_trie(sorted(set(texts)))] if texts else []) + whole
    return re.compile(b"|".join(parts)) if parts else None


def _trie(words: list[bytes]) -> bytes:
    """A regex matching any of ``words`` (sorted, distinct), written as a trie: ``ab(?:c|d)``."""
    if len(words) == 1:
        return re.escape(words[0])
    groups: dict[int, list[bytes]] = {}
    ends = False
    for word in words:
        if not word:
            ends = True
        else:
            groups.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(bytes([first])) + _trie(rest) for first, rest in groups.items()]
    body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
    return b"(?:" + body + b")?" if ends else body


# --- asking a resource --------------------------------------------------------------------------------


def _pointer(path: object) -> str:
    if path.__class__ is str:
        if path.startswith("/") or path == "":
            return path
        path = tuple(path.split("."))
    return json_pointer(path)


def _covers(pointers: list[str], pointer: str) -> bool:
    """Whether one of ``pointers`` is ``pointer``, encloses it, or lies inside it."""
    inside = pointer + "/"
    for marked in pointers:
        if marked == pointer or pointer.startswith(marked + "/") or marked.startswith(inside) or marked == "":
            return True
    return False


def _pointers(resource: dict, kind: str) -> list[str]:
    change = resource.get("change")
    return change.get(kind) or [] if change.__class__ is dict else []


def is_unknown(resource: dict, path: object) -> bool:
    """Whether the value at ``path`` will only be known after apply, wholly or in part.

    ``path`` is a tuple of keys and indexes (``("tags", "team")``), a dotted field chain
    (``"properties.instance_type"``) or a JSON pointer (``"/tags/team"``). True when that value, a
    value enclosing it (the whole tag map for a tag) or a value inside it is unknown. Resources that
    do not come from a plan are never unknown.
    """
    pointers = _pointers(resource, "unknown")
    return bool(pointers) and _covers(pointers, _pointer(path))


def is_sensitive(resource: dict, path: object) -> bool:
    """Whether the value at ``path`` (as for :func:`is_unknown`) is, encloses or lies in a sensitive value."""
    pointers = _pointers(resource, "sensitive")
    return bool(pointers) and _covers(pointers, _pointer(path))


def unknown_tags(resource: dict) -> bool | frozenset[str]:
    """Which tags a plan cannot tell yet: ``True`` when the tag map as a whole is unknown (it may
    carry keys the plan does not show, so no key can be called missing), else the keys whose values
    are unknown (left out of ``tags``; empty when every tag is known)."""
    keys = set()
    for pointer in _pointers(resource, "unknown"):
        if pointer == "/tags" or pointer == "":
            return True
        if pointer.startswith("/tags/"):
            keys.add(pointer[6:].replace("~1", "/").replace("~0", "~"))
    return frozenset(keys)


def pointers_of(paths: list[tuple], prefix: tuple) -> list[str]:
    """JSON pointers of ``paths`` below ``prefix`` (``("properties",)``)."""
    return [json_pointer(prefix + path) for path in paths]
