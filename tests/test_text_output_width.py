"""The text report fits the terminal it is shown on, and stays whole everywhere else.

The terminal is a real pseudo-terminal of a given size (``costwarden`` runs as a subprocess with its
standard output on it); the pipe is a plain pipe. The estate is the README quick start (``examples/``).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest

from engine.outputs import text_format
from engine.version import __version__
from tests.conftest import ROOT
from tests.output_cases import example_result

QUICK_START = ["check", "--policies", "policies", "--inventory", "examples/inventory.json", "--costs", "examples/costs/focus-2026-11.csv",
               "--budgets", "examples/budgets.yaml", "--prices", "examples/prices.csv", "--ownership", "examples/ownership.yaml",
               "--as-of", "2026-11-27"]
LONG_ID = "/subscriptions/5f1c3a2e-8d4b-4c6f-9a7e-2b3c4d5e6f70/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/vm-spark-01"


def on_terminal(columns: int) -> list[str]:
    """The lines ``costwarden check`` prints on a terminal ``columns`` wide."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}  # the terminal says
    env["NO_COLOR"] = "1"
    process = subprocess.Popen([sys.executable, "-m", "engine", *QUICK_START], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is gone once the process has ended (EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 1
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n").splitlines()


def piped() -> list[str]:
    done = subprocess.run([sys.executable, "-m", "engine", *QUICK_START], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("columns", [120, 80])
def test_on_a_terminal_no_line_is_wider_than_it(columns):
    lines = on_terminal(columns)
    assert max(map(len, lines)) <= columns
    text = "\n".join(lines)
    assert "Summary by owner:" in text and "commitment utilization 50.00% (minimum 90%)" in " ".join(text.split())
    assert LONG_ID not in text and "…" in text  # ids are still shortened in the middle


def test_a_pipe_gets_every_line_whole():
    lines = piped()
    assert max(map(len, lines)) > 200  # the table's lines as wide as their content
    assert any(LONG_ID in line for line in lines)
    assert not any(re.match(r"^ {10}\S", line) for line in lines)  # nothing wrapped


def test_a_table_that_fits_is_the_table_a_pipe_gets():
    result = example_result()
    whole = text_format.render(result, version=__version__, shorten=False)
    wide = text_format.render(result, version=__version__, shorten=True, width=10_000)
    assert max(map(len, wide.splitlines())) < max(map(len, whole.splitlines()))  # ids and messages shortened, nothing wrapped
    assert [line.split()[:2] for line in wide.splitlines() if line.startswith("  high ")] == \
           [line.split()[:2] for line in whole.splitlines() if line.startswith("  high ")]


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_every_finding_and_every_owner_is_still_there_at_any_width(width):
    result = example_result()
    text = text_format.render(result, version=__version__, shorten=True, width=width)
    lines = text.splitlines()
    summary = lines.index("Summary by owner:")
    assert max(len(line) for line in lines[:summary]) <= width  # the findings
    flat = " ".join(text.split())
    for finding in result.findings:
        assert " ".join(finding.message.split()[:4]) in flat
    for entry in result.owner_summary():
        assert any(line.startswith(f"  {entry['owner']} ") for line in lines[summary:])
    assert sum(line.startswith("  ") and line.split()[0] in ("critical", "high", "medium", "low", "info")
               for line in lines[:summary]) == len(result.findings)
