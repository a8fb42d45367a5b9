"""docs/showback.md runs: its Python examples print what the page says, in order, from the repository's root;
its Allocation and Scorecard documents and the example files load."""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest

from engine.documents.yaml_loader import load_yaml_documents
from engine.showback import load_allocation, load_rates, load_scorecard
from engine.showback.allocation import compile_allocation
from engine.showback.settings import compile_scorecard
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "showback.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


def test_the_python_examples_print_what_the_page_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    found = blocks()
    namespace: dict = {}
    ran = 0
    for index, (language, code) in enumerate(found):
        if language != "python" or code.lstrip().startswith("from engine.showback import (\n"):
            continue
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(code, f"{PAGE}:block{index}", "exec"), namespace)
        following = found[index + 1] if index + 1 < len(found) else ("", "")
        if following[0] == "text" and output.getvalue():
            assert output.getvalue() == following[1], f"block {index}"
        ran += 1
    assert ran >= 5


def test_the_api_block_imports():
    (api,) = [code for language, code in blocks() if language == "python" and code.startswith("from engine.showback import (\n")]
    exec(api, {})


def validated() -> list[tuple[str, str, str]]:
    """``(document, command, output)`` of each example that validates a document on the page to show its problems."""
    found = blocks()
    return [(found[i][1], found[i + 1][1].strip(), found[i + 2][1]) for i in range(len(found) - 2)
            if found[i][0] == "yaml" and found[i + 1][0] == "sh" and found[i + 1][1].startswith("costwarden validate")]


@pytest.mark.parametrize("kind, compiler", [("Allocation", compile_allocation), ("Scorecard", compile_scorecard)])
def test_the_documents_on_the_page_are_valid(kind, compiler):
    broken = {document for document, _, _ in validated()}
    texts = [code for language, code in blocks() if language == "yaml" and f"kind: {kind}" in code and code not in broken]
    assert texts
    for text in texts:
        (doc,) = load_yaml_documents(text.encode(), "page.yaml")
        problems = []
        assert compiler(doc, problems) is not None and not problems


def test_the_example_files_load():
    assert [r.id for r in load_allocation(ROOT / "examples" / "allocation.yaml").rules] == ["tax", "shared-network", "unassigned"]
    assert load_scorecard(ROOT / "examples" / "scorecard.yaml").budgets == "team-monthly"
    assert load_rates(ROOT / "examples" / "fx-rates.csv").targets == ["USD"]


def test_the_page_names_every_error_code_the_package_raises():
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "engine" / "showback").glob("*.py"))
    codes = set(re.findall(r'"(E\d{3})"', source))
    page = PAGE.read_text(encoding="utf-8")
    assert codes and {code for code in codes if code not in page} == set()
    assert os.path.exists(ROOT / "schemas" / "allocation.schema.json")


def test_the_validate_examples_print_what_the_page_shows(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from engine.cli import main

    examples = validated()
    assert examples
    monkeypatch.chdir(tmp_path)
    for document, command, output in examples:
        name = command.split()[-1]
        (tmp_path / name).write_text(document, encoding="utf-8")
        result = CliRunner().invoke(main, command.split()[1:])
        assert result.exit_code == 2 and result.output == output, result.output
