"""The HTML report: the estate's index page and one page per owner, self-contained and offline.

**Templates.** A page is put together from literal template strings with ``{name}`` fields
(:func:`html`): every value filled in is escaped (:func:`engine.outputs.escaping.html_text`) unless
it is :class:`Markup` — HTML this module made itself (another template's output, or a chart from
:mod:`engine.report.charts`, which escapes its own labels). Text from snapshots (tag values, names,
ids, owner names, messages) therefore lands as text, never as markup. Values go only into element
text and double-quoted attributes; no value from a snapshot is ever written into a URL, a
``style``, a script or an event attribute. The only links are the report's own pages, whose names
are made by :mod:`engine.report.model` from safe characters.

**Offline and inert.** One file per page, nothing fetched: the CSS is inline, the charts are inline
SVG, fonts are the system's; there is no script at all, and each page says so to the browser with a
``Content-Security-Policy`` that allows no script, no network request and no form.

**Readable** on screen, in print (a print stylesheet: no navigation, no split tables or charts, links
written out) and without colour: severities and statuses are words with a symbol, charts use
patterns as well as colours (see docs/contributing-report-charts.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from engine.findings import MONEY, Finding
from engine.outputs.escaping import html_text
from engine.outputs.labels import subject
from engine.outputs.periods import period_words
from engine.outputs.statuses import NOT_ACTIVE, exemption_backing, exemption_note, status_label
from engine.report import charts
from engine.report.formatting import format_money, format_percent
from engine.report.model import AT_STAKE, Amounts, OwnerView, ReportModel, class_at_stake, money_measure
from engine.severity import SEVERITIES

MAX_FINDING_ROWS = 1000  # rows of an owner's findings table; the others are counted (findings.json holds them all)
MAX_INDEX_ROWS = 500  # owners in the index's ranking table
_MESSAGE_CHARS = 400
_SEVERITY_MARK = {"critical": "◆◆", "high": "◆", "medium": "▲", "low": "▽", "info": "○"}
_TREND_MARK = {"new": "★ new", "persisting": "● since last run"}
_CLASS_MARK = {"new": "★ new", "persisting": "● persisting", "resolved": "✓ resolved"}


# --- the template mechanism ------------------------------------------------------------------------------

class Markup(str):
    """HTML made by this module (or a chart): filled into a template as it is."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """``value`` as HTML text (or a double-quoted attribute value); Markup stays as it is."""
    if isinstance(value, Markup):
        return value
    return Markup(html_text(value))


def html(template: str, **values: object) -> Markup:
    """``template`` with each ``{name}`` replaced by its value, escaped (see :func:`escape`)."""
    return Markup(template.format_map({name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[object], separator: str = "") -> Markup:
    """The parts, each escaped, one after the other."""
    return Markup(separator.join(escape(part) for part in parts))


# --- numbers as text -------------------------------------------------------------------------------------

def money_text(amounts, order: tuple[str, ...] = ()) -> str:
    """``1,234.50 USD; 20.00 EUR``: one amount per currency, never added together; ``—`` when none."""
    items = amounts.items_sorted(order) if hasattr(amounts, "items_sorted") else sorted(amounts.items())
    return "; ".join(format_money(amount, currency) for currency, amount in items) or "—"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


# --- pages -----------------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --line: #c8c8c8; --band: #f4f4f4; --accent: #0b5cab; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1.5rem; max-width: 1200px; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
a { color: var(--accent); } a:focus { outline: 3px solid #e69f00; }
.muted, .meta { color: var(--muted); } .meta { margin: 0 0 1rem; }
nav.back { margin-bottom: 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); border-left: 6px solid var(--ink); padding: .6rem .9rem; min-width: 12rem; flex: 1 1 12rem; }
.cards .label { display: block; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.cards .value { display: block; font-size: 1.15rem; font-weight: 600; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.id { word-break: break-all; min-width: 14rem; } td.money, td.nowrap { white-space: nowrap; } td.message { min-width: 16rem; }
th { background: var(--band); } tbody tr:nth-child(even) { background: #fafafa; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.sev { white-space: nowrap; font-weight: 600; }
.sev-critical, .sev-high { text-decoration: underline; }
.tag { display: inline-block; border: 1px solid var(--ink); border-radius: 3px; padding: 0 .3rem; font-size: .8rem; white-space: nowrap; }
h4 { font-size: .95rem; margin: .75rem 0 .25rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } .chart { max-width: 100%; overflow-x: auto; margin: 0; }
.chart svg { max-width: 100%; height: auto; }
.note { border-left: 4px solid var(--muted); background: var(--band); padding: .5rem .75rem; margin: .75rem 0; }
.problem { border-left: 4px solid #d55e00; background: #fff4ec; padding: .5rem .75rem; margin: .75rem 0; }
ul.plain { padding-left: 1.2rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { padding: 0; max-width: none; font-size: 11pt; }
  nav.back { display: none; }
  h2 { break-after: avoid; } tr, .chart, .cards li, .note, .problem { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: var(--ink); text-decoration: none; }
  a.page::after { content: " (" attr(href) ")"; font-size: .8em; color: var(--muted); }
  tbody tr:nth-child(even) { background: none; }
}
"""

# no script, no network, no form, no frame: everything the page needs is in it
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="costwarden {version}">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
{body}
<footer>costwarden {version} · as of {as_of} · every amount is in its own currency; amounts in two currencies are never added together.</footer>
</body>
</html>
"""


def render_pages(model: ReportModel, *, split: bool = True) -> dict[str, str]:
    """``{path inside the report folder: HTML}``: ``index.html`` and, with ``split``, one page per owner
    (``owners/NAME.html``); without ``split``, every owner's section is on the index page."""
    pages = {"index.html": _page(model, model.title, _index_body(model, split))}
    if split:
        for owner in model.owners:
            pages[owner.page] = _page(model, f"{owner.name} — {model.title}", _owner_body(model, owner, standalone=True))
    return pages


def _page(model: ReportModel, title: str, body: Markup) -> str:
    return html(_PAGE, policy=_POLICY, version=model.version, title=title, css=Markup(CSS), body=body, as_of=model.as_of)


def _header(model: ReportModel, heading: str) -> Markup:
    words = period_words(model.result)
    meta = (f"Period {words}. " if words else "") + f"As of {model.as_of}."
    return html("<header><h1>{heading}</h1><p class=\"meta\">{meta}</p></header>\n", heading=heading, meta=meta)


# --- the index -------------------------------------------------------------------------------------------

def _index_body(model: ReportModel, split: bool) -> Markup:
    parts = [_header(model, model.title), _estate_cards(model), _problems(model), _ranking(model, split), _estate_charts(model),
             _showback_section(model, split), _trend_section(model), _exemptions_section(model)]
    if not split:
        for owner in model.owners:
            parts.append(html('<section class="owner" id="{anchor}">\n{body}</section>\n', anchor=_anchor(owner),
                              body=_owner_body(model, owner, standalone=False)))
    return join(parts)


def _estate_cards(model: ReportModel) -> Markup:
    result = model.result
    opened = sum(model.open_by_severity.values())
    severities = ", ".join(f"{model.open_by_severity[s]} {s}" for s in reversed(SEVERITIES) if model.open_by_severity[s])
    cards = [
        ("Money at stake", money_text(model.at_stake_total, model.currencies)),
        ("Open findings", f"{opened:,}" + (f" ({severities})" if severities else "")),
        ("Owners", f"{len(model.owners):,}"),
        ("Evaluated", f"{_plural(len(result.policies), 'policy', 'policies')} over {_plural(result.resources_evaluated, 'resource')}"
                      + (f" and {_plural(result.cost_rows_evaluated, 'cost row')}" if result.cost_rows_evaluated else "")),
    ]
    if model.trend is not None:
        cards.append(("Since the last run", _trend_words(sum(o.new for o in model.owners), sum(o.persisting for o in model.owners),
                                                         len(model.trend.resolved), model.trend.at_stake(), model.currencies)))
    return _cards(cards)


def _cards(cards: list[tuple[str, str]]) -> Markup:
    items = join(html('<li><span class="label">{label}</span><span class="value">{value}</span></li>', label=label, value=value)
                 for label, value in cards)
    return html('<ul class="cards">{items}</ul>\n', items=items)


def _trend_words(new: int, persisting: int, resolved: int, money: dict | None = None, order: tuple[str, ...] = ()) -> str:
    """``4 new (12.00 USD at stake), 32 persisting (...), 1 resolved (5.00 USD was at stake)``: the open findings of each
    class and the money at stake they carry (``money``: class -> field -> Amounts), per currency."""
    words = []
    for count, klass, verb in ((new, "new", "at stake"), (persisting, "persisting", "at stake"), (resolved, "resolved", "was at stake")):
        total = class_at_stake((money or {}).get(klass, {}))
        words.append(f"{count:,} {klass}" + (f" ({money_text(total, order)} {verb})" if total.nonzero else ""))
    return ", ".join(words)



def _problems(model: ReportModel) -> Markup:
    result = model.result
    parts = []
    if result.errors:
        items = join(html("<li>{text}</li>", text=error.format()) for error in result.errors[:50])
        more = f" and {len(result.errors) - 50} more" if len(result.errors) > 50 else ""
        parts.append(html('<div class="problem" role="alert"><strong>{count} evaluation error(s){more}:</strong> these policies '
                          'could not be evaluated everywhere, so findings may be missing.<ul class="plain">{items}</ul></div>\n',
                          count=len(result.errors), more=more, items=items))
    if result.skipped:
        items = join(html("<li>{policy}: {reason}</li>", policy=policy, reason=reason) for policy, reason in result.skipped)
        parts.append(html('<div class="note"><strong>Not evaluated:</strong><ul class="plain">{items}</ul></div>\n', items=items))
    if result.warnings:
        items = join(html("<li>{text}</li>", text=warning) for warning in result.warnings[:50])
        more = f" ({len(result.warnings) - 50} more in findings.json)" if len(result.warnings) > 50 else ""
        parts.append(html('<div class="note"><strong>Warnings{more}:</strong><ul class="plain">{items}</ul></div>\n', more=more, items=items))
    return join(parts)


def _owner_link(owner: OwnerView, split: bool, prefix: str = "") -> Markup:
    label = owner.name if owner.name == owner.id else f"{owner.name} ({owner.id})"
    href = prefix + owner.page if split else "#" + _anchor(owner)
    return html('<a class="page" href="{href}">{label}</a>', href=href, label=label)


def _anchor(owner: OwnerView) -> str:
    return "owner-" + owner.page.rsplit("/", 1)[-1].removesuffix(".html")


def _ranking(model: ReportModel, split: bool) -> Markup:
    if not model.owners:
        return html("<h2>Owners</h2><p>No findings: no owner has anything to act on.</p>\n")
    trend = model.trend is not None
    parts = join(html('<th scope="col">{label}</th>', label=field_label(model, name)) for name in AT_STAKE)
    head = html("<tr><th class=\"num\" scope=\"col\">Rank</th><th scope=\"col\">Owner</th><th scope=\"col\">Money at stake</th>"
                "{parts}<th class=\"num\" scope=\"col\">Open findings</th>{trend}<th scope=\"col\">Worst open</th></tr>",
                parts=parts, trend=Markup('<th class="num" scope="col">New</th>') if trend else Markup(""))
    rows = []
    for owner in model.owners[:MAX_INDEX_ROWS]:
        worst = next((s for s in reversed(SEVERITIES) if owner.open_by_severity.get(s)), None)
        cells = [html('<td class="num">{rank}</td>', rank=owner.rank),
                 html('<th scope="row">{link}</th>', link=_owner_link(owner, split)),
                 html("<td>{v}</td>", v=money_text(owner.at_stake_total, model.currencies))]
        cells += [html("<td>{v}</td>", v=money_text(owner.at_stake.get(name, {}), model.currencies)) for name in AT_STAKE]
        cells.append(html('<td class="num">{v}</td>', v=f"{owner.open:,}"))
        if trend:
            cells.append(html('<td class="num">{v}</td>', v=f"{owner.new:,}"))
        cells.append(html("<td>{v}</td>", v=_severity(worst) if worst else "—"))
        rows.append(html("<tr>{cells}</tr>", cells=join(cells)))
    more = ""
    if len(model.owners) > MAX_INDEX_ROWS:
        more = f"{len(model.owners) - MAX_INDEX_ROWS:,} more owners, with less at stake, are not listed here; summary.md and findings.json list them all."
    return html("<h2 id=\"ranking\">Owners by money at stake</h2>\n<p class=\"muted\">Money at stake is what an owner's open findings "
                "carry as overspend, unallocated spend, unused commitment and monthly savings available, per currency. Unallocated "
                "spend is the tag-coverage policies' amount: spend whose cost rows lack the allocation tags, whoever's spend it is "
                "(not the unassigned spend of the showback, which no team owns). Owners are ranked by it in {order}, then by open "
                "findings.</p>\n"
                "<table><caption>Owners ranked by money at stake</caption><thead>{head}</thead><tbody>{rows}</tbody></table>{more}\n",
                order=_currency_order(model), head=head, rows=join(rows), more=html('<p class="muted">{m}</p>', m=more) if more else "")


_FIELD_TITLES = {"overspend": "Overspend", "unallocated_cost": "Unallocated", "unused_commitment_cost": "Unused commitment",
                 "monthly_saving": "Savings / month"}


def field_label(model: ReportModel, name: str) -> str:
    """A money-at-stake column's title with what its amounts are measured in: ``Overspend (BilledCost)``."""
    measure = model.measures.get(name)
    return f"{_FIELD_TITLES[name]} ({measure})" if measure else _FIELD_TITLES[name]


def _currency_order(model: ReportModel) -> str:
    if not model.currencies:
        return "each currency"
    if len(model.currencies) == 1:
        return model.currencies[0]
    return ", then ".join(model.currencies) + " (the currency with the most at stake first)"


def _severity(severity: str) -> Markup:
    return html('<span class="sev sev-{severity}">{mark} {severity}</span>', severity=severity, mark=_SEVERITY_MARK[severity])


def _estate_charts(model: ReportModel) -> Markup:
    charts_html = []
    for index, currency in enumerate(model.currencies):
        owners = [o for o in model.owners if o.at_stake_total.get(currency)]
        charts_html.append(charts.horizontal_bar([o.name for o in owners], [o.at_stake_total[currency] for o in owners],
                                                 chart_id=f"at-stake-{index}", title=f"Money at stake per owner ({currency})",
                                                 currency=currency))
    with_open = [o for o in model.owners if o.open]
    if with_open:
        series = [charts.Series(s, [o.open_by_severity.get(s, 0) for o in with_open]) for s in reversed(SEVERITIES)
                  if any(o.open_by_severity.get(s) for o in with_open)]
        charts_html.append(charts.stacked_bar([o.name for o in with_open], series, chart_id="open-by-severity",
                                              title="Open findings per owner, by severity", unit="findings"))
    if not charts_html:
        return Markup("")
    return html("<h2>At a glance</h2>\n<div class=\"charts\">{charts}</div>\n",
                charts=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in charts_html))


def _trend_section(model: ReportModel) -> Markup:
    trend = model.trend
    if trend is None:
        return html("<h2>Since the last run</h2><p class=\"note\">No earlier run to compare with: pass the last report's "
                    "findings.json with --previous, or keep a --history file, to see new, persisting and resolved findings (a run as of "
                    "this run's instant or later is not an earlier run).</p>\n")
    counts = {"new": sum(o.new for o in model.owners), "persisting": sum(o.persisting for o in model.owners),
              "resolved": len(trend.resolved)}
    words = _trend_words(counts["new"], counts["persisting"], counts["resolved"], trend.at_stake(), model.currencies)
    money = trend.at_stake()
    head = join(html('<th scope="col">{label}</th>', label=field_label(model, name)) for name in AT_STAKE)
    rows = []
    for klass, meaning in (("new", "open now, not in the earlier run"), ("persisting", "open now and in the earlier run"),
                           ("resolved", "open in the earlier run, not open now (what they carried then)")):
        fields = money.get(klass, {})
        cells = join(html("<td>{v}</td>", v=money_text(fields.get(name, {}), model.currencies)) for name in AT_STAKE)
        rows.append(html('<tr><th scope="row">{klass}</th><td>{meaning}</td><td class="num">{count}</td><td>{total}</td>{cells}</tr>',
                         klass=_CLASS_MARK[klass], meaning=meaning, count=f"{counts[klass]:,}",
                         total=money_text(class_at_stake(fields), model.currencies), cells=cells))
    return html("<h2>Since the last run</h2><p>Compared with the run as of {then} ({source}): {words} open findings. A finding about "
                "a resource is the same finding when its policy and resource are; a cost finding when its policy and scope are, "
                "whatever the period.</p>\n<table><caption>Open findings and money at stake since the last run</caption><thead><tr>"
                "<th scope=\"col\">Findings</th><th scope=\"col\">Which</th><th class=\"num\" scope=\"col\">Open findings</th>"
                "<th scope=\"col\">Money at stake</th>{head}</tr></thead><tbody>{rows}</tbody></table>\n",
                then=trend.previous_as_of, source=trend.previous_source, words=words, head=head, rows=join(rows))


def _exemptions_section(model: ReportModel) -> Markup:
    result = model.result
    parts = []
    if result.exemptions:
        rows = join(html("<tr><td>{id}</td><td class=\"nowrap\">{state}</td><td>{expires}</td><td class=\"num\">{matched}</td><td>{note}</td>"
                         "<td>{backing}</td></tr>", id=r.id, state=("⚠ " if r.state in NOT_ACTIVE else "") + r.state,
                         expires=r.expires, matched=r.matched, note=exemption_note(r), backing=exemption_backing(r) or "—")
                    for r in result.exemptions)
        parts.append(html("<h2>Exemptions</h2><table><thead><tr><th>Exemption</th><th>State</th><th>Last day</th>"
                          "<th class=\"num\">Findings</th><th>What it does</th><th>Backing</th></tr></thead><tbody>{rows}</tbody></table>\n",
                          rows=rows))
    if result.baseline is not None:
        b = result.baseline
        parts.append(html("<h2>Baseline</h2><p>{file}: {entries} entries; {baselined} findings baselined, {new} new open ones, "
                          "{fixed} fixed, {unchecked} not checked by this run.</p>\n", file=b.file, entries=b.entries,
                          baselined=b.baselined, new=b.new, fixed=len(b.fixed), unchecked=b.unchecked))
    return join(parts)


# --- showback, chargeback, scorecard (engine.report.showback_view) ------------------------------------------

_LEVEL_MARK = {"run": "●●● run", "walk": "●●○ walk", "crawl": "●○○ crawl"}


def _showback_section(model: ReportModel, split: bool) -> Markup:
    shown = model.showback
    if shown is None:
        why = model.showback_missing or "the run had no cost data"
        return html("<h2>Spend, showback and scorecard</h2><p class=\"note\">Not shown: {why}. Spend, its trend, chargeback and "
                    "the FinOps scorecard need the period's cost data and the Ownership document: run the report with --costs "
                    "FOCUS-FILES --ownership FILE.</p>\n", why=why)
    spend = shown.spend
    parts = [html("<h2 id=\"showback\">Spend and showback</h2>\n<p>{about}</p>\n", about=_spend_about(shown))]
    measure = spend.measure
    cards = [(f"Spend {shown.window.label} ({measure})", money_text(_amounts(spend.totals)))]
    previous_totals = shown.previous_totals()
    if previous_totals:
        cards.append((f"Spend {shown.window.previous.label} ({measure})", money_text(_amounts(previous_totals))))
    cards.append((f"Unassigned spend ({measure})", money_text(_amounts(spend.unassigned()))))
    if shown.consolidated is not None:
        cards.append(("Consolidated", f"{format_money(shown.consolidated.total, shown.consolidated.currency)} ({shown.consolidated.label})"))
    parts.append(_cards(cards))
    names = {owner.id: owner for owner in model.owners}
    figures = []
    for index, currency in enumerate(sorted(spend.totals)):
        lines = [o for o in spend.owners if o.currency == currency]
        figures.append(charts.horizontal_bar([o.name for o in lines], [o.amount for o in lines], chart_id=f"spend-{index}",
                                             title=f"Spend per owner, {shown.window.label} ({currency}, {measure})", currency=currency))
    parts.append(html('<div class="charts">{figures}</div>\n',
                      figures=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in figures)))
    rows = []
    charged = shown.charge.by_owner_currency()
    sources = set()
    for line in spend.owners:
        owner = names.get(line.owner)
        label = _owner_link(owner, split) if owner is not None else escape(line.name)
        change = shown.change(line)
        if change is not None and change.previous.source != "the cost data":
            sources.add(change.previous.source + (f" (its spend to {change.previous.last_day:%Y-%m-%d})" if change.previous.last_day else ""))
        rows.append(html("<tr><th scope=\"row\">{owner}</th><td class=\"num\">{amount}</td><td class=\"num\">{previous}</td>"
                         "<td class=\"num\">{change}</td><td class=\"num\">{charged}</td></tr>", owner=label,
                         amount=format_money(line.amount, line.currency),
                         previous=format_money(change.previous.amount, line.currency) if change is not None else "—",
                         change=_change_words(change, line.currency),
                         charged=format_money(charged.get((line.owner, line.currency), Decimal(0)), line.currency)))
    parts.append(html("<table><caption>Showback and chargeback per owner and currency ({measure})</caption><thead><tr><th>Owner</th>"
                      "<th class=\"num\">Spend</th><th class=\"num\">Previous period</th><th class=\"num\">Change</th>"
                      "<th class=\"num\">Chargeback</th></tr></thead><tbody>{rows}</tbody></table>\n",
                      measure=spend.measure, rows=join(rows)))
    if sources:
        parts.append(html('<p class="muted">The previous period ({label}) is not in the cost data: its spend is the {sources}.</p>\n',
                          label=shown.window.previous.label, sources="; ".join(sorted(sources))))
    parts.append(_unassigned_section(shown))
    parts.append(_chargeback(shown))
    parts.append(_scorecard_ranking(model, split))
    return join(parts)


MAX_UNASSIGNED_ROWS = 10  # the largest items of the unassigned spend listed per currency (the chargeback CSV has the total)


def _unassigned_section(shown) -> Markup:
    """What the unassigned spend is made of: per currency, its charge categories and its largest items."""
    unassigned = shown.unassigned
    totals = shown.spend.unassigned()
    measure = shown.spend.measure
    if not totals or unassigned is None:
        return html("<h3 id=\"unassigned\">Unassigned spend</h3><p>The ownership chain assigns every cost row of {label} to a "
                    "team: no spend is unassigned.</p>\n", label=shown.window.label)
    parts = [html("<h3 id=\"unassigned\">Unassigned spend</h3><p>Spend of {label} that the ownership chain assigns to no team: "
                  "no step names a team for its cost rows, or only the default step would. It is no team's spend, so it is in no "
                  "team's showback or budget. Not the same as unallocated spend (spend whose rows lack the allocation tags, from "
                  "the tag-coverage findings), which can be a team's.</p>\n", label=shown.window.label)]
    for currency, total in sorted(totals.items()):
        categories = unassigned.by_category(currency)
        words = "; ".join(f"{category} {format_money(amount, currency)}" for category, amount in categories)
        credits = sum((amount for _, amount in categories if amount < 0), Decimal(0))
        why = ""
        if total < 0:
            why = (f" It is below zero: its credits and refunds ({format_money(credits, currency)}), which no step assigns either, "
                   "are larger than its charges.")
        items = [item for item in unassigned.items if item.currency == currency]
        rows = join(html("<tr><td>{category}</td><td class=\"id\">{account}</td><td class=\"id\">{resource}</td><td>{service}</td>"
                         "<td class=\"num\">{amount}</td></tr>", category=item.charge_category, account=item.account or "—",
                         resource=(item.resource_id + (f" ({item.resource_name})" if item.resource_name else "")) if item.resource_id
                         else "(no resource)", service=item.service or "—", amount=format_money(item.amount, item.currency))
                    for item in items[:MAX_UNASSIGNED_ROWS])
        more = len(items) - MAX_UNASSIGNED_ROWS
        parts.append(html("<p><strong>{total}</strong> ({measure}) by charge category: {words}.{why}</p><table><caption>The "
                          "largest items of the unassigned spend ({currency}){more}</caption><thead><tr><th>Charge category</th>"
                          "<th>Account</th><th>Resource</th><th>Service</th><th class=\"num\">{measure}</th></tr></thead>"
                          "<tbody>{rows}</tbody></table>\n",
                          total=format_money(total, currency), measure=measure, words=words, why=why, currency=currency,
                          more=f", {MAX_UNASSIGNED_ROWS} of {len(items):,}" if more > 0 else "", rows=rows))
    return join(parts)


def _amounts(mapping: dict) -> Amounts:
    return Amounts(mapping)


def _spend_about(shown) -> str:
    spend = shown.spend
    text = (f"Spend is Σ {spend.measure} of the period's cost rows ({', '.join(spend.charge_categories)}), per owner and currency, as "
            "the Ownership document's chain assigns each row; spend that no step assigns, or only its default step, is unassigned.")
    if spend.partial:
        end = spend.data_end.strftime("%Y-%m-%d %H:%M UTC") if spend.data_end is not None else "nowhere"
        text += f" The period is not complete: its data reaches {end}."
    notes = list(spend.notes)
    if not spend.previous_available and shown.previous_totals():
        notes = [note for note in notes if not note.endswith(": no trend")]
        notes.append(f"no cost rows in {shown.window.previous.label}: the trend is from the history's run of that period")
    if notes:
        text += " " + " ".join(note[:1].upper() + note[1:] + ("" if note.endswith(".") else ".") for note in notes)
    return text


def _change_words(change, currency: str) -> str:
    """``▲ up 12.00 USD (4.0%)``; ``—`` without the period before."""
    if change is None:
        return "—"
    arrow = "▲ up" if change.amount > 0 else "▼ down" if change.amount < 0 else "= same"
    percent = f" ({format_percent(change.percent)})" if change.percent is not None else ""
    return f"{arrow} {format_money(abs(change.amount), currency)}{percent}"


def _change_source(change, window) -> str:
    """Where the period before comes from, when not from this run's cost data; why there is no change, when none."""
    if change is None:
        if window.previous is None:
            return ""
        return (f"No change: neither the cost data nor a history holds {window.previous.label} (give its export to --costs, "
                "or keep a --history file).")
    if change.previous.source == "the cost data":
        return ""
    so_far = f", its spend to {change.previous.last_day:%Y-%m-%d}" if change.previous.last_day is not None else ""
    return (f"The change is from {change.previous.label} as the {change.previous.source} measured it{so_far} "
            "(the cost data holds no rows of that period).")


def _chargeback(shown) -> Markup:
    charge = shown.charge
    if not charge.rules:
        return html("<p class=\"muted\">No Allocation document given (--allocation): the chargeback is each owner's direct spend; "
                    "unassigned spend stays unassigned.</p>\n")
    head = join(html('<th class="num">{rule}</th>', rule=f"shared: {rule}") for rule in charge.rules)
    rows = join(html("<tr><td>{owner}</td><td>{currency}</td><td class=\"num\">{direct}</td>{shares}<td class=\"num\">{total}</td></tr>",
                     owner=line.name, currency=line.currency, direct=format_money(line.direct, line.currency),
                     shares=join(html('<td class="num">{v}</td>', v=format_money(line.allocated[rule], line.currency))
                                 for rule in charge.rules),
                     total=format_money(line.total, line.currency)) for line in charge.lines)
    notes = join(html("<li>{text}</li>", text=_pool_words(pool)) for pool in charge.pools)
    return html("<h3>Chargeback: shared costs split by rule</h3><table><thead><tr><th>Owner</th><th>Currency</th>"
                "<th class=\"num\">Direct</th>{head}<th class=\"num\">Total</th></tr></thead><tbody>{rows}</tbody></table>"
                "<ul class=\"plain\">{notes}</ul>\n", head=head, rows=rows, notes=notes)


def _pool_words(pool) -> str:
    if pool.unassigned_reason:
        return f"{pool.rule} ({pool.currency}): {format_money(pool.amount, pool.currency)} stayed unassigned: {pool.unassigned_reason}"
    return f"{pool.rule} ({pool.currency}): {format_money(pool.amount, pool.currency)} split {pool.split} among {len(pool.shares)} owners"


def _scorecard_ranking(model: ReportModel, split: bool) -> Markup:
    from engine.showback import KPIS

    shown = model.showback
    owners = [o for o in model.owners if o.showback is not None and o.showback.card is not None]
    if not owners:
        return Markup("")
    scored = sorted(owners, key=lambda o: _score_order(shown, o.id))
    head = join(html('<th scope="col">{title}</th>', title=KPIS[kpi].title) for kpi in KPIS)
    rows = []
    for position, owner in enumerate(scored, 1):
        score, count = shown.score(owner.id)
        cells = join(html("<td>{level}</td>", level=_level_words(owner.showback.card.kpis[kpi])) for kpi in KPIS)
        rows.append(html('<tr><td class="num">{rank}</td><th scope="row">{owner}</th>{cells}<td class="num">{score}</td></tr>',
                         rank=position, owner=_owner_link(owner, split), cells=cells,
                         score=f"{score:.2f} of 2 ({count} KPIs)" if score is not None else "—"))
    return html("<h2 id=\"scorecard\">FinOps scorecard</h2>\n<p class=\"muted\">Each KPI's level, crawl, walk or run, by the "
                "thresholds of the Scorecard document ({settings}); owners ranked by the mean of their levels (crawl 0, walk 1, "
                "run 2) over the KPIs available to them.</p>\n<table><caption>Owners ranked by scorecard</caption><thead><tr>"
                "<th class=\"num\">Rank</th><th>Owner</th>{head}<th class=\"num\">Score</th></tr></thead><tbody>{rows}</tbody></table>\n",
                settings=shown.card.settings.id, head=head, rows=join(rows))


def _score_order(shown, owner: str) -> tuple:
    """Highest mean level first; among equal means, the owner rated on more KPIs; then the id."""
    score, count = shown.score(owner)
    return (score is None, -(score or 0), -count, owner)


def _level_words(result) -> str:
    if not result.available:
        return "n/a"
    return _LEVEL_MARK[result.level]


def _owner_showback(model: ReportModel, owner: OwnerView) -> Markup:
    shown = owner.showback
    if shown is None:
        why = model.showback_missing or "the run had no cost data"
        return html('<h3>Spend</h3><p class="note">Not shown: {why}. Spend, its trend, unassigned spend to claim and the '
                    "scorecard need the period's cost data (--costs) and the Ownership document (--ownership).</p>\n", why=why)
    window = model.showback.window
    measure = model.showback.spend.measure
    parts = [html("<h3>Spend in {label}</h3>\n", label=window.label)]
    if not shown.spend:
        parts.append(html('<p class="note">No spend of this owner in {label}.</p>\n', label=window.label))
    else:
        cards = []
        for line in shown.spend:
            cards.append((f"Spend ({line.currency}, {measure})", format_money(line.amount, line.currency)))
            change = shown.changes.get(line.currency)
            cards.append((f"Change from {window.previous.label if window.previous else 'before'} ({measure})",
                          _change_words(change, line.currency)))
        if shown.consolidated is not None and model.showback.consolidated is not None:
            cards.append((f"Consolidated ({measure})", format_money(shown.consolidated, model.showback.consolidated.currency)))
        parts.append(_cards(cards))
        notes = dict.fromkeys(_change_source(shown.changes.get(line.currency), window) for line in shown.spend)
        if any(notes):
            parts.append(html('<p class="muted">{notes}</p>\n', notes=" ".join(note for note in notes if note)))
        figures = []
        budgets = shown.budget() or {}
        for index, line in enumerate(shown.spend):
            columns = shown.periods.get(line.currency, [])
            detail = budgets.get(line.currency)
            budget = Decimal(detail["budget"]) if detail and detail.get("period") == window.label else None
            figures.append(charts.column_chart([column.title for column in columns], [column.amount for column in columns],
                                               chart_id=_chart_id(owner, f"spend-{index}"),
                                               title=f"Spend per period ({line.currency}, {measure})", currency=line.currency,
                                               budget=budget))
            if line.services:
                figures.append(charts.horizontal_bar([s.name for s in line.services], [s.amount for s in line.services],
                                                     chart_id=_chart_id(owner, f"services-{index}"),
                                                     title=f"Spend by service ({line.currency}, {measure})", currency=line.currency))
        parts.append(html('<div class="charts">{figures}</div>\n',
                          figures=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in figures)))
        if any(column.last_day is not None for columns in shown.periods.values() for column in columns):
            parts.append(html('<p class="muted">One column per period: the latest run of each period. A period whose run was '
                              "before its end shows its spend so far, labelled with the last day counted (2026-11 to 26 Nov).</p>\n"))
        if shown.charges and model.showback.charge.rules:
            rows = join(html("<tr><td>{currency}</td><td class=\"num\">{direct}</td><td class=\"num\">{shared}</td>"
                             "<td class=\"num\">{total}</td></tr>", currency=line.currency,
                             direct=format_money(line.direct, line.currency),
                             shared=format_money(line.total - line.direct, line.currency), total=format_money(line.total, line.currency))
                        for line in shown.charges)
            parts.append(html("<table><caption>Chargeback ({measure})</caption><thead><tr><th>Currency</th><th class=\"num\">Direct "
                              "spend</th><th class=\"num\">Share of shared costs</th><th class=\"num\">Charged</th></tr></thead>"
                              "<tbody>{rows}</tbody></table>\n", measure=measure, rows=rows))
    parts.append(_claims(model, owner))
    parts.append(_owner_scorecard(model, owner))
    return join(parts)


def _claims(model: ReportModel, owner: OwnerView) -> Markup:
    measure = model.showback.spend.measure
    total = money_text(_amounts(model.showback.spend.unassigned()))
    heading = html("<h3>Unassigned spend you could claim</h3>")
    if not model.claims_checked:
        return html("{heading}<p>Not checked: it needs the inventory (--inventory), which says whose the resources of the "
                    "unassigned spend ({total}, {measure}) are.</p>\n", heading=heading, total=total, measure=measure)
    if not owner.claims:
        return html("{heading}<p>None of the resources in the unassigned spend ({total}, {measure}: spend the ownership chain "
                    "assigns to no team) is yours by the inventory.</p>\n", heading=heading, total=total, measure=measure)
    rows = join(html("<tr><td class=\"id\">{rid}</td><td>{name}</td><td>{service}</td><td class=\"num\">{cost}</td></tr>",
                     rid=claim.inventory_id, name=claim.name or "—", service=claim.service or "—",
                     cost=format_money(claim.cost, claim.currency)) for claim in owner.claims)
    return html("{heading}<p>The inventory says these resources are yours, but the ownership chain assigns their cost rows to no "
                "team, so their cost is in the unassigned spend ({total}, {measure}), not in yours. Tag them so that their cost "
                "rows carry the tag the ownership chain reads, and their cost moves to your spend.</p>"
                "<table><thead><tr><th>Resource</th><th>Name</th><th>Service</th><th class=\"num\">Unassigned cost ({measure})</th>"
                "</tr></thead><tbody>{rows}</tbody></table>\n", heading=heading, total=total, measure=measure, rows=rows)


def _kpi_measure(kpi: str, result, settings, measure: str) -> str:
    """What a KPI of the scorecard is computed from: the cost columns of its numerator and denominator."""
    if kpi == "tag_coverage":
        return "EffectiveCost (rows above 0)"
    if kpi == "forecast_variance":
        measures = sorted({value.detail.get("measure", measure) for value in result.values}) or [measure]
        return f"run-rate forecast of {' or '.join(measures)} against the budget"
    if kpi == "commitment_coverage":
        return f"eligible usage at {settings.price}"
    if kpi == "savings_share":
        return f"estimated savings ÷ monthly {measure}"
    return "open findings"


def _kpi_values(kpi: str, result, unit: str) -> str:
    if not result.values:
        return f"not available: {result.reason}"
    texts = []
    for value in result.values:
        text = _kpi_value(value.value, unit) + (f" {value.currency}" if value.currency else "")
        detail = value.detail
        if kpi == "forecast_variance" and value.currency:
            text += (f" (forecast {format_money(Decimal(detail['forecast']), value.currency)} against a budget of "
                     f"{format_money(Decimal(detail['budget']), value.currency)}, {detail['measure']})")
        texts.append(text)
    return "; ".join(texts)


def _owner_scorecard(model: ReportModel, owner: OwnerView) -> Markup:
    from engine.showback import KPIS

    card = owner.showback.card
    if card is None:
        return Markup("")
    settings = model.showback.card.settings
    measure = model.showback.spend.measure
    rows = []
    for kpi, result in card.kpis.items():
        meta = KPIS[kpi]
        walk, run = settings.levels[kpi]
        unit = "%" if meta.unit == "percent" else ""
        earlier = []
        for currency in sorted({v.currency for v in result.values} | {c for (k, c) in owner.showback.kpi_history if k == kpi},
                               key=lambda c: c or ""):
            for as_of, value, level in owner.showback.kpi_history.get((kpi, currency), [])[-3:]:
                earlier.append(f"{as_of[:10]}: {_kpi_value(value, meta.unit) if value is not None else 'n/a'}"
                               + (f" {currency}" if currency else "") + (f" ({level})" if level else ""))
        better = "higher" if meta.higher_is_better else "lower"
        rows.append(html("<tr><th scope=\"row\">{title}</th><td>{values}</td><td>{measure}</td><td>{level}</td><td>{thresholds}</td>"
                         "<td>{earlier}</td></tr>",
                         title=meta.title, values=_kpi_values(kpi, result, meta.unit), measure=_kpi_measure(kpi, result, settings, measure),
                         level=_level_words(result), thresholds=f"walk {_number(walk)}{unit}, run {_number(run)}{unit} ({better} is better)",
                         earlier="; ".join(earlier) or "—"))
    return html("<h3>FinOps scorecard</h3><table><thead><tr><th>KPI</th><th>Value</th><th>Measured on</th><th>Level</th>"
                "<th>Thresholds</th><th>Earlier runs</th></tr></thead><tbody>{rows}</tbody></table>\n{trends}",
                rows=join(rows), trends=_kpi_trends(model, owner))


KPI_CHART_WIDTH = 560  # two KPI charts side by side on a wide screen


def _kpi_trends(model: ReportModel, owner: OwnerView) -> Markup:
    """Each KPI's series over the earlier runs and this one, a line chart per KPI (one line per currency), when
    the history holds an earlier run of it."""
    from engine.showback import KPIS

    history = owner.showback.kpi_history
    card = owner.showback.card
    figures = []
    for kpi, meta in KPIS.items():
        result = card.kpis.get(kpi)
        now = {value.currency: value.value for value in result.values} if result is not None else {}
        earlier = {currency: points for (name, currency), points in history.items() if name == kpi}
        if not any(value is not None for points in earlier.values() for _, value, _ in points):
            continue
        instants = sorted({as_of for points in earlier.values() for as_of, _, _ in points} | {model.as_of})
        labels = _run_labels(instants)
        lines = []
        for currency in sorted(set(earlier) | set(now), key=lambda c: c or ""):
            values = dict((as_of, value) for as_of, value, _ in earlier.get(currency, ()))
            if currency in now:
                values[model.as_of] = now[currency]
            name = currency or meta.title
            lines.append(charts.Series(name, [values.get(instant) for instant in instants]))
        figures.append(charts.line_chart(labels, lines[:charts.MAX_SERIES], chart_id=_chart_id(owner, f"kpi-{kpi}"),
                                         title=f"{meta.title[:1].upper()}{meta.title[1:]}, per run",
                                         unit="%" if meta.unit == "percent" else "findings", width=KPI_CHART_WIDTH, height=260))
    if not figures:
        return Markup("")
    return html('<h4>The KPIs over the runs</h4><p class="muted">Each KPI at each earlier run of the history and at this one '
                "(the table above lists the values; each chart describes its own).</p><div class=\"charts\">{figures}</div>\n",
                figures=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in figures))


def _run_labels(instants: list[str]) -> list[str]:
    """The runs' as-of instants as x labels: their day, or day and time where two runs share a day."""
    days = [instant[:10] for instant in instants]
    return [day if days.count(day) == 1 else f"{day} {instant[11:16]}" for day, instant in zip(days, instants)]


def _kpi_value(value: Decimal, unit: str) -> str:
    return format_percent(value) if unit == "percent" else f"{value:,.0f}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- an owner ----------------------------------------------------------------------------------------------

def _owner_body(model: ReportModel, owner: OwnerView, *, standalone: bool) -> Markup:
    heading = owner.name if owner.name == owner.id else f"{owner.name} ({owner.id})"
    parts = []
    if standalone:
        parts.append(html('<nav class="back"><a href="../index.html">← All owners</a></nav>\n'))
        parts.append(_header(model, heading))
    else:
        parts.append(html("<h2>{heading}</h2>\n", heading=heading))
    if owner.contacts:
        parts.append(html('<p class="meta">Contacts: {contacts}</p>\n', contacts=", ".join(owner.contacts)))
    cards = [("Money at stake", money_text(owner.at_stake_total, model.currencies)),
             ("Open findings", f"{owner.open:,}" + _severity_counts(owner)),
             ("Rank", f"{owner.rank} of {len(model.owners)} by money at stake")]
    if model.trend is not None:
        cards.append(("Since the last run", _trend_words(owner.new, owner.persisting, len(owner.resolved), model.trend.at_stake(owner.id),
                                                         model.currencies)))
    if owner.exempted or owner.baselined:
        cards.append(("Not counted", f"{owner.exempted:,} exempted, {owner.baselined:,} baselined"))
    parts.append(_cards(cards))
    parts.append(_owner_showback(model, owner))
    parts.append(_budgets(owner))
    parts.append(_savings(model, owner))
    parts.append(_commitments(owner))
    parts.append(_findings_table(model, owner))
    parts.append(_resolved(owner))
    return join(parts)


def _severity_counts(owner: OwnerView) -> str:
    text = ", ".join(f"{owner.open_by_severity[s]} {s}" for s in reversed(SEVERITIES) if owner.open_by_severity.get(s))
    return f" ({text})" if text else ""


def _chart_id(owner: OwnerView, what: str) -> str:
    return f"{_anchor(owner)[:40]}-{what}"


def _budgets(owner: OwnerView) -> Markup:
    if not owner.budgets:
        return Markup("")
    figures = []
    for index, burn in enumerate(owner.budgets):
        measured = f" ({burn.measure})" if burn.measure else ""
        bars = [charts.progress_bar(burn.actual, burn.budget, chart_id=_chart_id(owner, f"budget-actual-{index}"),
                                    title=f"Spent so far{measured}", currency=burn.currency)]
        if burn.forecast is not None:
            bars.append(charts.progress_bar(burn.forecast, burn.budget, chart_id=_chart_id(owner, f"budget-forecast-{index}"),
                                            title=f"Forecast for the period{measured}", currency=burn.currency))
        figures.append(html('<h4>{label}</h4><div class="charts">{bars}</div>',
                            label=f"{burn.label} ({burn.source}{', ' + burn.measure if burn.measure else ''})",
                            bars=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in bars)))
    return html("<h3>Budget burn</h3>\n<p class=\"muted\">Spent so far and the run-rate forecast for the budget's period, as a "
                "share of the budget, in the cost column the budget is kept in (a budget policy's own measure). The spend above "
                "and the scorecard are in the report's measure; docs/report.md says why the figures differ.</p>\n{figures}\n",
                figures=join(figures))


_SAVING_LABELS = {"waste": "Waste (idle and orphaned resources)", "rightsizing": "Rightsizing and newer generations", "other": "Other savings"}


def _savings(model: ReportModel, owner: OwnerView) -> Markup:
    if not owner.savings:
        return Markup("")
    rows = join(html("<tr><th scope=\"row\">{kind}</th><td>{amount}</td></tr>", kind=_SAVING_LABELS[kind],
                     amount=money_text(owner.savings[kind], model.currencies))
                for kind in ("waste", "rightsizing", "other") if kind in owner.savings)
    return html("<h3>Waste and rightsizing savings</h3>\n<table><caption>Monthly savings the open findings recommend</caption>"
                "<thead><tr><th>Kind</th><th>Saving per month (estimated)</th></tr></thead><tbody>{rows}</tbody></table>\n", rows=rows)


def _commitments(owner: OwnerView) -> Markup:
    if not owner.commitments:
        return Markup("")
    figures = []
    for index, item in enumerate(owner.commitments):
        figures.append(charts.progress_bar(item.percent, Decimal(100), chart_id=_chart_id(owner, f"commitment-{index}"),
                                           title=f"{item.label} ({item.currency})", unit="%", target=item.minimum))
    rows = join(html("<tr><td>{label}</td><td class=\"num\">{percent}</td><td>{basis}</td><td class=\"num\">{minimum}</td>"
                     "<td>{what}: {money}</td></tr>",
                     label=item.label, percent=format_percent(item.percent), basis=item.basis or "—",
                     minimum=format_percent(item.minimum) if item.minimum is not None else "—",
                     what=item.money_label, money=format_money(item.money, item.currency)) for item in owner.commitments)
    return html("<h3>Commitment coverage</h3>\n<div class=\"charts\">{figures}</div>\n<table><thead><tr><th>Measure</th>"
                "<th class=\"num\">Now</th><th>Measured on</th><th class=\"num\">Minimum</th><th>Money (EffectiveCost)</th></tr></thead>"
                "<tbody>{rows}</tbody></table>\n",
                figures=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in figures), rows=rows)


def _findings_table(model: ReportModel, owner: OwnerView) -> Markup:
    if not owner.findings:
        return html("<h3>Findings</h3><p>No findings.</p>\n")
    trend = model.trend
    rows = []
    for finding in owner.findings[:MAX_FINDING_ROWS]:
        status = status_label(finding)
        mark = owner.classes.get(id(finding)) if trend is not None and finding.status == "open" else None
        status_cell = html("{status}{mark}", status=status,
                           mark=html(' <span class="tag">{m}</span>', m=_TREND_MARK[mark]) if mark else "")
        policy = finding.policy + ("" if finding.enforcement == "enforce" else " (audit)")
        rows.append(html("<tr><td class=\"nowrap\">{severity}</td><td>{status}</td><td>{policy}</td><td class=\"id\">{subject}</td>"
                         "<td class=\"money\">{money}</td><td class=\"message\">{message}</td></tr>",
                         severity=_severity(finding.severity), status=status_cell, policy=policy, subject=subject(finding),
                         money=_finding_money(finding), message=_cut(finding.message, _MESSAGE_CHARS)))
    more = len(owner.findings) - MAX_FINDING_ROWS
    note = html('<p class="muted">{n} more findings (the least severe) are not listed here: findings.json and chargeback.csv '
                "hold every one.</p>", n=f"{more:,}") if more > 0 else ""
    return html("<h3>Findings</h3>\n<table><caption>{caption}</caption><thead><tr><th>Severity</th><th>Status</th><th>Policy</th>"
                "<th>Resource or scope</th><th>Money</th><th>Message</th></tr></thead><tbody>{rows}</tbody></table>{note}\n",
                caption=f"{_plural(len(owner.findings), 'finding')}, open first, most severe first", rows=join(rows), note=note)


def _finding_money(finding: Finding) -> Markup:
    if not finding.has_money:
        return Markup("—")
    return join((html("{label} {amount}{measure}", label=MONEY[name].label, amount=format_money(money.amount, money.currency),
                      measure=f" ({money_measure(finding, name)})" if money_measure(finding, name) else "")
                 for name, money in finding.money.items()), "<br>")


def _resolved(owner: OwnerView) -> Markup:
    if not owner.resolved:
        return Markup("")
    items = join(html("<li>{policy}: {subject} — {message}</li>", policy=r.policy, subject=_record_subject(r), message=r.message)
                 for r in owner.resolved[:MAX_FINDING_ROWS])
    return html("<h3>Resolved since the last run</h3><ul class=\"plain\">{items}</ul>\n", items=items)


def _record_subject(record) -> str:
    """What a finding of an earlier run was about (engine.showback.FindingRecord)."""
    if record.resource_id is not None:
        return record.resource_id
    value = "all spend" if record.scope_dimension == "all" else f"{record.scope_dimension}={record.scope_value}"
    return f"{value} ({record.scope_currency})" if record.scope_currency else value


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
