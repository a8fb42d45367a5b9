"""Every problem of a document at once: a schema problem does not hide the semantic ones.

``costwarden validate`` and the loaders (``--ownership``, ``--budgets``, ``report --allocation`` /
``--scorecard``) run a document's semantic checks (unknown teams, amounts, ladder order, allocation
shares, scorecard levels ...) on its parts of the right shape even when its schema failed, each
problem located (file:line:col, pointer), exit 2, and one problem per mistake: where a semantic
check judges the very value the schema judges (a Budgets amount, a resolution step's shape), only its
problem is listed. Mutated real documents never make a loader fail with anything but its problems.
"""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.errors import InputError
from engine.library import load_budgets, load_library, load_ownership
from engine.showback import load_allocation, load_scorecard
from engine.showback.documents import COMPILERS
from tests.conftest import ROOT


def validate(*paths) -> tuple[int, list[str]]:
    """The exit code of ``costwarden validate PATHS`` and its problem lines, with the folder taken out."""
    result = CliRunner().invoke(main, ["validate", *map(str, paths)])
    folder = str(paths[-1].parent) + "/"
    lines = [line.replace(folder, "") for line in result.output.splitlines() if re.match(r".*:\d+:\d+: E\d{3} ", line)]
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, lines


def located(problems) -> list[str]:
    """``file:line:col: CODE (at pointer)`` of each problem, the file's folder taken out."""
    return [f"{p.file.rsplit('/', 1)[-1]}:{p.line}:{p.column}: {p.code} (at {p.pointer})" for p in problems]


OWNERSHIP = """\
apiVersion: costwarden/v1
kind: Ownership
teams:
  - id: payments
    colour: blue
  - id: search
  - id: search
resolution:
  - tag: team
  - default: finops
  - accounts: {"123": payment}
  - {}
"""


def test_an_ownership_document_lists_its_schema_and_its_semantic_problems(write):
    path = write("ownership.yaml", OWNERSHIP)
    assert validate(path) == (2, [
        "ownership.yaml:5:5: E201 unknown key 'colour' (at /teams/0/colour)",
        "ownership.yaml:7:9: E304 duplicate team id 'search' (at /teams/2/id)",
        "ownership.yaml:10:5: E317 the default step must be the last one (later steps never run) (at /resolution/1)",
        "ownership.yaml:10:14: E306 unknown team 'finops' (at /resolution/1/default)",
        "ownership.yaml:11:23: E306 unknown team 'payment' (at /resolution/2/accounts/123); did you mean 'payments'?",
        # the empty step is one problem: E316 says what a step is, in place of the schema's minProperties
        "ownership.yaml:12:5: E316 each resolution step has exactly one of tag, accounts, resource_ids, default"
        " (and match only with tag, owns_spend only with default) (at /resolution/3)",
    ])
    with pytest.raises(InputError) as caught:  # --ownership reads it the same way
        load_ownership(str(path))
    assert located(caught.value.problems) == [
        "ownership.yaml:5:5: E201 (at /teams/0/colour)", "ownership.yaml:7:9: E304 (at /teams/2/id)",
        "ownership.yaml:10:5: E317 (at /resolution/1)", "ownership.yaml:10:14: E306 (at /resolution/1/default)",
        "ownership.yaml:11:23: E306 (at /resolution/2/accounts/123)", "ownership.yaml:12:5: E316 (at /resolution/3)",
    ]


def test_a_team_directory_that_cannot_be_read_names_no_team_unknown(write):
    """A team without a readable id could be the one a step names: no E306 is a guess."""
    path = write("ownership.yaml", OWNERSHIP.replace("  - id: search\n  - id: search\n", "  - {name: Search}\n"))
    assert validate(path) == (2, [
        "ownership.yaml:5:5: E201 unknown key 'colour' (at /teams/0/colour)",
        "ownership.yaml:6:5: E202 missing required key 'id' (at /teams/1)",
        "ownership.yaml:9:5: E317 the default step must be the last one (later steps never run) (at /resolution/1)",
        "ownership.yaml:11:5: E316 each resolution step has exactly one of tag, accounts, resource_ids, default"
        " (and match only with tag, owns_spend only with default) (at /resolution/3)",
    ])


def test_a_misspelt_step_key_is_the_schemas_problem_only(write):
    path = write("ownership.yaml", "apiVersion: costwarden/v1\nkind: Ownership\nteams: [{id: web}]\nresolution:\n  - tagg: team\n")
    assert validate(path) == (2, ["ownership.yaml:5:5: E201 unknown key 'tagg' (at /resolution/0/tagg); did you mean 'tag'?"])


BUDGETS = """\
apiVersion: costwarden/v1
kind: Budgets
id: team-monthly
period: month
currency: usd
extra: 1
default: 1e30
amounts:
  payments: -5
  search: {amount: "1.2.3", colour: red}
  web: [1]
  data: {amount: "-0.5", currency: XYZ}
  finops: true
"""


def test_a_budgets_document_lists_every_problem_once(write):
    path = write("budgets.yaml", BUDGETS)
    entry = 'a budget entry is an amount of 0 or more (500 or "2500.50") or {amount, currency, owner}'
    range_text = ("is out of range: an amount has at most 26 digits before the decimal point (less than 10^26 in absolute"
                  " value; costwarden sums money exactly as DECIMAL(38,12))")
    expected = [
        "budgets.yaml:5:11: E323 'usd' is not an ISO 4217 currency code: write USD (three upper-case letters) (at /currency)",
        "budgets.yaml:6:1: E201 unknown key 'extra' (at /extra)",
        f"budgets.yaml:7:10: E323 1e+30 {range_text} (at /default)",
        f"budgets.yaml:9:13: E323 -5 is negative (expected an amount of 0 or more); {entry} (at /amounts/payments)",
        f"budgets.yaml:10:20: E323 '1.2.3' is not a decimal number (write it like 12.5, -0.25 or 9.6E-2); {entry} (at /amounts/search/amount)",
        "budgets.yaml:10:29: E201 unknown key 'colour' (at /amounts/search/colour)",
        f"budgets.yaml:11:8: E323 [1] is not an amount; {entry} (at /amounts/web)",
        f"budgets.yaml:12:18: E323 '-0.5' is negative (expected an amount of 0 or more); {entry} (at /amounts/data/amount)",
        "budgets.yaml:12:36: E323 'XYZ' is not an ISO 4217 currency code (three upper-case letters such as USD, EUR, JPY)"
        " (at /amounts/data/currency)",
        f"budgets.yaml:13:11: E323 true is not an amount; {entry} (at /amounts/finops)",
    ]
    assert validate(path) == (2, expected)
    with pytest.raises(InputError) as caught:  # --budgets reads it the same way
        load_budgets([str(path)])
    assert [p.format().replace(str(path.parent) + "/", "") for p in caught.value.problems] == expected


def test_a_negative_amount_alone_is_one_problem_though_the_schema_flags_it_too(write):
    path = write("budgets.yaml", BUDGETS.split("currency: usd")[0] + "currency: USD\namounts:\n  payments: -5\n")
    code, lines = validate(path)
    assert (code, [line.split(" (expected")[0] for line in lines]) == (2, ["budgets.yaml:7:13: E323 -5 is negative"])


LADDERS = """\
apiVersion: costwarden/v1
kind: SizeLadders
provider: aws
families:
  - family: zz1
    colour: x
    sizes:
      - {size: zz1.large, vcpu: 2, memory_gib: 8}
      - {size: zz1.medium, vcpu: 1, memory_gib: 4}
      - {size: zz1.large, vcpu: 4, memory_gib: 16}
  - family: zz2
    sizes:
      - {size: zz2.large, vcpu: two, memory_gib: 8}
      - {size: m5.large, vcpu: 2, memory_gib: 8}
---
apiVersion: costwarden/v1
kind: GenerationMap
provider: aws
colour: x
families:
  - {family: zz9, replacements: [zz1]}
  - {family: zz1, replacements: [zz2]}
"""


def test_size_ladders_and_a_generation_map_list_their_schema_and_semantic_problems(write):
    path = write("ladders.yaml", LADDERS)
    assert validate(path) == (2, [
        "ladders.yaml:6:5: E201 unknown key 'colour' (at /families/0/colour)",
        "ladders.yaml:9:9: E325 size 'zz1.medium' (1 vCPU, 4 GiB) is not larger than 'zz1.large' (2 vCPU, 8 GiB) listed before it"
        " (at /families/0/sizes/1); list sizes smallest first: vCPU and memory never decrease",
        "ladders.yaml:10:16: E326 size 'zz1.large' is listed twice in family 'zz1' (at /families/0/sizes/2/size)",
        "ladders.yaml:13:33: E203 expected number, got string 'two' (at /families/1/sizes/0/vcpu)",
        # a family the ladder names (its sizes wrong or not) is in the ladders: only zz9 is unknown
        "ladders.yaml:19:1: E201 unknown key 'colour' (at /colour)",
        "ladders.yaml:21:5: E327 family 'zz9' (aws) is not in the size ladders (at /families/0); add the family to a SizeLadders document",
    ])


def test_a_size_in_a_built_in_family_is_located_in_the_users_ladder(write):
    path = write("ladders.yaml", LADDERS.split("  - family: zz2")[0].replace("    colour: x\n", "").replace(
        "      - {size: zz1.medium, vcpu: 1, memory_gib: 4}\n      - {size: zz1.large, vcpu: 4, memory_gib: 16}\n",
        "      - {size: m5.large, vcpu: 4, memory_gib: 16}\n"))
    assert validate(path) == (2, [
        "ladders.yaml:8:16: E326 size 'm5.large' (aws) is in two families: 'm5' and 'zz1' (at /families/0/sizes/1/size);"
        " a size belongs to one family; replace the built-in family by defining one with its name",
    ])


def test_a_policy_set_lists_its_schema_and_reference_problems(write):
    path = write("set.yaml", """\
apiVersion: costwarden/v1
kind: PolicySet
id: my-set
colour: x
policies:
  stopped-instanse: {enabled: false}
  stopped-instance: {parameters: {states: [stopped]}, enabled: maybe}
  zero-usage: 5
""")
    code, lines = validate("builtin", path)
    assert (code, [line.split(";")[0] for line in lines]) == (2, [
        "set.yaml:4:1: E201 unknown key 'colour' (at /colour)",
        "set.yaml:6:3: E306 unknown policy 'stopped-instanse' (at /policies/stopped-instanse)",
        "set.yaml:7:35: E305 policy 'stopped-instance' has no parameter 'states' (at /policies/stopped-instance/parameters/states)",
        "set.yaml:7:64: E203 expected boolean, got string 'maybe' (at /policies/stopped-instance/enabled)",
        "set.yaml:8:15: E203 expected object, got number 5 (at /policies/zero-usage)",
    ])


# --- the report's documents: validate runs what report runs ---------------------------------------

ALLOCATION = """\
apiVersion: costwarden/v1
kind: Allocation
id: shared
colour: x
rules:
  - id: support
    select: {ServiceNam: [AWS Support]}
  - id: support
    select: {unassigned: true}
    split: fixed
    shares: {payments: 50, search: 30}
  - id: network
    select: {SubAccountId: "123"}
    split: even
    shares: {payments: 100}
  - id: platform
    select: {tag: {key: shared}}
    split: fixd
    shares: {payments: 100}
  - id: rest
    select: {unassigned: true}
    split: fixed
    shares: {payments: 0, search: 150}
    to: [payments]
"""

SCORECARD = """\
apiVersion: costwarden/v1
kind: Scorecard
id: kpis
kpis:
  tag_coverage:
    keys: [{key: team, pattern: '(?<=x)y'}, {key: cc, values: [x], pattern: x}]
    levels: {walk: 90, run: 80}
  savings_share: {levels: {walk: 5, run: .nan}}
  open_findings: {severities: [severe], levels: {walk: 1, run: 2}}
"""


def test_validate_checks_an_allocation_as_report_reads_it(write):
    path = write("allocation.yaml", ALLOCATION)
    expected = [
        "allocation.yaml:4:1: E201 unknown key 'colour' (at /colour)",
        "allocation.yaml:7:14: E360 'ServiceNam' is not a FOCUS text column (at /rules/0/select/ServiceNam); did you mean 'ServiceName'?",
        "allocation.yaml:8:9: E304 duplicate rule id 'support' (also rule 1) (at /rules/1/id)",
        "allocation.yaml:11:13: E361 the shares add up to 80, not 100 (at /rules/1/shares)",
        "allocation.yaml:13:28: E203 expected array, got string '123' (at /rules/2/select/SubAccountId)",
        "allocation.yaml:15:5: E361 shares are for split: fixed (this rule's split is even) (at /rules/2/shares)",
        # a misspelt split is the schema's problem; its shares are not judged by a split nobody wrote
        "allocation.yaml:18:12: E204 'fixd' is not one of: proportional, even, fixed (at /rules/3/split); did you mean 'fixed'?",
        # bad shares are the schema's; their sum is not judged; `to` with fixed is
        "allocation.yaml:23:24: E207 0 is less than or equal to the minimum of 0 (at /rules/4/shares/payments)",
        "allocation.yaml:23:35: E207 150 is greater than the maximum of 100 (at /rules/4/shares/search)",
        "allocation.yaml:24:5: E361 a fixed split names its recipients in shares, not to (at /rules/4/to)",
    ]
    assert validate(path) == (2, expected)
    with pytest.raises(InputError) as caught:
        load_allocation(path)  # what report --allocation reads
    assert [p.format().replace(str(path.parent) + "/", "") for p in caught.value.problems] == expected


def test_validate_checks_a_scorecard_as_report_reads_it(write):
    path = write("scorecard.yaml", SCORECARD)
    expected = [
        "scorecard.yaml:6:33: E302 invalid regular expression '(?<=x)y': invalid perl operator: (?<="
        " (at /kpis/tag_coverage/keys/0/pattern); RE2 has no lookbehind",
        "scorecard.yaml:6:45: E314 use only one of values and pattern (at /kpis/tag_coverage/keys/1)",
        "scorecard.yaml:7:13: E363 run (80) is below walk (90): higher tag_coverage is better, so run is the higher threshold"
        " (at /kpis/tag_coverage/levels)",
        "scorecard.yaml:8:42: E203 expected a finite number, got .nan (not a number) (at /kpis/savings_share/levels/run);"
        " JSON and the schemas have no NaN or infinity; write the number itself",
        "scorecard.yaml:9:32: E204 'severe' is not one of: critical, high, medium, low, info (at /kpis/open_findings/severities/0)",
        "scorecard.yaml:9:49: E363 run (2) is above walk (1): lower open_findings is better, so run is the lower threshold"
        " (at /kpis/open_findings/levels)",
    ]
    assert validate(path) == (2, expected)
    with pytest.raises(InputError) as caught:
        load_scorecard(path)  # what report --scorecard reads
    assert [p.format().replace(str(path.parent) + "/", "") for p in caught.value.problems] == expected


def test_report_lists_a_scorecards_problems_and_never_fails_on_a_nan_level(write, tmp_path):
    path = write("scorecard.yaml", SCORECARD)
    result = CliRunner().invoke(main, ["report", "--scorecard", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "E203 expected a finite number, got .nan" in result.output
    assert not (tmp_path / "out").exists()


def test_valid_report_documents_validate(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(ROOT / "examples" / "allocation.yaml"), str(ROOT / "examples" / "scorecard.yaml")])
    assert result.exit_code == 0, result.output


# --- never a traceback -------------------------------------------------------------------------------

REAL = {  # real documents of each kind, from the examples and the built-in library
    "Ownership": ROOT / "examples" / "ownership.yaml",
    "Budgets": ROOT / "examples" / "budgets.yaml",
    "Allocation": ROOT / "examples" / "allocation.yaml",
    "Scorecard": ROOT / "examples" / "scorecard.yaml",
    "GenerationMap": ROOT / "policies" / "rightsizing" / "previous-generations.yaml",
}
LADDER = {"apiVersion": "costwarden/v1", "kind": "SizeLadders", "provider": "aws", "families": [
    {"family": "zz1", "architecture": "arm64", "sizes": [{"size": "zz1.large", "vcpu": 2, "memory_gib": 8, "relative_price": 1},
                                                           {"size": "zz1.xlarge", "vcpu": 4, "memory_gib": 16}]},
    {"family": "zz2", "burstable": True, "sizes": [{"size": "zz2.small", "vcpu": 1, "memory_gib": 2}]}]}
HOSTILE = [None, True, False, 0, -1, 2.5, float("nan"), float("inf"), "", "x", "Bad_Id", "(a", [], [None], ["x"], {}, {"x": 1},
           {"param": "x"}, [{"id": 5}]]


def documents() -> dict[str, dict]:
    found = {kind: next(yaml.safe_load_all(path.read_text(encoding="utf-8"))) for kind, path in REAL.items()}
    return {**found, "SizeLadders": LADDER}


def paths_in(node, path=()) -> list[tuple]:
    """Every path to a value inside ``node`` (keys and indexes), the envelope's apiVersion and kind left alone."""
    found = []
    if isinstance(node, dict):
        items = [(key, value) for key, value in node.items() if path or key not in ("apiVersion", "kind")]
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return found
    for key, value in items:
        found.append(path + (key,))
        found.extend(paths_in(value, path + (key,)))
    return found


def mutated(document: dict, edits: list[tuple[int, object, str]]) -> dict:
    """``document`` with each edit ``(path number, value, how)`` applied: replace the value, delete it, or add a key beside it."""
    document = copy.deepcopy(document)
    for number, value, how in edits:
        paths = paths_in(document)
        if not paths:
            break
        path = paths[number % len(paths)]
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        value = copy.deepcopy(value)  # a value of its own each time (no YAML alias, no cycle)
        if how == "delete":
            del parent[path[-1]]
        elif how == "add" and isinstance(parent, dict):
            parent["colour"] = value
        else:
            parent[path[-1]] = value
    return document


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(HOSTILE), st.sampled_from(("replace", "delete", "add"))),
                 min_size=1, max_size=3)


@pytest.mark.parametrize("kind", sorted(REAL) + ["SizeLadders"])
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_a_mutated_document_gives_located_problems_never_an_exception(kind, edits, tmp_path):
    document = mutated(documents()[kind], edits)
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    loaders = [lambda: load_library([str(path)], compilers=COMPILERS)]
    loaders += {"Ownership": [lambda: load_ownership(str(path))], "Allocation": [lambda: load_allocation(path)],
                "Scorecard": [lambda: load_scorecard(path)]}.get(kind, [])
    for load in loaders:
        try:
            load()
        except InputError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.file == str(path) and problem.line is not None and problem.pointer is not None, problem.format()


def test_the_budgets_schema_flags_negative_amounts_by_the_amount_rule():
    """Editors see a negative amount through the schema (its pattern is the amount rule's, without a minus sign)."""
    from jsonschema import Draft202012Validator

    from engine.amounts import MONEY_LIMIT, NON_NEGATIVE_AMOUNT_PATTERN
    from engine.documents.editor_schemas import editor_schema
    from engine.documents.schemas import load_schema

    amount = load_schema("budgets.schema.json")["$defs"]["amount"]
    assert (amount["pattern"], amount["minimum"], amount["exclusiveMaximum"]) == (f"^{NON_NEGATIVE_AMOUNT_PATTERN}$", 0, MONEY_LIMIT)
    editor = Draft202012Validator(editor_schema("budgets.schema.json"))
    head = {"apiVersion": "costwarden/v1", "kind": "Budgets", "id": "b", "currency": "USD"}
    for wrong in (-5, -0.5, "-5", "1.2.3", " $5", 10**26, [1], True):
        assert list(editor.iter_errors({**head, "amounts": {"a": wrong}})), wrong
        assert list(editor.iter_errors({**head, "amounts": {"a": {"amount": wrong}}})), wrong
        assert list(editor.iter_errors({**head, "default": wrong})), wrong
    for right in (0, 5, 2500.5, "2500.50", "9.6E-2", " 7 "):
        assert not list(editor.iter_errors({**head, "amounts": {"a": right, "b": {"amount": right}}, "default": right})), right
