"""``tagging`` — required tag keys and their allowed values.

What it does
    For each selected resource, checks that every required key is present with a non-empty
    value, and that values are allowed (a list, a regular expression, or a team of the ownership
    directory). Keys are matched ``exact``, ``case-insensitive`` or ``normalized`` (see
    :mod:`engine.tag_matching` for the precise rules, shared with the cost engine). A key that is
    missing but present with another spelling (``CostCenter`` for ``cost-center``) is reported as
    a near miss.

Why is this bad?
    Untagged resources cannot be allocated to a team or a cost center: their spend is unallocated
    (it carries no allocation tags), and showback and budgets stop adding up.

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
    ``values`` (allowed values, exact), ``pattern`` (an RE2 regular expression that must match somewhere in the value, see :mod:`engine.conditions.patterns`) or ``known_team: true`` (the
    value must name a team of the ownership directory: an id, an alias or a member's email).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.codegen import compile_check, literal
from engine.conditions.patterns import Pattern, PatternError, compile_pattern
from engine.errors import CheckSkipped
from engine.violations import Violation

from engine.tag_matching import WHITESPACE, find_tag, has_value, loose_key, normalize_key


@dataclass(frozen=True)
class KeyRule:
    key: str
    normalized: str
    required: bool
    values: frozenset | None
    values_list: tuple | None
    pattern: Pattern | None
    known_team: bool

    def expected(self) -> object:
        if self.values_list is not None:
            return {"values": list(self.values_list)}
        if self.pattern is not None:
            return {"pattern": self.pattern.text}
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
            raise CheckSkipped("needs a team directory (--ownership) for known_team")
        team_of = ownership.team_for_value if ownership is not None else (lambda value: None)
        # the check's values are strings (they passed .strip()): decide each distinct one once
        explain, explain_plain = self._explainer(team_of)
        constants = {"explain": explain, "explain_plain": explain_plain, "team_of": _Memo(team_of),
                     "WHITESPACE": WHITESPACE}
        for index, rule in enumerate(self.rules):
            constants[f"values_{index}"] = rule.values
            constants[f"search_{index}"] = rule.pattern.search if rule.pattern is not None else None
        return self._factory(**constants)

    @cached_property
    def _factory(self):
        """``make(explain, team_of, ...) -> check``: Python source written for these rules, compiled once.

        The check tries the fast path: the key spelled exactly as the rule spells it, one rule after
        the other, unrolled (see :mod:`engine.codegen`). Anything else — a failing resource, or
        under ``case-insensitive`` / ``normalized`` a key not found as spelled — goes to ``explain``,
        which applies the full rules and builds the evidence.
        """
        exact = self.mode == "exact"
        names = ["explain", "explain_plain", "team_of", "WHITESPACE"]
        for index in range(len(self.rules)):
            names += [f"values_{index}", f"search_{index}"]

        def body(verdict) -> list[str]:
            # in a scan, the violation is given plain (see engine.codegen)
            call = "explain_plain" if verdict.plain else "explain"
            lines = ["tags = resource.get('tags') or {}"]
            for index, rule in enumerate(self.rules):
                if not exact:
                    # another spelling may match under this mode: the full rules decide
                    on_missing = verdict(f"{call}(tags, True)", True)
                else:
                    on_missing = verdict(f"{call}(tags)") if rule.required else ["pass"]
                on_invalid = verdict(f"{call}(tags)")
                # the exact spelling wins any collision, so its value is the one to check
                tests = []
                if rule.values is not None:
                    tests.append(f"value not in values_{index}")
                if rule.pattern is not None:
                    tests.append(f"not search_{index}(value)")
                if rule.known_team:
                    tests.append("team_of[value] is None")
                lines.append(f"value = tags.get({literal(rule.key)})")
                # a string value, the usual case: blank means missing, else the value tests
                lines.append("if value.__class__ is str:")
                if exact and rule.required:  # missing and invalid lead to the same explanation
                    if tests == [f"value not in values_{index}"] and all(v.strip(WHITESPACE) for v in rule.values):
                        lines.append(f"    if value not in values_{index}:")  # a blank value is not an allowed one
                    else:
                        lines.append(f"    if {' or '.join(['not value.strip(WHITESPACE)', *tests])}:")
                    lines += ["        " + line for line in on_invalid]
                else:
                    lines += ["    if not value.strip(WHITESPACE):", *("        " + line for line in on_missing)]
                    if tests:
                        lines += [f"    elif {' or '.join(tests)}:", *("        " + line for line in on_invalid)]
                # anything else: None or False is missing, True (key only) fails any value test
                lines += [
                    "elif value is None or value is False or (value is not True and not value.strip(WHITESPACE)):",
                    *("    " + line for line in on_missing),
                ]
                if tests:
                    lines += ["elif value is True:", *("    " + line for line in on_invalid)]
                    # (any other value: one whose strip() held, tested as a string would be)
                    lines += [f"elif {' or '.join(tests)}:", *("    " + line for line in on_invalid)]
            return lines

        return compile_check(f"tagging check ({self.mode})", names, body)

    def _explainer(self, team_of):
        """``explain(tags, only_if_failing=False) -> Violation | None`` and ``explain_plain``, the same
        giving the violation plain, ``(message, evidence)`` (for scans): the tagging decision in plain
        Python (:class:`Explanation`)."""
        decide = Explanation(self, team_of).decide

        def explain(tags, only_if_failing=False):
            found = decide(tags, only_if_failing)
            return None if found is None else Violation(*found)

        return explain, decide

    @staticmethod
    def _value_problem(rule: KeyRule, value: object, team_of) -> str | None:
        if value is True and (rule.values is not None or rule.pattern is not None or rule.known_team):
            return "has no value (key-only tag)"
        if rule.values is not None and value not in rule.values:
            return "is not an allowed value"
        if rule.pattern is not None and not rule.pattern.search(value):
            return f"does not match {rule.pattern.text}"
        if rule.known_team and team_of(value) is None:
            return "is not a team of the ownership directory"
        return None


class Explanation:
    """The tagging decision for one run, in plain Python: whether a resource's tags fail the rules, and
    the finding's message and evidence when they do. The generated fast path of the check
    (:meth:`TaggingCheck._factory`) hands every resource it cannot pass on its own to :meth:`decide`,
    and a differential test holds the two to the same answers.

    Per key rule, in order: find the resource's key that matches (:func:`engine.tag_matching.find_tag`:
    the exact spelling under ``exact``; otherwise the keys with the same form, the exact spelling or
    else the smallest winning, the others being collisions), then its value: missing or blank
    (:func:`~engine.tag_matching.has_value`; with near misses when the rule is required), or a value
    problem (:meth:`TaggingCheck._value_problem`). Work that depends on a key only (its form under the
    mode, its near-miss form) is done once per distinct key in a run. The ``expected`` parts of the
    evidence are built once and shared by the findings of the run, and so is one empty dict for the
    ``near_misses``, ``invalid`` and ``collisions`` that stay empty (evidence is frozen by convention:
    see docs/python-api.md).
    """

    def __init__(self, check: TaggingCheck, team_of):
        self.check, self.team_of = check, team_of
        self.exact = check.mode == "exact"
        self.expected = {rule.key: rule.expected() for rule in check.rules}
        # per rule: the rule, its near-miss form, and whether its value has anything to pass
        self.rules = tuple((rule, loose_key(rule.key), rule.values is not None or rule.pattern is not None or rule.known_team)
                           for rule in check.rules)
        self.form = _Memo(lambda key: normalize_key(key, check.mode))
        self.near = _near_misses()
        self.empty: dict = {}  # shared by the findings of the run whose near_misses, invalid or collisions are empty

    def decide(self, tags: dict, only_if_failing: bool = False) -> tuple[str, dict] | None:
        """``(message, evidence)`` for ``tags``; None when they pass and ``only_if_failing``."""
        check, empty, exact, near, present = self.check, self.empty, self.exact, self.near, has_value
        missing: list[str] = []
        misses = invalid = collisions = empty
        values = []
        if not exact:  # the resource's keys by their form under this mode, in tag order
            spellings: dict[str, list] = {}
            form = self.form
            for key in tags:
                same = spellings.get(form[key])
                if same is None:
                    spellings[form[key]] = [key]
                else:
                    same.append(key)
        for rule, loose, tested in self.rules:
            if exact:
                hit, value = rule.key, tags.get(rule.key)  # an absent key reads None, as a key holding None
            else:
                matches = spellings.get(rule.normalized)
                if matches is None:
                    hit = value = None
                elif len(matches) == 1:
                    hit = matches[0]
                    value = tags[hit]
                else:  # a collision: find_tag's rule picks the key
                    found = find_tag({key: tags[key] for key in matches}, rule.key, check.mode, rule.normalized)
                    hit, value = found.key, found.value
                    collisions = {} if collisions is empty else collisions
                    collisions[rule.key] = [hit, *found.collisions]
            values.append(value)
            if not present(value):
                if rule.required:
                    missing.append(rule.key)
                    spelled = near(tags, loose, hit)
                    if spelled:
                        misses = {} if misses is empty else misses
                        misses[rule.key] = spelled
            elif tested:
                problem = TaggingCheck._value_problem(rule, value, self.team_of)
                if problem is not None:
                    invalid = {} if invalid is empty else invalid
                    invalid[rule.key] = {"actual": value, "expected": self.expected[rule.key], "reason": problem}
        if only_if_failing and not missing and invalid is empty:
            return None
        evidence = {"actual": dict(zip(self.expected, values)), "expected": self.expected, "missing": missing,
                    "near_misses": misses, "invalid": invalid, "collisions": collisions, "match": check.mode}
        return _message(missing, misses, invalid, collisions, tags), evidence


class _Memo(dict):
    """A dict that computes a missing entry with ``function`` and keeps it (per-key work, once per run)."""

    __slots__ = ("function",)

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = self.function(key)
        return value


def _near_misses():
    """``near(tags, wanted, hit) -> sorted keys | None``: near misses (:func:`engine.tag_matching.near_misses`)
    from an index of the keys seen in a run.

    The keys of ``tags`` whose loose form is ``wanted``, but ``hit``, sorted; None when there are none.
    Every distinct tag key is put once under its loose form; the near misses of a resource are then
    the keys it shares with the wanted form's entry, found by set operations instead of a loop over
    its keys.
    """
    seen: set = set()
    by_form: dict[str, set] = {}
    known = seen.issuperset

    def near(tags: dict, wanted: str, hit: str | None) -> list[str] | None:
        if not known(tags):  # (iterating a dict gives its keys)
            new = tags.keys() - seen
            for key in new:
                by_form.setdefault(loose_key(key), set()).add(key)
            seen.update(new)
        same = by_form.get(wanted)
        if same:
            found = tags.keys() & same  # iterates the smaller of the two
            if found:
                found.discard(hit)
                if found:
                    return sorted(found)
        return None

    return near


def _message(missing: list, misses: dict, invalid: dict, collisions: dict | None = None, tags: dict | None = None) -> str:
    """The finding's message: missing keys (with near misses), then each invalid value.

    A key of the message whose value a collision decided (``collisions``: rule key -> [winning key,
    others...], with the resource's ``tags``) names the other spellings and their values, and the
    winner: ``tag team='a' is not an allowed value (also tagged Team='b'; TEAM wins)``; the colliding
    keys are not listed again as near misses (the evidence keeps both lists as they are).
    """
    if len(missing) == 1 and not invalid and not collisions:  # the usual case, written out
        key = missing[0]
        found = misses.get(key)
        return "missing tag " + (key + " (found '" + "', '".join(found) + "': spelled differently)" if found else key)
    parts = []
    if missing:
        if collisions:
            described = ", ".join([_missing_with_collision(key, misses, collisions, tags) for key in missing])
        elif misses:
            described = ", ".join([
                key + " (found '" + "', '".join(misses[key]) + "': spelled differently)" if key in misses else key
                for key in missing
            ])
        else:
            described = ", ".join(missing)
        parts.append(("missing tags " if len(missing) > 1 else "missing tag ") + described)
    for key, detail in invalid.items():
        parts.append(f"tag {key}={_show(detail['actual'])} {detail['reason']}" + _collision(key, collisions, tags))
    return "; ".join(parts)


def _missing_with_collision(key: str, misses: dict, collisions: dict, tags: dict) -> str:
    """A missing key, its near misses other than the keys it collided with, then the collision."""
    collided = collisions.get(key, ())
    found = [other for other in misses.get(key, ()) if other not in collided]
    return key + (" (found '" + "', '".join(found) + "': spelled differently)" if found else "") + _collision(key, collisions, tags)


def _collision(key: str, collisions: dict | None, tags: dict | None) -> str:
    """`` (also tagged Owner='carol'; owner wins)`` when a collision decided ``key``'s value, else ``""``."""
    entry = collisions.get(key) if collisions else None
    if not entry:
        return ""
    winner, *others = entry
    also = ", ".join(f"{_key(other)}={_show(tags[other])}" for other in others)
    return f" (also tagged {also}; {_key(winner)} wins)"


def _key(key: str) -> str:
    """A tag key as written in a message: quoted when its edges are blank (`` owner`` under normalized)."""
    return key if key and key.strip() == key else repr(key)


def _show(value: object) -> str:
    return "(key only)" if value is True else repr(value)


def compile_spec(spec: dict, report: Report) -> TaggingCheck | None:
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
                pattern = compile_pattern(item["pattern"])
            except PatternError as exc:
                report("E302", f"invalid regular expression {item['pattern']!r}: {exc}", f"/keys/{index}/pattern", exc.hint)
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
