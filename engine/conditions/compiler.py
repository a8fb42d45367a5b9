"""Conditions: ``all`` / ``any`` / ``not`` over leaves ``{path, op, value}``, compiled once.

:func:`compile_condition` checks a condition (paths compile, regexes compile, durations parse, the
value fits the operator) and reports every problem with its JSON pointer. The result is a
:class:`Condition` holding compiled paths; :meth:`Condition.bind` turns it into a plain predicate
``resource -> bool`` for one as-of date. Evaluation does no parsing.

A leaf whose operator meets a value of the wrong type raises :class:`EvaluationFailure` carrying
the path, the pointer of the leaf in its policy and the types involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Callable

from engine.codegen import define, literal
from engine.conditions.operators import OPERATORS, TypeMismatch, parse_duration, type_name
from engine.conditions.paths import Getter, PathError, compile_path, field_chain
from engine.conditions.patterns import PatternError, compile_pattern
from engine.errors import did_you_mean
from jmespath.exceptions import JMESPathError

Predicate = Callable[[dict], bool]
Report = Callable[[str, str, str, "str | None"], None]  # (code, message, pointer, hint)

CONNECTIVES = ("all", "any", "not")


class EvaluationFailure(Exception):
    """A condition could not be evaluated on some resource (a type mismatch, a JMESPath error)."""

    def __init__(self, path: str, pointer: str, reason: Exception):
        self.path = path
        self.pointer = pointer
        self.reason = reason
        super().__init__(f"path '{path}': {reason}")


@dataclass(frozen=True)
class Leaf:
    path: str
    op: str
    value: object
    pointer: str
    getter: Getter = field(compare=False, repr=False)


@dataclass(frozen=True)
class Condition:
    """A compiled condition tree: ``("all"|"any", [children])``, ``("not", child)`` or a Leaf."""

    node: object
    leaves: tuple[Leaf, ...]

    def bind(self, as_of: datetime) -> Predicate:
        source = self.source
        if source is None:  # nested too deeply to write out: closures
            return _bind(self.node, as_of)
        return source.make(**self.constants(as_of))

    def constants(self, as_of: datetime) -> dict[str, object]:
        """The names :attr:`source` uses, bound for one as-of date."""
        constants: dict[str, object] = {"EvaluationFailure": EvaluationFailure, "TypeMismatch": TypeMismatch,
                                        "JMESPathError": JMESPathError}
        for index, leaf in enumerate(self.leaves):
            constants[f"leaf_{index}"] = leaf
            constants[f"get_{index}"] = leaf.getter
            constants[f"test_{index}"] = OPERATORS[leaf.op].build(leaf.value, as_of)
            constants[f"const_{index}"] = self.source.inline_constants[index]
        return constants

    @cached_property
    def source(self) -> "ConditionSource | None":
        """The condition written out as Python statements (None when nested too deeply)."""
        return ConditionSource.write(self)

    def actual_values(self, resource: dict) -> dict[str, object]:
        """The value at each leaf's path, for a finding's evidence."""
        out: dict[str, object] = {}
        for leaf in self.leaves:
            if leaf.path not in out:
                try:
                    out[leaf.path] = leaf.getter(resource)
                except Exception:  # noqa: BLE001 - evidence is best effort, the predicate already ran
                    out[leaf.path] = None
        return out


@dataclass(frozen=True)
class ConditionSource:
    """A condition as Python statements setting the variable ``holds``, reading ``resource``.

    Each leaf becomes ``value = <path>`` (a plain field chain written out as ``dict.get`` calls,
    anything else through its compiled JMESPath expression ``get_N``) and then the operator's
    written-out fast path when the value's class allows it (``Operator.inline``), else its test
    ``test_N``; TypeMismatch and JMESPath errors become :class:`EvaluationFailure` naming the leaf,
    exactly as the closures of :func:`_bind` do. ``all`` / ``any`` / ``not`` short-circuit in the
    same order. A field-chain prefix that several leaves read is read once, first, into a local
    ``path_N``. The statements use the local names ``holds``, ``value`` and ``path_N`` and the names
    of :meth:`Condition.constants`.
    """

    lines: tuple[str, ...]
    names: tuple[str, ...]
    inline_constants: tuple  # per leaf: the CONST of its fast path, or None
    make: Callable = field(compare=False, repr=False)  # make(**constants) -> predicate

    MAX_DEPTH = 40  # indentation levels; Python allows 100

    @classmethod
    def write(cls, condition: "Condition") -> "ConditionSource | None":
        if _nesting(condition.node) > cls.MAX_DEPTH:  # before writing: a flat list of 1000 items would recurse 1000 deep
            return None
        index_of = {id(leaf): index for index, leaf in enumerate(condition.leaves)}
        inline_constants = [None] * len(condition.leaves)
        depth = [0]
        chains = [field_chain(leaf.path) for leaf in condition.leaves]
        hoisted, reads_of = _shared_prefixes(chains)

        def leaf_lines(leaf: Leaf) -> list[str]:
            index = index_of[id(leaf)]
            keys = chains[index]
            if keys is None:
                reads = [f"value = get_{index}(resource)"]
            else:
                start = max((n for n in range(1, len(keys) + 1) if keys[:n] in hoisted), default=0)
                reads = _reads("value", hoisted[keys[:start]] if start else "resource", keys[start:])
                if not reads:  # the whole chain is a shared one
                    reads = [f"value = {hoisted[keys]}"]
            inline = OPERATORS[leaf.op].inline
            fast = inline(leaf.value) if inline is not None else None
            if fast is None:
                test = f"test_{index}(value)"
            else:
                guard, expression, constant = fast
                inline_constants[index] = constant
                expression = expression.replace("CONST", f"const_{index}")
                test = expression if guard is None else f"({expression}) if {guard.replace('CONST', f'const_{index}')} else {_otherwise(leaf, index)}"
            return [
                "try:",
                *("    " + line for line in reads),
                f"    holds = {test}",
                "except TypeMismatch as mismatch:",
                f"    raise EvaluationFailure(leaf_{index}.path, leaf_{index}.pointer, mismatch) from None",
                "except JMESPathError as error:  # e.g. length() of null: a function met the wrong type",
                f"    raise EvaluationFailure(leaf_{index}.path, leaf_{index}.pointer, error) from None",
            ]

        def node_lines(node, level: int) -> list[str]:
            depth[0] = max(depth[0], level)
            if isinstance(node, Leaf):
                return leaf_lines(node)
            kind, children = node
            if kind == "not":
                return [*node_lines(children, level), "holds = not holds"]
            lines = node_lines(children[0], level)
            if len(children) > 1:
                rest = node_lines((kind, children[1:]), level + 1)
                lines += ["if holds:" if kind == "all" else "if not holds:", *("    " + line for line in rest)]
            return lines

        body = node_lines(condition.node, 0)
        required = _required_prefixes(condition.node, chains, index_of)
        if required:
            # the condition is false, and nothing in it can fail, when this field holds nothing (null, not
            # an object, or an empty object): every leaf under it would read null. Most resources lack
            # most fields (utilization in zero-usage), so test it first and skip the leaves.
            guard = min(required, key=lambda prefix: (len(prefix), prefix))
            first = [line for prefix, lines in reads_of.items() if guard[:len(prefix)] == prefix for line in lines]
            rest = [line for prefix, lines in reads_of.items() if guard[:len(prefix)] != prefix for line in lines]
            name = hoisted.get(guard)
            if name is None:
                start = max((n for n in range(1, len(guard)) if guard[:n] in hoisted), default=0)
                first += _reads("value", hoisted[guard[:start]] if start else "resource", guard[start:])
                name = "value"
            lines = [*first, f"if type({name}) is not dict or not {name}:", "    holds = False", "else:",
                     *("    " + line for line in rest + body)]
            depth[0] += 1
        else:
            lines = [line for prefix_lines in reads_of.values() for line in prefix_lines] + body
        if depth[0] > cls.MAX_DEPTH:
            return None
        names = ["EvaluationFailure", "TypeMismatch", "JMESPathError"]
        for index in range(len(condition.leaves)):
            names += [f"leaf_{index}", f"get_{index}", f"test_{index}", f"const_{index}"]
        source = "\n".join([
            f"def make({', '.join(names)}):",
            "    def holds_for(resource):",
            *("        " + line for line in lines),
            "        return holds",
            "    return holds_for",
            "",
        ])
        return cls(tuple(lines), tuple(names), tuple(inline_constants), define("condition", source)["make"])


def _nesting(node) -> int:
    """The indentation levels the written-out ``node`` needs: the n-th child of ``all``/``any`` sits
    under the n - 1 tests of its siblings before it."""
    if isinstance(node, Leaf):
        return 0
    kind, children = node
    if kind == "not":
        return _nesting(children)
    return max(position + _nesting(child) for position, child in enumerate(children))


def _reads(target: str, source: str, keys: tuple[str, ...]) -> list[str]:
    """Statements setting ``target`` to the value at ``keys`` under ``source`` (None where a step is not an object)."""
    lines = []
    for key in keys:
        lines.append(f"{target} = {source}.get({literal(key)}) if type({source}) is dict else None")
        source = target
    return lines


def _shared_prefixes(chains: list) -> tuple[dict[tuple, str], dict[tuple, list[str]]]:
    """The field-chain prefixes that two or more leaves read (``utilization`` in ``utilization.cpu.max``
    and ``utilization.memory.max``), each named ``path_N``, and per prefix, in order, the statements
    reading it once, first (reading a field has no effect but its cost, so reading it before the
    leaves that need it is the same condition)."""
    uses: dict[tuple, int] = {}
    for keys in chains:
        for n in range(1, len(keys) + 1 if keys else 0):
            uses[keys[:n]] = uses.get(keys[:n], 0) + 1
    hoisted: dict[tuple, str] = {}
    reads: dict[tuple, list[str]] = {}
    for prefix in sorted((p for p, count in uses.items() if count > 1), key=lambda p: (len(p), p)):
        name = hoisted[prefix] = f"path_{len(hoisted)}"
        start = max((n for n in range(1, len(prefix)) if prefix[:n] in hoisted), default=0)
        reads[prefix] = _reads(name, hoisted[prefix[:start]] if start else "resource", prefix[start:])
    return hoisted, reads


def _required_prefixes(node, chains: list, index_of: dict) -> set[tuple]:
    """Field-chain prefixes that must hold a non-empty object for ``node`` to hold: when one holds
    nothing, ``node`` is false and evaluating it raises nothing (every leaf it reaches reads null).

    A leaf requires the proper prefixes of its chain when its operator answers a constant false for a
    missing value (see :func:`_otherwise`); ``all`` what its first child requires (evaluated first,
    its falsity ends ``all``); ``any`` what every child requires; ``not`` nothing.
    """
    if isinstance(node, Leaf):
        keys = chains[index_of[id(node)]]
        if keys is None or len(keys) < 2 or _missing_answer(node) is not False:
            return set()
        return {keys[:n] for n in range(1, len(keys))}
    kind, children = node
    if kind == "not":
        return set()
    if kind == "all":
        return _required_prefixes(children[0], chains, index_of)
    required = _required_prefixes(children[0], chains, index_of)
    for child in children[1:]:
        required &= _required_prefixes(child, chains, index_of)
    return required


def _missing_answer(leaf: Leaf) -> bool | None:
    """What a leaf's operator answers for a missing value, when it has a written-out fast path (whose
    operators do not read the as-of date); None otherwise."""
    operator = OPERATORS[leaf.op]
    if operator.inline is None:
        return None
    try:
        missing = operator.build(leaf.value, _ANY_DATE)(None)
    except TypeMismatch:
        return None
    return missing if missing is True or missing is False else None


def _otherwise(leaf: Leaf, index: int) -> str:
    """What a leaf with a written-out fast path does when the guard fails: call its test, except on a
    missing value (the common case: most resources lack most paths), where the test's answer is a
    constant. An operator with a fast path does not read the as-of date, so any date gives it."""
    missing = _missing_answer(leaf)
    if missing is not None:
        return f"({missing} if value is None else test_{index}(value))"
    return f"test_{index}(value)"


_ANY_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _bind(node, as_of: datetime) -> Predicate:
    if isinstance(node, Leaf):
        return _bind_leaf(node, as_of)
    kind, children = node
    if kind == "not":
        inner = _bind(children, as_of)
        return lambda resource: not inner(resource)
    preds = [_bind(child, as_of) for child in children]
    if len(preds) == 1:
        return preds[0]
    if kind == "all":
        if len(preds) == 2:
            first, second = preds
            return lambda resource: first(resource) and second(resource)

        def all_of(resource):
            for pred in preds:
                if not pred(resource):
                    return False
            return True

        return all_of
    if len(preds) == 2:
        first, second = preds
        return lambda resource: first(resource) or second(resource)

    def any_of(resource):
        for pred in preds:
            if pred(resource):
                return True
        return False

    return any_of


def _bind_leaf(leaf: Leaf, as_of: datetime) -> Predicate:
    test = OPERATORS[leaf.op].build(leaf.value, as_of)
    getter = leaf.getter

    def predicate(resource):
        try:
            return test(getter(resource))
        except TypeMismatch as mismatch:
            raise EvaluationFailure(leaf.path, leaf.pointer, mismatch) from None
        except JMESPathError as error:  # e.g. length() of null: a function met the wrong type
            raise EvaluationFailure(leaf.path, leaf.pointer, error) from None

    return predicate


def compile_condition(node: object, pointer: str, report: Report) -> Condition | None:
    """Check and compile a condition; report each problem; None when there were any."""
    leaves: list[Leaf] = []
    problems_before = [0]

    def counting_report(code, message, where, hint=None):
        problems_before[0] += 1
        report(code, message, where, hint)

    compiled = _compile(node, pointer, counting_report, leaves)
    if problems_before[0] or compiled is None:
        return None
    return Condition(compiled, tuple(leaves))


def _compile(node, pointer: str, report: Report, leaves: list):
    if not isinstance(node, dict):
        report("E203", f"a condition must be an object, got {type_name(node)}", pointer, None)
        return None
    forms = [key for key in (*CONNECTIVES, "path") if key in node]
    if len(forms) != 1:
        found = ", ".join(forms) if forms else "none of them"
        report(
            "E310",
            f"a condition needs exactly one of all, any, not or path (found {found})",
            pointer,
            None if forms else _form_hint(node),
        )
        return None
    form = forms[0]
    allowed = {"path", "op", "value"} if form == "path" else {form}
    for key in node:
        if key not in allowed:
            report(
                "E201",
                f"unknown key '{key}' in a{'' if form == 'path' else ' ' + repr(form)} condition",
                f"{pointer}/{key}",
                did_you_mean(key, allowed),
            )
    if form == "not":
        child = _compile(node["not"], f"{pointer}/not", report, leaves)
        return ("not", child) if child is not None else None
    if form in ("all", "any"):
        items = node[form]
        if not isinstance(items, list) or not items:
            report("E203", f"'{form}' needs a non-empty list of conditions", f"{pointer}/{form}", None)
            return None
        children = [_compile(item, f"{pointer}/{form}/{i}", report, leaves) for i, item in enumerate(items)]
        if any(child is None for child in children):
            return None
        return (form, children)
    return _compile_leaf(node, pointer, report, leaves)


def _form_hint(node: dict) -> str | None:
    """For a condition with none of all/any/not/path: the key that was probably meant."""
    for key in node:
        if key not in ("op", "value"):
            hint = did_you_mean(str(key), (*CONNECTIVES, "path"))
            if hint:
                return hint
    if "op" in node or "value" in node:
        return "a leaf condition names the value to test in 'path' (a JMESPath expression)"
    return None


def _compile_leaf(node: dict, pointer: str, report: Report, leaves: list):
    path, op = node.get("path"), node.get("op")
    ok = True
    if not isinstance(path, str) or not path:
        report("E203", "'path' must be a non-empty string (a JMESPath expression)", f"{pointer}/path", None)
        ok = False
    if op is None:
        report("E202", "missing required key 'op'", pointer, None)
        return None
    if op not in OPERATORS:
        close = did_you_mean(str(op), OPERATORS)
        report("E204", f"unknown operator {op!r}", f"{pointer}/op",
               (f"{close} " if close else "") + f"the operators are {', '.join(OPERATORS)}")
        return None
    getter = None
    if ok:
        try:
            getter = compile_path(path)
        except PathError as exc:
            report("E301", f"invalid JMESPath expression {path!r}: {exc}", f"{pointer}/path", None)
            ok = False
    value_ok = _check_value(op, node, pointer, report)
    if not (ok and value_ok):
        return None
    leaf = Leaf(path, op, node.get("value"), pointer, getter)
    leaves.append(leaf)
    return leaf


def _check_value(op: str, node: dict, pointer: str, report: Report) -> bool:
    kind = OPERATORS[op].value
    where = f"{pointer}/value"
    if kind == "none":
        if "value" in node:
            report("E311", f"operator '{op}' takes no value", where, None)
            return False
        return True
    if "value" not in node:
        report("E202", f"operator '{op}' needs a 'value'", pointer, None)
        return False
    value = node["value"]
    if kind == "list":
        if not isinstance(value, list):
            report("E311", f"operator '{op}' needs a list value, got {type_name(value)}", where, f"write [{value!r}]")
            return False
        return True
    if kind == "scalar":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            report("E311", f"operator '{op}' needs a number or a string, got {type_name(value)}", where, None)
            return False
        return True
    if kind in ("regex", "string", "duration") and not isinstance(value, str):
        report("E311", f"operator '{op}' needs a string value, got {type_name(value)}", where, None)
        return False
    if kind == "regex":
        try:
            compile_pattern(value)
        except PatternError as exc:
            report("E302", f"invalid regular expression {value!r}: {exc}", where, exc.hint)
            return False
    if kind == "duration":
        try:
            parse_duration(value)
        except ValueError as exc:
            report("E303", str(exc), where, None)
            return False
    return True
