"""Checks written as Python source when a policy is compiled, then ``exec``-ed once.

A check that a policy type writes out as straight-line Python (its rules unrolled, its constants
bound as closure variables) runs about as fast as a hand-written loop; the same check built from
closures calling closures runs about twice as slow. :func:`compile_check` turns a policy type's
*body* — the statements deciding one resource — into two functions:

``check(resource) -> Violation | None``
    what ``bind(context)`` returns, as every policy type does;
``check.scan(resources, emit=pair) -> [emit(resource, violation), ...]``
    the same body inside one loop over many resources (the ones the policy selects), in order,
    calling ``emit`` on each failing one (by default it gives the pair ``(resource, Violation)``;
    the evaluator makes the finding there, while the resource is in the CPU cache). The evaluator
    uses it to avoid a function call per resource. It may raise what
    ``check`` raises; the evaluator then goes back to ``check``, one resource at a time, to report
    each error in order.

    The ``violation`` given to ``emit`` is a :class:`~engine.violations.Violation`, or, *plain*, an
    exact ``tuple`` ``(message, evidence)``: the same as ``Violation(message, evidence)``, with no
    money, severity or enforcement of its own (a violation that a scan makes by the thousand need not
    be built as a named tuple and read back field by field). ``emit`` tells them apart by the exact
    class ``tuple``.

The body is given as a function ``body(verdict) -> lines``: ``verdict(expression, may_be_none)``
gives the statements ending the body with a violation (``return expression`` in ``check``; record it
and go on with the next resource in ``scan``). Falling off the end of the body means the resource
passes. ``verdict.plain`` is True when writing the scan: its expression may then give the violation
plain; in ``check`` it must give a ``Violation``. The body reads the resource from the variable ``resource``; it may use any other local name
except ``failed``, ``append``, ``emit``, ``outcome`` and ``pair``.
Every name the body needs from outside is a parameter of the factory ``compile_check`` returns.
"""

from __future__ import annotations

import builtins
from typing import Callable

from engine.violations import Violation


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


def _indent(lines: list[str], depth: int) -> list[str]:
    return [" " * depth + line for line in lines]


def generate(names: list[str], body: Callable[[Callable], list[str]]) -> str:
    """The source of ``make(*names)``, which returns the check (with its ``scan``)."""
    scan_body = body(_scan_verdict)
    lines = [
        f"def make({', '.join(names)}):",
        "    def check(resource):",
        *_indent(body(_check_verdict), 8),
        "        return None",
        "",
        "    def scan(resources, emit=pair):",
        "        failed = []",
        "        append = failed.append",
        "        for resource in resources:",
        *_indent(scan_body or ["pass"], 12),
        "        return failed",
        "",
        "    check.scan = scan",
        "    return check",
        "",
    ]
    return "\n".join(lines)


def compile_check(title: str, names: list[str], body: Callable[[Callable], list[str]]) -> Callable:
    """Generate, compile and run the source; return ``make(*names) -> check``."""
    source = generate(names, body)
    namespace: dict = {"pair": pair}
    exec(builtins.compile(source, f"<{title}>", "exec"), namespace)  # noqa: S102 - source we wrote
    make = namespace["make"]
    make.source = source  # for debugging and tests
    return make
