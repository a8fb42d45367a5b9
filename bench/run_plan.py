"""costwarden benchmarks for Terraform plans: reading plan JSON and evaluating the built-in library on it.

    python bench/run_plan.py [--resources 5000] [--runs 5] [--skip-checkov] [--checkov PATH]

Prints machine facts, then one Markdown table (median of ``--runs`` runs each):

1. A generated plan of about 10 MB (``bench/generate_plan.py``: 5,000 resource changes across nested
   modules, ``count`` / ``for_each``, every action, unknown and sensitive values): (e2e) the CLI,
   ``costwarden check --plan PLAN --format json --output FILE`` as a subprocess (start-up, the
   built-in library, reading the plan, evaluating, writing the JSON). Bar: < 2 s. (e2e') the same
   with ``--prices examples/prices.csv``: the change-cost-increase policy prices the change. Diagnostic rows
   through the API: (a) ``engine.load_plans([plan])`` (scope ``changes``); (b) ``engine.evaluate``
   of the built-in library (loaded once, untimed) on its resources; (a+b) both in one run.
2. The real 26-resource plan ``tests/data/realdata/infracost/terraform_v0.14_plan.json``:
   (c) ``costwarden check --plan PLAN --format json`` as a subprocess (the CLI, what a CI job
   runs); (d) ``checkov -f PLAN --framework terraform_plan`` as a subprocess, offline
   (``--skip-download``, ``BC_SKIP_MAPPING=TRUE``, ``CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE``), installed
   in its own virtual environment (``--checkov``, default ``bench/data/checkov-venv/bin/checkov``).
   Bar: checkov / costwarden >= 8x. Diagnostic rows time both in process, warm: costwarden's
   load + evaluate, and Checkov's ``terraform_plan`` ``Runner().run`` (its import timed apart).

The plan file is generated (seeded) under ``bench/data/`` when absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import (DATA, LEFT, RIGHT, fmt_seconds, machine_facts, median_of, print_table_and_notes,  # noqa: E402
                    run_child, spread, subprocess_env, verdict)

INFRACOST = ROOT / "tests" / "data" / "realdata" / "infracost" / "terraform_v0.14_plan.json"
PRICES = ROOT / "examples" / "prices.csv"  # the price table of the examples: prices the generated plan's AWS sizes it lists
AS_OF = "2026-11-27"
SEED = 1
BARS = {"cli": ("<", 2.0), "checkov": (">=", 8.0)}
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}



def cli(plan: Path, output: Path) -> list[str]:
    """costwarden check on a plan, as a CI job runs it (the built-in library; the findings to a JSON file)."""
    return [sys.executable, "-m", "engine", "check", "--plan", str(plan), "--as-of", AS_OF, "--no-config",
            "--format", "json", "--output", str(output)]


CHECKOV_IN_PROCESS = """
import json, os, sys, time
started = time.perf_counter()
from checkov.runner_filter import RunnerFilter
from checkov.terraform.plan_runner import Runner
imported = time.perf_counter() - started
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    report = Runner().run(root_folder=None, files=[sys.argv[1]], runner_filter=RunnerFilter(framework=["terraform_plan"]))
    times.append(time.perf_counter() - started)
print(json.dumps({"import": imported, "times": times, "failed": len(report.failed_checks),
                  "passed": len(report.passed_checks), "resources": len(report.resources)}))
"""


def children(command: list[str], runs: int, env: dict, ok=(0,)):
    run_child(command, cwd=ROOT, env=env)  # warm-up: bytecode caches, file cache
    results = [run_child(command, cwd=ROOT, env=env) for _ in range(runs)]
    for result in results:
        if result.returncode not in ok:
            sys.exit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr.decode(errors='replace')[-2000:]}")
    walls = [result.wall for result in results]
    return statistics.median(walls), walls, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-checkov", action="store_true")
    parser.add_argument("--checkov", type=Path, default=DATA / "checkov-venv" / "bin" / "checkov")
    args = parser.parse_args()

    import engine
    from generate_plan import write_plan

    plan = DATA / f"plan-{args.resources // 1000}k.json"
    if not plan.exists():
        write_plan(args.resources, SEED, plan)
    library = engine.load_policies()
    rows, notes = [], []

    def row(what, median, times, extra="", bar=("", "")):
        rows.append((what, fmt_seconds(median), spread(times), extra, *bar))

    # 1. the generated plan, in process
    load_median, load_times, snapshot, _ = median_of(args.runs, lambda: engine.load_plans([str(plan)]))
    evaluate_median, evaluate_times, result, _ = median_of(
        args.runs, lambda resources: engine.evaluate(library, resources, as_of=AS_OF),
        setup=lambda: engine.load_plans([str(plan)]).resources)
    both_median, both_times, _, _ = median_of(
        args.runs, lambda: engine.evaluate(library, engine.load_plans([str(plan)]).resources, as_of=AS_OF))
    size = plan.stat().st_size / 1e6
    counts = snapshot.counts
    row(f"(a) load_plans, {size:.1f} MB plan, {sum(counts.values()):,} changes (diagnostic)", load_median, load_times,
        f"{len(snapshot.resources):,} resources in scope")
    row("(b) evaluate, built-in library (diagnostic)", evaluate_median, evaluate_times, f"{len(result.findings):,} findings")
    row("(a+b) load + evaluate (diagnostic)", both_median, both_times)
    env = subprocess_env()
    output = DATA / "plan-findings.json"
    e2e_median, e2e_times, _ = children(cli(plan, output), args.runs, env, ok=(0, 1))
    findings = json.loads(output.read_text())["summary"]["findings"]
    rows.insert(0, (f"(e2e) costwarden check --plan, {size:.1f} MB plan, subprocess", fmt_seconds(e2e_median),
                    spread(e2e_times), f"{findings:,} findings", *verdict(BARS, "cli", e2e_median, " s")))
    priced_median, priced_times, _ = children([*cli(plan, output), "--prices", str(PRICES)], args.runs, env, ok=(0, 1))
    change = json.loads(output.read_text())["change"]
    rows.insert(1, ("(e2e') the same with --prices: the change priced per owner, subprocess", fmt_seconds(priced_median),
                    spread(priced_times), f"{change['priced']:,} priced, {change['unpriced']:,} unpriced, "
                    f"{change['not_billed']:,} not billed", "", ""))
    notes.append(f"Generated plan: {plan.relative_to(ROOT)}, seed {SEED}; actions "
                 + ", ".join(f"{action} {count:,}" for action, count in sorted(counts.items()))
                 + f"; {sum(1 for r in snapshot.resources if r['change']['unknown']):,} resources in scope with "
                 f"unknown values, {sum(1 for r in snapshot.resources if r['change']['sensitive']):,} with sensitive ones.")

    # 2. the real infracost plan: costwarden vs Checkov
    small = engine.load_plans([str(INFRACOST)])
    small_result = engine.evaluate(library, small.resources, as_of=AS_OF)
    cw_median, cw_times, _ = children(cli(INFRACOST, output), args.runs, env, ok=(0, 1))
    row(f"(c) costwarden check --plan, infracost plan ({len(small.resources)} of 26 changes in scope), subprocess",
        cw_median, cw_times, f"{len(small_result.findings)} findings")
    warm_median, warm_times, _, _ = median_of(
        args.runs * 4, lambda: engine.evaluate(library, engine.load_plans([str(INFRACOST)]).resources, as_of=AS_OF))
    row("(c') costwarden load + evaluate in process (diagnostic)", warm_median, warm_times)
    if not args.skip_checkov:
        checkov = args.checkov
        if not checkov.exists():
            sys.exit(f"{checkov} not found: python3 -m venv bench/data/checkov-venv && "
                     "bench/data/checkov-venv/bin/pip install checkov (or --skip-checkov)")
        version = subprocess.run([str(checkov), "--version"], capture_output=True, text=True).stdout.strip()
        checkov_env = {**os.environ, **CHECKOV_ENV}
        command = [str(checkov), "-f", str(INFRACOST), "--framework", "terraform_plan", "--skip-download", "--quiet",
                   "--compact", "-o", "json"]
        ck_median, ck_times, _ = children(command, args.runs, checkov_env, ok=(0, 1))
        ratio = ck_median / cw_median
        row(f"(d) checkov {version} -f PLAN --framework terraform_plan, subprocess", ck_median, ck_times,
            f"{ratio:.1f}× (c)", verdict(BARS, "checkov", ratio))
        python = checkov.parent / "python"
        out = subprocess.run([str(python), "-c", CHECKOV_IN_PROCESS, str(INFRACOST), str(args.runs)],
                             capture_output=True, text=True, env=checkov_env, cwd=ROOT, check=True).stdout
        inside = json.loads(out.strip().splitlines()[-1])
        in_median = statistics.median(inside["times"])
        row("(d') Checkov Runner().run in process (diagnostic)", in_median, inside["times"],
            f"{in_median / warm_median:.0f}× (c'); import {fmt_seconds(inside['import'])}")
        notes.append(f"Checkov ran {inside['passed'] + inside['failed']} checks on {inside['resources']} resources "
                     f"({inside['failed']} failed); costwarden's built-in library has {len(library.policies)} policies "
                     "(FinOps tagging and sizing, not security): the rows compare what each tool takes to gate a "
                     "plan, not the same checks.")

    print("\n".join(machine_facts()))
    print()
    print_table_and_notes({"what": LEFT, "median": RIGHT, "min – max": RIGHT, "": LEFT, "bar": RIGHT, "result": LEFT},
                          rows, notes)


if __name__ == "__main__":
    main()
