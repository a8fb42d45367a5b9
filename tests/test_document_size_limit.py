"""One size limit for YAML documents (engine.documents.yaml_loader.MAX_BYTES): a larger file is refused
before it is read, with the limit and its size in the message."""

from __future__ import annotations

from click.testing import CliRunner

from engine.cli import main
from engine.documents.yaml_loader import MAX_BYTES


def test_a_policy_file_over_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: nothing is written but the size
        handle.truncate(MAX_BYTES + 1)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: E105 the YAML file is larger than {MAX_BYTES // 2**20} MiB ({MAX_BYTES + 1} bytes)" in result.stderr
    assert MAX_BYTES == 8 * 2**20


def test_a_policy_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 10) + b"\n" * (MAX_BYTES % 10))
    assert path.stat().st_size == MAX_BYTES
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "E105" not in result.output
