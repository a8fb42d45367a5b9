"""costwarden benchmark of the rightsizing and waste policies, measured.

    python bench/run_waste.py [--resources 100000] [--runs 5] [--profile] [--breakdown] [--only check|memory|metrics]

The bar: "A 100k-resource inventory with metrics is evaluated by all waste policies end to
end in under 3x the time json.load takes to read it". "All waste policies" are the built-in folders
``policies/rightsizing`` and ``policies/waste`` (9 policies: rightsize-compute, previous-generation,
allowed-instance-sizes, unattached-volume, unassociated-public-ip, idle-load-balancer, zero-usage,
old-snapshot, stopped-instance), with a price table, so every finding is priced.

Prints machine facts, then one Markdown table (median of ``--runs`` runs each, min - max, peak RSS):

1. ``check`` (variant (a): statistics precomputed in the inventory, the bar's case) as a subprocess,
   wall time including interpreter start-up, against a subprocess that only ``json.load``s the same
   file. Bar: < 3x. ``orjson.loads`` for reference; the phases of ``check`` in process below the table.
2. In memory (resources already loaded, as in ``bench/run.py``): ``engine.evaluate`` of the 9 policies
   against a hand-written Python loop doing the same checks (selection, trigger, days, ladder lookup,
   projection with headroom, previous-generation lookup, price lookup, capacity, commitments). Both
   must report the same (policy, resource id) pairs with the same monthly saving (checked, or the run
   aborts). The ratio is shown against PRODUCT.md's inventory-policy bar (<= 2.5x).
3. Variant (b): the same inventory without statistics plus ``--metrics`` (a CSV of raw 6-hourly samples
   from which the engine computes the same p95 / max / days): ``check`` end to end as a subprocess, and
   ``load_metrics`` alone in process (DuckDB, rows/s). Its findings and savings must equal variant (a)'s
   (checked). On a smaller metrics file, DuckDB against the engine's Python reader (same statistics,
   checked).

Data files are generated (seeded) under ``bench/data/`` by ``bench/generate_waste.py`` when absent.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import generate_waste  # noqa: E402  (bench/generate_waste.py)
import run as inventory_bench  # noqa: E402  (bench/run.py: the as-of date and seed the waste data shares)
from common import (  # noqa: E402  (bench/common.py)
    DATA, LEFT, RIGHT, PhaseTimes, count_resources, fmt_rate, fmt_seconds, gc_text, machine_facts, median_of,
    print_table_and_notes, profile_call, run_child, spread, subprocess_env, verdict,
)

AS_OF = inventory_bench.AS_OF
SEED = inventory_bench.SEED
POLICY_PATHS = ("policies/rightsizing", "policies/waste")
OWNERSHIP = "examples/ownership.yaml"
SMALL_METRICS_RESOURCES = 10_000
LOOKBACK_DAYS = 30
assert AS_OF == generate_waste.AS_OF, "the generator and the benchmark must use the same as-of date"

BARS = {
    "check/json.load": ("<", 3.0),  # all waste policies end to end, against json.load
    "costwarden/loop": ("<=", 2.5),  # PRODUCT.md, inventory policies
}


# --- data ------------------------------------------------------------------------------------------


def ensure_data(count: int) -> dict[str, Path]:
    files = generate_waste.paths(count, DATA)
    if not all(path.exists() for path in files.values()):
        started = time.perf_counter()
        generate_waste.write_all(count, SEED, DATA)
        print(f"generated {', '.join(str(p.relative_to(ROOT)) for p in files.values())} ({count} resources, seed {SEED}) "
              f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return files


def ensure_small_metrics(files: dict[str, Path], count: int) -> Path:
    """A metrics file for the first ``count`` resources: small enough for the Python reader."""
    import orjson

    path = DATA / f"waste-metrics-first-{generate_waste.label(count)}.csv"
    if not path.exists():
        doc = orjson.loads(files["inventory"].read_bytes())
        generate_waste.write_metrics({"resources": doc["resources"][:count]}, path, SEED)
    return path


def count_rows(path: Path) -> int:
    rows = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 24):
            rows += chunk.count(b"\n")
    return rows - 1  # the header


# --- timing ----------------------------------------------------------------------------------------


class Timed:
    """The timed runs of one command: wall times, CPU times (user + system, this child's own) and peak RSS."""

    def __init__(self):
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.rss = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def run_commands(commands: list[list[str]], runs: int, expect=(0, 1)) -> list[Timed]:
    """Each command ``runs`` times after one untimed warm-up run each, **interleaved** (in turn:
    A, B, C, A, B, C, ...) so that all of them see the same load on a shared machine. Per run: the wall
    time, and from ``wait4`` the child's own CPU time and peak RSS."""
    env = subprocess_env()

    def once(command: list[str]) -> tuple[float, float, int]:
        child = run_child(command, cwd=ROOT, env=env)
        if child.returncode not in expect:
            raise SystemExit(f"command failed with exit code {child.returncode}: {' '.join(command)}\n"
                             f"{child.stderr.decode(errors='replace')[-2000:]}")
        return child.wall, child.cpu, child.max_rss

    for command in commands:
        once(command)  # warm-up: page cache, .pyc files
    results = [Timed() for _ in commands]
    for _ in range(runs):
        for command, timed in zip(commands, results):
            elapsed, cpu, rss = once(command)
            timed.times.append(elapsed)
            timed.cpu.append(cpu)
            timed.rss = max(timed.rss, rss)
    return results


def fmt_bytes(count: int | None) -> str:
    if not count:
        return ""
    return f"{count / 1024**3:.2f} GiB" if count >= 1024**3 else f"{count / 1024**2:.0f} MiB"


def peak_rss_now() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --- the hand-written loop ---------------------------------------------------------------------------


def read_catalog() -> tuple[dict, dict, dict, dict]:
    """The built-in size ladders and previous-generation map, read with PyYAML into plain dicts:
    sizes ``(provider, size lower) -> (name, family, position, vcpu, memory, architecture, burstable)``,
    families ``(provider, family) -> [size tuple, ...]``, family and size replacements."""
    import yaml

    sizes, families, family_map, size_map = {}, {}, {}, {}
    with open(ROOT / "policies" / "rightsizing" / "size-ladders.yaml", encoding="utf-8") as handle:
        for doc in yaml.safe_load_all(handle):
            if not doc or doc.get("kind") != "SizeLadders":
                continue
            provider = doc["provider"]
            for family in doc["families"]:
                ladder = []
                for position, entry in enumerate(family["sizes"]):
                    item = (entry["size"], family["family"], position, entry["vcpu"], entry["memory_gib"],
                            entry.get("architecture", family.get("architecture", "x86_64")),
                            entry.get("burstable", family.get("burstable", False)))
                    ladder.append(item)
                    sizes[(provider, entry["size"].lower())] = item
                families[(provider, family["family"])] = ladder
    with open(ROOT / "policies" / "rightsizing" / "previous-generations.yaml", encoding="utf-8") as handle:
        for doc in yaml.safe_load_all(handle):
            if not doc or doc.get("kind") != "GenerationMap":
                continue
            provider = doc["provider"]
            for item in doc.get("families", []):
                family_map[(provider, item["family"])] = tuple(item["replacements"])
            for item in doc.get("sizes", []):
                size_map[(provider, item["size"].lower())] = tuple(item["replacements"])
    return sizes, families, family_map, size_map


def read_prices(path: Path) -> dict:
    """``(provider, region or *, size lower) -> (Decimal price, unit)`` with the csv module."""
    import csv

    prices = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            prices[(row["provider"], row["region"].lower(), row["size"].lower())] = (Decimal(row["price"]),
                                                                                    row.get("unit") or "hour")
    return prices


def make_loop(parameters: dict, price_path: Path, as_of: str):
    """A hand-written loop doing the checks of the 9 policies; returns ``(policy, resource id, saving or None)``.

    It applies the documented rules directly to the plain resource dicts: what a person would write for
    these policies and this price table (one pass, dispatch by class). The only engine detail it copies is
    the projection's rounding to 2 decimals before comparing with the ceiling, so that both agree exactly
    at the boundary."""
    sizes, families, family_map, size_map = read_catalog()
    prices = read_prices(price_path)
    hours = Decimal(730)
    zero = Decimal(0)
    when = datetime.combine(datetime.fromisoformat(as_of).date(), datetime.min.time(), tzinfo=timezone.utc)
    rs = parameters["rightsize-compute"]
    below, min_days = rs["cpu_below"], rs["min_days"]
    ceiling = rs["limit"] - rs["headroom"]
    allowed = frozenset(parameters["allowed-instance-sizes"]["allowed_sizes"])
    stopped = frozenset(parameters["stopped-instance"]["stopped_states"])
    unattached = frozenset(parameters["unattached-volume"]["unattached_states"])
    idle_days = parameters["idle-load-balancer"]["min_days"]
    zero_days = parameters["zero-usage"]["min_days"]
    max_age = parameters["old-snapshot"]["max_age"]
    assert max_age.endswith("d"), max_age
    snapshot_cutoff = when - timedelta(days=int(max_age[:-1]))
    usage_metrics = ("connections", "requests", "invocations", "network_in")
    sized = frozenset({"compute.instance", "database.instance", "block.volume"})
    capacity_keys = ("Size", "VolumeSize", "diskSizeGB", "diskSizeGb", "sizeGb")

    def monthly(resource: dict, key: str):
        provider, region = resource["provider"], resource["region"]
        key = key.lower()
        found = prices.get((provider, region.lower(), key)) if region else None
        if found is None:
            found = prices.get((provider, "*", key))
            if found is None:
                return None
        price, unit = found
        if unit == "hour":
            return price * hours
        properties = resource["properties"]
        for name in capacity_keys:
            value = properties.get(name)
            if value is not None:
                return price * Decimal(str(value))
        return None

    def saving(resource: dict, current, target=None):
        if current is None:
            return None
        now = monthly(resource, current)
        if now is None:
            return None
        then = zero
        if target is not None:
            then = monthly(resource, target)
            if then is None:
                return None
        commitment = resource["properties"].get("commitment")
        if commitment is not None:
            ends = commitment.get("ends")
            if ends is None or datetime.fromisoformat(ends).replace(tzinfo=timezone.utc) > when:
                return zero
        return now - then if now > then else zero

    def price_key(resource: dict):
        return resource["size"] if resource["class"] in sized else resource["class"]

    def previous_generation(resource: dict, out: list) -> None:
        name = resource["size"]
        if not name:
            return
        provider = resource["provider"]
        size = sizes.get((provider, name.lower()))
        if size is not None and (provider, size[1]) in family_map:
            target = None
            for family in family_map[(provider, size[1])]:
                fit = next((s for s in families[(provider, family)] if s[3] >= size[3] and s[4] >= size[4]), None)
                if fit is not None and fit[5] == size[5] and fit[6] == size[6]:
                    target = fit[0]
                    break
            out.append(("previous-generation", resource["id"], saving(resource, name, target) if target else None))
            return
        replacements = size_map.get((provider, name.lower()))
        if replacements:
            out.append(("previous-generation", resource["id"], saving(resource, name, replacements[0])))

    def rightsize(resource: dict, utilization: dict, out: list) -> None:
        cpu = utilization.get("cpu")
        if cpu is None:
            return
        p95 = cpu.get("p95")
        if p95 is None or p95 >= below:
            return
        rid = resource["id"]
        days = cpu.get("days")
        if days is None or days < min_days:
            out.append(("rightsize-compute", rid, None))  # insufficient data
            return
        name = resource["size"]
        current = sizes.get((resource["provider"], name.lower())) if name else None
        if current is None:
            out.append(("rightsize-compute", rid, None))  # unknown size
            return
        if current[6]:
            return  # burstable: not evaluated
        memory = utilization.get("memory")
        memory_p95 = None
        if memory is not None:
            memory_days = memory.get("days")
            memory_p95 = memory.get("p95")
            if memory_days is None or memory_days < min_days or memory_p95 is None:
                out.append(("rightsize-compute", rid, None))  # insufficient memory data
                return
        _, family, position, vcpu, gib, architecture, _ = current
        target = None
        candidates = 0
        for size in reversed(families[(resource["provider"], family)][:position]):
            if size[5] != architecture or size[6]:
                continue
            candidates += 1
            if round(p95 * (vcpu / size[3]), 2) > ceiling:
                continue
            if memory_p95 is not None and round(memory_p95 * (gib / size[4]), 2) > ceiling:
                continue
            target = size[0]  # keep going: the smallest fitting size wins
        if target is None:
            out.append(("rightsize-compute", rid, None))  # no smaller size, or nothing fits
            return
        out.append(("rightsize-compute", rid, saving(resource, name, target)))

    def handwritten_loop(resources: list[dict]) -> list[tuple[str, str, object]]:
        out: list[tuple[str, str, object]] = []
        for resource in resources:
            kind = resource["class"]
            utilization = resource["utilization"]
            if utilization:
                for metric in usage_metrics:
                    stats = utilization.get(metric)
                    if stats is not None and stats.get("max") == 0 and (stats.get("days") or 0) >= zero_days:
                        out.append(("zero-usage", resource["id"], saving(resource, price_key(resource))))
                        break
            if kind == "compute.instance":
                size = resource["size"]
                if size is not None and size not in allowed:
                    out.append(("allowed-instance-sizes", resource["id"], None))
                if resource["state"] in stopped:
                    out.append(("stopped-instance", resource["id"], None))
                previous_generation(resource, out)
                if utilization:
                    rightsize(resource, utilization, out)
            elif kind == "block.volume":
                state = resource["state"]
                if state in unattached or (resource["provider"] == "gcp" and state == "READY"
                                           and not resource["relationships"]):
                    out.append(("unattached-volume", resource["id"], saving(resource, resource["size"])))
                previous_generation(resource, out)
            elif kind == "block.snapshot" or kind == "database.snapshot":
                created = resource["created_at"]
                if created is not None and datetime.fromisoformat(created) < snapshot_cutoff:
                    out.append(("old-snapshot", resource["id"], saving(resource, kind)))
            elif kind == "network.public-ip":
                provider = resource["provider"]
                properties = resource["properties"]
                if provider == "aws":
                    configuration = properties.get("configuration") or {}
                    free = ((properties.get("allocationId") is not None or properties.get("AllocationId") is not None
                             or configuration.get("allocationId") is not None)
                            and properties.get("associationId") is None and properties.get("AssociationId") is None
                            and configuration.get("associationId") is None)
                elif provider == "azure":
                    inner = properties.get("properties") or {}
                    free = ((properties.get("publicIPAllocationMethod") is not None
                             or inner.get("publicIPAllocationMethod") is not None)
                            and properties.get("ipConfiguration") is None and inner.get("ipConfiguration") is None
                            and properties.get("natGateway") is None and inner.get("natGateway") is None)
                else:
                    free = provider == "gcp" and resource["state"] == "RESERVED"
                if free:
                    out.append(("unassociated-public-ip", resource["id"], saving(resource, kind)))
            elif kind == "network.load-balancer":
                properties = resource["properties"]
                hosts = utilization.get("healthy_hosts") if utilization else None
                if hosts is not None and hosts.get("max") == 0 and (hosts.get("days") or 0) >= idle_days:
                    idle = True
                elif resource["provider"] == "azure":
                    pools = properties.get("backendAddressPools")
                    if pools is None:
                        pools = (properties.get("properties") or {}).get("backendAddressPools")
                    idle = pools == [] or properties.get("targets") == []
                else:
                    idle = properties.get("targets") == []
                if idle:
                    out.append(("idle-load-balancer", resource["id"], saving(resource, kind)))
        return out

    return handwritten_loop


def findings_of(result) -> dict:
    """``{(policy, resource id): saving amount or None}`` of an engine result."""
    out = {}
    for finding in result.findings:
        key = (finding.policy, finding.resource["id"])
        assert key not in out, f"costwarden reported {key} twice"
        out[key] = finding.monthly_saving.amount if finding.monthly_saving is not None else None
    return out


def findings_of_json(path: Path) -> dict:
    import orjson

    doc = orjson.loads(path.read_bytes())
    out = {}
    for finding in doc["findings"]:
        saving = finding["money"]["monthly_saving"]
        out[(finding["policy"], finding["resource"]["id"])] = Decimal(saving["amount"]) if saving else None
    return out


def agree(name: str, found: dict, expected: dict) -> None:
    """Same (policy, id) pairs and the same savings, or abort: the comparison would be meaningless."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    different = sorted(key for key in set(found) & set(expected) if found[key] != expected[key])
    if missing or extra or different:
        raise SystemExit(f"{name} and costwarden disagree: {len(missing)} findings missing (e.g. {missing[:3]}), "
                         f"{len(extra)} extra (e.g. {extra[:3]}), {len(different)} with another saving "
                         f"(e.g. {[(k, found[k], expected[k]) for k in different[:3]]})")


def summarize(found: dict) -> str:
    from collections import Counter

    by_policy = Counter(policy for policy, _ in found)
    priced = sum(1 for saving in found.values() if saving is not None)
    total = sum((saving for saving in found.values() if saving is not None), Decimal(0))
    parts = ", ".join(f"{policy} {count:,}" for policy, count in sorted(by_policy.items()))
    return (f"{len(found):,} findings ({parts}); {priced:,} with a saving, in all {total:,.2f} USD/month")


# --- the parts -------------------------------------------------------------------------------------


def in_memory(args, files: dict, rows: list, notes: list) -> None:
    from engine.api import evaluate, load_inventory, load_ownership, load_policies, load_prices

    library = load_policies(list(POLICY_PATHS))
    ownership = load_ownership(str(ROOT / OWNERSHIP))
    prices = load_prices([str(files["prices"])])
    inventory = load_inventory([str(files["inventory"])])
    resources = inventory.resources
    count = len(resources)
    parameters = {policy.id: policy.parameters for policy in library.policies}
    assert len(parameters) == 9, sorted(parameters)

    def costwarden():
        return evaluate(library, resources, ownership=ownership, as_of=AS_OF, prices=prices)

    cw_time, cw_times, result, cw_gc = median_of(args.runs, costwarden)
    assert not result.errors, result.errors[:3]
    expected = findings_of(result)
    result = None

    loop = make_loop(parameters, files["prices"], AS_OF)
    loop_time, loop_times, loop_result, loop_gc = median_of(args.runs, lambda: loop(resources))
    found = {}
    for policy, rid, saving in loop_result:
        assert (policy, rid) not in found, f"the loop reported {(policy, rid)} twice"
        found[(policy, rid)] = saving
    agree("the hand-written loop", found, expected)
    loop_result = None

    cw_cpu, cw_cpu_times, _, _ = median_of(args.runs, costwarden, collector=False)
    loop_cpu, loop_cpu_times, _, _ = median_of(args.runs, lambda: loop(resources), collector=False)

    rows.append(("**In memory, variant (a): the 9 policies over resources already loaded**", "", "", "", "", "", ""))
    rows.append(("(a) costwarden `engine.evaluate` (findings built, owners resolved, priced, sorted)", fmt_seconds(cw_time),
                 spread(cw_times), fmt_rate(count, cw_time), "", "", ""))
    rows.append(("(b) hand-written Python loop (same checks, same savings)", fmt_seconds(loop_time), spread(loop_times),
                 fmt_rate(count, loop_time), "", "", ""))
    ratio = cw_time / loop_time
    bar, ok = verdict(BARS, "costwarden/loop", ratio)
    rows.append(("ratio costwarden (a) / loop (b) (PRODUCT.md's inventory-policy bar)", f"{ratio:.2f}×", "", "", "", bar, ok))
    rows.append(("(diagnostic) (a) with the cyclic GC disabled", fmt_seconds(cw_cpu), spread(cw_cpu_times),
                 fmt_rate(count, cw_cpu), "", "", ""))
    rows.append(("(diagnostic) (b) with the cyclic GC disabled", fmt_seconds(loop_cpu), spread(loop_cpu_times),
                 fmt_rate(count, loop_cpu), "", "", ""))
    rows.append(("(diagnostic) ratio costwarden / loop, GC disabled", f"{cw_cpu / loop_cpu:.2f}×", "", "", "", "", ""))
    notes.append(f"In memory: {count:,} resources; {summarize(expected)}. costwarden and the hand-written loop report "
                 f"the same (policy, resource) pairs with the same savings (checked).")
    notes.append(f"Full (generation 2) GC collections inside the timed in-memory runs: costwarden "
                 f"{gc_text(cw_gc, args.runs)}; loop {gc_text(loop_gc, args.runs)}.")
    if args.profile:  # with the cyclic GC off, so that collection pauses are not charged to whichever function allocated
        gc.collect()
        gc.disable()
        try:
            profile_call("costwarden engine.evaluate of the 9 waste policies (in memory, variant (a), cyclic GC off)",
                         costwarden)
        finally:
            gc.enable()
    resources = inventory = None
    gc.collect()


def breakdown(args, files: dict, notes: list) -> None:
    """Where ``evaluate`` and ``render json`` spend their time, part by part, timed separately without a
    profiler and with the cyclic GC off (as ``check`` runs): per policy the selection (the policy's
    selector called on every resource), its check on the selected resources with and without the price
    table, then building the findings, sorting them, and rendering the JSON output."""
    import orjson

    from engine import __version__
    from engine.api import evaluate, load_inventory, load_ownership, load_policies, load_prices
    from engine.checks.base import CheckContext
    from engine.evaluator import as_of_datetime
    from engine.findings import Finding, resource_ref
    from engine.pricing.sources import PriceSources

    library = load_policies(list(POLICY_PATHS))
    ownership = load_ownership(str(ROOT / OWNERSHIP))
    prices = load_prices([str(files["prices"])])
    resources = load_inventory([str(files["inventory"])], freeze_gc=True).resources
    when = as_of_datetime(AS_OF)
    runs = max(3, min(args.runs, 5))

    def best(function):
        times = []
        value = None
        for _ in range(runs):
            value = None
            gc.collect()
            gc.disable()
            started = time.perf_counter()
            try:
                value = function()
            finally:
                times.append(time.perf_counter() - started)
                gc.enable()
        return statistics.median(times), value

    lines = ["  | policy | selected | findings | selection (all resources) | check, priced | check, no price source |",
             "  |---|---:|---:|---:|---:|---:|"]
    totals = [0.0, 0.0, 0.0]
    violations = []
    for policy in library.policies:
        selects = policy.selector()
        select_time, selected = best(lambda: [r for r in resources if selects(r)] if selects else list(resources))
        priced = policy.check.bind(CheckContext(as_of=when, ownership=ownership, catalog=library.catalog, prices=prices))
        unpriced = policy.check.bind(CheckContext(as_of=when, ownership=ownership, catalog=library.catalog,
                                                  prices=PriceSources()))
        check_time, found = best(lambda: [(r, v) for r in selected if (v := priced(r)) is not None])
        bare_time, _ = best(lambda: [(r, v) for r in selected if (v := unpriced(r)) is not None])
        violations.extend((policy, r, v) for r, v in found)
        totals[0] += select_time
        totals[1] += check_time
        totals[2] += bare_time
        lines.append(f"  | `{policy.id}` | {len(selected):,} | {len(found):,} | {fmt_seconds(select_time)} | "
                     f"{fmt_seconds(check_time)} | {fmt_seconds(bare_time)} |")
    lines.append(f"  | all 9 | | {len(violations):,} | {fmt_seconds(totals[0])} | {fmt_seconds(totals[1])} | "
                 f"{fmt_seconds(totals[2])} |")
    resolve = ownership.resolve

    def build():
        out = []
        for policy, resource, violation in violations:
            owner, source = resolve(resource)
            out.append(Finding(policy=policy.id, severity=violation.severity or policy.severity,
                               enforcement=violation.enforcement or policy.enforcement, message=violation.message,
                               owner=owner, owner_source=source, resource=resource_ref(resource),
                               evidence=violation.evidence, title=policy.title, monthly_cost=violation.monthly_cost,
                               monthly_saving=violation.monthly_saving))
        return out

    build_time, built = best(build)
    sort_time, _ = best(lambda: sorted(built, key=Finding.sort_key))
    built = None
    evaluate_time, result = best(lambda: evaluate(library, resources, ownership=ownership, as_of=AS_OF, prices=prices))
    to_dict_time, document = best(lambda: result.to_dict(__version__))
    fingerprint_time, _ = best(lambda: [f.fingerprint for f in result.findings])
    dumps_time, data = best(lambda: orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
                                                 default=str))
    decode_time, _ = best(lambda: data.decode("utf-8"))
    parts = (f"building the {len(violations):,} findings (owner resolution, `resource_ref`, `Finding`) "
             f"{fmt_seconds(build_time)}; sorting them {fmt_seconds(sort_time)}; `evaluate` as a whole "
             f"{fmt_seconds(evaluate_time)} (the parts add up to {fmt_seconds(sum(totals[:2]) + build_time + sort_time)}). "
             f"`render json`: `Result.to_dict` {fmt_seconds(to_dict_time)} (of which the SHA-256 fingerprints "
             f"{fmt_seconds(fingerprint_time)}), `orjson.dumps` {fmt_seconds(dumps_time)} ({len(data) / 1e6:.1f} MB), "
             f"`bytes.decode` {fmt_seconds(decode_time)}")
    jmes = []
    for policy in library.policies:
        inner = getattr(policy.check, "inner", policy.check)
        condition = getattr(inner, "condition", None)
        for leaf in getattr(condition, "leaves", ()):
            if getattr(leaf.getter, "__name__", "") == "search":  # compiled with jmespath (not a plain field chain)
                jmes.append((policy, leaf))
    if jmes:
        by_policy: dict = {}
        for policy, leaf in jmes:
            by_policy.setdefault(policy.id, (policy, []))[1].append(leaf)
        texts = []
        for policy_id, (policy, leaves) in by_policy.items():
            selects = policy.selector()
            selected = [r for r in resources if selects(r)] if selects else resources
            search_time, _ = best(lambda: [leaf.getter(r) for leaf in leaves for r in selected])
            texts.append(f"`{policy_id}`: {len(leaves)} `not_null(...)` paths × {len(selected):,} resources = "
                         f"{len(leaves) * len(selected):,} `jmespath.search` calls, {fmt_seconds(search_time)}")
        parts += ". JMESPath per resource (paths that are not plain field chains): " + "; ".join(texts)
    notes.append("`evaluate` and `render json` part by part (variant (a), timed separately, cyclic GC off, median of "
                 f"{runs}):\n\n" + "\n".join(lines) + "\n\n  " + parts + ".")
    result = document = data = resources = None
    gc.unfreeze()
    gc.collect()


def metrics_breakdown(files: dict, notes: list) -> None:
    """Where ``load_metrics`` spends its time: each SQL statement of ``engine.metrics.duck.aggregate`` timed
    (results fetched inside the timing), through a timing proxy around ``duckdb.connect`` for one call."""
    import duckdb

    from engine.metrics import load_metrics

    timings: list[tuple[str, float]] = []

    class Fetched:
        def __init__(self, rows):
            self.rows = rows

        def fetchall(self):
            return self.rows

        def fetchone(self):
            return self.rows[0] if self.rows else None

    class Timing:
        def __init__(self, connection):
            self.connection = connection

        def execute(self, sql, *rest):
            started = time.perf_counter()
            cursor = self.connection.execute(sql, *rest)
            text = " ".join(sql.split())
            returns_rows = not text.upper().startswith(("CREATE", "SET"))
            value = Fetched(cursor.fetchall()) if returns_rows else cursor
            timings.append((text, time.perf_counter() - started))
            return value

        def close(self):
            self.connection.close()

    connect = duckdb.connect
    duckdb.connect = lambda *args, **kwargs: Timing(connect(*args, **kwargs))
    try:
        started = time.perf_counter()
        load_metrics([str(files["metrics"])], as_of=datetime(2026, 11, 27, tzinfo=timezone.utc),
                     lookback=timedelta(days=LOOKBACK_DAYS))
        total = time.perf_counter() - started
    finally:
        duckdb.connect = connect
    described = {
        "CREATE TEMP TABLE checked": "read the CSV, check every row (regexes, casts), lower-case the ids",
        "SELECT count(*) FROM checked": "count the bad rows",
        "SELECT rid, metric, epoch_us(ts)": "look for duplicate samples (GROUP BY rid, metric, ts)",
        "CREATE TEMP VIEW samples": "the window (a view)",
        "SELECT rid, min(resource_id)": "the ids as written",
        "WITH ranked AS": "the statistics (window sums ordered by value per series, then FILTERed minima)",
    }
    lines = ["  | statement | what it does | time |", "  |---|---|---:|"]
    for text, seconds in timings:
        if text.startswith("SET "):
            continue
        head = next((key for key in described if text.startswith(key)), text[:40])
        lines.append(f"  | `{head} …` | {described.get(head, '')} | {fmt_seconds(seconds)} |")
    notes.append(f"`load_metrics` of {files['metrics'].name} by DuckDB statement (one run, {fmt_seconds(total)} in all):\n\n"
                 + "\n".join(lines) + "\n")


def check_command(files: dict, variant: str, out: Path) -> list[str]:
    inventory = files["inventory"] if variant == "a" else files["bare"]
    command = [sys.executable, "-m", "engine", "check"]
    for path in POLICY_PATHS:
        command += ["--policies", path]
    command += ["--prices", str(files["prices"].relative_to(ROOT)), "--inventory", str(inventory.relative_to(ROOT))]
    if variant == "b":
        command += ["--metrics", str(files["metrics"].relative_to(ROOT))]
    return command + ["--ownership", OWNERSHIP, "--as-of", AS_OF, "--format", "json", "--output", str(out)]


def end_to_end(args, files: dict, rows: list, notes: list, state: dict) -> None:
    python = sys.executable
    out = Path(tempfile.gettempdir()) / "costwarden-bench-waste-a.json"
    file = str(files["inventory"].relative_to(ROOT))
    count = count_resources(files["inventory"])
    check, load, fast = run_commands([
        check_command(files, "a", out),
        [python, "-c", f"import json; json.load(open({file!r}))"],
        [python, "-c", f"import orjson; orjson.loads(open({file!r}, 'rb').read())"],
    ], args.runs)
    check_time, check_times, check_rss = check.median, check.times, check.rss
    load_time, load_times, load_rss = load.median, load.times, load.rss
    orjson_time, orjson_times, orjson_rss = fast.median, fast.times, fast.rss
    state["a"] = findings_of_json(out)
    state["json.load"] = load_time
    size = files["inventory"].stat().st_size
    rows.append((f"**Variant (a), the bar's case: `check` end to end, {generate_waste.label(count)} resources with "
                 f"statistics in the inventory (subprocess wall time)**", "", "", "", "", "", ""))
    rows.append((f"`python -m engine check --policies policies/rightsizing --policies policies/waste --prices "
                 f"{files['prices'].name} --inventory {files['inventory'].name} --ownership … --format json --output …`",
                 fmt_seconds(check_time), spread(check_times), fmt_rate(count, check_time), fmt_bytes(check_rss), "", ""))
    rows.append((f"`python -c \"json.load(open(FILE))\"` ({size / 1e6:.1f} MB)", fmt_seconds(load_time), spread(load_times),
                 fmt_rate(count, load_time), fmt_bytes(load_rss), "", ""))
    rows.append(("`python -c \"orjson.loads(…)\"` (reference)", fmt_seconds(orjson_time), spread(orjson_times),
                 fmt_rate(count, orjson_time), fmt_bytes(orjson_rss), "", ""))
    ratio = check_time / load_time
    bar, ok = verdict(BARS, "check/json.load", ratio)
    rows.append(("ratio check (a) / json.load (the bar)", f"{ratio:.2f}×", "", "", "", bar, ok))
    rows.append(("(diagnostic) CPU time (user + system) of `check` (a)", fmt_seconds(check.cpu_median),
                 spread(check.cpu), "", "", "", ""))
    rows.append(("(diagnostic) CPU time of `json.load`", fmt_seconds(load.cpu_median), spread(load.cpu), "", "", "", ""))
    rows.append(("(diagnostic) ratio of CPU times, check (a) / json.load (less sensitive to the machine's load)",
                 f"{check.cpu_median / load.cpu_median:.2f}×", "", "", "", "", ""))
    notes.append(f"`check` (a): {summarize(state['a'])}; JSON output {out.stat().st_size / 1e6:.1f} MB.")
    phases(args, files, "a", notes)


def metrics_variant(args, files: dict, rows: list, notes: list, state: dict) -> None:
    from engine.metrics import load_metrics

    count = count_resources(files["bare"])
    samples = count_rows(files["metrics"])
    out = Path(tempfile.gettempdir()) / "costwarden-bench-waste-b.json"
    (timed,) = run_commands([check_command(files, "b", out)], args.runs)
    check_time, check_times, check_rss = timed.median, timed.times, timed.rss
    found = findings_of_json(out)
    expected = state.get("a")
    if expected is None:
        expected_out = Path(tempfile.gettempdir()) / "costwarden-bench-waste-a.json"
        subprocess.run(check_command(files, "a", expected_out), cwd=ROOT, env=subprocess_env(),
                       stdout=subprocess.DEVNULL, check=False)
        expected = findings_of_json(expected_out)
    agree("variant (b) (statistics from the metrics file)", found, expected)

    as_of = datetime(2026, 11, 27, tzinfo=timezone.utc)
    window = timedelta(days=LOOKBACK_DAYS)
    metrics_file = str(files["metrics"])

    def aggregate():
        return load_metrics([metrics_file], as_of=as_of, lookback=window)

    duck_time, duck_times, metrics, _ = median_of(args.runs, aggregate)
    series = len(metrics.series)
    metrics = None

    small = ensure_small_metrics(files, SMALL_METRICS_RESOURCES)
    small_rows = count_rows(small)
    small_duck_time, small_duck_times, small_duck, _ = median_of(
        args.runs, lambda: load_metrics([str(small)], as_of=as_of, lookback=window, python_limit=0))
    small_py_time, small_py_times, small_py, _ = median_of(
        args.runs, lambda: load_metrics([str(small)], as_of=as_of, lookback=window, python_limit=1 << 62))
    assert set(small_duck.series) == set(small_py.series), "DuckDB and the Python reader found different series"
    for key, (_, stats) in small_py.series.items():
        other = small_duck.series[key][1]
        for name, value in stats.items():
            assert (abs(value - other[name]) <= 1e-6 if name == "avg" else value == other[name]), (key, name, value, other[name])
    small_series = len(small_py.series)
    small_duck = small_py = None

    rows.append((f"**Variant (b): statistics from `--metrics` ({samples / 1e6:.2f}M raw samples, "
                 f"{files['metrics'].stat().st_size / 1e6:.0f} MB CSV), timed separately**", "", "", "", "", "", ""))
    rows.append((f"`python -m engine check … --inventory {files['bare'].name} --metrics {files['metrics'].name} …`",
                 fmt_seconds(check_time), spread(check_times), fmt_rate(count, check_time), fmt_bytes(check_rss), "", ""))
    rows.append(("(diagnostic) its CPU time (user + system; DuckDB runs on both cores)", fmt_seconds(timed.cpu_median),
                 spread(timed.cpu), "", "", "", ""))
    if "json.load" in state:
        rows.append(("ratio check (b) / json.load of the (a) inventory (for orientation; no bar)",
                     f"{check_time / state['json.load']:.2f}×", "", "", "", "", ""))
    rows.append((f"`load_metrics` in process, DuckDB path ({series:,} series; rate in samples/s)", fmt_seconds(duck_time),
                 spread(duck_times), fmt_rate(samples, duck_time), "", "", ""))
    rows.append((f"`load_metrics`, DuckDB path, first {generate_waste.label(SMALL_METRICS_RESOURCES)} resources "
                 f"({small_rows / 1e6:.2f}M samples, {small_series:,} series)", fmt_seconds(small_duck_time),
                 spread(small_duck_times), fmt_rate(small_rows, small_duck_time), "", "", ""))
    rows.append(("`load_metrics`, Python reader, same file", fmt_seconds(small_py_time), spread(small_py_times),
                 fmt_rate(small_rows, small_py_time), "", "", ""))
    rows.append(("ratio Python reader / DuckDB on that file", f"{small_py_time / small_duck_time:.2f}×", "", "", "", "", ""))
    notes.append(f"Variant (b): {samples:,} samples of {series:,} series (6-hourly, {LOOKBACK_DAYS}-day window); "
                 f"its findings and savings equal variant (a)'s (checked). On the small file, DuckDB and the Python "
                 f"reader give the same statistics (checked).")
    phases(args, files, "b", notes)


def phases(args, files: dict, variant: str, notes: list) -> None:
    """Where the time of `check` goes, in process, as the CLI runs it (the cyclic GC off, the inventory frozen)."""
    from engine import api
    from engine.outputs.atomic import write_atomic
    from engine.outputs.json_format import render_chunks

    timings = PhaseTimes()
    timed = timings.timed
    out = Path(tempfile.gettempdir()) / f"costwarden-bench-waste-phases-{variant}.json"
    inventory_file = str(files["inventory"] if variant == "a" else files["bare"])
    as_of = datetime(2026, 11, 27, tzinfo=timezone.utc)

    def one_check():
        library = timed("load_policies", lambda: api.load_policies(list(POLICY_PATHS)))
        owners = timed("load_ownership", lambda: api.load_ownership(str(ROOT / OWNERSHIP)))
        prices = timed("load_prices", lambda: api.load_prices([str(files["prices"])]))
        inventory = timed("load_inventory", lambda: api.load_inventory([inventory_file], freeze_gc=True))
        warnings = []
        if variant == "b":
            metrics = timed("load_metrics", lambda: api.load_metrics([str(files["metrics"])], as_of=as_of, lookback="30d"))
            warnings = timed("attach metrics", lambda: metrics.attach(inventory.resources))
        result = timed("evaluate", lambda: api.evaluate(library, inventory.resources, ownership=owners, as_of=as_of,
                                                        warnings=warnings, prices=prices))
        # as `check --output` does: the JSON made a batch of findings at a time, and written as it is made
        timed("render json + write_atomic", lambda: write_atomic(str(out), render_chunks(result, version="bench")))

    for _ in range(args.runs):
        timings.run_as_check(one_check)
    table = ["  | phase | median |", "  |---|---:|"]
    table += [f"  | `{name}` | {fmt_seconds(median)} |" for name, median in timings.medians().items()]
    notes.append(f"`check` ({variant}) phases in process, cyclic GC disabled as `costwarden check` runs, median of "
                 f"{args.runs}:\n\n" + "\n".join(table) + "\n")
    if args.profile:
        gc.collect()
        gc.disable()
        try:
            profile_call(f"check ({variant}) in process (load_policies → write)", one_check)
        finally:
            gc.enable()
            gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="costwarden rightsizing and waste benchmark (see bench/README.md)")
    parser.add_argument("--resources", type=int, default=100_000, help="inventory size (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement; the median is shown (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile output (stderr) of the in-memory evaluation and of check in process")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time evaluate and render json part by part (per policy: selection, check with and "
                             "without prices; findings, sort, to_dict, orjson) and load_metrics by DuckDB statement, "
                             "listed below the table")
    parser.add_argument("--only", choices=("check", "memory", "metrics"), action="append",
                        help="run only these parts (repeatable; default all)")
    args = parser.parse_args(argv)
    if args.resources < 1 or args.runs < 1:
        parser.error("--resources and --runs must be at least 1")
    parts = set(args.only or ("check", "memory", "metrics"))
    files = ensure_data(args.resources)
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows: list[tuple] = []
    notes: list[str] = []
    state: dict = {}
    if "check" in parts:
        end_to_end(args, files, rows, notes, state)
    if "memory" in parts:
        in_memory(args, files, rows, notes)
    if args.breakdown:
        breakdown(args, files, notes)
    if "metrics" in parts:
        metrics_variant(args, files, rows, notes, state)
        if args.breakdown:
            metrics_breakdown(files, notes)
    load_after = os.getloadavg()

    print("## costwarden benchmark: rightsizing and waste\n")
    print("\n".join(machine_facts()))
    print(f"- Load average (1, 5, 15 min): {' / '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' / '.join(f'{x:.2f}' for x in load_after)} after ({time.perf_counter() - started:.0f} s of benchmark)")
    print(f"- Data: {', '.join(str(p.relative_to(ROOT)) for p in files.values())} (seed {SEED}); as-of {AS_OF}; "
          f"{args.runs} timed runs per row, median shown (subprocess rows after one untimed warm-up run each, "
          f"the commands of a group interleaved run by run); "
          f"resources/s counts every resource of the file.\n")
    columns = {"measurement": LEFT, "median": RIGHT, "min – max": RIGHT, "rate": RIGHT, "peak RSS": RIGHT, "bar": LEFT,
               "result": LEFT}
    print_table_and_notes(columns, rows, notes)
    print(f"- Peak RSS of this benchmark process: {fmt_bytes(peak_rss_now())}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
