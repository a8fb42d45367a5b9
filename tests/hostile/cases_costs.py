"""FOCUS cost exports: CSV, CSV.gz and Parquet; time zones; numbers; currencies; devices and pipes."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal, localcontext
from pathlib import Path

from tests.hostile.harness import (
    AS_OF, COSTS, JSON_OUT, Accepted, Case, Fifo, Generated, OneOf, Rejected, Same, Symlink, UsageError, with_file,
)
from tests.hostile.sources import bom, crlf, gz, kit

AREA = "FOCUS/costs"
FOCUS = kit("focus.csv")
ALL = ("check", "-p", "policies", "-i", "inventory.json", "--metrics", "metrics.csv", "--costs", "focus.csv",
       "--budgets", "budgets.yaml", "--prices", "prices.csv", "--ownership", "ownership.yaml", *JSON_OUT)
PERIOD_COLUMNS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
NOT_THERE = "no such file"  # untrue of a device, a pipe or a symlink loop: they are there


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv(rows: list[list[str]], line_end: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return out.getvalue().encode("utf-8")


def set_cell(data: bytes, line: int, column: str, value: str) -> bytes:
    """The CSV with the cell of file line ``line`` (the header is line 1) in ``column`` set to ``value``."""
    rows = _rows(data)
    rows[line - 1][rows[0].index(column)] = value
    return _csv(rows)


def set_column(data: bytes, column: str, value: str) -> bytes:
    rows = _rows(data)
    index = rows[0].index(column)
    for row in rows[1:]:
        row[index] = value
    return _csv(rows)


def add_column(data: bytes, column: str, values: dict[int, str]) -> bytes:
    rows = _rows(data)
    rows[0].append(column)
    for number, row in enumerate(rows[1:], start=2):
        row.append(values.get(number, ""))
    return _csv(rows)


def with_offsets(data: bytes, spell) -> bytes:
    """The same instants in the period columns, spelt by ``spell(utc datetime, row number) -> text``."""
    rows = _rows(data)
    indexes = [rows[0].index(column) for column in PERIOD_COLUMNS]
    for number, row in enumerate(rows[1:], start=2):
        for index in indexes:
            instant = datetime.strptime(row[index], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            row[index] = spell(instant, number)
    return _csv(rows)


def _offset(hours: float):
    zone = timezone(timedelta(hours=hours))
    return lambda instant, number: instant.astimezone(zone).isoformat()


def _naive(separator: str):
    return lambda instant, number: instant.strftime(f"%Y-%m-%d{separator}%H:%M:%S")


def _mixed(instant: datetime, number: int) -> str:
    return [_offset(2), _offset(-5), _naive("T"), _offset(5.5), lambda i, n: i.strftime("%Y-%m-%dT%H:%M:%SZ")][number % 5](instant, number)


def _truncated_at_line(data: bytes, line: int, keep: int = 40) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[: line - 1]) + b"\n" + lines[line - 1][:keep]


def _parquet(select: str):
    """A Parquet file made by DuckDB from the kit's CSV (typed as a real export is), with ``select`` as its columns."""

    def make(path: Path) -> None:
        import duckdb

        source = Path(__file__).parent / "kit" / "focus.csv"
        con = duckdb.connect()
        con.execute("SET TimeZone='UTC'")
        con.execute(
            f"CREATE TABLE f AS SELECT * FROM read_csv('{source}', header = true, all_varchar = true)"
        )
        con.execute(f"COPY (SELECT {select} FROM f) TO '{path}' (FORMAT PARQUET)")
        con.close()

    return make


TYPED = (
    "* REPLACE (CAST(BilledCost AS DECIMAL(18, 6)) AS BilledCost, CAST(EffectiveCost AS DECIMAL(18, 6)) AS EffectiveCost, "
    "CAST(ListCost AS DOUBLE) AS ListCost, CAST(ContractedCost AS DOUBLE) AS ContractedCost, "
    "CAST(BillingPeriodStart AS TIMESTAMPTZ) AS BillingPeriodStart, CAST(BillingPeriodEnd AS TIMESTAMPTZ) AS BillingPeriodEnd, "
    "CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart, CAST(ChargePeriodEnd AS TIMESTAMPTZ) AS ChargePeriodEnd)"
)


def _typed_with(column: str, expression: str) -> str:
    return TYPED.replace(f"CAST({column} AS DECIMAL(18, 6)) AS {column}", f"{expression} AS {column}").replace(
        f"CAST({column} AS TIMESTAMPTZ) AS {column}", f"{expression} AS {column}")


def _truncated_parquet(path: Path) -> None:
    _parquet(TYPED)(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


PARQUET = with_file(COSTS, "--costs", "focus.parquet")
PAYMENTS_LINE = 2  # the first payments row (BilledCost 9.216); 19 such rows
TWENTY_SIX = "12345678901234567890123456"


def _payments_actual(expected: str):
    def check(document: dict) -> str | None:
        found = [f["evidence"]["actual"] for f in document["findings"]
                 if f["policy"] == "team-budget" and f["scope"]["value"] == "payments"]
        return None if found == [expected] else f"payments' actual is {found}, expected [{expected!r}]"

    return check


def _exact(expression: str) -> str:
    """``a + n * b`` (or ``n * a + m * b``) computed in exact decimals, with all the digits."""
    with localcontext() as context:
        context.prec = 80
        total = Decimal(0)
        for term in expression.split(" + "):
            factors = [Decimal(part) for part in term.split(" * ")]
            product = Decimal(1)
            for factor in factors:
                product *= factor
            total += product
        return str(total)


def _no_findings(document: dict) -> str | None:
    return None if not document["findings"] else f"{len(document['findings'])} findings, expected none"


CASES = [
    Case("focus-empty", AREA, COSTS, Rejected(("E410", "E411"), "focus.csv", None), {"focus.csv": b""}, note="a 0-byte FOCUS file"),
    Case("focus-header-only", AREA, COSTS,
         Rejected("E505", "policies/budget.yaml", 1, fragment="no cost rows in 2026-06", report=True),
         {"focus.csv": FOCUS.split(b"\n", 1)[0] + b"\n"},
         note="a header and no rows: a valid file, but cost policies with nothing to judge must not pass silently"),
    Case("focus-truncated", AREA, COSTS, Rejected("E412", "focus.csv", 30), {"focus.csv": _truncated_at_line(FOCUS, 30)},
         note="a copy interrupted in the middle of line 30"),
    Case("focus-json-content", AREA, COSTS, Rejected("E411", "focus.csv", 1), {"focus.csv": b'{"BilledCost": 1}\n'},
         note="a JSON document named .csv"),
    Case("focus-invalid-utf8", AREA, COSTS, Rejected("E412", "focus.csv", 5),
         {"focus.csv": FOCUS.replace(b"pay-api", b"pay-\xffapi", 2).replace(b"pay-\xffapi", b"pay-api", 1)},
         note="byte 0xff in ResourceName on line 5"),
    Case("focus-bom", AREA, COSTS, Same(), {"focus.csv": bom(FOCUS)}, note="a UTF-8 byte order mark: valid"),
    Case("focus-crlf", AREA, COSTS, Same(), {"focus.csv": crlf(FOCUS)}, note="CRLF line ends: valid"),
    Case("focus-3mb-field", AREA, COSTS, Same(), {"focus.csv": add_column(FOCUS, "x_Notes", {5: "n" * 3_000_000})},
         note="a custom column holding 3 MB on line 5 (one line of 3 MB): valid, the column is ignored"),
    Case("focus-nan-cost", AREA, COSTS, Rejected("E412", "focus.csv", 7, fragment="BilledCost"),
         {"focus.csv": set_cell(FOCUS, 7, "BilledCost", "NaN")}, note="BilledCost NaN"),
    Case("focus-infinity-cost", AREA, COSTS, Rejected("E412", "focus.csv", 7, fragment="BilledCost"),
         {"focus.csv": set_cell(FOCUS, 7, "BilledCost", "Infinity")}, note="BilledCost Infinity"),
    Case("focus-1e30-cost", AREA, COSTS, Rejected("E412", "focus.csv", 7, fragment="BilledCost"),
         {"focus.csv": set_cell(FOCUS, 7, "BilledCost", "1e30")},
         note="BilledCost 1e30: more integer digits than the exact decimal type holds (26)"),
    Case("focus-26-digit-cost", AREA, COSTS,
         Accepted(1, _payments_actual(_exact(f"{TWENTY_SIX} + 18 * 9.216")), "payments' actual exactly 26-digit + 18 × 9.216"),
         {"focus.csv": set_cell(FOCUS, PAYMENTS_LINE, "BilledCost", TWENTY_SIX)}, note="a 26-digit BilledCost, summed exactly"),
    Case("focus-sum-overflow", AREA, COSTS,
         OneOf((Accepted(1, _payments_actual(_exact(f"2 * {'9' * 26} + 17 * 9.216")), "the exact sum"),
               Rejected(("E412", "E413"), "focus.csv", None),
               Rejected("E504", "policies/budget.yaml", None, fragment="BilledCost", report=True))),
         {"focus.csv": set_cell(set_cell(FOCUS, 2, "BilledCost", "9" * 26), 5, "BilledCost", "9" * 26)},
         note="two BilledCost of 26 nines: each fits the exact type, their sum does not"),
    Case("focus-offset-plus-0200", AREA, ALL, Same(), {"focus.csv": with_offsets(FOCUS, _offset(2))},
         note="the same instants written with +02:00"),
    Case("focus-offset-minus-0500", AREA, ALL, Same(), {"focus.csv": with_offsets(FOCUS, _offset(-5))},
         note="the same instants written with -05:00 (the tax row starts 2026-05-31T19:00:00-05:00)"),
    Case("focus-no-zone", AREA, ALL, Same(), {"focus.csv": with_offsets(FOCUS, _naive("T"))},
         note="the same instants without a zone (UTC)"),
    Case("focus-no-zone-space", AREA, ALL, Same(), {"focus.csv": with_offsets(FOCUS, _naive(" "))},
         note="'2026-06-01 00:00:00', as the FinOps Foundation sample writes them"),
    Case("focus-mixed-offsets", AREA, ALL, Same(), {"focus.csv": with_offsets(FOCUS, _mixed)},
         note="Z, +02:00, -05:00, +05:30 and no zone mixed row by row"),
    Case("focus-csv-gz", AREA, with_file(COSTS, "--costs", "focus.csv.gz"), Same(reference_args=COSTS), {"focus.csv.gz": gz(FOCUS)},
         note="the kit's CSV gzipped"),
    Case("focus-parquet", AREA, with_file(ALL, "--costs", "focus.parquet"), Same(reference_args=ALL),
         {"focus.parquet": Generated(_parquet(TYPED), "Parquet with decimal, double and timestamptz columns")},
         note="the kit's rows as typed Parquet"),
    Case("focus-parquet-boolean-billedcost", AREA, PARQUET, Rejected("E412", "focus.parquet", None, fragment="BilledCost"),
         {"focus.parquet": Generated(_parquet(_typed_with("BilledCost", "CAST(CAST(BilledCost AS DOUBLE) > 5 AS BOOLEAN)")), "BOOLEAN BilledCost")},
         note="BilledCost is a BOOLEAN column (true/false are not money)"),
    Case("focus-parquet-text-billedcost", AREA, PARQUET, Rejected("E412", "focus.parquet", None, fragment="BilledCost"),
         {"focus.parquet": Generated(_parquet(_typed_with("BilledCost", "CASE WHEN ResourceId = 'vol-0003' THEN 'abc' ELSE BilledCost END")),
                                     "VARCHAR BilledCost with 'abc'")}, note="a text BilledCost column holding 'abc'"),
    Case("focus-parquet-epoch-timestamps", AREA, PARQUET, Rejected("E412", "focus.parquet", None, fragment="ChargePeriodStart"),
         {"focus.parquet": Generated(_parquet(_typed_with("ChargePeriodStart", "epoch(CAST(ChargePeriodStart AS TIMESTAMPTZ))")),
                                     "BIGINT/DOUBLE ChargePeriodStart")}, note="ChargePeriodStart as epoch seconds (a number column)"),
    Case("focus-parquet-integer-tags", AREA, PARQUET, Rejected(("E412", "E413"), "focus.parquet", None, fragment="Tags"),
         {"focus.parquet": Generated(_parquet(TYPED.replace("* REPLACE", "* EXCLUDE (Tags) REPLACE") + ", 7 AS Tags"), "INTEGER Tags")}, note="Tags is an integer column"),
    Case("focus-parquet-truncated", AREA, PARQUET, Rejected(("E410", "E412"), "focus.parquet", None),
         {"focus.parquet": Generated(_truncated_parquet, "half a Parquet file")}, note="a Parquet file cut in half"),
    Case("focus-lowercase-currency", AREA, COSTS, Rejected(("E412", "E413"), "focus.csv", 3, fragment="BillingCurrency"),
         {"focus.csv": set_cell(FOCUS, 3, "BillingCurrency", "usd")}, note="BillingCurrency 'usd' on line 3 (ISO 4217 codes are upper case)"),
    Case("focus-numeric-currency", AREA, COSTS, Rejected(("E412", "E413"), "focus.csv", 3, fragment="BillingCurrency"),
         {"focus.csv": set_cell(FOCUS, 3, "BillingCurrency", "840")}, note="BillingCurrency '840' (the numeric ISO code)"),
    Case("focus-all-lowercase-currency", AREA, COSTS, Rejected(("E412", "E413"), "focus.csv", 2, fragment="BillingCurrency"),
         {"focus.csv": set_column(FOCUS, "BillingCurrency", "usd")},
         note="every row 'usd': the USD budgets would silently match nothing"),
    Case("focus-tags-not-an-object", AREA, COSTS, Rejected("E413", "focus.csv", 4, fragment="Tags"),
         {"focus.csv": set_cell(FOCUS, 4, "Tags", '["team"]')}, note="Tags on line 4 is a JSON array"),
    Case("focus-period-reversed", AREA, COSTS, Rejected("E413", "focus.csv", 6),
         {"focus.csv": set_cell(FOCUS, 6, "ChargePeriodEnd", "2026-05-01T00:00:00Z")}, note="line 6 ends its charge period before it starts"),
    Case("focus-dev-zero", AREA, with_file(COSTS, "--costs", "/dev/zero"), Rejected("E410", "/dev/zero", None, wrong=NOT_THERE), note="--costs /dev/zero"),
    Case("focus-dev-null", AREA, with_file(COSTS, "--costs", "/dev/null"), Rejected(("E410", "E411"), "/dev/null", None, wrong=NOT_THERE),
         note="--costs /dev/null"),
    Case("focus-dev-zero-via-symlink", AREA, COSTS, Rejected("E410", "focus.csv", None, wrong=NOT_THERE), {"focus.csv": Symlink("/dev/zero")},
         note="focus.csv is a symlink to /dev/zero"),
    Case("focus-symlink-loop", AREA, COSTS, Rejected("E410", "focus.csv", None, wrong=NOT_THERE), {"focus.csv": Symlink("focus.csv")},
         note="focus.csv is a symlink to itself"),
    Case("focus-fifo", AREA, COSTS, OneOf((Same(), Rejected("E410", "focus.csv", None, wrong=NOT_THERE))), {"focus.csv": Fifo(FOCUS)},
         note="focus.csv is a named pipe a writer fills: read it, or refuse it clearly"),
    # A cost policy whose period holds no cost row is an evaluation error naming the period (E505):
    # the calendar's first and last months must be named, not crash.
    Case("focus-as-of-9999-12-15", AREA, with_file(COSTS, "--as-of", "9999-12-15"),
         OneOf((Accepted(0, _no_findings, "no findings (nothing is spent in December 9999)"), UsageError("--as-of"),
                Rejected("E505", "policies/budget.yaml", fragment="no cost rows in 9999-12 up to 9999-12-15", report=True))),
         note="an as-of date in the last month the calendar has"),
    Case("focus-as-of-0001-01-15", AREA, with_file(COSTS, "--as-of", "0001-01-15"),
         OneOf((Accepted(0, _no_findings, "no findings (nothing is spent in January of year 1)"), UsageError("--as-of"),
                Rejected("E505", "policies/budget.yaml", fragment="no cost rows in 0001-01 up to 0001-01-15", report=True))),
         note="an as-of date in the first month the calendar has"),
]

assert AS_OF == "2026-06-20"  # the cases above count the kit's rows up to this date
