"""docs/errors.md: every error code the engine can emit is listed, and every listed code's example
prints what the page says (run as a reader would run it, in an empty folder)."""

from __future__ import annotations

import pytest

from tests import error_examples
from tests.conftest import ROOT

EXAMPLES = error_examples.examples()


def test_every_code_the_engine_uses_is_on_the_page():
    missing = sorted(error_examples.codes_in_the_engine() - set(EXAMPLES))
    assert not missing, f"docs/errors.md has no section for {missing}"


def test_the_page_lists_no_code_the_engine_does_not_use():
    assert sorted(set(EXAMPLES) - error_examples.codes_in_the_engine()) == []


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_the_example_prints_what_the_page_says(code, tmp_path):
    example = EXAMPLES[code]
    assert example.expected and (example.command or example.python), f"{code}: the section needs an example and its output"
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the bundled examples, as from the repository
    line, exit_code = error_examples.run(example, tmp_path)
    assert error_examples.matches(example.expected, line), f"{code}: printed {line!r}"
    if example.command is not None:
        assert exit_code == 2
