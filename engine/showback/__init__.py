"""The numbers of the periodic compliance and accountability report: showback and chargeback per
owner, shared costs split by rule, currencies consolidated at stated rates, the FinOps scorecard per
owner, and what changed since earlier runs. Rendering is the report's (:mod:`engine.report`).

Reference: docs/showback.md. The modules, in the order a report uses them:

* :mod:`~engine.showback.windows` — the period reported on and the previous one;
* :mod:`~engine.showback.owners` — who owns a cost row's spend, and what is unassigned;
* :mod:`~engine.showback.spend` — showback: spend per owner and currency, services, trend;
* :mod:`~engine.showback.unassigned` — the unassigned spend item by item, and the resources teams could claim;
* :mod:`~engine.showback.allocation`, :mod:`~engine.showback.apportion`,
  :mod:`~engine.showback.chargeback` — Allocation documents, exact splits, chargeback;
* :mod:`~engine.showback.fx` — exchange rates and consolidated totals;
* :mod:`~engine.showback.settings`, :mod:`~engine.showback.scorecard` — Scorecard documents and the KPIs;
* :mod:`~engine.showback.history` — earlier runs, new/persisting/resolved findings, KPI series;
* :mod:`~engine.showback.documents` — reading Allocation and Scorecard files.
"""

from engine.showback.allocation import Allocation
from engine.showback.chargeback import Chargeback, ChargebackLine, PoolSplit, chargeback
from engine.showback.documents import load_allocation, load_scorecard
from engine.showback.fx import Consolidated, RateTable, consolidate, load_rates
from engine.showback.history import (
    CLASSES, Comparison, FindingRecord, History, KpiRecord, RunRecord, SpendRecord, compare_runs, kpi_series,
    load_previous_runs, open_history, run_record, spend_series,
)
from engine.showback.owners import UNASSIGNED_SPEND
from engine.showback.scorecard import KpiResult, KpiValue, OwnerScorecard, Scorecard, scorecard
from engine.showback.scorecard import columns as scorecard_columns
from engine.showback.settings import DEFAULT_SCORECARD, KPIS, LEVELS, ScorecardSettings
from engine.showback.spend import MEASURES, OwnerSpend, Showback, Slice, showback
from engine.showback.spend import columns as showback_columns
from engine.showback.unassigned import Claim, UnassignedItem, UnassignedSpend, claims, unassigned_spend
from engine.showback.unassigned import columns as unassigned_columns
from engine.showback.windows import Window, report_window

__all__ = [
    "Allocation", "CLASSES", "Chargeback", "ChargebackLine", "Claim", "Comparison", "Consolidated", "DEFAULT_SCORECARD", "FindingRecord",
    "History", "KPIS", "KpiRecord", "KpiResult", "KpiValue", "LEVELS", "MEASURES", "OwnerScorecard", "OwnerSpend", "PoolSplit",
    "RateTable", "RunRecord", "Scorecard", "ScorecardSettings", "Showback", "Slice", "SpendRecord", "UNASSIGNED_SPEND", "UnassignedItem",
    "UnassignedSpend", "Window", "claims",
    "chargeback", "compare_runs", "consolidate", "kpi_series", "load_allocation", "load_previous_runs", "load_rates",
    "load_scorecard", "open_history", "report_window", "run_record", "scorecard", "scorecard_columns", "showback",
    "showback_columns", "spend_series", "unassigned_columns", "unassigned_spend",
]
