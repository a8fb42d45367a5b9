"""The size catalog: ``SizeLadders`` and ``GenerationMap`` documents, merged and indexed.

The built-in library ships both (``policies/rightsizing/size-ladders.yaml`` and
``previous-generations.yaml``); documents of the same kinds found among the policy paths extend
them. Merging rules:

* a family is identified by (provider, family name); a user family with the name of a built-in
  one **replaces** it (its whole ladder); two user documents may not define the same family;
* a size belongs to exactly one family (sizes compare case-insensitively: Azure spells them both
  ways); a size in two families is an error;
* a ladder lists its sizes smallest first: vCPU and memory never decrease, and no size repeats
  the previous one's shape;
* a ``GenerationMap`` entry (provider, old family or size) from the user replaces the built-in
  entry for the same old family or size; every family it names must be in the ladders.

Lookups are by (provider, size), so ``m5.large`` of a resource whose provider is ``aws`` finds the
``m5`` ladder. The catalog is built lazily, on the first lookup, so a run without size-aware
policies does not pay for it: it is handed the documents found among the policy paths and a
reader of documents (:func:`engine.documents.loader.read_valid_documents`), which reads the
built-in ones then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

from engine.bundled import policies_dir
from engine.errors import InputError, Problem

BUILTIN_FILES = ("rightsizing/size-ladders.yaml", "rightsizing/previous-generations.yaml")
KINDS = ("SizeLadders", "GenerationMap")

# reader(files, kinds, problems) -> the documents of those kinds in the files that are valid
Reader = Callable[[list, tuple, list], list]


@dataclass(frozen=True)
class Size:
    provider: str
    family: str
    name: str
    vcpu: float
    memory_gib: float
    architecture: str
    burstable: bool
    position: int  # 0 = the smallest size of its family
    relative_price: float | None = None  # the ladder's price relation between the sizes of the family, if given

    def to_dict(self) -> dict:
        out = {"size": self.name, "family": self.family, "vcpu": _number(self.vcpu), "memory_gib": _number(self.memory_gib),
               "architecture": self.architecture, "burstable": self.burstable}
        if self.relative_price is not None:
            out["relative_price"] = _number(self.relative_price)
        return out


@dataclass(frozen=True)
class SizeRatio:
    """What a size costs relative to another size of the same family: ``numerator / denominator``."""

    numerator: Decimal
    denominator: Decimal
    basis: str  # "same size", "relative price" (the ladder's), "vCPU" (same memory per vCPU)

    def __str__(self) -> str:
        return f"{_decimal_text(self.numerator)}/{_decimal_text(self.denominator)}"


@dataclass(frozen=True)
class Family:
    provider: str
    name: str
    sizes: tuple[Size, ...]
    file: str | None = None


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Catalog:
    """Size ladders and the previous-generation map; built from documents on first use."""

    documents: list = field(default_factory=list)  # YamlDocuments of kinds SizeLadders / GenerationMap
    reader: Reader | None = None  # reads the built-in documents on first use; None: no built-in documents
    _built: bool = False
    families: dict = field(default_factory=dict)  # (provider, family) -> Family
    sizes: dict = field(default_factory=dict)  # (provider, size lower) -> Size
    generations: dict = field(default_factory=dict)  # (provider, old family) -> tuple of families
    size_generations: dict = field(default_factory=dict)  # (provider, old size lower) -> tuple of sizes

    def size(self, provider: str | None, name: str | None) -> Size | None:
        self._build()
        if not isinstance(name, str) or not isinstance(provider, str):
            return None
        return self.sizes.get((provider, name.lower()))

    def family(self, provider: str, name: str) -> Family | None:
        self._build()
        return self.families.get((provider, name))

    def price_ratio(self, provider: str | None, current: str | None, target: str | None) -> SizeRatio | None:
        """What ``target`` costs relative to ``current``, when both are sizes of one family and the ladder
        tells: the sizes' ``relative_price`` when both have one, else the vCPU ratio when both sizes have the
        same memory per vCPU (``m5.large`` 2/8 and ``m5.2xlarge`` 8/32: 1/4). Otherwise None: sizes of one
        family whose shapes differ (``t3.nano`` and ``t3.large`` both have 2 vCPU) are not guessed."""
        now = self.size(provider, current)
        then = self.size(provider, target)
        if now is None or then is None or now.family != then.family:
            return None
        if now.name == then.name:
            return SizeRatio(Decimal(1), Decimal(1), "same size")
        if now.relative_price is not None and then.relative_price is not None:
            return SizeRatio(Decimal(str(then.relative_price)), Decimal(str(now.relative_price)), "relative price")
        vcpu_now, vcpu_then = Decimal(str(now.vcpu)), Decimal(str(then.vcpu))
        memory_now, memory_then = Decimal(str(now.memory_gib)), Decimal(str(then.memory_gib))
        if vcpu_then * memory_now == vcpu_now * memory_then:  # the same memory per vCPU
            return SizeRatio(vcpu_then, vcpu_now, "vCPU")
        return None

    def replacements(self, provider: str | None, size_name: str | None) -> tuple[str, tuple[str, ...]] | None:
        """``("family", (m7i, m7g))`` when the size's family is a previous generation, ``("size", (gp3,))``
        when the size itself is (volume types), else None."""
        self._build()
        if not isinstance(size_name, str) or not isinstance(provider, str):
            return None
        size = self.sizes.get((provider, size_name.lower()))
        if size is not None and (provider, size.family) in self.generations:
            return "family", self.generations[(provider, size.family)]
        direct = self.size_generations.get((provider, size_name.lower()))
        return ("size", direct) if direct is not None else None

    def _build(self) -> None:
        if self._built:
            return
        problems: list[Problem] = []
        shipped = {str(Path(file).resolve()) for file in builtin_catalog_files()}
        given = [doc for doc in self.documents if str(Path(doc.file).resolve()) in shipped]  # the library itself
        user = [doc for doc in self.documents if str(Path(doc.file).resolve()) not in shipped]
        builtin = []
        if self.reader is not None:
            loaded = {str(Path(doc.file).resolve()) for doc in given}
            unread = [file for file in builtin_catalog_files() if str(Path(file).resolve()) not in loaded]
            builtin = given + self.reader(unread, KINDS, problems)
        _compile(self, builtin + user, len(builtin), problems)
        self._built = True
        if problems:
            raise InputError(problems)


def builtin_catalog_files() -> list[str]:
    return [str(policies_dir() / name) for name in BUILTIN_FILES]


def compile_catalog(documents: list, problems: list[Problem], reader: Reader | None = None) -> Catalog:
    """A catalog from user documents and, with ``reader``, the built-in ones; with user documents it
    is built (and checked) now."""
    catalog = Catalog(documents=list(documents), reader=reader)
    if documents:
        try:
            catalog._build()
        except InputError as error:
            problems.extend(error.problems)
    return catalog


def _compile(catalog: Catalog, docs: list, builtin_count: int, problems: list[Problem]) -> None:
    """Index the families and generations of ``docs`` (the first ``builtin_count`` of them built in) into ``catalog``.

    Only the parts of the shape the schemas ask for are read, so that documents the schema refused are
    checked too (:mod:`engine.documents.stages`) and never make this fail: a family without a readable
    name or provider is skipped, and then no GenerationMap entry of its provider is reported as naming
    a family that is not in the ladders (the ladders are not known in full)."""
    origin: dict[tuple[str, str], tuple[bool, object, str]] = {}  # family -> (builtin, doc, pointer)
    families: dict[tuple[str, str], Family] = {}
    named: set[tuple[str, str]] = set()  # every family a ladder names, its sizes valid or not
    unread: set[str | None] = set()  # providers with a family whose name cannot be read (None: a ladder without a provider)
    ladders = [(i < builtin_count, d) for i, d in enumerate(docs) if d.data.get("kind") == "SizeLadders"]
    maps = [(i < builtin_count, d) for i, d in enumerate(docs) if d.data.get("kind") == "GenerationMap"]
    for builtin, doc in ladders:
        provider = doc.data.get("provider")
        if not isinstance(provider, str):
            unread.add(None)
            continue
        for index, item in enumerate(_items(doc.data.get("families"))):
            pointer = f"/families/{index}"
            if not isinstance(item, dict) or not isinstance(item.get("family"), str):
                unread.add(provider)
                continue
            key = (provider, item["family"])
            named.add(key)
            if key in origin:
                first_builtin, first_doc, first_pointer = origin[key]
                if first_builtin == builtin:
                    line = first_doc.position(first_pointer)[0]
                    problems.append(doc.problem("E326", f"family '{item['family']}' ({provider}) is defined twice "
                                                         f"(also in {first_doc.file}:{line})", pointer + "/family"))
                    continue
            family = _family(doc, provider, item, pointer, problems)
            if family is not None:
                families[key] = family  # a user family replaces the built-in one
                origin[key] = (builtin, doc, pointer)
    sizes: dict[tuple[str, str], Size] = {}
    for key, family in families.items():
        for size in family.sizes:
            size_key = (family.provider, size.name.lower())
            if size_key in sizes:
                other = sizes[size_key]
                # placed at a user document's entry of the size (every size of a compiled family is its entry)
                builtin, doc, pointer = origin[key]
                placed = size
                if builtin and not origin[(other.provider, other.family)][0]:
                    builtin, doc, pointer = origin[(other.provider, other.family)]
                    placed = other
                problems.append(doc.problem("E326", f"size '{size.name}' ({family.provider}) is in two families: "
                                                    f"'{other.family}' and '{family.name}'", f"{pointer}/sizes/{placed.position}/size",
                                            "a size belongs to one family; replace the built-in family by defining one with its name"))
                continue
            sizes[size_key] = size
    generations: dict = {}
    size_generations: dict = {}
    for _, doc in maps:  # built-in first: user entries replace them
        provider = doc.data.get("provider")
        if not isinstance(provider, str):
            continue
        for index, item in enumerate(_items(doc.data.get("families"))):
            replacements = _replacements(item, "family")
            if replacements is None:
                continue
            unknown = [name for name in (item["family"], *replacements) if (provider, name) not in named]
            if unknown and not unread & {None, provider}:
                problems.append(doc.problem("E327", f"family '{unknown[0]}' ({provider}) is not in the size ladders",
                                            f"/families/{index}", "add the family to a SizeLadders document"))
                continue
            generations[(provider, item["family"])] = replacements
        for item in _items(doc.data.get("sizes")):
            replacements = _replacements(item, "size")
            if replacements is not None:
                size_generations[(provider, item["size"].lower())] = replacements
    catalog.families, catalog.sizes = families, sizes
    catalog.generations, catalog.size_generations = generations, size_generations


def _items(value: object) -> list:
    """``value`` when it is a list, else none (the schema's problem)."""
    return value if isinstance(value, list) else []


def _replacements(item: object, name: str) -> tuple[str, ...] | None:
    """The replacements of a GenerationMap entry naming a ``name`` (family or size), None when it cannot be read."""
    if not isinstance(item, dict) or not isinstance(item.get(name), str) or not isinstance(item.get("replacements"), list):
        return None
    return tuple(value for value in item["replacements"] if isinstance(value, str))


def _dimension(value: object) -> bool:
    """Whether ``value`` is a number a size's vCPU or memory can be (the schema reports the others)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def _family(doc, provider: str, item: dict, pointer: str, problems: list[Problem]) -> Family | None:
    architecture = item.get("architecture", "x86_64")
    burstable = item.get("burstable", False)
    sizes: list[Size] = []
    previous = None
    ok = True
    seen: set[str] = set()
    for index, entry in enumerate(_items(item.get("sizes"))):
        here = f"{pointer}/sizes/{index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("size"), str):
            ok = False
            continue
        name = entry["size"]
        if name.lower() in seen:
            problems.append(doc.problem("E326", f"size '{name}' is listed twice in family '{item['family']}'", here + "/size"))
            ok = False
            continue
        seen.add(name.lower())
        if not (_dimension(entry.get("vcpu")) and _dimension(entry.get("memory_gib"))):
            ok = False
            continue
        shape = (entry["vcpu"], entry["memory_gib"])
        if previous is not None and (shape[0] < previous[1][0] or shape[1] < previous[1][1] or shape == previous[1]):
            problems.append(doc.problem(
                "E325", f"size '{name}' ({_number(shape[0])} vCPU, {_number(shape[1])} GiB) is not larger than '{previous[0]}' "
                        f"({_number(previous[1][0])} vCPU, {_number(previous[1][1])} GiB) listed before it", here,
                "list sizes smallest first: vCPU and memory never decrease"))
            ok = False
        previous = (name, shape)
        sizes.append(Size(provider, item["family"], name, shape[0], shape[1], entry.get("architecture", architecture),
                          entry.get("burstable", burstable), len(sizes), entry.get("relative_price")))
    return Family(provider, item["family"], tuple(sizes), doc.file) if ok else None
