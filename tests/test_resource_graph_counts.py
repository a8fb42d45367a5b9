"""An Azure Resource Graph response that holds fewer records than it says (a truncated export, or one
page of several) is read, with a warning naming the file and the numbers.

The recorded response is the real cassette of tests/data/realdata (cloud-custodian, Apache-2.0): it
says ``totalRecords: 2, count: 2`` and holds one row.
"""

from __future__ import annotations

import copy
import json

from click.testing import CliRunner

from engine.cli import main
from engine.inventory import load_inventory
from tests.test_inventory_adapters import resource_graph_table, write_json

HOLDS_ONE = ("the Resource Graph response holds 1 record but says totalRecords 2 and count 2: a truncated export, "
             "or one page of several (ask for the next with the response's $skipToken); only the records present are read")


def test_the_recorded_response_is_read_with_a_warning(tmp_path):
    path = write_json(tmp_path / "graph.json", resource_graph_table())
    inventory = load_inventory([str(path)])
    assert len(inventory.resources) == 1
    assert inventory.warnings == [f"{path}: {HOLDS_ONE}"]


def test_check_shows_the_warning(tmp_path):
    path = write_json(tmp_path / "graph.json", resource_graph_table())
    result = CliRunner().invoke(main, ["check", "--policy", "required-allocation-tags", "--inventory", str(path), "--as-of", "2026-01-01"])
    assert result.exit_code == 1
    assert f"warning: {path}: {HOLDS_ONE}" in result.stdout
    json_result = CliRunner().invoke(main, ["check", "--policy", "required-allocation-tags", "--inventory", str(path),
                                            "--as-of", "2026-01-01", "--format", "json"])
    assert f"{path}: {HOLDS_ONE}" in json.loads(json_result.stdout)["warnings"]


def test_a_response_holding_what_it_says_has_no_warning(tmp_path):
    body = resource_graph_table()
    body["totalRecords"] = body["count"] = len(body["data"]["rows"])
    assert load_inventory([str(write_json(tmp_path / "graph.json", body))]).warnings == []
    az_cli = {"data": [], "total_records": 0, "count": 0}  # az graph query's names, an empty result
    assert load_inventory([str(write_json(tmp_path / "empty.json", az_cli))], format="azure-resource-graph").warnings == []


def test_pages_are_counted_together_and_each_page_on_its_own(tmp_path):
    first = resource_graph_table()
    second = copy.deepcopy(first)
    row = second["data"]["rows"][0]
    row[[c["name"] for c in second["data"]["columns"]].index("id")] += "-2"
    first["totalRecords"] = second["totalRecords"] = 2
    first["count"], second["count"] = 1, 1
    path = write_json(tmp_path / "pages.json", [first, second])
    assert load_inventory([str(path)]).warnings == []  # two pages of one record: all there
    second["count"] = 3
    first["totalRecords"] = second["totalRecords"] = 5
    path = write_json(tmp_path / "pages.json", [first, second])
    assert load_inventory([str(path)]).warnings == [
        f"{path}: the Resource Graph page holds 1 record but says count 3: a truncated export; only the records present are read (at /1)",
        f"{path}: the Resource Graph response holds 2 records but says totalRecords 5: a truncated export, or one page of several"
        " (ask for the next with the response's $skipToken); only the records present are read",
    ]
