"""Loading plan files into a plan snapshot: the resources a change touches, as canonical resources.

::

    plans = load_plans(["plan.json"])                 # scope "changes": create, update, replace
    plans.resources                                   # canonical resources, each with a "change"
    plans.counts                                      # {"create": 12, "update": 1, "no-op": 13}
    plans.notes, plans.warnings                       # what was left out, what could not be read
    load_plans(["plan.json"], scope="all", source_dir="infra/")   # every entry, with .tf locations
    load_plans(["plan.json"], sides=True).entries     # both sides of every managed entry (to price the change)

Every problem of every file is collected and raised together as one :class:`engine.errors.InputError`
(``E401``-``E407`` reading, ``E440``-``E447`` plan structure); nothing is returned from a run with
problems. The path ``-`` reads standard input, once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import orjson

from engine.errors import InputError, Problem, did_you_mean, json_pointer
from engine.gc_pause import paused_gc
from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.reading import DEFAULT_MAX_BYTES, STDIN, STDIN_NAME
from engine.plans.actions import ACTIONS, SCOPES, VALUES_OF, action_name
from engine.plans.marks import Scrubber, collect_secrets
from engine.plans.providers import ProviderConfigs, provider_of
from engine.plans.reader import NEWEST_KNOWN_VERSION, PlanFile, parse_format_version, read_plan
from engine.plans.resources import build_resource, scrub_resource
from engine.plans.source import SourceIndex, module_path


@dataclass
class PlanInfo:
    """One plan file: its versions and what its resource_changes hold."""

    file: str
    format_version: str | None
    terraform_version: str | None
    counts: dict[str, int] = field(default_factory=dict)  # action -> number of entries, every entry
    resources: int = 0  # how many of them the scope kept

    def to_dict(self) -> dict:
        return {"file": self.file, "format_version": self.format_version, "terraform_version": self.terraform_version,
                "counts": dict(self.counts), "resources": self.resources}


@dataclass(frozen=True)
class PlanEntry:
    """Both sides of one managed resource change, whatever the scope (``load_plans(..., sides=True)``).

    ``before`` is the object as it is now (None for a create), ``after`` the planned object (None for
    a delete or forget); each a canonical resource with its ``change``, named by the address. An
    entry the scope keeps shares its resource with :attr:`PlanSnapshot.resources`."""

    address: str  # the resource id: the address, with " (deposed object KEY)" for a deposed object
    action: str
    before: dict | None
    after: dict | None


@dataclass
class PlanSnapshot:
    """The resources of one or more plan files, and what reading them found."""

    resources: list[dict] = field(default_factory=list)  # file order, then resource_changes order
    scope: str = "changes"
    plans: list[PlanInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # something is wrong or could not be read
    notes: list[str] = field(default_factory=list)  # what was left out, and why
    # with sides=True: every managed entry with a known action, both sides (file order); else None
    entries: list[PlanEntry] | None = None

    @property
    def sources(self) -> list[str]:
        return [plan.file for plan in self.plans]

    @property
    def counts(self) -> dict[str, int]:
        """Entries per action over every file (every entry, whatever the scope)."""
        total: dict[str, int] = {}
        for plan in self.plans:
            for action, count in plan.counts.items():
                total[action] = total.get(action, 0) + count
        return total


def load_plans(
    paths,
    *,
    scope: str = "changes",
    source_dir: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sides: bool = False,
) -> PlanSnapshot:
    """Read plan JSON files (``terraform show -json PLANFILE``) into canonical resources.

    ``scope``: ``"changes"`` (default) keeps what the change creates, updates or replaces; ``"all"``
    keeps every planned resource (deleted and forgotten ones with their current values, read and
    unchanged ones with their planned values). ``source_dir``: the configuration's root directory,
    to locate each resource's block in the ``.tf`` files. ``max_bytes`` limits each file.
    ``sides``: also keep both sides of every managed entry, whatever the scope, in
    :attr:`PlanSnapshot.entries` (what pricing a change needs: deletes and the objects as they are now).
    Raises :class:`InputError` with every problem found.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [str(path) for path in paths]
    problems: list[Problem] = []
    if scope not in SCOPES:
        hint = did_you_mean(scope, SCOPES)
        raise ValueError(f"unknown plan scope {scope!r}; scopes: {', '.join(SCOPES)}" + (f"; {hint}" if hint else ""))
    if paths.count(STDIN) > 1:
        raise InputError([Problem("E401", f"standard input can be read only once ('{STDIN}' is given "
                                          f"{paths.count(STDIN)} times)", STDIN_NAME, hint="save it to a file")])
    if source_dir is not None:
        if not os.path.isdir(source_dir):
            raise InputError([Problem("E448", "source directory not found (it should be the Terraform configuration's "
                                              "root directory, where terraform plan ran)", str(source_dir))])
    snapshot = PlanSnapshot(scope=scope, entries=[] if sides else None)
    seen: dict[str, str] = {}  # resource id -> the file it came from
    secrets: set = set()  # every sensitive value of every entry read, kept or not
    with paused_gc():  # a plan is many small objects and no cycles (engine.gc_pause)
        for given in paths:
            try:
                plan = read_plan(given, max_bytes)
                _add_plan(plan, snapshot, scope, source_dir, seen, secrets)
            except InputError as error:
                problems.extend(error.problems)
            except RecursionError:
                problems.append(Problem("E407", "JSON nests too deeply to process", STDIN_NAME if given == STDIN else given))
            except MemoryError:
                problems.append(Problem("E406", "not enough memory to load this file", STDIN_NAME if given == STDIN else given))
    if problems:
        raise InputError(problems)
    if secrets:  # a value marked sensitive anywhere is hidden everywhere: in every resource of every file
        scrubber = Scrubber(secrets)
        kept = {id(resource) for resource in snapshot.resources}
        extra = [side for entry in snapshot.entries or () for side in (entry.before, entry.after)
                 if side is not None and id(side) not in kept]
        for resource in [*snapshot.resources, *extra]:
            try:
                needed = scrubber.finds(orjson.dumps(resource))
            except TypeError:  # an integer beyond 64 bits: no quick test, walk it
                needed = True
            if needed:
                scrub_resource(resource, scrubber)
        snapshot.warnings = [scrubber.text(warning) for warning in snapshot.warnings]
        snapshot.notes = [scrubber.text(note) for note in snapshot.notes]
    return snapshot


def _collect_secrets(entry: dict, secrets: set) -> None:
    """The sensitive values of an entry that gives no resource (left out by the scope, an unknown action)."""
    change = entry["change"]
    for side in ("before", "after"):
        collect_secrets(change.get(side), change.get(side + "_sensitive"), secrets)


def _add_plan(plan: PlanFile, snapshot: PlanSnapshot, scope: str, source_dir: str | None, seen: dict, secrets: set) -> None:
    doc, path = plan.doc, plan.path
    entries = doc.get("resource_changes", [])
    found = StructureProblems()
    if entries.__class__ is not list:
        found.add(("resource_changes",), f"'resource_changes' must be an array, got {kind_of(entries)}")
        entries = []
    version = doc.get("format_version")
    info = PlanInfo(path, version if version.__class__ is str else None,
                    doc.get("terraform_version") if doc.get("terraform_version").__class__ is str else None)
    if version is None:
        snapshot.warnings.append(f"{path}: no format_version: not the output of terraform show -json? "
                                 f"read as format 1.x")
    elif parse_format_version(version) > NEWEST_KNOWN_VERSION:
        snapshot.notes.append(f"{path}: format_version {version} is newer than {'.'.join(map(str, NEWEST_KNOWN_VERSION))}, "
                              "the newest this version of costwarden knows; read as such (minor versions only add)")
    if doc.get("errored") is True:
        snapshot.warnings.append(f"{path}: the plan errored (terraform plan failed part way): its resource changes "
                                 "may be incomplete")
    deferred = doc.get("deferred_changes")
    if deferred.__class__ is list and deferred:
        snapshot.notes.append(f"{path}: {len(deferred)} deferred change(s) (planned in a later run) are not evaluated")

    configuration = doc.get("configuration")
    providers = ProviderConfigs(configuration)
    config_keys = _config_provider_keys(configuration)
    sources = SourceIndex(source_dir, configuration) if source_dir is not None else None
    kept = SCOPES[scope]
    positions = plan.positions()
    left_out: dict[str, int] = {}
    for number, entry in enumerate(entries):
        if not _check_entry(entry, number, found):
            continue
        action = action_name(entry["change"]["actions"])
        if action is None:
            snapshot.warnings.append(f"{path}: {entry['address']}: actions {entry['change']['actions']} are not known "
                                     f"to this version of costwarden ({', '.join('/'.join(a) for a in ACTIONS)}); "
                                     "not evaluated")
            info.counts["unknown"] = info.counts.get("unknown", 0) + 1
            _collect_secrets(entry, secrets)
            continue
        info.counts[action] = info.counts.get(action, 0) + 1
        modules = module_path(entry.get("module_address"))
        tf_type = entry["type"]
        resource_id = entry["address"]
        if entry.get("deposed").__class__ is str:
            resource_id += f" (deposed object {entry['deposed']})"
        if action not in kept:
            left_out[action] = left_out.get(action, 0) + 1
            _collect_secrets(entry, secrets)
            if snapshot.entries is not None and entry["mode"] == "managed":
                provider = provider_of(entry.get("provider_name"), tf_type)
                expressions = providers.expressions_for(modules, config_keys.get((modules, entry["mode"], tf_type, entry["name"])))
                line, column = positions[number]
                sides = _entry_sides(entry, resource_id, action, None, provider, expressions, secrets)
                for side in (sides.before, sides.after):
                    if side is not None:
                        side["change"]["plan_location"] = {"file": path, "line": line, "column": column}
                snapshot.entries.append(sides)
            continue
        provider = provider_of(entry.get("provider_name"), tf_type)
        expressions = providers.expressions_for(modules, config_keys.get((modules, entry["mode"], tf_type, entry["name"])))
        resource, warnings = build_resource(entry, resource_id=resource_id, action=action, side=VALUES_OF[action],
                                            provider=provider, expressions=expressions, secrets_found=secrets)
        if snapshot.entries is not None and entry["mode"] == "managed":
            snapshot.entries.append(_entry_sides(entry, resource_id, action, resource, provider, expressions, secrets))
        line, column = positions[number]
        resource["change"]["plan_location"] = {"file": path, "line": line, "column": column}
        if sources is not None:
            resource["change"]["source_location"] = sources.locate(modules, entry["mode"], tf_type, entry["name"])
        snapshot.warnings.extend(f"{path}: {warning}" for warning in warnings)
        if resource["id"] in seen:
            where = "twice in this plan" if seen[resource["id"]] == path else f"also in {seen[resource['id']]}"
            snapshot.warnings.append(f"{path}: {resource['id']} is {where}: both are kept, and their findings "
                                     "share a fingerprint")
        seen.setdefault(resource["id"], path)
        snapshot.resources.append(resource)
        info.resources += 1
    if found:
        raise InputError(_located(plan, found))
    if left_out:
        listed = ", ".join(f"{count} {action}" for action, count in sorted(left_out.items()))
        snapshot.notes.append(f"{path}: not evaluated ({listed}): scope '{scope}' keeps what the change creates, "
                              "updates or replaces")
    if sources is not None:
        snapshot.warnings.extend(sources.warnings)
    snapshot.plans.append(info)


_MODES = ("managed", "data")


def _entry_sides(entry: dict, resource_id: str, action: str, kept: dict | None, provider: str, expressions, secrets: set) -> PlanEntry:
    """Both sides of a managed entry; ``kept``: the resource the scope kept (built from its side), reused."""
    sides: dict[str, dict | None] = {"before": None, "after": None}
    if kept is not None:
        sides[VALUES_OF[action]] = kept
    for side in ("before", "after"):
        if sides[side] is not None or entry["change"].get(side).__class__ is not dict:
            continue
        if side == "after" and action in ("delete", "forget", "no-op"):  # a no-op after is its before
            continue
        sides[side], _ = build_resource(entry, resource_id=resource_id, action=action, side=side, provider=provider,
                                        expressions=expressions, secrets_found=secrets)
    return PlanEntry(resource_id, action, sides["before"], sides["after"])


def _check_entry(entry: object, number: int, found: StructureProblems) -> bool:
    """Whether a resource_changes entry has the fields a resource is made of; reports what is wrong."""
    where = ("resource_changes", number)
    if entry.__class__ is not dict:
        found.add(where, f"a resource change must be an object, got {kind_of(entry)}")
        return False
    ok = True
    for key in ("address", "type", "name"):
        if entry.get(key).__class__ is not str or not entry[key]:
            found.add(where + (key,), f"missing '{key}' (a non-empty string)" if key not in entry
                      else f"'{key}' must be a non-empty string, got {kind_of(entry[key])}")
            ok = False
    if entry.get("mode") not in _MODES:
        found.add(where + ("mode",), f"'mode' must be 'managed' or 'data', got {json_or_kind(entry.get('mode'))}")
        ok = False
    change = entry.get("change")
    if change.__class__ is not dict:
        found.add(where + ("change",), f"'change' must be an object, got {kind_of(change)}")
        return False
    actions = change.get("actions")
    if actions.__class__ is not list or not actions or any(action.__class__ is not str for action in actions):
        found.add(where + ("change", "actions"), f"'actions' must be a non-empty array of strings, got {kind_of(actions)}")
        ok = False
    for side in ("before", "after"):
        value = change.get(side)
        if value is not None and value.__class__ is not dict:
            found.add(where + ("change", side), f"'{side}' must be an object or null, got {kind_of(value)}")
            ok = False
    return ok


def json_or_kind(value: object) -> str:
    return f"'{value}'" if value.__class__ is str else kind_of(value)


def _located(plan: PlanFile, found: StructureProblems) -> list[Problem]:
    """E447 problems with a JSON pointer and, where the entry's position is known, its line and column."""
    positions = plan.positions()
    out = []
    for where, message, hint in found.items:
        line = column = None
        if len(where) >= 2 and where[0] == "resource_changes" and where[1].__class__ is int and where[1] < len(positions):
            line, column = positions[where[1]]
        out.append(Problem("E447", message, plan.path, line, column, json_pointer(where), hint))
    if found.omitted:
        out.append(Problem("E447", f"and {found.omitted} more problems in resource_changes, not listed", plan.path))
    return out


def _config_provider_keys(configuration: object) -> dict[tuple, str]:
    """(module path, mode, type, name) -> the resource's ``provider_config_key``, from the configuration."""
    keys: dict[tuple, str] = {}
    root = configuration.get("root_module") if configuration.__class__ is dict else None
    stack = [((), root)]
    while stack:
        path, module = stack.pop()
        if module.__class__ is not dict:
            continue
        for resource in module.get("resources") or ():
            if resource.__class__ is dict and resource.get("provider_config_key").__class__ is str:
                keys[(path, resource.get("mode"), resource.get("type"), resource.get("name"))] = resource["provider_config_key"]
        calls = module.get("module_calls")
        if calls.__class__ is dict:
            for name, call in calls.items():
                if call.__class__ is dict:
                    stack.append((path + (name,), call.get("module")))
    return keys
