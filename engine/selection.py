"""Resource selection for one run: which resources each policy's ``resource.types`` selects.

A policy selects a resource when the resource's ``class`` is one of its types, or its ``type``
(lower-cased) is (see :func:`selects_pair`). A :class:`ResourceIndex` reads each resource's
``(type, class)`` pair once per run — an inventory has a few dozen distinct pairs however many
resources it has — decides each distinct pair once per set of types, and picks the selected
resources in C (``itertools.compress``), instead of testing every resource in Python for every
policy. :meth:`ResourceIndex.blocks` does it a block of the inventory at a time, so that the
pairs are read just before the policies read the same resources (see ``engine.evaluator``).

The result is what calling ``policy.selector()`` on each resource in turn gives, in inventory
order. Resources are plain dicts (see :mod:`engine.inventory.resource`).
"""

from __future__ import annotations

from itertools import compress
from operator import itemgetter
from typing import Iterable, Iterator

_TYPE_AND_CLASS = itemgetter("type", "class")


class ResourceIndex:
    """The resources of one evaluation and, per distinct set of types, the ones it selects."""

    def __init__(self, resources: list):
        self.resources = resources
        self._selections: dict[frozenset, list] = {}
        self._decisions: dict[frozenset, _Decisions] = {}

    def select(self, policy) -> list:
        """The resources ``policy`` selects, in inventory order (shared between policies: do not modify)."""
        types = policy.types
        if types is None:
            return self.resources
        selection = self._selections.get(types)
        if selection is None:
            resources = self.resources
            selection = self._selections[types] = self._select(types, resources, _pairs(resources))
        return selection

    def blocks(self, type_sets: Iterable[frozenset | None], size: int) -> Iterator[dict]:
        """For each block of ``size`` inventory positions, in order: ``{types: the block's resources
        those types select, in order}`` for each of ``type_sets`` (None: all of the block's)."""
        type_sets = list(dict.fromkeys(type_sets))
        for start in range(0, len(self.resources), size):
            part = self.resources[start:start + size]
            pairs = _pairs(part)
            yield {types: part if types is None else self._select(types, part, pairs) for types in type_sets}

    def _select(self, types: frozenset, resources: list, pairs: list[tuple]) -> list:
        decisions = self._decisions.get(types)
        if decisions is None:
            decisions = self._decisions[types] = _Decisions(types)
        try:
            # the resources whose pair is selected: compress and map run in C, one dict lookup a resource
            return list(compress(resources, map(decisions.__getitem__, pairs)))
        except TypeError:  # a type or class that is not hashable (not from load_inventory): test each
            return [r for r, pair in zip(resources, pairs) if selects_pair(types, pair)]


class _Decisions(dict):
    """``(type, class) -> selected`` for one set of types, decided on first sight of each pair."""

    __slots__ = ("types",)

    def __init__(self, types: frozenset):
        super().__init__()
        self.types = types

    def __missing__(self, pair: tuple) -> bool:
        hit = self[pair] = selects_pair(self.types, pair)
        return hit


def _pairs(resources: list) -> list[tuple]:
    """Each resource's ``(type, class)``, in order."""
    try:
        return list(map(_TYPE_AND_CLASS, resources))  # a canonical resource has both keys
    except (KeyError, TypeError):
        return [(r.get("type"), r.get("class")) for r in resources]


def selects_pair(types: frozenset, key: tuple) -> bool:
    """Whether a resource with this ``(type, class)`` is selected by ``types`` (as ``Policy.selector``)."""
    rtype, rclass = key
    return (isinstance(rtype, str) and rtype.lower() in types) or (isinstance(rclass, str) and rclass in types)
