"""GitHub Actions workflow commands, read back the way the Actions runner reads a log line."""

from __future__ import annotations

import re

from engine import __version__, api
from engine.outputs import FORMATS
from engine.outputs.escaping import workflow_data, workflow_property
from engine.outputs.labels import subject
from tests.output_cases import HOSTILE, example_result, hostile_result, with_statuses

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "notice"}
RANK = ["info", "low", "medium", "high", "critical"]


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def read_command(line: str) -> tuple[str, dict, str]:
    """A workflow command as the runner parses one (``::name k=v,k=v::data``): the command ends at the
    first ``::`` after the leading one, properties split at ``,`` and at the first ``=``."""
    assert line.startswith("::") and "\n" not in line and "\r" not in line
    end = line.index("::", 2)
    command, data = line[2:end], line[end + 2:]
    name, _, given = command.partition(" ")
    properties = {}
    for pair in filter(None, given.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = unescape_property(value)
    return name, properties, unescape_data(data)


def commands(text: str) -> list[tuple[str, dict, str]]:
    assert text.endswith("\n")
    return [read_command(line) for line in text[:-1].split("\n")]


def test_the_example_run_annotates_the_most_severe_ten_per_level_and_says_what_it_left_out():
    result = example_result()
    read = commands(api.render(result, "github"))
    *annotations, summary = read
    assert summary[0] == "notice" and summary[1] == {"title": f"costwarden {__version__}"}
    levels = [name for name, _, _ in annotations]
    assert levels.count("error") <= 10 and levels.count("warning") <= 10 and levels.count("notice") <= 9
    expected = {level: sum(LEVEL[f.severity] == level for f in result.findings if f.status == "open") for level in ("error", "warning", "notice")}
    left_out = {level: expected[level] - levels.count(level) for level in expected}
    assert left_out == {"error": 0, "warning": 14, "notice": 0}  # 24 medium and low open findings
    assert "annotations not shown: 14 warning" in summary[2]
    assert summary[2].startswith("33 findings (33 open) from 18 policies; fails: 10 open findings of enforced policies at or above info")
    # the most severe first, and each annotation is a finding: its level, title, file and line
    ranks = [max(RANK.index(s) for s, level in LEVEL.items() if level == name) for name in levels]
    assert ranks == sorted(ranks, reverse=True)
    policies = {p.id: p for p in result.policies}
    by_message = {f"{subject(f)}: {f.message}": f for f in result.findings}
    for name, properties, message in annotations:
        finding = by_message[message.split("\n")[0]]
        assert name == LEVEL[finding.severity]
        if finding.location is not None:  # an inventory finding: where its resource is in the inventory file
            assert (properties["file"], properties["line"], properties["col"]) == (
                finding.location["file"], str(finding.location["line"]), str(finding.location["column"]))
        else:  # a cost finding: its policy's document
            assert properties["file"] == policies[finding.policy].file and properties["line"] == str(policies[finding.policy].line)
        assert properties["title"] == f"{finding.policy} ({finding.severity}{'' if finding.enforcement == 'enforce' else ', audit'})"
        assert message.split("\n")[1].startswith(f"owner: {finding.owner}")


def test_per_level_caps_every_level():
    read = commands(FORMATS["github"](example_result(), version="1", per_level=3))
    levels = [name for name, _, _ in read[:-1]]
    assert levels.count("error") == 3 and levels.count("warning") == 3 and levels.count("notice") == 1
    assert "annotations not shown: 5 error, 21 warning" in read[-1][2]


def test_exempted_and_baselined_findings_are_counted_not_annotated():
    result = with_statuses(example_result())
    read = commands(FORMATS["github"](result, version="1", per_level=100))
    assert len(read) - 1 == sum(f.status == "open" for f in result.findings) == 11
    assert "33 findings (11 open, 11 exempted, 11 baselined)" in read[-1][2]


def test_hostile_values_neither_end_the_command_nor_start_another():
    result = hostile_result()
    text = FORMATS["github"](result, version="1", per_level=1000)
    lines = text[:-1].split("\n")
    annotated = [f for f in result.findings if f.status == "open"]
    assert len(lines) == len(annotated) + 1  # one line per command: no CR or LF of a value got through
    without_file = 0
    for name, properties, message in commands(text)[:-1]:
        (finding,) = [f for f in annotated if message.startswith(f"{subject(f)}: {f.message}\nowner: ")]
        assert name == LEVEL[finding.severity]
        assert set(properties) <= {"file", "line", "col", "title"}
        if finding.location:  # every character of a hostile path, read back exactly
            assert (properties["file"], properties["line"], properties["col"]) == (finding.location["file"], str(finding.location["line"]), "3")
        elif finding.policy == "api-made-<b>policy</b>":  # no location, no policy: no file property at all
            assert "file" not in properties and "line" not in properties
            without_file += 1
        assert f"owner: {finding.owner}" in message
    assert without_file == 1
    for line in lines:  # the command part holds no "::" of a value, no raw "," or ":" inside a property value
        command = line[2:line.index("::", 2)]
        for pair in command.partition(" ")[2].split(","):
            assert ":" not in pair.partition("=")[2]


def test_escaping_follows_the_toolkit():
    # @actions/core: escapeData replaces % CR LF; escapeProperty also : and ,
    assert workflow_data("100% done\r\nnext ::error::") == "100%25 done%0D%0Anext ::error::"
    assert workflow_property("a:b,c%0A\n") == "a%3Ab%2Cc%250A%0A"
    for text in HOSTILE:
        assert unescape_data(workflow_data(text)) == text and unescape_property(workflow_property(text)) == text
        assert not re.search(r"[\r\n]", workflow_data(text)) and not re.search(r"[\r\n:,]", workflow_property(text))
