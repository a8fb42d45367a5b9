"""Write the catalog's files as one folder, atomically: a reader sees the old catalog or the new one,
never a mix, and a failed run leaves the old one as it was.

The files are written into a temporary folder beside the target, which is then renamed into place.
A target that exists already is moved aside first and removed once the new folder is in place: a
reader may find no folder for that instant, never a half-written one. So that a mistyped
``--output`` cannot remove a folder of other files, an existing target is replaced only when it is
empty or a catalog written before (it holds the :data:`MARKER` file); anything else is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile

MARKER = ".costwarden-catalog"  # written into every catalog folder: replacing it later is safe


class FolderError(Exception):
    """The folder cannot be written (the message says why)."""


def _replaceable(target: str) -> bool:
    if not os.path.lexists(target):
        return True
    if os.path.islink(target) or not os.path.isdir(target):
        return False
    entries = os.listdir(target)
    return not entries or MARKER in entries


def write_folder(target: str, files: dict[str, str]) -> None:
    """Write ``files`` (name -> text, UTF-8) as the folder ``target``, replacing a catalog there."""
    target = os.path.abspath(target)
    if not _replaceable(target):
        kind = "a file" if os.path.lexists(target) and not os.path.isdir(target) else "a folder that is not a costwarden catalog"
        raise FolderError(f"{target} is {kind} (no {MARKER} file in it); give a new or empty folder, or a catalog written before")
    parent = os.path.dirname(target)
    try:
        temporary = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=parent)
    except OSError as error:
        raise FolderError(f"{parent}: {error.strerror or error}") from None
    aside = None
    try:
        os.chmod(temporary, 0o777 & ~_umask())  # as a folder made by mkdir, not mkdtemp's 0700
        for name, text in {**files, MARKER: "written by costwarden docs; the folder is replaced on the next run\n"}.items():
            with open(os.path.join(temporary, name), "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        if os.path.isdir(target):
            aside = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".old", dir=parent)
            os.rename(target, os.path.join(aside, "catalog"))
        os.rename(temporary, target)
        temporary = None
    except OSError as error:
        if aside is not None and not os.path.exists(target):  # put the old catalog back
            os.rename(os.path.join(aside, "catalog"), target)
        raise FolderError(f"{target}: {error.strerror or error}") from None
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
