"""``--output`` targets as a user meets them: devices, pipes, symlinks, modes and the umask."""

from __future__ import annotations

import os
import stat
import sys

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.outputs.atomic import write_atomic
from tests.conftest import ROOT

CHECK = ["check", "--inventory", str(ROOT / "examples" / "inventory.json"), "--as-of", "2026-11-27", "--format", "json"]


@pytest.fixture
def umask():
    """umask(value): set the process umask for the test, restored afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield lambda value: os.umask(value)
    os.umask(saved)


def test_a_fifo_is_written_to_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so that opening for writing does not block
    try:
        write_atomic(str(fifo), "through the pipe\n")
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
        assert os.read(reader, 1000) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file left


def test_a_symlink_to_a_fifo_like_dev_stdout_stays_a_symlink(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(str(link), b"bytes\n")
        assert os.read(reader, 1000) == b"bytes\n"
    finally:
        os.close(reader)
    assert link.is_symlink() and os.readlink(link) == str(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
def test_a_character_device_like_dev_null_stays_a_device(tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the device numbers of /dev/null
        with open(null, "wb"):
            pass
    except OSError as error:  # e.g. a tmp filesystem mounted nodev
        pytest.skip(f"cannot make or open a device node here: {error}")
    write_atomic(str(null), "discarded\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.lstat(null).st_rdev == os.makedev(1, 3)


def test_check_output_to_a_fifo_through_a_symlink_writes_the_report_into_the_pipe(tmp_path):
    """``check --output /dev/stdout`` with standard output a pipe, without touching the real /dev."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = CliRunner().invoke(main, [*CHECK, "--policy", "stopped-instance", "--output", str(link)])
        assert result.exit_code in (0, 1), result.output
        data = b""
        while chunk := os.read(reader, 65536):
            data += chunk
    finally:
        os.close(reader)
    assert b"\"schema_version\": \"1.1\"" in data
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_to_a_regular_file_replaces_the_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "reports" / "findings.json"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(os.path.relpath(real, tmp_path))
    write_atomic(str(link), "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "reports"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["findings.json"]


def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask):
    umask(0o022)
    write_atomic(str(tmp_path / "a.json"), "{}")
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644
    umask(0o027)
    write_atomic(str(tmp_path / "b.json"), "{}")
    assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o640


def test_an_overwritten_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "findings.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(str(target), "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    os.chmod(target, 0o664)
    write_atomic(str(target), "newer")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd is Linux's")
def test_a_descriptor_path_appends_where_the_descriptor_writes(tmp_path):
    """``--output /dev/stdout`` with standard output redirected to a file: the shell's file is written
    through, not replaced by a rename (which would lose what was written before, e.g. with >>)."""
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    inode = log.stat().st_ino
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        write_atomic(f"/proc/self/fd/{fd}", "report\n")
    finally:
        os.close(fd)
    assert log.read_text() == "earlier line\nreport\n"
    assert log.stat().st_ino == inode


def test_a_directory_as_output_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, [*CHECK, "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert f"costwarden: cannot write {tmp_path}: Is a directory" in result.output
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


# --- signals while a report is being written ------------------------------------------------------------

_SLOW_WRITER = """
import signal, sys, time
from engine.outputs.atomic import write_atomic

if sys.argv[2] == "own-handler":
    stopped = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.append(signum))

def pieces():
    yield b"new report, first part\\n"
    print("writing", flush=True)  # the temporary file exists now
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (sys.argv[2] == "own-handler" and stopped):
        time.sleep(0.01)
    yield b"new report, last part\\n"

write_atomic(sys.argv[1], pieces())
print("written; SIGTERM handler is", "the default" if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL else "the application's",
      flush=True)
"""


def _signal_while_writing(tmp_path, signum: int, mode: str = "default"):
    import subprocess

    target = tmp_path / "report.json"
    target.write_bytes(b"OLD REPORT\n")
    process = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target), mode], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "writing\n"
    assert len(list(tmp_path.iterdir())) == 2  # the report and its temporary file
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    return process.returncode, stdout, stderr, target


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGHUP"])
def test_a_termination_signal_while_writing_leaves_no_temporary_file_and_ends_the_process_by_it(tmp_path, signum):
    import signal

    code, stdout, stderr, target = _signal_while_writing(tmp_path, getattr(signal, signum))
    assert code == -getattr(signal, signum), (code, stderr)  # terminated by the signal, as without the handler
    assert "Traceback" not in stderr and stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.read_bytes() == b"OLD REPORT\n"


def test_ctrl_c_while_writing_leaves_no_temporary_file(tmp_path):
    import signal

    code, _, stderr, target = _signal_while_writing(tmp_path, signal.SIGINT)
    assert code != 0 and "KeyboardInterrupt" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.read_bytes() == b"OLD REPORT\n"


def test_an_application_s_own_sigterm_handler_is_left_alone(tmp_path):
    import signal

    code, stdout, stderr, target = _signal_while_writing(tmp_path, signal.SIGTERM, "own-handler")
    assert code == 0, stderr
    assert stdout == "written; SIGTERM handler is the application's\n"
    assert target.read_bytes() == b"new report, first part\nnew report, last part\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_the_dispositions_and_the_signal_mask_are_back_after_a_write(tmp_path):
    import signal

    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP), signal.pthread_sigmask(signal.SIG_BLOCK, []))
    write_atomic(str(tmp_path / "report.json"), "whole\n")
    after = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP), signal.pthread_sigmask(signal.SIG_BLOCK, []))
    assert after == before  # dispositions put back, nothing left held
