"""A faster constructor for frozen, slotted dataclasses (such as :class:`engine.findings.Finding`).

A frozen dataclass's ``__init__`` assigns each field through ``object.__setattr__`` (assignment
is what "frozen" forbids). With 14 fields that is about half the cost of making a finding, and a
run can make tens of thousands. :func:`fast_constructor` writes, from ``dataclasses.fields(cls)``,
a function with the same keyword arguments and defaults that stores each field straight into its
slot (the slot's descriptor), then calls ``__post_init__`` if the class has one. The object is the
same as ``cls(...)`` would build: same type, same field values, equal, frozen.

It is written when called, from the class as it is then, so fields added to the class later need
no change here.
"""

from __future__ import annotations

import dataclasses
from typing import Callable


def fast_constructor(cls: type, positional: tuple[str, ...] = ()) -> Callable:
    """``make(*positional, **other fields) -> cls`` for a frozen dataclass declared with ``slots=True``.

    The fields named in ``positional`` come first, in that order, and may be passed by position
    (a little faster than by keyword); the others are keyword-only. Naming them keeps a call site
    right when fields are added to the class or reordered.
    """
    params = dataclasses.fields(cls)
    names = {field.name for field in params}
    if not set(positional) <= names:
        raise TypeError(f"{cls.__name__} has no field {sorted(set(positional) - names)[0]!r}")
    params = sorted(params, key=lambda field: positional.index(field.name) if field.name in positional else len(positional))
    if not all(name in vars(cls) for name in (field.name for field in params)) or "__slots__" not in vars(cls):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass")
    namespace: dict = {"_new": object.__new__, "_cls": cls, "_MISSING": dataclasses.MISSING}
    signature, body = [], ["    self = _new(_cls)"]
    for index, field in enumerate(params):
        if not field.init:
            raise TypeError(f"{cls.__name__}.{field.name}: init=False fields are not supported")
        namespace[f"_set_{index}"] = vars(cls)[field.name].__set__  # the slot's member descriptor
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{index}"] = field.default
            signature.append(f"{field.name}=_default_{index}")
            body.append(f"    _set_{index}(self, {field.name})")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{index}"] = field.default_factory
            signature.append(f"{field.name}=_MISSING")
            body.append(f"    _set_{index}(self, _factory_{index}() if {field.name} is _MISSING else {field.name})")
        else:
            signature.append(field.name)
            body.append(f"    _set_{index}(self, {field.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    body.append("    return self")
    first = ", ".join(signature[: len(positional)])
    rest = ", ".join(signature[len(positional):])
    arguments = ", ".join(part for part in (first, f"*, {rest}" if rest else "") if part)
    source = f"def make({arguments}):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<fast constructor of {cls.__name__}>", "exec"), namespace)  # noqa: S102 - source we wrote
    make = namespace["make"]
    make.__doc__ = f"Build a {cls.__name__} (same keyword arguments) without the frozen dataclass __init__."
    return make
