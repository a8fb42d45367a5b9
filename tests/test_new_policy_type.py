"""A new policy type is written in five places, as docs/policy-types.md says, and nothing else is edited by hand.

On a copy of the source (engine/, schemas/, docs/, policies/), the test does what a contributor
adding a cost type ``anomaly`` does: it writes the check module, its spec schema, its line in
CHECKS, a new kind of money in MONEY (the one extra line a new kind of dollars needs), a built-in
policy and its policy test, then runs ``python -m engine.checks.derived --write``. It then checks
that exactly those files and the generated ones changed, and runs the copy's ``costwarden``
(``python -m engine`` with the copy first on the path) as a user would: the help names the type,
``validate`` reports a schema error in its spec with file:line:col, ``test`` passes its policy
test, ``check`` gives findings carrying the new money, in JSON valid against the regenerated
findings schema, with amounts equal to an independent computation over the real FOCUS sample
(tests/data/realdata/focus-sample-data, CC-BY-4.0, FinOps Foundation), and the editor schema
routes the type's spec.
"""

from __future__ import annotations

import csv
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import REALDATA, ROOT

SAMPLE = REALDATA / "focus-sample-data" / "focus_sample.csv"
AS_OF = "2024-09-30T12:00:00Z"  # in the sample's month: rows that start before it count
TEST_AS_OF = "2024-09-30"  # a policy test's as-of is a date (00:00 UTC)
COPIED = ("engine", "schemas", "docs", "policies")
COPIED_FILES = ("mkdocs.yml",)  # the site's navigation lists the type pages

MODULE = '''\
"""``anomaly`` — a day whose spend is far above the month's daily average, per scope.

What it does
    Sums each day's usage EffectiveCost per scope value and currency over the month holding the
    as-of date, and fails a scope whose largest day is more than ``percent`` above its average day.
    The finding carries that day's excess over the average day as ``anomalous_cost``.

Why is this bad?
    A spike is a leak, a runaway job or a mistake until someone says otherwise.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-daily-spikes
        title: No service spends a day far above its daily average
        type: anomaly
        severity: medium
        spec:
          percent: 50

Use instead
    Find what ran that day and stop it, or say why it was expected.

Options
    ``scope``: ``ServiceName`` (default), ``owner``, another FOCUS column or ``tag:KEY``.
    ``percent``: how far above the average day the largest day may be.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.amounts import cents, exact, percent, ratio, show
from engine.costs import sql
from engine.costs.scope import Scope, parse_scope
from engine.findings import Money
from engine.violations import CostViolation


@dataclass(frozen=True)
class AnomalyCheck:
    scope: Scope
    percent: object

    def columns(self) -> set[str]:
        return {"ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency", "EffectiveCost"} | self.scope.columns()

    def run(self, costs, context, policy_severity: str) -> list[CostViolation]:
        scoped = self.scope.in_period(costs, context, "month", 1)
        d, period, tags = costs.dialect, scoped.period, scoped.tags
        daily = (
            f"daily AS (SELECT {scoped.scope_sql} AS scope, BillingCurrency AS currency, CAST(ChargePeriodStart AS DATE) AS day,"
            f" sum(EffectiveCost) AS cost FROM {sql.from_rows(costs.table, tags)}"
            f" WHERE {sql.period_filter(d, period)} AND ChargeCategory = {d.string('Usage')} GROUP BY ALL)"
        )
        rows = costs.query(f"{sql.with_clause(tags, daily)}SELECT scope, currency, max(cost), sum(cost), count(*)"
                           " FROM daily GROUP BY scope, currency")
        violations = []
        for value, currency, peak, total, days in sorted(rows, key=lambda r: (r[0] is None, str(r[0]), r[1])):
            average = ratio(total, days)
            if average <= 0 or peak * 100 <= average * (100 + Decimal(str(self.percent))):
                continue
            owner, source = self.scope.owner_of(value, context.ownership)
            message = (f"{self.scope.describe(value)}: a day of {show(peak, currency)} against an average day of "
                       f"{show(average, currency)} (+{percent(peak - average, average)}%)")
            evidence = {"peak_day_cost": exact(peak), "average_day_cost": exact(cents(average)), "days": days, "percent": self.percent}
            scope = {"dimension": self.scope.dimension, "value": value, "currency": currency, "period": period.to_dict()}
            money = {"anomalous_cost": Money(cents(peak - average), currency)}
            violations.append(CostViolation(scope, owner, source, message, evidence, None, money))
        return violations


def compile_spec(spec: dict, report) -> AnomalyCheck | None:
    scope = parse_scope(spec.get("scope", "ServiceName"), "exact", "/scope", report)
    if scope is None:
        return None
    return AnomalyCheck(scope, spec["percent"])
'''

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://costwarden.dev/schemas/policy-types/anomaly.schema.json",
    "title": "spec of an anomaly policy",
    "type": "object",
    "required": ["percent"],
    "properties": {
        "scope": {"type": "string", "default": "ServiceName", "description": "what the spend is grouped by"},
        "percent": {"type": "number", "exclusiveMinimum": 0, "description": "how far above the average day the largest day may be"},
    },
    "additionalProperties": False,
}

TABLE_LINE = ('    "anomaly": PolicyType("anomaly", anomaly, "policy-types/anomaly.schema.json", '
              '"a day far above the daily average, per scope", target="costs", money=("anomalous_cost",)),\n')
MONEY_LINE = '    MoneyField("anomalous_cost", "anomalous", "the spend of the largest day above the average day"),\n'

POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: daily-spend-spike
title: No service spends a day far above its daily average
type: anomaly
severity: medium
spec:
  scope: ServiceName
  percent: 50
"""


def spikes(path: Path, until: str = AS_OF, percent: int = 50) -> dict[str, tuple[str, Decimal]]:
    """Independently of the engine: per failing service, its currency and the largest day's excess over
    the average day, in cents (plain csv and Decimal over the file's usage rows of September 2024 that
    start before ``until``; the sample writes UTC times as ``YYYY-MM-DD HH:MM:SS``)."""
    until = until.replace("T", " ").removesuffix("Z")
    until = until if len(until) > 10 else until + " 00:00:00"
    daily: dict[tuple, Decimal] = defaultdict(Decimal)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            start = row["ChargePeriodStart"]
            if row["ChargeCategory"] == "Usage" and "2024-09-01 00:00:00" <= start < until:
                daily[(row["ServiceName"], row["BillingCurrency"], row["ChargePeriodStart"][:10])] += Decimal(row["EffectiveCost"])
    days: dict[tuple, list[Decimal]] = defaultdict(list)
    for (service, currency, _), cost in daily.items():
        days[(service, currency)].append(cost)
    found = {}
    for (service, currency), costs in days.items():
        average = sum(costs) / len(costs)
        if average > 0 and max(costs) * 100 > average * (100 + percent):
            found[service] = (currency, (max(costs) - average).quantize(Decimal("0.01")).normalize())
    return found


def insert_before(path: Path, marker: str, text: str) -> None:
    """``text`` inserted in the file before the last line that is ``marker`` (the end of a table literal)."""
    source = path.read_text(encoding="utf-8")
    index = source.rindex("\n" + marker) + 1
    path.write_text(source[:index] + text + source[index:], encoding="utf-8")


def changed_files(copy: Path) -> set[str]:
    """Files of the copied parts that differ from (or are not in) the repository."""
    changed = {name for name in COPIED_FILES if not filecmp.cmp(copy / name, ROOT / name, shallow=False)}
    for part in COPIED:
        for path in (copy / part).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                original = ROOT / path.relative_to(copy)
                if not original.is_file() or not filecmp.cmp(path, original, shallow=False):
                    changed.add(str(path.relative_to(copy)))
    return changed


def costwarden(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=copy, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The source copy with the anomaly type added in its five places (and its money), the generator run."""
    root = tmp_path_factory.mktemp("source")
    for part in COPIED:
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in COPIED_FILES:
        shutil.copy(ROOT / name, root / name)
    # 1. the check module, 2. its spec schema
    (root / "engine" / "checks" / "anomaly.py").write_text(MODULE, encoding="utf-8")
    (root / "schemas" / "policy-types" / "anomaly.schema.json").write_text(json.dumps(SCHEMA, indent=2) + "\n", encoding="utf-8")
    # 3. its line in CHECKS (and its module among the imports of that file)
    checks = root / "engine" / "checks" / "__init__.py"
    source = checks.read_text(encoding="utf-8")
    imports = re.compile(r"(from engine\.checks import \(?)budget, ")
    assert len(imports.findall(source)) == 1
    checks.write_text(imports.sub(r"\1anomaly, budget, ", source), encoding="utf-8")
    insert_before(checks, "}", TABLE_LINE)
    # the new kind of money: one entry in MONEY
    insert_before(root / "engine" / "findings.py", ")}", MONEY_LINE)
    # 4. a built-in policy, 5. its test (expectations computed independently)
    folder = root / "policies" / "anomalies"
    folder.mkdir()
    (folder / "daily-spend-spike.yaml").write_text(POLICY, encoding="utf-8")
    shutil.copy(SAMPLE, folder / "focus_sample.csv")
    found = spikes(SAMPLE, TEST_AS_OF)
    cases = [{"policy": "daily-spend-spike", "scope": service, "currency": currency, "expect": "fail",
              "money": {"anomalous_cost": {"amount": format(excess, "f"), "currency": currency}}}
             for service, (currency, excess) in sorted(found.items())]
    cases.append({"policy": "daily-spend-spike", "scope": "AWS Lambda", "expect": "pass"})
    test = {"apiVersion": "costwarden/v1", "kind": "PolicyTest", "name": "daily spend spikes", "as_of": TEST_AS_OF,
            "costs": {"files": ["focus_sample.csv"]}, "cases": cases}
    (folder / "daily-spend-spike.test.yaml").write_text(json.dumps(test, indent=2) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root)}
    generated = subprocess.run([sys.executable, "-m", "engine.checks.derived", "--write"], cwd=root, env=env,
                               capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return root


def test_the_sample_has_spikes_to_find():
    assert set(spikes(SAMPLE)) == {"Amazon Elastic Compute Cloud", "Storage Accounts"}


def test_only_the_five_places_the_money_entry_and_the_generated_files_change(copy):
    written_by_hand = {
        "engine/checks/anomaly.py",
        "schemas/policy-types/anomaly.schema.json",
        "engine/checks/__init__.py",
        "engine/findings.py",  # the new kind of money, one line of MONEY
        "policies/anomalies/daily-spend-spike.yaml",
        "policies/anomalies/daily-spend-spike.test.yaml",
        "policies/anomalies/focus_sample.csv",  # the test's fixture
    }
    generated = {"schemas/policy.schema.json", "schemas/findings.schema.json", "schemas/policy-test.schema.json", "docs/policy-types.md",
                 "docs/policy-types/anomaly.md", "mkdocs.yml"}
    assert changed_files(copy) == written_by_hand | generated
    diff = subprocess.run(["git", "diff", "--no-index", "--numstat", str(ROOT / "engine" / "checks" / "__init__.py"),
                           str(copy / "engine" / "checks" / "__init__.py")], capture_output=True, text=True)
    assert diff.stdout.split()[:2] == ["2", "1"]  # the table line, and the module in the import line


def test_the_generated_files_name_the_type_and_its_money(copy):
    policy = json.loads((copy / "schemas" / "policy.schema.json").read_text())
    assert "anomaly" in policy["properties"]["type"]["enum"]
    assert {"if": {"properties": {"type": {"const": "anomaly"}}, "required": ["type"]},
            "then": {"properties": {"spec": {"$ref": "policy-types/anomaly.schema.json"}}}} in policy["allOf"]
    findings = json.loads((copy / "schemas" / "findings.schema.json").read_text())
    assert "anomalous_cost" in findings["$defs"]["finding"]["properties"]["money"]["required"]
    assert "anomalous_cost" in findings["properties"]["summary"]["properties"]["by_policy"]["items"]["required"]
    case = json.loads((copy / "schemas" / "policy-test.schema.json").read_text())["properties"]["cases"]["items"]
    assert "anomalous_cost" in case["properties"]["money"]["properties"]
    page = (copy / "docs" / "policy-types.md").read_text()
    assert re.search(r"^\| \[`anomaly`\]\(policy-types/anomaly.md\) \| the cost snapshot .*\| `anomalous_cost` \|", page, re.M)
    assert re.search(r"^\| `anomalous_cost` \| anomalous \| .* \| `anomaly` \|$", page, re.M)
    type_page = (copy / "docs" / "policy-types" / "anomaly.md").read_text()  # the type's reference page, from its docstring and schema
    assert "## Why is this bad?\n\nA spike is a leak, a runaway job or a mistake until someone says otherwise." in type_page
    assert "| `percent` | number | yes | — | > 0 | how far above the average day the largest day may be |" in type_page
    assert '- "anomaly": policy-types/anomaly.md' in (copy / "mkdocs.yml").read_text()  # in the site's navigation


def test_the_help_names_the_type_and_the_editor_schema_routes_its_spec(copy):
    done = costwarden(copy, "check", "--help")
    assert done.returncode == 0
    help_text = " ".join(done.stdout.split()).replace("- ", "-")  # click wraps lines at hyphens too
    assert "cost policies (types budget, tag-coverage, commitment, anomaly) need" in help_text
    done = costwarden(copy, "schema", "policy")
    editor = json.loads(done.stdout)
    assert "anomaly" in editor["properties"]["type"]["enum"]
    assert "policy-types.anomaly.schema.json" in editor["$defs"]


def test_validate_reports_a_schema_error_in_its_spec(copy, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(POLICY.replace("percent: 50", "percent: fifty\n  scop: ServiceName"), encoding="utf-8")
    done = costwarden(copy, "validate", str(broken))
    assert done.returncode == 2
    assert f"{broken}:9:12: E203 expected number, got string 'fifty' (at /spec/percent)" in done.stderr
    assert f"{broken}:10:3: E201 unknown key 'scop' (at /spec/scop); did you mean 'scope'?" in done.stderr
    done = costwarden(copy, "validate", "policies/anomalies")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 2 files, 1 policy, 1 policy tests")


def test_its_policy_test_passes(copy):
    done = costwarden(copy, "test", "policies/anomalies", "--verbose")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("3 passed, 0 failed")


def test_check_gives_findings_carrying_the_new_money(copy):
    done = costwarden(copy, "check", "--policies", "policies/anomalies/daily-spend-spike.yaml", "--costs", str(SAMPLE),
                      "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    schema = json.loads((copy / "schemas" / "findings.schema.json").read_text())
    Draft202012Validator(schema).validate(document)
    got = {f["scope"]["value"]: f["money"]["anomalous_cost"] for f in document["findings"]}
    assert got == {service: {"amount": format(excess, "f"), "currency": currency} for service, (currency, excess) in spikes(SAMPLE).items()}
    assert all(f["money"]["overspend"] is None for f in document["findings"])
    (by_policy,) = document["summary"]["by_policy"]
    assert by_policy["type"] == "anomaly" and by_policy["anomalous_cost"] == [
        {"amount": format(sum(excess for _, excess in spikes(SAMPLE).values()).normalize(), "f"), "currency": "USD"}]
    text = costwarden(copy, "check", "--policies", "policies/anomalies", "--costs", str(SAMPLE), "--as-of", AS_OF)
    assert text.returncode == 1
    excess = spikes(SAMPLE)["Amazon Elastic Compute Cloud"][1]
    assert f"anomalous {excess:.2f} USD" in text.stdout  # the output's label for the new money, from MONEY
