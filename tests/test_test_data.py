"""The tests own their data: third-party samples live in tests/data/realdata, each listed in its SOURCES.md."""

from __future__ import annotations

import re

from tests.conftest import REALDATA, ROOT


def test_realdata_is_inside_the_repository():
    assert REALDATA.resolve().is_relative_to(ROOT.resolve())
    assert REALDATA.is_dir()


def test_every_sample_is_listed_in_sources_with_a_licence_and_every_listed_sample_is_there():
    sources = (REALDATA / "SOURCES.md").read_text(encoding="utf-8")
    listed = set()
    for line in sources.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 5 and re.fullmatch(r"[\w.-]+(/[\w.-]+)+", cells[1]):
            listed.add(cells[1])
            assert cells[5], f"{cells[1]}: no licence named"
    files = {p.relative_to(REALDATA).as_posix() for p in REALDATA.rglob("*") if p.is_file()}
    samples = {f for f in files if not f.startswith("LICENSES/") and f != "SOURCES.md"}
    assert samples == listed
    licences = {p.name for p in (REALDATA / "LICENSES").iterdir()}
    assert {"Apache-2.0.txt", "MIT.txt", "MIT-0.txt", "CC-BY-4.0.txt"} <= licences


def test_no_test_module_reaches_outside_the_repository():
    outside = ("..", "shared")  # the folder beside a developer's checkout, which a user's clone lacks
    for module in (ROOT / "tests").glob("*.py"):
        if module.name == "test_test_data.py":
            continue
        text = module.read_text(encoding="utf-8")
        assert "/".join(outside) not in text and f'"{outside[1]}"' not in text, module.name
