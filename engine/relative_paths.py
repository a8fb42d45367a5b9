"""File paths as a user's tools want them: relative to the working directory when inside it.

SARIF wants repository-relative URIs and GitHub annotations repository-relative paths, so the
places findings point at (:mod:`engine.locating`) and the paths a config file gives
(:mod:`engine.config`) are written relative to the directory costwarden runs in, when they lie
inside it; paths outside it stay as they are.
"""

from __future__ import annotations

import os


def display_path(path: str, cwd: str | None = None) -> str:
    """``path`` relative to ``cwd`` (default: the working directory) when it lies inside it, else as given.
    Names that are not paths (``<stdin>``) stay as they are."""
    if not path or path.startswith("<"):
        return path
    try:
        base = cwd or os.getcwd()
        relative = os.path.relpath(os.path.abspath(path), base)
    except (OSError, ValueError):  # no working directory any more; another drive (Windows)
        return path
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return path
    return relative.replace(os.sep, "/")
