"""Reading FOCUS exports: versions, formats, the parser pitfalls of DATA.md, and precise errors."""

from __future__ import annotations

import gzip
import shutil
from decimal import Decimal

import duckdb
import pytest

from engine.costs.focus import COLUMNS, detect_version
from engine.costs.reader import load_costs
from engine.errors import InputError
from tests.conftest import REALDATA, ROOT

SAMPLE = REALDATA / "focus-sample-data" / "focus_sample.csv"
FIXTURE = ROOT / "policies" / "fixtures" / "focus-may-june-2026.csv"
HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,SubAccountId,Tags"


def csv_file(write, rows: list[str], header: str = HEADER, name: str = "costs.csv"):
    return write(name, header + "\n" + "\n".join(rows) + "\n")


def problems_of(paths) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_costs([str(p) for p in paths])
    return [p.format() for p in caught.value.problems]


def test_the_finops_foundation_sample_loads_with_exact_decimals_and_string_accounts():
    costs = load_costs([str(SAMPLE)])
    assert costs.versions == ["1.0"] and costs.rows == 1000
    total, accounts = costs.query("SELECT sum(BilledCost), list(DISTINCT SubAccountId) FROM focus")[0]
    # an independent sum: Python's csv module and Decimal, the literal NULL read as nothing
    import csv

    with open(SAMPLE, newline="") as handle:
        expected = sum(Decimal(r["BilledCost"]) for r in csv.DictReader(handle) if r["BilledCost"] not in ("", "NULL"))
    assert total == expected
    assert all(isinstance(a, str) for a in accounts if a is not None)
    # 12-digit ids keep their leading zeros and stay text
    assert costs.query("SELECT typeof(BillingAccountId) FROM focus LIMIT 1")[0][0] == "VARCHAR"


def test_literal_null_and_empty_fields_are_both_null_and_timestamps_of_both_styles_are_utc(write):
    path = csv_file(
        write,
        [
            '1.5,1.5,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,NULL,NULL',
            '2,2,USD,Usage,2024-09-01 00:00:00,2024-09-01 01:00:00,,',
            '35.2E-7,-3,USD,Credit,2026-05-01T02:00:00+02:00,2026-05-01T03:00:00+02:00,000123456789,"{""a"":true}"',
        ],
    )
    costs = load_costs([str(path)])
    rows = costs.query("SELECT BilledCost, ChargePeriodStart, SubAccountId, Tags FROM focus ORDER BY BilledCost")
    assert rows[0][0] == Decimal("0.00000352")  # scientific notation, exact
    assert str(rows[0][1]) == "2026-05-01 00:00:00"  # +02:00 converted to UTC, not dropped
    assert rows[0][2] == "000123456789"
    assert rows[1][2] is None and rows[1][3] is None
    assert rows[2][2] is None and rows[2][3] is None


def test_versions_are_detected_from_the_columns():
    assert detect_version(["BilledCost", "Tags"]) == "1.0"
    assert detect_version(["BilledCost", "CommitmentDiscountQuantity"]) == "1.1"
    assert detect_version(["InvoiceId", "SkuMeter"]) == "1.2"
    assert detect_version(["ServiceProviderName", "ProviderName"]) == "1.3"
    counts = {v: sum(1 for version, _ in COLUMNS.values() if version <= v) for v in ("1.0", "1.1", "1.2", "1.3")}
    assert counts == {"1.0": 43, "1.1": 50, "1.2": 57, "1.3": 65}  # the column counts of the spec


def test_gzip_parquet_folder_and_glob_read_the_same_rows(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    with open(FIXTURE, "rb") as source, gzip.open(folder / "part-1.csv.gz", "wb") as target:
        shutil.copyfileobj(source, target)
    plain = load_costs([str(FIXTURE)])
    parquet = folder / "part-2.parquet"
    plain.connection.execute(f"COPY focus TO '{parquet}' (FORMAT parquet)")
    expected = plain.query("SELECT sum(BilledCost), sum(EffectiveCost), count(*) FROM focus")[0]
    gz = load_costs([str(folder / "part-1.csv.gz")])
    assert gz.files[0].format == "csv.gz" and gz.query("SELECT sum(BilledCost), sum(EffectiveCost), count(*) FROM focus")[0] == expected
    pq = load_costs([str(parquet)])
    assert pq.files[0].format == "parquet" and pq.query("SELECT sum(BilledCost), sum(EffectiveCost), count(*) FROM focus")[0] == expected
    both = load_costs([str(folder)])
    assert [f.format for f in both.files] == ["csv.gz", "parquet"] and both.rows == 2 * expected[2]
    globbed = load_costs([str(folder / "*.parquet")])
    assert globbed.rows == expected[2]


def test_parquet_with_double_money_and_map_tags_is_read_exactly(tmp_path):
    path = tmp_path / "costs.parquet"
    duckdb.sql(
        "COPY (SELECT 0.1::DOUBLE AS BilledCost, 0.2::DOUBLE AS EffectiveCost, 'USD' AS BillingCurrency, 'Usage' AS ChargeCategory,"
        " TIMESTAMP '2026-05-01 00:00:00' AS ChargePeriodStart, TIMESTAMP '2026-05-01 01:00:00' AS ChargePeriodEnd,"
        f" MAP {{'team': 'payments'}} AS Tags) TO '{path}' (FORMAT parquet)"
    )
    costs = load_costs([str(path)])
    billed, tags = costs.query("SELECT BilledCost, json_extract_string(Tags, '$.team') FROM focus")[0]
    assert billed == Decimal("0.1") and tags == "payments"


@pytest.mark.parametrize(
    "row, fragment",
    [
        ('abc,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,', "costs.csv:3: E412 column BilledCost: 'abc' is not a decimal number (write it like 12.5, -0.25 or 9.6E-2)"),
        ('1,1,USD,Usage,yesterday,2026-05-01T01:00:00Z,1,', "costs.csv:3: E412 column ChargePeriodStart: cannot read 'yesterday' as a timestamp"),
        ('1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,"{bad"', "costs.csv:3: E412 column Tags: cannot read '{bad' as JSON"),
        ('1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,"[1,2]"', "costs.csv:3: E413 Tags is a JSON array, not a JSON object of tag keys and values"),
        ('1,1,USD,Refund,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,', "costs.csv:3: E413 ChargeCategory 'Refund' is not one of Usage, Purchase, Tax, Credit, Adjustment"),
        ('1,1,,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,', "costs.csv:3: E413 BillingCurrency is empty"),
        ('1,1,USD,Usage,2026-05-01T02:00:00Z,2026-05-01T01:00:00Z,1,', "costs.csv:3: E413 the charge period ends (2026-05-01T01:00:00Z) before it starts (2026-05-01T02:00:00Z)"),
    ],
)
def test_bad_values_name_the_file_line_and_column(write, row, fragment):
    good = "1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,"
    path = csv_file(write, [good, row])
    found = problems_of([path])
    assert any(fragment in p for p in found), found


def test_missing_required_columns_and_case_mistakes(write):
    path = write("costs.csv", "billedcost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart\n1,1,USD,Usage,2026-05-01\n")
    (problem,) = problems_of([path])
    assert "costs.csv:1: E411 not a FOCUS file: missing required columns BilledCost, ChargePeriodEnd" in problem
    assert "column names are case-sensitive: billedcost for BilledCost" in problem


def test_missing_files_folders_and_patterns(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    found = problems_of([tmp_path / "nope.csv", empty, tmp_path / "*.parquet"])
    assert any("nope.csv: E410 no such file or folder" in p for p in found)
    assert any("empty: E410 no FOCUS files" in p for p in found)
    assert any("*.parquet: E410 no file matches this pattern" in p for p in found)


def test_a_truncated_gzip_file_is_an_error_not_a_traceback(tmp_path):
    data = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "costs.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    found = problems_of([path])
    assert found and all("costs.csv.gz" in p and ("E410" in p or "E412" in p) for p in found)


def test_unknown_columns_are_ignored_and_missing_optional_ones_read_as_null(write):
    path = csv_file(write, ["1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,1,,x,7"], header=HEADER + ",x_Custom,Id")
    costs = load_costs([str(path)])
    assert costs.query("SELECT CommitmentDiscountId, ListCost, ResourceId FROM focus") == [(None, None, None)]
