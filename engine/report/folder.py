"""Writing the report folder as a whole: every file, or none of them.

The files are written into a new temporary folder beside the target (same parent, so the same
file system), then the temporary folder is renamed to the target. A run that fails while writing
(a full disk, an unwritable folder) removes the temporary folder and leaves the target as it was:
never half a report, never a mix of this month's pages and last month's.

When the target exists already (the same month run again), it is first checked to hold only what a
report writes (:func:`check_target`, before anything is evaluated): the report's own files and its
``owners/`` folder. Anything else in it (a file the user keeps there) stops the run with ``E476``
rather than being replaced. At the end the old folder is renamed aside, the new one renamed in, and
the old one removed; between the two renames (microseconds) the target does not exist.
"""

from __future__ import annotations

import os
import shutil

from engine.errors import InputError, Problem
from engine.outputs.atomic import cleaned_up_on_termination
from engine.report.model import OWNER_PAGES

REPORT_FILES = frozenset({"index.html", "findings.json", "chargeback.csv", "summary.md", OWNER_PAGES})
_PREFIX = ".costwarden-report-"


def check_target(path: str) -> None:
    """Raise InputError (E476) when ``path`` cannot take a report: a file, or a folder holding anything a
    report does not write."""
    if not os.path.lexists(path):
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise InputError([Problem("E476", f"the folder {parent} does not exist", path,
                                      hint="make the parent folder first; the report folder itself is made")])
        return
    if not os.path.isdir(path) or os.path.islink(path):
        raise InputError([Problem("E476", "is not a folder: the report is a folder of files", path)])
    try:
        entries = sorted(os.listdir(path))
    except OSError as error:
        raise InputError([Problem("E476", f"cannot read the folder: {error.strerror or error}", path)]) from None
    others = [entry for entry in entries if entry not in REPORT_FILES]
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise InputError([Problem("E476", f"the folder holds files a report does not write ({shown}); a report replaces "
                                  "its folder as a whole", path, hint="choose a new or empty folder for the report")])


def write_folder(path: str, files: dict) -> None:
    """Write ``files`` (``{relative path: str | bytes | iterable of bytes}``) as the folder ``path``, all or
    nothing. Raises OSError (the target is then as it was). Ctrl-C, ``SIGTERM`` and ``SIGHUP`` while it
    writes remove the temporary folder too (:func:`engine.outputs.atomic.cleaned_up_on_termination`)."""
    with cleaned_up_on_termination():
        _write_folder(path, files)


def _write_folder(path: str, files: dict) -> None:
    target = os.path.abspath(path)
    parent = os.path.dirname(target)
    temporary = _make_temporary(parent, os.path.basename(target))
    try:
        for name, content in files.items():
            destination = os.path.join(temporary, name)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with open(destination, "wb") as out:
                if isinstance(content, str):
                    out.write(content.encode("utf-8"))
                elif isinstance(content, (bytes, bytearray, memoryview)):
                    out.write(content)
                else:
                    out.writelines(content)
        os.chmod(temporary, 0o777 & ~_umask())  # mkdtemp makes it 0700; a report folder is made as mkdir would
        _swap(temporary, target, parent)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _swap(temporary: str, target: str, parent: str) -> None:
    if not os.path.lexists(target):
        os.rename(temporary, target)
        return
    aside = _make_temporary(parent, os.path.basename(target) + ".old")
    os.rmdir(aside)  # a free name beside the target, for the old folder
    os.rename(target, aside)
    try:
        os.rename(temporary, target)
    except BaseException:
        os.rename(aside, target)  # put the old report back
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _make_temporary(parent: str, name: str) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=f"{_PREFIX}{name[:40]}-", dir=parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
