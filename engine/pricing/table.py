"""The user's price table: a CSV file of prices per provider, region and size.

::

    provider,region,size,price,currency,unit
    aws,us-east-1,m5.large,0.096,USD,hour
    aws,*,m5.large,0.107,USD,hour
    aws,us-east-1,gp3,0.08,USD,gib-month
    aws,us-east-1,network.public-ip,0.005,USD,hour

* ``provider``: ``aws``, ``azure``, ``gcp`` ... as in the inventory (case-insensitive).
* ``region``: as in the inventory (case-insensitive), or ``*`` for any region; an exact region
  wins over ``*``.
* ``size``: the size as the provider spells it (compared case-insensitively), or, for resources
  priced by class (:func:`engine.pricing.sources.price_key`), the class: ``network.public-ip``,
  ``network.load-balancer``, ``block.snapshot``.
* ``price``: an amount of 0 or more by the rule every money input follows
  (:func:`engine.amounts.read_amount`: ``0.096``, ``9.6E-2``; at most 26 digits before the decimal
  point and 12 after it), read exactly; ``currency``: an ISO 4217 code (``USD``).
* ``unit`` (optional column, default ``hour``): ``hour`` — the price of an hour; the monthly cost is
  730 × the price — or ``gib-month`` — the price of a GiB for a month (volumes and snapshots; the
  monthly cost is the price × the resource's capacity in GiB).

Other columns are ignored (a field may hold up to the file's size). A row with more fields than
the header is an error (an unquoted ``1,000`` would otherwise read as 1); a row may leave out
trailing fields the table does not read.
A (provider, region, size) listed twice is an error naming both lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from engine.amounts import AmountError, currency_problem, read_amount
from engine.errors import InputError, Problem
from engine.pricing.sources import UNITS, Quote

COLUMNS = ("provider", "region", "size", "price", "currency")
MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class PriceRow:
    price: Decimal
    currency: str
    unit: str
    file: str
    line: int


class PriceTable:
    """A price source reading one or more price table files (later files may not repeat a row)."""

    name = "price table"

    def __init__(self, rows: dict | None = None, files: tuple = ()):
        self.rows = rows or {}  # (provider, region or "*", size lower) -> PriceRow
        self.files = files
        self._quotes: dict = {}  # (provider, region, key) -> Quote or None: one Quote per row and key

    def quote(self, resource: dict, key: str) -> Quote | None:
        provider = resource.get("provider")
        region = resource.get("region")
        if not isinstance(region, str):
            region = None
        cache_key = (provider, region, key)
        try:
            return self._quotes[cache_key]
        except KeyError:
            found = self._quotes[cache_key] = self._quote(provider, region, key)
            return found

    def _quote(self, provider, region: str | None, key: str) -> Quote | None:
        size = key.lower()
        row = None
        if isinstance(region, str):
            row = self.rows.get((provider, region.lower(), size))
        if row is None:
            row = self.rows.get((provider, "*", size))
        if row is None:
            return None
        return Quote(row.price, row.unit, row.currency, f"price table {row.file}:{row.line}", self.name)


def load_price_table(paths) -> PriceTable:
    """Read price table CSV files. Raises InputError naming file and line of every problem."""
    rows: dict = {}
    problems: list[Problem] = []
    files = tuple(str(path) for path in paths)
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            problems.append(Problem("E421", f"cannot read the price table: {error.strerror or error}", path))
            continue
        if len(data) > MAX_BYTES:
            problems.append(Problem("E421", f"the price table is larger than {MAX_BYTES // 1024 // 1024} MiB", path))
            continue
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            problems.append(Problem("E422", f"invalid UTF-8: byte 0x{data[bad.start]:02x}", path, line))
            continue
        _read(path, text, rows, problems)
    if problems:
        raise InputError(problems)
    return PriceTable(rows, files)


def _read(path: str, text: str, rows: dict, problems: list[Problem]) -> None:
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_BYTES))  # a field may be as long as the file (the module's default is 128 KiB)
    try:
        _read_rows(path, text, rows, problems)
    finally:
        csv.field_size_limit(limit)


def _read_rows(path: str, text: str, rows: dict, problems: list[Problem]) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.append(Problem("E422", f"malformed CSV: {error}", path, 1))
        return
    names = [name.strip().lower() for name in header or []]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        problems.append(Problem("E422", f"the header row has no column {', '.join(missing)}", path, 1,
                                hint=f"expected {','.join(COLUMNS)}[,unit] (any order)"))
        return
    at = {column: names.index(column) for column in (*COLUMNS, "unit") if column in names}
    line = reader.line_num
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                problems.append(Problem("E422", f"{len(row)} fields, more than the header's {len(names)}", path, start,
                                        hint="quote a field that holds a comma (an unquoted 1,000 is two fields)"))
                continue
            if len(row) <= max(at.values()):
                problems.append(Problem("E422", f"expected {max(at.values()) + 1} fields, found {len(row)}", path, start))
                continue
            _row(path, start, {column: row[index].strip() for column, index in at.items()}, rows, problems)
    except csv.Error as error:
        problems.append(Problem("E422", f"malformed CSV: {error}", path, reader.line_num))


def _row(path: str, line: int, cells: dict, rows: dict, problems: list[Problem]) -> None:
    ok = True
    for column in ("provider", "region", "size"):
        if not cells[column]:
            problems.append(Problem("E423", f"column {column} is empty", path, line))
            ok = False
    price = None
    try:
        price = read_amount(cells["price"], negative=False)
    except AmountError as error:
        problems.append(Problem("E423", f"column price: {error}", path, line))
        ok = False
    currency = cells["currency"]
    wrong = currency_problem(currency)
    if wrong is not None:
        problems.append(Problem("E423", f"column currency: {wrong}", path, line))
        ok = False
    unit = cells.get("unit") or "hour"
    if unit not in UNITS:
        problems.append(Problem("E423", f"column unit: expected one of {', '.join(UNITS)}, got {unit!r}", path, line))
        ok = False
    if not ok:
        return
    key = (cells["provider"].lower(), cells["region"].lower(), cells["size"].lower())
    if key in rows:
        first = rows[key]
        where = f"line {first.line}" if first.file == path else f"{first.file}:{first.line}"
        problems.append(Problem("E424", f"{cells['size']} in {cells['provider']} region {cells['region']} is priced twice "
                                        f"(first at {where})", path, line))
        return
    rows[key] = PriceRow(price, currency, unit, path, line)
