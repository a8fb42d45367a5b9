"""docs/costs.md: its Python example runs and prints what the page shows."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import ROOT

DOC = ROOT / "docs" / "costs.md"


def test_the_example_prints_what_the_page_shows(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"## An example\n\n```python\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"prints \(.*?\):\n\n```text\n(.*?)```", text, re.S).group(1)
    out = io.StringIO()
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - the page's own example
    finally:
        os.chdir(here)
    assert out.getvalue() == shown


def test_the_budget_warnings_shown_are_what_a_run_prints(write):
    from tests.test_budgets_documents import run

    text = DOC.read_text(encoding="utf-8")
    shown = re.search(r"did-you-mean:\n\n```text\n(.*?)```", text, re.S).group(1).splitlines()
    result, (_, _, budgets, _) = run(write)
    import json

    printed = [w.replace(str(budgets), "budgets.yaml") for w in json.loads(result.stdout)["warnings"] if "Budgets '" in w]
    assert sorted(printed) == sorted(shown)
