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
from engine.report.model import AT_STAKE, OwnerView, ReportModel
from engine.severity import SEVERITIES

MAX_FINDING_ROWS = 1000  # rows of an owner's findings table; the others are counted (findings.json holds them all)
MAX_INDEX_ROWS = 500  # owners in the index's ranking table
_MESSAGE_CHARS = 400
_SEVERITY_MARK = {"critical": "◆◆", "high": "◆", "medium": "▲", "low": "▽", "info": "○"}
_TREND_MARK = {"new": "★ new", "persisting": "● since last run"}


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
                                                         len(model.trend.resolved))))
    return _cards(cards)


def _cards(cards: list[tuple[str, str]]) -> Markup:
    items = join(html('<li><span class="label">{label}</span><span class="value">{value}</span></li>', label=label, value=value)
                 for label, value in cards)
    return html('<ul class="cards">{items}</ul>\n', items=items)


def _trend_words(new: int, persisting: int, resolved: int) -> str:
    return f"{new:,} new, {persisting:,} persisting, {resolved:,} resolved"


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
    head = html("<tr><th class=\"num\" scope=\"col\">Rank</th><th scope=\"col\">Owner</th><th scope=\"col\">Money at stake</th>"
                "<th scope=\"col\">Overspend</th><th scope=\"col\">Unallocated</th><th scope=\"col\">Unused commitment</th>"
                "<th scope=\"col\">Savings / month</th><th class=\"num\" scope=\"col\">Open findings</th>{trend}"
                "<th scope=\"col\">Worst open</th></tr>",
                trend=Markup('<th class="num" scope="col">New</th>') if trend else Markup(""))
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
                "carry as overspend, unallocated spend, unused commitment and monthly savings available, per currency. Owners are "
                "ranked by it in {order}, then by open findings.</p>\n"
                "<table><caption>Owners ranked by money at stake</caption><thead>{head}</thead><tbody>{rows}</tbody></table>{more}\n",
                order=_currency_order(model), head=head, rows=join(rows), more=html('<p class="muted">{m}</p>', m=more) if more else "")


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
    words = _trend_words(sum(o.new for o in model.owners), sum(o.persisting for o in model.owners), len(trend.resolved))
    return html("<h2>Since the last run</h2><p>Compared with the run as of {then} ({source}): {words} open findings. A finding about "
                "a resource is the same finding when its policy and resource are; a cost finding when its policy and scope are, "
                "whatever the period.</p>\n", then=trend.previous_as_of, source=trend.previous_source, words=words)


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
    cards = [("Spend " + shown.window.label, money_text(_amounts(spend.totals)))]
    if spend.previous_available:
        cards.append(("Spend " + (shown.window.previous.label if shown.window.previous else "before"),
                      money_text(_amounts(spend.previous_totals))))
    unallocated = {o.currency: o.amount for o in shown.unallocated()}
    cards.append(("Unallocated spend", money_text(_amounts(unallocated))))
    if shown.consolidated is not None:
        cards.append(("Consolidated", f"{format_money(shown.consolidated.total, shown.consolidated.currency)} ({shown.consolidated.label})"))
    parts.append(_cards(cards))
    names = {owner.id: owner for owner in model.owners}
    figures = []
    for index, currency in enumerate(sorted(spend.totals)):
        lines = [o for o in spend.owners if o.currency == currency]
        figures.append(charts.horizontal_bar([o.name for o in lines], [o.amount for o in lines], chart_id=f"spend-{index}",
                                             title=f"Spend per owner, {shown.window.label} ({currency})", currency=currency))
    parts.append(html('<div class="charts">{figures}</div>\n',
                      figures=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in figures)))
    rows = []
    charged = shown.charge.by_owner_currency()
    for line in spend.owners:
        owner = names.get(line.owner)
        label = _owner_link(owner, split) if owner is not None else escape(line.name)
        rows.append(html("<tr><th scope=\"row\">{owner}</th><td class=\"num\">{amount}</td><td class=\"num\">{previous}</td>"
                         "<td class=\"num\">{change}</td><td class=\"num\">{charged}</td></tr>", owner=label,
                         amount=format_money(line.amount, line.currency),
                         previous=format_money(line.previous, line.currency) if line.previous is not None else "—",
                         change=_change(line), charged=format_money(charged.get((line.owner, line.currency), Decimal(0)), line.currency)))
    parts.append(html("<table><caption>Showback and chargeback per owner and currency ({measure})</caption><thead><tr><th>Owner</th>"
                      "<th class=\"num\">Spend</th><th class=\"num\">Previous period</th><th class=\"num\">Change</th>"
                      "<th class=\"num\">Chargeback</th></tr></thead><tbody>{rows}</tbody></table>\n",
                      measure=spend.measure, rows=join(rows)))
    parts.append(_chargeback(shown))
    parts.append(_scorecard_ranking(model, split))
    return join(parts)


def _amounts(mapping: dict):
    from engine.report.model import Amounts

    return Amounts(mapping)


def _spend_about(shown) -> str:
    spend = shown.spend
    text = (f"Spend is Σ {spend.measure} of the period's cost rows ({', '.join(spend.charge_categories)}), per owner and currency, as "
            "the Ownership document assigns each row; spend only its default step assigns is unallocated.")
    if spend.partial:
        end = spend.data_end.strftime("%Y-%m-%d %H:%M UTC") if spend.data_end is not None else "nowhere"
        text += f" The period is not complete: its data reaches {end}."
    if spend.notes:
        text += " " + " ".join(note[:1].upper() + note[1:] + ("" if note.endswith(".") else ".") for note in spend.notes)
    return text


def _change(line) -> str:
    change = line.change
    if change is None:
        return "—"
    arrow = "▲ up" if change > 0 else "▼ down" if change < 0 else "= same"
    percent = f" ({format_percent(line.change_percent)})" if line.change_percent is not None else ""
    return f"{arrow} {format_money(abs(change), line.currency)}{percent}"


def _chargeback(shown) -> Markup:
    charge = shown.charge
    if not charge.rules:
        return html("<p class=\"muted\">No Allocation document given (--allocation): the chargeback is each owner's direct spend; "
                    "unallocated spend stays unallocated.</p>\n")
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
    if pool.unallocated_reason:
        return f"{pool.rule} ({pool.currency}): {format_money(pool.amount, pool.currency)} stayed unallocated: {pool.unallocated_reason}"
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
        return html('<h3>Spend</h3><p class="note">Not shown: {why}. Spend, its trend, unallocated spend to claim and the '
                    "scorecard need the period's cost data (--costs) and the Ownership document (--ownership).</p>\n", why=why)
    window = model.showback.window
    parts = [html("<h3>Spend in {label}</h3>\n", label=window.label)]
    if not shown.spend:
        parts.append(html('<p class="note">No spend of this owner in {label}.</p>\n', label=window.label))
    else:
        cards = []
        for line in shown.spend:
            cards.append((f"Spend ({line.currency})", format_money(line.amount, line.currency)))
            cards.append((f"Change from {window.previous.label if window.previous else 'before'}", _change(line)))
        if shown.consolidated is not None and model.showback.consolidated is not None:
            cards.append(("Consolidated", format_money(shown.consolidated, model.showback.consolidated.currency)))
        parts.append(_cards(cards))
        figures = []
        budgets = shown.budget() or {}
        for index, line in enumerate(shown.spend):
            labels, values = [], []
            for _, label, amount in shown.spend_history.get(line.currency, []):
                labels.append(label or "earlier")
                values.append(amount)
            if not labels and line.previous is not None and window.previous is not None:
                labels.append(window.previous.label)
                values.append(line.previous)
            labels.append(window.label)
            values.append(line.amount)
            detail = budgets.get(line.currency)
            budget = Decimal(detail["budget"]) if detail and detail.get("period") == window.label else None
            figures.append(charts.column_chart(labels, values, chart_id=_chart_id(owner, f"spend-{index}"),
                                               title=f"Spend per period ({line.currency})", currency=line.currency, budget=budget))
            if line.services:
                figures.append(charts.horizontal_bar([s.name for s in line.services], [s.amount for s in line.services],
                                                     chart_id=_chart_id(owner, f"services-{index}"),
                                                     title=f"Spend by service ({line.currency})", currency=line.currency))
        parts.append(html('<div class="charts">{figures}</div>\n',
                          figures=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in figures)))
        if shown.charges and model.showback.charge.rules:
            rows = join(html("<tr><td>{currency}</td><td class=\"num\">{direct}</td><td class=\"num\">{shared}</td>"
                             "<td class=\"num\">{total}</td></tr>", currency=line.currency,
                             direct=format_money(line.direct, line.currency),
                             shared=format_money(line.total - line.direct, line.currency), total=format_money(line.total, line.currency))
                        for line in shown.charges)
            parts.append(html("<table><caption>Chargeback</caption><thead><tr><th>Currency</th><th class=\"num\">Direct spend</th>"
                              "<th class=\"num\">Share of shared costs</th><th class=\"num\">Charged</th></tr></thead>"
                              "<tbody>{rows}</tbody></table>\n", rows=rows))
    parts.append(_claims(model, owner))
    parts.append(_owner_scorecard(model, owner))
    return join(parts)


def _claims(model: ReportModel, owner: OwnerView) -> Markup:
    unallocated = {o.currency: o.amount for o in model.showback.unallocated()}
    total = money_text(_amounts(unallocated))
    if not owner.claims:
        return html("<h3>Unallocated spend you could claim</h3><p>None of the largest unallocated resources is yours by the "
                    "inventory. The estate's unallocated spend in the period: {total}.</p>\n", total=total)
    rows = join(html("<tr><td class=\"id\">{rid}</td><td>{name}</td><td>{service}</td><td class=\"num\">{cost}</td></tr>",
                     rid=claim.inventory_id, name=claim.name or "—", service=claim.service or "—",
                     cost=format_money(claim.cost, claim.currency)) for claim in owner.claims)
    return html("<h3>Unallocated spend you could claim</h3><p>These resources are yours by the inventory, but their cost rows lack "
                "the allocation tags: tag them to move their cost from the unallocated spend ({total}) to yours.</p>"
                "<table><thead><tr><th>Resource</th><th>Name</th><th>Service</th><th class=\"num\">Unallocated cost</th></tr>"
                "</thead><tbody>{rows}</tbody></table>\n", total=total, rows=rows)


def _owner_scorecard(model: ReportModel, owner: OwnerView) -> Markup:
    from engine.showback import KPIS

    card = owner.showback.card
    if card is None:
        return Markup("")
    settings = model.showback.card.settings
    rows = []
    for kpi, result in card.kpis.items():
        meta = KPIS[kpi]
        walk, run = settings.levels[kpi]
        unit = "%" if meta.unit == "percent" else ""
        if result.values:
            values = "; ".join(f"{_kpi_value(value.value, meta.unit)}{' ' + value.currency if value.currency else ''}"
                               for value in result.values)
        else:
            values = f"not available: {result.reason}"
        earlier = []
        for currency in sorted({v.currency for v in result.values} | {c for (k, c) in owner.showback.kpi_history if k == kpi},
                               key=lambda c: c or ""):
            for as_of, value, level in owner.showback.kpi_history.get((kpi, currency), [])[-3:]:
                earlier.append(f"{as_of[:10]}: {_kpi_value(value, meta.unit) if value is not None else 'n/a'}"
                               + (f" ({level})" if level else ""))
        better = "higher" if meta.higher_is_better else "lower"
        rows.append(html("<tr><th scope=\"row\">{title}</th><td>{values}</td><td>{level}</td><td>{thresholds}</td><td>{earlier}</td></tr>",
                         title=meta.title, values=values, level=_level_words(result),
                         thresholds=f"walk {_number(walk)}{unit}, run {_number(run)}{unit} ({better} is better)",
                         earlier="; ".join(earlier) or "—"))
    return html("<h3>FinOps scorecard</h3><table><thead><tr><th>KPI</th><th>Value</th><th>Level</th><th>Thresholds</th>"
                "<th>Earlier runs</th></tr></thead><tbody>{rows}</tbody></table>\n", rows=join(rows))


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
        cards.append(("Since the last run", _trend_words(owner.new, owner.persisting, len(owner.resolved))))
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
        bars = [charts.progress_bar(burn.actual, burn.budget, chart_id=_chart_id(owner, f"budget-actual-{index}"),
                                    title="Spent so far", currency=burn.currency)]
        if burn.forecast is not None:
            bars.append(charts.progress_bar(burn.forecast, burn.budget, chart_id=_chart_id(owner, f"budget-forecast-{index}"),
                                            title="Forecast for the period", currency=burn.currency))
        figures.append(html('<h4>{label}</h4><div class="charts">{bars}</div>', label=f"{burn.label} ({burn.source})",
                            bars=join(html('<figure class="chart">{svg}</figure>', svg=Markup(svg)) for svg in bars)))
    return html("<h3>Budget burn</h3>\n{figures}\n", figures=join(figures))


_SAVING_LABELS = {"waste": "Waste (idle and orphaned resources)", "rightsizing": "Rightsizing and newer generations", "other": "Other savings"}


def _savings(model: ReportModel, owner: OwnerView) -> Markup:
    if not owner.savings:
        return Markup("")
    rows = join(html("<tr><th scope=\"row\">{kind}</th><td>{amount}</td></tr>", kind=_SAVING_LABELS[kind],
                     amount=money_text(owner.savings[kind], model.currencies))
                for kind in ("waste", "rightsizing", "other") if kind in owner.savings)
    return html("<h3>Waste and rightsizing savings</h3>\n<table><caption>Monthly savings the open findings recommend</caption>"
                "<thead><tr><th>Kind</th><th>Saving per month</th></tr></thead><tbody>{rows}</tbody></table>\n", rows=rows)


def _commitments(owner: OwnerView) -> Markup:
    if not owner.commitments:
        return Markup("")
    figures = []
    for index, item in enumerate(owner.commitments):
        figures.append(charts.progress_bar(item.percent, Decimal(100), chart_id=_chart_id(owner, f"commitment-{index}"),
                                           title=f"{item.label} ({item.currency})", unit="%", target=item.minimum))
    rows = join(html("<tr><td>{label}</td><td class=\"num\">{percent}</td><td class=\"num\">{minimum}</td><td>{what}: {money}</td></tr>",
                     label=item.label, percent=format_percent(item.percent), minimum=format_percent(item.minimum) if item.minimum is not None else "—",
                     what=item.money_label, money=format_money(item.money, item.currency)) for item in owner.commitments)
    return html("<h3>Commitment coverage</h3>\n<div class=\"charts\">{figures}</div>\n<table><thead><tr><th>Measure</th>"
                "<th class=\"num\">Now</th><th class=\"num\">Minimum</th><th>Money</th></tr></thead><tbody>{rows}</tbody></table>\n",
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
    return join((html("{label} {amount}", label=MONEY[name].label, amount=format_money(money.amount, money.currency))
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
