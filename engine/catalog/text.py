"""What both renderings of the catalog say, as plain text (each renderer escapes it for its target)."""

from __future__ import annotations

import json

import yaml

ENFORCEMENT = {"enforce": "enforce: an open finding fails the run", "audit": "audit: reported, never fails the run"}


def value_text(value: object) -> str:
    """A parameter's value on one line: a string as it is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def yaml_text(value: object) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100).rstrip("\n")


def json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def applies_to(policy) -> str:
    """Which resources (or which spend) the policy judges, in words."""
    if policy.target == "costs":
        return "the cost data (FOCUS), per scope and period"
    document = (policy.document.data if policy.document is not None else {}) or {}
    resource = document.get("resource") or {}
    types = _substituted(resource.get("types"), policy.parameters)
    parts = [f"resources of type {', '.join(map(value_text, types))}" if isinstance(types, list) and types else "every resource"]
    if resource.get("where") is not None:
        parts.append(f"where {value_text(_substituted(resource['where'], policy.parameters))}")
    return " ".join(parts)


def _substituted(node: object, parameters: dict) -> object:
    """``node`` with its parameter references (``{param: NAME}``) replaced by the parameters' values."""
    if isinstance(node, dict):
        if set(node) == {"param"} and node["param"] in parameters:
            return parameters[node["param"]]
        return {key: _substituted(value, parameters) for key, value in node.items()}
    if isinstance(node, list):
        out = []
        for item in node:
            value = _substituted(item, parameters)
            out += value if isinstance(value, list) and isinstance(item, dict) else [value]
        return out
    return node


def policies(number: int) -> str:
    return f"{number} polic{'y' if number == 1 else 'ies'}"
