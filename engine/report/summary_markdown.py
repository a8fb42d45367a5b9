"""``summary.md``: the report in Markdown, for a wiki page, a ticket or a pull request.

The estate's numbers, the owners ranked by money at stake (each linked to its HTML page), the
trend since the last run, what was not evaluated, and the showback per owner when the run had
cost data. Every value from a snapshot goes through :func:`engine.outputs.escaping.markdown_text`:
it can make no link, image, HTML, mention or table cell of its own.

:func:`owner_text` is one owner's part as plain text: the body of the email and chat messages.
"""

from __future__ import annotations

from engine.outputs.escaping import markdown_text
from engine.outputs.labels import subject
from engine.outputs.periods import period_words
from engine.report.formatting import format_money
from engine.report.model import AT_STAKE, OwnerView, ReportModel, class_at_stake
from engine.severity import SEVERITIES

_LISTED = 20
_FIELD_WORDS = {"overspend": "overspend", "unallocated_cost": "unallocated", "unused_commitment_cost": "unused commitment",
                "monthly_saving": "savings/month"}


def _field_words(model: ReportModel, name: str) -> str:
    """A money-at-stake part with what it is measured in: ``overspend (BilledCost)``."""
    measure = model.measures.get(name)
    return f"{_FIELD_WORDS[name]} ({measure})" if measure else _FIELD_WORDS[name]


def _trend_words(model: ReportModel, new: int, persisting: int, resolved: int, money: dict) -> str:
    """``4 new (12.00 USD at stake), 32 persisting (...), 1 resolved (5.00 USD was at stake)``, per currency."""
    words = []
    for count, klass, verb in ((new, "new", "at stake"), (persisting, "persisting", "at stake"), (resolved, "resolved", "was at stake")):
        total = class_at_stake(money.get(klass, {}))
        words.append(f"{count} {klass}" + (f" ({_money(total, model.currencies)} {verb})" if total.nonzero else ""))
    return ", ".join(words)


def _money(amounts, order=()) -> str:
    items = amounts.items_sorted(order) if hasattr(amounts, "items_sorted") else sorted(amounts.items())
    return "; ".join(format_money(amount, currency) for currency, amount in items) or "none"


def render(model: ReportModel, *, split: bool = True) -> str:
    lines = [f"# {markdown_text(model.title)}", ""]
    words = period_words(model.result)
    lines += [markdown_text((f"Period {words}. " if words else "") + f"As of {model.as_of}."), ""]
    opened = sum(model.open_by_severity.values())
    severities = ", ".join(f"{model.open_by_severity[s]} {s}" for s in reversed(SEVERITIES) if model.open_by_severity[s])
    lines.append(f"- **Money at stake**: {markdown_text(_money(model.at_stake_total, model.currencies))}")
    for name in AT_STAKE:
        if name in model.at_stake:
            lines.append(f"  - {markdown_text(_field_words(model, name))}: {markdown_text(_money(model.at_stake[name], model.currencies))}")
    lines.append(f"- **Open findings**: {opened}" + (f" \\({markdown_text(severities)}\\)" if severities else ""))
    lines.append(f"- **Owners**: {len(model.owners)}")
    if model.trend is not None:
        trend = model.trend
        words = _trend_words(model, sum(o.new for o in model.owners), sum(o.persisting for o in model.owners), len(trend.resolved),
                             trend.at_stake())
        lines.append(f"- **Since the run as of {markdown_text(trend.previous_as_of)}**: {markdown_text(words)} open findings")
    result = model.result
    if result.errors:
        lines.append(f"- **Evaluation errors**: {len(result.errors)} \\(findings may be missing; see findings\\.json\\)")
    lines.append("")
    lines += _owner_table(model, split)
    lines += _showback(model)
    if result.skipped:
        lines += ["## Not evaluated", ""]
        lines += [f"- {markdown_text(policy)}: {markdown_text(reason)}" for policy, reason in result.skipped[:_LISTED]]
        if len(result.skipped) > _LISTED:
            lines.append(f"- and {len(result.skipped) - _LISTED} more")
        lines.append("")
    if result.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {markdown_text(warning)}" for warning in result.warnings[:_LISTED]]
        if len(result.warnings) > _LISTED:
            lines.append(f"- and {len(result.warnings) - _LISTED} more \\(findings\\.json lists them all\\)")
        lines.append("")
    lines.append(f"<sub>costwarden {markdown_text(model.version)}: index\\.html and the owner pages show the charts and every "
                 "finding; findings\\.json and chargeback\\.csv hold the data\\.</sub>")
    return "\n".join(lines) + "\n"


def _owner_table(model: ReportModel, split: bool) -> list[str]:
    if not model.owners:
        return ["No findings\\.", ""]
    trend = model.trend is not None
    lines = ["## Owners by money at stake", "",
             "| rank | owner | money at stake | open findings |" + (" new |" if trend else "") + " worst open |",
             "|--:|:--|:--|--:|" + ("--:|" if trend else "") + ":--|"]
    for owner in model.owners:
        worst = next((s for s in reversed(SEVERITIES) if owner.open_by_severity.get(s)), "—")
        label = markdown_text(owner.name if owner.name == owner.id else f"{owner.name} ({owner.id})")
        link = f"[{label}]({owner.page})" if split else label
        lines.append(f"| {owner.rank} | {link} | {markdown_text(_money(owner.at_stake_total, model.currencies))} | {owner.open} |"
                     + (f" {owner.new} |" if trend else "") + f" {worst} |")
    return lines + [""]


def _showback(model: ReportModel) -> list[str]:
    shown = model.showback
    if shown is None:
        why = model.showback_missing or "the run had no cost data"
        return ["## Spend, showback and scorecard", "",
                f"Not shown: {markdown_text(why)}\\. They need the period's cost data: run the report with \\-\\-costs\\.", ""]
    from engine.showback import KPIS

    charged = shown.charge.by_owner_currency()
    measure = shown.spend.measure
    lines = [f"## Spend in {markdown_text(shown.window.label)} \\({markdown_text(measure)}\\)", "",
             "| owner | spend | previous period | chargeback |", "|:--|--:|--:|--:|"]
    for line in shown.spend.owners:
        change = shown.change(line)
        previous = format_money(change.previous.amount, line.currency) if change is not None else "—"
        lines.append(f"| {markdown_text(line.name)} | {format_money(line.amount, line.currency)} | {previous} | "
                     f"{format_money(charged.get((line.owner, line.currency), 0), line.currency)} |")
    totals = "; ".join(format_money(amount, currency) for currency, amount in sorted(shown.spend.totals.items()))
    lines += ["", f"Total \\({markdown_text(measure)}\\): {markdown_text(totals or 'none')}"
              + (f"; {markdown_text(shown.consolidated.label)}: {format_money(shown.consolidated.total, shown.consolidated.currency)}"
                 if shown.consolidated is not None else ""), ""]
    unassigned = shown.spend.unassigned()
    if unassigned:
        parts = []
        for currency, amount in sorted(unassigned.items()):
            categories = shown.unassigned.by_category(currency) if shown.unassigned is not None else []
            parts.append(format_money(amount, currency)
                         + (" (" + ", ".join(f"{c} {format_money(a, currency)}" for c, a in categories) + ")" if categories else ""))
        lines += [f"Unassigned spend \\({markdown_text(measure)}\\): "
                  + markdown_text("; ".join(parts) + ". Spend the ownership chain assigns to no team: not the unallocated "
                                  "spend of the tag-coverage findings, which lacks the allocation tags and can be a team's."), ""]
    cards = [owner for owner in model.owners if owner.showback is not None and owner.showback.card is not None]
    if cards:
        lines += ["## FinOps scorecard", "", "| owner | " + " | ".join(KPIS[kpi].title for kpi in KPIS) + " |",
                  "|:--|" + ":--|" * len(KPIS)]
        for owner in cards:
            levels = [owner.showback.card.kpis[kpi].level or "n/a" for kpi in KPIS]
            lines.append(f"| {markdown_text(owner.name)} | " + " | ".join(levels) + " |")
        lines.append("")
    return lines


def owner_text(model: ReportModel, owner: OwnerView, *, findings: int = 10) -> str:
    """One owner's part as plain text (the body of its email and chat messages): its numbers and its
    most important open findings. Plain text: each channel escapes it for itself."""
    words = period_words(model.result)
    lines = [f"{owner.name} ({owner.id}): cost compliance" + (f" for {words}" if words else f" as of {model.as_of}"), ""]
    lines.append(f"Money at stake: {_money(owner.at_stake_total, model.currencies)}")
    for name in AT_STAKE:
        if name in owner.at_stake:
            lines.append(f"  {_field_words(model, name)}: {_money(owner.at_stake[name], model.currencies)}")
    severities = ", ".join(f"{owner.open_by_severity[s]} {s}" for s in reversed(SEVERITIES) if owner.open_by_severity.get(s))
    lines.append(f"Open findings: {owner.open}" + (f" ({severities})" if severities else ""))
    if model.trend is not None:
        lines.append("Since the last run: " + _trend_words(model, owner.new, owner.persisting, len(owner.resolved),
                                                            model.trend.at_stake(owner.id)))
    lines.append(f"Rank: {owner.rank} of {len(model.owners)} owners by money at stake")
    shown = [f for f in owner.findings if f.status == "open"][:findings]
    if shown:
        lines += ["", f"Top {len(shown)} open findings:"]
        for finding in shown:
            lines.append(f"- {finding.severity} {finding.policy}: {subject(finding)}: {finding.message}")
    return "\n".join(lines) + "\n"
