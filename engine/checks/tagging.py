"""``tagging`` — required tag keys and their allowed values.

What it does
    For each selected resource, checks that every required key is present with a non-empty
    value, and that values are allowed (a list, a regular expression, or a team of the ownership
    directory). Keys are matched ``exact``, ``case-insensitive`` or ``normalized`` (see
    :mod:`engine.tag_matching` for the precise rules, shared with the cost engine). A key that is
    missing but present with another spelling (``CostCenter`` for ``cost-center``) is reported as
    a near miss.

Why is this bad?
    Untagged resources cannot be allocated to a team or a cost center: their spend lands in the
    "unallocated" bucket that nobody owns, and showback and budgets stop adding up.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-allocation-tags
        title: Instances carry the allocation tags
        type: tagging
        severity: high
        resource:
          types: [compute.instance]
        parameters:
          environments:
            default: [prod, staging, dev]
        spec:
          match: normalized
          keys:
            - key: team
            - key: cost-center
              pattern: '^CC-[0-9]{4}$'
            - key: environment
              values: {param: environments}

Use instead
    Tag the resource with every required key, spelled as the policy spells it.

Options
    ``match``: ``exact`` (default), ``case-insensitive`` or ``normalized``.
    ``keys``: a list of rules, each with ``key``, ``required`` (default true), and optionally
    ``values`` (allowed values, exact), ``pattern`` (``re.search``) or ``known_team: true`` (the
    value must name a team of the ownership directory: an id, an alias or a member's email).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.checks.base import CheckContext, CheckSetupError, Report, ResourceCheck, Violation
from engine.tag_matching import WHITESPACE, find_tag, has_value, near_misses, normalize_key


@dataclass(frozen=True)
class KeyRule:
    key: str
    normalized: str
    required: bool
    values: frozenset | None
    values_list: tuple | None
    pattern: re.Pattern | None
    known_team: bool

    def expected(self) -> object:
        if self.values_list is not None:
            return {"values": list(self.values_list)}
        if self.pattern is not None:
            return {"pattern": self.pattern.pattern}
        if self.known_team:
            return "a team of the ownership directory"
        return "present" if self.required else "optional"


@dataclass(frozen=True)
class TaggingCheck:
    mode: str
    rules: tuple[KeyRule, ...]

    def bind(self, context: CheckContext) -> ResourceCheck:
        ownership = context.ownership
        if any(rule.known_team for rule in self.rules) and (ownership is None or not ownership.teams):
            raise CheckSetupError("known_team needs a team directory: give an ownership document (--ownership)")
        team_of = ownership.team_for_value if ownership is not None else (lambda value: None)
        explain = self._explain
        fast = tuple((r.key, r.required, r.values, r.pattern, r.known_team) for r in self.rules)
        exact = self.mode == "exact"

        def check(resource):
            tags = resource.get("tags") or {}
            for key, required, values, pattern, known in fast:
                value = tags.get(key)
                if value is None or value is False or (value is not True and not value.strip(WHITESPACE)):
                    if not exact:
                        # another spelling may match under this mode: the full rules decide
                        return explain(tags, team_of, only_if_failing=True)
                    if required:
                        return explain(tags, team_of)
                    continue
                # the exact spelling wins any collision, so its value is the one to check
                if values is not None and (value is True or value not in values):
                    return explain(tags, team_of)
                if pattern is not None and (value is True or not pattern.search(value)):
                    return explain(tags, team_of)
                if known and (value is True or team_of(value) is None):
                    return explain(tags, team_of)
            return None

        return check

    def _explain(self, tags: dict, team_of, only_if_failing: bool = False) -> Violation | None:
        missing: list[str] = []
        misses: dict[str, list[str]] = {}
        invalid: dict[str, dict] = {}
        collisions: dict[str, list[str]] = {}
        actual: dict[str, object] = {}
        for rule in self.rules:
            hit = find_tag(tags, rule.key, self.mode, rule.normalized)
            if hit is not None and hit.collisions:
                collisions[rule.key] = [hit.key, *hit.collisions]
            value = hit.value if hit is not None else None
            actual[rule.key] = value
            if hit is None or not has_value(value):
                if rule.required:
                    missing.append(rule.key)
                    found = [k for k in near_misses(tags, rule.key) if hit is None or k != hit.key]
                    if found:
                        misses[rule.key] = found
                continue
            problem = self._value_problem(rule, value, team_of)
            if problem:
                invalid[rule.key] = {"actual": value, "expected": rule.expected(), "reason": problem}
        if only_if_failing and not missing and not invalid:
            return None
        parts = []
        if missing:
            described = []
            for key in missing:
                if key in misses:
                    spelled = ", ".join(f"'{k}'" for k in misses[key])
                    described.append(f"{key} (found {spelled}: spelled differently)")
                else:
                    described.append(key)
            parts.append("missing tag" + ("s " if len(missing) > 1 else " ") + ", ".join(described))
        for key, detail in invalid.items():
            parts.append(f"tag {key}={_show(detail['actual'])} {detail['reason']}")
        evidence = {
            "actual": actual,
            "expected": {rule.key: rule.expected() for rule in self.rules},
            "missing": missing,
            "near_misses": misses,
            "invalid": invalid,
            "collisions": collisions,
            "match": self.mode,
        }
        return Violation("; ".join(parts), evidence)

    @staticmethod
    def _value_problem(rule: KeyRule, value: object, team_of) -> str | None:
        if value is True and (rule.values is not None or rule.pattern is not None or rule.known_team):
            return "has no value (key-only tag)"
        if rule.values is not None and value not in rule.values:
            return "is not an allowed value"
        if rule.pattern is not None and not rule.pattern.search(value):
            return f"does not match {rule.pattern.pattern}"
        if rule.known_team and team_of(value) is None:
            return "is not a team of the ownership directory"
        return None


def _show(value: object) -> str:
    return "(key only)" if value is True else repr(value)


def compile(spec: dict, report: Report) -> TaggingCheck | None:
    mode = spec.get("match", "exact")
    rules = []
    ok = True
    seen: dict[str, int] = {}
    for index, item in enumerate(spec.get("keys", [])):
        key = item["key"]
        normalized = normalize_key(key, mode)
        if normalized in seen:
            report(
                "E313",
                f"key '{key}' is listed twice (same as rule {seen[normalized]} under match '{mode}')",
                f"/keys/{index}/key",
                None,
            )
            ok = False
        seen[normalized] = index
        pattern = None
        if "pattern" in item:
            try:
                pattern = re.compile(item["pattern"])
            except re.error as exc:
                report("E302", f"invalid regular expression {item['pattern']!r}: {exc}", f"/keys/{index}/pattern", None)
                ok = False
        chosen = [name for name in ("values", "pattern", "known_team") if item.get(name)]
        if len(chosen) > 1:
            report("E314", f"use only one of values, pattern and known_team (found {', '.join(chosen)})", f"/keys/{index}", None)
            ok = False
        values = item.get("values")
        rules.append(
            KeyRule(
                key=key,
                normalized=normalized,
                required=item.get("required", True),
                values=frozenset(values) if values is not None else None,
                values_list=tuple(values) if values is not None else None,
                pattern=pattern,
                known_team=bool(item.get("known_team", False)),
            )
        )
    return TaggingCheck(mode, tuple(rules)) if ok else None
