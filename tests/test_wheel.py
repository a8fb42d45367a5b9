"""A non-editable install (a built wheel) finds the bundled schemas and policies."""

from __future__ import annotations

import json
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
    assert '"schema_version": "1.1"' in checked.stdout


def test_installed_command_layers_a_policy_set_over_the_builtin_library(installed, tmp_path):
    """A pip-installed costwarden needs no site-packages path to override built-in policies."""
    (tmp_path / "acme-set.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: PolicySet\nid: acme\npolicies:\n  required-allocation-tags: {severity: critical}\n"
    )
    checked = run(
        installed, "-m", "engine", "check", "--policies", "builtin", "--policies", "acme-set.yaml", "--inventory",
        str(ROOT / "examples" / "inventory.json"), "--as-of", "2026-11-27", "--format", "json", cwd=tmp_path
    )
    assert checked.returncode == 1, checked.stderr
    severities = {f["severity"] for f in json.loads(checked.stdout)["findings"] if f["policy"] == "required-allocation-tags"}
    assert severities == {"critical"}
    validated = run(installed, "-m", "engine", "validate", cwd=tmp_path)
    assert validated.returncode == 0 and validated.stdout.startswith("ok: ") and " 0 policies" not in validated.stdout, validated.stderr
    tested = run(installed, "-m", "engine", "test", cwd=tmp_path)
    assert tested.returncode == 0 and tested.stdout.endswith(" passed, 0 failed\n"), tested.stdout + tested.stderr
