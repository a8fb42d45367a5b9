"""How each FOCUS column is read into the snapshot table: the SQL from a CSV cell (text) or from a
Parquet column (whatever type the file gives it), and what a value that cannot be read is.

A CSV file is read by DuckDB's CSV reader with every column as text; the SQL below converts the
columns the engine loads, so that converting never depends on what the reader guesses and a value
that cannot be converted is found again, with its line, by :mod:`engine.costs.validation`.

* **Money and quantities** (``DECIMAL`` in :mod:`engine.costs.focus`) follow the one rule of
  :func:`engine.amounts.read_amount`: a decimal number, optionally in scientific notation, below
  10^26 in absolute value; stored as ``DECIMAL(38,12)``. A value with more than 12 decimal places
  is rounded to 12 (half away from zero, as DuckDB rounds) and counted, so that the reader warns
  (:data:`ROUNDED`); a value outside the rule that DuckDB would still parse (``1_000``) is an
  error (:data:`OUTSIDE_RULE`). Most values are recognised as plainly fine by a few string
  functions (:func:`fast_money`) and parsed as 64-bit decimals; the rest take the exact slow path. From
  Parquet: a ``DECIMAL`` or integer column is cast (a ``DECIMAL`` with more than 12 decimal places
  is checked for rounding), a floating-point column is read through its shortest text, a text
  column as from CSV; any other type (``BOOLEAN``, ``DATE`` ...) is refused: it is not money.
* **Timestamps**: read as instants — with their offset (``-05:00``) or ``Z``; without a zone they
  are UTC — and stored as UTC wall time (``TIMESTAMP``). The conversion is ``timezone('UTC', ...)``
  of a ``TIMESTAMP WITH TIME ZONE``, never a cast to ``TIMESTAMP``: DuckDB casts a text with an
  offset to ``TIMESTAMP`` by dropping the offset, and pushes such a cast down into its CSV reader.
  From Parquet: ``TIMESTAMP WITH TIME ZONE`` is converted to UTC; ``TIMESTAMP`` (any unit) and
  ``DATE`` are taken as UTC; text as from CSV; numbers (epoch seconds) are refused.
* **Tags**: JSON text, or a Parquet ``MAP``/``STRUCT`` (written as JSON); anything else is refused.
* **Text**: as it is (Parquet: cast to text, so account ids stay text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.amounts import AMOUNT_PATTERN, MANTISSA_DIGITS, MANTISSA_INTEGER_DIGITS, MAX_EXPONENT, MIN_EXPONENT, MONEY_SCALE, MONEY_SQL_TYPE
from engine.costs.focus import DECIMAL, JSON, TIMESTAMP

MONEY = MONEY_SQL_TYPE  # DECIMAL(38,12)
FAST_DECIMAL = f"DECIMAL(18,{MONEY_SCALE})"  # the same values up to 999,999.999999999999, parsed 2-3 times faster
# the parts of a money text: integer digits, decimal digits, exponent
_PARTS = r"^[ \t\n\r\v\f]*[+-]?([0-9]*)[.]?([0-9]*)(?:[eE]([+-]?[0-9]+))?"

# What the check expression of a money column says about a row (two bits per column, see CHECK_BITS).
ROUNDED = 1  # more than 12 decimal places: stored rounded (a warning)
OUTSIDE_RULE = 2  # not an amount by engine.amounts' rule (an error)
CHECK_BITS = 2

EXPECTED = {
    DECIMAL: "a decimal number such as 12.5, -0.25 or 9.6E-2",
    TIMESTAMP: "a timestamp such as 2026-05-01T00:00:00Z, 2026-05-01T00:00:00-05:00 or 2026-05-01 00:00:00 (UTC)",
    JSON: "JSON (Tags is a JSON object)",
}
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
_FLOAT_TYPES = {"FLOAT", "REAL", "DOUBLE"}
_DECIMAL_TYPE = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_NAIVE_TIMESTAMPS = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"}
_ZONED_TIMESTAMPS = {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"}


@dataclass(frozen=True)
class ColumnRead:
    """The SQL that reads one column of one file (over the source's columns)."""

    column: str
    kind: str  # engine.costs.focus kind: decimal, timestamp, json, text
    value: str  # the table's value; fails (a DuckDB error) on a value that cannot be read
    safe: str  # the same, or NULL where it cannot be read; never fails
    bad: str  # true where the value cannot be read or breaks the money rule; never fails
    text: str  # the source value as text, for messages
    check: str | None = None  # money from text or a wide DECIMAL: 0, ROUNDED or OUTSIDE_RULE per row


class UnusableType(Exception):
    """A Parquet column whose type cannot hold the column's values (a BOOLEAN BilledCost)."""


def missing(column: str, kind: str, d) -> ColumnRead:
    """A column the file does not have: NULL."""
    value = f"CAST(NULL AS {table_type(kind)})"
    return ColumnRead(column, kind, value, value, "false", "CAST(NULL AS VARCHAR)")


def table_type(kind: str) -> str:
    return {DECIMAL: MONEY, TIMESTAMP: "TIMESTAMP", JSON: "JSON"}.get(kind, "VARCHAR")


def from_text(column: str, kind: str, d, source: str | None = None) -> ColumnRead:
    """The column read from text (every CSV column; Parquet text columns)."""
    v = source or d.identifier(column)
    if kind == DECIMAL:
        return _money_from_text(column, v)
    if kind == TIMESTAMP:
        return ColumnRead(column, kind, f"timezone('UTC', CAST({v} AS TIMESTAMPTZ))", f"timezone('UTC', TRY_CAST({v} AS TIMESTAMPTZ))",
                          f"({v} IS NOT NULL AND TRY_CAST({v} AS TIMESTAMPTZ) IS NULL)", v)
    if kind == JSON:
        return ColumnRead(column, kind, f"CAST({v} AS JSON)", f"TRY_CAST({v} AS JSON)", f"({v} IS NOT NULL AND NOT json_valid({v}))", v)
    return ColumnRead(column, kind, v, v, "false", v)


def fast_money(v: str) -> str:
    """True for a money text that needs no more checking once DuckDB has cast it: no ``_`` and no
    exponent, and nothing but zeros after the 12th character after its decimal point. What DuckDB casts from such a text
    is within the amount rule and exact (a differential test holds the two together); string
    functions, not a regular expression: most values take this path, and it costs little."""
    point = f"strpos({v}, '.')"
    return (f"(NOT (contains({v}, '_') OR contains({v}, 'e') OR contains({v}, 'E'))"
            f" AND ({point} = 0 OR length({v}) - {point} <= {MONEY_SCALE} OR ltrim(substr({v}, {point} + {MONEY_SCALE + 1}), '0') = ''))")


def _money_from_text(column: str, v: str) -> ColumnRead:
    rule = AMOUNT_PATTERN.replace("'", "''")
    check = (
        f"(CASE WHEN {v} IS NULL OR {fast_money(v)} THEN 0"
        f" WHEN NOT regexp_full_match({v}, '{rule}') THEN {OUTSIDE_RULE} ELSE {_slow_check(v)} END)"
    )
    return ColumnRead(
        column, DECIMAL,
        value=f"coalesce(TRY_CAST({v} AS {FAST_DECIMAL}), CAST({v} AS {MONEY}))",
        safe=f"TRY_CAST({v} AS {MONEY})",
        bad=f"({check} = {OUTSIDE_RULE} OR ({v} IS NOT NULL AND TRY_CAST({v} AS {MONEY}) IS NULL))",
        text=v,
        check=check,
    )


def row_check(reads) -> str:
    """One row's checks (CHECK_BITS bits per column of ``reads`` with a check, in order), as one integer."""
    checked = [r for r in reads if r.check is not None]
    return " | ".join(f"(CAST({r.check} AS UBIGINT) << {CHECK_BITS * n})" for n, r in enumerate(checked)) or "0"


def _slow_check(v: str) -> str:
    """For an amount text ``v`` within the rule's syntax: OUTSIDE_RULE when scientific notation writes
    too many digits (engine.amounts.MANTISSA_DIGITS, MAX_EXPONENT), ROUNDED when it has a non-zero
    digit after the 12th decimal place (:func:`engine.amounts.decimal_places` > 12: with ``digits`` its
    integer and decimal digits, ``z`` their trailing zeros and ``e`` its exponent, when
    ``len(decimals) - e - z > 12``), else 0. (Each part is its own regexp_extract: a lambda over the
    parts would be evaluated for every row, not only the few that come here.)"""
    i, f, e = (f"regexp_extract({v}, '{_PARTS}', {group})" for group in (1, 2, 3))
    digits = f"({i} || {f})"
    exponent = f"coalesce(TRY_CAST(nullif({e}, '') AS HUGEINT), CASE WHEN {e} LIKE '-%' THEN -1000000 WHEN {e} = '' THEN 0 ELSE 1000000 END)"
    too_long = (f"({e} <> '' AND (length({i}) > {MANTISSA_INTEGER_DIGITS} OR length({i}) + length({f}) > {MANTISSA_DIGITS}"
                f" OR {exponent} NOT BETWEEN {MIN_EXPONENT} AND {MAX_EXPONENT}))")
    rounded = (
        f"(rtrim({digits}, '0') <> '' AND"
        f" length({f}) - {exponent} - (length({digits}) - length(rtrim({digits}, '0'))) > {MONEY_SCALE})"
    )
    return f"(CASE WHEN {too_long} THEN {OUTSIDE_RULE} WHEN {rounded} THEN {ROUNDED} ELSE 0 END)"


def from_parquet(column: str, kind: str, source_type: str, d) -> ColumnRead:
    """The column read from a Parquet column of ``source_type`` (DuckDB's name). Raises :class:`UnusableType`."""
    v = d.identifier(column)
    upper = source_type.upper()
    if upper in ("VARCHAR", "JSON") and kind != JSON:
        return from_text(column, kind, d)
    if kind == DECIMAL:
        if upper in _FLOAT_TYPES:  # a binary float cannot hold money exactly: read its shortest decimal text
            return from_text(column, kind, d, f"CAST({v} AS VARCHAR)")
        scale = _DECIMAL_TYPE.fullmatch(upper)
        if scale or upper in _INTEGER_TYPES:
            cast = f"CAST({v} AS {MONEY})"
            check = None
            if scale and int(scale.group(2)) > MONEY_SCALE:
                check = f"(CASE WHEN {v} <> round({v}, {MONEY_SCALE}) THEN {ROUNDED} ELSE 0 END)"
            return ColumnRead(column, kind, cast, f"TRY_CAST({v} AS {MONEY})",
                              f"({v} IS NOT NULL AND TRY_CAST({v} AS {MONEY}) IS NULL)", f"CAST({v} AS VARCHAR)", check)
        raise UnusableType(f"column {column} is {source_type}: money is a decimal number (a DECIMAL, integer or floating-point column, or text)")
    if kind == TIMESTAMP:
        if upper in _ZONED_TIMESTAMPS:
            value = f"timezone('UTC', {v})"
        elif upper in _NAIVE_TIMESTAMPS:
            value = f"CAST({v} AS TIMESTAMP)"
        else:
            raise UnusableType(f"column {column} is {source_type}: a timestamp is a TIMESTAMP, TIMESTAMP WITH TIME ZONE, DATE or text column"
                               + (" (not epoch seconds)" if upper in _INTEGER_TYPES | _FLOAT_TYPES else ""))
        return ColumnRead(column, kind, value, value, "false", f"CAST({v} AS VARCHAR)")
    if kind == JSON:
        if upper.startswith(("MAP", "STRUCT")):
            value = f"CAST(to_json({v}) AS JSON)"
            return ColumnRead(column, kind, value, value, "false", f"CAST({v} AS VARCHAR)")
        if upper in ("VARCHAR", "JSON"):
            return from_text(column, kind, d)
        raise UnusableType(f"column {column} is {source_type}: Tags is a JSON object (JSON text, a MAP or a STRUCT)")
    value = f"CAST({v} AS VARCHAR)"
    return ColumnRead(column, kind, value, value, "false", value)
