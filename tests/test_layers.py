"""The layers of engine/ hold, and its module graph has no cycle.

The layers are declared in pyproject.toml (``[tool.importlinter]``) and checked by import-linter;
the cycle check below reads every ``import`` statement of engine/ itself, those inside functions
included. Run as a script, this file prints the module graph's cycles (its strongly connected
components): ``python tests/test_layers.py [ROOT] [-v]`` (``-v`` also lists every module's imports).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def modules_of(root: Path, package: str = "engine") -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``root``."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> list[tuple[str, str, int]]:
    """``(imported module, name or "", line)`` for every import statement of the file, wherever it is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                anchor = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [(base, alias.name, node.lineno) for alias in node.names]
    return found


def module_graph(root: Path, package: str = "engine") -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (``from a import b`` imports module ``a.b`` when
    there is one, else ``a``); imports inside functions and methods included."""
    modules = modules_of(root, package)
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        for base, name, _ in imported_names(module, path):
            target = f"{base}.{name}" if f"{base}.{name}" in modules else base
            if target.split(".")[0] != package or target == module:
                continue
            assert target in modules, f"{path}: imports {target}, which is not a module of {package}"
            graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, each sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter's contracts of ``root``/pyproject.toml, over the package ``engine`` under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo", "pyproject.toml"],
                          cwd=root, env=env, capture_output=True, text=True)


def test_the_declared_layers_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_an_import_up_the_layers_inside_a_function_breaks_the_build(tmp_path):
    shutil.copytree(ROOT / "engine", tmp_path / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "engine" / "amounts.py", "a", encoding="utf-8") as handle:
        handle.write("\n\ndef upward():\n    from engine.policy import Policy\n\n    return Policy\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "engine.amounts is not allowed to import engine.policy" in done.stdout
    assert "engine.amounts" in sum(cycles(module_graph(tmp_path)), [])  # policy imports costs, which import amounts


def test_the_module_graph_has_no_cycle():
    graph = module_graph(ROOT)
    assert {"engine.costs.sql", "engine.findings"} <= graph["engine.ownership"]  # the graph sees the imports
    assert cycles(graph) == []


def test_the_cycle_finder_finds_every_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"f"}, "f": {"e", "d"}, "g": {"g"}}
    assert cycles(graph) == [["a", "b", "c"], ["e", "f"]]


def test_the_contributors_page_lists_the_layers_in_their_order():
    from importlinter.api import read_configuration

    contract = next(c for c in read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"] if c["type"] == "layers")
    declared = [name.strip() for layer in contract["layers"] for name in layer.split("|")]
    table = (ROOT / "docs" / "contributing-layers.md").read_text(encoding="utf-8").split("\n## ")[0]
    listed = [name for row in table.splitlines() if row.startswith("| ") for name in re.findall(r"`([a-z_]+)`", row.split("|")[2])]
    assert [name for name in listed if name in declared] == declared


def test_no_module_imports_a_private_name_of_another():
    """A name starting with an underscore is its module's own; engine/ and bench/ do not import one.
    (Tests may: some compare a private implementation with the code generated from it.)"""
    offences = []
    for folder in ("engine", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for base, name, line in imported_names(module, path):
                parts = [*base.split("."), *name.split(".")] if name else base.split(".")
                if parts[0] == "engine" and any(p.startswith("_") and not p.startswith("__") for p in parts):
                    offences.append(f"{path.relative_to(ROOT)}:{line}: {base} {name}".strip())
    assert offences == []


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "-v"]
    graph = module_graph(Path(arguments[0]) if arguments else ROOT)
    found = cycles(graph)
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports, {len(found)} cycles")
    for component in found:
        print(f"- {len(component)} modules: {', '.join(component)}")
    if "-v" in sys.argv:
        for module in sorted(graph):
            print(module, "->", ", ".join(sorted(graph[module])))
