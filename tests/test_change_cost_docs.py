"""docs/change-cost.md: its example command runs and prints the lines the page shows; the page names
every policy type of target change and every spec option of their schemas."""

from __future__ import annotations

import json
import re
import shlex

from click.testing import CliRunner

from engine.checks import CHECKS
from engine.cli import main
from tests.conftest import ROOT

PAGE = (ROOT / "docs" / "change-cost.md").read_text(encoding="utf-8")


def test_the_example_prints_what_the_page_shows(monkeypatch):
    command, expected = re.search(r"## The example.*?```sh\n(.*?)```\n\n```text\n(.*?)```", PAGE, re.S).groups()
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "costwarden"
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, args[1:], catch_exceptions=False)
    assert result.exit_code == 1  # change-within-budget fails payments
    assert expected in result.output


def test_the_page_names_the_change_types_and_their_options():
    for name, policy_type in CHECKS.items():
        if policy_type.target != "change":
            continue
        assert f"`{name}`" in PAGE
        schema = json.loads((ROOT / "schemas" / policy_type.schema).read_text())
        for option in schema["properties"]:
            if option in ("fiscal_year_start", "measure", "charge_categories"):
                continue  # shared with budget: docs/policy-types.md
            assert f"`{option}" in PAGE or f"{option}:" in PAGE, (name, option)
