"""Checking the rows of a FOCUS file once they are loaded, and finding the line of a bad row.

After each file's rows are in the snapshot table, one query counts what a typed read cannot refuse
(:func:`check_file`): charge categories outside FOCUS, a missing or non-ISO-4217
``BillingCurrency``, rows without a charge period or with one that ends before it starts, ``Tags``
that are not a JSON object, rows without ``BilledCost`` or ``EffectiveCost``, money outside the
amount rule, money totals too large to sum exactly; and what is only warned about: money rounded to
12 decimal places, tag values that cannot be tag values (a row does not carry such a key).

A problem names the file and the line of its first bad row (``focus.csv:6: E413 ...``; a Parquet
file: its row number): :func:`locate` reads the file again, numbers its rows in file order (one
thread) and finds the first row where the problem's condition holds, over the same column SQL as
the load (:mod:`engine.costs.columns`); for a CSV file, the row's first line is then counted with
Python's csv module (a quoted field may hold line breaks, and blank lines are skipped).
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass

from engine.amounts import MONEY_LIMIT, MONEY_SCALE, AmountError, arithmetic, currency_problem, read_amount
from engine.costs.columns import CHECK_BITS, EXPECTED, OUTSIDE_RULE, ROUNDED, ColumnRead
from engine.costs.focus import CHARGE_CATEGORIES, DECIMAL, JSON, TIMESTAMP
from engine.errors import Problem

SHOWN = 5  # values a message lists
# the keys of a Tags object whose value cannot be a tag value (engine.tag_matching): a row does not carry them
_INVALID_MEMBERS = "list_filter(json_keys(Tags), lambda k: {kind} IS NULL)"


@dataclass(frozen=True)
class FileSource:
    """A loaded file: what messages name, how DuckDB reads it again, and its column SQL."""

    path: str  # as given
    read_path: str  # the file DuckDB reads (a stream's temporary copy)
    format: str  # csv | csv.gz | parquet
    source: str  # the table function reading the file again, every column as in the load
    reads: tuple[ColumnRead, ...]  # the loaded columns
    index: int  # its cw_file number in the snapshot table


def check_file(snapshot, file: FileSource, locate_row, totals: dict) -> tuple[list[Problem], list[str]]:
    """The problems and warnings of one loaded file (see the module doc).

    ``locate_row(file, condition)`` -> ``(place, values)`` of the first row where ``condition`` holds
    (over the columns by name), or None. ``totals``: money column -> Σ |amount| of the files before
    this one (updated), so that a sum over every file is known to fit too."""
    d = snapshot.dialect
    loaded = {r.column: r for r in file.reads}
    money = [r for r in file.reads if r.kind == DECIMAL]
    checked = [r for r in file.reads if r.check is not None]
    categories = ", ".join(d.string(c) for c in CHARGE_CATEGORIES)
    conditions = {
        "category": f"ChargeCategory IS NULL OR ChargeCategory NOT IN ({categories})",
        "no currency": "BillingCurrency IS NULL",
        "no period": "ChargePeriodStart IS NULL OR ChargePeriodEnd IS NULL",
        "reversed": "ChargePeriodEnd < ChargePeriodStart",
        "no cost": "BilledCost IS NULL OR EffectiveCost IS NULL",
    }
    parts = [f"count(*) FILTER (WHERE {condition})" for condition in conditions.values()]
    parts.append(f"list(DISTINCT ChargeCategory) FILTER (WHERE {conditions['category']})")
    parts.append("list(DISTINCT BillingCurrency)")
    parts += [f"sum(abs({d.identifier(r.column)}))" for r in money]
    for position, read in enumerate(checked):
        shift = 1 << (CHECK_BITS * position)
        parts.append(f"count(*) FILTER (WHERE cw_check & {ROUNDED * shift} <> 0)")
        parts.append(f"count(*) FILTER (WHERE cw_check & {OUTSIDE_RULE * shift} <> 0)")
    where = f"cw_file = {file.index}"
    import duckdb

    try:
        row = snapshot.query(f"SELECT {', '.join(parts)} FROM {snapshot.table} WHERE {where}")[0]
    except duckdb.Error as error:  # a money total beyond what DuckDB's exact sum holds
        return [_total_problem(snapshot, file, money, where, error)], []
    counts = dict(zip(conditions, row))
    bad_categories, currencies = row[len(conditions)], row[len(conditions) + 1]
    rest = row[len(conditions) + 2:]
    file_totals, flags = rest[: len(money)], rest[len(money):]
    problems: list[Problem] = []
    warnings: list[str] = []

    def located(code: str, condition: str, message) -> None:
        try:
            found = locate_row(file, condition)
        except duckdb.Error:  # read once already; should it fail now, the problem stays, unlocated
            found = None
        place, values = found if found is not None else (None, {})
        text, line = message(values), place
        if isinstance(place, str):  # a Parquet row: in the message
            text, line = f"{place}: {text}", None
        problems.append(Problem(code, text, file.path, line))

    for position, read in enumerate(checked):
        rounded, outside = flags[2 * position], flags[2 * position + 1]
        if outside:
            located("E412", f"cw_check_{position} & {OUTSIDE_RULE} <> 0",
                    lambda values, read=read: f"column {read.column}: {explain(read, values.get('cw_text'))}" + _more(outside))
        if rounded:
            warnings.append(
                f"{file.path}: column {read.column}: {rounded} value{'s' if rounded != 1 else ''} with more than {MONEY_SCALE}"
                f" decimal places, read rounded to {MONEY_SCALE} (half away from zero; costwarden keeps {MONEY_SCALE} decimal places)"
            )
    if counts["category"]:
        shown = ", ".join(repr(c) for c in sorted(bad_categories or (), key=str)[:SHOWN])
        located("E413", conditions["category"], lambda values: (
            f"ChargeCategory {values.get('ChargeCategory')!r} is not one of {', '.join(CHARGE_CATEGORIES)}"
            + _more(counts["category"], f"found {shown}")))
    if counts["no currency"]:
        located("E413", conditions["no currency"], lambda values: "BillingCurrency is empty" + _more(counts["no currency"]))
    wrong = sorted(c for c in currencies or () if c is not None and currency_problem(c) is not None)
    if wrong:
        listed = ", ".join(d.string(c) for c in wrong)
        located("E413", f"BillingCurrency IN ({listed})", lambda values: (
            f"BillingCurrency: {currency_problem(values.get('BillingCurrency'))}"
            + (f" (also {', '.join(repr(c) for c in wrong if c != values.get('BillingCurrency'))[:200]})" if len(wrong) > 1 else "")))
    if counts["no period"]:
        located("E413", conditions["no period"], lambda values: "ChargePeriodStart or ChargePeriodEnd is empty" + _more(counts["no period"]))
    if counts["reversed"]:
        located("E413", conditions["reversed"], lambda values: (
            f"the charge period ends ({_iso(values.get('ChargePeriodEnd'))}) before it starts ({_iso(values.get('ChargePeriodStart'))})"
            + _more(counts["reversed"])))
    if counts["no cost"]:
        located("E413", conditions["no cost"], lambda values: "BilledCost or EffectiveCost is empty (both are mandatory)" + _more(counts["no cost"]))
    with arithmetic():
        for read, total in zip(money, file_totals):
            before = totals.get(read.column, 0)
            totals[read.column] = before + (total or 0)
            if total is not None and total >= MONEY_LIMIT:
                problems.append(_too_large(file.path, read.column))
            elif totals[read.column] >= MONEY_LIMIT and before < MONEY_LIMIT:
                problems.append(_too_large(file.path, read.column, with_the_files_before=True))
    if "Tags" in loaded:
        more_problems, more_warnings = _check_tags(snapshot, file, where, located)
        problems += more_problems
        warnings += more_warnings
    return problems, warnings


def _check_tags(snapshot, file: FileSource, where: str, located) -> tuple[list[Problem], list[str]]:
    """Tags that are not objects (a problem) and tag values a row cannot carry (a warning), per distinct Tags."""
    d = snapshot.dialect
    invalid = _INVALID_MEMBERS.format(kind=d.json_tag_kind(d.json_member_dynamic("Tags", "k")))
    not_object = "json_type(Tags) <> 'OBJECT'"
    objects_not, rows_invalid, key_lists = snapshot.query(
        f"SELECT sum(n) FILTER (WHERE NOT is_object), sum(n) FILTER (WHERE len(bad) > 0), list(bad) FILTER (WHERE len(bad) > 0)"
        f" FROM (SELECT n, {not_object} IS FALSE AS is_object, CASE WHEN json_type(Tags) = 'OBJECT' THEN {invalid} END AS bad"
        f" FROM (SELECT Tags, count(*) AS n FROM {snapshot.table} WHERE {where} AND Tags IS NOT NULL GROUP BY Tags))"
    )[0]
    if objects_not:
        located("E413", f"Tags IS NOT NULL AND {not_object}", lambda values: (
            f"Tags is {_json_kind(values.get('Tags'))}, not a JSON object of tag keys and values" + _more(objects_not)))
    warnings = []
    if rows_invalid:
        keys = sorted({key for keys in key_lists for key in keys})
        shown = ", ".join(repr(k) for k in keys[:SHOWN]) + (" ..." if len(keys) > SHOWN else "")
        warnings.append(
            f"{file.path}: {rows_invalid} row{'s' if rows_invalid != 1 else ''} with a tag whose value is null, a list, an object"
            f" or an infinite number (key{'s' if len(keys) != 1 else ''} {shown}): a tag value is a string, a number or a boolean,"
            " so those rows do not carry those keys"
        )
    return [], warnings


def _json_kind(value) -> str:
    if value is None:
        return "null"
    text = str(value).lstrip()
    if text.startswith("["):
        return "a JSON array"
    if text.startswith('"'):
        return "a JSON string"
    if text in ("true", "false"):
        return f"the JSON value {text}"
    return "a JSON number" if text[:1] in "-0123456789" else "not a JSON object"


def explain(read: ColumnRead, text: str | None) -> str:
    """Why the text of a value of ``read``'s column cannot be read (a message part)."""
    if read.kind == DECIMAL and text is not None:
        try:
            read_amount(text, more_decimals=True)
        except AmountError as error:
            return str(error)
        return f"{text!r} cannot be read as {EXPECTED[DECIMAL]}"
    if read.kind in (TIMESTAMP, JSON):
        return f"cannot read {text!r} as {EXPECTED[read.kind]}"
    return f"cannot read {text!r}"


def _more(count: int, detail: str | None = None) -> str:
    extra = [f"{count} rows in all"] if count > 1 else []
    if detail and count > 1:
        extra.append(detail)
    return f" ({'; '.join(extra)})" if extra else ""


def _iso(value) -> str:
    return value.replace(microsecond=0).isoformat() + "Z" if value is not None else "?"


def _too_large(path: str, column: str, with_the_files_before: bool = False) -> Problem:
    what = "the amounts of this file and the ones before it" if with_the_files_before else "the amounts"
    return Problem("E413", f"column {column}: {what} add up to more than costwarden sums exactly"
                           f" (less than 10^{MONEY_LIMIT.adjusted()} in absolute value)", path)


def _total_problem(snapshot, file: FileSource, money, where: str, error) -> Problem:
    """The column whose total overflowed DuckDB's exact sum (found column by column)."""
    import duckdb

    for read in money:
        try:
            snapshot.query(f"SELECT sum(abs({snapshot.dialect.identifier(read.column)})) FROM {snapshot.table} WHERE {where}")
        except duckdb.Error:
            return _too_large(file.path, read.column)
    return Problem("E413", f"cannot check the rows: {str(error).strip().splitlines()[0]}", file.path)


def locate_row(connection_factory, file: FileSource, condition: str):
    """``(place, values)`` of the first row of ``file`` where ``condition`` holds, in file order, or None.

    ``place`` is the CSV line (int) of the row, or ``"row N"`` for a Parquet file; ``values`` the row's
    values by column name (what it read, None where it could not), and ``cw_text``: the source text of
    the first bad column when ``condition`` is about ``cw_check_N`` or ``cw_bad_N``."""
    connection = connection_factory()
    try:
        columns = []
        for position, read in enumerate(file.reads):
            columns.append(f"{read.safe} AS {_quoted(read.column)}")
            columns.append(f"{read.bad} AS cw_bad_{position}")
            columns.append(f"CAST({read.text} AS VARCHAR) AS cw_text_{position}")
        checked = [r for r in file.reads if r.check is not None]
        for position, read in enumerate(checked):
            columns.append(f"{read.check} AS cw_check_{position}")
        number = "file_row_number + 1" if file.format == "parquet" else "row_number() OVER ()"
        row = connection.execute(
            f"SELECT * FROM (SELECT {number} AS cw_row, {', '.join(columns)} FROM {file.source}) WHERE {condition}"
            " ORDER BY cw_row LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        names = [description[0] for description in connection.description]
    finally:
        connection.close()
    values = dict(zip(names, row))
    values["cw_text"] = _first_text(file, values, condition)
    number = values["cw_row"]
    if file.format == "parquet":
        return f"row {number}", values
    return csv_line(file, number), values


def _first_text(file: FileSource, values: dict, condition: str):
    """The source text of the column ``condition`` is about (``cw_bad_N`` or ``cw_check_N``)."""
    checked = [r for r in file.reads if r.check is not None]
    for position, read in enumerate(checked):
        if f"cw_check_{position} " in condition + " ":
            return values.get(f"cw_text_{file.reads.index(read)}")
    for position, _ in enumerate(file.reads):
        if f"cw_bad_{position} " in condition + " ":
            return values.get(f"cw_text_{position}")
    return None


def first_bad_value(connection_factory, file: FileSource):
    """``(place, read, text)`` of the first value of the file that cannot be read, or None."""
    candidates = [(position, read) for position, read in enumerate(file.reads) if read.bad != "false"]
    if not candidates:
        return None
    condition = " OR ".join(f"cw_bad_{position}" for position, _ in candidates)
    found = locate_row(connection_factory, file, condition)
    if found is None:
        return None
    place, values = found
    for position, read in candidates:
        if values.get(f"cw_bad_{position}"):
            return place, read, values.get(f"cw_text_{position}")
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_line(file: FileSource, record: int) -> int:
    """The line where data record ``record`` (from 1; blank lines are not records) of the CSV file starts."""
    opener = gzip.open if file.format == "csv.gz" else open
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        with opener(file.read_path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            seen, line = -1, 1  # the header is record 0
            for cells in reader:
                if cells:
                    seen += 1
                    if seen == record:
                        return line
                line = reader.line_num + 1
    finally:
        csv.field_size_limit(limit)
    return line
