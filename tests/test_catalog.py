"""costwarden docs: the catalog of a policy library, as a reader of the published pages sees it.

Markdown pages are rendered with GitHub's own renderer (cmark-gfm) before they are judged; HTML
pages are read with the standard library's parser. The built-in library's catalog in
docs/library/ is what the command writes today.
"""

from __future__ import annotations

import filecmp
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
import yaml
from click.testing import CliRunner

from engine.catalog.folder import MARKER
from engine.cli import main
from engine.library import load_library
from tests.conftest import ROOT

BUILTIN = load_library([str(ROOT / "policies")])


def docs(*args: str):
    return CliRunner().invoke(main, ["docs", *args])


def gfm(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name in ("href", "src")]

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("html", "html")])
def test_every_builtin_policy_is_in_the_catalog(tmp_path, fmt, suffix):
    result = docs("--format", fmt, "--output", str(tmp_path / "catalog"))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / 'catalog'}: {len(BUILTIN.policies) + 1} pages, {len(BUILTIN.policies)} policies\n"
    index = (tmp_path / "catalog" / f"index.{suffix}").read_text()
    index_html = gfm(index) if fmt == "markdown" else index
    for policy in BUILTIN.policies:
        assert f'href="{policy.id}.{suffix}"' in index_html, policy.id
        page = (tmp_path / "catalog" / f"{policy.id}.{suffix}").read_text()
        text = "".join(parsed(gfm(page) if fmt == "markdown" else page).text)
        assert policy.title in text and policy.severity in text and policy.enforcement in text
    # each capability (a folder of the library) heads its policies, each label lists its own
    text = "".join(parsed(index_html).text)
    for capability in ("budgets", "commitments", "rightsizing", "tagging", "waste"):
        assert capability in text


def test_a_page_shows_examples_from_the_policy_tests(tmp_path):
    assert docs("--output", str(tmp_path / "c")).exit_code == 0
    cases = [c for doc in BUILTIN.tests for c in doc.data["cases"] if c["policy"] == "unattached-volume"]  # the tests, in load order
    page = (tmp_path / "c" / "unattached-volume.md").read_text()
    non_compliant, compliant = page.split("### Non-compliant", 1)[1].split("### Compliant", 1)
    failing = [c["resource"] for c in cases if c["expect"] == "fail"][:3]
    passing = [c["resource"] for c in cases if c["expect"] == "pass"][:3]
    shown = lambda part: [json.loads(block)["id"] for block in re.findall(r"```json\n(.*?)```", part, re.S)]  # noqa: E731
    assert shown(non_compliant) == failing and shown(compliant) == passing
    budget = (tmp_path / "c" / "team-monthly-budget.md").read_text()  # a cost policy: its scope values
    assert "**scope payments**" in budget.split("### Compliant")[0] and "**scope search**" in budget.split("### Compliant")[1]


def test_a_policy_sets_values_show_up(tmp_path):
    (tmp_path / "acme.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: PolicySet\nid: acme\npolicies:\n"
        "  allowed-environment-values:\n    severity: critical\n    parameters:\n      environments: [prod, prd, qa-zone]\n"
        "  stopped-instance:\n    enabled: false\n")
    result = docs("builtin", str(tmp_path / "acme.yaml"), "--output", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    page = gfm((tmp_path / "c" / "allowed-environment-values.md").read_text())
    row = re.search(r"<tr>\s*<td>environments</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, re.S)
    value, default = (html.unescape(cell) for cell in row.groups())
    assert json.loads(value.replace(" (set by a policy set)", "")) == ["prod", "prd", "qa-zone"]
    assert "(set by a policy set)" in value and json.loads(default) == BUILTIN.get("allowed-environment-values").parameters["environments"]
    assert "<td>critical</td>" in page and "acme changes this policy" in page
    assert "qa-zone" in page.split("The policy's settings", 1)[1]  # the settings carry the value in force
    assert not (tmp_path / "c" / "stopped-instance.md").exists()
    assert "stopped\\-instance" in (tmp_path / "c" / "index.md").read_text().split("## Switched off", 1)[1]


HOSTILE = {
    "title": "<script>alert(1)</script> @finops-team [click](https://evil.example) | x",
    "description": "```\n</code><img src=x onerror=alert(1)> **bold** #123",
    "label": "<b>label</b>",
    "tag": "``` <script>",
}


def write_hostile(folder: Path) -> None:
    folder.mkdir()
    (folder / "p.yaml").write_text(yaml.safe_dump({
        "apiVersion": "costwarden/v1", "kind": "Policy", "id": "hostile", "title": HOSTILE["title"], "description": HOSTILE["description"],
        "type": "tagging", "severity": "high", "labels": [HOSTILE["label"]], "remediation": "[x](javascript:alert(1))",
        "spec": {"keys": [{"key": "team"}]}}))
    (folder / "p.test.yaml").write_text(yaml.safe_dump({
        "apiVersion": "costwarden/v1", "kind": "PolicyTest", "name": "<i>t</i>",
        "inventory": {"resources": [{"id": "r-1", "type": "AWS::EC2::Instance", "provider": "aws", "tags": {"team": HOSTILE["tag"]}},
                                    {"id": "r-2", "type": "AWS::EC2::Instance", "provider": "aws", "tags": {}}]},
        "cases": [{"policy": "hostile", "resource": "r-1", "expect": "pass", "description": "<script>x</script>"},
                  {"policy": "hostile", "resource": "r-2", "expect": "fail"}]}))


def test_hostile_values_are_escaped_in_markdown(tmp_path):
    write_hostile(tmp_path / "p")
    assert docs(str(tmp_path / "p"), "--output", str(tmp_path / "c")).exit_code == 0
    for name in ("index.md", "hostile.md"):
        html = gfm((tmp_path / "c" / name).read_text())
        tags = parsed(html)
        assert not {"script", "img", "b", "i", "em"} & set(tags.tags)
        assert all(link.endswith(".md") for link in tags.links), tags.links  # no link but the catalog's own
        text = "".join(tags.text)
        assert "@\u200bfinops-team" in text and "@finops-team" not in text  # no mention
        if name == "hostile.md":
            assert HOSTILE["title"].replace("@", "@\u200b").replace("://", ":\u200b//") in text  # the text it is, no link
            assert "**bold** #\u200b123" in text  # no emphasis, no issue reference
            assert '"team": "``` <script>"' in text  # inside its fenced block, which it cannot close
            rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)  # the table's rows are not broken by a | in a value
            assert len(rows) == 8 and all(len(re.findall(r"<t[dh]\b", row)) == 2 for row in rows)
    index = gfm((tmp_path / "c" / "index.md").read_text())
    assert re.search(r"<tr>\s*<td><a href=\"hostile.md\">hostile</a></td>\s*<td>[^<]*</td>\s*<td>tagging</td>", index)


def test_descriptions_render_as_paragraphs_without_escaped_line_breaks(tmp_path):
    """A YAML folded (>) description ends with a line break, a literal (|) one holds several: the page shows
    their text and paragraphs, never a "\\n"."""
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "prose.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: prose\ntitle: Prose\ntype: tagging\nseverity: low\n"
        "description: >\n  First paragraph, folded\n  over two lines.\n\n  Second paragraph.\n"
        "remediation: |\n  Tag it.\n  Then run the check again.\n"
        "spec:\n  keys:\n    - key: team\n")
    assert docs(str(folder), "--output", str(tmp_path / "c")).exit_code == 0
    page = gfm((tmp_path / "c" / "prose.md").read_text())
    assert "\\n" not in page
    assert "<p>First paragraph, folded over two lines.<br />\nSecond paragraph.</p>" in page
    assert "<p>Tag it.<br />\nThen run the check again.</p>" in page
    for built in (ROOT / "docs" / "library").glob("*.md"):
        assert "\\n" not in gfm(built.read_text()), built.name


def test_hostile_values_are_escaped_in_html(tmp_path):
    write_hostile(tmp_path / "p")
    assert docs(str(tmp_path / "p"), "--format", "html", "--output", str(tmp_path / "c")).exit_code == 0
    for name in ("index.html", "hostile.html"):
        page = (tmp_path / "c" / name).read_text()
        tags = parsed(page)
        assert not {"script", "img", "b", "i"} & set(tags.tags)
        assert all(link.endswith(".html") for link in tags.links)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<style>" in page and "http" not in page.replace("https://evil.example", "")  # self-contained: nothing fetched


def test_the_folder_is_replaced_whole_and_never_a_folder_of_other_files(tmp_path):
    target = tmp_path / "c"
    write_hostile(tmp_path / "p")
    assert docs("--output", str(target)).exit_code == 0
    assert (target / MARKER).is_file() and (target / "zero-usage.md").is_file()
    assert docs(str(tmp_path / "p"), "--output", str(target)).exit_code == 0  # a catalog written before: replaced whole
    assert sorted(p.name for p in target.iterdir()) == sorted([MARKER, "index.md", "hostile.md"])
    (tmp_path / "p" / "p.yaml").write_text("apiVersion: costwarden/v1\nkind: Policy\nid: broken\n")
    failed = docs(str(tmp_path / "p"), "--output", str(target))  # an invalid library: nothing is written
    assert failed.exit_code == 2 and "E202" in failed.stderr
    assert (target / "hostile.md").is_file()
    mine = tmp_path / "project"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    refused = docs("--output", str(mine))
    assert refused.exit_code == 2
    assert refused.stderr == (f"costwarden: cannot write the catalog: {mine} is a folder that is not a costwarden catalog "
                              f"(no {MARKER} file in it); give a new or empty folder, or a catalog written before\n")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "p", "project"]  # no temporary folder left behind


def test_the_builtin_catalog_in_the_docs_is_not_stale(tmp_path):
    assert docs("builtin", "--output", str(tmp_path / "library")).exit_code == 0
    comparison = filecmp.dircmp(tmp_path / "library", ROOT / "docs" / "library")
    stale = comparison.left_only + comparison.right_only + comparison.diff_files
    assert not stale, f"{stale}: run costwarden docs builtin --output docs/library"
    assert not [n for n in comparison.common_files if not filecmp.cmp(tmp_path / "library" / n, ROOT / "docs" / "library" / n, shallow=False)]
