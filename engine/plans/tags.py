"""Effective tags: the tags a planned resource will carry, read from its values per provider.

:data:`TAG_ATTRIBUTES` lists, per provider, the attributes that hold the resource's tags, the
most complete first; the first one the values hold (not null) is read:

* AWS: ``tags_all`` (the resource's ``tags`` merged with the provider's ``default_tags``), else
  ``tags``; an Auto Scaling group's ``tag`` blocks and ``tags`` list of
  ``{key, value, propagate_at_launch}`` are read as its tags (both, blocks first);
* Azure: ``tags``;
* Google: ``effective_labels`` (every label on the resource, provider ``default_labels`` included),
  else ``terraform_labels``, else ``labels``. A Google resource's ``tags`` are *network tags*
  (firewall targets, a list of names), not cost labels, and are never read as tags;
* other providers: ``tags_all``, else ``tags`` when it is a map.

Unknown values (known after apply):

* a tag map that is unknown as a whole (``after_unknown.tags_all == true``, as AWS providers plan a
  resource whose tags or default tags are not all known) leaves the set of keys open: the resource
  gets the keys that are known anyway (its own ``tags`` and the provider's constant
  ``default_tags``, which ``tags_all`` merges) and ``/tags`` is recorded unknown, so no key is
  missing;
* a tag whose value is unknown is left out of the tags and recorded as ``/tags/<key>``.

Values follow the canonical rule (:func:`engine.inventory.resource.tag_value`): strings stay,
``true`` is a key-only tag, ``false`` and numbers become strings; a null, list or map value is left
out with a warning. A sensitive value is :data:`~engine.plans.marks.SENSITIVE` (recorded as
``/tags/<key>``); a sensitive tag map as a whole gives no tags and records ``/tags``.
"""

from __future__ import annotations

from engine.errors import json_pointer
from engine.inventory.resource import INVALID, tag_value
from engine.plans.marks import SENSITIVE, mark_at

TAG_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws": ("tags_all", "tags"),
    "azure": ("tags",),
    "gcp": ("effective_labels", "terraform_labels", "labels"),
    "kubernetes": (),
    "other": ("tags_all", "tags"),
}

_MERGED = frozenset({"tags_all", "effective_labels", "terraform_labels"})  # include the provider's defaults
_PAIR_LISTS = ("tag", "tags")  # AWS Auto Scaling group shapes: lists of {key, value, propagate_at_launch}


class Tags:
    """The effective tags of one resource, and what could not be read."""

    __slots__ = ("tags", "unknown", "sensitive", "dropped")

    def __init__(self):
        self.tags: dict = {}
        self.unknown: list[str] = []  # pointers into the resource: /tags, /tags/<key>
        self.sensitive: list[str] = []
        self.dropped: list[str] = []  # keys left out because their value cannot be a tag value


def effective_tags(provider: str, values: object, unknown: object, default_tags: dict | None) -> Tags:
    """The effective tags of ``values`` (a change's after or before values, sensitive values already
    hidden) with ``unknown`` its ``after_unknown`` marks (None for before values)."""
    out = Tags()
    if values.__class__ is not dict:
        if unknown is True:
            out.unknown.append("/tags")
        return out
    if provider == "aws" and any(values.get(name).__class__ is list for name in _PAIR_LISTS):
        _from_pair_lists(values, unknown, out)
        return out
    names = TAG_ATTRIBUTES.get(provider, TAG_ATTRIBUTES["other"])
    open_keys = False  # a more complete map is unknown: the keys read are not all there are
    merge_defaults = False
    for name in names:
        mark = mark_at(unknown, name)
        if mark is True:
            open_keys = True
            merge_defaults = merge_defaults or name in _MERGED
            continue
        source = values.get(name)
        if source is None:
            continue
        if provider == "other" and source.__class__ is not dict:
            continue
        if merge_defaults and default_tags:
            _add_mapping(default_tags, None, out)
        _add_mapping(source, mark, out)
        break
    else:
        if merge_defaults and default_tags:
            _add_mapping(default_tags, None, out)
    if open_keys:
        out.unknown.insert(0, "/tags")
    return out


def _add_mapping(source: object, marks: object, out: Tags) -> None:
    if source == SENSITIVE:
        out.sensitive.append("/tags")
        return
    if source.__class__ is not dict:
        out.dropped.append("")  # the attribute is not a map: reported as a whole
        return
    for key, value in source.items():
        if mark_at(marks, key) is not True:
            _put(out, key, value)
    if marks.__class__ is dict:  # Terraform leaves an unknown element out of the map; its key is in the marks
        for key, mark in marks.items():
            if mark is True:
                out.unknown.append(json_pointer(("tags", key)))
                out.tags.pop(key, None)


def _put(out: Tags, key: str, value: object) -> None:
    canonical = tag_value(value)
    if canonical is INVALID:
        out.dropped.append(key)
        out.tags.pop(key, None)
        return
    out.tags[key] = canonical
    if canonical == SENSITIVE:
        out.sensitive.append(json_pointer(("tags", key)))


def _from_pair_lists(values: dict, unknown: object, out: Tags) -> None:
    """Auto Scaling group tags: ``tag`` blocks (``propagate_at_launch`` a boolean) and the older
    ``tags`` list of maps (``propagate_at_launch`` a string), blocks first."""
    for name in _PAIR_LISTS:
        mark = mark_at(unknown, name)
        if mark is True:
            out.unknown.insert(0, "/tags")
            continue
        pairs = values.get(name)
        if pairs == SENSITIVE:
            out.sensitive.append("/tags")
            continue
        if pairs.__class__ is not list:
            continue
        for index, pair in enumerate(pairs):
            pair_mark = mark[index] if mark.__class__ is list and index < len(mark) else None
            if pair_mark is True or mark_at(pair_mark, "key") is True:
                if "/tags" not in out.unknown:
                    out.unknown.insert(0, "/tags")  # a key not known yet: the set of keys is open
                continue
            if pair.__class__ is not dict or pair.get("key").__class__ is not str:
                out.dropped.append(f"{name}[{index}]")
                continue
            key = pair["key"]
            if mark_at(pair_mark, "value") is True:
                out.unknown.append(json_pointer(("tags", key)))
                continue
            _put(out, key, pair.get("value"))
