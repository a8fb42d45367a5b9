"""Where the bundled ``schemas/`` and ``policies/`` folders are.

In a wheel they are shipped inside the package as ``engine/_data/`` (hatchling force-include);
in a source checkout or an editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _data_dir(name: str) -> Path:
    packaged = resources.files("engine") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name


def schemas_dir() -> Path:
    return _data_dir("schemas")


def policies_dir() -> Path:
    return _data_dir("policies")
