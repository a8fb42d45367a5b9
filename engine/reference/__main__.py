"""``python -m engine.reference [--write]``: list the stale reference pages, or rewrite them."""

from __future__ import annotations

import sys

from engine.reference import stale_pages, write_pages


def main(argv: list[str]) -> int:
    if argv not in ([], ["--write"]):
        print("usage: python -m engine.reference [--write]", file=sys.stderr)
        return 2
    if argv == ["--write"]:
        written = write_pages()
        print(f"wrote {', '.join(written)}" if written else "up to date")
        return 0
    stale = stale_pages()
    for name in stale:
        print(f"{name} is stale: run python -m engine.reference --write")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
