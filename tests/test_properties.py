"""Properties of the engine over generated input (hypothesis), through the public Python API.

* a valid policy generated from a strategy always loads (and evaluates without raising);
* evaluation never raises on a valid generated inventory (built-in library and the hostile kit's policies);
* the JSON output always validates against ``schemas/findings.schema.json``;
* findings and fingerprints do not depend on the order of the inventory;
* the same FOCUS rows written with any UTC offsets give the same findings.

Example counts are moderate so that the module runs in well under half a minute.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from tests.conftest import ROOT
from tests.hostile.harness import AS_OF, KIT

def examples(count: int) -> settings:
    """A moderate number of examples, no deadline (DuckDB's first query is slow), no example database in the tree."""
    return settings(max_examples=count, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


FINDINGS_SCHEMA = json.loads((ROOT / "schemas" / "findings.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(FINDINGS_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

# --- policies ----------------------------------------------------------------------------------

IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
# policies are written as JSON (a subset of YAML 1.2) with \u escapes: characters beyond the BMP would be
# escaped as surrogate pairs, which the YAML parser does not combine, so policy text stays in the BMP
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), max_codepoint=0xFFFF), max_size=12)
FIELD_PATHS = st.sampled_from([
    "name", "state", "size", "region", "account", "created_at", "tags.team", "tags.environment", 'tags."cost-center"',
    "utilization.cpu.p95", "utilization.memory.max", "properties.capacity_gib", "length(relationships)",
])
PATHS = st.one_of(FIELD_PATHS, st.lists(IDENTIFIER, min_size=1, max_size=4).map(".".join))
NUMBER = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
SCALAR = st.one_of(TEXT, NUMBER, st.booleans())
SAFE_REGEX = st.one_of(TEXT.map(re.escape), st.sampled_from(["^prod", "a.*b", "[0-9]+$", "^(CC|cc)-[0-9]{4}$", "x|y"]))
DURATION = st.builds(lambda n, unit: f"{n}{unit}", st.integers(0, 5000), st.sampled_from("hdw"))


def _leaf(op_values) -> st.SearchStrategy:
    return st.builds(lambda path, pair: {"path": path, "op": pair[0], **({"value": pair[1]} if len(pair) > 1 else {})},
                     PATHS, op_values)


LEAF = _leaf(st.one_of(
    st.tuples(st.sampled_from(["eq", "ne"]), st.one_of(SCALAR, st.none())),
    st.tuples(st.sampled_from(["lt", "le", "gt", "ge"]), st.one_of(NUMBER, TEXT)),
    st.tuples(st.sampled_from(["in", "not-in"]), st.lists(SCALAR, min_size=1, max_size=4)),
    st.tuples(st.just("contains"), SCALAR),
    st.tuples(st.just("regex"), SAFE_REGEX),
    st.tuples(st.just("glob"), TEXT),
    st.tuples(st.sampled_from(["exists", "absent", "empty"])),
    st.tuples(st.sampled_from(["older-than", "newer-than"]), DURATION),
))
CONDITION = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
    ),
    max_leaves=8,
)
POLICY_ID = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
TYPES = st.lists(st.sampled_from(["compute.instance", "block.volume", "storage.bucket", "AWS::EC2::Instance",
                                  "Microsoft.Compute/virtualMachines", "compute.googleapis.com/Instance",
                                  "AWS::DynamoDB::Table"]), min_size=1, max_size=3, unique=True)
MESSAGE = st.lists(st.one_of(st.sampled_from(["{id}", "{name}", "{state}", "{size}", "{{", "}}"]),
                             st.text("abc xyz-.:", min_size=1, max_size=6)), min_size=1, max_size=5).map("".join)
TAG_KEY = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), max_codepoint=0xFFFF), min_size=1, max_size=10)
TAG_RULE = st.builds(
    lambda key, required, rule: {"key": key, "required": required, **rule},
    TAG_KEY, st.booleans(),
    st.one_of(st.just({}), st.builds(lambda values: {"values": values}, st.lists(TEXT, min_size=1, max_size=4)),
              st.builds(lambda pattern: {"pattern": pattern}, SAFE_REGEX)),
)


def _envelope(policy_id, title, severity, enforcement, types, kind, spec) -> dict:
    document = {"apiVersion": "costwarden/v1", "kind": "Policy", "id": policy_id, "title": title, "type": kind,
                "severity": severity, "enforcement": enforcement, "spec": spec}
    if types is not None:
        document["resource"] = {"types": types}
    return document


ENVELOPE = dict(policy_id=POLICY_ID, title=st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), min_size=1, max_size=20).filter(str.strip),
                severity=st.sampled_from(["info", "low", "medium", "high", "critical"]),
                enforcement=st.sampled_from(["enforce", "audit"]), types=st.none() | TYPES)
CONDITION_POLICY = st.builds(
    lambda spec, **envelope: _envelope(kind="condition", spec=spec, **envelope),
    spec=st.builds(lambda fail_if, message: {"fail_if": fail_if, **({"message": message} if message else {})},
                   CONDITION, st.none() | MESSAGE),
    **ENVELOPE,
)
TAGGING_POLICY = st.builds(
    lambda spec, **envelope: _envelope(kind="tagging", spec=spec, **envelope),
    spec=st.builds(lambda keys, match: {"keys": keys, "match": match},
                   st.lists(TAG_RULE, min_size=1, max_size=4, unique_by=lambda rule: rule["key"]),
                   st.sampled_from(["exact", "case-insensitive", "normalized"])),
    **ENVELOPE,
)

# --- inventories -------------------------------------------------------------------------------

KINDS = [("AWS::EC2::Instance", "aws", "m5.2xlarge"), ("AWS::EC2::Volume", "aws", "gp2"), ("ec2:instance", "aws", None),
         ("Microsoft.Compute/virtualMachines", "azure", "Standard_D4s_v3"), ("compute.googleapis.com/Instance", "gcp", "n1-standard-4"),
         ("AWS::S3::Bucket", "aws", None), ("AWS::RDS::DBSnapshot", "aws", None), ("custom:thing", "other", None)]
TAG_VALUE = st.one_of(st.sampled_from(["payments", "search", "prod", "dev", "staging", "CC-1234", "", " "]), TEXT, st.just(True))
TAGS = st.dictionaries(st.one_of(st.sampled_from(["team", "Team", "environment", "cost-center", "Cost_Center ", "owner"]), TAG_KEY),
                       TAG_VALUE, max_size=5)
STATISTIC = st.floats(0, 100, allow_nan=False)
UTILIZATION = st.fixed_dictionaries({}, optional={
    "cpu": st.fixed_dictionaries({"p95": STATISTIC, "max": STATISTIC, "days": st.integers(0, 60)}),
    "memory": st.fixed_dictionaries({"p95": STATISTIC}, optional={"days": st.integers(0, 60), "period": st.sampled_from([60, 300, 3600])}),
})
JSON_VALUE = st.recursive(st.none() | st.booleans() | NUMBER | TEXT,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
INSTANT = st.datetimes(datetime(2015, 1, 1), datetime(2027, 1, 1)).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


@st.composite
def resource(draw, index: int) -> dict:
    kind, provider, size = draw(st.sampled_from(KINDS))
    item = {"id": f"{provider}-resource-{index}", "type": kind, "provider": provider, "tags": draw(TAGS)}
    optional = {
        "name": st.sampled_from(["web", "db", "etl"]) | TEXT, "account": st.sampled_from(["111111111111", "p1"]),
        "region": st.sampled_from(["us-east-1", "westeurope", "us-central1"]), "size": st.just(size) | st.none(),
        "state": st.sampled_from(["running", "stopped", "available", "TERMINATED"]) | st.none(),
        "created_at": INSTANT | st.none(), "utilization": UTILIZATION,
        "properties": st.dictionaries(st.sampled_from(["capacity_gib", "targets", "x"]), JSON_VALUE, max_size=2),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            item[key] = draw(strategy)
    return item


@st.composite
def inventory(draw, max_size: int = 12) -> list[dict]:
    count = draw(st.integers(0, max_size))
    return [draw(resource(index)) for index in range(count)]


# --- helpers -----------------------------------------------------------------------------------


def _load_resources(resources: list[dict], folder: Path, name: str = "inventory.json") -> list[dict]:
    path = folder / name
    path.write_text(json.dumps({"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": resources}), encoding="utf-8")
    return engine.load_inventory([str(path)]).resources


def _library():
    return engine.load_policies(["builtin", str(KIT / "policies")])


LIBRARY = _library()
OWNERSHIP = engine.load_ownership(str(KIT / "ownership.yaml"))
BUDGETS = engine.load_budgets([str(KIT / "budgets.yaml")])
COST_POLICIES = engine.load_policies([str(KIT / "policies" / "budget.yaml"), str(KIT / "policies" / "coverage.yaml")])


def _evaluate(library, resources, **extra):
    return engine.evaluate(library, resources, ownership=OWNERSHIP, as_of=AS_OF, **extra)


def _findings(result) -> list[dict]:
    return sorted((finding.to_dict() for finding in result.findings), key=lambda item: (item["fingerprint"], json.dumps(item, sort_keys=True)))


# --- properties --------------------------------------------------------------------------------


@examples(60)
@given(policy=st.one_of(CONDITION_POLICY, TAGGING_POLICY), resources=inventory(max_size=4))
def test_a_valid_generated_policy_always_loads_and_evaluates(policy, resources):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy.yaml"
        path.write_text(json.dumps(policy, ensure_ascii=True, indent=1), encoding="utf-8")  # JSON is YAML 1.2
        library = engine.load_policies([str(path)])
        assert [(p.id, p.type) for p in library.policies] == [(policy["id"], policy["type"])]
        result = _evaluate(library, _load_resources(resources, Path(folder)))
    assert len(result.findings) <= len(resources)
    for error in result.errors:  # a type mismatch is reported, never raised
        assert error.code.startswith("E50"), error


@examples(40)
@given(resources=inventory())
def test_evaluation_never_raises_on_a_valid_generated_inventory(resources):
    with tempfile.TemporaryDirectory() as folder:
        loaded = _load_resources(resources, Path(folder))
    result = _evaluate(LIBRARY, loaded)
    assert result.exit_code("info") in (0, 1, 2)
    assert engine.render(result, "text", shorten=False)


@examples(40)
@given(resources=inventory())
def test_the_json_output_always_validates_against_the_findings_schema(resources):
    with tempfile.TemporaryDirectory() as folder:
        loaded = _load_resources(resources, Path(folder))
    document = json.loads(engine.render(_evaluate(LIBRARY, loaded), "json"))
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


@examples(40)
@given(resources=inventory(), order=st.randoms(use_true_random=False))
def test_findings_and_fingerprints_do_not_depend_on_the_inventory_order(resources, order):
    shuffled = list(resources)
    order.shuffle(shuffled)
    with tempfile.TemporaryDirectory() as folder:
        first = _evaluate(LIBRARY, _load_resources(resources, Path(folder), "a.json"))
        second = _evaluate(LIBRARY, _load_resources(shuffled, Path(folder), "b.json"))
    assert _findings(first) == _findings(second)
    assert sorted(f.fingerprint for f in first.findings) == sorted(f.fingerprint for f in second.findings)
    assert sorted(json.dumps(e.to_dict(), sort_keys=True) for e in first.errors) == \
        sorted(json.dumps(e.to_dict(), sort_keys=True) for e in second.errors)


# --- FOCUS rows in any offset ------------------------------------------------------------------

FOCUS_COLUMNS = ["BillingAccountId", "SubAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
                 "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "BilledCost", "EffectiveCost", "ListCost",
                 "ContractedCost", "PricingCategory", "ServiceName", "RegionId", "ResourceId", "Tags"]
PERIODS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
OFFSETS = [timedelta(hours=h, minutes=m) for h, m in [(-12, 0), (-9, -30), (-5, 0), (-3, -30), (0, 0), (1, 0), (2, 0),
                                                      (5, 30), (5, 45), (9, 0), (12, 45), (14, 0)]]
SPELLINGS = st.one_of(st.sampled_from(OFFSETS), st.sampled_from(["Z", "naive", "naive-space"]))


@st.composite
def focus_row(draw) -> dict:
    start = datetime(2026, 5, 28, tzinfo=timezone.utc) + timedelta(hours=draw(st.integers(0, 25 * 24)))
    hours = draw(st.sampled_from([1, 24, 24 * 3]))
    category = draw(st.sampled_from(["Usage", "Usage", "Tax", "Credit"]))
    cost = Decimal(draw(st.integers(0, 10**6))) / 1000
    if category == "Credit":
        cost = -cost
    team = draw(st.sampled_from([None, "payments", "search", "PAYMENTS"]))
    return {
        "BillingAccountId": "999999999999", "SubAccountId": "111111111111", "BillingCurrency": "USD",
        "BillingPeriodStart": datetime(2026, 6, 1, tzinfo=timezone.utc) if start.month == 6 else datetime(2026, 5, 1, tzinfo=timezone.utc),
        "BillingPeriodEnd": datetime(2026, 7, 1, tzinfo=timezone.utc) if start.month == 6 else datetime(2026, 6, 1, tzinfo=timezone.utc),
        "ChargePeriodStart": start, "ChargePeriodEnd": start + timedelta(hours=hours), "ChargeCategory": category,
        "BilledCost": str(cost), "EffectiveCost": str(cost), "ListCost": str(cost), "ContractedCost": str(cost),
        "PricingCategory": "Standard" if category == "Usage" else "", "ServiceName": "Amazon EC2", "RegionId": "us-east-1",
        "ResourceId": draw(st.sampled_from(["i-0001", "vol-0003", "es-1", ""])),
        "Tags": json.dumps({"team": team}) if team else "",
    }


def _spell(moment: datetime, spelling) -> str:
    if spelling == "Z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if spelling == "naive":
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    if spelling == "naive-space":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(timezone(spelling)).isoformat()


def _focus_csv(rows: list[dict], spellings) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FOCUS_COLUMNS)
    for number, row in enumerate(rows):
        writer.writerow([_spell(row[c], spellings[(number * 4 + PERIODS.index(c)) % len(spellings)]) if c in PERIODS else row[c]
                         for c in FOCUS_COLUMNS])
    return out.getvalue().encode()


def _cost_findings(folder: Path, name: str, data: bytes) -> list[dict]:
    path = folder / name
    path.write_bytes(data)
    costs = engine.load_costs([str(path)])
    try:
        return _findings(engine.evaluate(COST_POLICIES, None, ownership=OWNERSHIP, as_of=AS_OF, costs=costs, budgets=BUDGETS))
    finally:
        costs.close()


@examples(20)
@given(rows=st.lists(focus_row(), min_size=1, max_size=10), spellings=st.lists(SPELLINGS, min_size=1, max_size=8))
def test_the_same_focus_rows_in_any_utc_offset_give_the_same_findings(rows, spellings):
    with tempfile.TemporaryDirectory() as folder:
        canonical = _cost_findings(Path(folder), "utc.csv", _focus_csv(rows, ["Z"]))
        shifted = _cost_findings(Path(folder), "offsets.csv", _focus_csv(rows, spellings))
    assert shifted == canonical


@examples(20)
@given(rows=st.lists(focus_row(), min_size=1, max_size=12), order=st.randoms(use_true_random=False))
def test_cost_findings_do_not_depend_on_the_order_of_the_rows(rows, order):
    """The kit's cost policies (budget, tag coverage) over FOCUS rows in two orders: the same findings and
    fingerprints, and evaluation never raises (an error is reported as E5xx)."""
    shuffled = list(rows)
    order.shuffle(shuffled)
    with tempfile.TemporaryDirectory() as folder:
        first = _cost_findings(Path(folder), "a.csv", _focus_csv(rows, ["Z"]))
        second = _cost_findings(Path(folder), "b.csv", _focus_csv(shuffled, ["Z"]))
    assert first == second
