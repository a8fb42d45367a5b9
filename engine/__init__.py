"""costwarden: policy-as-code governance for cloud cost.

The Python API the CLI is a thin layer over::

    import engine

    library = engine.load_policies(["policies/"])             # validate + compile (InputError)
    inventory = engine.load_inventory(["inventory.json"])      # any supported format (InputError)
    costs = engine.load_costs(["focus-export.csv.gz"])         # FOCUS 1.0-1.3 into DuckDB (InputError)
    budgets = engine.load_budgets(["budgets.yaml"])            # Budgets documents by id
    result = engine.evaluate(library, inventory.resources, costs=costs, budgets=budgets, as_of="2026-01-01")
    print(engine.render(result, "text"))
    result.exit_code(fail_on="high")                           # 0, 1 or 2, as the CLI
"""

from __future__ import annotations

from engine.errors import InputError, Problem
from engine.version import __version__

_API = ("apply_baseline", "apply_exemptions", "baseline_text", "load_baseline", "load_exemptions", "evaluate", "load_budgets", "load_costs", "load_inventory", "load_metrics", "load_ownership", "load_plans", "load_policies", "load_prices", "render", "run_policy_tests")


def __getattr__(name: str):
    # The API is imported on first use, so `import engine.errors` stays light.
    if name in _API:
        from engine import api

        return getattr(api, name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")

__all__ = [
    "__version__",
    "InputError",
    "Problem",
    "apply_baseline",
    "apply_exemptions",
    "baseline_text",
    "evaluate",
    "load_budgets",
    "load_baseline",
    "load_costs",
    "load_exemptions",
    "load_inventory",
    "load_metrics",
    "load_ownership",
    "load_plans",
    "load_policies",
    "load_prices",
    "render",
    "run_policy_tests",
]
