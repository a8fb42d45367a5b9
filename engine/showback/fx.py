"""Exchange rates and consolidated totals: several billing currencies shown as one, at stated rates.

Showback and chargeback never add two currencies together. Given a rates file (``--fx
rates.csv``), :func:`consolidate` converts every owner's amounts into one currency and adds them
up, as a *separate* figure labelled with the currency and the date of the rates; the amounts in
their own currencies stay as they are.

The rates file is CSV with a header naming the columns ``date``, ``from``, ``to`` and ``rate``
(in any order, names case-insensitive)::

    date,from,to,rate
    2026-10-31,EUR,USD,1.0843
    2026-11-30,EUR,USD,1.0562

One ``from`` unit is worth ``rate`` ``to`` units on that day. ``date`` is a day (``YYYY-MM-DD``),
``from`` and ``to`` ISO 4217 codes (:func:`engine.amounts.currency_problem`, as a cost file's
``BillingCurrency``, a price table's and a Budgets document's currencies), different, and ``rate``
a number above 0 written by the rule of every money input (:func:`engine.amounts.read_amount`:
``1.0562``, ``9.6E-2``; at most 26 digits before the decimal point and 12 after it), read exactly.
A currency pair has at most one rate per day.

**Which rate applies: the one of the window's close.** An amount is converted at the latest rate
of its pair dated on or before the last day whose rows the window counts (the period's last day,
or the as-of day when the period has not ended): month-end rates for a monthly report, as finance
closes the month. The file must give the pair in the direction needed (``EUR`` to ``USD`` for
amounts in EUR shown in USD); an inverse is not derived. Conversion is exact (``amount × rate``
with both decimals kept, in the money context of :func:`engine.amounts.arithmetic`); rounding is
left to the presentation.

Problems, each with the file, line and column: ``E480`` the file cannot be read (missing, a
folder, not UTF-8, larger than 16 MiB), ``E481`` a header that does not name the four columns (or
names others) or no rate at all, ``E482`` a value that is not what its column holds (a row with
too few or too many fields, a date, a currency, a rate; named as ``column NAME: ...``, as in a
price table), ``E483`` a second rate for a pair and
day; ``E484`` when consolidating: no rate for a pair on or before the day, several target
currencies to choose from, or a currency to consolidate in that is not an ISO 4217 code.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.amounts import AmountError, arithmetic, currency_problem, exact, read_amount
from engine.errors import InputError, Problem, did_you_mean
from engine.files import read_bounded

COLUMNS = ("date", "from", "to", "rate")
MAX_BYTES = 16 * 1024 * 1024
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RateTable:
    file: str
    rates: dict  # (from, to) -> [(date, Decimal)] sorted by date

    def rate(self, source: str, target: str, on: date) -> tuple[Decimal, date] | None:
        """The rate of ``source`` → ``target`` that applies on ``on`` (the latest dated on or before it), with its date."""
        dated = self.rates.get((source, target))
        if not dated:
            return None
        index = bisect_right(dated, (on, Decimal("Infinity")))
        return (dated[index - 1][1], dated[index - 1][0]) if index else None

    @property
    def targets(self) -> list[str]:
        return sorted({target for _, target in self.rates})


@dataclass(frozen=True)
class RateUsed:
    source: str
    target: str
    date: date
    rate: Decimal

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "date": self.date.isoformat(), "rate": exact(self.rate)}


@dataclass(frozen=True)
class Consolidated:
    """Amounts converted into one currency and added up: a separate figure, never the amounts themselves."""

    currency: str
    date: date  # the day whose rates apply
    rates: tuple[RateUsed, ...]
    owners: dict  # owner -> Decimal (converted, exact)
    total: Decimal

    @property
    def label(self) -> str:
        return f"consolidated in {self.currency} at the rates of {self.date.isoformat()}"

    def to_dict(self) -> dict:
        return {"label": self.label, "converted": True, "currency": self.currency, "date": self.date.isoformat(),
                "rates": [r.to_dict() for r in self.rates], "total": exact(self.total),
                "owners": [{"owner": owner, "amount": exact(amount)} for owner, amount in sorted(self.owners.items())]}


def _fields(line: str) -> list[tuple[str, int]] | None:
    """The fields of one CSV line with the 1-based column where each starts; None when a quote is not closed."""
    fields: list[tuple[str, int]] = []
    index, length = 0, len(line)
    while True:
        start = index
        if index < length and line[index] == '"':
            value = []
            index += 1
            while True:
                if index >= length:
                    return None
                if line[index] == '"':
                    if index + 1 < length and line[index + 1] == '"':
                        value.append('"')
                        index += 2
                        continue
                    index += 1
                    break
                value.append(line[index])
                index += 1
            text = "".join(value)
            if index < length and line[index] != ",":
                return None
        else:
            end = line.find(",", index)
            end = length if end < 0 else end
            text = line[index:end]
            index = end
        fields.append((text, start + 1))
        if index >= length:
            return fields
        index += 1  # the comma


def _rate(text: str, column: int, path: str, line: int, problems: list[Problem]) -> Decimal | None:
    """The rate ``text`` writes: a number above 0 by the amount rule, exactly; None with a problem added."""
    try:
        rate = read_amount(text)
    except AmountError as error:
        problems.append(Problem("E482", f"column rate: {error}", path, line, column))
        return None
    if rate <= 0:
        problems.append(Problem("E482", f"column rate: {text!r} is not above 0 (one from unit is worth rate to units)",
                                path, line, column))
        return None
    return rate


def load_rates(path) -> RateTable:
    """Read and check a rates file (see the module doc). Raises InputError with every problem found."""
    path = str(path)
    raw = read_bounded(path, MAX_BYTES, "rates file", unreadable="E480", too_large="E480")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError([Problem("E480", f"not UTF-8 text (byte {error.start + 1})", path, line)]) from None
    lines = text.splitlines()
    problems: list[Problem] = []
    header = _fields(lines[0]) if lines else None
    if not header or header == [("", 1)]:
        raise InputError([Problem("E481", "no header: the first line names the columns date,from,to,rate", path, 1)])
    where: dict[str, int] = {}
    for position, (name, column) in enumerate(header):
        key = name.strip().lower()
        if key not in COLUMNS:
            problems.append(Problem("E481", f"unknown column '{name}'", path, 1, column,
                                    hint=did_you_mean(key, COLUMNS) or "the columns are date, from, to, rate"))
        elif key in where:
            problems.append(Problem("E481", f"column '{name}' appears twice", path, 1, column))
        else:
            where[key] = position
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        problems.append(Problem("E481", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", path, 1,
                                hint="the header is date,from,to,rate"))
    if problems:
        raise InputError(problems)
    rates: dict = {}
    seen: dict = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = _fields(line)
        if fields is None:
            problems.append(Problem("E482", "a quoted field is not closed", path, number))
            continue
        if len(fields) != len(header):
            problems.append(Problem("E482", f"{len(fields)} fields, the header names {len(header)}", path, number))
            continue
        values = {name: fields[index] for name, index in where.items()}
        ok = True
        text, column = values["date"]
        day = None
        if _DATE.fullmatch(text):
            try:
                day = date.fromisoformat(text)
            except ValueError:
                pass
        if day is None:
            problems.append(Problem("E482", f"column date: {text!r} is not a day YYYY-MM-DD", path, number, column))
            ok = False
        for name in ("from", "to"):
            text, column = values[name]
            wrong = currency_problem(text)
            if wrong is not None:
                problems.append(Problem("E482", f"column {name}: {wrong}", path, number, column))
                ok = False
        rate = _rate(*values["rate"], path, number, problems)
        ok = ok and rate is not None
        if not ok:
            continue
        source, target = values["from"][0], values["to"][0]
        if source == target:
            problems.append(Problem("E482", f"a rate converts between two currencies (from and to are both {source})", path, number,
                                    values["to"][1]))
            continue
        key = (source, target, day)
        if key in seen:
            problems.append(Problem("E483", f"a second {source} to {target} rate for {day} (the first is on line {seen[key]})",
                                    path, number, values["date"][1]))
            continue
        seen[key] = number
        rates.setdefault((source, target), []).append((day, rate))
    if problems:
        raise InputError(problems)
    if not rates:
        raise InputError([Problem("E481", "no rate in the file (a header and no rows)", path, 1)])
    return RateTable(path, {pair: sorted(dated) for pair, dated in rates.items()})


def consolidate(source, rates: RateTable, currency: str | None = None, *, previous: bool = False) -> Consolidated:
    """``source`` (a Showback or a Chargeback) converted into ``currency`` at the rates of its window's
    close (``previous=True``: the previous window's amounts of a Showback, at the previous window's
    close). ``currency`` defaults to the one currency the rates file converts to. Raises InputError ``E484``."""
    if currency is None:
        targets = rates.targets
        if len(targets) != 1:
            raise InputError([Problem("E484", f"the rates convert to {', '.join(targets)}: say which currency to consolidate in",
                                      rates.file)])
        currency = targets[0]
    wrong = currency_problem(currency)
    if wrong is not None:
        raise InputError([Problem("E484", f"the currency to consolidate in: {wrong}", rates.file)])
    window = source.window.previous if previous else source.window
    amounts = source.previous_by_owner_currency() if previous else source.by_owner_currency()
    day = window.last_day
    problems: list[Problem] = []
    with arithmetic():  # exact: amount × rate and the sums keep every digit (Python's default context keeps 28)
        owners, used = _converted(amounts, rates, currency, day, problems)
        total = sum(owners.values(), Decimal(0))
    if problems:
        raise InputError(problems)
    return Consolidated(currency, day, tuple(r for _, r in sorted(used.items())), owners, total)


def _converted(amounts: dict, rates: RateTable, currency: str, day: date, problems: list[Problem]) -> tuple[dict, dict]:
    """Each owner's amounts converted into ``currency`` at the rates of ``day`` and added up, and the rates used."""
    owners: dict = {}
    used: dict = {}
    for (owner, from_currency), amount in sorted(amounts.items()):
        if from_currency == currency:
            converted = amount
        else:
            found = rates.rate(from_currency, currency, day)
            if found is None:
                if (from_currency, currency) not in used:
                    inverse = " (the file has the other direction only)" if rates.rates.get((currency, from_currency)) else ""
                    problems.append(Problem("E484", f"no {from_currency} to {currency} rate on or before {day.isoformat()}{inverse}",
                                            rates.file))
                    used[(from_currency, currency)] = None
                continue
            rate, dated = found
            used[(from_currency, currency)] = RateUsed(from_currency, currency, dated, rate)
            converted = amount * rate
        owners[owner] = owners.get(owner, Decimal(0)) + converted
    return owners, used
