"""docs/plans.md: its Python example runs and prints what the page shows; its error table quotes the
messages the reader gives."""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile

import pytest

from engine.errors import InputError
from engine.plans import load_plans
from tests.conftest import REALDATA, ROOT

PAGE = (ROOT / "docs" / "plans.md").read_text(encoding="utf-8")


def test_the_python_example_prints_what_the_page_shows(monkeypatch):
    code, expected = re.search(r"```python\n(.*?)```\n\n```text\n(.*?)```", PAGE, re.S).groups()
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/plans.md", "exec"), {})  # noqa: S102 - the page's own example
    assert out.getvalue() == expected


def quoted(code: str) -> str:
    row = next(line for line in PAGE.splitlines() if line.startswith(f"| {code} |"))
    return row.rsplit("| `", 1)[1].rsplit("` |", 1)[0]


@pytest.mark.parametrize("code, name, content", [
    ("E441", "wrapped.json", (REALDATA / "infracost" / "plan_with_terraform_wrapper.json").read_bytes()),
    ("E442", "plan.txt", b"No changes. Your infrastructure matches the configuration.\n"),
    ("E440", "state.json", json.dumps(json.loads((REALDATA / "infracost" / "terraform_v0.14_plan.json").read_text())
                                      ["prior_state"]).encode()),
    ("E444", "future.json", json.dumps({"format_version": "2.0", "resource_changes": []}).encode()),
])
def test_the_error_table_quotes_the_messages(tmp_path, monkeypatch, code, name, content):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as raised:
        load_plans([name])
    assert raised.value.problems[0].format() == quoted(code)


def test_a_malformed_entry_and_a_missing_source_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = json.loads((REALDATA / "infracost" / "terraform_v0.14_plan.json").read_text())
    doc["resource_changes"][5]["mode"] = "manged"
    (tmp_path / "plan.json").write_text(json.dumps(doc, indent=2))
    with pytest.raises(InputError) as raised:
        load_plans(["plan.json"])
    assert raised.value.problems[0].format() == quoted("E447")
    with pytest.raises(InputError) as raised:
        load_plans(["plan.json"], source_dir="infra")
    assert raised.value.problems[0].format() == quoted("E448")


def test_the_binary_plan_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile("tfplan", "w") as archive:
        archive.writestr("tfplan", b"\x00")
    with pytest.raises(InputError) as raised:
        load_plans(["tfplan"])
    assert raised.value.problems[0].format() == quoted("E443")
