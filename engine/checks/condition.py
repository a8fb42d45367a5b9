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
    ``{state}`` and ``{created_at}`` are replaced by the resource's values (``(unknown)`` when absent);
    ``{{`` and ``}}`` are literal braces (see docs/conditions.md, "Message templates").
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cached_property

from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.codegen import compile_check
from engine.conditions.compiler import Condition, compile_condition
from engine.errors import did_you_mean
from engine.violations import Violation

PLACEHOLDERS = ("id", "name", "type", "class", "provider", "size", "region", "account", "state", "created_at")
DEFAULT_MESSAGE = "the resource matches the policy's fail_if condition"
MAX_WIDTH = 1000  # the largest width or precision of a placeholder's format spec ({name:>40}, {id:.12})
# a format spec of str.format's mini-language: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_SPEC = re.compile(r"(?s:.?[<>=^])?[-+ ]?z?#?0?(?P<width>[0-9]*)[,_]?(?:\.(?P<precision>[0-9]*))?[a-zA-Z%]?\Z")


@dataclass(frozen=True)
class MessageTemplate:
    """A finding message with placeholders, read as ``str.format`` reads it (the one rule): ``{name}`` is
    the resource's value (``(unknown)`` when absent), ``{{`` and ``}}`` are literal braces, with or
    without placeholders in the message, and a placeholder may have a conversion and a format spec
    (``{name!r}``, ``{id:>20}``) whose width and precision are at most :data:`MAX_WIDTH`."""

    text: str
    fields: tuple[str, ...]

    def render(self, resource: dict) -> str:
        return self.text.format_map({name: _shown(resource.get(name)) for name in self.fields})


def compile_message(text: str, report: Report) -> MessageTemplate | None:
    """The template, or None after reporting every problem (E312) at ``/message``."""
    names, parsed, bad_spec = [], True, False
    try:  # placeholders read before a parse error are reported too
        for _, name, spec, _ in string.Formatter().parse(text):
            if name is None:
                continue
            names.append(name)
            problem = _spec_problem(spec or "")
            if problem is not None:
                report("E312", f"placeholder {{{name}:{spec}}} in message: {problem}", "/message", None)
                bad_spec = True
    except ValueError as exc:
        report("E312", f"invalid message template: {exc}", "/message", "write {{ and }} for literal braces")
        parsed = False
    bad = list(dict.fromkeys(name for name in names if name not in PLACEHOLDERS))  # each once, in order
    for name in bad:
        hint = did_you_mean(name, PLACEHOLDERS) or f"use one of {', '.join(PLACEHOLDERS)}"
        report("E312", f"unknown placeholder {{{name}}} in message", "/message", hint)
    if not parsed or bad or bad_spec:
        return None
    try:  # a conversion or format spec that no value can take ({size!x}, {name:d}) fails now, not per finding
        text.format_map({name: "(unknown)" for name in names})
    except (ValueError, TypeError) as exc:
        report("E312", f"invalid message template: {exc}", "/message", "placeholders are {name}; write {{ and }} for literal braces")
        return None
    return MessageTemplate(text, tuple(dict.fromkeys(names)))


def _spec_problem(spec: str) -> str | None:
    """Why a placeholder's format spec is refused: a placeholder inside it, or a width or precision over MAX_WIDTH."""
    if "{" in spec or "}" in spec:
        return "a format spec cannot hold a placeholder (write {{ and }} for literal braces)"
    found = _SPEC.match(spec)
    if found is None:
        return None  # not the mini-language: the trial format below words the error
    for part in ("width", "precision"):
        digits = found.group(part)
        if digits and (len(digits) > 6 or int(digits) > MAX_WIDTH):
            return f"a {part} of {digits} is over {MAX_WIDTH}"
    return None


@dataclass(frozen=True)
class ConditionCheck:
    condition: Condition
    message: MessageTemplate

    def bind(self, context: CheckContext) -> ResourceCheck:
        condition, render = self.condition, self.message.render

        def violation(resource):
            return Violation(render(resource), {"actual": condition.actual_values(resource), "expected": "fail_if does not hold"})

        if self._factory is None:  # a condition nested too deeply to write out
            holds = condition.bind(context.as_of)

            def check(resource):
                return violation(resource) if holds(resource) else None

            return check
        return self._factory(violation=violation, **condition.constants(context.as_of))

    @cached_property
    def _factory(self):
        """``make(violation, ...) -> check``: the condition written out (see :mod:`engine.codegen`)."""
        source = self.condition.source
        if source is None:
            return None

        def body(verdict) -> list[str]:
            return [*source.lines, "if holds:", *("    " + line for line in verdict("violation(resource)"))]

        return compile_check("condition check", ["violation", *source.names], body)


def _shown(value: object) -> str:
    return "(unknown)" if value is None else str(value)


def compile_spec(spec: dict, report: Report) -> ConditionCheck | None:
    """The check, or None after reporting every problem: the message's and ``fail_if``'s alike."""
    message = compile_message(spec.get("message", DEFAULT_MESSAGE), report)
    condition = compile_condition(spec.get("fail_if"), "/fail_if", report)  # its problems too, not only the message's
    if condition is None or message is None:
        return None
    return ConditionCheck(condition, message)
