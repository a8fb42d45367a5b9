"""CSV: RFC 4180, a row per finding with stable columns, formula-safe text cells, numbers left numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from engine import api
from engine.findings import MONEY_FIELDS
from tests.output_cases import HOSTILE, example_result, hostile_result, realdata_result

HEADER = [
    "fingerprint", "policy", "title", "severity", "enforcement", "status", "owner", "owner_source",
    "resource_id", "resource_type", "resource_class", "resource_provider", "resource_account", "resource_region", "resource_name",
    "scope_dimension", "scope_value", "scope_currency", "period_start", "period_end", "message",
    "monthly_cost_amount", "monthly_cost_currency", "monthly_saving_amount", "monthly_saving_currency",
    "overspend_amount", "overspend_currency", "unallocated_cost_amount", "unallocated_cost_currency",
    "uncovered_cost_amount", "uncovered_cost_currency", "unused_commitment_cost_amount", "unused_commitment_cost_currency",
    "cost_change_amount", "cost_change_currency", "location_file", "location_line", "location_column", "exemption_id",
]
FORMULA = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def read(text: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == HEADER
    assert all(len(row) == len(HEADER) for row in rows)
    return [dict(zip(HEADER, row)) for row in rows[1:]]


def test_the_example_run_is_a_row_per_finding_with_exact_money():
    result = example_result()
    text = api.render(result, "csv")
    assert text.count("\r\n") == len(result.findings) + 1 and "\n" not in text.replace("\r\n", "")  # CRLF records
    rows = read(text)
    assert len(rows) == len(result.findings) == 33
    for row, finding in zip(rows, result.findings):
        assert (row["fingerprint"], row["policy"], row["severity"], row["status"], row["owner"]) == \
            (finding.fingerprint, finding.policy, finding.severity, finding.status, finding.owner)
        assert row["resource_id"] == ((finding.resource or {}).get("id") or "")
        for name in MONEY_FIELDS:
            money = getattr(finding, name)
            if money is None:
                assert row[f"{name}_amount"] == row[f"{name}_currency"] == ""
            else:  # the exact decimal, equal to the finding's amount
                assert Decimal(row[f"{name}_amount"]) == money.amount and row[f"{name}_currency"] == money.currency
    scoped = [row for row in rows if row["scope_dimension"]]
    assert scoped and all(row["period_start"] == "2026-11-01T00:00:00Z" for row in scoped)


def test_records_end_with_crlf_and_fields_with_line_breaks_are_quoted():
    text = api.render(hostile_result(), "csv")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert text.endswith("\r\n") and text.split("\r\n", 1)[0] == ",".join(HEADER)
    assert any("\n" in cell for row in records for cell in row)  # a message with a line break: inside quotes, as RFC 4180 allows
    assert len(records) == len(hostile_result().findings) + 1


def test_text_cells_never_start_a_formula_and_read_back_as_they_were():
    result = hostile_result()
    rows = read(api.render(result, "csv"))
    for row, finding in zip(rows, result.findings):
        resource = finding.resource or {}
        given = {"message": finding.message, "owner": finding.owner, "owner_source": finding.owner_source,
                 "resource_id": resource.get("id"), "resource_type": resource.get("type"),
                 "resource_account": resource.get("account"), "resource_region": resource.get("region"),
                 "resource_name": resource.get("name"), "policy": finding.policy, "title": finding.title}
        for column, value in given.items():
            value = value or ""
            if value.startswith(FORMULA):
                assert row[column] == "'" + value, column
            else:
                assert row[column] == value, column
    for row in rows:
        for column in HEADER:
            if not column.endswith(("_amount", "_line", "_column")):
                assert not row[column].startswith(FORMULA), (column, row[column])
    assert {HOSTILE[1], HOSTILE[19], HOSTILE[20], HOSTILE[21]} <= {(finding.resource or {}).get("type") for finding in result.findings}


def test_negative_amounts_stay_numbers():
    rows = read(api.render(hostile_result(), "csv"))
    amounts = [row["monthly_cost_amount"] for row in rows if row["monthly_cost_amount"]]
    assert "-12.5" in amounts and "1234.5678" in amounts  # a negative amount is a number: no quote in front
    typed = [row["resource_type"] for row in rows if row["resource_type"].lstrip("'") == "-12.50"]
    assert typed == ["'-12.50"]  # the same text in a text column is neutralised


def test_locations_are_the_findings_own():
    result = hostile_result()
    rows = read(api.render(result, "csv"))
    for row, finding in zip(rows, result.findings):
        if finding.location:
            assert (row["location_file"].lstrip("'"), row["location_line"], row["location_column"]) == \
                (finding.location["file"], str(finding.location["line"]), "3")
        else:  # not the policy's file: CSV is data about the finding, it states no fallback
            assert row["location_file"] == row["location_line"] == ""


def test_realdata_run():
    result = realdata_result()
    assert [row["fingerprint"] for row in read(api.render(result, "csv"))] == [f.fingerprint for f in result.findings]
