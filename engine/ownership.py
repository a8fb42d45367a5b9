"""Accountability: every finding gets exactly one owner (a team) and says how it was chosen.

An ``Ownership`` document holds a team directory and an ordered resolution chain. The steps are
tried in order and the first one that names a known team wins:

``tag: KEY``
    The resource's tag ``KEY`` (keys matched ``normalized`` unless the step says ``match``, as in
    tagging policies) holds a team id, one of its aliases or contacts, or a member's email — all
    compared case-insensitively.
    ``owner_source`` is ``tag:KEY`` (``tag:KEY:member`` when an email named the team).
``accounts: {ACCOUNT: TEAM}``
    The resource's account. ``owner_source`` is ``account``.
``resource_ids: [{pattern, team}]``
    Shell-style patterns on the resource id, first match wins. ``owner_source`` is ``resource-id``.
``default: TEAM``
    ``owner_source`` is ``default``. It makes a finding accountable, not spend its team's: showback
    (:mod:`engine.showback`) counts the spend only this step names as unassigned spend, unless the
    step says ``owns_spend: true``.

When nothing resolves (or no ownership document is given) the owner is ``unassigned`` with
``owner_source`` ``none``.

The chain is written twice, each step beside its twin: in Python (:meth:`Ownership.resolve`, per
inventory resource) and in SQL (:meth:`Ownership.sql`, per cost row, from the tag expressions of
:mod:`engine.costs.sql`).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from engine.costs.sql import TagJoin, tag_text_of_sql, tag_value_sql
from engine.errors import did_you_mean, json_pointer
from engine.findings import UNASSIGNED
from engine.tag_matching import WHITESPACE, find_tag, normalize_key


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "contacts": list(self.contacts)}


# Each resolution step says, in SQL, which team it names for a cost row (NULL when none), for
# Ownership.sql: ``step.sql(d, names, tags)`` with the dialect (engine.costs.dialect), the directory's
# names (lowered name -> (team, via member)) and, when given, the TagJoin its tag expressions go through.


@dataclass(frozen=True)
class TagStep:
    key: str
    mode: str
    normalized: str

    def sql(self, d, names: dict, tags: TagJoin | None = None) -> str | None:
        """The team the row's tag ``key`` names (a team id, alias, contact or member email, compared
        case-insensitively after trimming whitespace); none without a directory."""
        if not names:
            return None
        name = f"lower({d.trim_whitespace(tag_text_of_sql(d, tag_value_sql(d, self.key, self.mode)))})"
        whens = " ".join(f"WHEN {d.string(n)} THEN {d.string(team)}" for n, (team, _) in sorted(names.items()))
        team = f"(CASE {name} {whens} END)"
        return tags.column(team) if tags is not None else team


@dataclass(frozen=True)
class AccountStep:
    accounts: dict

    def sql(self, d, names: dict, tags: TagJoin | None = None) -> str | None:
        """The team of the row's ``SubAccountId`` (``BillingAccountId`` when it is null)."""
        if not self.accounts:
            return None
        whens = " ".join(f"WHEN {d.string(str(a))} THEN {d.string(t)}" for a, t in sorted(self.accounts.items()))
        return f"(CASE coalesce(SubAccountId, BillingAccountId) {whens} END)"


@dataclass(frozen=True)
class ResourceIdStep:
    patterns: tuple  # ((compiled regex, glob text, team), ...)

    def sql(self, d, names: dict, tags: TagJoin | None = None) -> str | None:
        """The team of the first pattern the row's ``ResourceId`` matches."""
        if not self.patterns:
            return None
        whens = " ".join(f"WHEN {d.glob_match('ResourceId', glob)} THEN {d.string(team)}" for _, glob, team in self.patterns)
        return f"(CASE {whens} END)"


@dataclass(frozen=True)
class DefaultStep:
    team: str
    owns_spend: bool = False  # showback counts the spend it assigns as the team's, not as unassigned

    def sql(self, d, names: dict, tags: TagJoin | None = None) -> str:
        """The default team (the chain ends here)."""
        return d.string(self.team)


@dataclass(frozen=True)
class Ownership:
    teams: dict[str, Team] = field(default_factory=dict)
    steps: tuple = ()
    names: dict[str, tuple[str, bool]] = field(default_factory=dict)  # lowered name -> (team, via member)

    def team_for_value(self, value: object) -> str | None:
        """The team a tag value names (team id, alias or member email), or None."""
        if not isinstance(value, str):
            return None
        hit = self.names.get(value.strip(WHITESPACE).lower())
        return hit[0] if hit else None

    def resolve(self, resource: dict) -> tuple[str, str]:
        """``(owner, owner_source)`` of a resource."""
        for step in self.steps:
            kind = type(step)
            if kind is TagStep:
                tags = resource.get("tags") or {}
                value = tags.get(step.key)  # the exact spelling wins any collision: no scan needed
                if value is None:
                    hit = find_tag(tags, step.key, step.mode, step.normalized)
                    value = hit.value if hit is not None else None
                if isinstance(value, str):
                    named = self.names.get(value.strip(WHITESPACE).lower())
                    if named:
                        return named[0], f"tag:{step.key}:member" if named[1] else f"tag:{step.key}"
            elif kind is AccountStep:
                team = step.accounts.get(resource.get("account"))
                if team:
                    return team, "account"
            elif kind is ResourceIdStep:
                rid = resource.get("id") or ""
                for regex, _, team in step.patterns:
                    if regex.match(rid):
                        return team, "resource-id"
            else:
                return step.team, "default"
        return UNASSIGNED, "none"

    def team(self, team_id: str) -> Team | None:
        return self.teams.get(team_id)

    @property
    def default_team(self) -> str | None:
        """The team of the chain's default step, if it has one."""
        for step in self.steps:
            if type(step) is DefaultStep:
                return step.team
        return None

    def sql(self, d, tags: TagJoin | None = None) -> str:
        """The team the chain assigns to a cost row, in SQL (``unassigned`` when none): the first
        step that names a team wins, as in :meth:`resolve`. Tag steps read ``Tags``, the account
        step ``SubAccountId`` (``BillingAccountId`` when it is null), resource-id patterns
        ``ResourceId``; the default step ends the chain. With ``tags`` (a
        :class:`~engine.costs.sql.TagJoin`), the tag steps are computed once per distinct Tags value."""
        candidates: list[str] = []
        for step in self.steps:
            candidate = step.sql(d, self.names, tags)
            if candidate is not None:
                candidates.append(candidate)
            if type(step) is DefaultStep:
                break
        else:
            candidates.append(d.string(UNASSIGNED))
        return f"coalesce({', '.join(candidates)})"


NO_OWNERSHIP = Ownership()


def compile_ownership(data: dict, report) -> Ownership | None:
    """Build an Ownership from a document; report(code, message, pointer, hint).

    The checks read only the parts of the shape the schema asks for, so they also run on a document the
    schema refused (:mod:`engine.documents.stages`), and never fail on the other parts: a team without a
    readable id is skipped, and then no team is reported unknown (the directory is not known in full);
    a step with a key the schema does not know is left to the schema's problem."""
    teams: dict[str, Team] = {}
    names: dict[str, tuple[str, bool]] = {}
    ok = True

    def claim(name: str, team_id: str, via_member: bool, pointer: str) -> None:
        nonlocal ok
        lowered = name.strip(WHITESPACE).lower()
        previous = names.get(lowered)
        if previous and previous[0] != team_id:
            report("E315", f"'{name}' names both team '{previous[0]}' and team '{team_id}'", pointer, None)
            ok = False
        names[lowered] = (team_id, via_member)

    directory = data.get("teams")
    complete = isinstance(directory, list)  # every team id is known: a name that is none of them is an unknown team
    for index, item in enumerate(directory if isinstance(directory, list) else ()):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            complete = ok = False
            continue
        team_id = item["id"]
        if team_id in teams:
            report("E304", f"duplicate team id '{team_id}'", f"/teams/{index}/id", None)
            ok = False
        listed = {field: _strings(item.get(field)) for field in ("aliases", "contacts", "members")}
        name = item.get("name", team_id)
        team = Team(team_id, name if isinstance(name, str) else team_id,
                    *(tuple(value for _, value in listed[field]) for field in ("aliases", "members", "contacts")))
        teams[team_id] = team
        claim(team_id, team_id, False, f"/teams/{index}/id")
        for field in ("aliases", "contacts", "members"):
            for j, value in listed[field]:
                claim(value, team_id, field == "members", f"/teams/{index}/{field}/{j}")

    def known(team_id: object, pointer: str) -> None:
        nonlocal ok
        if not isinstance(team_id, str):
            ok = False  # the schema's problem
        elif complete and team_id not in teams:
            report("E306", f"unknown team '{team_id}'", pointer, did_you_mean(team_id, teams))
            ok = False

    steps = []
    chain = data.get("resolution")
    chain = chain if isinstance(chain, list) else []
    for index, step in enumerate(chain):
        where = f"/resolution/{index}"
        if not isinstance(step, dict) or set(step) - STEP_KEYS:
            ok = False  # the schema's problem (a misspelt key: its "did you mean")
            continue
        kinds = [k for k in ("tag", "accounts", "resource_ids", "default") if k in step]
        if len(kinds) != 1 or ("match" in step and kinds != ["tag"]) or ("owns_spend" in step and kinds != ["default"]):
            report("E316", "each resolution step has exactly one of tag, accounts, resource_ids, default"
                           " (and match only with tag, owns_spend only with default)", where, None)
            ok = False
            continue
        kind = kinds[0]
        if kind == "tag":
            mode = step.get("match", "normalized")
            if isinstance(step["tag"], str) and mode in MATCH_MODES:
                steps.append(TagStep(step["tag"], mode, normalize_key(step["tag"], mode)))
            else:
                ok = False
        elif kind == "accounts":
            accounts = step["accounts"]
            if not isinstance(accounts, dict):
                ok = False
                continue
            for account, team_id in accounts.items():
                known(team_id, json_pointer(["resolution", index, "accounts", account]))
            steps.append(AccountStep(dict(accounts)))
        elif kind == "resource_ids":
            patterns = []
            for j, item in enumerate(step["resource_ids"] if isinstance(step["resource_ids"], list) else ()):
                if not isinstance(item, dict) or not isinstance(item.get("pattern"), str):
                    ok = False
                    continue
                known(item.get("team"), f"{where}/resource_ids/{j}/team")
                patterns.append((re.compile(fnmatch.translate(item["pattern"])), item["pattern"], item.get("team")))
            steps.append(ResourceIdStep(tuple(patterns)))
        else:
            known(step["default"], f"{where}/default")
            steps.append(DefaultStep(step["default"], step.get("owns_spend", False)))
            if index != len(chain) - 1:
                report("E317", "the default step must be the last one (later steps never run)", where, None)
                ok = False
    return Ownership(teams, tuple(steps), names) if ok else None


STEP_KEYS = frozenset({"tag", "match", "accounts", "resource_ids", "default", "owns_spend"})
MATCH_MODES = ("exact", "case-insensitive", "normalized")


def _strings(value: object) -> list[tuple[int, str]]:
    """``(index, text)`` of each string in ``value`` when it is a list (other items are the schema's)."""
    return [(index, item) for index, item in enumerate(value) if isinstance(item, str)] if isinstance(value, list) else []
