"""Where the tests find the repository and its data: the one definition of each folder.

``tests.conftest`` re-exports them (``from tests.conftest import REALDATA, ROOT``); modules that
conftest imports take them from here, so that neither imports the other.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Third-party samples copied into the repository (origin and licence of each: SOURCES.md there)
REALDATA = ROOT / "tests" / "data" / "realdata"
