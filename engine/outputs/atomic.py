"""Write a report file atomically: a temporary file beside it, then a rename (not fsynced: see
:func:`_replace`).

What the rename replaces, by what ``path`` is:

* **nothing yet**: a new file, with mode ``0666`` less the umask (as ``open()`` would create it);
* **a regular file**: replaced; the new file keeps the old one's mode (and, where the process may
  set them, its owner and group);
* **a symlink to a regular file**: the file the link points to (``os.path.realpath``) is replaced,
  the link stays;
* **not a regular file** (a character device such as ``/dev/null``, a FIFO, a socket, a terminal),
  directly or through symlinks (``/dev/stdout``), or a path through an open file descriptor
  (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``, whatever it points to): there is nothing
  to replace; the text is written to it as it is (appended, as a write to that descriptor would
  be), without a temporary file.

**Signals while writing.** The temporary file never outlives the write: an exception (Ctrl-C's
``KeyboardInterrupt`` included) removes it before it propagates, and so does a termination signal.
``SIGTERM`` and ``SIGHUP`` end a Python process at once by default, without running any cleanup, so
for the duration of the write (only in the main thread, and only for a signal whose disposition is
the default) a handler turns them into an exception; the temporary file is removed, the previous
disposition is put back, and the signal is raised again: the process ends as terminated by it
(a shell shows exit status 143 for ``SIGTERM``), as it would have without the handler, only without
leaving a file behind. The target holds its old content, or the whole new report if the signal
came after the rename. A handler the application installed itself is left alone.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator

_DESCRIPTOR_DIRS = ("/dev/fd/", "/proc/")  # /proc/self/fd/N, /proc/<pid>/fd/N: magic links to open files
_MAX_LINKS = 40  # as the kernel's limit on symlinks in one lookup
TERMINATING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def write_atomic(path: str, text: str | bytes | Iterable[bytes | memoryview]) -> None:
    """Write ``text`` (a str, written as UTF-8; bytes, written as they are; or bytes-like pieces, written
    one after the other as they come) to ``path``. If making a piece raises, nothing is replaced."""
    data: Iterable[bytes] = (text,) if isinstance(text, bytes) else (text.encode("utf-8"),) if isinstance(text, str) else text
    try:
        existing = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        existing = None
    if (existing is not None and not stat.S_ISREG(existing.st_mode)) or _through_a_descriptor(path):
        _write_through(path, data)
        return
    _replace(os.path.realpath(path), data, existing)


def _through_a_descriptor(path: str) -> bool:
    """Whether ``path`` or a symlink on the way names an open file descriptor (``/dev/stdout``)."""
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        if current.startswith(_DESCRIPTOR_DIRS) or current in ("/dev/stdout", "/dev/stderr"):
            return True
        try:
            target = os.readlink(current)
        except OSError:  # not a symlink (or not there): the end of the chain
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return False


def _write_through(path: str, data: Iterable[bytes]) -> None:
    """Write to a device, a pipe or a descriptor's file as it is (no temporary file, no rename)."""
    with open(path, "ab") as out:  # append: a descriptor's regular file keeps what was written before
        out.writelines(data)


def _replace(target: str, data: Iterable[bytes], existing: os.stat_result | None) -> None:
    directory = os.path.dirname(target)
    try:
        with _termination_as_exception():
            temporary = None
            try:
                with _signals_held():  # a signal between creating the file and knowing its name would leave it behind
                    handle, temporary = _create_temporary(directory)
                with os.fdopen(handle, "wb") as out:
                    if existing is not None:
                        _keep_owner_and_mode(out.fileno(), temporary, existing)
                    out.writelines(data)
                # no fsync: readers see the whole old file or the whole new one, which is what a report needs;
                # durability across a power cut would cost a flush of the whole report (~0.2 s for 100 MB here)
                os.replace(temporary, target)
            except BaseException:
                if temporary is not None:
                    try:
                        os.unlink(temporary)
                    except OSError:
                        pass
                raise
    except _Terminated as stop:  # cleaned up, the default disposition is back: end as the signal would have
        signal.raise_signal(stop.signum)
        raise  # only reached where the signal does not end the process


@contextmanager
def cleaned_up_on_termination() -> Iterator[None]:
    """Inside the block, ``SIGTERM`` and ``SIGHUP`` (with the default disposition, in the main thread) raise
    an exception, so that the block's own cleanup (its ``except`` or ``finally``) runs; after it, the
    process ends as terminated by the signal, as :func:`write_atomic` does for its temporary file (the
    report folder of :mod:`engine.report.folder` uses it for its temporary folder)."""
    try:
        with _termination_as_exception():
            yield
    except _Terminated as stop:
        signal.raise_signal(stop.signum)
        raise


class _Terminated(BaseException):
    """A termination signal arrived while a temporary file existed (see the module's docstring)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame) -> None:
    raise _Terminated(signum)


@contextmanager
def _termination_as_exception() -> Iterator[None]:
    """Turn :data:`TERMINATING_SIGNALS` with the default disposition into :class:`_Terminated`, then put
    the default back. Only the main thread can set handlers; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    installed = {}
    try:
        for signum in TERMINATING_SIGNALS:
            if signal.getsignal(signum) == signal.SIG_DFL:
                installed[signum] = signal.signal(signum, _raise_terminated)
        yield
    finally:
        for signum, previous in installed.items():
            signal.signal(signum, previous)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold the termination signals (delivered when the block ends), where the platform can."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, TERMINATING_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _create_temporary(directory: str) -> tuple[int, str]:
    """A new file beside the target, created ``0666`` so that the kernel applies the umask
    (``tempfile.mkstemp`` would make it ``0600`` whatever the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = os.path.join(directory, f".costwarden-{os.urandom(6).hex()}")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {directory}")


def _keep_owner_and_mode(handle: int, temporary: str, existing: os.stat_result) -> None:
    if hasattr(os, "fchown"):
        try:
            os.fchown(handle, existing.st_uid, existing.st_gid)  # e.g. root rewriting a user's report
        except OSError:
            pass  # not allowed: the file becomes ours, as any rewrite would make it
    mode = stat.S_IMODE(existing.st_mode)  # after the chown, which may clear set-id bits
    if hasattr(os, "fchmod"):
        os.fchmod(handle, mode)
    else:  # pragma: no cover - Windows before Python 3.13
        os.chmod(temporary, mode)
