"""``condition`` — the generic policy: a resource fails when ``fail_if`` holds.

What it does
    Evaluates a condition (``all`` / ``any`` / ``not`` over ``{path, op, value}`` leaves, paths in
    JMESPath) on every selected resource. A resource for which the condition holds fails.

Why is this bad?
    Whatever the condition describes: a stopped instance still paying for storage, a size outside
    the allowed list, a resource in a region the company does not use.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-allowed-vm-sizes
        title: Virtual machines use an allowed size
        type: condition
        severity: medium
        resource:
          types: [compute.instance]
        parameters:
          allowed_sizes:
            description: sizes that may be used
            default: [t3.micro, t3.small, m7i.large, Standard_D2s_v5, n2-standard-2]
        spec:
          fail_if:
            not: {path: size, op: in, value: {param: allowed_sizes}}
          message: "size {size} is not on the allowed list"

Use instead
    Give the resource an allowed size, or widen ``allowed_sizes`` in a policy set.

Options
    ``fail_if`` (required) the condition; ``message`` the finding message, where ``{id}``,
    ``{name}``, ``{type}``, ``{class}``, ``{provider}``, ``{size}``, ``{region}``, ``{account}``,
    ``{state}`` and ``{created_at}`` are replaced by the resource's values (``(unknown)`` when absent).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cached_property

from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.checks.codegen import compile_check
from engine.conditions.compiler import Condition, compile_condition
from engine.errors import did_you_mean
from engine.violations import Violation

PLACEHOLDERS = ("id", "name", "type", "class", "provider", "size", "region", "account", "state", "created_at")


@dataclass(frozen=True)
class ConditionCheck:
    condition: Condition
    message: str

    def bind(self, context: CheckContext) -> ResourceCheck:
        condition, message = self.condition, self.message
        fields = [name for _, name, _, _ in string.Formatter().parse(message) if name]

        def violation(resource):
            text = message.format_map({name: _shown(resource.get(name)) for name in fields}) if fields else message
            return Violation(text, {"actual": condition.actual_values(resource), "expected": "fail_if does not hold"})

        if self._factory is None:  # a condition nested too deeply to write out
            holds = condition.bind(context.as_of)

            def check(resource):
                return violation(resource) if holds(resource) else None

            return check
        return self._factory(violation=violation, **condition.constants(context.as_of))

    @cached_property
    def _factory(self):
        """``make(violation, ...) -> check``: the condition written out (see :mod:`engine.checks.codegen`)."""
        source = self.condition.source
        if source is None:
            return None

        def body(verdict) -> list[str]:
            return [*source.lines, "if holds:", *("    " + line for line in verdict("violation(resource)"))]

        return compile_check("condition check", ["violation", *source.names], body)


def _shown(value: object) -> str:
    return "(unknown)" if value is None else str(value)


def compile(spec: dict, report: Report) -> ConditionCheck | None:
    """The check, or None after reporting every problem: the message's and ``fail_if``'s alike."""
    message = spec.get("message", "the resource matches the policy's fail_if condition")
    names, parsed = [], True
    try:  # placeholders read before a parse error are reported too
        for _, name, _, _ in string.Formatter().parse(message):
            if name is not None:
                names.append(name)
    except ValueError as exc:
        report("E312", f"invalid message template: {exc}", "/message", "write {{ and }} for literal braces")
        parsed = False
    bad = list(dict.fromkeys(name for name in names if name not in PLACEHOLDERS))  # each once, in order
    for name in bad:
        hint = did_you_mean(name, PLACEHOLDERS) or f"use one of {', '.join(PLACEHOLDERS)}"
        report("E312", f"unknown placeholder {{{name}}} in message", "/message", hint)
    if parsed and not bad:
        try:  # a conversion or format spec that no value can take ({size!x}, {name:>>>}) fails now, not per finding
            message.format_map({name: "(unknown)" for name in names})
        except (ValueError, TypeError) as exc:
            report("E312", f"invalid message template: {exc}", "/message",
                   "placeholders are {name}; write {{ and }} for literal braces")
            parsed = False
    condition = compile_condition(spec.get("fail_if"), "/fail_if", report)  # its problems too, not only the message's
    if condition is None or bad or not parsed:
        return None
    return ConditionCheck(condition, message)
