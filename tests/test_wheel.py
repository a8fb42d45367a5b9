"""A non-editable install (a built wheel) finds the bundled schemas and policies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("costwarden-*.whl")
    target = work / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return target


def run(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_installed_package_uses_its_own_data(installed, tmp_path):
    out = run(
        installed,
        "-c",
        "import engine, engine.bundled as b; print(engine.__file__); print(b.schemas_dir()); print(b.policies_dir())",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    module, schemas, policies = out.stdout.split()
    for path in (module, schemas, policies):
        assert path.startswith(str(installed)), path
    assert (Path(schemas) / "policy.schema.json").is_file()
    assert list(Path(policies).rglob("*.yaml"))


def test_installed_command_validates_the_builtin_library_and_checks(installed, tmp_path):
    validated = run(installed, "-c", "import engine.bundled as b, engine.cli as c, sys; sys.argv=['costwarden','validate',str(b.policies_dir())]; c.main()", cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout.startswith("ok:")
    checked = run(
        installed, "-m", "engine", "check", "--inventory", str(ROOT / "examples" / "inventory.json"), "--ownership", str(ROOT / "examples" / "ownership.yaml"), "--as-of", "2026-11-27", "--format", "json", cwd=tmp_path
    )
    assert checked.returncode in (0, 1), checked.stderr
    assert '"schema_version": "1"' in checked.stdout
