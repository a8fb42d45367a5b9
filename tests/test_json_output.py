"""The JSON document written a batch of findings at a time is the document dumped at once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from engine import api
from engine.findings import Finding, Money, Result
from engine.outputs import json_format
from engine.outputs.atomic import write_atomic

ROOT = Path(__file__).resolve().parent.parent


def whole(result: Result, version: str = "9.9") -> bytes:
    return orjson.dumps(result.to_dict(version), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE, default=str)


def finding(index: int) -> Finding:
    return Finding(policy=f"p{index % 3}", severity="low", enforcement="enforce", message=f"m\n{index} \"quoted\"",
                   owner="team", owner_source="default", resource={"id": f"r{index}", "provider": "aws"},
                   evidence={"n": index, "exact": Decimal("1.10"), "nested": {"list": [1, {"a": None}], "empty": {}}},
                   monthly_saving=Money(Decimal(index), "USD") if index % 2 else None)


@pytest.mark.parametrize("count", [0, 1, 2, json_format._BATCH, json_format._BATCH + 1, 2 * json_format._BATCH + 7])
def test_pieces_joined_are_the_document_dumped_at_once(count, monkeypatch):
    result = Result(findings=tuple(finding(i) for i in range(count)), errors=(), policies=(), as_of="2026-11-27T00:00:00Z",
                    resources_evaluated=count, warnings=("a warning",))
    assert json_format.render_bytes(result, version="9.9") == whole(result)


def test_the_bundled_example_renders_as_one_dump(tmp_path):
    library = api.load_policies(None)
    inventory = api.load_inventory([str(ROOT / "examples" / "inventory.json")])
    result = api.evaluate(library, inventory.resources, ownership=api.load_ownership(str(ROOT / "examples" / "ownership.yaml")),
                          as_of="2026-11-27")
    assert len(result.findings) > 20
    target = tmp_path / "out.json"
    write_atomic(str(target), json_format.render_chunks(result, version="9.9"))
    assert target.read_bytes() == whole(result)


def test_a_piece_that_fails_replaces_nothing(tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(b"before")

    def pieces():
        yield b"half a report"
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        write_atomic(str(target), pieces())
    assert target.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_text_that_looks_like_the_findings_member_changes_nothing():
    """Titles, warnings and evidence may hold any text, also what the findings member looks like."""
    lookalikes = ["\0findings\0", '"findings": [', '\n  "findings": [\n', "]\n}"]
    findings = tuple(replace(finding(i), title=lookalikes[i % 4], message=lookalikes[(i + 1) % 4],
                             evidence={"x": lookalikes}) for i in range(9))
    result = Result(findings=findings, errors=(), policies=(), as_of="2026-11-27T00:00:00Z", resources_evaluated=9,
                    warnings=tuple(lookalikes), skipped=tuple((text, text) for text in lookalikes))
    assert json_format.render_bytes(result, version="\0findings\0") == whole(result, "\0findings\0")
    assert orjson.loads(json_format.render_bytes(result, version="9.9"))["findings"][0]["title"] == "\0findings\0"
