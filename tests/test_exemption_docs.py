"""docs/exemptions.md and docs/baselines.md: their examples run and say what the commands print.

* ``<!-- file: PATH -->`` before a YAML block: the block is the file (under ``examples/``, which the
  commands read);
* ``<!-- example: NAME, exit N -->`` ... ``<!-- end of example -->``: the ``sh`` block's command runs
  (from a folder holding the repository's ``examples`` and ``policies``, the commands of a page one
  after the other in one folder), exits N, and prints the lines of the ``text`` block, in that order
  (runs of spaces compared as one: tables are padded to their widest cell);
* ``<!-- excerpt of the file written by the first example -->``: its entries are lines of that file;
* ``<!-- problems: PATH -->``: the YAML block, written at PATH, gives the ``text`` block that follows;
* ``<!-- policy test: NAME -->``: the PolicyTest passes against the built-in policy it names;
* ``<!-- python -->``: the block runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import ROOT

EXAMPLE = re.compile(r"<!-- example: ([\w-]+), exit (\d) -->\n(.*?)<!-- end of example -->", re.S)
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def page(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def fence_after(text: str, marker: str, language: str) -> str:
    start = text.index(marker)
    match = FENCE.search(text, start)
    assert match.group(1) == language, (marker, match.group(1))
    return match.group(2)


@pytest.fixture
def folder(tmp_path):
    """A folder like the repository root for the commands: examples and policies, nothing else."""
    os.symlink(ROOT / "examples", tmp_path / "examples")
    os.symlink(ROOT / "policies", tmp_path / "policies")
    before = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(before)


def normalized(line: str) -> str:
    return " ".join(line.split())


def run_examples(text: str) -> dict[str, str]:
    outputs = {}
    found = EXAMPLE.findall(text)
    assert found
    for name, code, body in found:
        (command,) = [m.group(2).strip() for m in FENCE.finditer(body) if m.group(1) == "sh"]
        (expected,) = [m.group(2) for m in FENCE.finditer(body) if m.group(1) == "text"]
        arguments = shlex.split(command)
        assert arguments[0] == "costwarden"
        result = CliRunner().invoke(main, arguments[1:])
        assert result.exit_code == int(code), (name, result.output)
        printed = [normalized(line) for line in result.output.splitlines()]
        position = 0
        for line in expected.splitlines():
            wanted = normalized(line)
            assert wanted in printed[position:], f"{name}: {line!r} not printed (in this order)\n{result.output}"
            position = printed.index(wanted, position) + 1
        outputs[name] = result.output
    return outputs


@pytest.mark.parametrize("name", ["exemptions.md", "baselines.md"])
def test_the_files_shown_are_the_files(name):
    text = page(name)
    for path in re.findall(r"<!-- file: ([\w./-]+) -->", text):
        assert fence_after(text, f"<!-- file: {path} -->", "yaml") == (ROOT / path).read_text(encoding="utf-8")


def test_the_exemption_examples(folder):
    text = page("exemptions.md")
    run_examples(text)
    marker = "<!-- problems: exemptions/e.yaml -->"
    (folder / "exemptions").mkdir()
    (folder / "exemptions" / "e.yaml").write_text(fence_after(text, marker, "yaml"))
    expected = fence_after(text, "`check --exemptions exemptions` says", "text")
    result = CliRunner().invoke(main, ["check", "--inventory", "examples/inventory.json", "--exemptions", "exemptions"])
    assert result.exit_code == 2
    assert result.stderr == expected + "costwarden: 2 problems found; nothing was evaluated\n"


def test_the_policy_test_example(tmp_path):
    test = fence_after(page("exemptions.md"), "<!-- policy test: exempted -->", "yaml")
    shutil.copy(ROOT / "policies" / "tagging" / "required-allocation-tags.yaml", tmp_path)
    (tmp_path / "exempted.test.yaml").write_text(test)
    result = CliRunner().invoke(main, ["test", str(tmp_path / "exempted.test.yaml")])
    assert (result.exit_code, result.output) == (0, "3 passed, 0 failed\n")


def test_the_baseline_workflow(folder):
    text = page("baselines.md")
    run_examples(text)  # create, check, check later, update, grow: in one folder, in order
    assert len(json.loads((folder / ".costwarden-baseline.json").read_text())["findings"]) == 36
    CliRunner().invoke(main, shlex.split(re.search(r"^costwarden baseline create .*$", text, re.M).group(0))[1:])
    lines = {line.rstrip(",") for line in (folder / ".costwarden-baseline.json").read_text().splitlines()}
    excerpt = fence_after(text, "<!-- excerpt of the file written by the first example -->", "json")
    entries = [line.rstrip(",") for line in excerpt.splitlines() if line.startswith('    {"fingerprint"')]
    assert len(entries) == 2 and set(entries) <= lines
    json.loads(excerpt)


@pytest.mark.parametrize("name", ["exemptions.md", "baselines.md"])
def test_the_python_examples_run(name, folder):
    if name == "baselines.md":
        command = re.search(r"^costwarden baseline create .*$", page(name), re.M).group(0)
        assert CliRunner().invoke(main, shlex.split(command)[1:]).exit_code == 0
    namespace: dict = {}
    exec(fence_after(page(name), "<!-- python -->", "python"), namespace)  # noqa: S102 - the documentation's own example
    result = namespace["result"]
    if name == "exemptions.md":
        assert [(r.id, r.state) for r in result.exemptions] == [
            ("legacy-batch-untagged", "expiring"), ("payments-vendor-sizes", "active"), ("search-reindex-budget", "expired")]
    else:
        assert [e["resource"]["id"] for e in result.baseline.fixed] == ["arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1b2c3d4e5f60011"]
        assert json.loads(namespace["text"])["fingerprint_version"] == "2"
