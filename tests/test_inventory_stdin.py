"""``--inventory -``: the inventory read from standard input, JSON or JSON Lines detected as for a file,
under the same size limit, named ``<stdin>`` in every problem; at most once."""

from __future__ import annotations

import io
import json
import sys

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import InputError
from engine.inventory import load_inventory
from tests.conftest import REALDATA, ROOT

EXAMPLES = ROOT / "examples"
GCP_ASSETS = REALDATA / "gcp-policy-library" / "assets" / "data.json"
CHECK = ["check", "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27", "--format", "json"]


def invoke(*args, input=None):  # noqa: A002 - as CliRunner names it
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input)


class Stdin(io.TextIOWrapper):
    """A standard input holding ``data`` that counts the bytes read from it."""

    def __init__(self, data: bytes):
        self.counted = Counted(data)
        super().__init__(self.counted, encoding="utf-8")


class Counted(io.BytesIO):
    read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_check_reads_the_inventory_from_standard_input_as_from_the_file():
    from_file = invoke(*CHECK, "--inventory", EXAMPLES / "inventory.json")
    from_stdin = invoke(*CHECK, "--inventory", "-", input=(EXAMPLES / "inventory.json").read_bytes())
    assert from_file.exit_code == from_stdin.exit_code == 1, from_stdin.output
    from_file, from_stdin = json.loads(from_file.stdout), json.loads(from_stdin.stdout)
    # the same findings; only the file's give where each resource is written (standard input is no file to point at)
    assert all(f["location"]["file"].endswith("examples/inventory.json") for f in from_file["findings"] if f["resource"])
    assert all(f["location"] is None for f in from_stdin["findings"])
    for finding in from_file["findings"]:
        finding["location"] = None
    assert from_stdin == from_file and from_stdin["findings"]


def test_json_lines_on_standard_input_are_detected_from_the_content():
    """The real Cloud Asset Inventory sample, one asset a line as `gcloud asset export` writes it."""
    assets = json.loads(GCP_ASSETS.read_text())
    lines = "\n".join(json.dumps(asset) for asset in assets) + "\n"
    sys_stdin, sys.stdin = sys.stdin, Stdin(lines.encode())
    try:
        inventory = load_inventory(["-"])
    finally:
        sys.stdin = sys_stdin
    assert inventory.sources == ["<stdin>"] and inventory.formats == {"<stdin>": "gcp-asset-inventory"}
    assert inventory.resources == load_inventory([str(GCP_ASSETS)]).resources


def test_standard_input_merges_with_files_and_conflicts_name_it(tmp_path):
    first = tmp_path / "first.json"
    first.write_text(json.dumps([{"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "region": "eu-west-1"}]))
    piped = json.dumps({"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "region": "us-east-1"}) + "\n"
    result = invoke(*CHECK, "--inventory", first, "--inventory", "-", input=piped)
    assert result.exit_code in (0, 1), result.output
    assert ("aws resource 'i-1': region is 'eu-west-1' in '" + str(first) + "' but 'us-east-1' in '<stdin>'; using 'us-east-1'"
            in result.stdout)


@pytest.mark.parametrize("content, expected", [
    (b"", "<stdin>:1:1: E403 standard input is empty; expected a JSON document"),
    (b'{"id": "i-1", "type": "AWS::EC2::Instance"}\n{"id": "i-2", "type": ',
     "<stdin>:2:23: E403 invalid JSON: unexpected end of data; the input ends before the JSON value does; is it truncated?"),
    (b'[{"id": 3}]', "<stdin>:1:9: E405 'id' must be a non-empty string, got a number (at /0/id)"),
    (b'{"id": "\xff"}', "<stdin>:1:9: E402 invalid UTF-8: byte 0xff at offset 8; inventory files must be UTF-8"),
    (b'{"unknown": true}', "<stdin>: E404 cannot tell the inventory format"),
])
def test_problems_in_standard_input_name_it(content, expected):
    result = invoke(*CHECK, "--inventory", "-", input=content)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_standard_input_is_read_once():
    result = invoke(*CHECK, "--inventory", "-", "--inventory", EXAMPLES / "inventory.json", "--inventory", "-", input=b"[]")
    assert result.exit_code == 2
    assert ("<stdin>: E401 standard input can be read only once ('-' is given 2 times); save it to a file to read it twice"
            in result.stderr)


def test_the_size_limit_holds_for_standard_input_and_reading_stops_there():
    stdin = Stdin(b"[" + b'{"id": "i-1", "type": "AWS::EC2::Instance"},' * 100_000 + b"{}]")
    sys_stdin, sys.stdin = sys.stdin, stdin
    try:
        with pytest.raises(InputError) as caught:
            load_inventory(["-"], max_bytes=1000)
    finally:
        sys.stdin = sys_stdin
    (problem,) = caught.value.problems
    assert problem.format() == ("<stdin>: E406 standard input is too large (over the 1000 bytes limit for inventory files);"
                                " split the inventory into several files or raise the size limit")
    assert stdin.counted.read_bytes <= 1001


def test_a_closed_standard_input_is_an_error_not_a_traceback(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError) as caught:
        load_inventory(["-"])
    assert str(caught.value) == "<stdin>: E401 standard input is closed"


def test_a_file_named_dash_is_dot_slash_dash(tmp_path, monkeypatch):
    (tmp_path / "-").write_text(json.dumps([{"id": "i-1", "type": "AWS::EC2::Instance"}]))
    monkeypatch.chdir(tmp_path)
    assert [r["id"] for r in load_inventory(["./-"]).resources] == ["i-1"]
