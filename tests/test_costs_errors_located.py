"""A FOCUS problem names the file, the line (a Parquet file: the row) and the column; and ``--costs``
says precisely what a path is when it is not a file it can read.

* values checked after the load (Tags not an object, a period that ends before it starts, a
  charge category outside FOCUS ...) are located at the line of the first bad row, counting the
  lines a quoted field spans, in plain and gzip CSV; in Parquet at the row;
* a CSV ``Tags`` cell that is not JSON names ``Tags`` whatever columns a run loads;
* a valid line of 3 MB (a custom column) is read; so is a 3 MB field of a price table;
* a named pipe is read as a stream; ``/dev/zero``, ``/dev/null``, a link loop and a link to nothing
  are refused with what they are, never "no such file".
"""

from __future__ import annotations

import gzip
import os
import threading

import duckdb
import pytest

from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.pricing.table import load_price_table
from tests.conftest import ROOT

HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ResourceName,Tags\n"
GOOD = '1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,"{""team"":""a""}"\n'
MULTILINE = '1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,"a name\nover\nthree lines",\n'


def problems(paths, columns=None) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_costs([str(p) for p in paths], columns=columns)
    return [p.format() for p in caught.value.problems]


@pytest.mark.parametrize("row, message", [
    ('1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,"[""team""]"', "E413 Tags is a JSON array, not a JSON object of tag keys and values"),
    ('1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,7', "E413 Tags is a JSON number, not a JSON object of tag keys and values"),
    ("1,1,USD,Usage,2026-06-01T00:00:00Z,2026-05-01T00:00:00Z,vm,",
     "E413 the charge period ends (2026-05-01T00:00:00Z) before it starts (2026-06-01T00:00:00Z)"),
    ("1,1,USD,Refund,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,", "E413 ChargeCategory 'Refund' is not one of Usage, Purchase, Tax, Credit, Adjustment"),
    ("1,1,,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,", "E413 BillingCurrency is empty"),
    ("1,,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,", "E413 BilledCost or EffectiveCost is empty (both are mandatory)"),
    ("1,1,USD,Usage,,2026-05-01T01:00:00Z,vm,", "E413 ChargePeriodStart or ChargePeriodEnd is empty"),
    ("1,1,USD,Usage,yesterday,2026-05-01T01:00:00Z,vm,",
     "E412 column ChargePeriodStart: cannot read 'yesterday' as a timestamp such as 2026-05-01T00:00:00Z, 2026-05-01T00:00:00-05:00"
     " or 2026-05-01 00:00:00 (UTC)"),
    ('1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,"{bad"', "E412 column Tags: cannot read '{bad' as JSON (Tags is a JSON object)"),
])
def test_a_bad_row_is_located_at_its_line_after_a_field_spanning_three_lines(write, row, message):
    """The bad row is data row 4 but starts on line 7: a quoted field of the row before spans three lines."""
    path = write("costs.csv", HEADER + GOOD + GOOD + MULTILINE + row + "\n" + GOOD)
    assert problems([path]) == [f"{path}:7: {message}"]


def test_several_bad_rows_name_the_first_and_count_them(write):
    bad = "1,1,USD,Usage,2026-06-01T00:00:00Z,2026-05-01T00:00:00Z,vm,\n"
    path = write("costs.csv", HEADER + GOOD + bad + GOOD + bad + bad)
    assert problems([path]) == [
        f"{path}:3: E413 the charge period ends (2026-05-01T00:00:00Z) before it starts (2026-06-01T00:00:00Z) (3 rows in all)"]


def test_a_gzip_file_is_located_by_its_uncompressed_lines(write):
    bad = '1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,"[1]"\n'
    path = write("costs.csv.gz", gzip.compress((HEADER + GOOD + MULTILINE + bad).encode()))
    assert problems([path]) == [f"{path}:6: E413 Tags is a JSON array, not a JSON object of tag keys and values"]


def test_a_parquet_file_is_located_by_its_row(tmp_path):
    path = tmp_path / "costs.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES (1.0, 'USD'), (2.0, 'usd'), (3.0, 'usd')) AS t(BilledCost, BillingCurrency)"
        " CROSS JOIN (SELECT 1.0 AS EffectiveCost, 'Usage' AS ChargeCategory, TIMESTAMP '2026-05-01 00:00:00' AS ChargePeriodStart,"
        f" TIMESTAMP '2026-05-01 01:00:00' AS ChargePeriodEnd) ORDER BY BilledCost) TO '{path}' (FORMAT parquet)")
    assert problems([path]) == [f"{path}: E413 row 2: BillingCurrency: 'usd' is not an ISO 4217 currency code: write USD"
                                " (three upper-case letters)"]


@pytest.mark.parametrize("columns", [["Tags"], ["Tags", "EffectiveCost"], None])
def test_a_tags_cell_that_is_not_json_names_tags_whatever_is_loaded(write, columns):
    """Only a tag-coverage policy running: the reader loads few columns; the message still names Tags."""
    path = write("costs.csv", HEADER + GOOD + '1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,vm,"{not json"\n')
    assert problems([path], columns) == [f"{path}:3: E412 column Tags: cannot read '{{not json' as JSON (Tags is a JSON object)"]


def test_a_3_mb_custom_column_is_read(write):
    text = HEADER.rstrip("\n") + ",x_Notes\n" + GOOD.rstrip("\n") + ",\n" + GOOD.rstrip("\n") + "," + "n" * 3_000_000 + "\n"
    costs = load_costs([str(write("costs.csv", text))])
    assert costs.rows == 2


def test_a_3_mb_price_table_field_is_read(write):
    text = "provider,region,size,price,currency,unit,notes\naws,us-east-1,m5.large,0.096,USD,hour," + "n" * 3_000_000 + "\n"
    assert load_price_table([str(write("prices.csv", text))]).rows


# -- paths that are not files -------------------------------------------------------------------------

def test_a_named_pipe_is_read_as_a_stream(tmp_path):
    source = ROOT / "examples" / "costs" / "focus-2026-11.csv"
    expected = load_costs([str(source)]).query("SELECT count(*), sum(BilledCost) FROM focus")
    pipe = tmp_path / "costs.csv"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_bytes(source.read_bytes()), daemon=True)  # (blocks until read)
    writer.start()
    try:
        costs = load_costs([str(pipe)])
    finally:
        writer.join(timeout=30)
    assert costs.query("SELECT count(*), sum(BilledCost) FROM focus") == expected
    assert costs.files[0].path == str(pipe)


@pytest.mark.parametrize("target, reason", [
    ("/dev/zero", "it is a character device (/dev/zero), not a file"),
    ("/dev/null", "it is a character device (/dev/null), not a file"),
    ("costs.csv", "a symbolic link loop (a link that leads back to itself)"),
    ("missing.csv", "a symbolic link to 'missing.csv', which does not exist"),
])
def test_what_is_not_a_file_is_named_never_no_such_file(tmp_path, target, reason):
    link = tmp_path / "costs.csv"
    link.symlink_to(target)
    assert problems([link]) == [f"{link}: E410 {reason}"]


def test_a_device_given_directly_is_named(tmp_path):
    assert problems(["/dev/zero"]) == ["/dev/zero: E410 it is a character device, not a file"]
    assert problems([tmp_path / "nope.csv"]) == [f"{tmp_path / 'nope.csv'}: E410 no such file or folder"]


def test_a_folder_entry_that_is_not_a_file_is_named(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + GOOD)
    (tmp_path / "b.csv").symlink_to("/dev/zero")
    assert problems([tmp_path]) == [f"{tmp_path / 'b.csv'}: E410 cannot read it: it is a character device (/dev/zero), not a file"]
