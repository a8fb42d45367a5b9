"""The small public API (re-exported by ``engine``)."""

from __future__ import annotations

import inspect

from engine.bundled import policy_paths
from engine.evaluator import evaluate
from engine.findings import Result
from engine.inventory.snapshot import load_inventory
from engine.library import load_budgets, load_library, load_ownership
from engine.outputs import FORMATS
from engine.outputs.labels import check_fail_on
from engine.policy import PolicyLibrary
from engine.version import __version__


def load_costs(paths, *, columns=None, memory_limit: str | None = None, threads: int | None = None):
    """FOCUS cost files as a cost snapshot (see :func:`engine.costs.reader.load_costs`)."""
    from engine.costs.reader import load_costs as load  # imported when asked for, like DuckDB itself

    return load(paths, columns=columns, memory_limit=memory_limit, threads=threads)


def load_plans(paths, *, scope: str = "changes", source_dir=None, sides: bool = False):
    """Terraform / OpenTofu plan JSON files (``terraform show -json PLANFILE``) as a plan snapshot: the
    resources the change creates, updates or replaces (``scope="all"``: every planned resource), each with
    its ``change`` (see :func:`engine.plans.load_plans`; ``source_dir`` locates their ``.tf`` blocks; ``sides``
    keeps both sides of every entry in ``entries``, to price the change: pass the snapshot to :func:`evaluate`)."""
    from engine.plans import load_plans as load

    return load(paths, scope=scope, source_dir=source_dir, sides=sides)


def run_policy_tests(paths=None):
    """Run the policy test documents under ``paths`` (see :func:`engine.policy_tests.run_policy_tests`);
    ``"builtin"`` among them, or no path at all, is the built-in library."""
    from engine.policy_tests import run_policy_tests as run

    return run(paths)


def load_policies(paths=None) -> PolicyLibrary:
    """Load, validate and compile the policies under ``paths`` (default: the built-in library).

    ``"builtin"`` among ``paths`` is the built-in library, so a policy set can override its policies:
    ``load_policies(["builtin", "my-set.yaml"])``.
    """
    return load_library(policy_paths(paths), require_policies=True)


def load_metrics(paths, *, as_of=None, lookback="30d", format=None):  # noqa: A002 - as the CLI's --metrics-format
    """Metrics files (CSV, JSON Lines, CloudWatch ``get-metric-data`` output) as statistics per series over
    ``[as_of - lookback, as_of)``; ``metrics.attach(resources)`` puts them into the resources' ``utilization``.
    Raises InputError for the files, ValueError for a lookback out of bounds (engine.metrics.window)."""
    from engine.evaluator import as_of_datetime
    from engine.metrics import load_metrics as load
    from engine.metrics.window import parse_lookback

    window = parse_lookback(lookback) if isinstance(lookback, str) else lookback
    return load(list(paths), as_of=as_of_datetime(as_of), lookback=window, format=format)


def load_prices(paths):
    """Price table CSV files as the price sources to pass to :func:`evaluate` (``prices=``). The FOCUS
    price sources of the cost engine go ahead of the table (see :mod:`engine.pricing.sources`)."""
    from engine.pricing import load_price_table, price_sources

    return price_sources(load_price_table(list(paths)))


def load_exemptions(paths=(), *, library: PolicyLibrary | None = None):
    """The Exemption documents in ``paths`` (files or folders, as ``check --exemptions``) and, with
    ``library``, those among its files (its policy paths), validated; their policy ids and labels are
    checked against ``library`` (see :mod:`engine.exemptions.documents`). Raises InputError."""
    from engine.bundled import policies_dir
    from engine.exemptions.documents import load_exemptions as load

    among = library.exemption_documents if library is not None else ()
    return load(list(paths), policies=library.policies if library is not None else None, among=among,
                skip_under=policies_dir())


def apply_exemptions(result: Result, exemptions, *, resources=None, warning_days: int = 14) -> Result:
    """``result`` with the findings the exemptions apply to marked ``exempted`` and each exemption's state
    in ``result.exemptions`` (see :mod:`engine.exemptions.apply`); ``resources``: those evaluated."""
    from engine.exemptions.apply import apply_exemptions as apply

    return apply(result, exemptions, resources=resources, warning_days=warning_days)


def load_baseline(path):
    """A baseline file (``costwarden baseline create``), validated (see :mod:`engine.exemptions.baseline`)."""
    from engine.exemptions.baseline import read_baseline

    return read_baseline(str(path))


def apply_baseline(result: Result, baseline, *, resources=None) -> Result:
    """``result`` with the open findings in ``baseline`` marked ``baselined`` and the fixed ones listed in
    ``result.baseline``; apply exemptions first. ``resources``: those evaluated."""
    from engine.exemptions.baseline import apply_baseline as apply

    return apply(result, baseline, resources=resources)


def baseline_text(result: Result) -> str:
    """The baseline file of a result's open findings (what ``costwarden baseline create`` writes)."""
    from engine.exemptions.baseline import baseline_text as text, created_entries

    return text(created_entries(result))


def render(result: Result, format: str = "text", *, color: bool = False, shorten: bool = True, fail_on: str = "info") -> str:
    """Render a result in one of :data:`engine.outputs.FORMATS`. ``fail_on`` (a severity, as ``check
    --fail-on``) is the floor of the verdict the formats that state one give (Markdown, JUnit, GitHub)."""
    check_fail_on(fail_on)
    renderer = FORMATS[format]
    options = {"color": color, "shorten": shorten}
    if "fail_on" in inspect.signature(renderer).parameters:
        options["fail_on"] = fail_on
    return renderer(result, version=__version__, **options)


__all__ = ["apply_baseline", "apply_exemptions", "baseline_text", "evaluate", "load_baseline", "load_budgets", "load_costs",
           "load_exemptions", "load_inventory", "load_metrics", "load_ownership", "load_plans", "load_policies", "load_prices",
           "render", "run_policy_tests"]
