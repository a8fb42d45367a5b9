"""Scorecard documents: which FinOps KPIs the per-owner scorecard shows and the thresholds of their levels.

::

    apiVersion: costwarden/v1
    kind: Scorecard
    id: finops-kpis
    kpis:
      tag_coverage:
        keys: [{key: team}, {key: cost-center, pattern: '^CC-[0-9]{4}$'}]
        match: normalized
        levels: {walk: 80, run: 90}
      forecast_variance: {budgets: team-monthly, levels: {walk: 15, run: 12}}
      commitment_coverage: {eligible: {service_categories: [Compute]}, levels: {walk: 70, run: 80}}
      savings_share: {levels: {walk: 10, run: 5}}
      open_findings: {severities: [critical, high], levels: {walk: 5, run: 0}}

Each KPI has a direction (:data:`KPIS`): for one where higher is better, a value at or above
``run`` is *run*, at or above ``walk`` *walk*, anything lower *crawl*; where lower is better, at
or below. What the document leaves out takes the defaults of :data:`KPIS` (their sources are in
docs/showback.md). Problems beyond the schema: ``E363`` levels in the wrong order (run must be at
least as demanding as walk); ``E302`` a pattern that is not RE2 (as for tag-coverage policies: patterns run in SQL).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from engine.amounts import exact
from engine.conditions.patterns import PatternError, compile_pattern
from engine.costs import sql
from engine.documents.yaml_loader import YamlDocument
from engine.errors import Problem

LEVELS = ("crawl", "walk", "run")


@dataclass(frozen=True)
class Kpi:
    name: str
    title: str
    unit: str  # percent | findings
    higher_is_better: bool
    walk: Decimal
    run: Decimal


# The KPIs of the scorecard, in the order it shows them, with their default thresholds
KPIS: dict[str, Kpi] = {kpi.name: kpi for kpi in (
    Kpi("tag_coverage", "tag coverage by cost", "percent", True, Decimal(80), Decimal(90)),
    Kpi("forecast_variance", "forecast variance from budget", "percent", False, Decimal(15), Decimal(12)),
    Kpi("commitment_coverage", "commitment coverage of eligible usage", "percent", True, Decimal(70), Decimal(80)),
    Kpi("savings_share", "open savings as a share of monthly spend", "percent", False, Decimal(10), Decimal(5)),
    Kpi("open_findings", "open findings at the severities counted", "findings", False, Decimal(5), Decimal(0)),
)}


@dataclass(frozen=True)
class ScorecardSettings:
    id: str = "default"
    levels: dict = field(default_factory=lambda: {name: (kpi.walk, kpi.run) for name, kpi in KPIS.items()})  # kpi -> (walk, run)
    coverage_keys: tuple[sql.TagRule, ...] = (sql.TagRule("team"), sql.TagRule("cost-center"))
    coverage_match: str = "normalized"
    budgets: str | None = None  # the Budgets document's id; None: the only one given
    fiscal_year_start: int = 1
    eligible: dict = field(default_factory=lambda: {"service_categories": ["Compute"]})
    price: str = "ContractedCost"
    severities: tuple[str, ...] = ("critical", "high")
    file: str | None = None

    def level(self, kpi: str, value) -> str:
        """``crawl``, ``walk`` or ``run`` of a KPI's value (see the module doc)."""
        walk, run = self.levels[kpi]
        value = Decimal(value)
        if KPIS[kpi].higher_is_better:
            return "run" if value >= run else "walk" if value >= walk else "crawl"
        return "run" if value <= run else "walk" if value <= walk else "crawl"

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "file": self.file,
            "kpis": {
                name: {
                    "title": kpi.title,
                    "unit": kpi.unit,
                    "better": "higher" if kpi.higher_is_better else "lower",
                    "walk": _number(self.levels[name][0]),
                    "run": _number(self.levels[name][1]),
                }
                for name, kpi in KPIS.items()
            },
            "tag_coverage": {"keys": [_rule_dict(r) for r in self.coverage_keys], "match": self.coverage_match},
            "forecast_variance": {"budgets": self.budgets, "fiscal_year_start": self.fiscal_year_start},
            "commitment_coverage": {"eligible": self.eligible, "price": self.price},
            "open_findings": {"severities": list(self.severities)},
        }


def _number(value: Decimal) -> str:
    return exact(value)


def _rule_dict(rule: sql.TagRule) -> dict:
    out: dict = {"key": rule.key}
    if rule.values is not None:
        out["values"] = list(rule.values)
    if rule.pattern is not None:
        out["pattern"] = rule.pattern
    return out


DEFAULT_SCORECARD = ScorecardSettings()


def compile_scorecard(doc: YamlDocument, problems: list[Problem]) -> ScorecardSettings | None:
    """ScorecardSettings from a document; problems added for what the schema cannot say.

    Only the parts of the shape the schema asks for are read, so that a document the schema refused is
    checked too (:mod:`engine.documents.stages`) and never makes this fail; None when a problem was
    found or a part could not be read."""
    count = len(problems)
    readable = True
    kpis = doc.data.get("kpis", {})
    kpis = {name: part for name, part in kpis.items() if name in KPIS and isinstance(part, dict)} if isinstance(kpis, dict) else {}
    levels = dict(DEFAULT_SCORECARD.levels)
    for name, part in kpis.items():
        given = part.get("levels")
        if given is None:
            continue
        walk, run = (_threshold(given.get(level)) if isinstance(given, dict) else None for level in ("walk", "run"))
        if walk is None or run is None:
            readable = False  # the schema's problem
            continue
        if KPIS[name].higher_is_better and run < walk:
            problems.append(doc.problem("E363", f"run ({given['run']}) is below walk ({given['walk']}): higher {name} is better, so run is the higher threshold",
                                        f"/kpis/{name}/levels"))
        elif not KPIS[name].higher_is_better and run > walk:
            problems.append(doc.problem("E363", f"run ({given['run']}) is above walk ({given['walk']}): lower {name} is better, so run is the lower threshold",
                                        f"/kpis/{name}/levels"))
        levels[name] = (walk, run)
    coverage = kpis.get("tag_coverage", {})
    keys = DEFAULT_SCORECARD.coverage_keys
    if "keys" in coverage:
        rules = []
        items = coverage["keys"]
        for index, item in enumerate(items if isinstance(items, list) else ()):
            pointer = f"/kpis/tag_coverage/keys/{index}"
            if not isinstance(item, dict):
                readable = False
                continue
            pattern = item.get("pattern")
            if isinstance(pattern, str):
                try:  # RE2, as the SQL engine and the inventory checks run patterns (engine.conditions.patterns)
                    compile_pattern(pattern)
                except PatternError as error:
                    problems.append(doc.problem("E302", f"invalid regular expression {pattern!r}: {error}", f"{pointer}/pattern", error.hint))
            if "values" in item and "pattern" in item:
                problems.append(doc.problem("E314", "use only one of values and pattern", pointer))
            values = item.get("values")
            if not isinstance(item.get("key"), str) or (pattern is not None and not isinstance(pattern, str)) or (
                    values is not None and not (isinstance(values, list) and all(isinstance(v, str) for v in values))):
                readable = False
                continue
            rules.append(sql.TagRule(item["key"], tuple(values) if values is not None else None, pattern))
        keys = tuple(rules)
    budget = kpis.get("forecast_variance", {})
    commitment = kpis.get("commitment_coverage", {})
    findings = kpis.get("open_findings", {})
    eligible = commitment.get("eligible", DEFAULT_SCORECARD.eligible)
    severities = findings.get("severities", DEFAULT_SCORECARD.severities)
    if (len(problems) > count or not readable or not isinstance(doc.data.get("id"), str) or not isinstance(eligible, dict)
            or not isinstance(severities, (list, tuple))):
        return None
    return ScorecardSettings(
        id=doc.data["id"],
        levels=levels,
        coverage_keys=keys,
        coverage_match=coverage.get("match", DEFAULT_SCORECARD.coverage_match),
        budgets=budget.get("budgets"),
        fiscal_year_start=budget.get("fiscal_year_start", 1),
        eligible=dict(eligible),
        price=commitment.get("price", DEFAULT_SCORECARD.price),
        severities=tuple(severities),
        file=doc.file,
    )


def _threshold(value: object) -> Decimal | None:
    """A level's threshold when it has the schema's shape (a finite number of 0 or more), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return Decimal(str(value))
    return None
