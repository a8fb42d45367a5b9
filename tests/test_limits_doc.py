"""docs/limits.md: its values are the constants in the code, and its message examples are what the
engine prints for an input over the limit (each produced here, through the loaders or the command line).

A row is named by the start of its ``input`` cell and its ``limit`` cell. Rows without an entry in
:data:`VALUES` or :data:`EXAMPLES` are other inputs' (their tests hold them)."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import InputError
from engine.documents import json_positions
from engine.exemptions import baseline
from engine.inventory import load_inventory
from engine.plans import load_plans
from engine.plans.source import MAX_SOURCE_BYTES
from engine.inventory.jsonpos import LOCATE_LIMIT
from engine.inventory.problems import MAX_PROBLEMS_PER_FILE
from engine.inventory.reading import DEFAULT_MAX_BYTES, DEPTH_LIMIT, MAX_PARSE_PROBLEMS
from engine.inventory.snapshot import LOCATION_LIMIT
from engine.metrics import load_metrics
from engine.metrics.loader import MAX_BYTES, PYTHON_LIMIT, STREAM_LIMIT
from engine.metrics.names import MAX_PERIOD
from engine.metrics.rows import MAX_LINE_BYTES, MAX_PROBLEMS
from engine.report import findings_file
from engine.showback import history
from engine.utilization import PERCENT_LIMIT, PERCENT_METRICS, SERIES_STATISTICS, VALUE_STATISTICS
from tests.conftest import REALDATA, ROOT

PAGE = ROOT / "docs" / "limits.md"
COLUMNS = ("input", "limit", "value", "error", "message example")
MiB, GiB = 2**20, 2**30
INVENTORY, METRICS, WINDOW = "inventory file", "metrics file", "lookback window"


def rows() -> list[dict]:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index("| " + " | ".join(COLUMNS) + " |")
    found = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        assert len(cells) == len(COLUMNS), line
        found.append(dict(zip(COLUMNS, cells)))
    return found


def row(input_: str, limit: str) -> dict:
    matches = [r for r in rows() if r["input"].startswith(input_) and r["limit"] == limit]
    assert len(matches) == 1, (input_, limit, len(matches))
    return matches[0]


def test_the_page_is_one_table_with_the_agreed_columns_and_no_row_twice():
    table = rows()
    assert len(table) >= len(VALUES)
    keys = [(r["input"], r["limit"]) for r in table]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    for r in table:
        assert r["error"] == "—" or re.search(r"`E\d{3}`|usage error", r["error"]), r


# --- values: the constants -----------------------------------------------------------------------------------

VALUES: dict[tuple[str, str], list[str]] = {
    (INVENTORY, "size of a file"): [f"{DEFAULT_MAX_BYTES // GiB} GiB"],
    (INVENTORY, "nesting of arrays and objects"): [f"{DEPTH_LIMIT} levels"],
    (INVENTORY, "`utilization` statistics"): [f"at most {PERCENT_LIMIT}", *(f"`{m}`" for m in PERCENT_METRICS),
                                              *(f"`{s}`" for s in (*VALUE_STATISTICS, *SERIES_STATISTICS))],
    (INVENTORY, "structural problems listed per file"): [f"{MAX_PROBLEMS_PER_FILE}"],
    (INVENTORY, "invalid JSON Lines lines listed per file"): [f"{MAX_PARSE_PROBLEMS}"],
    (INVENTORY, "line and column of a structural problem"): [f"{LOCATE_LIMIT // MiB} MiB"],
    (INVENTORY, "a finding's location (file, line, column of its resource)"): [f"{LOCATION_LIMIT // MiB} MiB"],
    (METRICS, "size of a CSV or JSON Lines file"): [f"{PYTHON_LIMIT // MiB} MiB"],
    (METRICS, "size of a CloudWatch `get-metric-data` file"): [f"{MAX_BYTES // GiB} GiB"],
    (METRICS, "size of a named pipe (`<(zcat metrics.csv.gz)`)"): [f"{STREAM_LIMIT // MiB} MiB"],
    (METRICS, "length of a line (CSV or JSON Lines), and so of a CSV field"): [f"{MAX_LINE_BYTES // MiB} MiB"],
    (METRICS, "a sample's value"): [f"at most {PERCENT_LIMIT}", *(f"`{m}`" for m in PERCENT_METRICS)],
    (METRICS, "a sample's period"): [f"1 to {MAX_PERIOD} ({MAX_PERIOD // 86400} days)"],
    (METRICS, "problems listed"): [f"{MAX_PROBLEMS} in all"],
    ("findings file", "size of a file"): [f"{findings_file.MAX_BYTES // GiB} GiB"],
    ("baseline file", "size of a file"): [f"{baseline.MAX_BYTES // MiB} MiB"],
    ("earlier findings file", "size of a file"): [f"{history.MAX_BYTES // GiB} GiB"],
    ("findings, baseline or earlier findings file", "line and column of a problem"): [f"{json_positions.LIMIT // MiB} MiB"],
    ("configuration folder", "the `.tf` and `.tf.json` files scanned for locations"): [f"{MAX_SOURCE_BYTES // MiB} MiB"],
}


@pytest.mark.parametrize("key", VALUES, ids=lambda key: f"{key[0]}: {key[1]}")
def test_a_documented_value_is_the_constant_in_the_code(key):
    value = row(*key)["value"]
    for text in VALUES[key]:
        assert text in value, (key, text, value)


# --- message examples: produced ------------------------------------------------------------------------------

AS_OF = datetime(2026, 1, 31, tzinfo=timezone.utc)
HEADER = "resource_id,metric,timestamp,period,value\n"
KIT = ROOT / "tests" / "hostile" / "kit"


def _inventory(path: Path) -> list[str]:
    with pytest.raises(InputError) as error:
        load_inventory([str(path)])
    return [p.format() for p in error.value.problems]


def _metrics(path: Path, **options) -> list[str]:
    with pytest.raises(InputError) as error:
        load_metrics([str(path)], as_of=AS_OF, lookback=timedelta(days=30), **options)
    return [p.format() for p in error.value.problems]


def _file(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _sparse(tmp: Path, name: str, size: int) -> Path:
    path = tmp / name
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def _link(tmp: Path, name: str, target: str) -> Path:
    path = tmp / name
    path.symlink_to(target)
    return path


def _pipe(tmp: Path, name: str, content: bytes) -> Path:
    path = tmp / name
    os.mkfifo(path)

    def write() -> None:
        try:
            with open(path, "wb") as pipe:
                pipe.write(content)
        except BrokenPipeError:
            pass

    threading.Thread(target=write, daemon=True).start()
    return path


def _cli(*options: str) -> list[str]:
    args = ["check", "-p", str(KIT / "policies"), "-i", str(KIT / "inventory.json"), "--metrics", str(KIT / "metrics.csv"),
            "--as-of", "2026-06-20", "-f", "json", *options]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    return [" ".join(result.output.split())]


def _resources(count: int, **extra) -> str:
    return json.dumps([{"id": f"i-{i}", "type": "AWS::EC2::Instance", **extra} for i in range(count)])


def _csv_rows(row: str, count: int = 1) -> str:
    return HEADER + row * count


EXAMPLES: dict[tuple[str, str], Callable[[Path], list[str]]] = {
    (INVENTORY, "size of a file"): lambda tmp: _inventory(_sparse(tmp, "big.json", 3 * GiB)),
    (INVENTORY, "what a path may be"): lambda tmp: _inventory(_link(tmp, "inv.json", "/dev/zero")),
    (INVENTORY, "content"): lambda tmp: _inventory(_file(tmp, "inv.jsonl", "")),
    (INVENTORY, "nesting of arrays and objects"): lambda tmp: _inventory(_file(tmp, "inv.json", "[" * 1100 + "]" * 1100)),
    (INVENTORY, "numbers"): lambda tmp: _inventory(_file(tmp, "inv.json", '[{"id": "i", "type": "t", "x_n": 1e400}]')),
    (INVENTORY, "`utilization` statistics"): lambda tmp: _inventory(
        _file(tmp, "inv.json", _resources(1, utilization={"cpu": {"p95": 250}}))),
    (INVENTORY, "structural problems listed per file"): lambda tmp: _inventory(_file(tmp, "inv.json", _resources(150, bogus=1))),
    (INVENTORY, "invalid JSON Lines lines listed per file"): lambda tmp: _inventory(_file(tmp, "inv.jsonl", "{\n" * 150)),
    (METRICS, "size of a CloudWatch `get-metric-data` file"): lambda tmp: _metrics(_sparse(tmp, "cw.json", 3 * GiB),
                                                                                     format="cloudwatch"),
    (METRICS, "size of a named pipe (`<(zcat metrics.csv.gz)`)"): lambda tmp: _metrics(
        _pipe(tmp, "m.csv", b"x" * (STREAM_LIMIT + 10))),
    (METRICS, "what a path may be"): lambda tmp: _metrics(_link(tmp, "m.csv", "m.csv")),
    (METRICS, "length of a line (CSV or JSON Lines), and so of a CSV field"): lambda tmp: _metrics(
        _file(tmp, "m.csv", HEADER + "x" * (MAX_LINE_BYTES + 1) + "\n")),
    (METRICS, "encoding"): lambda tmp: _metrics(_file(tmp, "m.csv", HEADER.encode("utf-16"))),
    (METRICS, "a sample's value"): lambda tmp: _metrics(_file(tmp, "m.csv", _csv_rows("i-1,cpu,2026-01-30T00:00:00Z,60,150\n"))),
    (METRICS, "a sample's period"): lambda tmp: _metrics(
        _file(tmp, "m.csv", _csv_rows("i-1,cpu,2026-01-30T00:00:00Z,40000000,5\n"))),
    (METRICS, "problems listed"): lambda tmp: _metrics(_file(tmp, "m.csv", _csv_rows("i-1,cpu,x,60,5\n", 150))),
    (WINDOW, "the window `[as-of − lookback, as-of)`"): lambda tmp: _cli("--as-of", "0001-01-15"),
    (WINDOW, "the lookback's count"): lambda tmp: _cli("--lookback", "999999999999d"),
    ("plan file", "numbers"): lambda tmp: _refused(lambda path: load_plans([path]), _file(
        tmp, "plan.json", (REALDATA / "infracost" / "terraform_v0.14_plan.json").read_text().replace(
            '"instance_type": "t3.nano"', '"cpu_core_count": NaN, "instance_type": "t3.nano"', 1))),
    ("findings file", "size of a file"): lambda tmp: _refused(findings_file.read_findings, _sparse(tmp, "f.json", findings_file.MAX_BYTES + 1)),
    ("baseline file", "size of a file"): lambda tmp: _refused(baseline.read_baseline, _sparse(tmp, "b.json", baseline.MAX_BYTES + 1)),
    ("earlier findings file", "size of a file"): lambda tmp: _refused(
        lambda path: history.load_previous_runs([path]), _sparse(tmp, "p.json", history.MAX_BYTES + 1)),
}


def _refused(read, path: Path) -> list[str]:
    with pytest.raises(InputError) as error:
        read(str(path))
    return [p.format() for p in error.value.problems]


@pytest.mark.parametrize("key", EXAMPLES, ids=lambda key: f"{key[0]}: {key[1]}")
def test_a_message_example_is_what_the_engine_says(key, tmp_path):
    documented = row(*key)
    example = re.search(r"`([^`]*)`", documented["message example"]).group(1)
    code = None if documented["error"].startswith("usage error") else re.search(r"`(E\d{3})`", documented["error"])
    said = EXAMPLES[key](tmp_path)
    wanted = f": {code.group(1)} {example}" if code else f"Error: {example}"
    assert any(wanted in text for text in said), (wanted, said)
