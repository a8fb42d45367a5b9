"""docs/conditions.md: its examples run as the page says (the message table, the YAML, the errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine.checks import condition as condition_type
from engine.checks.base import CheckContext
from engine.conditions.compiler import compile_condition
from engine.errors import InputError
from engine.evaluator import as_of_datetime
from engine.library import load_library

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "conditions.md").read_text(encoding="utf-8")
POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: doc
title: x
type: condition
severity: low
spec:
"""


def _section(title: str) -> str:
    return PAGE.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _message_rows() -> list[tuple[str, str]]:
    rows = re.findall(r"^\| `(\"[^`]*\")` \| `([^`]*)`", _section("Message templates"), re.M)
    return [(yaml.safe_load(template), shown) for template, shown in rows]


@pytest.mark.parametrize("template, shown", _message_rows())
def test_the_message_table(template, shown):
    check = condition_type.compile_spec({"fail_if": {"path": "state", "op": "exists"}, "message": template},
                                        lambda *problem: pytest.fail(str(problem)))
    violation = check.bind(CheckContext(as_of_datetime("2026-01-01")))({"state": "stopped", "name": "web-1"})
    assert violation.message == shown


def test_the_message_table_is_read():
    assert len(_message_rows()) == 5


def test_the_lookahead_free_condition_means_what_the_lookahead_meant():
    block = re.search(r"```yaml\n(.*?)```", _section("Regular expressions (RE2)"), re.S).group(1)
    condition = compile_condition(yaml.safe_load(block)["fail_if"], "/fail_if", lambda *problem: pytest.fail(str(problem)))
    holds = condition.bind(as_of_datetime("2026-01-01"))
    for name in ("web-1", "tmp-1", "Tmp", "1tmp-"):
        assert holds({"name": name}) == bool(re.match(r"^(?!tmp-)[a-z]", name)), name


@pytest.mark.parametrize("fail_if, shown", [
    ("{path: name, op: regex, value: '^(?!tmp-)'}", "E302 invalid regular expression '^(?!tmp-)': invalid perl operator: (?! "
     "(at /spec/fail_if/value); RE2 has no negative lookahead: use a second rule, or 'not' around a condition"),
    ("{path: size, op: lt, value: .nan}", "E203 expected a finite number, got .nan (not a number) (at /spec/fail_if/value); "
     "JSON and the schemas have no NaN or infinity; write the number itself"),
])
def test_the_errors_shown(write, fail_if, shown):
    assert shown in PAGE
    path = write("p.yaml", POLICY + f"  fail_if: {fail_if}\n")
    with pytest.raises(InputError) as caught:
        load_library([str(path)])
    assert [p.format().split(": ", 1)[1] for p in caught.value.problems] == [shown]
