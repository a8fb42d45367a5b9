"""Reading FOCUS cost exports into DuckDB: CSV (plain or gzip) and Parquet; files, folders, globs, pipes.

::

    costs = load_costs(["exports/2026-05/"])   # every *.csv, *.csv.gz and *.parquet below
    costs.files                               # [CostFile(path, format, version, rows)]
    costs.warnings                            # what was read but is worth saying (rounded money ...)

Each file's header decides its FOCUS version (:func:`engine.costs.focus.detect_version`). The
columns the engine uses are read with explicit types — never inferred (:mod:`engine.costs.columns`):
money as exact decimals, account ids as text, timestamps as instants converted to UTC whatever
offset they carry, ``Tags`` as JSON; both ``NULL`` and empty fields are null — and loaded once into
one table. Every policy then aggregates that table in SQL; only aggregated rows come back to Python.

Only the columns the policies need are loaded (``columns``; the required ones always): parsing
exact decimals is most of the reading time, and a column no policy reads need not be parsed.
Inputs larger than :data:`DISK_THRESHOLD` bytes are loaded into a temporary database file, with a
memory limit, so that tens of millions of rows aggregate out of core. A CSV line may be up to
:data:`MAX_LINE_BYTES` long (a custom column holding a large note): a file is read with DuckDB's
2 MB line limit first, whose buffers are small, and again with the larger one when a line needs it.

Loading checks everything it reads up front, so a run never stops half way through a report
(:mod:`engine.costs.validation`): required columns, values that do not parse (with the file, CSV
line and column), ``Tags`` that are not JSON objects, charge categories outside FOCUS, currencies
outside ISO 4217, rows without a currency or a charge period. Problems raise
:class:`engine.errors.InputError` (codes E410–E413; the CLI exits 2); what is only worth saying
(money rounded to 12 decimal places, tag values a row cannot carry) is in ``warnings``.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
from dataclasses import dataclass, field

from engine.costs import columns as column_sql
from engine.costs.focus import COLUMNS, REQUIRED, USED, detect_version
from engine.costs.paths import CostInput, find_cost_files, staged
from engine.costs.validation import FileSource, check_file, first_bad_value, locate_row
from engine.errors import InputError, Problem

TABLE = "focus"
DISK_THRESHOLD = 256 * 1024 * 1024  # bytes of input above which the table lives in a temporary file
DISK_MEMORY_LIMIT = "2GB"
LINE_BYTES = 2 * 1024 * 1024  # the CSV line length DuckDB reads first (its default; its buffers grow with it)
MAX_LINE_BYTES = 64 * 1024 * 1024  # the longest CSV line read: a file with a longer line than LINE_BYTES is read again
FILE_COLUMN, CHECK_COLUMN = "cw_file", "cw_check"  # helper columns, dropped once every file is checked


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
    warnings: list[str] = field(default_factory=list)  # read, but worth saying: rounded money, tag values dropped

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
        raw = handle.readline(MAX_LINE_BYTES)
    text = raw.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)), [])


def load_costs(paths, *, columns=None, memory_limit: str | None = None, threads: int | None = None) -> CostSnapshot:
    """Load FOCUS files (see the module doc) into a new in-process DuckDB database. Raises InputError.

    ``columns``: the FOCUS columns to load besides the required ones (default: every column the
    engine knows; :meth:`engine.policy.PolicyLibrary.cost_columns` tells what a library needs).
    """
    problems: list[Problem] = []
    inputs = find_cost_files(paths, problems)
    if problems:
        raise InputError(problems)
    if not inputs:
        raise InputError([Problem("E410", "no cost files given", None)])
    with staged(inputs, problems) as sources:
        if problems:
            raise InputError(problems)
        return _load(inputs, sources, columns, memory_limit, threads)


def _load(inputs: list[CostInput], sources: dict, columns, memory_limit, threads) -> CostSnapshot:
    import tempfile

    import duckdb

    from engine.costs.dialect import DIALECTS

    dialect = DIALECTS["duckdb"]()
    problems: list[Problem] = []
    wanted = set(USED) if columns is None else (set(columns) & set(USED)) | set(REQUIRED)
    loaded_columns = tuple(c for c in USED if c in wanted)
    directory = None
    size = sum(os.path.getsize(sources[i.path]) for i in inputs)
    if size > DISK_THRESHOLD:
        directory = tempfile.TemporaryDirectory(prefix="costwarden-")
        connection = duckdb.connect(os.path.join(directory.name, "costs.duckdb"), config={"preserve_insertion_order": False})
        connection.execute(f"SET temp_directory={dialect.string(directory.name)}")
        connection.execute(f"SET memory_limit={dialect.string(memory_limit or DISK_MEMORY_LIMIT)}")
    else:
        connection = duckdb.connect(config={"preserve_insertion_order": False})
        if memory_limit:
            connection.execute(f"SET memory_limit={dialect.string(memory_limit)}")
    _configure(connection)
    if threads:
        connection.execute(f"SET threads={int(threads)}")
    columns_sql = ", ".join(f"{dialect.identifier(c)} {column_sql.table_type(COLUMNS[c][1])}" for c in loaded_columns)
    connection.execute(f"CREATE TABLE {TABLE} ({columns_sql}, {FILE_COLUMN} UINTEGER, {CHECK_COLUMN} UBIGINT)")
    snapshot = CostSnapshot(connection, [], TABLE, dialect, frozenset(loaded_columns), directory)
    totals: dict = {}  # money column -> Σ |amount| so far (every sum of the snapshot must fit)
    try:
        for index, item in enumerate(inputs):
            loaded = _load_file(snapshot, item.path, sources[item.path], index, problems, loaded_columns)
            if loaded is None:
                continue
            cost_file, file_source = loaded
            snapshot.files.append(cost_file)
            found, warnings = check_file(snapshot, file_source, lambda f, condition: locate_row(_locating_connection, f, condition), totals)
            problems.extend(found)
            snapshot.warnings.extend(warnings)
        if not problems:
            connection.execute(f"ALTER TABLE {TABLE} DROP COLUMN {FILE_COLUMN}")
            connection.execute(f"ALTER TABLE {TABLE} DROP COLUMN {CHECK_COLUMN}")
    except BaseException:
        snapshot.close()
        raise
    if problems:
        snapshot.close()
        raise InputError(problems)
    return snapshot


def _configure(connection) -> None:
    connection.execute("SET TimeZone='UTC'")  # naive timestamps are UTC; months are bucketed in UTC
    connection.execute("SET enable_progress_bar = false")  # DuckDB would draw on the user's terminal


def _locating_connection():
    """A connection that reads a file again in file order (one thread), to find the line of a bad row."""
    import duckdb

    connection = duckdb.connect()
    _configure(connection)
    connection.execute("SET threads = 1")
    return connection


def _load_file(snapshot: CostSnapshot, path: str, read_path: str, index: int, problems: list[Problem], columns):
    """Insert one file's rows; ``(CostFile, FileSource)``, or None with its problems added."""
    import duckdb

    connection, dialect = snapshot.connection, snapshot.dialect
    try:
        fmt = _sniff_format(read_path)
        header = _parquet_header(connection, read_path, dialect) if fmt == "parquet" else _csv_header(read_path, fmt)
    except (OSError, UnicodeDecodeError, EOFError, duckdb.Error) as error:
        problems.append(Problem("E410", f"cannot read the file: {_reason(error)}", path))
        return None
    names = list(header)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    line = 1 if fmt != "parquet" else None
    if duplicates:
        problems.append(Problem("E411", f"duplicate column names: {', '.join(duplicates)}", path, line))
        return None
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        hint = None
        lowered = {n.lower(): n for n in names}
        near = [f"{lowered[c.lower()]} for {c}" for c in missing if c.lower() in lowered]
        if near:
            hint = "column names are case-sensitive: " + ", ".join(near)
        problems.append(
            Problem("E411", f"not a FOCUS file: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", path, line, hint=hint)
        )
        return None
    reads = []
    unusable = []
    for column in columns:
        kind = COLUMNS[column][1]
        if column not in header:
            reads.append(column_sql.missing(column, kind, dialect))
        elif fmt == "parquet":
            try:
                reads.append(column_sql.from_parquet(column, kind, header[column], dialect))
            except column_sql.UnusableType as error:
                unusable.append(str(error))
        else:
            reads.append(column_sql.from_text(column, kind, dialect))
    if unusable:
        problems.extend(Problem("E412", message, path) for message in unusable)
        return None
    select = ", ".join([*(f"{r.value} AS {dialect.identifier(r.column)}" for r in reads), str(index), column_sql.row_check(reads)])
    for line_bytes in (LINE_BYTES, MAX_LINE_BYTES) if fmt != "parquet" else (None,):
        source = _parquet_source(read_path, dialect) if fmt == "parquet" else _csv_source(read_path, fmt, names, dialect, line_bytes)
        file = FileSource(path, read_path, fmt, source, tuple(reads), index)
        try:
            inserted = connection.execute(f"INSERT INTO {TABLE} SELECT {select} FROM {source}").fetchone()[0]
        except duckdb.Error as error:
            if line_bytes == LINE_BYTES and "maximum line size" in str(error).lower():
                continue  # a long line: read the file again with the larger limit
            problems.append(_insert_problem(error, file))
            return None
        break
    version = detect_version(names)
    return CostFile(path, fmt, version, inserted), file


def _csv_source(path: str, fmt: str, names: list[str], dialect, line_bytes: int = LINE_BYTES) -> str:
    """read_csv with every column as text (the column SQL converts the ones the engine loads)."""
    types = ", ".join(f"{dialect.string(n)}: 'VARCHAR'" for n in names)
    return (
        f"read_csv({dialect.string(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
        f"escape = '\"', nullstr = ['NULL', ''], columns = {{{types}}}, max_line_size = {line_bytes}, "
        f"compression = {dialect.string('gzip' if fmt == 'csv.gz' else 'none')})"
    )


def _parquet_source(path: str, dialect) -> str:
    return f"read_parquet({dialect.string(path)}, file_row_number = true)"


def _parquet_header(connection, path: str, dialect) -> dict[str, str]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM read_parquet({dialect.string(path)})").fetchall()
    return {row[0]: row[1] for row in rows}


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CONVERSION = re.compile(r"Conversion Error|Could not convert|Invalid Input Error: Malformed JSON|Out of Range", re.IGNORECASE)


def _insert_problem(error, file: FileSource) -> Problem:
    """The problem of a file whose rows could not be inserted: the first value that cannot be read
    (found by reading the file again), else what DuckDB says (a malformed CSV line, with its line)."""
    import duckdb

    text = str(error)
    structural = _CSV_LINE.search(text) and "Error when converting column" not in text
    if not structural:
        try:
            found = first_bad_value(_locating_connection, file)
        except duckdb.Error:  # the file cannot be read again either: say what DuckDB said
            found = None
        if found is not None:
            place, read, value = found
            from engine.costs.validation import explain

            message = f"column {read.column}: {explain(read, value)}"
            if isinstance(place, str):
                return Problem("E412", f"{place}: {message}", file.path)
            return Problem("E412", message + _gz_note(file), file.path, place)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    if "maximum line size" in text.lower():
        first = f"a line is longer than {MAX_LINE_BYTES // 1024 // 1024} MiB"
    line = _CSV_LINE.search(text)
    return Problem("E412", f"cannot read the file: {first}" + _gz_note(file), file.path, int(line.group(1)) if line else None)


def _gz_note(file: FileSource) -> str:
    return " (line counted in the uncompressed text)" if file.format == "csv.gz" else ""


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return "the header is not valid UTF-8"
    return str(error).strip().splitlines()[0]
