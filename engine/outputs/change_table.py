"""The cost of a planned change, as a table of plain-text cells: one row per owner and currency.

Columns: owner, added, removed, net (per month, one currency a row: two currencies are never added
together), the resources left unpriced, and each budget the change-budget policies looked at,
before → after (``2026-05 forecast 99.2% → 100.35% of 1,000.00 USD; 2026-06 run rate 96% → 98.16%``).
The last row is the whole change. Each format escapes the cells for its target.
"""

from __future__ import annotations

from decimal import Decimal

from engine.amounts import show
from engine.findings import Result

HEADER = ("owner", "added/month", "removed/month", "net/month", "unpriced", "budget before → after")


def _money(amount: str, currency: str, signed: bool = False) -> str:
    value = Decimal(amount)
    text = show(abs(value), currency) if signed else show(value, currency)
    return ("+" if value > 0 else "−" if value < 0 else "") + text if signed else text


def _budget(view: dict) -> str:
    currency = view["currency"]
    parts = []
    if view.get("forecast_percent_before") is not None:
        parts.append(f"{view['period']} forecast {view['forecast_percent_before']}% → {view['forecast_percent_after']}% "
                     f"of {show(Decimal(view['budget']), currency)}")
    else:
        parts.append(f"{view['period']} forecast {show(Decimal(view['forecast_before']), currency)} → "
                     f"{show(Decimal(view['forecast_after']), currency)} of {show(Decimal(view['budget']), currency)}")
    if view.get("next_period_percent_after") is not None:
        parts.append(f"{view['next_period']} run rate {view['next_period_percent_before']}% → {view['next_period_percent_after']}%")
    crossed = " — over the threshold" if view.get("crossed") else ""
    return "; ".join(parts) + crossed


def rows(result: Result) -> list[tuple[str, ...]]:
    """The table's rows (without the header): per owner and currency, then the whole change."""
    change = result.change
    if not change:
        return []
    out = []
    for owner in change["owners"]:
        label = owner["owner"] if owner["name"] == owner["owner"] else f"{owner['owner']} ({owner['name']})"
        budgets = "; ".join(_budget(view) for view in owner["budgets"]) or "—"
        totals = owner["totals"] or [None]
        for index, total in enumerate(totals):
            cells = ("—", "—", "—") if total is None else (
                _money(total["added"], total["currency"]), _money(total["removed"], total["currency"]),
                _money(total["net"], total["currency"], signed=True))
            out.append((label, *cells, str(owner["unpriced"]) if index == 0 else "", budgets if index == 0 else ""))
    for index, total in enumerate(change["totals"] or [None]):
        cells = ("—", "—", "—") if total is None else (
            _money(total["added"], total["currency"]), _money(total["removed"], total["currency"]),
            _money(total["net"], total["currency"], signed=True))
        out.append(("whole change", *cells, str(change["unpriced"]) if index == 0 else "", ""))
    return out


def unpriced(result: Result) -> list[str]:
    """``address (type): reason`` of each unpriced resource."""
    change = result.change or {}
    return [f"{r['address']} ({r['type']}): {r['reason']}" for r in change.get("resources", ()) if r["status"] == "unpriced"]


def sources_line(result: Result) -> str:
    change = result.change or {}
    sources = change.get("price_sources") or []
    counted = (f"{change.get('priced', 0)} priced, {change.get('unpriced', 0)} unpriced, "
               f"{change.get('not_billed', 0)} not billed by size (usage-priced or free)")
    return (f"Monthly cost of the change (730 h a month), priced from: {', '.join(sources) or 'no price source'}; "
            f"{counted}.")


def line(result: Result) -> str:
    """The net monthly cost of the change per owner, then the whole change, in a line (``payments +21.90 USD;
    whole change +43.80 USD``); empty without a priced change."""
    return "; ".join(f"{row[0]} {row[3]}" for row in rows(result) if row[3] != "—")
