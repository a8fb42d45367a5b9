"""docs/report.md: its commands run, in a folder holding the repository's examples/ and policies/, and
write and print what the page shows."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import ROOT

PAGE = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```sh\n(costwarden report [^\n]*)\n```\n+(?:[^`\n][^`]*?\n+)?```text\n(.*?)```", PAGE, re.S)
SIZES = re.compile(r"\d+(\.\d+)? (B|KiB|MiB)")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    for name in ("examples", "policies"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_page_has_its_examples():
    assert len(EXAMPLES) == 2


def test_the_report_example_writes_the_files_shown(folder):
    command, shown = EXAMPLES[0]
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 1, result.output  # open findings, as check says
    written = sorted(str(p.relative_to(folder)) for p in (folder / "reports").rglob("*") if p.is_file())
    assert written == shown.split()


def test_the_dry_run_example_prints_what_the_page_shows(folder, monkeypatch):
    monkeypatch.delenv("COSTWARDEN_SMTP_USER", raising=False)
    monkeypatch.delenv("COSTWARDEN_SMTP_PASSWORD", raising=False)
    command, shown = EXAMPLES[1]
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 1, result.output
    assert SIZES.sub("SIZE", result.stdout) == SIZES.sub("SIZE", shown)
