"""PolicyTest documents with exemptions (inline and in files) and cases that expect ``exempted``."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import ROOT

TAGGING_TEST = """\
apiVersion: costwarden/v1
kind: PolicyTest
name: exempted tags
as_of: "2026-01-01"
inventory:
  resources:
    - {id: i-legacy, type: AWS::EC2::Instance, tags: {}}
    - {id: i-other, type: AWS::EC2::Instance, tags: {}}
    - {id: i-sandbox, type: AWS::EC2::Instance, tags: {environment: sandbox}}
    - {id: i-expired, type: AWS::EC2::Instance, tags: {}}
exemptions:
  files: [exemptions.yaml]
  documents:
    - id: sandbox
      labels: [showback]
      resources:
        where: {path: tags.environment, op: eq, value: sandbox}
      reason: sandboxes are not charged back
      approver: finops@example.com
      expires: "2026-01-01"
cases:
  - {policy: required-allocation-tags, resource: i-legacy, expect: exempted, exemption: legacy}
  - {policy: required-allocation-tags, resource: i-other, expect: fail}
  - {policy: required-allocation-tags, resource: i-sandbox, expect: exempted, exemption: sandbox}
  - {policy: required-allocation-tags, resource: i-expired, expect: fail, description: its exemption expired the day before}
"""

EXEMPTIONS = """\
apiVersion: costwarden/v1
kind: Exemption
id: legacy
policies: [required-allocation-tags]
resources:
  ids: [i-legacy]
reason: retired in January
ticket: FINOPS-7
expires: 2026-01-31
---
apiVersion: costwarden/v1
kind: Exemption
id: lapsed
policies: [required-allocation-tags]
resources:
  globs: [i-exp*]
reason: was retired in December
ticket: FINOPS-6
expires: 2025-12-31
"""

BUDGET_TEST = """\
apiVersion: costwarden/v1
kind: PolicyTest
name: an exempted budget
as_of: "2026-05-16"
ownership: ../fixtures/ownership.yaml
costs:
  files: [../fixtures/focus-may-june-2026.csv]
exemptions:
  documents:
    - id: payments-migration
      policies: [team-monthly-budget]
      scopes: [payments]
      reason: the migration doubles spend in May
      ticket: FIN-12
      expires: "2026-05-31"
cases:
  - {policy: team-monthly-budget, scope: payments, expect: exempted, exemption: payments-migration, severity: medium}
  - {policy: team-monthly-budget, scope: finops, expect: fail}
"""


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    return folder


def run(args, ok=(0, 1)):
    result = CliRunner().invoke(main, args)
    assert result.exit_code in ok, result.output
    return result


def test_cases_expect_exempted_through_inline_and_file_exemptions(library):
    (library / "tagging" / "exempted.test.yaml").write_text(TAGGING_TEST)
    (library / "tagging" / "exemptions.yaml").write_text(EXEMPTIONS)
    (library / "budgets" / "exempted.test.yaml").write_text(BUDGET_TEST)
    result = run(["test", "-v", str(library / "tagging" / "exempted.test.yaml"), str(library / "budgets" / "exempted.test.yaml")], ok=(0,))
    assert result.output.splitlines()[-1] == "6 passed, 0 failed"
    assert "PASS" in result.output and "exempted tags: required-allocation-tags × i-sandbox" in result.output


def test_a_wrong_expectation_says_what_happened(library):
    wrong = TAGGING_TEST.replace("resource: i-legacy, expect: exempted, exemption: legacy", "resource: i-legacy, expect: fail") \
        .replace("resource: i-sandbox, expect: exempted, exemption: sandbox", "resource: i-sandbox, expect: exempted, exemption: legacy")
    (library / "tagging" / "exempted.test.yaml").write_text(wrong)
    (library / "tagging" / "exemptions.yaml").write_text(EXEMPTIONS)
    result = run(["test", str(library / "tagging" / "exempted.test.yaml")], ok=(1,))
    assert "    expected: fail\n    actual:   exempted (missing tags team, cost-center, environment)" in result.output
    assert "    exemption: expected 'legacy', got 'sandbox'" in result.output
    assert result.output.splitlines()[-1] == "2 passed, 2 failed"


def test_problems_in_a_tests_exemptions_have_their_place(library):
    broken = TAGGING_TEST.replace("labels: [showback]", "labels: [showbak]").replace("files: [exemptions.yaml]", "files: [missing.yaml]")
    path = library / "tagging" / "exempted.test.yaml"
    path.write_text(broken)
    result = run(["test", str(path)], ok=(2,))
    assert result.stderr.splitlines()[:2] == [
        f"{path}:12:11: E401 exemption file 'missing.yaml' not found ({library / 'tagging' / 'missing.yaml'}) (at /exemptions/files/0)",
        f"{path}:15:16: E354 no policy has the label 'showbak' (at /exemptions/documents/0/labels/0); did you mean 'showback'?",
    ]
    schema = TAGGING_TEST.replace("      reason: sandboxes", "      reasons: sandboxes")
    path.write_text(schema)
    result = run(["validate", str(path)], ok=(2,))
    assert f"{path}:18:7: E201 unknown key 'reasons' (at /exemptions/documents/0/reasons); did you mean 'reason'?" in result.stderr
