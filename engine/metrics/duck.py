"""Reading large CSV / JSON Lines metrics files with DuckDB: check every row, aggregate per series.

DuckDB reads the files in parallel and computes the statistics of every series in SQL
(:data:`engine.metrics.statistics.SQL_STATISTICS`), ~7x faster than the Python reader on a
3-million-row file. It applies the rules of :mod:`engine.metrics.names` to every row — also to
rows outside the window — but cannot say on which line a bad row is: when it finds any, the
exact Python reader (:mod:`engine.metrics.rows`) reads the files again to name file and line.
"""

from __future__ import annotations

from datetime import datetime

from engine.metrics.names import (
    MAX_PERIOD, METRIC_ALIASES, METRIC_NAME_SQL, NUMBER_SQL, PERIOD_SQL, TIMESTAMP_SQL,
)
from engine.metrics.rows import COLUMNS, MAX_LINE_BYTES, csv_header
from engine.metrics.statistics import SQL_STATISTICS, finish_sql_row
from engine.utilization import PERCENT_LIMIT, PERCENT_METRICS

MAX_DUPLICATES = 100


class Located(Exception):
    """DuckDB found bad rows (or could not read a file): the exact reader must locate them."""

    def __init__(self, reason: str, duplicates: set | None = None):
        super().__init__(reason)
        self.reason = reason
        self.duplicates = duplicates


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_relation(index: int, file: str) -> str:
    names, positions = csv_header(file)
    types = ", ".join(f"{_quote(f'c{i}')}: 'VARCHAR'" for i in range(len(names)))
    picked = ", ".join(f"c{positions[column]} AS {column}" for column in COLUMNS)
    return (f"SELECT {index} AS file, {picked} FROM read_csv({_quote(file)}, header = true, auto_detect = false, "
            f"columns = {{{types}}}, delim = ',', quote = '\"', escape = '\"', max_line_size = {MAX_LINE_BYTES + 2})")


def _jsonl_relation(index: int, file: str) -> str:
    types = ", ".join(f"{_quote(column)}: 'JSON'" for column in COLUMNS)
    text = ", ".join(
        f"CASE WHEN json_type({column}) = 'VARCHAR' THEN {column} ->> '$' END AS {column}"
        for column in ("resource_id", "metric", "timestamp")
    )
    numbers = (
        "CASE WHEN json_type(period) IN ('BIGINT', 'UBIGINT') THEN CAST(period AS VARCHAR) END AS period, "
        "CASE WHEN json_type(value) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(value AS VARCHAR) END AS value"
    )
    return (f"SELECT {index} AS file, {text}, {numbers} FROM read_json({_quote(file)}, format = 'newline_delimited', "
            f"columns = {{{types}}}, maximum_object_size = {MAX_LINE_BYTES})")


def aggregate(files: list[tuple[str, str]], start: datetime, end: datetime) -> dict:
    """``{(rid lower, metric): (display id, statistics)}`` for ``files`` = [(path, "csv" | "jsonl")].

    Raises :class:`Located` when a row breaks a rule, and ValueError (a message) for a bad CSV header.
    """
    import duckdb

    relations = [(_csv_relation if kind == "csv" else _jsonl_relation)(i, path) for i, (path, kind) in enumerate(files)]
    cases = " ".join(f"WHEN {_quote(name)} THEN {_quote(canonical)}" for name, canonical in METRIC_ALIASES.items())
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        try:
            con.execute(f"""
                CREATE TEMP TABLE checked AS
                WITH raw AS ({' UNION ALL '.join(relations)}),
                named AS (SELECT *, CASE lower(trim(metric)) {cases} ELSE metric END AS name FROM raw)
                SELECT resource_id, lower(resource_id) AS rid, name AS metric,
                       TRY_CAST(replace(timestamp, 'Z', '+00:00') AS TIMESTAMPTZ) AS ts,
                       TRY_CAST(period AS BIGINT) AS period,
                       TRY_CAST(value AS DOUBLE) AS value,
                       regexp_full_match(timestamp, {_quote(TIMESTAMP_SQL)})
                         AND regexp_full_match(period, {_quote(PERIOD_SQL)})
                         AND regexp_full_match(value, {_quote(NUMBER_SQL)})
                         AND trim(resource_id) <> '' AND trim(metric) <> ''
                         AND regexp_full_match(name, {_quote(METRIC_NAME_SQL)}) AS ok
                FROM named
            """)
        except duckdb.Error as error:
            raise Located(f"{type(error).__name__}: {error}") from None
        percent_metrics = ", ".join(_quote(name) for name in PERCENT_METRICS)  # engine.utilization's range rule
        bad = con.execute(f"""
            SELECT count(*) FROM checked
            WHERE ok IS NOT TRUE OR ts IS NULL OR period IS NULL OR period <= 0 OR period > {MAX_PERIOD}
               OR value IS NULL OR NOT isfinite(value)
               OR (metric IN ({percent_metrics}) AND value > {PERCENT_LIMIT})
        """).fetchone()[0]
        if bad:
            raise Located(f"{bad} rows break a rule")
        duplicates = con.execute(f"""
            SELECT rid, metric, epoch_us(ts) FROM checked GROUP BY rid, metric, ts HAVING count(*) > 1
            ORDER BY rid, metric, ts LIMIT {MAX_DUPLICATES}
        """).fetchall()
        if duplicates:
            raise Located("duplicate samples", {tuple(row) for row in duplicates})
        window = (end - start).total_seconds()
        within = f"ts >= CAST({_quote(start.isoformat())} AS TIMESTAMPTZ) AND ts < CAST({_quote(end.isoformat())} AS TIMESTAMPTZ)"
        con.execute(f"CREATE TEMP VIEW samples AS SELECT rid, metric, value, period FROM checked WHERE {within}")
        names = dict(con.execute(f"SELECT rid, min(resource_id) FROM checked WHERE {within} GROUP BY rid").fetchall())
        out = {}
        for row in con.execute(SQL_STATISTICS).fetchall():
            out[(row[0], row[1])] = (names[row[0]], finish_sql_row(row[2:], window))
        return out
    finally:
        con.close()
