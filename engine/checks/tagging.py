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
    ``values`` (allowed values, exact), ``pattern`` (an RE2 regular expression that must match somewhere in the value, see :mod:`engine.conditions.patterns`) or ``known_team: true`` (the
    value must name a team of the ownership directory: an id, an alias or a member's email).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import cached_property

from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.checks.codegen import compile_check
from engine.conditions.patterns import Pattern, PatternError, compile_pattern
from engine.errors import CheckSkipped
from engine.violations import Violation

_VIOLATION_DEFAULTS = ", ".join(repr(Violation._field_defaults[name]) for name in Violation._fields[2:])
from engine.tag_matching import WHITESPACE, loose_key, normalize_key


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
        the other, unrolled (see :mod:`engine.checks.codegen`). Anything else — a failing resource, or
        under ``case-insensitive`` / ``normalized`` a key not found as spelled — goes to ``explain``,
        which applies the full rules and builds the evidence.
        """
        exact = self.mode == "exact"
        names = ["explain", "explain_plain", "team_of", "WHITESPACE"]
        for index in range(len(self.rules)):
            names += [f"values_{index}", f"search_{index}"]

        def body(verdict) -> list[str]:
            # in a scan, the violation is given plain (see engine.checks.codegen)
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
                lines.append(f"value = tags.get({rule.key!r})")
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
        """``explain(tags, only_if_failing=False) -> Violation | None``: the full rules and the evidence;
        and ``explain_plain``, the same giving the violation plain, ``(message, evidence)`` (for scans).

        The rules of :func:`engine.tag_matching.find_tag` and :func:`~engine.tag_matching.near_misses`
        and the value rules, written out per key rule like the check (see :meth:`_explain_factory`).
        The per-key work (a key's form under the mode, its loose form) is done once per distinct key
        in a run. The ``expected`` parts of the evidence are built once and shared by the findings of
        the run, and so is one empty dict for the ``near_misses``, ``invalid`` and ``collisions`` that
        stay empty (evidence is frozen by convention: see the README's Python API).
        """
        mode = self.mode
        constants = {
            "team_of": team_of,
            "WHITESPACE": WHITESPACE,
            "message_of": _message,
            "Violation": Violation,
            "new_tuple": tuple.__new__,
            "expected_all": {rule.key: rule.expected() for rule in self.rules},
            "normalized": _Memo(lambda key: normalize_key(key, mode)),
            "near": _near_misses(),
            "EMPTY": {},  # shared by the findings of the run whose near_misses, invalid or collisions are empty
        }
        for index, rule in enumerate(self.rules):
            constants[f"expected_{index}"] = constants["expected_all"][rule.key]
            constants[f"values_{index}"] = rule.values
            constants[f"search_{index}"] = rule.pattern.search if rule.pattern is not None else None
        return self._explain_factory(**constants)

    @cached_property
    def _explain_factory(self):
        """``make(...) -> (explain, explain_plain)``, from Python source written for these rules, compiled once.

        Per key rule, in order: find the resource's key that matches (the exact spelling under
        ``exact``; otherwise every key with the same form, the exact spelling or else the smallest key
        winning, the others being collisions), then its value: missing or blank (with near misses
        when the rule is required), or a value problem (key-only, not an allowed value, not matching
        the pattern, not a known team — the first that applies, as :meth:`_value_problem`).
        """
        exact = self.mode == "exact"
        names = ["team_of", "WHITESPACE", "message_of", "Violation", "new_tuple", "expected_all", "normalized", "near",
                 "EMPTY"]
        lines = [
            "        missing = []",
            # empty, as they usually stay, they are the run's one shared empty dict (evidence is frozen
            # by convention); the first entry gets a dict of its own
            "        misses = invalid = collisions = EMPTY",
        ]
        if not exact:  # the resource's keys by their form under this mode, in tag order
            lines += [
                "        spellings = {}",
                "        for key in tags:",
                "            form = normalized[key]",
                "            same = spellings.get(form)",
                "            if same is None:",
                "                spellings[form] = [key]",
                "            else:",
                "                same.append(key)",
            ]
        for index, rule in enumerate(self.rules):
            names += [f"expected_{index}", f"values_{index}", f"search_{index}"]
            key, value = repr(rule.key), f"value_{index}"
            if exact:
                # the key as spelled, if present (an absent key reads None, as a key holding None:
                # both count as missing, and near misses leave out the key as spelled either way)
                lines.append(f"        {value} = tags.get({key})")
            else:
                lines += [
                    f"        matches = spellings.get({rule.normalized!r})",
                    "        if matches is None:",
                    f"            hit = {value} = None",
                    "        else:",
                    "            if len(matches) == 1:",
                    "                hit = matches[0]",
                    "            else:",
                    f"                hit = {key} if {key} in matches else min(matches)",
                    "                if collisions is EMPTY:",
                    "                    collisions = {}",
                    f"                collisions[{key}] = [hit, *sorted(k for k in matches if k != hit)]",
                    f"            {value} = tags[hit]",
                ]
            # not has_value(value), written out (an absent key reads None)
            # (an absent key, the usual case here, is decided by the first test)
            lines.append(f"        if {value} is None or {value} is False or ({value}.__class__ is str or isinstance({value}, str)) "
                         f"and not {value}.strip(WHITESPACE):")
            if rule.required:
                lines += [
                    f"            missing.append({key})",
                    f"            found = near(tags, {loose_key(rule.key)!r}, {key if exact else 'hit'})",
                    "            if found:",
                    "                if misses is EMPTY:",
                    "                    misses = {}",
                    f"                misses[{key}] = found",
                ]
            else:
                lines.append("            pass")
            problems = []
            if rule.values is not None or rule.pattern is not None or rule.known_team:
                problems.append((f"{value} is True", "has no value (key-only tag)"))
            if rule.values is not None:
                problems.append((f"{value} not in values_{index}", "is not an allowed value"))
            if rule.pattern is not None:
                problems.append((f"not search_{index}({value})", f"does not match {rule.pattern.text}"))
            if rule.known_team:
                problems.append((f"team_of({value}) is None", "is not a team of the ownership directory"))
            for test, reason in problems:
                lines += [
                    f"        elif {test}:",
                    "            if invalid is EMPTY:",
                    "                invalid = {}",
                    f"            invalid[{key}] = {{'actual': {value}, 'expected': expected_{index}, 'reason': {reason!r}}}",
                ]
        actual = ", ".join(f"{rule.key!r}: value_{index}" for index, rule in enumerate(self.rules))
        evidence = (
            f"{{'actual': {{{actual}}}, 'expected': expected_all, 'missing': missing, 'near_misses': misses, "
            f"'invalid': invalid, 'collisions': collisions, 'match': {self.mode!r}}}"
        )
        # (collisions only arise under case-insensitive and normalized matching)
        collided = "" if exact else " or collisions"
        lines += [
            "        if only_if_failing and not missing and not invalid:",
            "            return None",
            # the usual message, one key missing and no near miss, written out (as message_of writes it)
            f"        if invalid or misses{collided} or len(missing) != 1:",
            f"            message = message_of(missing, misses, invalid{'' if exact else ', collisions, tags'})",
            "        else:",
            "            message = 'missing tag ' + missing[0]",
        ]
        # the same body twice: the other Violation fields (money, severity, enforcement) keep their defaults
        source = "\n".join([
            f"def make({', '.join(names)}):",
            "    def explain(tags, only_if_failing=False):",
            *lines,
            f"        return new_tuple(Violation, (message, {evidence}, {_VIOLATION_DEFAULTS}))",
            "",
            "    def explain_plain(tags, only_if_failing=False):",
            *lines,
            f"        return (message, {evidence})",
            "",
            "    return explain, explain_plain",
            "",
        ])
        namespace: dict = {}
        exec(builtins.compile(source, f"<tagging explain ({self.mode})>", "exec"), namespace)  # noqa: S102 - source we wrote
        make = namespace["make"]
        make.source = source
        return make

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
