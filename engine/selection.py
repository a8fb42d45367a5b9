"""Resource selection for one run: which resources each policy's ``resource.types`` selects.

A policy selects a resource when the resource's ``class`` is one of its types, or its ``type``
(lower-cased) is (see :func:`selects_pair`). A :class:`ResourceIndex` makes one pass over the
resources per distinct set of types — policies that name the same types share it — instead of one
selector call per (policy × resource). The pass tests the class first (``class`` values are shared
strings from a small vocabulary) and decides each distinct ``type`` value once.

The result is what calling ``policy.selector()`` on each resource in turn gives, in inventory
order. Resources are plain dicts (see :mod:`engine.inventory.resource`).
"""

from __future__ import annotations


class TypeSelects(dict):
    """``type value -> bool`` for one set of types, computed on first sight of each value."""

    __slots__ = ("types",)

    def __init__(self, types: frozenset):
        super().__init__()
        self.types = types

    def __missing__(self, rtype):
        hit = self[rtype] = isinstance(rtype, str) and rtype.lower() in self.types
        return hit


class ResourceIndex:
    """The resources of one evaluation and, per distinct set of types, the ones it selects."""

    def __init__(self, resources: list, policies: list = ()):
        self.resources = resources
        self._selections: dict[frozenset, list] = {}
        self._sharing: dict[frozenset, int] = {}  # how many policies name each set of types
        for policy in policies:
            if policy.types is not None:
                self._sharing[policy.types] = self._sharing.get(policy.types, 0) + 1

    def scan(self, policy, scan, emit) -> list:
        """``scan(resources, types, emit)`` (see :mod:`engine.checks.codegen`) over what ``policy`` selects.

        A set of types that only this policy names is selected inside the scan, in the same pass;
        one that several policies name is selected once, into a list they share.
        """
        types = policy.types
        if types is None:
            return scan(self.resources, None, emit)
        if types in self._selections or self._sharing.get(types, 0) > 1:
            return scan(self.select(policy), None, emit)
        return scan(self.resources, types, emit)

    def select(self, policy) -> list:
        """The resources ``policy`` selects, in inventory order (shared between policies: do not modify)."""
        types = policy.types
        if types is None:
            return self.resources
        selection = self._selections.get(types)
        if selection is None:
            # types holds only strings, so `None in types` is False, as selects_pair's `is not None` test
            by_type = TypeSelects(types)
            selection = [r for r in self.resources if r.get("class") in types or by_type[r.get("type")]]
            self._selections[types] = selection
        return selection


def selects_pair(types: frozenset, key: tuple) -> bool:
    """Whether a resource with this ``(type, class)`` is selected by ``types`` (as ``Policy.selector``)."""
    rtype, rclass = key
    return (isinstance(rtype, str) and rtype.lower() in types) or (rclass is not None and rclass in types)
