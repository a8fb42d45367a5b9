"""Every generated function gives exactly what the plain rule it speeds up gives (differential tests).

Generated Python (engine.codegen) is kept where the benchmark shows it pays: the tagging check's
fast path, conditions written out as statements (with the operators' written-out fast paths), the
frozen-dataclass constructor (engine.fast_init) and the evaluator's finding maker. Each is compared
here, on inputs hypothesis draws, with the plain Python rule it replaces: the tagging decision
(engine.checks.tagging.Explanation, over engine.tag_matching's rules), the closures of
engine.conditions.compiler._bind and each operator's test, Finding's own constructor with
resource_ref, one selector call per resource. No timings here: speed is measured in bench/.
"""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.checks import condition as condition_type
from engine.checks import tagging
from engine.checks.base import CheckContext
from engine.codegen import pair
from engine.conditions.compiler import EvaluationFailure, _bind, compile_condition
from engine.evaluator import as_of_datetime, evaluate
from engine.fast_init import fast_constructor
from engine.findings import RESOURCE_FIELDS, Finding, Money, resource_ref
from engine.ownership import compile_ownership
from engine.policy import Policy, PolicyLibrary
from engine.selection import ResourceIndex
from engine.tag_matching import find_tag, has_value, near_misses
from engine.violations import Violation

ROOT = Path(__file__).resolve().parent.parent
# tests driven by a random.Random that hypothesis seeds draw many values from it (whole resources)
RANDOM_DRIVEN = [HealthCheck.large_base_example, HealthCheck.too_slow, HealthCheck.data_too_large]
AS_OF = datetime(2026, 11, 27, tzinfo=timezone.utc)

KEYS = ["owner", "Owner", "OWNER", " owner", "owner ", "own_er", "team", "Team", "TEAM", "cost-center", "cost_center",
        "CostCenter", "cost center", "Cost-Center", "environment", "Environment", "ENV", "env", "app", "Name"]
VALUES = ["", " ", "\t", "prod", "Prod", "dev", "staging", "payments", "search", "bob@example.com", "CC-1234",
          "cc-9999", "CC-12", True, " search ", "Payments", "x", None, False]

OWNERSHIP = compile_ownership(
    {
        "teams": [
            {"id": "payments", "aliases": ["pay"], "members": ["bob@example.com"]},
            {"id": "search", "members": ["carol@example.com"]},
        ],
        "resolution": [{"tag": "team"}, {"tag": "owner"}, {"default": "payments"}],
    },
    lambda *problem: pytest.fail(str(problem)),
)


def random_tags(rng: random.Random) -> dict:
    return {rng.choice(KEYS): rng.choice(VALUES) for _ in range(rng.randint(0, 6))}


# --- tagging -------------------------------------------------------------------------------------


def plain_tagging(check: tagging.TaggingCheck, tags: dict, team_of) -> Violation | None:
    """The tagging decision, plain: engine.checks.tagging.Explanation (the rule the fast path speeds up)."""
    found = tagging.Explanation(check, team_of).decide(tags, only_if_failing=True)
    return None if found is None else Violation(*found)


def random_tagging_spec(rng: random.Random) -> dict:
    keys, seen = [], set()
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(["owner", "team", "cost-center", "environment", "Owner", "env", "cost_center", "app"])
        if key.lower().replace("_", "-") in seen:
            continue
        seen.add(key.lower().replace("_", "-"))
        rule: dict = {"key": key}
        if rng.random() < 0.3:
            rule["required"] = False
        extra = rng.random()
        if extra < 0.25:
            rule["values"] = rng.sample(["prod", "dev", "staging", "Prod", " ", "x"], rng.randint(1, 3))
        elif extra < 0.4:
            rule["pattern"] = rng.choice(["^CC-[0-9]{4}$", "^(CC|cc)-[0-9]{4}$", "", "^ *$", "a"])
        elif extra < 0.55:
            rule["known_team"] = True
        keys.append(rule)
    return {"match": rng.choice(["exact", "case-insensitive", "normalized"]), "keys": keys}


@settings(max_examples=150, deadline=None, suppress_health_check=RANDOM_DRIVEN)
@given(st.randoms(use_true_random=False))
def test_generated_tagging_check_equals_the_plain_rule(rng):
    spec = random_tagging_spec(rng)
    compiled = tagging.compile_spec(spec, lambda *problem: pytest.fail(str(problem)))
    check = compiled.bind(CheckContext(AS_OF, OWNERSHIP))
    resources = [{"id": f"r{index}", "tags": random_tags(rng)} for index in range(60)]
    expected = [plain_tagging(compiled, resource["tags"], OWNERSHIP.team_for_value) for resource in resources]
    assert [check(resource) for resource in resources] == expected, compiled._factory.source
    # the loop version gives the same violations, in order
    assert check.scan(resources) == [(r, v) for r, v in zip(resources, expected) if v is not None]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS + ["CostCentre", "cost--center", "c-o-s-t"]), st.sampled_from(VALUES), max_size=8),
       st.sampled_from(["owner", "cost-center", "environment", "team", "Name"]))
def test_the_near_miss_index_finds_what_near_misses_finds(tags, wanted):
    """The run's near-miss index (a cache of loose forms) is tag_matching.near_misses, less the key that matched."""
    from engine.tag_matching import loose_key

    near = tagging._near_misses()
    near({"Owner": 1, "team": 2}, "owner", None)  # keys seen earlier in the run change nothing
    for hit in (None, wanted):
        expected = [key for key in near_misses(tags, wanted) if key != hit]
        assert near(tags, loose_key(wanted), hit) == (expected or None)


@pytest.mark.parametrize("types", [{"compute.instance"}, {"aws::ec2::instance"}, {"compute.instance", "block.volume", "foo"}])
def test_scan_selects_as_the_policy_selector(types):
    rng = random.Random(len(types))
    check = tagging.compile_spec({"keys": [{"key": "team"}]}, lambda *p: pytest.fail(str(p))).bind(CheckContext(AS_OF))
    names = ["AWS::EC2::Instance", "aws_instance", "compute.instance", "Compute.Instance", "AWS::EC2::Volume", "foo", None, 5]
    resources = [{"id": f"r{index}", "type": rng.choice(names), "class": rng.choice(["compute.instance", "block.volume", None]),
                  "tags": random_tags(rng)} for index in range(400)]
    policy = make_policy("p", types, None)
    selects = policy.selector()
    expected = [(r, check(r)) for r in resources if selects(r) and check(r) is not None]
    assert check.scan(ResourceIndex(resources).select(policy), pair) == expected


def test_generated_tagging_check_reads_tags_as_before():
    check = tagging.compile_spec({"keys": [{"key": "team"}]}, lambda *p: pytest.fail(str(p))).bind(CheckContext(AS_OF))
    assert check({"id": "x"}).evidence["missing"] == ["team"]  # no tags key
    assert check({"id": "x", "tags": None}).evidence["missing"] == ["team"]
    assert check({"id": "x", "tags": {"team": "a"}}) is None


# --- conditions ----------------------------------------------------------------------------------

PATHS = ["state", "size", "provider", "created_at", "properties.cpu", "properties.kind", "properties.nested.x",
         "length(relationships)", "tags.owner", "relationships", "tags", "properties", '"weird key"']
LEAF_VALUES = {
    "eq": ["running", "stopped", 2, 2.5, "aws", None, True, "a", 1, "1", [1], {"a": 1}],
    "ne": ["running", 2, None, True, "a"],
    "contains": ["a", 1, "stopped"],
    "lt": [2, 2.5, "m", "stopped"], "le": [2, "m"], "gt": [2, "m"], "ge": [2.5, "t"],
    "in": [["stopped", "available"], ["aws", "gcp"], [1, 2], ["a", 1], [True], [None, "running"], [["x"]], ["a", True]],
    "not-in": [["stopped", "available"], [1, 2.5], ["a", 1], [["x"], "y"]],
    "regex": ["^t3", "large$", "^$", "a|b"], "glob": ["t3.*", "*large", "?cp", "[ab]*"],
    "older-than": ["90d", "1w", "12h"], "newer-than": ["400d", "2w"],
}
STATES = ["running", "stopped", "available", "", None, 1, 2.5, True, False, ["stopped"], {"a": 1}, "READY"]


def random_leaf(rng: random.Random) -> dict:
    op = rng.choice([*LEAF_VALUES, "exists", "absent", "empty"])
    node = {"path": rng.choice(PATHS), "op": op}
    if op in LEAF_VALUES:
        node["value"] = rng.choice(LEAF_VALUES[op])
    return node


def random_condition(rng: random.Random, depth: int = 0) -> dict:
    roll = rng.random()
    if depth >= 3 or roll < 0.4:
        return random_leaf(rng)
    if roll < 0.55:
        return {"not": random_condition(rng, depth + 1)}
    return {rng.choice(["all", "any"]): [random_condition(rng, depth + 1) for _ in range(rng.randint(1, 4))]}


def random_resource(rng: random.Random) -> object:
    if rng.random() < 0.03:
        return rng.choice([None, "text", [1]])  # not an object: every path reads null
    resource = {"id": "r", "state": rng.choice(STATES), "size": rng.choice(STATES + ["t3.micro", "m5.large"]),
                "provider": rng.choice(["aws", "gcp", None, 3]), "weird key": rng.choice(STATES),
                "created_at": rng.choice(["2025-01-01", "2026-11-01T10:00:00Z", "2020-01-01 00:00:00", "nope", 5, None]),
                "relationships": rng.choice([[], [{"id": "x"}], None, "x"]), "tags": rng.choice([{}, {"owner": "a"}, None])}
    if rng.random() < 0.8:
        resource["properties"] = {"cpu": rng.choice([1, 2.5, "8", None, True]), "kind": rng.choice(["a", "b", 1]),
                                  "nested": rng.choice([{"x": rng.choice(STATES)}, None, "x"])}
    return resource


def outcome(predicate, resource):
    try:
        return ("value", predicate(resource))
    except EvaluationFailure as failure:
        return ("failure", failure.path, failure.pointer, str(failure))


@settings(max_examples=300, deadline=None, suppress_health_check=RANDOM_DRIVEN)
@given(st.randoms(use_true_random=False))
def test_generated_condition_equals_the_closures(rng):
    node = random_condition(rng)
    condition = compile_condition(node, "/fail_if", lambda *problem: None)
    if condition is None:
        return  # not a valid condition (a value the operator refuses): nothing to compare
    generated = condition.bind(AS_OF)
    closures = _bind(condition.node, AS_OF)
    for _ in range(40):
        resource = random_resource(rng)
        assert outcome(generated, resource) == outcome(closures, resource), (node, resource, condition.source.lines)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                    st.sampled_from(["", "a", "t3.micro", "stopped", "ab", "A", "é", "1"]))
VALUES_OF = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
                         max_leaves=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_each_operators_written_out_fast_path_equals_its_test(data):
    """Operator.inline (the expression the condition's source uses when its guard holds) against the
    operator's own test, on any value: the same answer, or the guard sends the value to the test."""
    from engine.conditions.operators import OPERATORS, TypeMismatch

    name = data.draw(st.sampled_from([name for name, operator in OPERATORS.items() if operator.inline is not None]))
    operator = OPERATORS[name]
    expected = {"list": st.lists(SCALARS, max_size=4), "regex": st.sampled_from(["^t3", "a|b", "^$", "é"]),
                "string": st.sampled_from(["t3.*", "*a", "?", "[ab]*"]), "none": st.none()}.get(operator.value, SCALARS)
    value = data.draw(expected)
    fast = operator.inline(value)
    if fast is None:
        return  # no fast path for this value: the test alone is used
    guard, expression, constant = fast
    actual = data.draw(VALUES_OF)
    scope = {"value": actual, "CONST": constant}
    if guard is not None and not eval(guard, {}, scope):  # noqa: S307 - the operator's own guard
        return
    try:
        want = operator.build(value, AS_OF)(actual)
    except TypeMismatch:
        want = "mismatch"
    assert eval(expression, {}, scope) == want, (name, value, actual)  # noqa: S307 - the operator's own expression


def test_deep_conditions_fall_back_to_closures():
    node = {"path": "state", "op": "exists"}
    for _ in range(60):
        node = {"all": [{"path": "size", "op": "exists"}, node]}
        node = {"any": [{"path": "size", "op": "absent"}, node]}
    condition = compile_condition(node, "/fail_if", lambda *problem: pytest.fail(str(problem)))
    assert condition.source is None
    assert condition.bind(AS_OF)({"state": "x", "size": "m"}) is True


@pytest.mark.parametrize("seed", range(20))
def test_condition_check_scan_equals_check(seed):
    rng = random.Random(seed)
    spec = {"fail_if": random_condition(rng), "message": "{size} is {state}"}
    compiled = condition_type.compile_spec(spec, lambda *problem: None)
    if compiled is None:
        pytest.skip("not a valid condition")
    check = compiled.bind(CheckContext(AS_OF))
    resources = [random_resource(rng) for _ in range(100)]
    resources = [r for r in resources if isinstance(r, dict)]  # the message reads fields with .get
    expected, failure = [], None
    for resource in resources:
        try:
            violation = check(resource)
        except EvaluationFailure as error:
            failure = error
            break
        if violation is not None:
            expected.append((resource, violation))
    if failure is None:
        assert check.scan(resources) == expected
    else:
        with pytest.raises(EvaluationFailure):
            check.scan(resources)


# --- selection and the evaluator -----------------------------------------------------------------


def make_policy(policy_id: str, types, check, where=None) -> Policy:
    return Policy(id=policy_id, title=policy_id, type="condition", severity="low", enforcement="enforce", check=check,
                  types=frozenset(types) if types is not None else None, where=where)


@pytest.mark.parametrize("seed", range(10))
def test_selection_equals_a_selector_call_per_resource(seed):
    rng = random.Random(seed)
    names = ["AWS::EC2::Instance", "aws_instance", "compute.instance", "Compute.Instance", "block.volume", "foo", None, 5]
    resources = []
    for index in range(200):
        resource = {"id": f"r{index}", "type": rng.choice(names), "class": rng.choice(["compute.instance", "block.volume", None, "x"])}
        for key in ("type", "class"):
            if rng.random() < 0.1:
                del resource[key]
        resources.append(resource)
    choices = ["compute.instance", "aws::ec2::instance", "compute.instance", "block.volume", "foo", "x"]
    policies = [make_policy(f"p{i}", rng.sample(choices, rng.randint(1, 3)) if i else None, None) for i in range(5)]
    index = ResourceIndex(resources)
    for policy in policies:
        selects = policy.selector()
        expected = [r for r in resources if selects is None or selects(r)]
        assert index.select(policy) == expected
        in_blocks = [r for selected in index.blocks([p.types for p in policies], 7) for r in selected[policy.types]]
        assert in_blocks == expected
        assert index.select(policy) is index.select(policy)  # selected once per set of types


def test_selection_of_resources_with_unhashable_types():
    """Resources given through the API need not be canonical: a list as type is tested one by one."""
    resources = [{"id": "a", "type": ["x"]}, {"id": "b", "type": "AWS::EC2::Instance"},
                 {"id": "c", "class": "compute.instance"}, {"id": "d", "type": "foo"},
                 {"id": "e", "class": ["compute.instance"]}, {"id": "f", "class": {}}]
    policy = make_policy("p", ["compute.instance", "aws::ec2::instance"], None)
    index = ResourceIndex(resources)
    assert [r["id"] for r in index.select(policy)] == ["b", "c"]
    assert [r["id"] for block in index.blocks([policy.types], 2) for r in block[policy.types]] == ["b", "c"]


class _Failing:
    """A check whose scan meets an evaluation error: the evaluator must go resource by resource."""

    def __init__(self, spec):
        self.inner = condition_type.compile_spec(spec, lambda *problem: pytest.fail(str(problem)))

    def bind(self, context):
        return self.inner.bind(context)


def test_errors_from_a_scan_are_reported_per_resource_in_order():
    check = _Failing({"fail_if": {"path": "size", "op": "gt", "value": 2}})
    resources = [{"id": f"r{index:02d}", "size": "big" if index % 2 else index} for index in range(60)]
    result = evaluate(PolicyLibrary([make_policy("sizes", None, check)]), resources, as_of="2026-11-27")
    assert [e.resource for e in result.errors[:20]] == [f"r{index:02d}" for index in range(1, 40, 2)]
    assert result.errors[20].code == "E502" and "10 more" in result.errors[20].message
    assert [f.resource["id"] for f in result.findings] == [f"r{index:02d}" for index in range(4, 60, 2)]


@pytest.mark.parametrize("seed", range(6))
def test_evaluation_in_blocks_is_one_pass_per_policy(seed, monkeypatch):
    """Policies evaluated a block of inventory positions at a time give the findings and errors, in order,
    of one pass per policy: with blocks smaller than the selections, scans that meet an evaluation
    error in a later block, errors past the cap, a where condition and checks without a scan."""
    import engine.evaluator as evaluator_module

    rng = random.Random(seed)
    classes = ["compute.instance", "block.volume", "storage.bucket", None]
    resources = []
    for index in range(700):
        resource = {"id": f"r{index:04d}", "type": rng.choice(["AWS::EC2::Instance", "aws_ebs_volume", "x"]),
                    "class": rng.choice(classes), "provider": rng.choice(["aws", "gcp"]), "tags": random_tags(rng),
                    "size": rng.choice([1, 5, 9]) if rng.random() < 0.97 or index < 300 else "big", "state": rng.choice(STATES)}
        resources.append(resource)
    where = compile_condition({"path": "state", "op": "in", "value": STATES[:2]}, "/resource/where", lambda *p: None)
    policies = [
        make_policy("a-tags", ["compute.instance", "block.volume"],
                    tagging.compile_spec({"keys": [{"key": "owner"}, {"key": "env", "values": ["prod"]}]}, pytest.fail)),
        make_policy("b-sizes", None, _Failing({"fail_if": {"path": "size", "op": "gt", "value": 4}})),  # errors past 300
        make_policy("c-where", ["storage.bucket", "x"], condition_type.compile_spec(
            {"fail_if": {"path": "size", "op": "in", "value": [1, 9]}}, pytest.fail), where=where),
        make_policy("d-sizes", ["block.volume"], condition_type.compile_spec({"fail_if": {"path": "size", "op": "eq", "value": 5}}, pytest.fail)),
    ]
    library = PolicyLibrary(policies)

    def run(block):
        monkeypatch.setattr(evaluator_module, "BLOCK", block)
        return evaluate(library, resources, ownership=OWNERSHIP, as_of="2026-11-27")

    whole = run(10**9)
    assert any(e.code == "E501" for e in whole.errors) and any(e.code == "E502" for e in whole.errors)
    assert whole.findings and {f.policy for f in whole.findings} == {"a-tags", "b-sizes", "c-where", "d-sizes"}
    for block in (1, 7, 64, 512):
        result = run(block)
        assert result.findings == whole.findings and result.errors == whole.errors
        assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in whole.findings]


# --- findings ------------------------------------------------------------------------------------


FINDING_TEXT = st.text(max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries(
    {"policy": FINDING_TEXT, "severity": st.sampled_from(["info", "low", "high"]), "enforcement": st.sampled_from(["enforce", "audit"]),
     "message": FINDING_TEXT, "owner": FINDING_TEXT, "owner_source": FINDING_TEXT, "resource": st.none() | st.just({"id": "x"}),
     "evidence": st.dictionaries(FINDING_TEXT, st.integers(), max_size=2)},
    optional={"title": FINDING_TEXT, "scope": st.just({"value": "v"}), "monthly_cost": st.builds(Money, st.integers(0, 9), st.just("USD")),
              "status": st.sampled_from(["open", "exempted", "baselined"])}))
def test_fast_constructor_equals_the_dataclass_constructor(arguments):
    made = fast_constructor(Finding)(**arguments)
    assert made == Finding(**arguments) and type(made) is Finding
    assert made.to_dict() == Finding(**arguments).to_dict()


def test_fast_constructor_builds_the_same_finding():
    make = fast_constructor(Finding)
    arguments = dict(policy="p", severity="high", enforcement="enforce", message="m", owner="o", owner_source="none",
                     resource={"id": "x"}, evidence={"a": 1}, title="t")
    assert make(**arguments) == Finding(**arguments)
    assert type(make(**arguments)) is Finding
    full = dict(arguments, scope={"value": "v"}, monthly_cost=Money(1, "USD"), status="baselined")
    assert make(**full) == Finding(**full)
    with pytest.raises(TypeError):
        make(policy="p")  # required fields stay required
    finding = make(**arguments)
    with pytest.raises(AttributeError):
        finding.policy = "other"  # still frozen
    assert {f.name for f in fields(Finding)} >= set(arguments)


def test_fast_constructor_without_a_draft_class_builds_the_same_object(monkeypatch):
    """Where the draft class cannot be used (a layout __class__ assignment refuses), the slots are set one by one."""
    from dataclasses import dataclass

    import engine.fast_init as fast_init

    @dataclass(frozen=True, slots=True)
    class Plain:
        a: int
        b: str = "x"

    class Other:
        __slots__ = ("a", "b", "c")  # another layout: its instances cannot become Plain instances

    assert fast_init._draft_class(Plain) is not None and fast_init._draft_class(Finding) is not None
    with pytest.raises(TypeError):
        Other().__class__ = Plain
    for draft in (True, False):
        if not draft:
            monkeypatch.setattr(fast_init, "_draft_class", lambda cls: None)
        make = fast_constructor(Plain, ("a",))
        assert make(1) == Plain(1) and make(2, b="y") == Plain(2, "y") and type(make(1)) is Plain
        with pytest.raises(AttributeError):
            make(1).a = 2
        lines, _ = fast_init.build_statements(Plain, {"a": "7"})
        assert ("_fast_draft()" in lines[0]) == draft
    with pytest.raises(TypeError):
        fast_init.build_statements(Plain, {"b": "'y'"})  # a has no default
    with pytest.raises(TypeError):
        fast_init.build_statements(Plain, {"a": "1", "c": "2"})


class _Resource(dict):
    """A dict subclass: the finding maker must read it through get(), as resource_ref does."""

    def get(self, key, default=None):
        return "via get" if key == "region" else super().get(key, default)


@pytest.mark.parametrize("seed", range(4))
def test_finding_maker_builds_what_finding_builds(seed):
    """evaluate()'s finding maker (written out) gives Finding(...) with resource_ref, and the order key of before."""
    from collections import UserDict

    from engine.evaluator import _finding_maker, _unassigned

    rng = random.Random(seed)
    policy = make_policy("p", None, None)
    for resolve in (_unassigned, OWNERSHIP.resolve):
        emit, keys = _finding_maker(policy, resolve, {})
        expected_keys = []
        for index in range(200):
            resource = {name: rng.choice([f"{name}-{index}", None, 7, "a\0b"]) for name in RESOURCE_FIELDS
                        if rng.random() < 0.9}
            resource["tags"] = random_tags(rng)
            resource = rng.choice([dict, _Resource, UserDict])(resource)
            money = Money(rng.randint(1, 9), "USD") if rng.random() < 0.2 else None
            violation = Violation("m", {"e": index}, rng.choice([None, Money(3, "EUR")]), money,
                                  rng.choice([None, "info"]), rng.choice([None, "audit"]))
            if rng.random() < 0.3:  # a plain violation, as scans give them: (message, evidence)
                money = None
                violation = Violation("m", {"e": index})
                finding = emit(resource, ("m", {"e": index}))
            else:
                finding = emit(resource, violation)
            owner, source = resolve(resource)
            assert type(finding) is Finding
            assert finding == Finding(policy="p", severity=violation.severity or "low",
                                      enforcement=violation.enforcement or "enforce", message="m", owner=owner,
                                      owner_source=source, resource=resource_ref(resource), evidence={"e": index},
                                      monthly_cost=violation.monthly_cost, monthly_saving=money, title="p")
            assert tuple(finding.resource) == RESOURCE_FIELDS
            provider = str(finding.resource["provider"])
            expected_keys.append(provider + "\0" + str(finding.resource["id"]) if money is None and "\0" not in provider
                                 else None)
        assert keys == expected_keys


@pytest.mark.parametrize("mode", ["exact", "case-insensitive", "normalized"])
def test_empty_evidence_parts_are_shared_and_stay_empty(mode):
    """near_misses, invalid and collisions share one empty dict while empty; an entry gets a dict of its own."""
    spec = {"match": mode, "keys": [{"key": "owner"}, {"key": "env", "values": ["prod"]}]}
    check = tagging.compile_spec(spec, lambda *problem: pytest.fail(str(problem)))
    resources = [{"id": f"r{i}", "provider": "aws", "tags": tags} for i, tags in enumerate([
        {"env": "prod"}, {"Owner": "a", "env": "prod"}, {"owner": "a", "env": "dev"}, {"owner": "a", "OWNER": "b"},
        {"env": "prod", "ENV": "dev"}, {}, {"owner": " "},
    ])]
    result = evaluate(PolicyLibrary([make_policy("p", None, check)]), resources, as_of="2026-11-27")
    parts = [f.evidence[name] for f in result.findings for name in ("near_misses", "invalid", "collisions")]
    empty = [part for part in parts if not part]
    assert empty and all(part is empty[0] for part in empty) and empty[0] == {}
    assert any(parts)
    expected = {r["id"]: plain_tagging(check, r["tags"], lambda value: None) for r in resources}
    found = {f.resource["id"]: (f.message, f.evidence) for f in result.findings}
    assert found == {rid: (v.message, v.evidence) for rid, v in expected.items() if v is not None}


def test_evaluate_pauses_the_cyclic_gc_and_restores_it(monkeypatch):
    import gc

    import engine.evaluator as evaluator

    seen = []
    real = evaluator._evaluate

    def spy(*args):
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(evaluator, "_evaluate", spy)
    library = PolicyLibrary([])
    collecting = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            evaluate(library, [], as_of="2026-11-27")
            assert gc.isenabled() is state
        assert seen == [False, False]

        def boom(*args):
            raise RuntimeError("boom")

        monkeypatch.setattr(evaluator, "_evaluate", boom)
        gc.enable()
        with pytest.raises(RuntimeError):
            evaluate(library, [], as_of="2026-11-27")
        assert gc.isenabled()
    finally:
        (gc.enable if collecting else gc.disable)()


def test_resource_ref_holds_the_resource_fields_in_order():
    resource = {name: f"{name}-value" for name in RESOURCE_FIELDS} | {"tags": {"a": "b"}}
    assert tuple(resource_ref(resource)) == RESOURCE_FIELDS
    assert resource_ref({"id": "x"}) == dict.fromkeys(RESOURCE_FIELDS) | {"id": "x"}


@pytest.mark.parametrize("seed", range(8))
def test_findings_come_in_sort_key_order(seed):
    """evaluate() skips its final sort when every policy's findings came presorted: check it never differs."""
    rng = random.Random(seed)
    policies = []
    for index in sorted(rng.sample(range(20), 6)):
        spec = random_tagging_spec(rng)
        spec["keys"] = [rule for rule in spec["keys"] if not rule.get("known_team")] or [{"key": "team"}]
        check = tagging.compile_spec(spec, lambda *problem: pytest.fail(str(problem)))
        policies.append(make_policy(f"p{index:02d}", None, check))
    if seed % 2:
        policies.reverse()  # not by id: the final sort decides
    resources = [{"id": rng.choice(["i-1", "i-2", "b", "B", "a\0b", "é", "x" * 3]) + str(rng.randint(0, 9)),
                  "provider": rng.choice(["aws", "azure", "gcp", "aw", None, 7] + (["aws\0x"] if seed >= 4 else [])),
                  "tags": random_tags(rng)}
                 for _ in range(300)]
    result = evaluate(PolicyLibrary(policies), resources, ownership=OWNERSHIP, as_of="2026-11-27")
    assert list(result.findings) == sorted(result.findings, key=Finding.sort_key)
    assert len(result.findings) > 50


@settings(max_examples=2000, deadline=None)
@given(st.one_of(
    st.text(alphabet="0123456789-T:Z +z.", min_size=18, max_size=22),
    st.builds(lambda y, mo, d, h, mi, se: "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, mo, d, h, mi, se),
              st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61), st.integers(0, 61)),
    st.sampled_from(["2025-07-11T05:29:27Z", "2025-07-11T05:29:2 Z", "2025-07-11T05:29:27z", "2024-02-29T23:59:59Z",
                     "2023-02-29T23:59:59Z", "0001-01-01T00:00:00Z", "2025-07-11T05:29:60Z"]),
))
def test_timestamp_fast_path_reads_as_the_rule(text):
    """parse_timestamp's fast path for the usual Z shape gives what read_timestamp (the rule) gives."""
    from engine.conditions.operators import parse_timestamp, read_timestamp

    def read(parse):
        try:
            parsed = parse(text)
        except ValueError:
            return "error"
        return parsed, parsed.tzinfo

    assert read(parse_timestamp) == read(read_timestamp)


def test_built_in_scans_equal_their_checks():
    """Every built-in inventory policy with a scan finds, in the loop, what its check finds resource by
    resource (waste scans price in the loop too), on the bundled examples and the benchmark's shapes."""
    from engine import api

    library = api.load_policies(None)
    resources = api.load_inventory([str(ROOT / "examples" / "inventory.json")]).resources
    context = CheckContext(as_of_datetime("2026-11-27"), api.load_ownership(str(ROOT / "examples" / "ownership.yaml")),
                           catalog=library.catalog, prices=api.load_prices([str(ROOT / "examples" / "prices.csv")]))
    index = ResourceIndex(resources)
    scanned = 0
    for policy in library.policies:
        if policy.target != "inventory":
            continue
        check = policy.check.bind(context)
        if getattr(check, "scan", None) is None:
            continue
        selected = index.select(policy)
        expected = [(r, check(r)) for r in selected if check(r) is not None]
        assert check.scan(selected, pair) == expected, policy.id
        scanned += bool(expected)
    assert scanned >= 5  # scans that found something: tagging, condition and waste policies
