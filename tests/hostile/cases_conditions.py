"""Conditions and patterns: regular expressions that backtrack, deep JMESPath, durations and
message templates at the edge of what Python can hold."""

from __future__ import annotations

from tests.hostile.harness import INV, VALIDATE, Accepted, Case, OneOf, Rejected
from tests.hostile.sources import kit, line_of, replace

AREA = "conditions/regex"
PATH = "policies/hostile.yaml"
SCHEMA_OR_SEMANTICS = tuple(f"E20{n}" for n in range(1, 8)) + tuple(f"E3{n:02d}" for n in range(1, 30))
INVENTORY = kit("inventory.json")
# 30 a's take Python's re 30-90 s on this machine (around the hang guard: a flaky case); 40 take hours
BACKTRACKER = "a" * 40 + "!"
HEADER = """apiVersion: costwarden/v1
kind: Policy
id: hostile
title: A hostile policy
severity: low
resource:
  types: [compute.instance]
"""


def condition(leaf: str, message: str | None = None) -> str:
    text = HEADER + "type: condition\nspec:\n  fail_if: " + leaf + "\n"
    return text + (f"  message: {message}\n" if message is not None else "")


def _hostile(document: dict) -> set[str]:
    return {f["resource"]["id"].rsplit("/", 1)[-1] for f in document["findings"] if f["policy"] == "hostile"}


def findings_on(expected: set[str]):
    def check(document: dict) -> str | None:
        found = _hostile(document)
        return None if found == expected else f"policy hostile found {sorted(found)}, expected {sorted(expected)}"

    return check


def message_is(expected_length: int, ending: str):
    def check(document: dict) -> str | None:
        messages = [f["message"] for f in document["findings"] if f["policy"] == "hostile"]
        if len(messages) == 1 and len(messages[0]) == expected_length and messages[0].endswith(ending):
            return None
        return f"hostile messages {[m[:60] for m in messages]} (lengths {[len(m) for m in messages]})"

    return check


def exact_message(expected: str):
    def check(document: dict) -> str | None:
        messages = [f["message"] for f in document["findings"] if f["policy"] == "hostile"]
        return None if messages == [expected] else f"hostile messages {messages}, expected [{expected!r}]"

    return check


REGEX = condition('{path: tags.team, op: regex, value: "(a+)+$"}')
TAGGING = HEADER + 'type: tagging\nspec:\n  keys:\n    - key: team\n      pattern: "(a+)+$"\n'
BACKTRACKING_INVENTORY = replace(INVENTORY, '"team": "payments"', f'"team": "{BACKTRACKER}"')
PARENS = condition('{path: "' + "(" * 500 + "tags.team" + ")" * 500 + '", op: eq, value: nobody}')
FUNCTIONS = condition('{path: "' + "not_null(" * 500 + "tags.team" + ")" * 500 + '", op: eq, value: nobody}')
DOTS = condition("{path: properties." + ".".join(f"k{i}" for i in range(500)) + ", op: exists}")
UNKNOWN_FUNCTION = condition("{path: not_a_func(name), op: eq, value: x}")
OLDER = condition("{path: created_at, op: older-than, value: 999999999999d}")
WIDE = condition("{path: state, op: eq, value: stopped}", '"{name:>99999999}"')
BRACES = condition("{path: state, op: eq, value: stopped}", '"{{x}} {name}"')
NAN = condition("{path: utilization.cpu.p95, op: lt, value: .nan}")
INSTANCES = {"i-0001", "i-0002", "vm-4", "etl-5"}

CASES = [
    Case("regex-catastrophic-backtracking-condition", AREA, INV,
         OneOf((Rejected("E302", PATH, line_of(REGEX.encode(), "regex")), Accepted(1, findings_on(set()), "no hostile finding"))),
         {PATH: REGEX, "inventory.json": BACKTRACKING_INVENTORY},
         note=f"op: regex, value: '(a+)+$' against the tag value {BACKTRACKER!r} (no match; exponential for a backtracking engine)"),
    Case("regex-catastrophic-backtracking-tagging-pattern", AREA, INV,
         OneOf((Rejected("E302", PATH, line_of(TAGGING.encode(), "pattern")),
                Accepted(1, findings_on(INSTANCES), "a hostile finding on every instance (no team value matches)"))),
         {PATH: TAGGING, "inventory.json": BACKTRACKING_INVENTORY}, note="a tagging pattern '(a+)+$' against the same value"),
    Case("jmespath-500-nested-parentheses", AREA, INV,
         OneOf((Rejected("E301", PATH, line_of(PARENS.encode(), "fail_if")), Accepted(1, findings_on(set()), "no hostile finding"))),
         {PATH: PARENS}, note="a path in 500 nested parentheses"),
    Case("jmespath-500-nested-functions", AREA, INV,
         OneOf((Rejected("E301", PATH, line_of(FUNCTIONS.encode(), "fail_if")), Accepted(1, findings_on(set()), "no hostile finding"))),
         {PATH: FUNCTIONS}, note="not_null( nested 500 deep"),
    Case("jmespath-500-field-chain", AREA, INV, Accepted(1, findings_on(set()), "no hostile finding (the chain leads nowhere)"),
         {PATH: DOTS}, note="a dotted chain of 500 fields: a plain path"),
    Case("jmespath-unknown-function", AREA, VALIDATE, Rejected("E301", PATH, line_of(UNKNOWN_FUNCTION.encode(), "fail_if")),
         {PATH: UNKNOWN_FUNCTION}, note="not_a_func(name): JMESPath has no such function, which validate can know"),
    Case("older-than-999999999999d", AREA, INV,
         OneOf((Rejected("E303", PATH, line_of(OLDER.encode(), "fail_if")), Accepted(1, findings_on(set()), "no hostile finding"))),
         {PATH: OLDER}, note="a duration longer than Python's timedelta can hold"),
    Case("message-width-99999999", AREA, INV,
         OneOf((Rejected("E312", PATH, line_of(WIDE.encode(), "message")),
                Accepted(1, message_is(99_999_999, "search-old"), "one hostile message padded to 99,999,999 characters"))),
         {PATH: WIDE}, note="the message template '{name:>99999999}'"),
    Case("message-escaped-braces", AREA, INV, Accepted(1, exact_message("{x} search-old"), "the message '{x} search-old'"),
         {PATH: BRACES}, note="'{{x}}' in a message is a literal {x}"),
    Case("condition-nan-value", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, PATH, line_of(NAN.encode(), "fail_if")),
         {PATH: NAN}, note="op: lt, value: .nan (NaN compares false with everything)"),
]
