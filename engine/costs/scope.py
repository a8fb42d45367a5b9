"""Scopes of cost policies: what the spend is grouped by, and who owns each group.

``scope`` in a cost policy (budget, tag coverage, commitment ...) is one of:

``owner``
    The team the ownership chain (``--ownership``) assigns to each cost row: tag steps over
    ``Tags``, the account step over ``SubAccountId`` (``BillingAccountId`` when null),
    resource-id patterns over ``ResourceId``, then the default. Rows nothing resolves go to
    ``unassigned`` (:meth:`engine.ownership.Ownership.sql`).
a FOCUS column
    ``SubAccountId``, ``ServiceName``, ``RegionId``, ... — the column's value; null stays null.
``tag:KEY``
    The value of tag ``KEY`` (keys matched by the policy's ``match``, default ``exact``); rows
    where the tag is missing, blank or key-only have a null scope value.
``all``
    Every row in one group (the default for tag-coverage and commitment).

Each scope value's finding is owned by: the team itself for ``owner``; for the others, the team
the value names (a team id, alias or member email of the directory), else the owner a budget
entry names, else the ownership chain's default team, else ``unassigned``.

A cost check starts from :meth:`Scope.in_period`: the period holding the as-of date (or the one a
report period chooses, ``check --period``), the tag join
over that period's rows and the scope value's SQL, which all its queries share.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.costs import sql
from engine.costs.focus import SCOPE_COLUMNS
from engine.costs.periods import Period, policy_period
from engine.errors import CheckSkipped, did_you_mean
from engine.findings import UNASSIGNED


@dataclass(frozen=True)
class ScopeInPeriod:
    """What the queries of one cost check share (see :meth:`Scope.in_period`)."""

    period: Period  # the period holding the as-of date
    tags: sql.TagJoin  # tag-derived columns over that period's rows; the queries add theirs to it
    scope_sql: str  # each row's scope value, its tag parts through ``tags``


@dataclass(frozen=True)
class Scope:
    dimension: str  # owner | all | a column name | tag:KEY
    column: str | None = None
    tag: str | None = None
    match: str = "exact"

    def sql(self, dialect, ownership, tags=None) -> str:
        """The scope value of a row; tag parts go through ``tags`` (a :class:`sql.TagJoin`) when given."""
        if self.dimension == "owner":
            return ownership.sql(dialect, tags)
        if self.dimension == "all":
            return "CAST(NULL AS VARCHAR)"
        if self.column is not None:
            return "f." + dialect.identifier(self.column) if tags is not None else dialect.identifier(self.column)
        text = sql.tag_text_sql(dialect, self.tag, self.match)
        return tags.column(text) if tags is not None else text

    def in_period(self, costs, context, kind: str, fiscal_year_start: int) -> ScopeInPeriod:
        """The scope over the ``kind`` period (month, quarter, year) holding ``context.as_of``, on ``costs``
        (with a report period, ``context.period``: the one :func:`~engine.costs.periods.policy_period` chooses).

        Raises ``CheckSkipped`` for the ``owner`` scope when ``context`` has no ownership chain (the
        policy is listed as skipped, like one whose cost snapshot was not given).
        """
        if self.dimension == "owner" and not context.ownership.steps:
            raise CheckSkipped("needs an ownership document (--ownership) for scope owner")
        period = policy_period(kind, fiscal_year_start, context.as_of, context.period)
        tags = sql.TagJoin(costs.table, sql.period_filter(costs.dialect, period))
        return ScopeInPeriod(period, tags, self.sql(costs.dialect, context.ownership, tags))

    def columns(self) -> set[str]:
        """The FOCUS columns the scope reads."""
        if self.dimension == "owner":
            return {"Tags", "SubAccountId", "BillingAccountId", "ResourceId"}
        if self.dimension == "all":
            return set()
        return {self.column} if self.column is not None else {"Tags"}

    def describe(self, value) -> str:
        """How a message names one scope value: ``team payments``, ``SubAccountId 1234``, ``tag team=x``."""
        shown = value if value is not None else "(no value)"
        if self.dimension == "owner":
            return f"team {shown}"
        if self.dimension == "all":
            return "all spend"
        if self.tag is not None:
            return f"tag {self.tag}={shown}"
        return f"{self.column} {shown}"

    def owner_of(self, value, ownership, named_owner: str | None = None) -> tuple[str, str]:
        """``(owner, owner_source)`` of one scope value's finding."""
        if self.dimension == "owner":
            return (value, "scope") if value != UNASSIGNED else (UNASSIGNED, "none")
        team = ownership.team_for_value(value) if value is not None else None
        if team is not None:
            return team, "scope"
        if named_owner:
            return named_owner, "budget"
        default = ownership.default_team
        if default is not None:
            return default, "default"
        return UNASSIGNED, "none"


def parse_scope(text: str, match: str, pointer: str, report) -> Scope | None:
    if text in ("owner", "all"):
        return Scope(text, match=match)
    if text.startswith("tag:"):
        key = text[4:]
        if not key:
            report("E322", "a tag scope names its key: tag:KEY", pointer, None)
            return None
        return Scope(text, tag=key, match=match)
    if text in SCOPE_COLUMNS:
        return Scope(text, column=text, match=match)
    hint = did_you_mean(text, ("owner", "all", *SCOPE_COLUMNS)) or "use owner, all, tag:KEY or a FOCUS column such as SubAccountId"
    report("E322", f"unknown scope '{text}'", pointer, hint)
    return None
