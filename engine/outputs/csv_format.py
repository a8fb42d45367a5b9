"""CSV: one row per finding, the columns of :data:`COLUMNS` in that order (a header row first).

The ``status`` column is open, exempted or baselined; ``exemption_id`` names the exemption of an
exempted finding. The exemptions' states and the baseline's fixed entries are not findings: the
other formats give them.

RFC 4180: fields with a comma, a quote, CR or LF are quoted (quotes doubled), records end with
CRLF, UTF-8 without a byte order mark. Money is one amount column (the exact decimal string) and
one currency column per money field; an empty amount means the finding has none.

Spreadsheets: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or CR (or their
full-width forms) gets a ``'`` in front, so a tag value never runs as a formula; the cells of the
number columns (:data:`NUMBER_COLUMNS`: amounts, line, column) are never touched — ``-12.5`` in an
amount column stays the number ``-12.5``, while ``-12.5`` in a text column becomes ``'-12.5``.
"""

from __future__ import annotations

import csv
import io

from engine.findings import MONEY_FIELDS, Finding, Result
from engine.outputs.escaping import csv_number, csv_text

COLUMNS = (
    "fingerprint", "policy", "title", "severity", "enforcement", "status", "owner", "owner_source",
    "resource_id", "resource_type", "resource_class", "resource_provider", "resource_account", "resource_region", "resource_name",
    "scope_dimension", "scope_value", "scope_currency", "period_start", "period_end",
    "message",
    *(f"{name}_{part}" for name in MONEY_FIELDS for part in ("amount", "currency")),
    "location_file", "location_line", "location_column",
    "exemption_id",
)
NUMBER_COLUMNS = frozenset({*(f"{name}_amount" for name in MONEY_FIELDS), "location_line", "location_column"})
_CELL = tuple(csv_number if column in NUMBER_COLUMNS else csv_text for column in COLUMNS)


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # QUOTE_MINIMAL, quotes doubled: RFC 4180
    writer.writerow(COLUMNS)
    for finding in result.findings:
        writer.writerow([cell(value) for cell, value in zip(_CELL, _row(finding))])
    return out.getvalue()


def _row(finding: Finding) -> list:
    resource = finding.resource or {}
    scope = finding.scope or {}
    period = scope.get("period") or {}
    location = finding.location or {}
    money = []
    for name in MONEY_FIELDS:
        value = getattr(finding, name)
        money += [value.to_dict()["amount"], value.currency] if value is not None else [None, None]
    return [
        finding.fingerprint, finding.policy, finding.title, finding.severity, finding.enforcement, finding.status,
        finding.owner, finding.owner_source,
        resource.get("id"), resource.get("type"), resource.get("class"), resource.get("provider"), resource.get("account"),
        resource.get("region"), resource.get("name"),
        scope.get("dimension"), scope.get("value"), scope.get("currency"), period.get("start"), period.get("end"),
        finding.message,
        *money,
        location.get("file"), location.get("line"), location.get("column"),
        (finding.exemption or {}).get("id"),
    ]
