"""Reading FOCUS cost exports into DuckDB: CSV (plain or gzip) and Parquet; files, folders, globs.

::

    costs = load_costs(["exports/2026-05/"])   # every *.csv, *.csv.gz and *.parquet below
    costs.files                               # [CostFile(path, format, version, rows)]

Each file's header decides its FOCUS version (:func:`engine.costs.focus.detect_version`). The
columns the engine uses are read with explicit types — never inferred: money as exact decimals,
account ids as text, timestamps converted to UTC whatever offset they carry, ``Tags`` as JSON;
both ``NULL`` and empty fields are null — and loaded once into one table. Every policy then
aggregates that table in SQL; only aggregated rows come back to Python.

Only the columns the policies need are loaded (``columns``; the required ones always): parsing
exact decimals is most of the reading time, and a column no policy reads need not be parsed.
Inputs larger than :data:`DISK_THRESHOLD` bytes are loaded into a temporary database file, with a
memory limit, so that tens of millions of rows aggregate out of core.

Loading checks everything it reads up front, so a run never stops half way through a report:
required columns, values that do not parse (with the file, CSV line and column), ``Tags`` that are
not JSON objects, charge categories outside FOCUS, rows without a currency or a charge period.
Problems raise :class:`engine.errors.InputError` (codes E410–E413; the CLI exits 2).
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from engine.costs.focus import CHARGE_CATEGORIES, COLUMNS, DECIMAL, JSON, REQUIRED, TIMESTAMP, USED, detect_version
from engine.errors import InputError, Problem

TABLE = "focus"
DISK_THRESHOLD = 256 * 1024 * 1024  # bytes of input above which the table lives in a temporary file
DISK_MEMORY_LIMIT = "2GB"
_SUFFIXES = (".csv", ".csv.gz", ".parquet")
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class CostFile:
    path: str
    format: str  # csv | csv.gz | parquet
    version: str  # FOCUS version detected from the columns
    rows: int


@dataclass
class CostSnapshot:
    """FOCUS rows loaded into a DuckDB table; policies query it through :meth:`query`."""

    connection: object  # duckdb.DuckDBPyConnection
    files: list[CostFile] = field(default_factory=list)
    table: str = TABLE
    dialect: object = None  # engine.costs.dialect.DuckDBDialect
    columns: frozenset = frozenset(USED)  # the FOCUS columns loaded into the table
    directory: object = None  # tempfile.TemporaryDirectory holding an on-disk table, if any

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def versions(self) -> list[str]:
        return sorted({f.version for f in self.files})

    def query(self, sql: str, params=None) -> list[tuple]:
        return self.connection.execute(sql, params or []).fetchall()

    def data_end(self):
        """The end of the last charge period in the snapshot (naive UTC), or None when empty."""
        return self.query(f"SELECT max(ChargePeriodEnd) FROM {self.table}")[0][0]

    def missing(self, needed) -> list[str]:
        """The columns of ``needed`` that were not loaded."""
        return sorted(set(needed) - self.columns)

    def close(self) -> None:
        self.connection.close()
        if self.directory is not None:
            self.directory.cleanup()
            self.directory = None


def find_cost_files(paths, problems: list[Problem]) -> list[str]:
    files: list[str] = []
    for raw in paths:
        text = str(raw)
        path = Path(text)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES))
            if not found:
                problems.append(Problem("E410", "no FOCUS files (*.csv, *.csv.gz, *.parquet) in this folder", text))
            files.extend(found)
        elif path.is_file():
            files.append(text)
        elif _GLOB_CHARS.search(text):
            found = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            if not found:
                problems.append(Problem("E410", "no file matches this pattern", text))
            files.extend(found)
        else:
            problems.append(Problem("E410", "no such file or folder", text))
    seen: set[str] = set()
    return [f for f in files if not (f in seen or seen.add(f))]


def _sniff_format(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head == b"PAR1":
        return "parquet"
    if head[:2] == b"\x1f\x8b":
        return "csv.gz"
    return "csv"


def _csv_header(path: str, fmt: str) -> list[str]:
    opener = gzip.open if fmt == "csv.gz" else open
    with opener(path, "rb") as handle:
        raw = handle.readline(1 << 20)
    text = raw.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)), [])


def _sql_type(kind: str, dialect, decimal: str | None = None) -> str:
    return {DECIMAL: decimal or dialect.decimal, TIMESTAMP: "TIMESTAMPTZ", JSON: "JSON"}.get(kind, "VARCHAR")


def _table_type(kind: str, dialect) -> str:
    return {DECIMAL: dialect.decimal, TIMESTAMP: "TIMESTAMP", JSON: "JSON"}.get(kind, "VARCHAR")


def load_costs(paths, *, columns=None, memory_limit: str | None = None, threads: int | None = None) -> CostSnapshot:
    """Load FOCUS files (see the module doc) into a new in-process DuckDB database. Raises InputError.

    ``columns``: the FOCUS columns to load besides the required ones (default: every column the
    engine knows; :meth:`engine.policy.PolicyLibrary.cost_columns` tells what a library needs).
    """
    import tempfile

    import duckdb

    from engine.costs.dialect import DIALECTS

    dialect = DIALECTS["duckdb"]()
    problems: list[Problem] = []
    files = find_cost_files(paths, problems)
    if problems:
        raise InputError(problems)
    if not files:
        raise InputError([Problem("E410", "no cost files given", None)])
    wanted = set(USED) if columns is None else (set(columns) & set(USED)) | set(REQUIRED)
    loaded_columns = tuple(c for c in USED if c in wanted)
    directory = None
    size = sum(os.path.getsize(f) for f in files)
    if size > DISK_THRESHOLD:
        directory = tempfile.TemporaryDirectory(prefix="costwarden-")
        connection = duckdb.connect(os.path.join(directory.name, "costs.duckdb"), config={"preserve_insertion_order": False})
        connection.execute(f"SET temp_directory={dialect.string(directory.name)}")
        connection.execute(f"SET memory_limit={dialect.string(memory_limit or DISK_MEMORY_LIMIT)}")
    else:
        connection = duckdb.connect(config={"preserve_insertion_order": False})
        if memory_limit:
            connection.execute(f"SET memory_limit={dialect.string(memory_limit)}")
    connection.execute("SET TimeZone='UTC'")
    connection.execute("SET enable_progress_bar = false")  # DuckDB would draw on the user's terminal
    if threads:
        connection.execute(f"SET threads={int(threads)}")
    columns_sql = ", ".join(f"{dialect.identifier(c)} {_table_type(COLUMNS[c][1], dialect)}" for c in loaded_columns)
    connection.execute(f"CREATE TABLE {TABLE} ({columns_sql})")
    snapshot = CostSnapshot(connection, [], TABLE, dialect, frozenset(loaded_columns), directory)
    try:
        for path in files:
            loaded = _load_file(connection, path, dialect, problems, loaded_columns)
            if loaded is not None:
                snapshot.files.append(loaded)
        if not problems:
            problems.extend(_check_values(snapshot))
    except BaseException:
        snapshot.close()
        raise
    if problems:
        snapshot.close()
        raise InputError(problems)
    return snapshot


def _load_file(connection, path: str, dialect, problems: list[Problem], columns) -> CostFile | None:
    import duckdb

    try:
        fmt = _sniff_format(path)
        header = _parquet_header(connection, path, dialect) if fmt == "parquet" else _csv_header(path, fmt)
    except (OSError, UnicodeDecodeError, EOFError, duckdb.Error) as error:
        problems.append(Problem("E410", f"cannot read the file: {_reason(error)}", path))
        return None
    if fmt == "parquet":
        names = list(header)
    else:
        names = header
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(Problem("E411", f"duplicate column names: {', '.join(duplicates)}", path, 1 if fmt != "parquet" else None))
        return None
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        hint = None
        lowered = {n.lower(): n for n in names}
        near = [f"{lowered[c.lower()]} for {c}" for c in missing if c.lower() in lowered]
        if near:
            hint = "column names are case-sensitive: " + ", ".join(near)
        problems.append(
            Problem("E411", f"not a FOCUS file: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", path, 1 if fmt != "parquet" else None, hint=hint)
        )
        return None
    version = detect_version(names)
    select = []
    for column in columns:
        kind = COLUMNS[column][1]
        target = _table_type(kind, dialect)
        name = dialect.identifier(column)
        if column not in names:
            select.append(f"CAST(NULL AS {target}) AS {name}")
        elif fmt == "parquet":
            select.append(_parquet_cast(name, kind, header[column], target))
        elif kind == TIMESTAMP:
            select.append(f"CAST({name} AS TIMESTAMP) AS {name}")  # TIMESTAMPTZ -> UTC wall time
        else:
            select.append(name)
    if fmt == "parquet":
        attempts = [f"read_parquet({dialect.string(path)})"]
    else:
        # Money is parsed as 64-bit decimals first (2-3 times faster than 128-bit ones; the same
        # 12 decimal places, so the same values), and again as 128-bit ones when a value is too
        # large for them (over 999,999.999999999999) or does not parse at all.
        attempts = [_csv_source(path, fmt, names, columns, dialect, decimal) for decimal in (dialect.fast_decimal, dialect.decimal)]
    for attempt, source in enumerate(attempts, start=1):
        try:
            inserted = connection.execute(f"INSERT INTO {TABLE} SELECT {', '.join(select)} FROM {source}").fetchone()[0]
        except duckdb.Error as error:
            if attempt < len(attempts) and "DECIMAL" in str(error):
                continue
            problems.append(_conversion_problem(error, path, fmt))
            return None
        return CostFile(path, fmt, version, inserted)
    return None


def _csv_source(path: str, fmt: str, names: list[str], columns, dialect, decimal: str) -> str:
    """read_csv with every column typed explicitly: loaded ones by their FOCUS kind, others as text."""
    loaded = set(columns)

    def sql_type(name: str) -> str:
        if name not in loaded:
            return "VARCHAR"
        # quantities (bytes, requests) are often large: only costs and prices try the fast type
        money = name.endswith(("Cost", "Price"))
        return _sql_type(COLUMNS[name][1], dialect, decimal if money else dialect.decimal)

    types = ", ".join(f"{dialect.string(n)}: {dialect.string(sql_type(n))}" for n in names)
    return (
        f"read_csv({dialect.string(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
        f"escape = '\"', nullstr = ['NULL', ''], columns = {{{types}}}, "
        f"compression = {dialect.string('gzip' if fmt == 'csv.gz' else 'none')})"
    )


def _parquet_header(connection, path: str, dialect) -> dict[str, str]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM read_parquet({dialect.string(path)})").fetchall()
    return {row[0]: row[1] for row in rows}


def _parquet_cast(name: str, kind: str, source_type: str, target: str) -> str:
    upper = source_type.upper()
    if kind == JSON:
        if upper.startswith(("MAP", "STRUCT")):
            return f"CAST(to_json({name}) AS JSON) AS {name}"
        return f"CAST({name} AS JSON) AS {name}"
    if kind == TIMESTAMP:
        if upper in ("VARCHAR", "TIMESTAMP WITH TIME ZONE"):
            return f"CAST(CAST({name} AS TIMESTAMPTZ) AS TIMESTAMP) AS {name}"
        return f"CAST({name} AS TIMESTAMP) AS {name}"
    if kind == DECIMAL and upper in ("DOUBLE", "FLOAT", "REAL"):
        # a binary float cannot hold money exactly: go through its shortest decimal text
        return f"CAST(CAST({name} AS VARCHAR) AS {target}) AS {name}"
    return f"CAST({name} AS {target}) AS {name}"


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMN = re.compile(r'(?:converting column|column) "([^"]+)"')
_VALUE = re.compile(r'Could not convert string "(.*?)" to \'([^\']+)\'')


def _conversion_problem(error, path: str, fmt: str) -> Problem:
    text = str(error)
    line = _CSV_LINE.search(text)
    column = _COLUMN.search(text)
    value = _VALUE.search(text)
    if value:
        expected = _describe_type(value.group(2))
        where = f"column {column.group(1)}: " if column else ""
        message = f"{where}cannot read {value.group(1)!r} as {expected}"
    else:
        first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
        message = f"cannot read the file: {first}"
        if column:
            message += f" (column {column.group(1)})"
    if fmt == "csv.gz" and line:
        message += " (line counted in the uncompressed text)"
    return Problem("E412", message, path, int(line.group(1)) if line else None)


def _describe_type(sql_type: str) -> str:
    upper = sql_type.upper()
    if upper.startswith("DECIMAL"):
        return "a decimal number"
    if "TIMESTAMP" in upper:
        return "a timestamp (2026-05-01T00:00:00Z or 2026-05-01 00:00:00)"
    if upper == "JSON":
        return "JSON (Tags must be a JSON object)"
    return sql_type


def _check_values(snapshot: CostSnapshot) -> list[Problem]:
    """Whole-table checks that a typed read cannot do (one pass)."""
    categories = ", ".join(snapshot.dialect.string(c) for c in CHARGE_CATEGORIES)
    row = snapshot.query(
        f"""
        SELECT
          count(*) FILTER (WHERE ChargeCategory IS NULL OR ChargeCategory NOT IN ({categories})),
          list(DISTINCT ChargeCategory) FILTER (WHERE ChargeCategory IS NULL OR ChargeCategory NOT IN ({categories})),
          count(*) FILTER (WHERE BillingCurrency IS NULL),
          count(*) FILTER (WHERE ChargePeriodStart IS NULL OR ChargePeriodEnd IS NULL),
          count(*) FILTER (WHERE ChargePeriodEnd < ChargePeriodStart),
          {"count(*) FILTER (WHERE Tags IS NOT NULL AND json_type(Tags) <> 'OBJECT')" if "Tags" in snapshot.columns else "0"},
          count(*) FILTER (WHERE BilledCost IS NULL OR EffectiveCost IS NULL)
        FROM {snapshot.table}
        """
    )[0]
    bad_category, categories_seen, no_currency, no_period, reversed_period, bad_tags, no_cost = row
    where = ", ".join(f.path for f in snapshot.files)
    problems = []
    if bad_category:
        shown = ", ".join(repr(c) for c in sorted(categories_seen, key=str)[:5])
        problems.append(Problem("E413", f"{bad_category} rows have a ChargeCategory outside {', '.join(CHARGE_CATEGORIES)} (found {shown})", where))
    if no_currency:
        problems.append(Problem("E413", f"{no_currency} rows have no BillingCurrency", where))
    if no_period:
        problems.append(Problem("E413", f"{no_period} rows have no ChargePeriodStart or ChargePeriodEnd", where))
    if reversed_period:
        problems.append(Problem("E413", f"{reversed_period} rows end their charge period before it starts", where))
    if bad_tags:
        problems.append(Problem("E413", f"{bad_tags} rows have Tags that are not a JSON object", where))
    if no_cost:
        problems.append(Problem("E413", f"{no_cost} rows have no BilledCost or EffectiveCost (both are mandatory)", where))
    return problems


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return "the header is not valid UTF-8"
    return str(error).strip().splitlines()[0]
