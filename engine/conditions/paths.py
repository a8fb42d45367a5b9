"""Paths into a resource: JMESPath expressions, compiled once.

The common subset — a dotted chain of field names, quoted or not (``tags.team``,
``properties."instance-type"``) — becomes a direct dictionary lookup, which is ~30x faster than
``jmespath.search``. It returns exactly what JMESPath returns (a property-based test compares the
two): a field of something that is not an object is ``None``, and so is a missing field.
``not_null(chain, chain, ...)`` of one or more such chains becomes "the first of these lookups
that is not ``None``", which is JMESPath's ``not_null`` (``false``, ``[]`` and ``{}`` are not null).
Every other expression is compiled once with ``jmespath.compile`` and evaluated with its ``search``.

Missing and null are the same to every operator (JMESPath cannot tell them apart either).
"""

from __future__ import annotations

from typing import Callable

import jmespath
from jmespath import exceptions as jmespath_exceptions
from jmespath.functions import Functions

from engine.errors import did_you_mean

Getter = Callable[[object], object]


MAX_NESTING = 50  # brackets, parentheses and braces inside each other (JMESPath's parser recurses on them)
MAX_DEPTH = 100  # levels of the parsed expression, but a plain field chain (read without JMESPath at any length)
FUNCTIONS = Functions().FUNCTION_TABLE  # name -> {"function", "signature"}: JMESPath's built-in functions


class PathError(ValueError):
    """A path that does not compile, names a function JMESPath lacks or gives one the wrong number of
    arguments, or is nested too deeply; the message is JMESPath's own where it has one."""


def _parse(expression: str) -> dict:
    nesting = _nesting(expression)
    if nesting > MAX_NESTING:
        raise PathError(f"brackets nested {nesting} deep; at most {MAX_NESTING}")
    try:
        ast = jmespath.compile(expression).parsed
    except jmespath_exceptions.JMESPathError as exc:  # ParseError, LexerError
        raise PathError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    except RecursionError:  # pragma: no cover - the nesting bound comes first
        raise PathError(f"nested too deeply; at most {MAX_NESTING} levels") from None
    if _chain(ast) is None:
        depth = _depth(ast)
        if depth > MAX_DEPTH:
            raise PathError(f"the expression is {depth} levels deep; at most {MAX_DEPTH}")
        _check_functions(ast)
    return ast


def _nesting(expression: str) -> int:
    """How deep ``(``, ``[`` and ``{`` nest in ``expression``, outside its quoted parts."""
    depth = deepest = 0
    quote = None
    escaped = False
    for char in expression:
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _depth(ast: dict) -> int:
    deepest = 0
    stack = [(ast, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node.get("children", ()) if isinstance(child, dict))
    return deepest


_SAME_CONTEXT = frozenset({"function_expression", "and_expression", "or_expression", "not_expression", "comparator",
                           "multi_select_list", "multi_select_dict", "key_val_pair"})
_LEFT_IN_CONTEXT = frozenset({"subexpression", "pipe", "projection", "value_projection", "filter_projection",
                              "index_expression", "flatten"})


def _check_functions(ast: dict) -> None:
    """PathError for a call of a function JMESPath does not have, with the wrong number of arguments, or with
    an argument that can never be of a type it takes (a literal, or a field of the resource itself whose type
    the canonical inventory schema fixes); JMESPath itself finds these only when the expression runs."""
    stack = [(ast, True)]  # (node, whether it is evaluated against the resource itself)
    while stack:
        node, on_resource = stack.pop()
        children = [child for child in node.get("children", ()) if isinstance(child, dict)]
        kind = node.get("type")
        if kind in _SAME_CONTEXT:
            stack.extend((child, on_resource) for child in children)
        elif kind in _LEFT_IN_CONTEXT:  # the right side runs on what the left gives (an element, a value)
            stack.extend((child, on_resource and index == 0) for index, child in enumerate(children))
        else:
            stack.extend((child, False) for child in children)
        if kind != "function_expression":
            continue
        name, given = node["value"], len(node["children"])
        entry = FUNCTIONS.get(name)
        if entry is None:
            hint = did_you_mean(name, FUNCTIONS)
            raise PathError(f"unknown function {name}()" + (f" ({hint})" if hint else f"; the functions are {', '.join(sorted(FUNCTIONS))}"))
        signature = entry["signature"]
        wanted = len(signature)
        if signature and signature[-1].get("variadic"):
            if given < wanted:
                raise PathError(f"function {name}() takes at least {_arguments(wanted)}, got {given}")
        elif given != wanted:
            raise PathError(f"function {name}() takes {_arguments(wanted)}, got {given}")
        if signature and on_resource:  # a field argument is the resource's own field only there
            _check_argument_types(name, signature, node["children"])


_JSON_TYPES = {"string": "string", "number": "number", "integer": "number", "boolean": "boolean", "array": "array",
               "object": "object", "null": "null"}


def _field_types() -> dict[str, frozenset]:
    """The JMESPath types each field of a canonical resource may hold (``schemas/inventory.schema.json``),
    null aside: ``{"name": {"string"}, "tags": {"object"}, ...}``; fields of any type are left out."""
    import json

    from engine.bundled import schemas_dir

    schema = json.loads((schemas_dir() / "inventory.schema.json").read_text(encoding="utf-8"))
    fields = {}
    for name, spec in schema["$defs"]["resource"]["properties"].items():
        given = spec.get("type", "string" if "enum" in spec and all(isinstance(v, str) for v in spec["enum"]) else None)
        if given is None:
            continue
        kinds = frozenset(_JSON_TYPES[kind] for kind in ([given] if isinstance(given, str) else given)) - {"null"}
        if kinds:
            fields[name] = kinds
    return fields


_FIELD_TYPES: dict[str, frozenset] | None = None


def _argument_types(node: dict) -> frozenset | None:
    """What a function argument can be, when the path alone tells: a literal, or a top-level field of the
    canonical resource (null aside); None when only a resource can tell."""
    global _FIELD_TYPES
    kind = node.get("type")
    if kind == "literal":
        value = node.get("value")
        return frozenset({"null" if value is None else "boolean" if isinstance(value, bool) else
                          "number" if isinstance(value, (int, float)) else "string" if isinstance(value, str) else
                          "array" if isinstance(value, list) else "object"})
    if kind == "field":
        if _FIELD_TYPES is None:
            _FIELD_TYPES = _field_types()
        return _FIELD_TYPES.get(node["value"])
    return None


def _check_argument_types(name: str, signature: list, arguments: list) -> None:
    """PathError when an argument can never be of a type the function takes (``abs(name)``: name is a string)."""
    for index, argument in enumerate(arguments):
        spec = signature[min(index, len(signature) - 1)]
        accepted = set(spec.get("types", ())) - {"expref"}
        if not accepted or "any" in accepted:
            continue
        accepted |= {"array"} if any(kind.startswith("array-") for kind in accepted) else set()
        found = _argument_types(argument)
        if found is not None and not found & accepted:
            what = f"'{argument['value']}'" if argument.get("type") == "field" else "the literal"
            raise PathError(f"function {name}() takes {' or '.join(sorted(spec['types']))} as argument {index + 1}; "
                            f"{what} is {' or '.join(sorted(found))}")


def _arguments(count: int) -> str:
    return f"{count} argument{'s' if count != 1 else ''}"


def _chain(ast: dict) -> tuple[str, ...] | None:
    """The keys of a plain field chain (``a.b."c d"``), or None; read without recursion (a chain may be long)."""
    keys: list[str] = []
    stack = [ast]
    while stack:
        node = stack.pop()
        kind = node["type"]
        if kind == "field":
            keys.append(node["value"])
        elif kind == "subexpression":
            stack.extend(reversed(node["children"]))
        else:
            return None
    return tuple(keys)


def field_chain(expression: str) -> tuple[str, ...] | None:
    """The keys of a plain field chain, or None when the expression needs JMESPath."""
    return _chain(_parse(expression))


def not_null_chains(expression: str) -> tuple[tuple[str, ...], ...] | None:
    """The field chains of ``not_null(chain, ...)`` (at least one argument, each a plain field chain),
    or None for any other expression."""
    ast = _parse(expression)
    if ast["type"] != "function_expression" or ast["value"] != "not_null" or not ast["children"]:
        return None
    chains = tuple(_chain(child) for child in ast["children"])
    return None if any(chain is None for chain in chains) else chains


def compile_path(expression: str) -> Getter:
    """A function from a resource to the value at ``expression``. Raises PathError."""
    keys = field_chain(expression)
    if keys is None:
        chains = not_null_chains(expression)
        if chains is not None:
            return _first_not_null(tuple(_chain_getter(chain) for chain in chains))
        compiled = jmespath.compile(expression)
        return compiled.search
    return _chain_getter(keys)


def _first_not_null(getters: tuple[Getter, ...]) -> Getter:
    def first_not_null(obj):
        for getter in getters:
            value = getter(obj)
            if value is not None:
                return value
        return None

    return first_not_null


def _chain_getter(keys: tuple[str, ...]) -> Getter:
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
