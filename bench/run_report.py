"""costwarden benchmark for the monthly report: ``report`` against ``check`` on the same inputs.

    python bench/run_report.py [--resources 100000] [--rows 1m] [--runs 3] [--profile]

Inputs (generated, seeded, under ``bench/data/`` when absent): the 100k-resource inventory of
``bench/generate_inventory.py`` and the 1M-row FOCUS file of ``bench/generate_focus.py``; the
built-in library plus the three cost policies of ``bench/policies/costs/`` with their Ownership and
Budgets documents; the period 2026-05 (the month the FOCUS file holds).

Rows (each a fresh subprocess, median of ``--runs`` after one untimed warm-up, the commands taking turns; wall time):

(a) ``costwarden check <inputs> --format json --output findings.json``: the evaluation and the
    findings document, as CI writes it;
(b) ``costwarden report <inputs> --output DIR``: the same evaluation, then the report model, the
    HTML pages (the index and one page per owner), the Markdown summary, findings.json (the same
    document as (a)), the showback and chargeback when ``engine.showback`` is there, all written as
    one folder;
(a') ``check`` with its text report to standard output (closed): for reference.

Bar: (b) / (a) under 1.5x. ``--profile`` prints, on stderr, cProfile's top functions of the report's
own work (what (b) does after the evaluation) run in process.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from common import (DATA, LEFT, RIGHT, fmt_seconds, machine_facts, print_table_and_notes, run_child, spread,  # noqa: E402
                    subprocess_env, verdict)

COSTS = BENCH / "policies" / "costs"
PERIOD = "2026-05"
BARS = {"report": ("<", 1.5)}


def inputs(inventory: Path, focus: Path) -> list[str]:
    return ["--policies", "builtin", *[arg for name in ("team-budget.yaml", "allocation-coverage.yaml", "compute-commitments.yaml")
                                       for arg in ("--policies", str(COSTS / name))],
            "--inventory", str(inventory), "--costs", str(focus), "--budgets", str(COSTS / "budgets-1m.yaml"),
            "--ownership", str(COSTS / "ownership.yaml"), "--period", PERIOD, "--no-config"]


def ensure_data(resources: int, rows: str) -> tuple[Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    inventory = DATA / f"inventory-{resources // 1000}k.json"
    if not inventory.exists():
        subprocess.run([sys.executable, str(BENCH / "generate_inventory.py"), "--resources", str(resources), "--seed", "1",
                        "--out", str(inventory)], check=True)
    focus = DATA / f"focus-{rows}.csv"
    if not focus.exists():
        count = int(rows[:-1]) * (1_000_000 if rows.endswith("m") else 1000)
        subprocess.run([sys.executable, str(BENCH / "generate_focus.py"), "--rows", str(count), "--no-parquet"], check=True)
    return inventory, focus


def timed(commands: dict, runs: int, env: dict, before: dict) -> dict:
    """``{name: (median, walls, results)}``: each command warmed up once, then the commands take turns
    (a, b, a', a, b, a', ...) so that the load of other processes on the machine falls on all of them alike."""
    ok = (0, 1)  # 1: open findings, as expected on this estate
    results: dict = {name: [] for name in commands}
    for cycle in range(runs + 1):
        for name, command in commands.items():
            if name in before:
                before[name]()
            result = run_child(command, cwd=ROOT, env=env)
            if result.returncode not in ok:
                sys.exit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr.decode(errors='replace')[-3000:]}")
            if cycle:  # cycle 0 is the warm-up
                results[name].append(result)
    return {name: (statistics.median(r.wall for r in found), [r.wall for r in found], found) for name, found in results.items()}


def profile(args: list[str], out: Path) -> None:
    """The report's own work, in process, under cProfile (the evaluation before it is not profiled)."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from click.testing import CliRunner

    from engine import cli

    real = cli._write_report if hasattr(cli, "_write_report") else None  # noqa: SLF001 - the bench looks inside
    profiler = cProfile.Profile()

    def wrapped(*a, **k):
        profiler.enable()
        try:
            return real(*a, **k)
        finally:
            profiler.disable()

    cli._write_report = wrapped  # noqa: SLF001
    try:
        CliRunner().invoke(cli.main, ["report", *args, "--output", str(out)])
    finally:
        cli._write_report = real  # noqa: SLF001
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--rows", default="1m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    inventory, focus = ensure_data(options.resources, options.rows)
    args = inputs(inventory, focus)
    env = subprocess_env()
    work = Path(tempfile.mkdtemp(prefix="costwarden-bench-report-"))
    try:
        check_json = [sys.executable, "-m", "engine", "check", *args, "--format", "json", "--output", str(work / "findings.json")]
        check_text = [sys.executable, "-m", "engine", "check", *args]
        report = [sys.executable, "-m", "engine", "report", *args, "--output", str(work / "report"), "--quiet"]
        times = timed({"a": check_json, "b": report, "t": check_text}, options.runs, env,
                      before={"b": lambda: shutil.rmtree(work / "report", ignore_errors=True)})
        (a, a_walls, a_runs), (b, b_walls, b_runs), (t, t_walls, _) = times["a"], times["b"], times["t"]
        same = (work / "findings.json").read_bytes() == (work / "report" / "findings.json").read_bytes()
        document = json.loads((work / "findings.json").read_bytes())
        pages = sorted((work / "report").rglob("*.html"))
        size = sum(p.stat().st_size for p in (work / "report").rglob("*") if p.is_file())
        for line in machine_facts():
            print(line)
        print()
        ratio = b / a
        bar, mark = verdict(BARS, "report", ratio)
        rows = [
            ("(a) check --format json --output", fmt_seconds(a), spread(a_walls), f"{max(r.max_rss for r in a_runs) / 2**20:,.0f} MiB", ""),
            ("(b) report --output DIR", fmt_seconds(b), spread(b_walls), f"{max(r.max_rss for r in b_runs) / 2**20:,.0f} MiB", ""),
            ("(a') check, text to standard output", fmt_seconds(t), spread(t_walls), "", "reference"),
            ("(b) / (a)", f"{ratio:.2f}×", "", "", f"{mark} (bar {bar})"),
        ]
        notes = [f"{options.resources:,} resources, FOCUS {focus.name} ({focus.stat().st_size / 2**20:,.0f} MiB), period {PERIOD}; "
                 f"{document['summary']['findings']:,} findings, {len(document['summary']['by_owner'])} owners.",
                 f"The report wrote {len(pages)} HTML pages, {size / 2**20:,.1f} MiB in all; its findings.json "
                 f"{'is' if same else 'is NOT'} byte-identical to check's."]
        print_table_and_notes({"row": LEFT, "median": RIGHT, "runs": LEFT, "peak RSS": RIGHT, "": LEFT}, rows, notes)
        if options.profile:
            profile(args, work / "profiled")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
