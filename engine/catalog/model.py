"""What the catalog says about each policy, gathered from a loaded library and its policy tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.bundled import BUILTIN, policies_dir, policy_paths
from engine.checks import CHECKS
from engine.library import load_library
from engine.policy import Policy
from engine.policy_tests import prepare_tests

EXAMPLES_PER_KIND = 3  # compliant and non-compliant examples shown per policy, each


@dataclass(frozen=True)
class Parameter:
    name: str
    value: object  # after policy sets
    default: object
    description: str
    overridden: bool  # a policy set gave the value


@dataclass(frozen=True)
class Example:
    compliant: bool  # the case expects pass (True) or fail (False)
    subject: str  # the resource id, or "scope VALUE" for a cost policy
    data: object  # the fixture resource (a dict), or the scope and currency of a cost case
    description: str
    test: str  # the policy test's name and file


@dataclass
class Entry:
    policy: Policy
    capability: str
    summary: str  # the type's one-line summary (CHECKS)
    parameters: list[Parameter]
    examples: list[Example] = field(default_factory=list)

    @property
    def compliant(self) -> list[Example]:
        return [e for e in self.examples if e.compliant][:EXAMPLES_PER_KIND]

    @property
    def non_compliant(self) -> list[Example]:
        return [e for e in self.examples if not e.compliant][:EXAMPLES_PER_KIND]


@dataclass
class Catalog:
    title: str
    entries: list[Entry]  # enabled policies, by id
    disabled: list[Policy]  # switched off by a policy set

    def by_capability(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for entry in sorted(self.entries, key=lambda e: (e.capability, e.policy.id)):
            out.setdefault(entry.capability, []).append(entry)
        return out

    def by_label(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for label in entry.policy.labels:
                out.setdefault(label, []).append(entry)
        return {label: out[label] for label in sorted(out)}


def _roots(paths: list[str]) -> list[Path]:
    return [Path(path).resolve() for path in paths if Path(path).is_dir()]


def _capability(file: str | None, roots: list[Path]) -> str:
    """The folder a policy sits in under the path that loaded it (``tagging`` for
    ``policies/tagging/x.yaml``); the folder's own name for a policy at the top of a path."""
    if file is None:
        return "other"
    resolved = Path(file).resolve()
    for root in roots:
        if root in resolved.parents:
            relative = resolved.relative_to(root)
            return relative.parts[0] if len(relative.parts) > 1 else root.name
    return resolved.parent.name


def _parameters(policy: Policy) -> list[Parameter]:
    declared = ((policy.document.data if policy.document is not None else {}) or {}).get("parameters") or {}
    out = []
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        default = spec.get("default")
        value = policy.parameters.get(name, default)
        out.append(Parameter(name, value, default, str(spec.get("description", "")), value != default))
    return out


def _examples(library, entries: dict[str, Entry]) -> None:
    for test in prepare_tests(library, library.tests):
        by_id = {resource.get("id"): resource for resource in test.resources}
        name = f"{test.doc.data.get('name', '')} ({Path(test.doc.file).name})"
        for case in test.doc.data.get("cases", ()):
            entry = entries.get(case.get("policy"))
            if entry is None or case.get("expect") not in ("pass", "fail"):
                continue
            compliant = case["expect"] == "pass"
            if "resource" in case:
                resource = by_id.get(case["resource"])
                if resource is None:
                    continue
                example = Example(compliant, str(case["resource"]), _shown(resource), str(case.get("description", "")), name)
            else:  # a cost policy's case: the scope value, and what the test expects of its finding
                expected = {key: case[key] for key in ("scope", "currency", "message", "money") if key in case}
                example = Example(compliant, f"scope {case['scope']}", expected, str(case.get("description", "")), name)
            entry.examples.append(example)


def _shown(resource: dict) -> dict:
    """The resource as its fixture describes it: the fields the canonical form fills with nothing left out."""
    return {key: value for key, value in resource.items() if value not in (None, [], {})}


def build_catalog(paths=None) -> Catalog:
    """The catalog of the policies under ``paths`` (none, or ``builtin``: the built-in library), with the
    policy sets among them applied. Raises InputError as ``costwarden validate`` would."""
    given = [str(path) for path in paths or ()]
    loaded = policy_paths(given)
    library = load_library(loaded)
    roots = _roots(loaded)
    entries = {}
    for policy in library.policies:
        if policy.enabled:
            entries[policy.id] = Entry(policy, _capability(policy.file, roots), CHECKS[policy.type].summary, _parameters(policy))
    _examples(library, entries)
    named = [BUILTIN if Path(path).resolve() == policies_dir().resolve() else path for path in loaded]
    return Catalog(f"Policy catalog: {', '.join(named)}", [entries[key] for key in sorted(entries)],
                   sorted((p for p in library.policies if not p.enabled), key=lambda p: p.id))
