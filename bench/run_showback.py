"""Showback benchmark: the report's numbers (engine.showback) against a tag-coverage policy on the same FOCUS data.

    python bench/run_showback.py [--rows 1m] [--runs 5] [--findings 100000]

The bar (the showback brief): the showback queries over 1M FOCUS rows cost no more than a
tag-coverage policy's query on the same data. The data is ``bench/data/focus-<rows>.csv`` from
``bench/generate_focus.py`` (generated when absent), loaded once with ``engine.load_costs`` (every
column the sides read); the Ownership document is ``bench/policies/costs/ownership.yaml`` (tag
``owner``, an account map, resource-id patterns, a default) and the policy
``bench/policies/costs/allocation-coverage.yaml`` (three keys, per account). As-of 2026-05-31: the
window is May 2026, all rows; the previous window (April) is scanned and empty.

Rows, each timed in process with the sides taking turns within each cycle (median of the runs):

* ``tag-coverage policy, coverage query``: the policy's first query (``coverage_query``) alone;
* ``tag-coverage policy, run``: the policy's whole run (its coverage query and its top-resources query);
* ``tag-coverage policy, coverage query, scope owner``: the same query with ``scope: owner``, which
  evaluates the ownership chain per row as showback does;
* ``showback``: :func:`engine.showback.showback` — one query: owner, currency, service, category,
  current and previous window;
* ``showback + allocation + chargeback``: the same with an Allocation of four rules (a service, an
  account, a tag, the unassigned remainder) and :func:`engine.showback.chargeback`;
* ``scorecard``: :func:`engine.showback.scorecard` (tag coverage, commitment coverage and budget
  queries per owner, no findings);
* ``history``: ``--findings`` synthetic findings appended to a new history file, read back and
  compared (:func:`engine.showback.open_history`, ``compare_runs``).

Before the timed runs, the showback's totals are checked against a plain ``sum(EffectiveCost)`` per
currency and the chargeback's lines against the totals (exactly); any difference aborts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import DATA, LEFT, RIGHT, fmt_seconds, machine_facts, print_table_and_notes, spread  # noqa: E402

ALLOCATION = """\
apiVersion: costwarden/v1
kind: Allocation
id: bench
rules:
  - id: support
    select: {ServiceName: [AWS Support, Support]}
  - id: sandbox
    select: {SubAccountId: ["200000000014"]}
    split: fixed
    shares: {payments: 40, data: 35, platform: 25}
  - id: staging
    select: {tag: {key: environment, values: [staging]}}
    split: even
  - id: untagged
    select: {unassigned: true}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1m")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--findings", type=int, default=100_000)
    args = parser.parse_args()

    import engine
    from engine.checks.base import CheckContext
    from engine.checks.tag_coverage import allocation_flags, coverage_query
    from engine.costs import sql
    from engine.costs.scope import Scope
    from engine.library import load_library
    from engine.showback import (
        chargeback, compare_runs, load_allocation, open_history, report_window, scorecard, scorecard_columns, showback,
        showback_columns,
    )

    csv = DATA / f"focus-{args.rows}.csv"
    if not csv.exists():
        rows = int(args.rows[:-1]) * (1_000_000 if args.rows.endswith("m") else 1000)
        subprocess.run([sys.executable, str(BENCH / "generate_focus.py"), "--rows", str(rows), "--no-parquet"], check=True)
    ownership = engine.load_ownership(str(BENCH / "policies" / "costs" / "ownership.yaml"))
    library = load_library([str(BENCH / "policies" / "costs" / "allocation-coverage.yaml")])
    (policy,) = library.policies.values() if isinstance(library.policies, dict) else library.policies
    with tempfile.TemporaryDirectory() as folder:
        allocation_file = Path(folder) / "allocation.yaml"
        allocation_file.write_text(ALLOCATION)
        allocation = load_allocation(allocation_file)
    columns = showback_columns("EffectiveCost", allocation) | scorecard_columns() | policy.check.columns()
    started = time.perf_counter()
    costs = engine.load_costs([str(csv)], columns=columns)
    load_seconds = time.perf_counter() - started
    as_of = dt.datetime(2026, 5, 31, 23, 59, 59)
    window = report_window(as_of)
    context = CheckContext(as_of=as_of, ownership=ownership)

    # verification, untimed
    spend = showback(costs, ownership, window, allocation=allocation)
    plain = dict(costs.query(
        f"SELECT BillingCurrency, sum(EffectiveCost) FROM {costs.table} WHERE ChargePeriodStart >= TIMESTAMP '2026-05-01'"
        f" AND ChargePeriodStart < TIMESTAMP '2026-05-31 23:59:59' GROUP BY ALL"))
    if spend.totals != plain:
        raise SystemExit(f"showback totals {spend.totals} differ from sum(EffectiveCost) {plain}")
    bill = chargeback(spend)
    for currency, total in plain.items():
        if sum((line.total for line in bill.lines if line.currency == currency), Decimal(0)) != total:
            raise SystemExit(f"chargeback lines of {currency} do not add up to {total}")

    def coverage_only(scope_of=None):
        d, period = costs.dialect, window.period()
        tags = sql.TagJoin(costs.table, sql.period_filter(d, period))
        scope = (scope_of or policy.check.scope).sql(d, ownership, tags)
        flags = allocation_flags(d, list(policy.check.rules), policy.check.match, tags)
        return costs.query(coverage_query(costs.table, d, scope_sql=scope, flags=flags, categories=policy.check.categories,
                                          period=period, tags=tags))

    sides = {
        "tag-coverage policy, coverage query": coverage_only,
        "tag-coverage policy, run": lambda: policy.check.run(costs, context, policy.severity),
        "tag-coverage policy, coverage query, scope owner": lambda: coverage_only(Scope("owner")),
        "showback": lambda: showback(costs, ownership, window),
        "showback + allocation + chargeback": lambda: chargeback(showback(costs, ownership, window, allocation=allocation)),
        "scorecard": lambda: scorecard(costs, ownership, window, spend=spend),
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for cycle in range(args.runs):
        order = names[cycle % len(names):] + names[:cycle % len(names)]
        for name in order:
            started = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - started)

    history_times = history_run(args.findings, open_history, compare_runs) if args.findings else None

    base = statistics.median(times["tag-coverage policy, coverage query"])
    rows = []
    for name in names:
        median = statistics.median(times[name])
        rows.append((name, fmt_seconds(median), spread(times[name]), f"{median / base:.2f}×"))
    if history_times:
        for name, seconds in history_times.items():
            rows.append((name, fmt_seconds(seconds), "one run", ""))
    print(f"## Showback over {costs.rows:,} FOCUS rows ({csv.name})\n")
    print_table_and_notes(
        {"what": LEFT, "median": RIGHT, "min – max": RIGHT, "vs coverage query": RIGHT},
        rows,
        [f"loading the snapshot ({len(columns)} columns): {fmt_seconds(load_seconds)} (not in the rows)",
         f"{args.runs} runs per row, sides taking turns; showback owners: {len(spend.owners)}, chargeback lines: {len(bill.lines)}",
         "bar: showback ≤ 1× the tag-coverage policy's coverage query: "
         + ("pass" if statistics.median(times["showback"]) <= base else "**MISS**")
         + "; with scope owner: "
         + ("pass" if statistics.median(times["showback"]) <= statistics.median(times["tag-coverage policy, coverage query, scope owner"])
            else "**MISS**"),
         *machine_facts()],
    )


def history_run(count: int, open_history, compare_runs) -> dict:
    """Append ``count`` synthetic findings to a new history file, read the run back and compare it with itself."""
    from engine.findings import Finding, Money
    from engine.showback.history import RunRecord, finding_record

    findings = [
        Finding(f"policy-{i % 20}", "medium", "enforce", "m", f"team-{i % 7}", "tag:owner",
                {"id": f"i-{i:08x}", "type": "aws_instance", "class": "instance", "provider": "aws", "account": "1", "region": "x", "name": None},
                {}, monthly_cost=Money(Decimal("12.5"), "USD"), monthly_saving=Money(Decimal("3.25"), "USD") if i % 3 else None)
        for i in range(count)
    ]
    out = {}
    started = time.perf_counter()
    record = RunRecord("2026-05-31T23:59:59Z", None, "bench", tuple(finding_record(f) for f in findings))
    out[f"history: {count:,} findings made into records"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        with open_history(Path(folder) / "runs.duckdb") as history:
            started = time.perf_counter()
            history.append(record)
            out[f"history: {count:,} findings appended"] = time.perf_counter() - started
            started = time.perf_counter()
            latest = history.latest()
            out[f"history: {count:,} findings read back"] = time.perf_counter() - started
            started = time.perf_counter()
            compare_runs(record, latest)
            out[f"history: {count:,} findings compared"] = time.perf_counter() - started
    return out


if __name__ == "__main__":
    main()
