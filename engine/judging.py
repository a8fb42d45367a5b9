"""Whether a policy could judge a planned resource: the values it reads, and which of them are unknown.

A Terraform plan leaves some values to be known only after apply (``change.unknown``, see
:mod:`engine.plans.marks`). A policy that reads such a value cannot say anything about the
resource yet: an open tag map has no missing key, an unknown size is no wrong size. The evaluator
asks :func:`unknown_reads` for each finding and each evaluation error on a planned resource with
unknown values, and moves those the policy could not judge out of the findings into the run's
notes (``Result.not_judged``), without touching the checks themselves.

What a policy reads is derived from its substituted ``spec`` and its ``resource.where``, one
function per inventory policy type in :data:`READS`:

* ``tagging``: the tags of its keys (``tags.team``), matched as the policy matches keys
  (``exact``, ``case-insensitive``, ``normalized``): a tag map that is unknown as a whole holds
  every key;
* ``condition``, ``waste``: the field chains of the paths in ``fail_if`` (``properties.x[0].y``
  reads ``properties.x`` and all inside it; a path through a function or a filter reads every
  chain it names; ``@`` reads the whole resource);
* ``rightsizing``: ``size`` and ``utilization``; ``previous-generation``: ``size``.

A path is unknown when the value at it, a value around it or a value inside it is unknown
(:func:`engine.plans.is_unknown`). The rule is deliberately wide: a finding on a resource with any
unknown value the policy reads is not reported, even when the known values alone would fail it.
"""

from __future__ import annotations

from typing import Callable

import jmespath
from jmespath.exceptions import JMESPathError

from engine.plans import is_unknown, unknown_tags
from engine.tag_matching import normalize_key

Path = tuple  # keys of a resource, ("tags", "team"); () is the whole resource
UnknownReads = Callable[[dict], tuple[str, ...]]  # resource -> the dotted paths it reads that are unknown


def field_chains(expression: str) -> list[Path]:
    """The field chains a JMESPath expression reads from the resource it is applied to.

    ``tags.team`` reads ``("tags", "team")``; ``properties.disks[0].size`` reads
    ``("properties", "disks")`` (everything inside counts); ``length(tags)`` reads ``("tags",)``;
    ``@`` or an expression that does not parse reads the whole resource, ``()``.
    """
    try:
        ast = jmespath.compile(expression).parsed
    except JMESPathError:
        return [()]
    chains: list[Path] = []
    _chains(ast, chains)
    return chains


_LEFT_FIRST = ("index_expression", "projection", "value_projection", "filter_projection", "flatten", "pipe")


def _chains(node: dict, out: list[Path]) -> None:
    """The chains ``node`` reads from the current value, added to ``out``."""
    lead = _lead(node)
    if lead is not None:
        out.append(lead[0])
    elif node.get("type") not in ("literal", "index", "slice", "raw_string"):
        # functions, comparators, and/or/not, multi-select lists and hashes: what every child reads
        for child in node.get("children") or []:
            if isinstance(child, dict):
                _chains(child, out)


def _lead(node: dict) -> tuple[Path, bool] | None:
    """The plain field chain a path starts with, and whether that is all of it; None when it starts
    with something else (a function, a literal). What follows the chain (an index, a projection, a
    filter) reads only values inside it, which the chain covers."""
    kind = node.get("type")
    if kind == "field":
        return (node["value"],), True
    if kind in ("current", "identity"):
        return (), False
    if kind == "subexpression":  # a.b.c: n-ary in jmespath's AST
        chain: Path = ()
        for child in node["children"]:
            part = _lead(child)
            if part is None:
                return (chain, False) if chain else None
            chain += part[0]
            if not part[1]:
                return chain, False
        return chain, True
    if kind in _LEFT_FIRST:  # the left side is read from the current value; the rest from what it gives
        part = _lead(node["children"][0])
        return (part[0], False) if part is not None else None
    return None


def condition_paths(condition: object) -> list[str]:
    """The ``path`` of every leaf of a condition tree as written in a spec (``all`` / ``any`` / ``not``)."""
    found: list[str] = []
    stack = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("path"), str):
                found.append(node["path"])
            for connective in ("all", "any"):
                if isinstance(node.get(connective), list):
                    stack.extend(node[connective])
            if "not" in node:
                stack.append(node["not"])
    return found


def _dotted(path: Path) -> str:
    return ".".join(str(key) for key in path) or "(the whole resource)"


def _paths_reader(paths: list[Path]) -> UnknownReads:
    unique = sorted(set(paths))

    def unknown(resource: dict) -> tuple[str, ...]:
        return tuple(_dotted(path) for path in unique if is_unknown(resource, path))

    return unknown


def _condition_reads(policy) -> list[Path]:
    return [chain for path in condition_paths(policy.spec.get("fail_if")) for chain in field_chains(path)]


def _tagging(policy, where: list[Path]) -> UnknownReads:
    mode = policy.spec.get("match", "exact")
    keys = {normalize_key(rule["key"], mode) for rule in policy.spec.get("keys") or () if isinstance(rule, dict)
            and isinstance(rule.get("key"), str)}
    others = _paths_reader(where)

    def unknown(resource: dict) -> tuple[str, ...]:
        tags = unknown_tags(resource)
        if tags is True:
            found: tuple[str, ...] = ("tags",)
        else:
            found = tuple(f"tags.{key}" for key in sorted(tags) if normalize_key(key, mode) in keys)
        return found + others(resource)

    return unknown


def _fixed(*paths: Path):
    def reads(policy, where: list[Path]) -> UnknownReads:
        return _paths_reader([*paths, *where])
    return reads


def _conditions(policy, where: list[Path]) -> UnknownReads:
    return _paths_reader([*_condition_reads(policy), *where])


# inventory policy type -> (policy, the chains of its resource.where) -> its UnknownReads
READS: dict[str, Callable] = {
    "tagging": _tagging,
    "condition": _conditions,
    "waste": _conditions,
    "rightsizing": _fixed(("size",), ("utilization",)),
    "previous-generation": _fixed(("size",)),
}


def unknown_reads(policy) -> UnknownReads:
    """``resource -> the paths the policy reads that are unknown`` (empty: the policy could judge it).

    A policy type missing from :data:`READS` reads the whole resource: any unknown value stops it.
    """
    where = [chain for leaf in (policy.where.leaves if policy.where is not None else ()) for chain in field_chains(leaf.path)]
    make = READS.get(policy.type)
    if make is None:
        return _paths_reader([()])
    return make(policy, where)
