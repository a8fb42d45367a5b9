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
        self._selections: dict[frozenset, tuple[list, list[int]]] = {}  # types -> (resources, their positions)
        self._groups: dict[tuple, list[int]] | None = None  # (type, class) -> positions, in order

    def select(self, policy) -> list:
        """The resources ``policy`` selects, in inventory order (shared between policies: do not modify)."""
        return self.resources if policy.types is None else self._selection(policy.types)[0]

    def positions(self, policy) -> list[int] | None:
        """The inventory positions of :meth:`select`'s resources, ascending (None: all, the selection is the inventory)."""
        return None if policy.types is None else self._selection(policy.types)[1]

    def _selection(self, types: frozenset) -> tuple[list, list[int]]:
        selection = self._selections.get(types)
        if selection is None:
            picked = self._pick(types)
            selection = self._selections[types] = (list(map(self.resources.__getitem__, picked)), picked)
        return selection

    def _pick(self, types: frozenset) -> list[int]:
        groups = self._group()
        if groups is None:  # a type or class that is not hashable (not from load_inventory): test each
            return [i for i, r in enumerate(self.resources) if selects_pair(types, (r.get("type"), r.get("class")))]
        runs = [run for key, run in groups.items() if selects_pair(types, key)]
        if len(runs) <= 1:
            return runs[0] if runs else []
        return sorted(chain.from_iterable(runs))  # each run is ascending: the sort merges them (Timsort finds the runs)

    def _group(self) -> dict[tuple, list[int]] | None:
        if self._groups is None:
            groups: dict[tuple, list[int]] = {}
            try:
                for position, resource in enumerate(self.resources):
                    key = (resource.get("type"), resource.get("class"))
                    run = groups.get(key)
                    if run is None:
                        groups[key] = [position]
                    else:
                        run.append(position)
            except TypeError:
                return None
            self._groups = groups
        return self._groups


def selects_pair(types: frozenset, key: tuple) -> bool:
    """Whether a resource with this ``(type, class)`` is selected by ``types`` (as ``Policy.selector``)."""
    rtype, rclass = key
    return (isinstance(rtype, str) and rtype.lower() in types) or (rclass is not None and rclass in types)
