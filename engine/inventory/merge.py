"""Merging resources that several inventory files (or pages of one file) report about the same resource.

Resources are the same when their :func:`merge_key` is equal: ``(provider, id)``, with Azure ids
compared case-insensitively (ARM and Resource Graph spell the same id with different case).

Rules, applied in file order then position order:

* the resource keeps the position where it was first seen, and its first ``id`` spelling;
* a non-empty value from a later file fills an empty one or overrides an earlier one;
* when both are non-empty and differ, the later one wins and a :class:`Conflict` is recorded;
  values that differ only by case are not a conflict for Azure ids, types and regions (the
  first file's spelling is kept);
* two ``type`` names that spell one provider resource kind (``rds:snapshot`` from the tagging
  API and ``AWS::RDS::DBSnapshot`` from AWS Config; see :mod:`engine.inventory.types`) are not a
  conflict either, and the resource keeps the most specific spelling whichever file came first
  (:func:`~engine.inventory.types.spelling_rank`: the kind's canonical key, for AWS the
  CloudFormation / Config name, before the other spellings; the table's letter case before
  another). Two different kinds are a conflict like any other value, even of one class
  (``rds:snapshot`` and ``AWS::RDS::DBClusterSnapshot``);
* tags merge key by key (keys are case-sensitive: ``Owner`` and ``owner`` are two tags);
  one key with two values is a conflict on ``tags.<key>``;
* relationships are united; ``utilization`` merges metric by metric and ``properties``
  (raw provider documents) key by key, later wins, without recording conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.inventory.types import classify, same_kind, spelling_rank

SCALAR_FIELDS = ("type", "account", "region", "name", "size", "state", "created_at")
_CASE_INSENSITIVE_AZURE = frozenset(("type", "region"))


@dataclass(frozen=True)
class Conflict:
    """Two files give different non-empty values for one field of one resource; the later file won."""

    provider: str
    id: str
    field: str  # "size", or "tags.<key>" (the key in double quotes when it is not an identifier)
    values: tuple  # (earlier value, later value)
    files: tuple  # (earlier file, later file)

    def describe(self) -> str:
        """One line for warnings: which resource, which field, both values and files, and which value is used."""
        (old, new), (old_file, new_file) = self.values, self.files
        if old_file == new_file:
            return (f"{self.provider} resource '{self.id}': {self.field} is both {old!r} and {new!r} in '{new_file}'; "
                    f"using {new!r} (the later entry wins)")
        return (f"{self.provider} resource '{self.id}': {self.field} is {old!r} in '{old_file}' but {new!r} in "
                f"'{new_file}'; using {new!r} (the later file wins)")

    def to_dict(self) -> dict:
        return {
            "provider": self.provider,
            "id": self.id,
            "field": self.field,
            "values": list(self.values),
            "files": list(self.files),
        }


def merge_key(provider: str, id: str) -> tuple[str, str]:  # noqa: A002
    """The identity of a resource across files: Azure ids are case-insensitive."""
    return (provider, id.lower()) if provider == "azure" else (provider, id)


def tag_field(key: str) -> str:
    """``tags.team``, or ``tags."cost-center"`` when the key is not a plain identifier (JMESPath quoting)."""
    if key.isidentifier():
        return f"tags.{key}"
    return 'tags."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _relationship_key(relationship: dict) -> tuple:
    return (relationship["type"], relationship["id"])


def _relationship_key_azure(relationship: dict) -> tuple:
    return (relationship["type"], relationship["id"].lower())


def _empty(value: object) -> bool:
    return value is None or value == "" or value == {} or value == []


class Merger:
    """Accumulates resources file by file; ``resources`` and ``conflicts`` hold the result."""

    def __init__(self) -> None:
        self.resources: list[dict] = []
        self.conflicts: list[Conflict] = []
        self._by_key: dict[tuple[str, str], dict] = {}
        self._first_file: dict[tuple[str, str], str] = {}
        self._field_files: dict[tuple[str, str], dict[str, str]] = {}  # only for resources merged at least once
        self._unindexed_file: str | None = None

    def add(self, file: str, resources: list[dict], distinct: bool = False) -> None:
        """Add one file's resources; ``distinct=True`` promises that no two of them have the same merge key
        (the canonical adapter checks it), which lets a single file skip building the index."""
        if distinct and not self.resources:
            self.resources.extend(resources)
            self._unindexed_file = file
            return
        if self._unindexed_file is not None:
            self._index_first_file()
        by_key = self._by_key
        append = self.resources.append
        for resource in resources:
            provider = resource["provider"]
            rid = resource["id"]
            key = (provider, rid.lower()) if provider == "azure" else (provider, rid)
            existing = by_key.get(key)
            if existing is None:
                by_key[key] = resource
                self._first_file[key] = file
                append(resource)
            else:
                self._merge(key, existing, resource, file)

    def _index_first_file(self) -> None:
        file, self._unindexed_file = self._unindexed_file, None
        for resource in self.resources:
            key = merge_key(resource["provider"], resource["id"])
            self._by_key[key] = resource
            self._first_file[key] = file

    def _origin(self, key: tuple[str, str], field: str) -> str:
        return self._field_files.get(key, {}).get(field, self._first_file[key])

    def _merge(self, key: tuple[str, str], into: dict, new: dict, file: str) -> None:
        origins = self._field_files.setdefault(key, {})
        azure = into["provider"] == "azure"
        type_changed = type_conflict = False
        for field in SCALAR_FIELDS:
            value = new.get(field)
            if _empty(value):
                continue
            old = into.get(field)
            if field == "type" and not _empty(old) and old != value:
                value, type_conflict = self._merged_type(key, into, old, value, file, azure)
                if value == old:
                    continue
                type_changed = True
            elif not _empty(old) and old != value and not self._equivalent(field, old, value, azure):
                self._record(key, into, field, old, value, file)
            into[field] = value
            origins[field] = file
        if type_changed or new.get("class"):
            self._merge_class(key, into, new, file, origins, type_conflict)
        self._merge_tags(key, into, new.get("tags") or {}, file, origins)
        relationships = new.get("relationships") or []
        if relationships:
            same = _relationship_key_azure if azure else _relationship_key
            seen = {same(r) for r in into["relationships"]}
            into["relationships"] = into["relationships"] + [r for r in relationships if same(r) not in seen]
        for field in ("properties", "utilization"):
            value = new.get(field)
            if value:
                into[field] = {**into[field], **value} if into[field] else value

    def _merged_type(self, key, into: dict, old: object, new: object, file: str, azure: bool) -> tuple[object, bool]:
        """The type the resource keeps when a later file gives another non-empty one, and whether they conflict."""
        if same_kind(old, new):  # one kind spelt two ways: the most specific spelling, in any file order
            return (new if spelling_rank(new) < spelling_rank(old) else old), False
        if azure and str(old).lower() == str(new).lower():
            return old, False
        self._record(key, into, "type", old, new, file)
        return new, True

    @staticmethod
    def _equivalent(field: str, old: object, new: object, azure: bool) -> bool:
        return azure and field in _CASE_INSENSITIVE_AZURE and str(old).lower() == str(new).lower()

    def _merge_class(self, key, into: dict, new: dict, file: str, origins: dict, type_conflict: bool = False) -> None:
        explicit = new.get("class")
        value = explicit if explicit else classify(into["provider"], into["type"])
        if value is None:
            return
        old = into.get("class")
        # a class that only follows from a conflicting type is that conflict, already recorded
        follows = type_conflict and explicit == classify(into["provider"], into["type"])
        if explicit and old and old != value and not follows:
            self._record(key, into, "class", old, value, file)
        into["class"] = value
        origins["class"] = file

    def _merge_tags(self, key, into: dict, tags: dict, file: str, origins: dict) -> None:
        if not tags:
            return
        current = dict(into["tags"])  # the earlier dict may be shared with a raw provider document
        into["tags"] = current
        for tag_key, value in tags.items():
            if tag_key in current and current[tag_key] != value:
                field = tag_field(tag_key)
                self._record(key, into, field, current[tag_key], value, file)
            current[tag_key] = value
            origins[tag_field(tag_key)] = file

    def _record(self, key, into: dict, field: str, old: object, new: object, file: str) -> None:
        self.conflicts.append(Conflict(into["provider"], into["id"], field, (old, new), (self._origin(key, field), file)))
