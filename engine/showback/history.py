"""Run history: what changed since earlier runs — findings new, persisting and resolved, and KPI series.

Earlier runs come from findings JSON files (``costwarden check --format json``, any version the
engine wrote: :func:`load_previous_runs`) or from a history DuckDB file that every report run
appends to (:func:`open_history`). Each run is a :class:`RunRecord`: its as-of instant and
period, its findings, and — from a history file — the KPIs and spend of its scorecard and
showback.

**Identity across runs.** A finding about a resource is the same finding when its fingerprint is
(:func:`engine.findings.fingerprint_of`: policy, kind, provider, resource id — recomputed with
the current recipe, so files of an older recipe compare too). A cost finding (budget, tag
coverage, commitment) is the same when its policy, kind and scope (dimension, value, currency)
are, *whatever its period*: a team over budget in April and again in May is persisting.

:func:`compare_runs` classifies each current finding as ``new`` (not in the previous run) or
``persisting``, and each previous finding not seen now as ``resolved``; per owner and class it
counts the findings (and the open ones) and adds up their money per field and currency, of all
of them and of the open ones (a resource's monthly cost once per resource). A finding counts for
its owner (a resolved one for its owner in the previous run), as the report ranks owners.

**The history file** (DuckDB) holds one row per run in ``runs`` and its findings, their money,
the KPIs and the spend in the tables below (schema version :data:`HISTORY_VERSION`, in the table
``costwarden_history``); a file of a newer version is refused (``E493``), one that is not a
history file too (``E492``). A run is appended in one transaction: a failure leaves the file as
it was. Amounts are ``DECIMAL(38,12)``, instants ``TIMESTAMP`` (UTC).

Problems: ``E490`` a findings file that cannot be read or is not JSON (line and column), the
schema's ``E2xx`` for one that is not a findings file (``schemas/previous-findings.schema.json``),
``E491`` one of a newer schema version, ``E492`` a history file that cannot be opened (not a
DuckDB file, not a history file, locked by another process), ``E493`` a history file of a newer
version.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import orjson

from engine.amounts import exact
from engine.documents import schemas
from engine.documents.json_positions import located
from engine.errors import InputError, Problem
from engine.files import read_bounded
from engine.findings import FINDINGS_SCHEMA_VERSION, MONEY, READABLE_SCHEMA_VERSIONS, finding_kind, fingerprint_of, newer_schema_version
from engine.showback.owners import UNASSIGNED_SPEND
from engine.version import __version__

HISTORY_VERSION = 1
PREVIOUS_SCHEMA = "previous-findings.schema.json"
MAX_BYTES = 1024 * 1024 * 1024
CLASSES = ("new", "persisting", "resolved")
_ZERO = Decimal(0)

# The history file's tables (schema version 1), created in this order
TABLES = {
    "costwarden_history": "key VARCHAR PRIMARY KEY, value VARCHAR",
    "runs": "run INTEGER PRIMARY KEY, as_of TIMESTAMP NOT NULL, period_label VARCHAR, period_start TIMESTAMP, period_end TIMESTAMP,"
            " tool_version VARCHAR, findings INTEGER NOT NULL",
    "findings": "run INTEGER NOT NULL, n INTEGER NOT NULL, policy VARCHAR NOT NULL, kind VARCHAR NOT NULL, severity VARCHAR NOT NULL,"
                " status VARCHAR NOT NULL, owner VARCHAR NOT NULL, owner_source VARCHAR NOT NULL, resource_provider VARCHAR,"
                " resource_id VARCHAR, scope_dimension VARCHAR, scope_value VARCHAR, scope_currency VARCHAR, period_start VARCHAR,"
                " period_end VARCHAR, title VARCHAR, message VARCHAR",
    "finding_money": "run INTEGER NOT NULL, n INTEGER NOT NULL, field VARCHAR NOT NULL, amount DECIMAL(38,12) NOT NULL,"
                     " currency VARCHAR NOT NULL",
    "kpis": "run INTEGER NOT NULL, owner VARCHAR NOT NULL, kpi VARCHAR NOT NULL, currency VARCHAR, value DECIMAL(38,12),"
            " level VARCHAR, reason VARCHAR",
    "spend": "run INTEGER NOT NULL, owner VARCHAR NOT NULL, currency VARCHAR NOT NULL, measure VARCHAR NOT NULL,"
             " amount DECIMAL(38,12) NOT NULL",
}
# names that files of schema version 1 written by an earlier costwarden hold, read as today's: the owner of the
# unassigned spend, and the KPI of the forecast's variance from the budget
_RENAMED = {"(unallocated)": UNASSIGNED_SPEND, "budget_adherence": "forecast_variance"}
_FINDING_COLUMNS = ("policy", "kind", "severity", "status", "owner", "owner_source", "resource_provider", "resource_id",
                    "scope_dimension", "scope_value", "scope_currency", "period_start", "period_end", "title", "message")


@dataclass(frozen=True)
class FindingRecord:
    """A finding as the history keeps it: what its identity is made of, owner, status, money."""

    policy: str
    kind: str  # violation | note
    severity: str
    status: str
    owner: str
    owner_source: str
    resource_provider: str | None = None
    resource_id: str | None = None
    scope_dimension: str | None = None  # a cost finding (no resource)
    scope_value: str | None = None
    scope_currency: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    title: str = ""
    message: str = ""
    money: tuple = ()  # ((field, Decimal, currency), ...)

    @property
    def is_resource(self) -> bool:
        return self.scope_dimension is None

    @property
    def fingerprint(self) -> str:
        """The finding's fingerprint (current recipe)."""
        if self.is_resource:
            return fingerprint_of(self.policy, self.kind, {"provider": self.resource_provider, "id": self.resource_id}, None)
        scope = {"dimension": self.scope_dimension, "value": self.scope_value, "currency": self.scope_currency,
                 "period": {"start": self.period_start, "end": self.period_end}}
        return fingerprint_of(self.policy, self.kind, None, scope)

    @property
    def identity(self) -> tuple:
        """The same finding across runs (see the module doc): what the fingerprint of a resource finding
        is made of; the policy, kind and scope without the period for a cost finding."""
        if self.scope_dimension is None:
            return (self.policy, self.kind, "resource", self.resource_provider, self.resource_id)
        return (self.policy, self.kind, "scope", self.scope_dimension, self.scope_value, self.scope_currency)

    def to_dict(self) -> dict:
        subject = ({"resource": {"provider": self.resource_provider, "id": self.resource_id}} if self.is_resource else
                   {"scope": {"dimension": self.scope_dimension, "value": self.scope_value, "currency": self.scope_currency,
                              "period": {"start": self.period_start, "end": self.period_end}}})
        return {"fingerprint": self.fingerprint, "policy": self.policy, "title": self.title, "kind": self.kind,
                "severity": self.severity, "status": self.status, "owner": self.owner, "owner_source": self.owner_source,
                **subject, "message": self.message,
                "money": {name: {"amount": exact(amount), "currency": currency} for name, amount, currency in self.money}}


@dataclass(frozen=True)
class KpiRecord:
    owner: str
    kpi: str
    currency: str | None
    value: Decimal | None  # None: not available
    level: str | None
    reason: str | None = None


@dataclass(frozen=True)
class SpendRecord:
    owner: str
    currency: str
    measure: str
    amount: Decimal


@dataclass(frozen=True)
class RunRecord:
    as_of: str  # ISO-8601 UTC
    period: dict | None  # {"label", "start", "end"} or None
    tool_version: str | None
    findings: tuple | None  # FindingRecords; None when not loaded (History.records)
    kpis: tuple = ()
    spend: tuple = ()
    source: str = ""  # the findings file, or "history run N"
    counts: dict = field(default_factory=dict)  # owner -> {"findings": n, "open": n}

    @property
    def instant(self) -> datetime:
        return _instant(self.as_of)


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo is not None else value


# -- records of this run --------------------------------------------------------------------------

def finding_record(finding) -> FindingRecord:
    """The record of an :class:`engine.findings.Finding`."""
    resource, scope = finding.resource, finding.scope
    base = dict(policy=finding.policy, kind=finding_kind(finding.evidence), severity=finding.severity, status=finding.status,
                owner=finding.owner, owner_source=finding.owner_source, title=finding.title or "", message=finding.message,
                money=tuple((name, money.amount, money.currency) for name, money in finding.money.items()))
    return _with_subject(base, resource, scope)


def _with_subject(base: dict, resource, scope) -> FindingRecord:
    if resource is not None:
        return FindingRecord(**base, resource_provider=resource.get("provider"), resource_id=resource.get("id"))
    scope = scope or {}
    period = scope.get("period") or {}
    return FindingRecord(**base, scope_dimension=scope.get("dimension") or "", scope_value=scope.get("value"),
                         scope_currency=scope.get("currency"), period_start=period.get("start"), period_end=period.get("end"))


def _stored(value: Decimal) -> Decimal:
    """A KPI value as the history file keeps it: 12 decimal places, rounded half-even."""
    with localcontext() as context:
        context.prec = 60
        return value.quantize(Decimal("1e-12"), rounding=ROUND_HALF_EVEN)


def _kpi_order(record: KpiRecord) -> tuple:
    return (record.owner, record.kpi, record.currency or "")


def _spend_order(record: SpendRecord) -> tuple:
    return (record.owner, record.currency)


def _counts(findings) -> dict:
    counts: dict = {}
    for record in findings:
        entry = counts.setdefault(record.owner, {"findings": 0, "open": 0})
        entry["findings"] += 1
        entry["open"] += record.status == "open"
    return counts


def run_record(result, *, spend=None, card=None, window=None, tool_version: str | None = None) -> RunRecord:
    """This run as a :class:`RunRecord`: its findings (a :class:`~engine.findings.Result`), the
    scorecard's KPIs (``card``) and the showback's spend per owner (``spend``); the period is the
    ``window``'s (or the showback's, the result's)."""
    findings = tuple(finding_record(f) for f in result.findings)
    kpis = []
    if card is not None:
        for owner_card in card.owners:
            for kpi, outcome in owner_card.kpis.items():
                if not outcome.values:
                    kpis.append(KpiRecord(owner_card.owner, kpi, None, None, None, outcome.reason))
                for value in outcome.values:
                    kpis.append(KpiRecord(owner_card.owner, kpi, value.currency, _stored(value.value), value.level))
    kpis.sort(key=_kpi_order)
    spent = tuple(sorted((SpendRecord(o.owner, o.currency, spend.measure, o.amount) for o in spend.owners), key=_spend_order)) \
        if spend is not None else ()
    window = window or (spend.window if spend is not None else None) or (card.window if card is not None else None)
    if window is not None:
        period = {"label": window.label, "start": window.start.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": window.end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    else:
        period = {k: result.period[k] for k in ("label", "start", "end")} if result.period else None
    return RunRecord(result.as_of, period, tool_version or __version__, findings, tuple(kpis), spent, "this run", _counts(findings))


# -- findings JSON files of earlier runs ----------------------------------------------------------

def load_previous_runs(paths) -> list[RunRecord]:
    """The runs of findings JSON files (``check --format json``), oldest first. Raises InputError with
    every problem of every file."""
    runs, problems = [], []
    for path in paths:
        try:
            runs.append(_read_findings_file(str(path)))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return sorted(runs, key=lambda run: run.instant)


def _read_findings_file(path: str) -> RunRecord:
    data = read_bounded(path, MAX_BYTES, "findings file", unreadable="E490", too_large="E490",
                        missing_hint="write one with: costwarden check --format json --output FILE")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InputError([Problem("E490", f"not a findings file: not valid JSON ({error.msg})", path,
                                  getattr(error, "lineno", None), getattr(error, "colno", None),
                                  hint="give the output of costwarden check --format json")]) from None
    version = document.get("schema_version") if document.__class__ is dict else None
    if newer_schema_version(version):
        raise InputError([located(path, data, document).problem(
            "E491", f"findings of schema version {version}, newer than this costwarden's ({FINDINGS_SCHEMA_VERSION})",
            "/schema_version", "upgrade costwarden to read it")])
    if not plainly_valid(document) and not schemas.validator(PREVIOUS_SCHEMA).is_valid(document):
        raise InputError(schemas.validate(located(path, data, document), document, PREVIOUS_SCHEMA, []))
    findings = tuple(_record_of_dict(item) for item in document["findings"])
    period = document.get("period")
    period = {k: period.get(k) for k in ("label", "start", "end")} if isinstance(period, dict) else None
    return RunRecord(document["as_of"], period, document["tool"]["version"], findings, source=path,
                     counts=_counts(findings))


def _record_of_dict(item: dict) -> FindingRecord:
    money = tuple((name, Decimal(value["amount"]), value["currency"]) for name, value in item["money"].items() if value is not None)
    base = dict(policy=item["policy"], kind=finding_kind(item["evidence"]), severity=item["severity"], status=item["status"],
                owner=item["owner"], owner_source=item["owner_source"], title=item.get("title") or "", message=item["message"],
                money=money)
    return _with_subject(base, item["resource"], item["scope"])


_FINDING_KEYS = ("policy", "severity", "status", "owner", "owner_source", "resource", "scope", "message", "evidence", "money")
_SEVERITIES = frozenset({"info", "low", "medium", "high", "critical"})
_STATUSES = frozenset({"open", "exempted", "baselined"})
_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def plainly_valid(document) -> bool:
    """Whether ``document`` is valid under ``previous-findings.schema.json``, checked as plain Python
    (a run may have 100,000 findings; jsonschema takes seconds over them). True only when the schema
    would say valid; when False, the schema says why."""
    if document.__class__ is not dict or document.get("schema_version") not in READABLE_SCHEMA_VERSIONS or document.get("as_of").__class__ is not str \
            or not document["as_of"]:
        return False
    tool, period, findings = document.get("tool"), document.get("period", None), document.get("findings")
    if tool.__class__ is not dict or tool.get("name") != "costwarden" or tool.get("version").__class__ is not str:
        return False
    if period is not None and period.__class__ is not dict or findings.__class__ is not list:
        return False
    amount, currency = _AMOUNT, _CURRENCY
    for item in findings:
        if item.__class__ is not dict or any(key not in item for key in _FINDING_KEYS):
            return False
        policy, title = item["policy"], item.get("title", "")
        if policy.__class__ is not str or not policy or title.__class__ is not str or item["severity"] not in _SEVERITIES \
                or item["status"] not in _STATUSES or item["owner"].__class__ is not str or item["owner_source"].__class__ is not str \
                or item["message"].__class__ is not str or item["evidence"].__class__ is not dict:
            return False
        resource, scope, money = item["resource"], item["scope"], item["money"]
        if resource is not None and (resource.__class__ is not dict or "id" not in resource or "provider" not in resource
                                     or not _texts((resource["id"], resource["provider"]))):
            return False
        if scope is not None:
            if scope.__class__ is not dict or not _texts(scope.get(k) for k in ("dimension", "value", "currency")):
                return False
            scope_period = scope.get("period")
            if scope_period is not None and (scope_period.__class__ is not dict
                                             or not _texts((scope_period.get("start"), scope_period.get("end")))):
                return False
        if money.__class__ is not dict:
            return False
        for value in money.values():
            if value is None:
                continue
            if value.__class__ is not dict or value.keys() != {"amount", "currency"} or value["amount"].__class__ is not str \
                    or not amount.search(value["amount"]) or value["currency"].__class__ is not str or not currency.search(value["currency"]):
                return False
    return True


def _texts(values) -> bool:
    return all(value is None or value.__class__ is str for value in values)


# -- the history file -----------------------------------------------------------------------------

class History:
    """A history DuckDB file, open (see the module doc). Use :func:`open_history`."""

    def __init__(self, path: str, connection):
        self.path, self.connection = path, connection

    def close(self) -> None:
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def records(self, run: int | None = None) -> list[RunRecord]:
        """Every run (or run ``run``), oldest first, with its KPIs, spend and counts per owner but not
        its findings (``findings`` None)."""
        con = self.connection
        where, params = ("WHERE run = ?", [run]) if run is not None else ("", [])
        runs = con.execute(f"SELECT run, as_of, period_label, period_start, period_end, tool_version FROM runs {where}"
                           " ORDER BY as_of, run", params).fetchall()
        kpis: dict = {}
        for number, owner, kpi, currency, value, level, reason in con.execute(
                f"SELECT run, owner, kpi, currency, value, level, reason FROM kpis {where}", params).fetchall():
            kpis.setdefault(number, []).append(KpiRecord(_RENAMED.get(owner, owner), _RENAMED.get(kpi, kpi), currency, value, level, reason))
        spend: dict = {}
        for number, owner, currency, measure, amount in con.execute(
                f"SELECT run, owner, currency, measure, amount FROM spend {where}", params).fetchall():
            spend.setdefault(number, []).append(SpendRecord(_RENAMED.get(owner, owner), currency, measure, amount))
        counts: dict = {}
        for number, owner, total, opened in con.execute(
                f"SELECT run, owner, count(*), count(*) FILTER (WHERE status = 'open') FROM findings {where} GROUP BY ALL ORDER BY ALL",
                params).fetchall():
            counts.setdefault(number, {})[owner] = {"findings": total, "open": opened}
        return [RunRecord(_iso(as_of), _period(label, start, end), version, None, tuple(sorted(kpis.get(number, ()), key=_kpi_order)),
                          tuple(sorted(spend.get(number, ()), key=_spend_order)), f"history run {number}", counts.get(number, {}))
                for number, as_of, label, start, end, version in runs]

    def latest(self) -> RunRecord | None:
        """The latest run (by as-of instant) with its findings, or None when the file holds none."""
        row = self.connection.execute("SELECT run FROM runs ORDER BY as_of DESC, run DESC LIMIT 1").fetchone()
        return self.record(row[0]) if row else None

    def record(self, run: int) -> RunRecord:
        """Run ``run`` with its findings."""
        found = self.records(run)
        if not found:
            raise KeyError(run)
        con = self.connection
        money: dict = {}
        for n, name, amount, currency in con.execute(
                "SELECT n, field, amount, currency FROM finding_money WHERE run = ? ORDER BY n, field", [run]).fetchall():
            money.setdefault(n, []).append((name, amount, currency))
        empty = ()
        findings = tuple(
            FindingRecord(*row[1:], tuple(money[row[0]]) if row[0] in money else empty)
            for row in con.execute(f"SELECT n, {', '.join(_FINDING_COLUMNS)} FROM findings WHERE run = ? ORDER BY n", [run]).fetchall()
        )
        return replace(found[0], findings=findings)

    def append(self, record: RunRecord) -> int:
        """Add ``record`` (with its findings) as a new run, in one transaction; its number."""
        con = self.connection
        findings = record.findings or ()
        with tempfile.TemporaryDirectory(prefix="costwarden-history-") as folder:
            con.execute("BEGIN TRANSACTION")
            try:
                run = con.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchone()[0]
                period = record.period or {}
                con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [run, record.instant, period.get("label"), _optional_instant(period.get("start")),
                             _optional_instant(period.get("end")), record.tool_version, len(findings)])
                _insert_rows(con, folder, "findings",
                             ((run, n, *(getattr(f, name) for name in _FINDING_COLUMNS)) for n, f in enumerate(findings)))
                _insert_rows(con, folder, "finding_money",
                             ((run, n, name, amount, currency) for n, f in enumerate(findings) for name, amount, currency in f.money))
                _insert_rows(con, folder, "kpis", ((run, k.owner, k.kpi, k.currency, k.value, k.level, k.reason) for k in record.kpis))
                _insert_rows(con, folder, "spend", ((run, s.owner, s.currency, s.measure, s.amount) for s in record.spend))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return run


def _columns(table: str) -> list[tuple[str, str]]:
    """``(name, type)`` of the columns of one of :data:`TABLES`."""
    return [tuple(part.split()[:2]) for part in TABLES[table].split(", ")]


def _amount(value):
    if value.__class__ is Decimal:
        return exact(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _insert_rows(con, folder: str, table: str, rows) -> None:
    """Insert ``rows`` (tuples in the table's column order) through a newline-delimited JSON file that
    DuckDB reads: ``executemany`` takes minutes for 100,000 rows, this a fraction of a second. Amounts
    go as exact text and are cast to DECIMAL(38,12)."""
    columns = _columns(table)
    names = [name for name, _ in columns]
    path = os.path.join(folder, f"{table}.json")
    count = 0
    with open(path, "wb") as handle:
        for row in rows:
            handle.write(orjson.dumps(dict(zip(names, row)), default=_amount))
            handle.write(b"\n")
            count += 1
    if not count:
        return
    read = ", ".join(f"'{name}': '{'VARCHAR' if kind.startswith('DECIMAL') else kind}'" for name, kind in columns)
    select = ", ".join(f"CAST({name} AS {kind})" if kind.startswith("DECIMAL") else name for name, kind in columns)
    con.execute(f"INSERT INTO {table} SELECT {select} FROM read_json(?, format = 'newline_delimited', columns = {{{read}}})", [path])


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _optional_instant(text):
    return _instant(text) if text else None


def _period(label, start, end) -> dict | None:
    if label is None and start is None:
        return None
    return {"label": label, "start": _iso(start) if start else None, "end": _iso(end) if end else None}


def open_history(path) -> History:
    """Open a history file, creating it (and its tables) when it does not exist or is empty. Raises InputError."""
    import duckdb

    path = str(path)
    if os.path.isdir(path):
        raise InputError([Problem("E492", "a history file is a DuckDB file, not a folder", path)])
    try:
        connection = duckdb.connect(path)
    except duckdb.Error as error:
        raise InputError([Problem("E492", f"cannot open the history file: {_first_line(error)}", path,
                                  hint="a history file is a DuckDB database written by costwarden report --history")]) from None
    try:
        tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if not tables:
            connection.execute("BEGIN TRANSACTION")
            for table, columns in TABLES.items():
                connection.execute(f"CREATE TABLE {table} ({columns})")
            connection.execute("INSERT INTO costwarden_history VALUES ('schema_version', ?)", [str(HISTORY_VERSION)])
            connection.execute("COMMIT")
        elif "costwarden_history" not in tables:
            raise InputError([Problem("E492", f"not a costwarden history file (it holds the tables {', '.join(sorted(tables))})", path)])
        else:
            row = connection.execute("SELECT value FROM costwarden_history WHERE key = 'schema_version'").fetchone()
            version = row[0] if row else None
            if version is None or not version.isdigit():
                raise InputError([Problem("E492", "not a costwarden history file (no schema version)", path)])
            if int(version) > HISTORY_VERSION:
                raise InputError([Problem("E493", f"history of schema version {version}, newer than this costwarden's ({HISTORY_VERSION})",
                                          path, hint="upgrade costwarden to read and append to it")])
            missing = [table for table in TABLES if table not in tables]
            if missing:
                raise InputError([Problem("E492", f"not a complete costwarden history file: no table {', '.join(missing)}", path)])
    except BaseException:
        connection.close()
        raise
    return History(path, connection)


def _first_line(error) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# -- comparing runs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    current: RunRecord
    previous: RunRecord | None
    items: tuple  # (class, FindingRecord)
    # owner -> class -> {"findings", "open", "money": {field: {currency: Decimal}}, "open_money": the same, of the open findings}
    by_owner: dict

    def counts(self) -> dict:
        """``{class: findings}`` over every owner."""
        out = dict.fromkeys(CLASSES, 0)
        for klass, _ in self.items:
            out[klass] += 1
        return out

    def to_dict(self) -> dict:
        return {
            "current": {"as_of": self.current.as_of, "period": self.current.period},
            "previous": {"as_of": self.previous.as_of, "period": self.previous.period, "source": self.previous.source}
            if self.previous is not None else None,
            "counts": self.counts(),
            "by_owner": [
                {"owner": owner, **{klass: {"findings": part["findings"], "open": part["open"],
                                             "money": _money_dict(part["money"]), "open_money": _money_dict(part["open_money"])}
                                    for klass, part in classes.items()}}
                for owner, classes in sorted(self.by_owner.items())
            ],
        }


def _money_dict(money: dict) -> dict:
    return {name: [{"amount": exact(v), "currency": c} for c, v in sorted(per.items())]
            for name, per in sorted(money.items(), key=_money_order)}


def _money_order(item) -> tuple:
    names = list(MONEY)
    return (names.index(item[0]) if item[0] in names else len(names), item[0])


def compare_runs(current: RunRecord, previous: RunRecord | None) -> Comparison:
    """Each finding of ``current`` new or persisting, each of ``previous`` not seen now resolved (see
    the module doc). Without a previous run every finding is new."""
    before = {record.identity: record for record in (previous.findings or ()) } if previous is not None else {}
    now_ids = set()
    items = []
    for record in current.findings or ():
        identity = record.identity
        now_ids.add(identity)
        items.append(("persisting" if identity in before else "new", record))
    for identity, record in before.items():
        if identity not in now_ids:
            items.append(("resolved", record))
    by_owner: dict = {}
    counted: set = set()  # (money key, class, owner, field, resource) of a per-resource amount already added
    for klass, record in items:
        owner = record.owner
        part = by_owner.setdefault(owner, {}).setdefault(klass, {"findings": 0, "open": 0, "money": {}, "open_money": {}})
        part["findings"] += 1
        opened = record.status == "open"
        part["open"] += opened
        for name, amount, currency in record.money:
            for key in ("money", "open_money") if opened else ("money",):
                if name in MONEY and MONEY[name].per_resource:
                    subject = (key, klass, owner, name, record.resource_provider, record.resource_id)
                    if subject in counted:
                        continue
                    counted.add(subject)
                per = part[key].setdefault(name, {})
                per[currency] = per.get(currency, _ZERO) + amount
    return Comparison(current, previous, tuple(items), by_owner)


def kpi_series(runs) -> dict:
    """``{(owner, kpi, currency): [(as_of, value or None, level or None), ...]}`` over ``runs`` (oldest first)."""
    series: dict = {}
    for run in runs:
        for record in run.kpis:
            series.setdefault((record.owner, record.kpi, record.currency), []).append((run.as_of, record.value, record.level))
    return series


@dataclass(frozen=True)
class PeriodSpend:
    """An owner's spend in one period, as the latest run of that period measured it."""

    label: str  # the period's label (2026-11)
    start: str | None  # ISO-8601 UTC
    end: str | None  # ISO-8601 UTC, exclusive
    as_of: str  # the run's as-of instant
    amount: Decimal
    measure: str

    @property
    def complete(self) -> bool:
        """Whether the run was as of the period's end or later (else its spend is the period so far)."""
        return self.end is None or _instant(self.as_of) >= _instant(self.end)

    @property
    def last_day(self):
        """The last day whose rows the run counted: the period's last day, or the day before the as-of instant."""
        end = _instant(self.as_of) if self.end is None else min(_instant(self.as_of), _instant(self.end))
        return (end - timedelta(microseconds=1)).date()


def spend_series(runs, measure: str | None = None) -> dict:
    """``{(owner, currency): [PeriodSpend, ...]}`` over ``runs`` (oldest first): one point per period (by its
    label), the latest run of the period winning — a run in the middle of a month is replaced by the run at its
    end —, ordered by the periods' start. With ``measure``, only the spend measured in it (a run made with
    ``--measure BilledCost`` is not a point of an EffectiveCost series); runs without a period are left out."""
    latest: dict = {}  # (owner, currency, label) -> PeriodSpend
    for run in runs:
        period = run.period or {}
        label = period.get("label")
        if not label:
            continue
        for record in run.spend:
            if measure is not None and record.measure != measure:
                continue
            latest[(record.owner, record.currency, label)] = PeriodSpend(label, period.get("start"), period.get("end"), run.as_of,
                                                                         record.amount, record.measure)
    series: dict = {}
    for (owner, currency, _), point in sorted(latest.items(), key=lambda item: (item[1].start or "", item[1].label)):
        series.setdefault((owner, currency), []).append(point)
    return series
