"""Faster construction of frozen, slotted dataclasses (such as :class:`engine.findings.Finding`).

A frozen dataclass's ``__init__`` assigns each field through ``object.__setattr__`` (assignment
is what "frozen" forbids). With 17 fields that is most of the cost of making a finding, and a
run can make tens of thousands. :func:`fast_constructor` writes, from ``dataclasses.fields(cls)``,
a function with the same arguments and defaults that fills the object's slots faster, then calls
``__post_init__`` if the class has one. The object is the same as ``cls(...)`` would build: same
type, same field values, equal, frozen. :func:`build_statements` gives the statements alone, for
code that builds such objects inline (the evaluator's finding maker).

How the slots are filled: the object is made as an instance of a *draft* class, a plain class
with the same ``__slots__`` in the same order (so the same memory layout) and no ``__setattr__``
of its own, where each assignment is the interpreter's ordinary, specialised slot store; when
every field is set, its ``__class__`` becomes ``cls`` — CPython allows that between two classes
of identical layout, and checks it. Where it does not hold (another interpreter, a layout the
check refuses), each field is stored through its slot's descriptor instead, as before: about
three times slower, same object.

It is written when called, from the class as it is then, so fields added to the class later need
no change here.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from engine.codegen import define


def fast_constructor(cls: type, positional: tuple[str, ...] = ()) -> Callable:
    """``make(*positional, **other fields) -> cls`` for a frozen dataclass declared with ``slots=True``.

    The fields named in ``positional`` come first, in that order, and may be passed by position
    (a little faster than by keyword); the others are keyword-only. Naming them keeps a call site
    right when fields are added to the class or reordered.
    """
    params = _fields(cls)
    names = {field.name for field in params}
    if not set(positional) <= names:
        raise TypeError(f"{cls.__name__} has no field {sorted(set(positional) - names)[0]!r}")
    params = sorted(params, key=lambda field: positional.index(field.name) if field.name in positional else len(positional))
    namespace: dict = {"_MISSING": dataclasses.MISSING}
    signature, values = [], {}
    for index, field in enumerate(params):
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{index}"] = field.default
            signature.append(f"{field.name}=_default_{index}")
            values[field.name] = field.name
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{index}"] = field.default_factory
            signature.append(f"{field.name}=_MISSING")
            values[field.name] = f"_factory_{index}() if {field.name} is _MISSING else {field.name}"
        else:
            signature.append(field.name)
            values[field.name] = field.name
    body, constants = build_statements(cls, values)
    namespace.update(constants)
    first = ", ".join(signature[: len(positional)])
    rest = ", ".join(signature[len(positional):])
    arguments = ", ".join(part for part in (first, f"*, {rest}" if rest else "") if part)
    source = f"def make({arguments}):\n" + "".join(f"    {line}\n" for line in [*body, "return self"])
    make = define(f"fast constructor of {cls.__name__}", source, namespace)["make"]
    make.__doc__ = f"Build a {cls.__name__} (same keyword arguments) without the frozen dataclass __init__."
    return make


def build_statements(cls: type, values: dict[str, str], target: str = "self") -> tuple[list[str], dict]:
    """Statements that build a ``cls`` into the variable ``target``, and the names they need.

    ``values`` maps fields to Python expressions; a field left out takes its default (a field
    without one must be given). The expressions are evaluated in field order. The names the
    statements need besides those of the expressions start with ``_fast_`` (put them in the
    namespace the code runs in).
    """
    params = _fields(cls)
    names = {field.name for field in params}
    unknown = set(values) - names
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
    draft = _draft_class(cls)
    namespace: dict = {"_fast_cls": cls, "_fast_draft": draft, "_fast_new": object.__new__}
    lines = [f"{target} = _fast_draft()" if draft is not None else f"{target} = _fast_new(_fast_cls)"]
    for index, field in enumerate(params):
        value = values.get(field.name)
        if value is None:
            if field.default is not dataclasses.MISSING:
                namespace[f"_fast_default_{index}"] = field.default
                value = f"_fast_default_{index}"
            elif field.default_factory is not dataclasses.MISSING:
                namespace[f"_fast_factory_{index}"] = field.default_factory
                value = f"_fast_factory_{index}()"
            else:
                raise TypeError(f"{cls.__name__}.{field.name} has no default: give it a value")
        if draft is not None:
            lines.append(f"{target}.{field.name} = {value}")
        else:
            namespace[f"_fast_set_{index}"] = vars(cls)[field.name].__set__  # the slot's member descriptor
            lines.append(f"_fast_set_{index}({target}, {value})")
    if draft is not None:
        lines.append(f"{target}.__class__ = _fast_cls")
    if hasattr(cls, "__post_init__"):
        lines.append(f"{target}.__post_init__()")
    return lines, namespace


def _fields(cls: type) -> tuple:
    params = dataclasses.fields(cls)
    if not all(field.name in vars(cls) for field in params) or "__slots__" not in vars(cls):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass")
    for field in params:
        if not field.init:
            raise TypeError(f"{cls.__name__}.{field.name}: init=False fields are not supported")
    return params


def _draft_class(cls: type) -> type | None:
    """A plain class with the slots of ``cls``, whose instances can become ``cls`` instances; None if not."""
    slots = vars(cls)["__slots__"]
    if isinstance(slots, str) or cls.__bases__ != (object,) or "__weakref__" in vars(cls) or "__dict__" in vars(cls):
        return None
    draft = type(f"_Draft{cls.__name__}", (), {"__slots__": tuple(slots), "__module__": __name__})
    try:
        probe = draft()
        probe.__class__ = cls  # raises TypeError unless the layouts are the same
    except TypeError:
        return None
    return draft
