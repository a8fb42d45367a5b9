"""The reference pages written from the code (docs/cli.md, docs/findings.md) are not stale, and say
what the code does."""

from __future__ import annotations

import json
import re
import shutil

from click.testing import CliRunner

from engine import reference
from engine.findings import FINDINGS_SCHEMA_VERSION
from engine.cli import main
from tests.conftest import ROOT


def test_the_reference_pages_are_not_stale():
    import difflib

    for name, text in reference.pages().items():
        current = (ROOT / name).read_text(encoding="utf-8")
        diff = "".join(difflib.unified_diff(current.splitlines(True), text.splitlines(True), name, "generated", n=1))
        assert current == text, f"run: python -m engine.reference --write\n{diff[:3000]}"


def test_a_stale_page_is_found_and_rewritten(tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "docs").mkdir()
    for name in ("cli.md", "findings.md"):
        shutil.copy(ROOT / "docs" / name, tmp_path / "docs" / name)
    page = tmp_path / "docs" / "cli.md"
    page.write_text(page.read_text().replace("| `--fail-on` |", "| `--fail-at` |"))  # an option renamed by hand
    assert reference.stale_pages(tmp_path) == ["docs/cli.md"]
    assert reference.write_pages(tmp_path) == ["docs/cli.md"]
    assert reference.stale_pages(tmp_path) == []


def test_every_command_and_option_is_in_the_cli_reference():
    from engine.reference.cli_page import commands

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, command, _ in commands():
        assert f"## `{' '.join(path)}`" in page
        section = page.split(f"## `{' '.join(path)}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and not getattr(param, "hidden", False):
                    assert re.search(rf"^\| `([-\w]+, )*{re.escape(option)}(, [-\w]+)*` \|", section, re.M), f"{path} {option}"


def test_the_top_level_help_lists_the_commands_the_page_lists():
    help_text = CliRunner().invoke(main, ["--help"]).output
    listed = re.findall(r"^  ([a-z][\w-]*)\s{2,}", help_text.split("Commands:", 1)[1].split("Exit codes:", 1)[0], re.M)
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split("## `costwarden`", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| \[`([\w-]+)`\]", page, re.M) == listed


def test_the_cli_page_says_policy_and_label_select_a_union(tmp_path):
    page = " ".join((ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split())
    assert "`--policy` and `--label` combine as a union" in page
    (tmp_path / "p.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: one\ntitle: One\ntype: condition\nseverity: low\nlabels: [a]\n"
        "spec: {fail_if: {path: id, op: exists}}\n---\n"
        "apiVersion: costwarden/v1\nkind: Policy\nid: two\ntitle: Two\ntype: condition\nseverity: low\nlabels: [b]\n"
        "spec: {fail_if: {path: id, op: exists}}\n---\n"
        "apiVersion: costwarden/v1\nkind: Policy\nid: three\ntitle: Three\ntype: condition\nseverity: low\nlabels: [c]\n"
        "spec: {fail_if: {path: id, op: exists}}\n"
    )
    (tmp_path / "inv.json").write_text('[{"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws"}]')
    result = CliRunner().invoke(main, ["check", "--policies", str(tmp_path / "p.yaml"), "--inventory", str(tmp_path / "inv.json"),
                                       "--as-of", "2026-01-01", "--format", "json", "--policy", "one", "--label", "b"])
    assert sorted(p["id"] for p in json.loads(result.stdout)["summary"]["by_policy"]) == ["one", "two"]


def test_the_exit_codes_table_is_the_help_epilogs():
    """Every exit code the command's help names is in the page's table, and no other."""
    help_text = CliRunner().invoke(main, ["--help"]).output
    codes = re.findall(r"^\s*(\d+)\s{2}", help_text.split("Exit codes:", 1)[1], re.M)
    table = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| (\d+) \|", table, re.M) == codes


def test_the_findings_page_lists_every_field_of_a_finding():
    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    page = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    finding = page.split("### `finding`", 1)[1].split("\n### ", 1)[0]
    for name in schema["$defs"]["finding"]["properties"]:
        assert f"| `{name}` |" in finding, name
    assert FINDINGS_SCHEMA_VERSION in schema["properties"]["schema_version"]["enum"]
    assert f'"{FINDINGS_SCHEMA_VERSION}"' in page  # the version the document carries
