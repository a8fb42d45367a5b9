"""Every third-party module engine/ imports is declared in pyproject.toml (a fresh machine installs only those)."""

from __future__ import annotations

import ast
import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the tomli dependency
    import tomli as tomllib

from tests.conftest import ROOT

# import name -> distribution name, where they differ
DISTRIBUTIONS = {"yaml": "pyyaml", "re2": "google-re2"}


def _imported_top_levels() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path.relative_to(ROOT).as_posix())
    return found


def test_every_third_party_import_of_the_engine_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~; \[]", requirement, maxsplit=1)[0].lower() for requirement in project["dependencies"]}
    missing = {}
    for module, where in _imported_top_levels().items():
        if module == "engine" or module in sys.stdlib_module_names or module == "__future__":
            continue
        if DISTRIBUTIONS.get(module, module).lower().replace("_", "-") not in declared:
            missing[module] = where
    assert not missing, f"imported by engine/ but not in pyproject.toml's dependencies: {missing}"
