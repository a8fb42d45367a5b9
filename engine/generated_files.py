"""The command line of a generator of files kept in the repository (``python -m engine.checks.derived``,
``python -m engine.reference``): without arguments it lists the stale files and exits 1 if there is any,
with ``--write`` it rewrites them."""

from __future__ import annotations

import sys
from typing import Callable


def generator_main(command: str, write: Callable[[], list[str]], stale: Callable[[], list[str]]) -> Callable[[list[str]], int]:
    """``main(argv) -> exit code`` for ``command`` [--write]; ``write()`` and ``stale()`` give the files' names."""

    def main(argv: list[str]) -> int:
        if argv not in ([], ["--write"]):
            print(f"usage: {command} [--write]", file=sys.stderr)
            return 2
        if argv == ["--write"]:
            written = write()
            print(f"wrote {', '.join(written)}" if written else "up to date")
            return 0
        found = stale()
        for name in found:
            print(f"{name} is stale: run {command} --write")
        return 1 if found else 0

    return main
