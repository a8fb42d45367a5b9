"""Allocation documents: rules that split shared or unassigned costs to owners (chargeback).

::

    apiVersion: costwarden/v1
    kind: Allocation
    id: shared-costs
    rules:
      - id: support                      # the column allocated:support in the chargeback
        select: {ServiceName: [AWS Support (Business)]}
        split: proportional              # to each recipient's direct spend (the default)
      - id: shared-network
        select: {tag: {key: shared, values: [network]}}
        split: even
        to: [payments, search]
      - id: platform-account
        select: {SubAccountId: ["333333333333"]}
        split: fixed
        shares: {payments: 50, search: "30", data-platform: 20}
      - id: untagged
        select: {unassigned: true}       # the unassigned remainder

Each cost row of the period goes to the first rule whose ``select`` holds (every condition it
gives: a FOCUS text column holding one of the values, exactly; a tag present, or holding one of
the values; ``unassigned: true``, rows showback counts as unassigned), into that rule's
*pool*, one pool per rule and currency; rows no rule selects stay with their owner (their
*direct* spend) or unassigned. A rule takes a row whoever owns it.

A pool is split among its recipients:

``proportional`` (default)
    in proportion to each recipient's direct spend in the pool's currency; recipients are the
    teams of ``to``, or every team with direct spend in that currency; only positive direct
    spend counts as weight.
``even``
    in equal parts among the teams of ``to``, or every team with positive direct spend in the
    pool's currency.
``fixed``
    by the percentages of ``shares`` (team -> percent, exact decimals adding up to exactly 100).

A pool with no recipient to take it (a proportional split where nobody has positive direct
spend in its currency) stays unassigned, with the reason. Splits follow the remainder rule of
:mod:`engine.showback.apportion`.

Problems (file, line, column, pointer): the schema's ``E2xx``; ``E304`` two rules with one id;
``E360`` a ``select`` key that is not a FOCUS text column; ``E361`` ``shares`` that do not add up
to 100, ``shares`` without ``split: fixed`` or ``fixed`` without them, ``to`` with ``fixed``;
``E302`` is not used (values compare exactly). Team ids are checked against the
ownership directory when the allocation is applied (``E306``, :meth:`Allocation.check_teams`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from engine.costs import sql
from engine.costs.focus import SCOPE_COLUMNS
from engine.documents.yaml_loader import YamlDocument
from engine.errors import InputError, Problem, did_you_mean

SPLITS = ("proportional", "even", "fixed")


@dataclass(frozen=True)
class Selector:
    """Which cost rows a rule takes: every condition given must hold."""

    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (FOCUS column, values)
    tag_key: str | None = None
    tag_values: tuple[str, ...] | None = None  # None: any value (present)
    tag_match: str = "normalized"
    unassigned: bool = False

    def sql(self, d, tags: sql.TagJoin, owner: str) -> str:
        """SQL true when the row is selected (never NULL); ``owner`` is the row's owner expression
        (NULL when unassigned), tag parts go through ``tags``."""
        parts = [sql.in_list(d, d.identifier(column), values) for column, values in self.columns]
        if self.tag_key is not None:
            if self.tag_values is None:
                parts.append(tags.column(sql.present_sql(d, sql.tag_value_sql(d, self.tag_key, self.tag_match))))
            else:
                parts.append(f"{tags.column(sql.tag_text_sql(d, self.tag_key, self.tag_match))} IN ({', '.join(d.string(v) for v in self.tag_values)})")
        if self.unassigned:
            parts.append(f"({owner}) IS NULL")
        return "coalesce(" + " AND ".join(f"({part})" for part in parts) + ", false)"

    def columns_read(self) -> set[str]:
        return {column for column, _ in self.columns} | ({"Tags"} if self.tag_key is not None else set())


@dataclass(frozen=True)
class Rule:
    id: str
    select: Selector
    split: str = "proportional"
    to: tuple[str, ...] | None = None
    shares: tuple[tuple[str, Decimal], ...] = ()  # split fixed: (team, percent)
    pointer: str = ""  # where the rule is in its document


@dataclass(frozen=True)
class Allocation:
    id: str
    rules: tuple[Rule, ...]
    file: str | None = None
    doc: YamlDocument | None = field(default=None, compare=False, repr=False)

    def columns(self) -> set[str]:
        """The FOCUS columns the rules read (besides what the ownership chain reads)."""
        needed: set[str] = set()
        for rule in self.rules:
            needed |= rule.select.columns_read()
        return needed

    def pool_sql(self, d, tags: sql.TagJoin, owner: str) -> str:
        """SQL: the index of the first rule that selects the row, NULL when none does."""
        whens = " ".join(f"WHEN {rule.select.sql(d, tags, owner)} THEN {index}" for index, rule in enumerate(self.rules))
        return f"(CASE {whens} END)"

    def check_teams(self, ownership) -> None:
        """Raise InputError (``E306``, at the team in the document) for every team id the rules name
        that the ownership directory does not have."""
        problems = []
        known = ownership.teams
        for rule in self.rules:
            named = [(team, f"{rule.pointer}/to/{i}") for i, team in enumerate(rule.to or ())]
            named += [(team, f"{rule.pointer}/shares/{_escape(team)}") for team, _ in rule.shares]
            for team, pointer in named:
                if team not in known:
                    problem = (self.doc.problem("E306", f"unknown team '{team}' (not in the ownership directory)", pointer,
                                                did_you_mean(team, known), at_key=pointer.split("/")[-2] == "shares")
                               if self.doc is not None else Problem("E306", f"unknown team '{team}'", self.file, pointer=pointer))
                    problems.append(problem)
        if problems:
            raise InputError(problems)


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


_PERCENT_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")  # the schema's percentage written as a string


def _percent(value) -> Decimal | None:
    """A share's percentage when it has the schema's shape (a number above 0 and at most 100, or a decimal string), else None."""
    if isinstance(value, str):
        return Decimal(value) if _PERCENT_TEXT.fullmatch(value) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0 < value <= 100:
        return Decimal(str(value))
    return None


def _strings(value: object) -> tuple[str, ...] | None:
    """``value`` as a tuple when it is a list of strings, else None (the schema's problem)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def compile_allocation(doc: YamlDocument, problems: list[Problem]) -> Allocation | None:
    """An Allocation from a document; problems added for what the schema cannot say.

    Only the parts of the shape the schema asks for are read, so that a document the schema refused is
    checked too (:mod:`engine.documents.stages`) and never makes this fail; None when a problem was
    found or a part could not be read."""
    data = doc.data
    count = len(problems)
    readable = True
    rules = []
    seen: dict[str, int] = {}
    items = data.get("rules")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        pointer = f"/rules/{index}"
        if not isinstance(item, dict):
            readable = False
            continue
        rule_id = item.get("id")
        if isinstance(rule_id, str):
            if rule_id in seen:
                problems.append(doc.problem("E304", f"duplicate rule id '{rule_id}' (also rule {seen[rule_id] + 1})", f"{pointer}/id"))
            seen.setdefault(rule_id, index)
        else:
            readable = False
        selector = _selector(doc, item.get("select"), f"{pointer}/select", problems)
        split = item.get("split", "proportional")
        shares = item.get("shares")
        to = _strings(item["to"]) if "to" in item else None
        if "to" in item and to is None:
            readable = False
        percentages = None
        if split == "fixed":
            if shares is None:
                problems.append(doc.problem("E361", "a fixed split needs shares (team: percent, adding up to 100)", pointer))
            elif isinstance(shares, dict):
                percentages = {team: _percent(value) for team, value in shares.items()}
                if shares and None not in percentages.values():  # else the schema's problem (an empty or a bad share)
                    total = sum(percentages.values(), Decimal(0))
                    if total != 100:
                        problems.append(doc.problem("E361", f"the shares add up to {total}, not 100", f"{pointer}/shares"))
                    if any(value <= 0 for value in percentages.values()):
                        problems.append(doc.problem("E361", "every share is a percentage above 0", f"{pointer}/shares"))
            if "to" in item:
                problems.append(doc.problem("E361", "a fixed split names its recipients in shares, not to", f"{pointer}/to", at_key=True))
        elif split in SPLITS and shares is not None:
            problems.append(doc.problem("E361", f"shares are for split: fixed (this rule's split is {split})", f"{pointer}/shares", at_key=True))
        if selector is None or split not in SPLITS or not isinstance(rule_id, str) or (shares is not None and percentages is None):
            readable = False
            continue
        rules.append(Rule(
            id=rule_id,
            select=selector,
            split=split,
            to=to,
            shares=tuple((team, value) for team, value in (percentages or {}).items()),
            pointer=pointer,
        ))
    if len(problems) > count or not readable or not rules or not isinstance(data.get("id"), str):
        return None
    return Allocation(data["id"], tuple(rules), doc.file, doc)


def _selector(doc: YamlDocument, select: object, pointer: str, problems: list[Problem]) -> Selector | None:
    """The Selector of a rule's ``select`` (``E360`` for a key that is not a FOCUS text column); None when
    a part cannot be read (the schema's problem) or a column is unknown."""
    if not isinstance(select, dict) or not select:
        return None
    readable = True
    columns = []
    for key, values in select.items():
        if key in ("tag", "unassigned"):
            continue
        if key not in SCOPE_COLUMNS:
            hint = did_you_mean(key, (*SCOPE_COLUMNS, "tag", "unassigned")) or "select by a FOCUS text column (ServiceName, SubAccountId, ...), tag or unassigned"
            problems.append(doc.problem("E360", f"'{key}' is not a FOCUS text column", f"{pointer}/{_escape(key)}", hint, at_key=True))
            readable = False
            continue
        values = _strings(values)
        if not values:
            readable = False
            continue
        columns.append((key, values))
    tag = select.get("tag")
    if tag is not None and not (isinstance(tag, dict) and isinstance(tag.get("key"), str)
                                and ("values" not in tag or _strings(tag["values"]))
                                and tag.get("match", "normalized") in ("exact", "case-insensitive", "normalized")):
        readable = False
    if not readable or ("unassigned" in select and select["unassigned"] is not True):
        return None
    return Selector(
        columns=tuple(columns),
        tag_key=tag["key"] if tag else None,
        tag_values=tuple(tag["values"]) if tag and "values" in tag else None,
        tag_match=tag.get("match", "normalized") if tag else "normalized",
        unassigned=bool(select.get("unassigned", False)),
    )
