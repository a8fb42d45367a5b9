"""The catalog as self-contained HTML: ``index.html`` and a page per policy, ``<id>.html``.

Each page carries its own style sheet and nothing else: no script, no font, no image, no link
outside the folder. Every value from the policies goes through
:func:`engine.outputs.escaping.html_text`, in text and in attributes alike.
"""

from __future__ import annotations

from engine.catalog.model import Catalog, Entry, Example
from engine.catalog.text import ENFORCEMENT, applies_to, json_text, policies, value_text, yaml_text
from engine.outputs.escaping import html_text as h

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 64rem; padding: 0 1rem;
       color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.8rem; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; } th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left;
vertical-align: top; } th { background: #f6f8fa; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; border-radius: 6px; } code { font-size: .9em; }
.severity-critical, .severity-high { color: #a40e26; font-weight: 600; } .severity-medium { color: #9a6700; font-weight: 600; }
nav { margin-bottom: 1rem; }
""".strip()


def _page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(title)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def _policy_table(entries: list[Entry]) -> list[str]:
    lines = ["<table>", "<tr><th>policy</th><th>title</th><th>type</th><th>severity</th><th>enforcement</th></tr>"]
    for entry in entries:
        p = entry.policy
        lines.append(f'<tr><td><a href="{h(p.id)}.html">{h(p.id)}</a></td><td>{h(p.title)}</td><td>{h(p.type)}</td>'
                     f'<td class="severity-{h(p.severity)}">{h(p.severity)}</td><td>{h(p.enforcement)}</td></tr>')
    return [*lines, "</table>"]


def index_page(catalog: Catalog) -> str:
    summary = policies(len(catalog.entries)) + (f"; {len(catalog.disabled)} switched off by a policy set" if catalog.disabled else "")
    body = [f"<h1>{h(catalog.title)}</h1>", f"<p>{h(summary)}.</p>", "<h2>By capability</h2>"]
    for capability, entries in catalog.by_capability().items():
        body += [f"<h3>{h(capability)}</h3>", *_policy_table(entries)]
    labels = catalog.by_label()
    if labels:
        body += ["<h2>By label</h2>", "<ul>"]
        for label, entries in labels.items():
            links = ", ".join(f'<a href="{h(e.policy.id)}.html">{h(e.policy.id)}</a>' for e in entries)
            body.append(f"<li><strong>{h(label)}</strong>: {links}</li>")
        body.append("</ul>")
    if catalog.disabled:
        body += ["<h2>Switched off</h2>", "<p>These policies are in the library, and a policy set switches them off:</p>", "<ul>"]
        body += [f"<li>{h(p.id)}: {h(p.title)} (policy set {h(p.policy_set or '')})</li>" for p in catalog.disabled]
        body.append("</ul>")
    return _page(catalog.title, body)


def _example(example: Example) -> list[str]:
    head = f"<strong>{h(example.subject)}</strong>" + (f": {h(example.description)}" if example.description else "")
    return [f"<p>{head} (policy test {h(example.test)})</p>", f'<pre><code class="language-json">{h(json_text(example.data))}</code></pre>']


def policy_page(entry: Entry) -> str:
    p = entry.policy
    rows = [("id", h(p.id)), ("type", f"{h(p.type)}: {h(entry.summary)}"),
            ("severity", f'<span class="severity-{h(p.severity)}">{h(p.severity)}</span>'),
            ("enforcement", h(ENFORCEMENT.get(p.enforcement, p.enforcement))), ("capability", h(entry.capability)),
            ("labels", ", ".join(h(label) for label in p.labels) or "none"), ("applies to", h(applies_to(p)))]
    if p.policy_set:
        rows.append(("policy set", f"{h(p.policy_set)} changes this policy"))
    body = ['<nav><a href="index.html">All policies</a></nav>', f"<h1>{h(p.title)}</h1>"]
    if p.description:
        body.append(f"<p>{h(p.description)}</p>")
    body += ["<table>", *(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows), "</table>"]
    body += ["<h2>What to do</h2>", f"<p>{h(p.remediation) if p.remediation else 'No remediation is written for this policy.'}</p>"]
    body.append("<h2>Thresholds</h2>")
    if entry.parameters:
        body += ["<table>", "<tr><th>parameter</th><th>value</th><th>default</th><th>description</th></tr>"]
        for parameter in entry.parameters:
            note = " (set by a policy set)" if parameter.overridden else ""
            body.append(f"<tr><td>{h(parameter.name)}</td><td>{h(value_text(parameter.value))}{note}</td>"
                        f"<td>{h(value_text(parameter.default))}</td><td>{h(parameter.description) or '—'}</td></tr>")
        body.append("</table>")
    else:
        body.append("<p>This policy has no parameters.</p>")
    body += ["<p>The policy's settings, with the values above:</p>", f'<pre><code class="language-yaml">{h(yaml_text(p.spec))}</code></pre>']
    body.append("<h2>Examples</h2>")
    if not entry.examples:
        body.append("<p>This policy has no policy test to take examples from.</p>")
    for title, examples in (("Non-compliant", entry.non_compliant), ("Compliant", entry.compliant)):
        if examples:
            body.append(f"<h3>{title}</h3>")
            for example in examples:
                body += _example(example)
    return _page(p.title, body)


def html_files(catalog: Catalog) -> dict[str, str]:
    files = {"index.html": index_page(catalog)}
    for entry in catalog.entries:
        files[f"{entry.policy.id}.html"] = policy_page(entry)
    return files
