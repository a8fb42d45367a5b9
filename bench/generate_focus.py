"""Seeded FOCUS 1.2 cost files for the cost benchmark (bench/run_costs.py): 1M and 10M rows.

    python bench/generate_focus.py [--rows 1000000] [--scale 10] [--seed 1] [--jobs 2] [--no-parquet] [--force]

The rows come from the independent generator the tests use (PyPI ``focus-data-toolkit==0.14.1``,
command ``focus-toolkit``), never from costwarden itself:

1. **Chunks.** ``--rows`` is generated as chunks of 100,000 rows (the toolkit builds a file in
   memory: 100k rows take about 10-25 s and 0.6-0.7 GB), ``--jobs`` at a time. Chunk ``i`` gets
   seed ``1000 * seed + i`` and a provider from the cycle aws, aws, azure, gcp, aws, azure, gcp,
   aws, azure, gcp (10 chunks: 4 AWS, 3 Azure, 3 GCP). All are FOCUS 1.2, all in May 2026
   (charge periods from 2026-05-01 to 2026-05-29, monthly charges to 2026-06-01), all USD.
2. **Concatenation and tag damage** (DuckDB, every column read as text and written back
   unchanged except ``Tags``). The toolkit tags every row with three keys (``Owner``,
   ``CostCenter``, ``Environment`` on AWS and Azure; ``owner``, ``cost-center``,
   ``environment`` on GCP), so tag coverage would be 100 %. A hash of the row (MD5 of the chunk
   index, the seed and identifying columns; stable across DuckDB versions) picks what happens
   to each row:

   * ``CostCenter`` (AWS, Azure) becomes ``cost_center`` (80 %), ``Cost-Center`` (10 %) or stays
     ``CostCenter`` (10 %: drift that normalized matching does not repair);
   * then, per mille of rows: 60 no Tags at all (null); 40 only a noise tag; 50 lose the owner
     key; 20 spell it ``OWNER`` and 20 `` Owner`` (leading space); 20 have a blank owner
     value; 20 a key-only owner (``true``); 40 ``Environment: Production`` (not an allowed
     value); 20 lose the environment key; 30 have a cost center outside ``^cc-[0-9]{4}$``;
     20 carry a second, exactly spelled ``owner`` key naming nobody known (``Owner`` and
     ``owner`` in one object); 30 have the owner value upper-cased and padded
     (`` TEAM-DATA ``, still resolvable); 15 have a trailing space in the environment value.
     The other 61.5 % are untouched.

   The result is ``bench/data/focus-1m.csv`` (named after ``--rows``).
3. **Scale-up.** ``--scale`` copies of that file make ``focus-10m.csv``. Copy ``k`` (k = 0..9)
   appends ``~k`` to ``ResourceId``, ``ResourceName``, ``CommitmentDiscountId`` and
   ``InvoiceId`` (copy 0 is the original), and moves the charge period of rows whose charge
   period is at most one day (hourly and daily rows) ``3k`` hours later. Monthly rows keep
   their period. **Every row stays in May 2026**: hourly rows end by 2026-05-30 03:00, and the
   month-scoped cost policies therefore see all 10M rows. Shifting by whole months instead
   would leave 90 % of the rows outside the evaluated month, and the benchmark would mostly
   measure the period filter rather than the aggregation. The copies are written with DuckDB
   ``COPY`` (one part per copy, in order) and joined into one file.
4. **Parquet** (unless ``--no-parquet``): each CSV is also written as Parquet with FOCUS types
   (money DECIMAL(38,12), timestamps TIMESTAMP WITH TIME ZONE, ids VARCHAR, ``Tags`` text).

Files go to ``bench/data/`` (git-ignored); existing outputs are reused unless ``--force``. The
same seed always gives byte-identical files (SHA-256 printed). Timings are printed on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
CHUNK_ROWS = 100_000
PROVIDERS = ("aws", "aws", "azure", "gcp", "aws", "azure", "gcp", "aws", "azure", "gcp")
FOCUS_VERSION = "1.2"
TOOLKIT_VERSION = "0.14.1"
SHIFT_HOURS = 3

# FOCUS columns read as decimals/timestamps in the Parquet copy (everything else stays text)
DECIMALS = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ListUnitPrice", "ContractedUnitPrice",
    "PricingQuantity", "ConsumedQuantity", "CommitmentDiscountQuantity", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice",
)
TIMESTAMPS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")


def label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def toolkit() -> str:
    """The focus-toolkit command installed next to this interpreter (the test extra pins it)."""
    candidate = Path(sys.executable).with_name("focus-toolkit")
    found = str(candidate) if candidate.exists() else shutil.which("focus-toolkit")
    if not found:
        raise SystemExit("focus-toolkit is not installed: pip install -e '.[test]' (focus-data-toolkit==0.14.1)")
    done = subprocess.run([found, "version"], capture_output=True, text=True)
    if TOOLKIT_VERSION not in done.stdout + done.stderr:
        log(f"warning: focus-toolkit is not version {TOOLKIT_VERSION} ({(done.stdout + done.stderr).strip()[:80]}); "
            "the files will differ from the documented ones")
    return found


def connect():
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone='UTC'")
    return connection


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- 1. chunks -----------------------------------------------------------------------------------


def generate_chunks(rows: int, seed: int, jobs: int, force: bool) -> list[Path]:
    if rows % CHUNK_ROWS:
        raise SystemExit(f"--rows must be a multiple of {CHUNK_ROWS}")
    command = toolkit()
    folder = DATA / f"focus-chunks-seed{seed}"
    plan = []
    for index in range(rows // CHUNK_ROWS):
        provider = PROVIDERS[index % len(PROVIDERS)]
        out = folder / f"chunk-{index:03d}-{provider}"
        plan.append((index, provider, 1000 * seed + index, out))

    def one(item) -> tuple[Path, float]:
        index, provider, chunk_seed, out = item
        target = out / f"focus_1_2_cost_and_usage_{provider}.csv"
        if target.exists() and not force:
            return target, 0.0
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        done = subprocess.run(
            [command, "generate", "--provider", provider, "--focus-version", FOCUS_VERSION, "--rows", str(CHUNK_ROWS),
             "--seed", str(chunk_seed), "--out", str(out)],
            capture_output=True, text=True)
        if done.returncode != 0 or not target.exists():
            raise SystemExit(f"focus-toolkit failed for chunk {index}:\n{done.stderr[-2000:]}")
        return target, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, plan))
    generated = [seconds for _, seconds in results if seconds]
    log(f"chunks: {len(plan)} x {CHUNK_ROWS} rows ({', '.join(p for _, p, _, _ in plan)}) in {folder.relative_to(BENCH.parent)}: "
        f"{len(generated)} generated, {time.perf_counter() - started:.1f} s wall with {jobs} job(s)"
        + (f", {sum(generated) / len(generated):.1f} s per chunk" if generated else " (all reused)"))
    return [path for path, _ in results]


# --- 2. concatenation and tag damage -----------------------------------------------------------

def damaged_tags_sql(seed: int) -> tuple[str, str, str]:
    """Three expressions, applied in layers: the row hash ``h`` (from ``chunk`` and the row), the
    tags ``t`` after the CostCenter drift (uses ``b``), the final tags (uses ``t`` and ``a``)."""
    row_hash = (
        f"md5_number(chunk || '|{seed}|' || coalesce(InvoiceId, '') || '|' || coalesce(ResourceId, '') || '|' || "
        "ChargePeriodStart || '|' || ChargeCategory || '|' || coalesce(SkuPriceId, '') || '|' || BilledCost || '|' || "
        "EffectiveCost || '|' || coalesce(CommitmentDiscountId, '') || '|' || coalesce(Tags, ''))"
    )
    # step 1: CostCenter drift (AWS and Azure spell it CostCenter, GCP cost-center)
    renamed = (
        "CASE WHEN json_extract(Tags, '$.CostCenter') IS NULL THEN Tags::JSON"
        " WHEN b < 80 THEN json_merge_patch(Tags, json_object('CostCenter', NULL::JSON, 'cost_center', json_extract(Tags, '$.CostCenter')))"
        " WHEN b < 90 THEN json_merge_patch(Tags, json_object('CostCenter', NULL::JSON, 'Cost-Center', json_extract(Tags, '$.CostCenter')))"
        " ELSE Tags::JSON END"
    )
    owner_key = "(CASE WHEN json_extract(t, '$.Owner') IS NOT NULL THEN 'Owner' ELSE 'owner' END)"
    env_key = "(CASE WHEN json_extract(t, '$.Environment') IS NOT NULL THEN 'Environment' ELSE 'environment' END)"
    cc_key = ("(CASE WHEN json_extract(t, '$.cost_center') IS NOT NULL THEN 'cost_center' "
              "WHEN json_extract(t, '$.\"Cost-Center\"') IS NOT NULL THEN 'Cost-Center' "
              "WHEN json_extract(t, '$.CostCenter') IS NOT NULL THEN 'CostCenter' ELSE 'cost-center' END)")

    def member(key_sql: str) -> str:
        return f"json_extract(t, '$.\"' || {key_sql} || '\"')"

    def text(key_sql: str) -> str:
        return f"json_extract_string(t, '$.\"' || {key_sql} || '\"')"

    def rename_owner(new: str) -> str:
        return f"json_merge_patch(t, json_object({owner_key}, NULL::JSON, {quote(new)}, {member(owner_key)}))"

    def set_value(key_sql: str, value_sql: str) -> str:
        return f"json_merge_patch(t, json_object({key_sql}, {value_sql}))"

    damaged = f"""CASE
        WHEN a < 60 THEN NULL
        WHEN a < 100 THEN '{{"x-created-by":"terraform"}}'::JSON
        WHEN a < 150 THEN {set_value(owner_key, 'NULL::JSON')}
        WHEN a < 170 THEN {rename_owner('OWNER')}
        WHEN a < 190 THEN {rename_owner(' Owner')}
        WHEN a < 210 THEN {set_value(owner_key, "'  '")}
        WHEN a < 230 THEN {set_value(owner_key, 'true')}
        WHEN a < 270 THEN {set_value(env_key, "'Production'")}
        WHEN a < 290 THEN {set_value(env_key, 'NULL::JSON')}
        WHEN a < 320 THEN {set_value(cc_key, "'CC' || (1700 + a)")}
        WHEN a < 340 THEN json_merge_patch(t, json_object('owner', 'nobody@example.com', 'Owner', {member(owner_key)}))
        WHEN a < 370 THEN {set_value(owner_key, "' ' || upper(" + text(owner_key) + ") || ' '")}
        WHEN a < 385 THEN {set_value(env_key, text(env_key) + " || ' '")}
        ELSE t END"""
    return row_hash, renamed, damaged


def build_base(chunks: list[Path], out: Path, seed: int) -> None:
    """Concatenate the chunks in order, damage the tags, write one CSV."""
    connection = connect()
    files = "[" + ", ".join(quote(str(p)) for p in chunks) + "]"
    source = (f"read_csv({files}, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, "
              "union_by_name = true, filename = 'chunk_file')")
    row_hash, renamed, damaged = damaged_tags_sql(seed)
    query = f"""
        SELECT * EXCLUDE (chunk_file, chunk, h, a, b, t) REPLACE (CAST({damaged} AS VARCHAR) AS Tags)
        FROM (SELECT *, {renamed} AS t
        FROM (SELECT *, CAST(h % 1000 AS INTEGER) AS a, CAST((h // 1000) % 100 AS INTEGER) AS b
        FROM (SELECT *, {row_hash} AS h
        FROM (SELECT *, regexp_extract(chunk_file, 'chunk-([0-9]+)', 1) AS chunk FROM {source}))))
    """
    tmp = out.with_suffix(".csv.tmp")
    connection.execute(f"COPY ({query}) TO {quote(str(tmp))} (FORMAT csv, HEADER true)")
    tmp.replace(out)
    connection.close()


# --- 3. scale-up -------------------------------------------------------------------------------

def build_scaled(base: Path, out: Path, copies: int) -> None:
    """``copies`` copies of ``base`` with shifted ids and (sub-daily) charge periods, as one CSV."""
    connection = connect()
    source = f"read_csv({quote(str(base))}, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)"
    fmt = "'%Y-%m-%dT%H:%M:%SZ'"
    parts = []
    try:
        for k in range(copies):
            suffix = f"'~{k}'"
            short = ("strptime(ChargePeriodEnd, " + fmt + ") - strptime(ChargePeriodStart, " + fmt + ") <= INTERVAL 1 DAY")

            def shifted(column: str) -> str:
                return (f"CASE WHEN {short} THEN strftime(strptime({column}, {fmt}) + INTERVAL {SHIFT_HOURS * k} HOUR, {fmt}) "
                        f"ELSE {column} END")

            replace = []
            if k:
                replace += [f"{c} || {suffix} AS {c}" for c in ("ResourceId", "ResourceName", "CommitmentDiscountId", "InvoiceId")]
                replace += [f"{shifted(c)} AS {c}" for c in ("ChargePeriodStart", "ChargePeriodEnd")]
            select = f"SELECT * REPLACE ({', '.join(replace)}) FROM {source}" if replace else f"SELECT * FROM {source}"
            part = out.with_name(f"{out.stem}.part{k:02d}.csv")
            connection.execute(f"COPY ({select}) TO {quote(str(part))} (FORMAT csv, HEADER {'true' if k == 0 else 'false'})")
            parts.append(part)
        tmp = out.with_suffix(".csv.tmp")
        with open(tmp, "wb") as target:
            for part in parts:
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, target, 1 << 24)
        tmp.replace(out)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
        connection.close()


# --- 4. parquet --------------------------------------------------------------------------------

def write_parquet(csv_path: Path, out: Path) -> None:
    connection = connect()
    header = connection.execute(
        f"SELECT * FROM read_csv({quote(str(csv_path))}, header = true, all_varchar = true) LIMIT 0").description
    names = [column[0] for column in header]
    columns = ", ".join(
        f"{quote(n)}: {quote('DECIMAL(38,12)' if n in DECIMALS else 'TIMESTAMPTZ' if n in TIMESTAMPS else 'VARCHAR')}" for n in names)
    source = (f"read_csv({quote(str(csv_path))}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
              f"nullstr = ['NULL', ''], columns = {{{columns}}})")
    tmp = out.with_suffix(".parquet.tmp")
    connection.execute(f"COPY (SELECT * FROM {source}) TO {quote(str(tmp))} (FORMAT parquet, COMPRESSION zstd)")
    tmp.replace(out)
    connection.close()


# --- driver ------------------------------------------------------------------------------------

def paths(rows: int, scale: int) -> tuple[Path, Path]:
    return DATA / f"focus-{label(rows)}.csv", DATA / f"focus-{label(rows * scale)}.csv"


def ensure(rows: int = 1_000_000, scale: int = 10, seed: int = 1, jobs: int = 2, parquet: bool = True,
           force: bool = False, sizes=("base", "scaled")) -> dict[str, Path]:
    """Make the files (reusing existing ones unless ``force``); returns {'base': path, 'scaled': path}."""
    DATA.mkdir(parents=True, exist_ok=True)
    base, scaled = paths(rows, scale)
    out = {"base": base}
    if force or not base.exists():
        chunks = generate_chunks(rows, seed, jobs, force)
        started = time.perf_counter()
        build_base(chunks, base, seed)
        log(f"{base.name}: concatenated + tags damaged through DuckDB in {time.perf_counter() - started:.1f} s, "
            f"{base.stat().st_size / 1e9:.2f} GB, sha256 {sha256(base)[:16]}")
    if "scaled" in sizes and scale > 1:
        out["scaled"] = scaled
        if force or not scaled.exists():
            started = time.perf_counter()
            build_scaled(base, scaled, scale)
            log(f"{scaled.name}: {scale} shifted copies through DuckDB COPY in {time.perf_counter() - started:.1f} s, "
                f"{scaled.stat().st_size / 1e9:.2f} GB, sha256 {sha256(scaled)[:16]}")
    if parquet:
        for path in list(out.values()):
            target = path.with_suffix(".parquet")
            if force or not target.exists() or target.stat().st_mtime < path.stat().st_mtime:
                started = time.perf_counter()
                write_parquet(path, target)
                log(f"{target.name}: written in {time.perf_counter() - started:.1f} s, {target.stat().st_size / 1e9:.2f} GB")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="seeded FOCUS files for bench/run_costs.py (see the module doc)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the base file, a multiple of 100000 (default 1000000)")
    parser.add_argument("--scale", type=int, default=10, help="copies in the scaled file (default 10 -> 10M rows); 1: none")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="toolkit processes at a time (0.7 GB each; default 2)")
    parser.add_argument("--no-parquet", action="store_true", help="write CSV only")
    parser.add_argument("--force", action="store_true", help="regenerate even when the files exist")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    made = ensure(args.rows, args.scale, args.seed, args.jobs, not args.no_parquet, args.force)
    for path in made.values():
        log(f"  {path.relative_to(BENCH.parent)}: {path.stat().st_size / 1e9:.2f} GB")
    log(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
