"""The catalog as Markdown: ``index.md`` and a page per policy, ``<id>.md``.

Every value from the policies is escaped with :func:`engine.outputs.escaping.markdown_text` (it
renders as the text it is: no link, emphasis, HTML, table cell boundary or @-mention); settings and
examples go in fenced blocks whose fence is longer than any run of backticks inside them.
"""

from __future__ import annotations

import re

from engine.catalog.model import Catalog, Entry, Example
from engine.catalog.text import ENFORCEMENT, applies_to, json_text, policies, value_text, yaml_text
from engine.outputs.escaping import markdown_text as md


def _fenced(text: str, language: str) -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _policy_table(entries: list[Entry]) -> list[str]:
    lines = [_row("policy", "title", "type", "severity", "enforcement"), "|---|---|---|---|---|"]
    for entry in entries:
        p = entry.policy
        lines.append(_row(f"[{md(p.id)}]({p.id}.md)", md(p.title), md(p.type), md(p.severity), md(p.enforcement)))
    return lines


def index_page(catalog: Catalog) -> str:
    lines = [f"# {md(catalog.title)}", ""]
    lines += [policies(len(catalog.entries))
              + (f"; {len(catalog.disabled)} switched off by a policy set" if catalog.disabled else "") + ".", ""]
    lines += ["## By capability", ""]
    for capability, entries in catalog.by_capability().items():
        lines += [f"### {md(capability)}", "", *_policy_table(entries), ""]
    labels = catalog.by_label()
    if labels:
        lines += ["## By label", ""]
        for label, entries in labels.items():
            links = ", ".join(f"[{md(e.policy.id)}]({e.policy.id}.md)" for e in entries)
            lines += [f"- **{md(label)}**: {links}"]
        lines.append("")
    if catalog.disabled:
        lines += ["## Switched off", "", "These policies are in the library, and a policy set switches them off:", ""]
        lines += [f"- {md(p.id)}: {md(p.title)} (policy set {md(p.policy_set or '')})" for p in catalog.disabled]
        lines.append("")
    return "\n".join(lines)


def _example(example: Example) -> list[str]:
    head = f"**{md(example.subject)}**"
    if example.description:
        head += f": {md(' '.join(example.description.split()))}"
    return [head + f" (policy test {md(example.test)})", "", *_fenced(json_text(example.data), "json"), ""]


def _prose(text: str) -> str:
    """A description or remediation as Markdown: its lines escaped one by one, each line break of the text
    a hard line break (never an escaped ``\\n``), a blank line a new paragraph, the ends trimmed."""
    paragraphs = [[md(line.strip()) for line in block.splitlines() if line.strip()]
                  for block in re.split(r"\n[ \t]*\n", text.strip())]
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


def policy_page(entry: Entry) -> str:
    p = entry.policy
    lines = [f"# {md(p.title)}", ""]
    if p.description:
        lines += [_prose(p.description), ""]
    lines += [_row("", ""), "|---|---|",
              _row("id", md(p.id)),
              _row("type", f"{md(p.type)}: {md(entry.summary)}"),
              _row("severity", md(p.severity)),
              _row("enforcement", md(ENFORCEMENT.get(p.enforcement, p.enforcement))),
              _row("capability", md(entry.capability)),
              _row("labels", ", ".join(md(label) for label in p.labels) or "none"),
              _row("applies to", md(applies_to(p)))]
    if p.policy_set:
        lines.append(_row("policy set", f"{md(p.policy_set)} changes this policy"))
    lines += ["", "## What to do", "", _prose(p.remediation) if p.remediation else "No remediation is written for this policy.", ""]
    lines += ["## Thresholds", ""]
    if entry.parameters:
        lines += [_row("parameter", "value", "default", "description"), "|---|---|---|---|"]
        for parameter in entry.parameters:
            value = md(value_text(parameter.value)) + (" (set by a policy set)" if parameter.overridden else "")
            lines.append(_row(md(parameter.name), value, md(value_text(parameter.default)), md(parameter.description) or "—"))
        lines.append("")
    else:
        lines += ["This policy has no parameters.", ""]
    lines += ["The policy's settings, with the values above:", "", *_fenced(yaml_text(p.spec), "yaml"), ""]
    lines += ["## Examples", ""]
    if not entry.examples:
        lines += ["This policy has no policy test to take examples from.", ""]
    for title, examples in (("Non-compliant", entry.non_compliant), ("Compliant", entry.compliant)):
        if examples:
            lines += [f"### {title}", ""]
            for example in examples:
                lines += _example(example)
    lines += ["[All policies](index.md)", ""]
    return "\n".join(lines)


def markdown_files(catalog: Catalog) -> dict[str, str]:
    files = {"index.md": index_page(catalog)}
    for entry in catalog.entries:
        files[f"{entry.policy.id}.md"] = policy_page(entry)
    return files
