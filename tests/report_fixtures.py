"""What the report tests share: the example estate's report command, and reading its pages back."""

from __future__ import annotations

from html.parser import HTMLParser

from click.testing import CliRunner

from engine.cli import main
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
EXAMPLE_INPUTS = ("--policies", str(ROOT / "policies"), "--inventory", str(EXAMPLES / "inventory.json"),
                  "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"), "--budgets", str(EXAMPLES / "budgets.yaml"),
                  "--prices", str(EXAMPLES / "prices.csv"), "--ownership", str(EXAMPLES / "ownership.yaml"), "--period", "2026-11")


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def report(out, *args):
    """costwarden report over the example estate (November 2026) into ``out``."""
    return run("report", *EXAMPLE_INPUTS, "--output", out, *args)


def check_json(path, *args):
    """costwarden check over the example estate, its JSON written to ``path``."""
    return run("check", *EXAMPLE_INPUTS, "--format", "json", "--output", path, *args)


class Page(HTMLParser):
    """An HTML page read as a browser's parser reads it: its elements with their attributes, its text,
    and the text inside each element of interest."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self.stack: list[str] = []
        self.in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if not self.in_style:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def links(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.elements if "href" in attrs]
