"""Generated FOCUS test data: the pinned ``focus-data-toolkit`` plus a deterministic DuckDB post-processing.

Plain functions, no pytest imports, so any test module (or a script) can use them; ready-made pytest
fixtures are in ``tests/focus_fixtures.py``.

What you get from :func:`build_focus_data` (see :data:`DEFAULT_SPECS`):

* one toolkit file per provider (aws FOCUS 1.2, azure and gcp FOCUS 1.3; 3,000 rows each; fixed seeds),
  kept untouched as ``raw``;
* a post-processed copy of each (``csv``) with untagged spend, key drift, blank and key-only values and a
  few credit rows (see :func:`postprocess` for the exact rules and proportions);
* a gzip copy of the processed aws file and a Parquet copy (typed, written by DuckDB ``COPY``) of the
  processed azure file, for reader tests;
* a copy of the processed gcp file whose period columns write the same instants with UTC offsets
  (``-05:00``, ``+05:30``, ``+02:00``, ``Z`` and no zone, row by row): :func:`write_offsets`.

The toolkit data (version 0.14.1) covers May 2026 (``2026-05-01T00:00:00Z`` to ``2026-06-01T00:00:00Z``),
one currency (USD), Usage/Purchase/Tax rows, commitments Used and Unused. AWS and Azure tag keys are
``Owner``, ``CostCenter``, ``Environment``; GCP keys are ``owner``, ``cost-center``, ``environment``. Rows of
committed usage also carry a numeric tag ``SyntheticFleetSize`` (a JSON number, not a string).

Run ``python -m tests.focus_data [DIR]`` to build the data outside pytest and print the timings.
"""

from __future__ import annotations

import csv
import gzip
import importlib.metadata
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

TOOLKIT_DISTRIBUTION = "focus-data-toolkit"
TOOLKIT_VERSION = "0.14.1"  # pinned in pyproject.toml: the outputs below depend on it

# (provider, FOCUS version, rows, seed)
DEFAULT_SPECS: tuple[tuple[str, str, int, int], ...] = (
    ("aws", "1.2", 3000, 101),
    ("azure", "1.3", 3000, 202),
    ("gcp", "1.3", 3000, 303),
)
GZIP_PROVIDER = "aws"
PARQUET_PROVIDER = "azure"
OFFSETS_PROVIDER = "gcp"
OFFSETS = (-5, 5.5, 2, 0, None)  # hours east of UTC, row by row (None: no zone, UTC)

# Post-processing buckets: bucket = (first 8 hex digits of md5('<salt>:<row number>')) mod 100.
# Each row falls in exactly one bucket, so the mutations below never overlap on one row.
TAGS_NULL = range(0, 15)  # Tags set to NULL (15 %)
TAGS_EMPTY_OBJECT = range(15, 18)  # Tags set to {} (3 %)
OWNER_CASE_FLIP = range(18, 20)  # Owner -> owner (gcp: owner -> Owner)
COST_CENTER_KEBAB = range(20, 22)  # CostCenter -> cost-center (gcp: cost-center -> CostCenter)
ENVIRONMENT_LEADING_SPACE = range(22, 24)  # Environment -> " Environment" (gcp: " environment")
COST_CENTER_SNAKE = range(24, 26)  # CostCenter / cost-center -> cost_center
OWNER_COLLISION = range(26, 28)  # a second owner key in the other case: {"owner":"team-collision", "Owner": ...}
OWNER_BLANK = range(28, 30)  # owner value -> ""
OWNER_WHITESPACE = range(30, 31)  # owner value -> " \t" (whitespace only)
BACKUP_KEY_ONLY = range(31, 33)  # a key-only tag added: "Backup": true
OWNER_KEY_ONLY = range(33, 34)  # owner value -> true (key present, no value)
# the owner value as each other kind of JSON value (engine.tag_matching's rule reads each)
OWNER_FALSE = range(34, 35)  # -> false (the text "false")
OWNER_INTEGER = range(35, 36)  # -> 5 (the text "5")
OWNER_DOUBLE = range(36, 37)  # -> 1500.0 (the text "1500.0")
OWNER_NULL = range(37, 38)  # -> null (invalid: the row does not carry the key)
OWNER_LIST = range(38, 39)  # -> ["team-x"] (invalid)
OWNER_OBJECT = range(39, 40)  # -> {"team": "team-x"} (invalid)
MUTATED = 40  # buckets below this are changed
RESPELLED = range(18, 28)  # all key re-spellings together: 10 %
CREDIT_ROWS = 5  # credit rows appended (copies of on-demand usage rows, costs negated)
COLLISION_VALUE = "team-collision"
CREDIT_DESCRIPTION = "Synthetic credit (costwarden test post-processing)"

MONEY_AND_QUANTITY_COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "PricingQuantity",
    "ConsumedQuantity",
    "CommitmentDiscountQuantity",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
)
TIMESTAMP_COLUMNS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")


@dataclass(frozen=True)
class GeneratedFile:
    provider: str
    focus_version: str
    rows: int  # rows the toolkit generated (the processed copy has CREDIT_ROWS more)
    seed: int
    raw: Path  # the toolkit's file, untouched
    csv: Path  # the post-processed copy
    generate_seconds: float
    postprocess_seconds: float
    stats: dict = field(default_factory=dict)  # mutation -> number of rows (see postprocess)


@dataclass(frozen=True)
class FocusData:
    root: Path
    files: dict  # provider -> GeneratedFile
    gz: Path  # gzip copy of files[GZIP_PROVIDER].csv (same bytes once decompressed)
    parquet: Path  # typed Parquet copy of files[PARQUET_PROVIDER].csv
    toolkit_version: str
    offsets: Path | None = None  # files[OFFSETS_PROVIDER].csv with the same instants written with UTC offsets

    def timings(self) -> dict:
        """provider -> (generation seconds, post-processing seconds)."""
        return {p: (f.generate_seconds, f.postprocess_seconds) for p, f in self.files.items()}


def toolkit_version() -> str | None:
    try:
        return importlib.metadata.version(TOOLKIT_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def toolkit_command() -> list[str]:
    """How to run the toolkit with the current interpreter (``python -m focus_data_toolkit`` works in 0.14.1;
    the ``focus-toolkit`` console script next to sys.executable is the same entry point)."""
    return [sys.executable, "-m", "focus_data_toolkit"]


def generate(provider: str, focus_version: str, rows: int, seed: int, out_dir: Path) -> tuple[Path, float]:
    """Run ``focus-toolkit generate``; return (the cost-and-usage CSV, seconds taken)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    command = toolkit_command() + [
        "generate",
        "--provider", provider,
        "--focus-version", focus_version,
        "--rows", str(rows),
        "--seed", str(seed),
        "--out", str(out_dir),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    expected = out_dir / f"focus_{focus_version.replace('.', '_')}_cost_and_usage_{provider}.csv"
    if not expected.is_file():
        raise RuntimeError(f"the toolkit did not write {expected}; it said:\n{done.stdout}\n{done.stderr}")
    return expected, seconds


def read_header(path: Path) -> list[str]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _varchar_read(path: Path) -> str:
    """read_csv of a FOCUS CSV with every column as VARCHAR and empty fields as NULL: the text of every
    field is kept exactly as written, so unchanged rows are written back byte for byte."""
    columns = ", ".join(f"{_sql_string(name)}: 'VARCHAR'" for name in read_header(path))
    return (
        f"read_csv({_sql_string(str(path))}, header = true, auto_detect = false, columns = {{{columns}}}, "
        "delim = ',', quote = '\"', escape = '\"', nullstr = '')"
    )


def postprocess(src: Path, dst: Path, salt: str) -> dict:
    """Write a copy of the toolkit CSV ``src`` to ``dst`` with DuckDB, changed deterministically.

    Every row gets a bucket 0..99 from md5('<salt>:<row number>') (row numbers from 1 in file order) and is
    changed by the rule of its bucket (the ``range`` constants above): 15 % Tags NULL, 3 % Tags ``{}``,
    10 % a key re-spelled or duplicated in another case, 3 % an owner value blank or whitespace, 2 % a
    key-only ``"Backup": true`` added, 1 % the owner value turned key-only ``true``, 1 % each the owner
    value turned ``false``, ``5``, ``1500.0``, ``null``, a list and an object. Then CREDIT_ROWS
    credit rows are appended: copies of on-demand usage rows (Usage, no commitment, BilledCost not 0), the
    first CREDIT_ROWS in md5('<salt>:credit:<row number>') order, with ChargeCategory 'Credit', BilledCost,
    EffectiveCost (and PricingCurrencyEffectiveCost) negated, ListCost and ContractedCost 0, ChargeFrequency
    'One-Time', and pricing/consumption/commitment columns null.

    The header, the column order, the timestamp and number text and the CSV quoting stay as the toolkit wrote
    them (Tags is JSON with doubled quotes). Returns counts: rows, one count per mutation, credit_rows.
    """
    header = read_header(src)
    con = duckdb.connect()
    con.execute("SET threads = 1")  # file order is kept by a single-threaded scan
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"CREATE TABLE raw AS SELECT * FROM {_varchar_read(src)}")
    con.execute(
        """
        CREATE TABLE numbered AS
        SELECT row_number() OVER () AS row_number, *
        FROM raw
        """
    )
    con.execute(
        f"""
        CREATE TABLE bucketed AS
        SELECT ('0x' || substr(md5({_sql_string(salt)} || ':' || row_number), 1, 8))::BIGINT % 100 AS bucket,
               *
        FROM numbered
        """
    )

    def between(r: range) -> str:
        return f"bucket BETWEEN {r.start} AND {r.stop - 1}"

    # The toolkit writes Tags as compact JSON ({"Owner":"team-x","CostCenter":"cc-1",...}), so a key is the
    # text '"Key":' and plain string replacement renames it; aws/azure spell Owner/CostCenter/Environment,
    # gcp owner/cost-center/environment, hence the CASE on which spelling the row has.
    new_tags = f"""
        CASE
          WHEN {between(TAGS_NULL)} THEN NULL
          WHEN {between(TAGS_EMPTY_OBJECT)} THEN '{{}}'
          WHEN {between(OWNER_CASE_FLIP)} THEN
            CASE WHEN contains(Tags, '"Owner":') THEN replace(Tags, '"Owner":', '"owner":')
                 ELSE replace(Tags, '"owner":', '"Owner":') END
          WHEN {between(COST_CENTER_KEBAB)} THEN
            CASE WHEN contains(Tags, '"CostCenter":') THEN replace(Tags, '"CostCenter":', '"cost-center":')
                 ELSE replace(Tags, '"cost-center":', '"CostCenter":') END
          WHEN {between(ENVIRONMENT_LEADING_SPACE)} THEN
            replace(replace(Tags, '"Environment":', '" Environment":'), '"environment":', '" environment":')
          WHEN {between(COST_CENTER_SNAKE)} THEN
            replace(replace(Tags, '"CostCenter":', '"cost_center":'), '"cost-center":', '"cost_center":')
          WHEN {between(OWNER_COLLISION)} THEN
            CASE WHEN contains(Tags, '"Owner":') THEN '{{"owner":"{COLLISION_VALUE}",' || substr(Tags, 2)
                 ELSE '{{"Owner":"{COLLISION_VALUE}",' || substr(Tags, 2) END
          WHEN {between(OWNER_BLANK)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":""')
          WHEN {between(OWNER_WHITESPACE)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":" \\\\t"')
          WHEN {between(BACKUP_KEY_ONLY)} THEN
            '{{"Backup":true,' || substr(Tags, 2)
          WHEN {between(OWNER_KEY_ONLY)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":true')
          WHEN {between(OWNER_FALSE)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":false')
          WHEN {between(OWNER_INTEGER)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":5')
          WHEN {between(OWNER_DOUBLE)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":1500.0')
          WHEN {between(OWNER_NULL)} THEN
            regexp_replace(Tags, '"(Owner|owner)":"[^"]*"', '"\\1":null')
          WHEN {between(OWNER_LIST)} THEN
            regexp_replace(Tags, '"(Owner|owner)":("[^"]*")', '"\\1":[\\2]')
          WHEN {between(OWNER_OBJECT)} THEN
            regexp_replace(Tags, '"(Owner|owner)":("[^"]*")', '"\\1":{{"team":\\2}}')
          ELSE Tags
        END
    """
    con.execute(f"CREATE TABLE changed AS SELECT * REPLACE ({new_tags} AS Tags) FROM bucketed")

    def negated(column: str) -> str:
        return f"CASE WHEN {column} LIKE '-%' THEN substr({column}, 2) ELSE '-' || {column} END"

    credit_replacements = {
        "ChargeCategory": "'Credit'",
        "ChargeFrequency": "'One-Time'",
        "ChargeDescription": _sql_string(CREDIT_DESCRIPTION),
        "BilledCost": negated("BilledCost"),
        "EffectiveCost": negated("EffectiveCost"),
        "PricingCurrencyEffectiveCost": negated("PricingCurrencyEffectiveCost"),
        "ListCost": "'0'",
        "ContractedCost": "'0'",
    }
    nulled = [
        "PricingCategory", "PricingQuantity", "PricingUnit", "ListUnitPrice", "ContractedUnitPrice",
        "PricingCurrencyContractedUnitPrice", "PricingCurrencyListUnitPrice", "ConsumedQuantity",
        "ConsumedUnit", "SkuPriceId", "SkuPriceDetails", "CommitmentDiscountStatus", "CommitmentDiscountQuantity",
        "CommitmentDiscountUnit",
    ]  # fmt: skip
    for column in nulled:
        credit_replacements[column] = "NULL::VARCHAR"
    replace = ", ".join(f"{expr} AS \"{col}\"" for col, expr in credit_replacements.items() if col in header)
    con.execute(
        f"""
        CREATE TABLE credits AS
        SELECT * REPLACE ({replace})
        FROM changed
        WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NULL
          AND BilledCost NOT IN ('0', '0.0') AND NOT starts_with(BilledCost, '-')
          AND EffectiveCost IS NOT NULL AND BilledCost IS NOT NULL
        ORDER BY md5({_sql_string(salt)} || ':credit:' || row_number), row_number
        LIMIT {CREDIT_ROWS}
        """
    )
    out_columns = ", ".join(f'"{c}"' for c in header)
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""
        COPY (
          SELECT {out_columns} FROM (
            SELECT 0 AS part, row_number, * EXCLUDE (row_number, bucket) FROM changed
            UNION ALL
            SELECT 1 AS part, row_number, * EXCLUDE (row_number, bucket) FROM credits
          )
          ORDER BY part, row_number
        ) TO {_sql_string(str(dst))} (FORMAT csv, HEADER, DELIMITER ',', QUOTE '"', ESCAPE '"', NULLSTR '')
        """
    )
    stats = {"rows": con.execute("SELECT count(*) FROM raw").fetchone()[0]}
    for name, r in [
        ("tags_null", TAGS_NULL),
        ("tags_empty_object", TAGS_EMPTY_OBJECT),
        ("owner_case_flip", OWNER_CASE_FLIP),
        ("cost_center_kebab", COST_CENTER_KEBAB),
        ("environment_leading_space", ENVIRONMENT_LEADING_SPACE),
        ("cost_center_snake", COST_CENTER_SNAKE),
        ("owner_collision", OWNER_COLLISION),
        ("owner_blank", OWNER_BLANK),
        ("owner_whitespace", OWNER_WHITESPACE),
        ("backup_key_only", BACKUP_KEY_ONLY),
        ("owner_key_only", OWNER_KEY_ONLY),
        ("owner_false", OWNER_FALSE),
        ("owner_integer", OWNER_INTEGER),
        ("owner_double", OWNER_DOUBLE),
        ("owner_null", OWNER_NULL),
        ("owner_list", OWNER_LIST),
        ("owner_object", OWNER_OBJECT),
        ("respelled", RESPELLED),
    ]:
        stats[name] = con.execute(f"SELECT count(*) FROM bucketed WHERE {between(r)}").fetchone()[0]
    stats["credit_rows"] = con.execute("SELECT count(*) FROM credits").fetchone()[0]
    stats["credit_source_rows"] = [r[0] for r in con.execute("SELECT row_number FROM credits ORDER BY row_number").fetchall()]
    con.close()
    return stats


def write_gzip(src: Path, dst: Path) -> Path:
    """A gzip copy of src (same bytes once decompressed; mtime 0 so the file is reproducible)."""
    with open(src, "rb") as raw, open(dst, "wb") as out:
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as packed:
            shutil.copyfileobj(raw, packed)
    return Path(dst)


def write_parquet(src: Path, dst: Path) -> Path:
    """A Parquet copy of the FOCUS CSV src written by DuckDB COPY, with typed columns: money and quantities
    DECIMAL(38,12), period columns TIMESTAMP, Tags JSON, everything else VARCHAR (account ids stay text);
    nulls are empty fields or the literal NULL."""
    header = read_header(src)

    def sql_type(name: str) -> str:
        if name in MONEY_AND_QUANTITY_COLUMNS:
            return "DECIMAL(38,12)"
        if name in TIMESTAMP_COLUMNS:
            return "TIMESTAMP"
        if name == "Tags":
            return "JSON"
        return "VARCHAR"

    columns = ", ".join(f"{_sql_string(name)}: '{sql_type(name)}'" for name in header)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"""
        COPY (
          SELECT * FROM read_csv({_sql_string(str(src))}, header = true, auto_detect = false,
                                 columns = {{{columns}}}, delim = ',', quote = '"', escape = '"',
                                 nullstr = ['NULL', ''])
        ) TO {_sql_string(str(dst))} (FORMAT parquet)
        """
    )
    con.close()
    return Path(dst)


def write_offsets(src: Path, dst: Path) -> Path:
    """A copy of the FOCUS CSV src whose period columns write each instant with an offset of OFFSETS
    (row by row): ``2026-05-01T00:00:00Z`` becomes ``2026-04-30T19:00:00-05:00`` on one row,
    ``2026-05-01T05:30:00+05:30`` on the next ... and ``2026-05-01 00:00:00`` (no zone) on the fifth."""
    import datetime as dt

    with open(src, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    indexes = [header.index(c) for c in TIMESTAMP_COLUMNS if c in header]
    for number, row in enumerate(rows[1:]):
        hours = OFFSETS[number % len(OFFSETS)]
        for index in indexes:
            if row[index] in ("", "NULL"):
                continue
            instant = dt.datetime.fromisoformat(row[index].replace("Z", "+00:00"))
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=dt.timezone.utc)
            if hours is None:
                row[index] = instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            else:
                row[index] = instant.astimezone(dt.timezone(dt.timedelta(hours=hours))).isoformat()
    with open(dst, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return Path(dst)


def build_focus_data(root: Path, specs=DEFAULT_SPECS) -> FocusData:
    """Generate, post-process and copy the test data under root (see the module doc)."""
    root = Path(root)
    files = {}
    for provider, focus_version, rows, seed in specs:
        raw, generate_seconds = generate(provider, focus_version, rows, seed, root / "raw" / provider)
        processed = root / "processed" / f"focus_{focus_version.replace('.', '_')}_{provider}_processed.csv"
        started = time.perf_counter()
        stats = postprocess(raw, processed, salt=f"costwarden:{provider}:{seed}")
        postprocess_seconds = time.perf_counter() - started
        files[provider] = GeneratedFile(
            provider, focus_version, rows, seed, raw, processed, generate_seconds, postprocess_seconds, stats
        )
    gz = write_gzip(files[GZIP_PROVIDER].csv, files[GZIP_PROVIDER].csv.with_name(files[GZIP_PROVIDER].csv.name + ".gz"))
    parquet = write_parquet(files[PARQUET_PROVIDER].csv, files[PARQUET_PROVIDER].csv.with_suffix(".parquet"))
    source = files[OFFSETS_PROVIDER].csv
    offsets = write_offsets(source, source.with_name(source.stem + "_offsets.csv"))
    return FocusData(root, files, gz, parquet, toolkit_version() or "?", offsets)


if __name__ == "__main__":  # python -m tests.focus_data [DIR]
    import tempfile

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="focus-data-"))
    started = time.perf_counter()
    data = build_focus_data(target)
    for provider, f in data.files.items():
        print(
            f"{provider:6} FOCUS {f.focus_version} rows={f.rows} seed={f.seed} "
            f"generate={f.generate_seconds:.2f}s postprocess={f.postprocess_seconds:.2f}s -> {f.csv}"
        )
    print(f"gzip: {data.gz}\nparquet: {data.parquet}\ntotal {time.perf_counter() - started:.2f}s")
