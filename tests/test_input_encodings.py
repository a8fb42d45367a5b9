"""One encoding rule for every input kind, through the command line (docs/limits.md, "Encodings"):
a UTF-8 byte order mark at the start is skipped (the run is the same as without it), and UTF-16 is
refused with the kind's encoding code, naming the file — never read as garbage, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import REALDATA, ROOT

KIT = ROOT / "tests" / "hostile" / "kit"
PLAN = REALDATA / "infracost" / "terraform_v0.14_plan.json"
OUT = ("--as-of", "2026-06-20", "-f", "json")
INV = ("check", "-p", "policies", "-i", "inventory.json", *OUT)
METRICS = ("check", "-p", "policies", "-i", "inventory.json", "--metrics", "metrics.csv", *OUT)

# kind -> (the file in the working folder, the command line reading it, the code UTF-16 gets)
KINDS = {
    "inventory JSON": ("inventory.json", INV, "E402"),
    "inventory JSON Lines": ("inventory.jsonl", ("check", "-p", "policies", "-i", "inventory.jsonl", *OUT), "E402"),
    "inventory aws-tagging": ("aws-tagging.json", ("check", "-p", "policies", "-i", "aws-tagging.json", *OUT), "E402"),
    "metrics CSV": ("metrics.csv", METRICS, "E431"),
    "metrics JSON Lines": ("metrics.jsonl", ("check", "-p", "policies", "-i", "inventory.json", "--metrics", "metrics.jsonl", *OUT),
                           "E431"),
    "metrics CloudWatch": ("cloudwatch.json", ("check", "-p", "policies", "-i", "inventory.json", "--metrics", "cloudwatch.json",
                                               "--metrics-format", "cloudwatch", *OUT), "E431"),
    "price table": ("prices.csv", METRICS + ("--prices", "prices.csv"), "E422"),
    "FOCUS": ("focus.csv", ("check", "-p", "policies", "--costs", "focus.csv", "--budgets", "budgets.yaml", *OUT), "E410"),
    "budgets YAML": ("budgets.yaml", ("check", "-p", "policies", "--costs", "focus.csv", "--budgets", "budgets.yaml", *OUT), "E106"),
    "ownership YAML": ("ownership.yaml", INV + ("--ownership", "ownership.yaml"), "E106"),
    "policy YAML": ("policies/tags.yaml", INV, "E106"),
    "Terraform plan": ("plan.json", ("check", "-p", "policies", "--plan", "plan.json", *OUT), "E402"),
}


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "work"
    shutil.copytree(KIT, folder)
    shutil.copyfile(PLAN, folder / "plan.json")
    monkeypatch.chdir(folder)
    return folder


def run(args: tuple) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.stdout, result.output


@pytest.mark.parametrize("kind", KINDS)
def test_a_utf8_byte_order_mark_changes_nothing(work, kind):
    name, args, _ = KINDS[kind]
    code, plain, _ = run(args)
    assert code in (0, 1)
    path = work / name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code_with_bom, with_bom, output = run(args)
    assert code_with_bom == code, output
    assert json.loads(with_bom) == json.loads(plain)


@pytest.mark.parametrize("kind", KINDS)
def test_utf16_is_refused_naming_the_file_with_the_kind_s_code(work, kind):
    name, args, expected = KINDS[kind]
    path = work / name
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))  # with its byte order mark, as PowerShell writes
    code, stdout, output = run(args)
    assert code == 2 and not stdout.strip(), output
    assert any(line.startswith(name) and f" {expected} " in line for line in output.splitlines()), output

