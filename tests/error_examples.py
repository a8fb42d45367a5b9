"""The examples of docs/errors.md, read and run as a reader would run them.

Each error code has a section ``### E123`` with its meaning, then its example: the input files
(a fenced block right after a line naming the file, "`policy.yaml`:"), the command (an ``sh``
block: the lines before the last prepare the folder, the last runs ``costwarden``; or a ``python``
block, for a code no command reaches yet), and what it prints (a ``text`` block: the first line of
the message). :func:`run` runs an example in an empty folder and returns the first line of the
output that carries its code, and the exit code.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "errors.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


@dataclass
class Example:
    code: str
    files: dict[str, str] = field(default_factory=dict)
    shell: list[str] = field(default_factory=list)  # lines run before the command
    command: str | None = None  # the costwarden command line
    python: str | None = None  # or a Python snippet
    expected: str | None = None  # the first line of the message


def examples(text: str | None = None) -> dict[str, Example]:
    text = PAGE.read_text(encoding="utf-8") if text is None else text
    found = {}
    for match in re.finditer(r"^### (E\d{3})\n(.*?)(?=^### |^## |\Z)", text, re.S | re.M):
        example = Example(match.group(1))
        body = match.group(2)
        for block in _BLOCK.finditer(body):
            language, content = block.group(1), block.group(2)
            before = body[:block.start()].rstrip("\n").rsplit("\n", 1)[-1]
            named = re.fullmatch(r"`([^`]+)`:", before.strip())
            if named:
                example.files[named.group(1)] = content
            elif language == "sh":
                lines = [line for line in content.splitlines() if line.strip()]
                example.shell, example.command = lines[:-1], lines[-1]
            elif language == "python":
                example.python = content
            elif language == "text" and example.expected is None:
                example.expected = content.splitlines()[0]
        found[example.code] = example
    return found


def run(example: Example, folder: Path) -> tuple[str | None, int]:
    """Run the example in ``folder``: the first output line carrying its code (the folder's path taken
    out), and the exit code (None for a Python example)."""
    from click.testing import CliRunner

    from engine.cli import main

    for name, content in example.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    # the shell finds costwarden and the Python that runs these tests (its environment's bin folder) first
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    for line in example.shell:
        subprocess.run(["bash", "-c", line], cwd=folder, check=True, timeout=120, env=env)
    previous = os.getcwd()
    os.chdir(folder)
    try:
        if example.python is not None:
            output = io.StringIO()
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                exec(compile(example.python, f"{example.code} example", "exec"), {"__name__": "__example__"})
            text, exit_code = output.getvalue(), None  # no process: no exit code
        else:
            words = shlex.split(example.command)
            env = {}
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            stdin = None
            if "<" in words:
                index = words.index("<")
                stdin = (folder / words[index + 1]).read_bytes()
                del words[index:index + 2]
            assert words[0] == "costwarden", example.command
            result = CliRunner(env=env).invoke(main, words[1:], input=stdin)
            text, exit_code = result.output, result.exit_code
    finally:
        os.chdir(previous)
    text = text.replace(str(folder) + os.sep, "").replace(str(folder.resolve()) + os.sep, "")
    line = next((line.strip() for line in text.splitlines() if re.search(rf"\b{example.code}\b", line)), None)
    return line, exit_code


def matches(expected: str, line: str | None) -> bool:
    """The line printed is the one expected; an expected line ending in … is its beginning."""
    if line is None:
        return False
    return line.startswith(expected[:-1]) if expected.endswith("…") else line == expected


def codes_in_the_engine() -> set[str]:
    """Every error code the engine's source names: in a Problem, a report call, a table or its docs."""
    found = set()
    for path in (ROOT / "engine").rglob("*.py"):
        found |= set(re.findall(r"\bE[1-5]\d\d\b", path.read_text(encoding="utf-8")))
    return found
