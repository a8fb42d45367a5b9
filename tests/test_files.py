"""engine.files: an input read whole within a limit, and a precise reason when a path is not a file."""

from __future__ import annotations

import os
import threading

import pytest

from engine.errors import InputError
from engine.files import NO_SUCH_FILE, not_a_file, read_bounded


def problem_of(path, limit=100, what="policy file"):
    with pytest.raises(InputError) as caught:
        read_bounded(str(path), limit, what)
    (problem,) = caught.value.problems
    return problem


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 100)
    assert read_bounded(str(path), 100) == b"x" * 100
    assert not_a_file(str(path)) is None


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 101)
    problem = problem_of(path)
    assert (problem.code, problem.file) == ("E105", str(path))
    assert problem.message == "the policy file is larger than 100 bytes (101 bytes)"


def test_a_missing_file_and_a_link_to_nothing(tmp_path):
    assert problem_of(tmp_path / "nope.yaml").message == "cannot read the policy file: no such file"
    assert not_a_file(str(tmp_path / "nope.yaml")) == NO_SUCH_FILE
    (tmp_path / "dangling.yaml").symlink_to("gone.yaml")
    assert problem_of(tmp_path / "dangling.yaml").message == (
        "cannot read the policy file: a symbolic link to 'gone.yaml', which does not exist")


def test_a_symlink_loop_is_named_as_such(tmp_path):
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    problem = problem_of(tmp_path / "loop.yaml")
    assert problem.code == "E401" and "symbolic link loop" in problem.message and "no such file" not in problem.message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_even_through_a_link(tmp_path, device):
    assert problem_of(device).message == "cannot read the policy file: it is a character device, not a file"
    (tmp_path / "zero.yaml").symlink_to(device)
    assert problem_of(tmp_path / "zero.yaml").message == (
        f"cannot read the policy file: it is a character device ({device}), not a file")


def test_a_folder_is_refused(tmp_path):
    assert problem_of(tmp_path).message == "cannot read the policy file: it is a folder, not a file"
    assert not_a_file(str(tmp_path)) == "it is a folder, not a file"


def _fifo_with_writer(path, content: bytes) -> threading.Thread:
    os.mkfifo(path)

    def write():
        with open(path, "wb") as handle:
            try:
                handle.write(content)
            except BrokenPipeError:  # the reader stopped at its limit
                pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def test_a_named_pipe_is_read_as_a_stream(tmp_path):
    path = tmp_path / "piped.yaml"
    writer = _fifo_with_writer(path, b"a: 1\n" * 10)
    assert not_a_file(str(path)) is None
    assert read_bounded(str(path), 100) == b"a: 1\n" * 10
    writer.join(5)


def test_a_named_pipe_over_the_limit_is_counted_while_reading(tmp_path):
    path = tmp_path / "piped.yaml"
    writer = _fifo_with_writer(path, b"x" * 5000)
    problem = problem_of(path, limit=1000)
    assert problem.code == "E105"
    assert problem.message == "the policy file is larger than 1000 bytes (stopped reading after 1001 bytes)"
    writer.join(5)


def test_codes_are_the_loaders_own(tmp_path):
    with pytest.raises(InputError) as caught:
        read_bounded(str(tmp_path / "nope.csv"), 10, "cost file", unreadable="E410", too_large="E411")
    assert caught.value.problems[0].code == "E410"
