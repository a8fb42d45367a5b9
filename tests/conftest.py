from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import REALDATA, ROOT  # noqa: F401 (the tests import them from here)


@pytest.fixture
def write(tmp_path):
    """write(name, text) -> path of a file created under tmp_path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write
