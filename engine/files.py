"""Reading an input file whole, within a size limit, and saying precisely why a path cannot be read.

:func:`read_bounded` is how a loader reads a file it needs in memory (a policy, a PolicyTest, an
Ownership or Budgets document). It reads regular files and streams — a named pipe, or a process
substitution such as ``<(cat policy.yaml)``, whose size ``stat`` cannot give — and counts the
bytes while reading, so that the limit holds for a stream too (``stat`` gives 0 for a device or a
pipe). It refuses what is not a file with the reason: a folder, a device (``/dev/zero`` would
never end), a socket, a symbolic link loop or a link to nothing. It never says "no such file" of
something that exists.

:func:`not_a_file` is the same judgement without reading, for a loader that only checks a path
given in a document (a PolicyTest's fixture files).
"""

from __future__ import annotations

import errno
import os
import stat

from engine.errors import InputError, Problem

CHUNK = 1024 * 1024
NO_SUCH_FILE = "no such file"  # the reason given for a path where nothing exists


def not_a_file(path: str) -> str | None:
    """Why ``path`` cannot be read as a file ("no such file", "a folder", "a device ..."), or None
    when it can (a regular file, a named pipe, or a link to one of them)."""
    try:
        info = os.stat(path)
    except OSError as error:
        return _os_reason(path, error)
    return _kind_reason(path, info.st_mode)


def read_bounded(path: str, limit: int, what: str = "file", *, unreadable: str = "E401", too_large: str = "E105",
                 missing_hint: str | None = None) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them. Raises :class:`InputError`.

    ``what`` names the file in messages ("policy file"); ``unreadable`` and ``too_large`` are the
    codes of the two problems (the loader's own codes: a YAML document's, a snapshot's ...);
    ``missing_hint``: the hint given when nothing is at ``path`` (how to make the file).
    """
    def fail(code: str, message: str, hint: str | None = None) -> InputError:
        return InputError([Problem(code, message, path, hint=hint)])

    try:
        info = os.stat(path)
    except OSError as error:
        reason = _os_reason(path, error)
        raise fail(unreadable, f"cannot read the {what}: {reason}", missing_hint if reason == NO_SUCH_FILE else None) from None
    reason = _kind_reason(path, info.st_mode)
    if reason is not None:
        raise fail(unreadable, f"cannot read the {what}: {reason}")
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        raise fail(too_large, f"the {what} is larger than {_size(limit)} ({info.st_size} bytes)")
    chunks, total = [], 0
    try:
        with open(path, "rb") as handle:  # a named pipe blocks here until it has a writer, as cat does
            while True:
                chunk = handle.read(min(CHUNK, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:  # a stream, or a file that grew since stat
                    raise fail(too_large, f"the {what} is larger than {_size(limit)} (stopped reading after {total} bytes)")
    except OSError as error:
        raise fail(unreadable, f"cannot read the {what}: {_os_reason(path, error)}") from None
    return b"".join(chunks)


def _kind_reason(path: str, mode: int) -> str | None:
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "character" if stat.S_ISCHR(mode) else "block"
        target = os.path.realpath(path)
        via = f" ({target})" if target != os.path.abspath(path) else ""
        return f"it is a {kind} device{via}, not a file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a file"
    return "it is not a regular file"


def _os_reason(path: str, error: OSError) -> str:
    code = error.errno
    if code == errno.ELOOP:
        return "a symbolic link loop (a link that leads back to itself)"
    if code == errno.ENOENT:
        if os.path.islink(path):
            return f"a symbolic link to '{os.readlink(path)}', which does not exist"
        return NO_SUCH_FILE
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.EISDIR:
        return "it is a folder, not a file"
    return error.strerror or str(error)


def is_null_device(info: os.stat_result) -> bool:
    """Whether ``info`` (``os.stat`` of a path) is the null device, whatever its path: an empty input."""
    if not stat.S_ISCHR(info.st_mode):
        return False
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(null.st_mode) and info.st_rdev == null.st_rdev


def os_error_reason(path: str, error: OSError, *, what: str, missing: str) -> str:
    """Why opening or reading ``path`` failed, as the inventory and metrics loaders word it ("is a symbolic
    link loop ...", "is a directory, not {what}"); ``missing``: what is said where nothing is there."""
    code = error.errno
    if code == errno.ELOOP:
        return "is a symbolic link loop (a link that leads back to itself)"
    if code == errno.ENOENT:
        if path and os.path.islink(path):
            return f"is a symbolic link to '{os.readlink(path)}', which does not exist"
        return missing
    if code == errno.ENOTDIR:
        return "cannot read file: a part of the path is a file, not a directory"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.EISDIR:
        return f"is a directory, not {what}"
    return f"cannot read file: {error.strerror or error}"


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"
