"""Price tables (``--prices``): CSV files of prices per provider, region and size."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from tests.hostile.harness import PRICES, Accepted, Case, Fifo, Folder, Rejected, Same, Symlink, with_file
from tests.hostile.sources import bom, crlf, cut_after, kit, line_of, replace

AREA = "prices"
TABLE = kit("prices.csv")
CURRENT = "aws,us-east-1,m5.2xlarge,0.384,USD,hour"  # the size of i-0001; its target is m5.xlarge at 0.192
BIG_PRICE = "12345678901234567890123456.5"


def _price(value: str) -> bytes:
    return replace(TABLE, CURRENT, CURRENT.replace("0.384", value))


def _saving_of_big_price(document: dict) -> str | None:
    with localcontext() as context:
        context.prec = 80
        expected = ((Decimal(BIG_PRICE) - Decimal("0.192")) * 730).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    found = [f["money"]["monthly_saving"] for f in document["findings"] if f["policy"] == "rightsize"]
    want = {"amount": str(expected), "currency": "USD"}
    return None if found == [want] else f"the rightsize saving is {found}, expected [{want}] (730 h × the price difference, exact)"


CASES = [
    Case("prices-empty", AREA, PRICES, Rejected("E422", "prices.csv", 1), {"prices.csv": b""}, note="a 0-byte price table"),
    Case("prices-truncated", AREA, PRICES, Rejected("E422", "prices.csv", line_of(TABLE, "m5.large")),
         {"prices.csv": cut_after(TABLE, "aws,us-east-1,m5.la")}, note="a copy interrupted in the middle of the last line"),
    Case("prices-json-content", AREA, PRICES, Rejected("E422", "prices.csv", 1), {"prices.csv": b'[{"size": "m5.large"}]\n'},
         note="JSON in a file named .csv"),
    Case("prices-invalid-utf8", AREA, PRICES, Rejected("E422", "prices.csv", line_of(TABLE, "m5.xlarge")),
         {"prices.csv": replace(TABLE, "m5.xlarge", b"m5.\xffxlarge")}, note="byte 0xff in a size"),
    Case("prices-bom", AREA, PRICES, Same(), {"prices.csv": bom(TABLE)}, note="a UTF-8 byte order mark: valid"),
    Case("prices-crlf", AREA, PRICES, Same(), {"prices.csv": crlf(TABLE)}, note="CRLF line ends: valid"),
    Case("prices-3mb-field", AREA, PRICES, Same(),
         {"prices.csv": replace(replace(TABLE, "currency,unit", "currency,unit,notes"), CURRENT, CURRENT + "," + "n" * 3_000_000)},
         note="a notes column (ignored) holding 3 MB on one line: valid"),
    Case("prices-nan", AREA, PRICES, Rejected("E423", "prices.csv", line_of(TABLE, CURRENT)), {"prices.csv": _price("NaN")},
         note="price NaN"),
    Case("prices-infinity", AREA, PRICES, Rejected("E423", "prices.csv", line_of(TABLE, CURRENT)), {"prices.csv": _price("Infinity")},
         note="price Infinity"),
    Case("prices-1e400", AREA, PRICES, Rejected("E423", "prices.csv", line_of(TABLE, CURRENT)), {"prices.csv": _price("1e400")},
         note="price 1e400"),
    Case("prices-26-digit-price", AREA, PRICES,
         Accepted(1, _saving_of_big_price, "the rightsize saving 730 × (price − 0.192), exact to the cent"),
         {"prices.csv": _price(BIG_PRICE)}, note="a 26-digit hourly price"),
    Case("prices-lowercase-currency", AREA, PRICES, Rejected("E423", "prices.csv", line_of(TABLE, CURRENT)),
         {"prices.csv": replace(TABLE, CURRENT, CURRENT.replace("USD", "usd"))}, note="currency 'usd'"),
    Case("prices-dev-zero", AREA, with_file(PRICES, "--prices", "/dev/zero"), Rejected("E421", "/dev/zero", None), note="--prices /dev/zero"),
    Case("prices-dev-null", AREA, with_file(PRICES, "--prices", "/dev/null"), Rejected(("E421", "E422"), "/dev/null", None),
         note="--prices /dev/null"),
    Case("prices-dev-zero-via-symlink", AREA, PRICES, Rejected("E421", "prices.csv", None), {"prices.csv": Symlink("/dev/zero")},
         note="prices.csv is a symlink to /dev/zero"),
    Case("prices-symlink-loop", AREA, PRICES, Rejected("E421", "prices.csv", None), {"prices.csv": Symlink("prices.csv")},
         note="prices.csv is a symlink to itself"),
    Case("prices-directory", AREA, with_file(PRICES, "--prices", "table"), Rejected("E421", "table", None), {"table": Folder()},
         note="--prices names a folder"),
    Case("prices-fifo", AREA, PRICES, Same(), {"prices.csv": Fifo(TABLE)},
         note="prices.csv is a named pipe a writer fills (as <(cat prices.csv) is): read like the file"),
]
