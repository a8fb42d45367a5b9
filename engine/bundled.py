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


BUILTIN = "builtin"  # as a policy path: the bundled library (``--policies builtin``)


def policy_paths(paths=None) -> list[str]:
    """Policy paths as a user gives them, with :data:`BUILTIN` read as the bundled library.

    No path at all means the bundled library alone. ``builtin`` may stand among other paths, so a
    policy set can be layered over the library (``--policies builtin --policies my-set.yaml``)
    without knowing where the package is installed; a folder of that name is ``./builtin``.
    """
    given = [str(path) for path in paths or ()]
    if not given:
        return [str(policies_dir())]
    return [str(policies_dir()) if path == BUILTIN else path for path in given]
