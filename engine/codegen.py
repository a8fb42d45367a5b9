"""Python source written at load time and compiled once: the one place where generated code is made.

Generated code is kept only where the benchmark shows it pays: the hot predicate of inventory
policies (a tagging rule's fast path, a condition written out as statements), the constructor of
frozen findings (:mod:`engine.fast_init`) and the evaluator's finding maker. Each has a plain
Python form of the same rule, which a differential test compares it with on random inputs
(``tests/test_generated_checks.py``). Everything generated goes through this module:

* :func:`literal` — the one quoting helper: every value that reaches generated source (a tag key, a
  dict key, a reason) is written by it, and it refuses anything that is not a plain scalar;
  anything else is passed to the generated code as a named constant, never as text;
* :func:`define` — compile a source once and return the names it defines (keeping the source
  on the function, for debugging and tests);
* :func:`compile_check` — the shape every generated inventory check has: ``check(resource)`` and
  ``check.scan(resources, emit)``, described below.

Checks
    A check that a policy type writes out as straight-line Python (its rules unrolled, its constants
    bound as closure variables) runs about as fast as a hand-written loop; the same check built from
    closures calling closures runs about twice as slow. :func:`compile_check` turns a policy type's
    *body* — the statements deciding one resource — into two functions:

    ``check(resource) -> Violation | None``
        what ``bind(context)`` returns, as every policy type does;
    ``check.scan(resources, emit=pair) -> [emit(resource, violation), ...]``
        the same body inside one loop over many resources (the ones the policy selects), in order,
        calling ``emit`` on each failing one (by default it gives the pair ``(resource, Violation)``;
        the evaluator makes the finding there, while the resource is in the CPU cache). It may raise
        what ``check`` raises; the evaluator then goes back to ``check``, one resource at a time, to
        report each error in order.

        The ``violation`` given to ``emit`` is a :class:`~engine.violations.Violation`, or, *plain*,
        an exact ``tuple`` ``(message, evidence)``: the same as ``Violation(message, evidence)``, with
        no money, severity or enforcement of its own. ``emit`` tells them apart by the exact class
        ``tuple``.

    The body is given as a function ``body(verdict) -> lines``: ``verdict(expression, may_be_none)``
    gives the statements ending the body with a violation (``return expression`` in ``check``;
    record it and go on with the next resource in ``scan``). Falling off the end of the body means
    the resource passes. ``verdict.plain`` is True when writing the scan: its expression may then give
    the violation plain; in ``check`` it must give a ``Violation``. The body reads the resource from
    the variable ``resource``; it may use any other local name except ``failed``, ``append``,
    ``emit``, ``outcome`` and ``pair``. Every name the body needs from outside is a parameter of the
    factory ``compile_check`` returns.
"""

from __future__ import annotations

import math
from typing import Callable

from engine.violations import Violation


def literal(value: object) -> str:
    """``value`` as Python source: a str, int, finite float, bool or None. Raises TypeError for
    anything else (pass it to the generated code as a named constant instead)."""
    if value is None or value.__class__ in (bool, int, str):
        return repr(value)
    if value.__class__ is float and math.isfinite(value):
        return repr(value)
    raise TypeError(f"not a literal for generated source: {type(value).__name__}")


def indent(lines: list[str], depth: int) -> list[str]:
    return [" " * depth + line for line in lines]


def define(title: str, source: str, namespace: dict | None = None) -> dict:
    """Compile and run ``source`` (which defines functions) in ``namespace``; return the namespace.
    Each function it defines carries the source as ``.source``."""
    namespace = {} if namespace is None else namespace
    before = set(namespace)
    exec(compile(source, f"<{title}>", "exec"), namespace)  # noqa: S102 - source written by this module's callers
    for name in set(namespace) - before:
        if callable(namespace[name]) and hasattr(namespace[name], "__code__"):
            namespace[name].source = source
    return namespace


# --- inventory checks: check and scan --------------------------------------------------------------


def _check_verdict(expression: str, may_be_none: bool = False) -> list[str]:
    return [f"return {expression}"]


def _scan_verdict(expression: str, may_be_none: bool = False) -> list[str]:
    if may_be_none:
        return [f"outcome = {expression}", "if outcome is not None:", "    append(emit(resource, outcome))", "continue"]
    return [f"append(emit(resource, {expression}))", "continue"]


_check_verdict.plain = False
_scan_verdict.plain = True  # the scan's expression may give the violation plain: (message, evidence)


def pair(resource: dict, violation) -> tuple:
    """The default ``emit`` of a scan: ``(resource, Violation)`` (a plain violation made a Violation)."""
    if violation.__class__ is tuple:
        violation = Violation(*violation)
    return (resource, violation)


def check_source(names: list[str], body: Callable[[Callable], list[str]]) -> str:
    """The source of ``make(*names)``, which returns the check (with its ``scan``)."""
    scan_body = body(_scan_verdict)
    lines = [
        f"def make({', '.join(names)}):",
        "    def check(resource):",
        *indent(body(_check_verdict), 8),
        "        return None",
        "",
        "    def scan(resources, emit=pair):",
        "        failed = []",
        "        append = failed.append",
        "        for resource in resources:",
        *indent(scan_body or ["pass"], 12),
        "        return failed",
        "",
        "    check.scan = scan",
        "    return check",
        "",
    ]
    return "\n".join(lines)


def compile_check(title: str, names: list[str], body: Callable[[Callable], list[str]]) -> Callable:
    """Generate and compile a check's source; return ``make(*names) -> check``."""
    return define(title, check_source(names, body), {"pair": pair})["make"]
