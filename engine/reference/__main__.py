"""``python -m engine.reference [--write]``: list the stale reference pages, or rewrite them."""

from __future__ import annotations

import sys

from engine.generated_files import generator_main
from engine.reference import stale_pages, write_pages


main = generator_main("python -m engine.reference", write_pages, stale_pages)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
