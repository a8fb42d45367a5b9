"""docs/outputs.md: its commands run, and its examples are what they print (abbreviated by the rules below).

When an output changes on purpose, rewrite the examples with ``python -m tests.test_output_docs``
(from the repository root) and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys

from click.testing import CliRunner

from engine.cli import main
from tests.conftest import ROOT
from tests.output_cases import validate_sarif

DOC = ROOT / "docs" / "outputs.md"
FENCES = {"sarif": "json", "junit": "xml", "github": "text", "markdown": "markdown", "csv": "csv"}
_BLOCK = re.compile(r"(<!-- example: (\w+) -->\n)(.*?)(<!-- end of example -->)", re.S)


def commands(text: str) -> dict[str, str]:
    """The documented ``costwarden check ... --format NAME`` command of each format."""
    found = {}
    for line in re.findall(r"^costwarden check .*$", text, re.M):
        name = shlex.split(line)[-1]
        assert name not in found, f"two commands for {name}"
        found[name] = line
    return found


def run(command: str) -> str:
    """The command's output, run from the repository root as the doc says."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
    finally:
        os.chdir(before)
    assert result.exit_code == 1, result.output  # the example estate has open findings of enforced policies
    return result.output


def sarif_excerpt(output: str) -> str:
    document = validate_sarif(json.loads(output))
    (run_,) = document["runs"]
    results = run_["results"]
    first_resource = next(r for r in results if r["locations"][0]["logicalLocations"][0].get("kind") == "resource")
    first_scope = next(r for r in results if "kind" not in r["locations"][0]["logicalLocations"][0])
    run_["tool"]["driver"]["rules"] = run_["tool"]["driver"]["rules"][:1]
    run_["results"] = [first_resource, first_scope]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def junit_excerpt(output: str) -> str:
    suites = re.findall(r"^  <testsuite .*?^  </testsuite>\n|^  <testsuite [^\n]*/>\n", output, re.S | re.M)
    chosen = []
    for marker in ("<failure ", "<skipped ", '<testcase name="no findings"'):
        chosen.append(min((suite for suite in suites if marker in suite and suite not in chosen), key=len))
    head = output[: output.index("\n", output.index("<testsuites")) + 1]
    return head + "".join(sorted(chosen, key=suites.index)) + "</testsuites>\n"


def github_excerpt(output: str) -> str:
    lines = output.splitlines(keepends=True)
    return "".join(lines[:3] + lines[-1:])


def markdown_excerpt(output: str) -> str:
    return output[: output.index("</details>") + len("</details>\n")]


def csv_excerpt(output: str) -> str:
    return "".join(output.replace("\r\n", "\n").splitlines(keepends=True)[:4])


EXCERPTS = {"sarif": sarif_excerpt, "junit": junit_excerpt, "github": github_excerpt, "markdown": markdown_excerpt, "csv": csv_excerpt}


def fence(name: str, excerpt: str) -> str:
    ticks = "````" if "```" in excerpt else "```"
    return f"{ticks}{FENCES[name]}\n{excerpt}{ticks}\n"


def documented(text: str) -> dict[str, str]:
    return {match.group(2): match.group(3) for match in _BLOCK.finditer(text)}


def generated(text: str) -> dict[str, str]:
    found = commands(text)
    assert sorted(found) == sorted(EXCERPTS)
    return {name: fence(name, EXCERPTS[name](run(found[name]))) for name in EXCERPTS}


def test_every_format_has_a_command_and_an_example_that_is_what_the_command_prints():
    text = DOC.read_text(encoding="utf-8")
    shown = documented(text)
    assert sorted(shown) == sorted(EXCERPTS)
    expected = generated(text)
    for name in EXCERPTS:
        assert shown[name] == expected[name], f"docs/outputs.md: the {name} example is stale; run python -m tests.test_output_docs"


def test_the_python_example_runs(monkeypatch):
    text = DOC.read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - the documented example
    assert json.loads(namespace["sarif"])["version"] == "2.1.0"
    assert namespace["comment"].startswith("### costwarden fails")
    assert len(namespace["comment"]) <= 30_000


def rewrite() -> None:
    text = DOC.read_text(encoding="utf-8")
    expected = generated(text)
    DOC.write_text(_BLOCK.sub(lambda m: m.group(1) + expected[m.group(2)] + m.group(4), text), encoding="utf-8")


if __name__ == "__main__":
    rewrite()
    sys.exit(0)
