"""Paths into a resource: JMESPath expressions, compiled once.

The common subset — a dotted chain of field names, quoted or not (``tags.team``,
``properties."instance-type"``) — becomes a direct dictionary lookup, which is ~30x faster than
``jmespath.search``. It returns exactly what JMESPath returns (a property-based test compares the
two): a field of something that is not an object is ``None``, and so is a missing field. Every
other expression is compiled once with ``jmespath.compile`` and evaluated with its ``search``.

Missing and null are the same to every operator (JMESPath cannot tell them apart either).
"""

from __future__ import annotations

from typing import Callable

import jmespath
from jmespath import exceptions as jmespath_exceptions

Getter = Callable[[object], object]


class PathError(ValueError):
    """A path that does not compile; the message is JMESPath's own."""


def field_chain(expression: str) -> tuple[str, ...] | None:
    """The keys of a plain field chain, or None when the expression needs JMESPath."""
    try:
        ast = jmespath.compile(expression).parsed
    except jmespath_exceptions.JMESPathError as exc:  # ParseError, LexerError
        raise PathError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    keys: list[str] = []

    def walk(node) -> bool:
        kind = node["type"]
        if kind == "field":
            keys.append(node["value"])
            return True
        if kind == "subexpression":
            return all(walk(child) for child in node["children"])
        return False

    return tuple(keys) if walk(ast) else None


def compile_path(expression: str) -> Getter:
    """A function from a resource to the value at ``expression``. Raises PathError."""
    keys = field_chain(expression)
    if keys is None:
        compiled = jmespath.compile(expression)
        return compiled.search
    if len(keys) == 1:
        (k1,) = keys

        def get1(obj):
            return obj.get(k1) if type(obj) is dict else None

        return get1
    if len(keys) == 2:
        k1, k2 = keys

        def get2(obj):
            if type(obj) is not dict:
                return None
            obj = obj.get(k1)
            return obj.get(k2) if type(obj) is dict else None

        return get2

    def getn(obj):
        for key in keys:
            if type(obj) is not dict:
                return None
            obj = obj.get(key)
        return obj

    return getn
