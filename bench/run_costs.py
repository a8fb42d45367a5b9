"""costwarden cost benchmark: the cost-policy bars of PRODUCT.md, measured on 1M and 10M FOCUS rows.

    python bench/run_costs.py [--sizes 1m,10m] [--runs 5] [--runs-10m N] [--as-of 2026-05-31] [--profile]

Bars (PRODUCT.md): all cost policies over a FOCUS file within 1.5x of hand-written DuckDB queries
computing the same numbers from the same file, in the same run (median of the runs); 10 million
rows with a peak memory under 4 GB.

The policies are the three in ``bench/policies/costs/`` (budget per owner, tag coverage per
account, commitment utilization and coverage per account) with the Ownership document there and
the Budgets document of the size (``budgets-1m.yaml`` / ``budgets-10m.yaml``). The data comes from
``bench/generate_focus.py`` (generated when absent). Each timed run is a fresh subprocess running
one side once, so that its peak RSS (``os.wait4`` rusage of that child) is the memory of that side
alone; the sides take turns within each cycle (a, b, b', then b, b', a, ...) so that the load of
other processes on the machine falls on all of them alike. Times are measured inside the worker
(``time.perf_counter`` around the work; interpreter start-up and imports are not in them):

(a)  costwarden: ``engine.load_costs([csv])`` then ``engine.evaluate(library, None, costs=...,
     ownership=..., budgets=..., as_of=...)``; the two parts are reported as well. Policies,
     ownership and budgets are loaded before the timer starts.
(b)  hand-written DuckDB SQL over the same CSV, read with explicit types (DATA.md): one query per
     policy (budget, tag coverage, commitment), each reading the CSV itself. Written from
     /work/cost-semantics.md, not from the engine's SQL (nothing of ``engine`` is imported).
(b') the same three queries over a table loaded once from the CSV (only the 20 columns they
     use), for reference; its load and query parts are reported as well.

An untimed verification run of each side comes first: the engine's raw query results are
captured by wrapping ``CostSnapshot.query`` and compared, number for number (``Decimal``
equality), with the hand-written results: budget actuals, row counts and data end per owner;
tag coverage in total, for all keys and per key, and the top unallocated resources, per account;
commitment used/unused, covered/eligible/uncovered and the top unused commitments, per account.
Then every finding of the engine is compared with what the hand-written numbers imply (which
scopes fail, severity, amounts, percentages, forecast, top lists). Each timed run's output must
equal its side's verification output. Any difference aborts the benchmark.

``--profile`` adds, on stderr, the wall time of every SQL statement the engine runs (load and
policies) and DuckDB's ``EXPLAIN ANALYZE`` of the slowest queries of the policies, from a separate run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import (  # noqa: E402  (bench/common.py)
    DATA, LEFT, RIGHT, ROOT, cpu_model, fmt_rate, git_commit, memory_total, print_table_and_notes,
    python_path_env, run_child, usable_cpus,
)

POLICIES = BENCH / "policies" / "costs"
POLICY_FILES = ("team-budget.yaml", "allocation-coverage.yaml", "compute-commitments.yaml")
OWNERSHIP = POLICIES / "ownership.yaml"
AS_OF = "2026-05-31"
PERIOD = ("2026-05-01 00:00:00", "2026-06-01 00:00:00")  # the month containing AS_OF (UTC)
SIDES = ("engine", "sql", "sql-table")
RATIO_BAR = 1.5
MEMORY_BAR = 4 * 1024**3
CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")


def size_rows(size: str) -> int:
    return int(size[:-1]) * (1_000_000 if size.endswith("m") else 1000)


def budgets_file(size: str) -> Path:
    return POLICIES / f"budgets-{size}.yaml"


# =================================================================================================
# the hand-written side: DuckDB SQL written from the semantics, no engine code
# =================================================================================================

WS = "(' ' || chr(9) || chr(13) || chr(10))"  # whitespace for trim: space, tab, CR, LF
MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "CommitmentDiscountQuantity")
TIMES = ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
TABLE_COLUMNS = (  # what the three queries read (the b' table)
    "BilledCost", "EffectiveCost", "ContractedCost", "BillingCurrency", "ChargeCategory", "ChargePeriodStart",
    "ChargePeriodEnd", "BillingAccountId", "SubAccountId", "ResourceId", "ResourceName", "ServiceName",
    "PricingCategory", "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountType",
    "CommitmentDiscountStatus", "Tags",
)


def lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def csv_source(path: str) -> str:
    """read_csv with every column typed explicitly (DATA.md): no sniffing, no inference."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    types = []
    for name in header:
        kind = "DECIMAL(38,12)" if name in MONEY else "TIMESTAMPTZ" if name in TIMES else "JSON" if name == "Tags" else "VARCHAR"
        types.append(f"{lit(name)}: {lit(kind)}")
    return (f"read_csv({lit(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"nullstr = ['NULL', ''], columns = {{{', '.join(types)}}})")


def load_yaml(path: Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def normalized(key: str) -> str:
    return key.strip(" \t\r\n").lower().replace("_", "-")


def tag_json(key: str) -> str:
    """The JSON value of tag ``key`` under normalized matching: the key spelled exactly wins,
    else the smallest key (code-point order) that normalizes to the same text."""
    exact_path = lit('$."' + key + '"')
    others = (f"list_min(list_filter(json_keys(Tags), lambda k: replace(lower(trim(k, {WS})), '_', '-') = "
              f"{lit(normalized(key))}))")
    return f"coalesce(json_extract(Tags, {exact_path}), json_extract(Tags, '$.\"' || {others} || '\"'))"


def present(v: str) -> str:
    """``true`` (key-only) or a string that is not blank; never NULL."""
    return (f"coalesce((json_type({v}) = 'BOOLEAN' AND ({v} ->> '$') = 'true') OR "
            f"(json_type({v}) = 'VARCHAR' AND trim({v} ->> '$', {WS}) <> ''), false)")


def rule_ok(v: str, rule: dict) -> str:
    parts = [present(v)]
    if "values" in rule:
        parts.append(f"coalesce(json_type({v}) = 'VARCHAR' AND ({v} ->> '$') IN ({', '.join(lit(x) for x in rule['values'])}), false)")
    if "pattern" in rule:
        parts.append(f"coalesce(json_type({v}) = 'VARCHAR' AND regexp_matches({v} ->> '$', {lit(rule['pattern'])}), false)")
    return "(" + " AND ".join(parts) + ")"


def owner_expr(ownership: dict, tag_values: dict) -> str:
    """The team of a row: the resolution chain of the Ownership document, written out in SQL."""
    names = {}
    for team in ownership["teams"]:
        for name in [team["id"], *team.get("aliases", []), *team.get("contacts", []), *team.get("members", [])]:
            names[name.strip(" \t\r\n").lower()] = team["id"]
    steps = []
    fallback = "'unassigned'"
    for step in ownership["resolution"]:
        if "tag" in step:
            assert step.get("match", "normalized") == "normalized"
            v = tag_values[step["tag"]]
            whens = " ".join(f"WHEN {lit(n)} THEN {lit(t)}" for n, t in sorted(names.items()))
            steps.append(f"CASE WHEN json_type({v}) = 'VARCHAR' THEN CASE lower(trim({v} ->> '$', {WS})) {whens} END END")
        elif "accounts" in step:
            whens = " ".join(f"WHEN {lit(a)} THEN {lit(t)}" for a, t in step["accounts"].items())
            steps.append(f"CASE coalesce(SubAccountId, BillingAccountId) {whens} END")
        elif "resource_ids" in step:
            whens = " ".join(f"WHEN ResourceId GLOB {lit(p['pattern'])} THEN {lit(p['team'])}" for p in step["resource_ids"])
            steps.append(f"CASE {whens} END")
        else:
            fallback = lit(step["default"])
            break
    return f"coalesce({', '.join(steps + [fallback])})"


def in_period(column: str = "ChargePeriodStart") -> str:
    return f"{column} >= TIMESTAMPTZ '{PERIOD[0]}+00' AND {column} < TIMESTAMPTZ '{PERIOD[1]}+00'"


def handwritten_queries(source: str) -> dict[str, str]:
    """The three queries, over ``source`` (a read_csv call or a table name)."""
    budget = load_yaml(POLICIES / POLICY_FILES[0])["spec"]
    coverage = load_yaml(POLICIES / POLICY_FILES[1])["spec"]
    commitment = load_yaml(POLICIES / POLICY_FILES[2])["spec"]
    ownership = load_yaml(OWNERSHIP)
    assert budget["scope"] == "owner" and budget.get("measure", "BilledCost") == "BilledCost" and budget["period"] == "month"
    assert coverage["scope"] == "SubAccountId" and coverage["match"] == "normalized" and coverage["period"] == "month"
    assert commitment["scope"] == "SubAccountId" and commitment["period"] == "month"
    assert commitment["coverage"].get("price", "ContractedCost") == "ContractedCost"
    categories = ", ".join(lit(c) for c in budget.get("charge_categories", CATEGORIES))

    # budget: BilledCost per (owner, currency); data end from the same scan
    owner_tags = {step["tag"]: "v_" + str(i) for i, step in enumerate(ownership["resolution"]) if "tag" in step}
    values = ", ".join(f"{tag_json(key)} AS {name}" for key, name in owner_tags.items())
    budget_sql = f"""
        SELECT owner, BillingCurrency,
               sum(BilledCost) FILTER (WHERE ChargeCategory IN ({categories})),
               count(*) FILTER (WHERE ChargeCategory IN ({categories})),
               max(ChargePeriodEnd) FILTER (WHERE ChargeCategory = 'Usage'
                                            AND date_diff('second', ChargePeriodStart, ChargePeriodEnd) <= 86400),
               max(ChargePeriodEnd)
        FROM (SELECT {owner_expr(ownership, owner_tags)} AS owner, BillingCurrency, BilledCost, ChargeCategory,
                     ChargePeriodStart, ChargePeriodEnd
              FROM (SELECT *, {values} FROM {source} WHERE {in_period()}))
        GROUP BY owner, BillingCurrency"""

    # tag coverage per (SubAccountId, currency): per resource first, then per account with the top list
    rules = coverage["keys"]
    top = int(coverage.get("top", 5))
    cov_categories = ", ".join(lit(c) for c in coverage.get("charge_categories", CATEGORIES))
    tag_values = ", ".join(f"{tag_json(rule['key'])} AS v{i}" for i, rule in enumerate(rules))
    flags = ", ".join(f"{rule_ok(f'v{i}', rule)} AS k{i}" for i, rule in enumerate(rules))
    every = " AND ".join(f"k{i}" for i in range(len(rules)))
    per_resource_keys = ", ".join(f"sum(cost) FILTER (WHERE k{i}) AS c{i}, count(*) FILTER (WHERE k{i}) AS n{i}" for i in range(len(rules)))
    per_scope_keys = ", ".join(f"coalesce(sum(c{i}), 0), sum(n{i})" for i in range(len(rules)))
    coverage_sql = f"""
        WITH flagged AS (
            SELECT scope, currency, ResourceId, ResourceName, ServiceName, cost, {flags}
            FROM (SELECT SubAccountId AS scope, BillingCurrency AS currency, ResourceId, ResourceName, ServiceName,
                         EffectiveCost AS cost, {tag_values}
                  FROM {source}
                  WHERE {in_period()} AND EffectiveCost > 0 AND ChargeCategory IN ({cov_categories}))),
        per_resource AS (
            SELECT scope, currency, ResourceId,
                   min(ResourceName) FILTER (WHERE NOT ({every})) AS name,
                   min(ServiceName) FILTER (WHERE NOT ({every})) AS service,
                   sum(cost) AS cost, count(*) AS n,
                   sum(cost) FILTER (WHERE NOT ({every})) AS unallocated,
                   sum(cost) FILTER (WHERE {every}) AS a_cost, count(*) FILTER (WHERE {every}) AS a_n,
                   {per_resource_keys}
            FROM flagged GROUP BY scope, currency, ResourceId)
        SELECT scope, currency, sum(cost), sum(n), coalesce(sum(a_cost), 0), sum(a_n), {per_scope_keys},
               (list(struct_pack(id := ResourceId, name := name, service := service, cost := unallocated)
                     ORDER BY unallocated DESC, ResourceId ASC) FILTER (WHERE unallocated IS NOT NULL AND ResourceId IS NOT NULL))[1:{top}]
        FROM per_resource GROUP BY scope, currency"""

    # commitment per (SubAccountId, currency): per commitment first, then per account with the top list
    eligible_map = {"services": "ServiceName", "service_categories": "ServiceCategory", "skus": "SkuId",
                    "resource_types": "ResourceType"}
    eligible = " AND ".join(f"{eligible_map[k]} IN ({', '.join(lit(x) for x in v)})"
                            for k, v in commitment["coverage"].get("eligible", {}).items()) or "TRUE"
    ctop = int(commitment.get("top", 5))
    commitment_sql = f"""
        WITH per_commitment AS (
            SELECT SubAccountId AS scope, BillingCurrency AS currency, CommitmentDiscountId AS id,
                   min(CommitmentDiscountName) AS name, min(CommitmentDiscountType) AS type,
                   coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used'), 0) AS used,
                   coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0) AS unused,
                   sum(ContractedCost) FILTER (WHERE elig AND PricingCategory = 'Committed') AS covered,
                   sum(ContractedCost) FILTER (WHERE elig) AS eligible,
                   sum(EffectiveCost) FILTER (WHERE elig AND PricingCategory IS DISTINCT FROM 'Committed') AS uncovered,
                   count(*) FILTER (WHERE elig) AS n_eligible
            FROM (SELECT *, (CommitmentDiscountStatus IS DISTINCT FROM 'Unused'
                             AND PricingCategory IS DISTINCT FROM 'Dynamic' AND {eligible}) AS elig
                  FROM {source} WHERE {in_period()} AND ChargeCategory = 'Usage')
            GROUP BY scope, currency, id)
        SELECT scope, currency,
               count(*) FILTER (WHERE id IS NOT NULL),
               coalesce(sum(used) FILTER (WHERE id IS NOT NULL), 0), coalesce(sum(unused) FILTER (WHERE id IS NOT NULL), 0),
               sum(n_eligible), coalesce(sum(covered), 0), coalesce(sum(eligible), 0), coalesce(sum(uncovered), 0),
               (list(struct_pack(id := id, name := name, type := type, used := used, unused := unused)
                     ORDER BY unused DESC, id ASC) FILTER (WHERE id IS NOT NULL))[1:{ctop}]
        FROM per_commitment GROUP BY scope, currency"""
    return {"budget": budget_sql, "coverage": coverage_sql, "commitment": commitment_sql}


def s(value) -> str | None:
    return None if value is None else str(value)


def handwritten_numbers(rows: dict) -> dict:
    """The canonical numbers (JSON-able, decimals as text) from the three queries' rows."""
    short_ends = [r[4] for r in rows["budget"] if r[4] is not None]
    any_ends = [r[5] for r in rows["budget"] if r[5] is not None]
    data_end = max(short_ends) if short_ends else (max(any_ends) if any_ends else None)
    budget = {}
    for owner, currency, actual, count, _, _ in rows["budget"]:
        if count:
            budget[f"{owner}|{currency}"] = {"actual": s(actual), "rows": count}
    coverage = {}
    for row in rows["coverage"]:
        scope, currency, total, n, a_cost, a_n = row[:6]
        keys = [[s(row[6 + 2 * i]), row[7 + 2 * i]] for i in range((len(row) - 7) // 2)]
        top = [[t["id"], t["name"], t["service"], s(t["cost"])] for t in (row[-1] or [])]
        coverage[f"{scope}|{currency}"] = {"total_cost": s(total), "rows": n, "allocated_cost": s(a_cost),
                                           "allocated_rows": a_n, "keys": keys, "top": top}
    commitment = {}
    for scope, currency, n_commit, used, unused, n_elig, covered, eligible, uncovered, top in rows["commitment"]:
        entry = {}
        if n_commit:
            entry["utilization"] = {"used": s(used), "unused": s(unused)}
            entry["top"] = [[t["id"], t["name"], t["type"], s(t["used"]), s(t["unused"])] for t in (top or [])]
        if n_elig:
            entry["coverage"] = {"covered": s(covered), "eligible": s(eligible), "uncovered": s(uncovered)}
        if entry:
            commitment[f"{scope}|{currency}"] = entry
    return {"data_end": data_end.strftime("%Y-%m-%dT%H:%M:%SZ") if data_end else None,
            "budget": budget, "coverage": coverage, "commitment": commitment}


def connect_duckdb():
    import duckdb

    connection = duckdb.connect(config={"preserve_insertion_order": False})
    connection.execute("SET TimeZone='UTC'")
    return connection


def run_sql(path: str, table: bool) -> dict:
    """(b) or (b'): returns timings and the canonical numbers."""
    import duckdb  # noqa: F401  (imported before the timer, like the engine side)

    connection = connect_duckdb()
    gc.collect()
    started = time.perf_counter()
    source = csv_source(path)
    loaded = started
    if table:
        columns = ", ".join(TABLE_COLUMNS)
        connection.execute(f"CREATE TABLE focus AS SELECT {columns} FROM {source}")
        source = "focus"
        loaded = time.perf_counter()
    rows = {name: connection.execute(sql).fetchall() for name, sql in handwritten_queries(source).items()}
    ended = time.perf_counter()
    timings = {"total": ended - started}
    if table:
        timings.update(load=loaded - started, queries=ended - loaded)
    return {"timings": timings, "numbers": handwritten_numbers(rows)}


# =================================================================================================
# the engine side
# =================================================================================================

def engine_inputs(size: str):
    import engine
    from engine.library import load_budgets, load_ownership

    library = engine.load_policies([str(POLICIES / name) for name in POLICY_FILES])
    ownership = load_ownership(str(OWNERSHIP))
    budgets = load_budgets([str(budgets_file(size))])
    return library, ownership, budgets


def finding_record(finding) -> dict:
    money = {name: s(getattr(finding, name).amount) for name in
             ("overspend", "unallocated_cost", "uncovered_cost", "unused_commitment_cost") if getattr(finding, name) is not None}
    return {"policy": finding.policy, "scope": finding.scope["value"], "currency": finding.scope["currency"],
            "period": finding.scope["period"], "severity": finding.severity, "owner": finding.owner,
            "evidence": finding.evidence, "money": money}


def run_engine(path: str, size: str, memory_limit: str | None = None) -> dict:
    import engine
    from engine.costs.reader import CostSnapshot

    library, ownership, budgets = engine_inputs(size)
    # keep a reference to what each of the engine's queries returns (one Python call per query:
    # 8 queries, nothing measurable), for the number-for-number comparison
    captured = []
    original = CostSnapshot.query

    def query(self, sql, params=None):
        rows = original(self, sql, params)
        captured.append((sql, rows))
        return rows

    CostSnapshot.query = query
    options = {"memory_limit": memory_limit} if memory_limit else {}
    gc.collect()
    started = time.perf_counter()
    costs = engine.load_costs([path], **options)
    loaded = time.perf_counter()
    result = engine.evaluate(library, None, costs=costs, ownership=ownership, budgets=budgets, as_of=AS_OF)
    ended = time.perf_counter()
    out = {
        "timings": {"total": ended - started, "load": loaded - started, "evaluate": ended - loaded},
        "findings": [finding_record(f) for f in result.findings],
        "rows": costs.rows,
        "errors": [str(e) for e in result.errors],
        "skipped": [list(x) for x in result.skipped],
        "notes": list(result.warnings),
        "numbers": engine_numbers(captured),
    }
    costs.close()
    return out


def engine_numbers(captured: list) -> dict:
    """The engine's raw query results, in the canonical form of ``handwritten_numbers``."""
    numbers = {"data_end": None, "budget": {}, "coverage": {}, "commitment": {}}
    seen = set()
    tops_cov: dict = {}
    tops_com: dict = {}
    for sql, rows in captured:
        if "coalesce(max(ChargePeriodEnd) FILTER" in sql:
            kind = "data_end"
            numbers["data_end"] = rows[0][0].strftime("%Y-%m-%dT%H:%M:%SZ") if rows[0][0] else None
        elif "AS actual, count(*) AS rows" in sql:
            kind = "budget"
            for scope, currency, actual, count in rows:
                numbers["budget"][f"{scope}|{currency}"] = {"actual": s(actual), "rows": count}
        elif "tagged AS (SELECT" in sql and "FROM tagged GROUP BY" in sql:
            kind = "coverage"
            for row in rows:
                scope, currency, total, n, a_cost, a_n = row[:6]
                keys = [[s(row[6 + 2 * i] or 0), row[7 + 2 * i]] for i in range((len(row) - 6) // 2)]
                numbers["coverage"][f"{scope}|{currency}"] = {"total_cost": s(total), "rows": n, "allocated_cost": s(a_cost or 0),
                                                              "allocated_rows": a_n, "keys": keys, "top": []}
        elif "unallocated AS (SELECT" in sql:
            kind = "unallocated"
            for scope, currency, rid, name, service, cost in rows:
                tops_cov.setdefault(f"{scope}|{currency}", []).append([rid, name, service, s(cost)])
        elif "count(DISTINCT CommitmentDiscountUnit)" in sql:
            kind = "utilization"
            for scope, currency, used, unused, *_ in rows:
                numbers["commitment"].setdefault(f"{scope}|{currency}", {})["utilization"] = {"used": s(used), "unused": s(unused)}
        elif "FILTER (WHERE PricingCategory = 'Committed')" in sql:
            kind = "commitment-coverage"
            for scope, currency, covered, eligible, uncovered in rows:
                numbers["commitment"].setdefault(f"{scope}|{currency}", {})["coverage"] = {
                    "covered": s(covered), "eligible": s(eligible), "uncovered": s(uncovered)}
        elif "commitments AS (SELECT" in sql and "CommitmentDiscountId AS id" in sql:
            kind = "top-commitments"
            for scope, currency, cid, name, ctype, used, unused in rows:
                tops_com.setdefault(f"{scope}|{currency}", []).append([cid, name, ctype, s(used), s(unused)])
        else:
            kind = "other"
        seen.add(kind)
    for key, top in tops_cov.items():
        numbers["coverage"].setdefault(key, {})["top"] = top
    for key, entry in numbers["commitment"].items():
        if "utilization" in entry:
            entry["top"] = tops_com.get(key, [])
    numbers["queries_seen"] = sorted(seen)
    return numbers


# =================================================================================================
# profile: every SQL statement of the engine with its wall time, EXPLAIN ANALYZE of the slowest
# =================================================================================================

class TimedConnection:
    """A DuckDB connection that records the wall time of each ``execute`` (load_costs and policies),
    with its parameters and the phase (``load`` or ``evaluate``) it ran in."""

    def __init__(self, connection, log):
        self._connection = connection
        self._log = log
        self.phase = "load"

    def execute(self, sql, params=None):
        started = time.perf_counter()
        result = self._connection.execute(sql, params or [])
        rows = result.fetchall() if result.description else []
        self._log.append({"seconds": time.perf_counter() - started, "sql": sql, "params": list(params or []),
                          "phase": self.phase})
        return _Rows(rows)

    def __getattr__(self, name):
        return getattr(self._connection, name)


class _Rows:
    def __init__(self, rows):
        self._rows = rows

    def fetchall(self):
        return self._rows

    def fetchone(self):
        return self._rows[0] if self._rows else None


def operator_tree(plan: dict, minimum: float) -> str:
    """DuckDB's EXPLAIN (ANALYZE, FORMAT json) as an indented list: operator, time, rows, details."""
    lines = []

    def walk(node, depth):
        info = "; ".join(f"{k}: {' '.join(str(v).split())}" for k, v in (node.get("extra_info") or {}).items()
                         if k != "Estimated Cardinality")
        timing = node.get("timing", 0.0)
        if timing >= minimum or depth < 2 or node.get("name") in ("SEQ_SCAN", "TABLE_SCAN", "READ_CSV"):
            lines.append(f"{'  ' * depth}{node.get('name', '?')}  {timing:.3f} s  {node.get('intermediate_rows', '?'):,} rows"
                         + (f"  | {info[:400]}{'…' if len(info) > 400 else ''}" if info else ""))
        for child in node.get("children", []):
            walk(child, depth + 1)

    roots = plan["operator"] if isinstance(plan.get("operator"), list) else [plan.get("operator", plan)]
    for root in roots:
        walk(root, 0)
    return "\n".join(lines)


def explain_analyze(connection, sql: str, params=None) -> tuple[str, float]:
    row = connection.execute("EXPLAIN (ANALYZE, FORMAT json) " + sql, params or []).fetchall()[0]
    plan = json.loads(row[-1])
    total = (plan.get("query") or {}).get("total_time") or plan.get("latency") or 0.0
    return operator_tree(plan, 0.05), total


def best_of(connection, variants: dict, repeats: int = 3) -> dict:
    """Each variant ``repeats`` times, interleaved; the fastest time and the rows of each."""
    times = {name: [] for name in variants}
    rows = {}
    for _ in range(repeats):
        for name, sql in variants.items():
            started = time.perf_counter()
            rows[name] = connection.execute(sql).fetchall()
            times[name].append(time.perf_counter() - started)
    return {name: (min(times[name]), rows[name]) for name in variants}


def what_if(costs, library, ownership, ran: set[str]) -> list[str]:
    """The engine's tag-coverage and budget queries next to rewrites computing the same rows (same table).

    The engine's statements are built here as its checks build them (``Scope.in_period`` and the
    query functions of ``engine/checks/tag_coverage.py`` and ``budget.py``) and must be among the
    statements of the run (``ran``), so that the comparison cannot drift from the engine; each
    rewrite is checked to return the same rows as the engine's statement."""
    from engine.checks.base import CheckContext
    from engine.checks.budget import budget_query
    from engine.checks.tag_coverage import allocation_flags, coverage_query, unallocated_resources_query
    from engine.costs import sql as S
    from engine.evaluator import as_of_datetime
    from engine.ownership import TagStep

    d, table = costs.dialect, costs.table
    checks = {policy.id: policy.check for policy in library.policies}
    context = CheckContext(as_of=as_of_datetime(AS_OF), ownership=ownership)
    # tag coverage per account, as TagCoverageCheck._run writes it
    coverage = checks["bench-allocation-tag-coverage"]
    scoped = coverage.scope.in_period(costs, context, coverage.period, coverage.fiscal_year_start)
    flags = allocation_flags(d, list(coverage.rules), coverage.match, scoped.tags)
    common = dict(scope_sql=scoped.scope_sql, flags=flags, categories=coverage.categories, period=scoped.period,
                  tags=scoped.tags)
    engine_coverage = coverage_query(table, d, **common)
    engine_top = unallocated_resources_query(table, d, top=coverage.top, **common)
    where = (f"{S.period_filter(d, scoped.period)} AND {S.in_list(d, 'ChargeCategory', coverage.categories)}"
             " AND EffectiveCost > 0")
    every = " AND ".join(f"k{i}" for i in range(len(flags)))
    columns = ", ".join(f"{flag} AS k{i}" for i, flag in enumerate(flags))
    per_key = ", ".join(f"sum(cost) FILTER (WHERE k{i}) AS c{i}, count(*) FILTER (WHERE k{i}) AS n{i}" for i in range(len(flags)))
    per_key_total = ", ".join(f"sum(c{i}), sum(n{i})" for i in range(len(flags)))
    rows_cte = (f"in_scope AS (SELECT {scoped.scope_sql} AS scope, BillingCurrency AS currency, ResourceId, ResourceName,"
                f" ServiceName, EffectiveCost AS cost, {columns} FROM {S.from_rows(table, scoped.tags)} WHERE {where})")
    per_resource = (
        f"per_resource AS (SELECT scope, currency, ResourceId, min(ResourceName) FILTER (WHERE NOT ({every})) AS name,"
        f" min(ServiceName) FILTER (WHERE NOT ({every})) AS service, sum(cost) AS cost, count(*) AS n,"
        f" sum(cost) FILTER (WHERE {every}) AS a_cost, count(*) FILTER (WHERE {every}) AS a_n,"
        f" sum(cost) FILTER (WHERE NOT ({every})) AS unallocated, {per_key} FROM in_scope GROUP BY scope, currency, ResourceId)")
    one_pass = (
        f"{S.with_clause(scoped.tags, rows_cte, per_resource)}SELECT scope, currency, sum(cost), sum(n), sum(a_cost), sum(a_n),"
        f" {per_key_total}, (list(struct_pack(id := ResourceId, name := name, service := service, cost := unallocated)"
        " ORDER BY unallocated DESC, ResourceId) FILTER (WHERE unallocated IS NOT NULL AND ResourceId IS NOT NULL))"
        f"[1:{int(coverage.top)}] FROM per_resource GROUP BY scope, currency")
    # the budget per owner, as BudgetCheck._run writes it; its owner tag step's CASE against a MAP lookup
    budget = checks["bench-team-monthly-budget"]
    scoped = budget.scope.in_period(costs, context, budget.period, budget.fiscal_year_start)
    engine_budget = budget_query(table, d, scope_sql=scoped.scope_sql, measure=budget.measure,
                                 categories=budget.categories, period=scoped.period, tags=scoped.tags)
    step = next(st for st in ownership.steps if type(st) is TagStep)
    case_step = step.sql(d, ownership.names)
    name = f"lower({d.trim_whitespace(S.tag_text_of_sql(d, S.tag_value_sql(d, step.key, step.mode)))})"  # as TagStep.sql
    if not case_step.startswith(f"(CASE {name} WHEN "):
        raise SystemExit("what-if: the owner tag step's SQL changed: update what_if() in bench/run_costs.py")
    mapping = ", ".join(f"{d.string(n)}: {d.string(team)}" for n, (team, _) in sorted(ownership.names.items()))
    map_step = f"MAP {{{mapping}}}[{name}]"
    variants = {
        "engine: coverage_query": engine_coverage,
        "engine: unallocated_resources_query": engine_top,
        "rewrite: coverage + top resources in one query (per resource, then per scope)": one_pass,
        "engine: budget_query (scope owner)": engine_budget,
        "rewrite: budget_query, owner tag step as a MAP lookup": engine_budget.replace(case_step, map_step),
    }
    for label, statement in variants.items():
        if label.startswith("engine:") and statement not in ran:
            raise SystemExit(f"what-if: the {label[8:]} built here is not one the engine ran: update what_if() "
                             f"in bench/run_costs.py to build it as the check does")
    if case_step not in engine_budget:
        raise SystemExit("what-if: the owner tag step's CASE is not in the budget query: update what_if()")
    measured = best_of(costs.connection, variants)
    results = {label: result for label, (_, result) in measured.items()}
    coverage_rows = sorted(results["engine: coverage_query"], key=str)
    top_rows = sorted(results["engine: unallocated_resources_query"], key=str)
    same = {
        "rewrite: coverage + top resources in one query (per resource, then per scope)": lambda r: (
            sorted((tuple(x[:-1]) for x in r), key=str) == [tuple(x) for x in coverage_rows]
            and sorted(((x[0], x[1], t["id"], t["name"], t["service"], t["cost"]) for x in r for t in (x[-1] or [])), key=str)
            == [tuple(t) for t in top_rows]),
        "rewrite: budget_query, owner tag step as a MAP lookup": lambda r: sorted(r, key=str) == sorted(
            results["engine: budget_query (scope owner)"], key=str),
    }
    lines = []
    for label, (seconds, result) in measured.items():
        check = same.get(label)
        verdict = "" if check is None else (" — same rows as the engine's" if check(result) else " — **DIFFERENT rows**")
        lines.append(f"{fmt_seconds(seconds)}  {label}{verdict}")
    return lines


def run_profile(path: str, size: str, top: int = 4) -> dict:
    """Every statement of ``load_costs`` and ``evaluate`` timed; EXPLAIN ANALYZE of the ``top`` slowest
    queries of the evaluation, run again on the loaded table once the evaluation is over.

    Only the evaluation's queries can be run again: the loading ones read the files into a staging
    form of the table (with the file and check columns ``load_costs`` drops when it is done)."""
    import duckdb

    import engine

    library, ownership, budgets = engine_inputs(size)
    log_: list = []
    connect = duckdb.connect
    connections: list[TimedConnection] = []

    def timed_connect(*args, **kwargs):
        connections.append(TimedConnection(connect(*args, **kwargs), log_))
        return connections[-1]

    duckdb.connect = timed_connect
    try:
        started = time.perf_counter()
        costs = engine.load_costs([path])
        loaded = time.perf_counter()
        for connection in connections:
            connection.phase = "evaluate"
        engine.evaluate(library, None, costs=costs, ownership=ownership, budgets=budgets, as_of=AS_OF)
        ended = time.perf_counter()
    finally:
        duckdb.connect = connect
    queries = [st for st in log_ if st["phase"] == "evaluate" and st["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    slow = sorted(queries, key=lambda st: -st["seconds"])[:top]
    real = costs.connection._connection
    costs.connection = real
    for st in slow:
        st["explain_analyze"], st["profiled_seconds"] = explain_analyze(real, st["sql"], st["params"])
    return {"load": loaded - started, "evaluate": ended - loaded,
            "statements": [{name: st[name] for name in ("phase", "seconds", "sql")} for st in log_],
            "slow": [{"sql": st["sql"], "seconds": st["seconds"], "explain_analyze": st["explain_analyze"]} for st in slow],
            "what_if": what_if(costs, library, ownership, {st["sql"] for st in log_ if st["phase"] == "evaluate"})}


# =================================================================================================
# worker entry point (one side, one run, in a fresh process)
# =================================================================================================

def worker(args) -> int:
    started = time.perf_counter()
    if args.worker == "engine":
        out = run_engine(args.file, args.size, memory_limit=args.memory_limit)
    elif args.worker == "sql":
        out = run_sql(args.file, table=False)
    elif args.worker == "sql-table":
        out = run_sql(args.file, table=True)
    elif args.worker == "profile":
        out = run_profile(args.file, args.size)
    else:
        raise SystemExit(f"unknown worker {args.worker}")
    out["worker_seconds"] = time.perf_counter() - started
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle, default=str)
    return 0


def spawn(side: str, path: Path, size: str, *, memory_limit: str | None = None) -> dict:
    """Run one side in a fresh interpreter; returns its output plus wall time and peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", side, "--file", str(path), "--size", size, "--out", out]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    child = run_child(command, cwd=DATA, env=python_path_env())
    try:
        if child.returncode != 0:
            raise SystemExit(f"{side} worker failed (exit {child.returncode}):\n{child.stderr.decode(errors='replace')[-3000:]}")
        with open(out, encoding="utf-8") as handle:
            result = json.load(handle)
    finally:
        os.unlink(out)
    result["wall"] = child.wall
    result["max_rss"] = child.max_rss
    return result


# =================================================================================================
# expected findings from the hand-written numbers, and the comparisons
# =================================================================================================

D = Decimal
RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def pct(part, whole) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return (D(100) * D(part) / D(whole)).quantize(D("0.01"), rounding=ROUND_HALF_EVEN)


def reached(part, whole, percent) -> bool:
    return D(100) * D(part) >= D(str(percent)) * D(whole)


def expected_findings(numbers: dict, size: str) -> dict:
    """(policy, scope, currency) -> the fields a finding must carry, from the hand-written numbers."""
    out = {}
    # budget
    policy = load_yaml(POLICIES / POLICY_FILES[0])
    spec = policy["spec"]
    doc = load_yaml(budgets_file(size))
    start, end = (D(0), D((31 * 86400)))  # May: 31 days
    from datetime import datetime

    period_start = datetime.fromisoformat(PERIOD[0])
    as_of = datetime.fromisoformat(AS_OF + " 00:00:00")
    data_end = datetime.strptime(numbers["data_end"], "%Y-%m-%dT%H:%M:%SZ")
    period_end = datetime.fromisoformat(PERIOD[1])
    elapsed = max(0, int((min(as_of, data_end, period_end) - period_start).total_seconds()))
    total = int((period_end - period_start).total_seconds())
    # PyYAML reads YAML 1.1, where the key `on` is the boolean true: take it back
    thresholds = [{("on" if k is True else k): v for k, v in t.items()} for t in spec["thresholds"]]
    for key, group in numbers["budget"].items():
        owner, currency = key.split("|")
        amount = doc.get("amounts", {}).get(owner, doc.get("default"))
        if amount is None or currency != doc["currency"]:
            continue
        budget = D(str(amount))
        actual = D(group["actual"])
        with localcontext() as context:
            context.prec = 60
            forecast = actual * total / elapsed if elapsed else actual
        crossed = [t for t in thresholds if (reached(actual if t["on"] == "actual" else forecast, budget, t["percent"])
                                                      if budget else (actual if t["on"] == "actual" else forecast) > 0)]
        if not crossed:
            continue
        severity = max((t.get("severity", policy["severity"]) for t in crossed), key=RANK.__getitem__)
        over = max(actual, forecast) - budget
        fields = {"severity": severity, "actual": actual, "forecast": forecast.quantize(D("0.01"), rounding=ROUND_HALF_EVEN),
                  "rows": group["rows"], "data_end": numbers["data_end"]}
        if budget:
            fields.update(actual_percent=pct(actual, budget), forecast_percent=pct(forecast, budget))
        if over > 0:
            fields["overspend"] = over.quantize(D("0.01"), rounding=ROUND_HALF_EVEN)
        out[(policy["id"], owner, currency)] = fields
    # tag coverage
    policy = load_yaml(POLICIES / POLICY_FILES[1])
    spec = policy["spec"]
    for key, group in numbers["coverage"].items():
        scope, currency = key.split("|")
        total_cost, alloc = D(group["total_cost"]), D(group["allocated_cost"])
        if reached(alloc, total_cost, spec["minimum"]):
            continue
        fields = {"severity": policy["severity"], "total_cost": total_cost, "allocated_cost": alloc,
                  "unallocated_cost": total_cost - alloc, "rows": group["rows"], "allocated_rows": group["allocated_rows"],
                  "coverage_by_cost": pct(alloc, total_cost), "coverage_by_rows": pct(group["allocated_rows"], group["rows"]),
                  "keys": [[rule["key"], D(c), n, pct(D(c), total_cost), pct(n, group["rows"])]
                           for rule, (c, n) in zip(spec["keys"], group["keys"])],
                  "top": [[rid, name, service, D(cost)] for rid, name, service, cost in group["top"]]}
        if total_cost - alloc > 0:
            fields["unallocated_money"] = total_cost - alloc
        out[(policy["id"], scope, currency)] = fields
    # commitment
    policy = load_yaml(POLICIES / POLICY_FILES[2])
    spec = policy["spec"]
    for key, group in numbers["commitment"].items():
        scope, currency = key.split("|")
        fields = {"severity": policy["severity"]}
        failed = False
        if "utilization" in group:
            used, unused = D(group["utilization"]["used"]), D(group["utilization"]["unused"])
            fields.update(used_cost=used, unused_cost=unused)
            if used + unused:
                fields["utilization"] = pct(used, used + unused)
                if not reached(used, used + unused, spec["utilization"]["minimum"]):
                    failed = True
            if unused > 0:
                fields["unused_money"] = unused
            fields["top"] = [[cid, name, ctype, D(u), D(n)] for cid, name, ctype, u, n in group["top"]]
        if "coverage" in group:
            covered, eligible, uncovered = (D(group["coverage"][k]) for k in ("covered", "eligible", "uncovered"))
            fields.update(covered=covered, eligible=eligible, uncovered=uncovered)
            if eligible:
                fields["coverage"] = pct(covered, eligible)
                if not reached(covered, eligible, spec["coverage"]["minimum"]):
                    failed = True
                    if uncovered > 0:
                        fields["uncovered_money"] = uncovered
        if failed:
            out[(policy["id"], scope, currency)] = fields
    return out


def engine_findings_fields(findings: list) -> dict:
    """The same fields, read from the engine's findings (evidence and money)."""
    out = {}
    for f in findings:
        e, m = f["evidence"], f["money"]
        key = (f["policy"], f["scope"], f["currency"])
        if "budget" in e:
            fields = {"severity": f["severity"], "actual": D(e["actual"]), "forecast": D(e["forecast"]), "rows": e["rows"],
                      "data_end": e["data_end"]}
            if e.get("actual_percent") is not None:
                fields.update(actual_percent=D(e["actual_percent"]), forecast_percent=D(e["forecast_percent"]))
            if "overspend" in m:
                fields["overspend"] = D(m["overspend"])
        elif "coverage_by_cost" in e:
            fields = {"severity": f["severity"], "total_cost": D(e["total_cost"]), "allocated_cost": D(e["allocated_cost"]),
                      "unallocated_cost": D(e["unallocated_cost"]), "rows": e["rows"], "allocated_rows": e["allocated_rows"],
                      "coverage_by_cost": D(e["coverage_by_cost"]), "coverage_by_rows": D(e["coverage_by_rows"]),
                      "keys": [[k["key"], D(k["allocated_cost"]), k["allocated_rows"], D(k["coverage_by_cost"]),
                                D(k["coverage_by_rows"])] for k in e["keys"]],
                      "top": [[t["resource_id"], t["name"], t["service"], D(t["cost"])] for t in e["top_unallocated"]]}
            if "unallocated_cost" in m:
                fields["unallocated_money"] = D(m["unallocated_cost"])
        else:
            fields = {"severity": f["severity"]}
            if "used_cost" in e:
                fields.update(used_cost=D(e["used_cost"]), unused_cost=D(e["unused_cost"]))
                if "utilization" in e:
                    fields["utilization"] = D(e["utilization"])
                fields["top"] = [[t["commitment_id"], t["name"], t["type"], D(t["used"]), D(t["unused"])]
                                 for t in e["top_unused_commitments"]]
            if "eligible_contracted_cost" in e:
                fields.update(covered=D(e["covered_contracted_cost"]), eligible=D(e["eligible_contracted_cost"]),
                              uncovered=D(e["uncovered_effective_cost"]))
                if "coverage" in e:
                    fields["coverage"] = D(e["coverage"])
            if "unused_commitment_cost" in m:
                fields["unused_money"] = D(m["unused_commitment_cost"])
            if "uncovered_cost" in m:
                fields["uncovered_money"] = D(m["uncovered_cost"])
        out[key] = fields
    return out


def decimalize(value):
    """Numbers given as text -> Decimal, recursively (ints stay ints), for value comparison."""
    if isinstance(value, dict):
        return {k: decimalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decimalize(v) for v in value]
    if isinstance(value, str):
        try:
            return D(value)
        except Exception:
            return value
    return value


def differences(left, right, path="") -> list[str]:
    if isinstance(left, dict) and isinstance(right, dict):
        out = []
        for key in sorted(set(left) | set(right), key=str):
            if key not in left or key not in right:
                out.append(f"{path}/{key}: only in {'hand-written' if key not in left else 'engine'}")
            else:
                out.extend(differences(left[key], right[key], f"{path}/{key}"))
        return out
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{path}: {len(left)} vs {len(right)} items: {left!r} vs {right!r}"[:400]]
        out = []
        for index, (a, b) in enumerate(zip(left, right)):
            out.extend(differences(a, b, f"{path}[{index}]"))
        return out
    return [] if left == right else [f"{path}: engine {left!r} vs hand-written {right!r}"]


def count_values(value) -> int:
    if isinstance(value, dict):
        return sum(count_values(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_values(v) for v in value)
    return 1


# =================================================================================================
# the parent: cycles of runs, verification, table
# =================================================================================================

def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def fmt_bytes(count) -> str:
    return "" if count is None else f"{count / 1024**3:.2f} GB"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def verify(size: str, engine_out: dict, sql_out: dict, table_out: dict, notes: list) -> None:
    expected_kinds = {"budget", "coverage", "data_end", "top-commitments", "unallocated", "utilization", "commitment-coverage"}
    engine_numbers_ = dict(engine_out["numbers"])
    seen = set(engine_numbers_.pop("queries_seen"))
    if not expected_kinds <= seen:
        raise SystemExit(f"[{size}] did not capture every engine query (seen {sorted(seen)}): the comparison would be incomplete")
    if engine_out["errors"] or engine_out["skipped"]:
        raise SystemExit(f"[{size}] the engine reported errors or skipped policies: {engine_out['errors']} {engine_out['skipped']}")
    hand = sql_out["numbers"]
    if decimalize(table_out["numbers"]) != decimalize(hand):
        raise SystemExit(f"[{size}] hand-written over the CSV and over a table disagree:\n"
                         + "\n".join(differences(decimalize(table_out["numbers"]), decimalize(hand))[:20]))
    # the engine computes the top lists for failing scopes only: compare where it has them
    engine_cmp = decimalize(engine_numbers_)
    hand_cmp = decimalize(hand)
    for key, entry in engine_cmp["coverage"].items():
        if not entry.get("top") and key in hand_cmp["coverage"]:
            hand_cmp["coverage"][key]["top"] = []
    problems = differences(engine_cmp, hand_cmp)
    if problems:
        raise SystemExit(f"[{size}] the engine's raw numbers differ from the hand-written ones:\n" + "\n".join(problems[:30]))
    raw_count = count_values(engine_cmp)
    found = engine_findings_fields(engine_out["findings"])
    wanted = expected_findings(hand, size)
    problems = differences({"|".join(k): v for k, v in found.items()}, {"|".join(k): v for k, v in wanted.items()})
    if problems:
        raise SystemExit(f"[{size}] the engine's findings differ from what the hand-written numbers imply:\n" + "\n".join(problems[:30]))
    by_policy: dict = {}
    for policy, _, _ in found:
        by_policy[policy] = by_policy.get(policy, 0) + 1
    notes.append(
        f"**{size} correctness:** the engine's raw query results equal the hand-written ones, {raw_count} values compared as "
        f"`Decimal` (budget actuals and rows for {len(hand['budget'])} owners, data end {hand['data_end']}; tag coverage totals, "
        f"all keys and per key, top unallocated resources for {len(hand['coverage'])} accounts; commitment used/unused, "
        f"covered/eligible/uncovered and top unused commitments for {len(hand['commitment'])} accounts). Its "
        f"{len(found)} findings ({', '.join(f'{p}: {n}' for p, n in sorted(by_policy.items()))}) match, field for field, the "
        f"findings the hand-written numbers imply (failing scopes, severities, amounts, percentages, forecast, top lists). "
        f"(b) and (b') return identical numbers.")
    print_comparison(size, engine_cmp, hand_cmp)


def print_comparison(size: str, engine_cmp: dict, hand_cmp: dict) -> None:
    """A short side-by-side of the headline numbers (stdout, before the table)."""
    print(f"\n### {size}: engine vs hand-written (exact decimals; all {count_values(engine_cmp)} values equal)\n")
    print("| number | scope | costwarden | hand-written | equal |")
    print("|---|---|---:|---:|---|")
    for key in sorted(engine_cmp["budget"]):
        a, b = engine_cmp["budget"][key]["actual"], hand_cmp["budget"][key]["actual"]
        print(f"| budget actual (BilledCost) | {key} | {a} | {b} | {a == b} |")
    print(f"| data end | all | {engine_cmp['data_end']} | {hand_cmp['data_end']} | {engine_cmp['data_end'] == hand_cmp['data_end']} |")
    for key in sorted(engine_cmp["coverage"])[:3]:
        a, b = engine_cmp["coverage"][key], hand_cmp["coverage"][key]
        print(f"| tag coverage: allocated / total EffectiveCost | {key} | {a['allocated_cost']} / {a['total_cost']} | "
              f"{b['allocated_cost']} / {b['total_cost']} | {a == b} |")
    for key in sorted(engine_cmp["commitment"])[:3]:
        a, b = engine_cmp["commitment"][key], hand_cmp["commitment"][key]
        print(f"| commitment used / unused | {key} | {a['utilization']['used']} / {a['utilization']['unused']} | "
              f"{b['utilization']['used']} / {b['utilization']['unused']} | {a == b} |")
        print(f"| commitment covered / eligible | {key} | {a['coverage']['covered']} / {a['coverage']['eligible']} | "
              f"{b['coverage']['covered']} / {b['coverage']['eligible']} | {a == b} |")
    print()


def same_output(side: str, size: str, reference: dict, run: dict) -> None:
    keys = ("findings", "numbers") if side == "engine" else ("numbers",)
    if any(json.dumps(run[k], sort_keys=True, default=str) != json.dumps(reference[k], sort_keys=True, default=str) for k in keys):
        raise SystemExit(f"[{size}] a {side} run gave a different result than its first run")


def warm_page_cache(path: Path) -> float:
    """Read the file once so that no side pays for the first read from disk."""
    started = time.perf_counter()
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass
    return time.perf_counter() - started


def measure_size(size: str, path: Path, runs: int, rows_out: list, notes: list, *, profile: bool,
                 memory_limit: str | None) -> dict:
    rows = size_rows(size)
    log(f"[{size}] reading {path.name} once to warm the page cache: {fmt_seconds(warm_page_cache(path))}")
    results = {side: [] for side in SIDES}
    reference: dict = {}
    for cycle in range(runs):
        order = SIDES[cycle % 3:] + SIDES[:cycle % 3]
        for side in order:
            run = spawn(side, path, size)
            if side in reference:
                same_output(side, size, reference[side], run)
            else:
                reference[side] = run
            results[side].append(run)
            log(f"[{size}] run {cycle + 1}/{runs} {side}: {fmt_seconds(run['timings']['total'])} "
                f"(peak RSS {fmt_bytes(run['max_rss'])})")
        if cycle == 0:
            if reference["engine"]["rows"] != rows:
                raise SystemExit(f"[{size}] the engine loaded {reference['engine']['rows']} rows, expected {rows}")
            verify(size, reference["engine"], reference["sql"], reference["sql-table"], notes)

    def series(side, part="total"):
        return [r["timings"][part] for r in results[side]]

    def row(label, values, rss=None, bar="", result=""):
        median = statistics.median(values)
        rows_out.append((label, fmt_seconds(median), f"{fmt_seconds(min(values))} – {fmt_seconds(max(values))}",
                         fmt_rate(rows, median), rss or "", bar, result))
        return median

    def rss(side):
        values = [r["max_rss"] for r in results[side]]
        return f"{fmt_bytes(statistics.median(values))} (max {fmt_bytes(max(values))})"

    rows_out.append((f"**{size} rows** ({path.name}, {path.stat().st_size / 1e9:.2f} GB, {runs} runs)", "", "", "", "", "", ""))
    a = row("(a) costwarden `load_costs` + `evaluate`", series("engine"), rss("engine"))
    row("  (a1) of which `load_costs`", series("engine", "load"))
    row("  (a2) of which `evaluate` (3 policies)", series("engine", "evaluate"))
    b = row("(b) hand-written SQL, 3 queries over the CSV", series("sql"), rss("sql"))
    b2 = row("(b') hand-written SQL over a table loaded once", series("sql-table"), rss("sql-table"))
    row("  (b'1) of which the table load (18 columns)", series("sql-table", "load"))
    row("  (b'2) of which the 3 queries", series("sql-table", "queries"))
    ratio = a / b
    rows_out.append(("ratio (a) / (b)", f"{ratio:.2f}×", "", "", "", f"≤ {RATIO_BAR}×", "PASS" if ratio <= RATIO_BAR else "**MISS**"))
    rows_out.append(("ratio (a) / (b') (reference)", f"{a / b2:.2f}×", "", "", "", "", ""))
    peak = max(r["max_rss"] for r in results["engine"])
    if rows >= 10_000_000:
        rows_out.append(("peak RSS of (a), largest of the runs", fmt_bytes(peak), "", "", "", "< 4 GB",
                         "PASS" if peak < MEMORY_BAR else "**MISS**"))
    if memory_limit:
        log(f"[{size}] diagnostic: the engine with load_costs(memory_limit={memory_limit!r}) ...")
        limited = spawn("engine", path, size, memory_limit=memory_limit)
        same_output("engine", size, reference["engine"], limited)
        rows_out.append((f"(diagnostic) (a) with `load_costs(..., memory_limit='{memory_limit}')`, 1 run",
                         fmt_seconds(limited["timings"]["total"]), "", fmt_rate(rows, limited["timings"]["total"]),
                         fmt_bytes(limited["max_rss"]), "< 4 GB", "pass" if limited["max_rss"] < MEMORY_BAR else "miss"))
        notes.append(f"**{size} memory diagnostic:** with a DuckDB memory limit of {memory_limit} (an argument of `load_costs` "
                     f"that the CLI does not expose) the same evaluation gives the same findings, takes "
                     f"{fmt_seconds(limited['timings']['total'])} (load {fmt_seconds(limited['timings']['load'])}) and peaks at "
                     f"{fmt_bytes(limited['max_rss'])}: DuckDB then spills the table to its temporary directory.")
    worker_overhead = statistics.median(r["wall"] - r["timings"]["total"] for r in results["engine"])
    notes.append(f"**{size} start-up outside the timed region:** about {fmt_seconds(worker_overhead)} per engine worker (interpreter, "
                 f"imports, loading the 3 policies, ownership and budgets, process exit).")
    summary = {"a": a, "b": b, "b2": b2, "peak": peak, "results": results, "reference": reference}
    if profile and size == "1m":  # at 10m the rewrites alone would take most of an hour
        summary["profile"] = profile_size(size, path)
    return summary


def profile_size(size: str, path: Path) -> dict:
    log(f"[{size}] profile run: every SQL statement of the engine timed, EXPLAIN ANALYZE of the slowest, rewrites ...")
    out = spawn("profile", path, size)
    target = DATA / f"profile-{size}.json"
    target.write_text(json.dumps(out, indent=1))
    lines = [f"\n### Profile of the engine at {size} (one run; load {fmt_seconds(out['load'])}, evaluate "
             f"{fmt_seconds(out['evaluate'])})\n", "Statements by wall time (≥ 10 ms):\n"]
    for st in sorted(out["statements"], key=lambda st: -st["seconds"]):
        if st["seconds"] >= 0.01:
            text = " ".join(st["sql"].split())
            lines.append(f"- {fmt_seconds(st['seconds'])} ({st['phase']}): `{text[:150]}{'…' if len(text) > 150 else ''}`")
    for st in out["slow"]:
        text = " ".join(st["sql"].split())
        lines.append(f"\nEXPLAIN ANALYZE of `{text[:110]}…` ({fmt_seconds(st['seconds'])} in the evaluation; operator "
                     f"times are summed over DuckDB's threads; operators under 50 ms hidden):\n\n```\n{st['explain_analyze']}\n```")
    lines.append("\nThe slow statements next to rewrites returning the same rows, on the engine's loaded table "
                 "(fastest of 3, interleaved):\n")
    lines += [f"- {line}" for line in out["what_if"]]
    lines.append(f"\n(all statements and plans: {target.relative_to(ROOT)})")
    print("\n".join(lines), file=sys.stderr)
    return out


def machine_facts() -> list[str]:
    import duckdb

    load = os.getloadavg()
    return [f"- CPU: {cpu_model() or platform.processor()}; {os.cpu_count()} CPUs ({usable_cpus()} usable); memory {memory_total()}",
            f"- OS: {platform.platform()}; Python {platform.python_version()}; DuckDB {duckdb.__version__}; costwarden commit `{git_commit() or ''}`",
            f"- Load average at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (other engineers' tests share the machine)"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="costwarden cost benchmark (see the module doc and bench/README.md)")
    parser.add_argument("--sizes", default="1m,10m", help="comma-separated: 1m, 10m (default both)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per side (default 5)")
    parser.add_argument("--runs-10m", type=int, default=3, help="timed runs per side at 10m (default 3: a 10M run of the engine takes ~5 min)")
    parser.add_argument("--memory-diagnostic", default="3GB", metavar="LIMIT",
                        help="at 10m, one more engine run with load_costs(memory_limit=LIMIT) (default 3GB; 'none': skip)")
    parser.add_argument("--profile", action="store_true", help="also profile the engine's SQL (stderr, bench/data/profile-SIZE.json)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--memory-limit", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    sizes = [x.strip() for x in args.sizes.split(",") if x.strip()]
    if any(x not in ("1m", "10m") for x in sizes):
        parser.error("--sizes takes 1m and/or 10m")
    import generate_focus

    made = generate_focus.ensure(1_000_000, 10, sizes=("base", "scaled") if "10m" in sizes else ("base",), parquet=False)
    files = {"1m": made["base"], "10m": made.get("scaled")}
    rows_out: list = []
    notes: list = []
    started = time.perf_counter()
    for size in sizes:
        runs = args.runs_10m if size == "10m" else args.runs
        limit = args.memory_diagnostic if size == "10m" and args.memory_diagnostic.lower() != "none" else None
        measure_size(size, files[size], runs, rows_out, notes, profile=args.profile, memory_limit=limit)
    print("## costwarden cost benchmark\n")
    print("\n".join(machine_facts()))
    print(f"- As-of {AS_OF} (period 2026-05); policies `bench/policies/costs/` (budget per owner, tag coverage per account, "
          f"commitment utilization + coverage per account); each run a fresh process, median shown; whole benchmark "
          f"{(time.perf_counter() - started) / 60:.1f} min.\n")
    columns = {"measurement": LEFT, "median": RIGHT, "min – max": RIGHT, "rows/s": RIGHT, "peak RSS (median, max)": RIGHT,
               "bar": LEFT, "result": LEFT}
    print_table_and_notes(columns, rows_out, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
