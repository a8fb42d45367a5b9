"""The small public API (re-exported by ``engine``)."""

from __future__ import annotations

from engine.bundled import policies_dir
from engine.costs.reader import load_costs
from engine.documents.loader import load_budgets, load_library, load_ownership
from engine.evaluator import evaluate
from engine.findings import Result
from engine.inventory.snapshot import load_inventory
from engine.outputs import FORMATS
from engine.policy import PolicyLibrary
from engine.policy_tests import run_policy_tests


def load_policies(paths=None) -> PolicyLibrary:
    """Load, validate and compile the policies under ``paths`` (default: the built-in library)."""
    return load_library(list(paths) if paths else [str(policies_dir())], require_policies=True)


def render(result: Result, format: str = "text", *, color: bool = False) -> str:
    """Render a result in one of :data:`engine.outputs.FORMATS`."""
    from engine import __version__

    return FORMATS[format](result, version=__version__, color=color)


__all__ = ["evaluate", "load_budgets", "load_costs", "load_inventory", "load_ownership", "load_policies", "render", "run_policy_tests"]
