"""Resource selection for one run: which resources each policy's ``resource.types`` selects.

A policy selects a resource when the resource's ``class`` is one of its types, or its ``type``
(lower-cased) is (see :func:`selects_pair`). A :class:`ResourceIndex` groups the resources once per
run by their ``(type, class)`` pair — an inventory has a few dozen distinct pairs however many
resources it has — and then answers each policy from the pairs its types select, instead of
testing every resource again for every policy.

The result is what calling ``policy.selector()`` on each resource in turn gives, in inventory
order. Resources are plain dicts (see :mod:`engine.inventory.resource`).
"""

from __future__ import annotations

from itertools import chain


class ResourceIndex:
    """The resources of one evaluation and, per distinct set of types, the ones it selects."""

    def __init__(self, resources: list):
        self.resources = resources
        self._selections: dict[frozenset, list] = {}
        self._positions: dict[tuple, list[int]] | None = None  # (type, class) -> positions, in order

    def scan(self, policy, scan, emit) -> list:
        """``scan(resources, emit)`` (see :mod:`engine.checks.codegen`) over what ``policy`` selects."""
        return scan(self.select(policy), emit)

    def select(self, policy) -> list:
        """The resources ``policy`` selects, in inventory order (shared between policies: do not modify)."""
        types = policy.types
        if types is None:
            return self.resources
        selection = self._selections.get(types)
        if selection is None:
            selection = self._selections[types] = self._select(types)
        return selection

    def _select(self, types: frozenset) -> list:
        positions = self._group()
        if positions is None:  # a type or class that is not hashable (not from load_inventory): test each
            return [r for r in self.resources if selects_pair(types, (r.get("type"), r.get("class")))]
        runs = [run for key, run in positions.items() if selects_pair(types, key)]
        if not runs:
            return []
        if len(runs) == 1:
            (picked,) = runs
        else:  # each run is ascending: the sort merges them (Timsort finds the runs)
            picked = sorted(chain.from_iterable(runs))
        return list(map(self.resources.__getitem__, picked))

    def _group(self) -> dict[tuple, list[int]] | None:
        if self._positions is None:
            positions: dict[tuple, list[int]] = {}
            try:
                for position, resource in enumerate(self.resources):
                    key = (resource.get("type"), resource.get("class"))
                    run = positions.get(key)
                    if run is None:
                        positions[key] = [position]
                    else:
                        run.append(position)
            except TypeError:
                return None
            self._positions = positions
        return self._positions


def selects_pair(types: frozenset, key: tuple) -> bool:
    """Whether a resource with this ``(type, class)`` is selected by ``types`` (as ``Policy.selector``)."""
    rtype, rclass = key
    return (isinstance(rtype, str) and rtype.lower() in types) or (rclass is not None and rclass in types)
