"""Exemption documents: read, validated in stages, compiled once.

An exemption is a YAML document of its own (``kind: Exemption``, ``schemas/exemption.schema.json``),
given with ``check --exemptions FILE|DIR`` or found among the policy paths. Stages 1 to 3 are those
of every document (:mod:`engine.documents.loader`: YAML, envelope, the kind's schema); then:

4. Semantics (:func:`compile_exemption`): the ``resources.where`` condition compiles (the same
   compiler as a policy's ``resource.where``), each glob compiles, and the exemption says what it
   applies to and who stands behind it.
5. References (:func:`check_references`): its policy ids and labels name policies of the library;
   exemption ids are unique.

Problems, each with file, line, column and pointer (codes of :mod:`engine.errors`):

* ``E350`` it names no policy (give ``policies`` and/or ``labels``)
* ``E351`` it names a policy id the library does not have ("did you mean")
* ``E352`` it has neither an ``approver`` nor a ``ticket``
* ``E353`` it names nothing to exempt (give ``resources`` and/or ``scopes``), or ``resources`` names none
* ``E354`` it names a label no policy carries
* ``E355`` a document of another kind in an ``--exemptions`` file
* ``E356`` no Exemption document in the ``--exemptions`` paths
* ``E304`` two exemptions with one id; ``E206`` an ``expires`` that is not a real date (schema)
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from engine.conditions.compiler import Condition, compile_condition
from engine.documents import schemas
from engine.documents.loader import check_envelope, find_yaml_files, read_documents
from engine.documents.yaml_loader import YamlDocument
from engine.errors import InputError, Problem, did_you_mean

KIND = "Exemption"
SCHEMA = schemas.KIND_SCHEMAS[KIND]
_WHERE = "/resources/where"


@dataclass(frozen=True)
class Exemption:
    """A compiled exemption. ``expires`` is the last day it applies."""

    id: str
    reason: str
    expires: date
    approver: str | None = None
    ticket: str | None = None
    policies: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    ids: frozenset = frozenset()
    addresses: frozenset = frozenset()
    globs: tuple[str, ...] = ()
    where: Condition | None = None
    scopes: frozenset = frozenset()
    file: str | None = None
    line: int | None = None
    doc: YamlDocument | None = field(default=None, compare=False, repr=False)
    base: str = ""  # the pointer of the exemption inside doc ("" for a document of its own)
    pattern: object = field(default=None, compare=False, repr=False)  # the globs as one compiled regex

    @property
    def names_resources(self) -> bool:
        """Whether it names resources by id, address or glob (else ``where`` alone selects them)."""
        return bool(self.ids or self.addresses or self.globs)

    @property
    def selects_resources(self) -> bool:
        return self.names_resources or self.where is not None

    def names(self, resource_id: object, address: object) -> bool:
        """Whether ``ids``, ``addresses`` or ``globs`` name the resource (all resources when it names none)."""
        if not self.names_resources:
            return True
        if resource_id in self.ids or resource_id in self.addresses or address in self.addresses:
            return True
        glob = self.pattern
        if glob is None:
            return False
        return (resource_id.__class__ is str and glob.match(resource_id) is not None) or (
            address.__class__ is str and glob.match(address) is not None)

    def position(self, pointer: str = "") -> tuple[int | None, int | None]:
        return self.doc.position(self.base + pointer) if self.doc is not None else (self.line, None)

    def reference(self) -> dict:
        """What a finding it exempts records (``Finding.exemption``)."""
        return {"id": self.id, "reason": self.reason, "expires": self.expires.isoformat(), "approver": self.approver,
                "ticket": self.ticket}


def presence_problems(doc: YamlDocument, data: dict, base: str) -> list[Problem]:
    """What an exemption must say beyond its schema: the policies, an approver or a ticket, something to
    exempt (checked even when the schema's problems are listed, so that every problem is)."""
    found = []
    if not data.get("policies") and not data.get("labels"):
        found.append(doc.problem("E350", "an exemption names the policies it applies to", base, "give policies (ids) and/or labels"))
    if "approver" not in data and "ticket" not in data:
        found.append(doc.problem("E352", "an exemption needs an approver or a ticket (or both)", base,
                                 "add approver: (who approved it) or ticket: (where it is tracked)"))
    resources = data.get("resources")
    if resources is None and not data.get("scopes"):
        found.append(doc.problem("E353", "an exemption names what it exempts", base,
                                 "give resources (ids, addresses, globs, where) and/or scopes; to turn a policy off, use a policy set"))
    elif isinstance(resources, dict) and not resources:
        found.append(doc.problem("E353", "resources names no resource", f"{base}/resources", "give ids, addresses, globs and/or where"))
    return found


def compile_exemption(doc: YamlDocument, data: dict, base: str, problems: list[Problem]) -> Exemption | None:
    """Stage 4 for one exemption (``data``, at ``base`` inside ``doc``, valid under its schema)."""
    count = len(problems)

    def report(code: str, message: str, pointer: str, hint: str | None = None) -> None:
        problems.append(doc.problem(code, message, pointer, hint))

    presence = presence_problems(doc, data, base)  # listed, but the exemption is still made: its references get checked too
    problems.extend(presence)
    count += len(presence)
    resources = data.get("resources")
    where = None
    if resources and "where" in resources:
        where = compile_condition(resources["where"], f"{base}{_WHERE}", report)
    globs = tuple((resources or {}).get("globs", ()))
    pattern = None
    if globs:
        pattern = re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs), re.S)
    try:
        expires = date.fromisoformat(data["expires"])
    except ValueError:  # the schema's format check passed it: a date fromisoformat still refuses
        report("E206", f"{data['expires']!r} is not a valid date", f"{base}/expires")
        expires = None
    if len(problems) > count:
        return None
    line, _ = doc.position(base)
    return Exemption(
        id=data["id"], reason=data["reason"], expires=expires, approver=data.get("approver"), ticket=data.get("ticket"),
        policies=tuple(data.get("policies", ())), labels=tuple(data.get("labels", ())),
        ids=frozenset((resources or {}).get("ids", ())), addresses=frozenset((resources or {}).get("addresses", ())),
        globs=globs, where=where, scopes=frozenset(data.get("scopes", ())), file=doc.file, line=line, doc=doc, base=base,
        pattern=pattern,
    )


def _schema_problems(doc: YamlDocument) -> list[Problem]:
    """Stage 3: the document against the exemption schema; ``resources.where`` is left to the condition compiler."""
    return [p for p in schemas.validate(doc, doc.data, SCHEMA, []) if not (p.pointer or "").startswith(_WHERE)]


def read_exemptions(paths, problems: list[Problem]) -> list[Exemption]:
    """The exemptions in ``paths`` (files or folders given with ``--exemptions``); every other
    document there is a problem (E355), and so are paths without any exemption (E356)."""
    files = find_yaml_files(paths, problems)
    found: list[Exemption] = []
    documents = 0
    for file in files:
        for doc in read_documents(file, problems):
            kind = check_envelope(doc, problems)
            if kind is None:
                continue
            if kind != KIND:
                problems.append(doc.problem("E355", f"expected Exemption documents, found kind {kind}", "/kind",
                                            "give this file with --policies, and exemptions with --exemptions"))
                continue
            documents += 1
            found += _compiled(doc, problems)
    if files and not documents and not problems:
        problems.append(Problem("E356", "no Exemption document found", ", ".join(str(p) for p in paths)))
    return found


def exemptions_among(docs, problems: list[Problem], *, skip_under: Path | None = None, exclude=frozenset()) -> list[Exemption]:
    """The exemptions among the Exemption documents a library read with its other documents (the policy
    paths' files, already validated up to stage 3; see ``PolicyLibrary.exemption_documents``), but those
    of files in ``exclude`` (resolved paths) and under ``skip_under``. No file is read again."""
    skip = skip_under.resolve() if skip_under is not None else None
    found: list[Exemption] = []
    for doc in docs:
        resolved = Path(doc.file).resolve()
        if resolved in exclude or (skip is not None and skip in resolved.parents):
            continue
        found += _compiled(doc, problems)
    return found


def _compiled(doc: YamlDocument, problems: list[Problem]) -> list[Exemption]:
    found = _schema_problems(doc)
    problems.extend(found)
    if found:
        _beyond_schema(doc, problems)
        return []
    exemption = compile_exemption(doc, doc.data, "", problems)
    return [exemption] if exemption is not None else []


def _beyond_schema(doc: YamlDocument, problems: list[Problem]) -> None:
    """For a document its schema refused: what an exemption must say beyond the schema, and its ``where``
    condition's problems, so that every problem is listed at once."""
    if not isinstance(doc.data, dict):
        return
    problems.extend(presence_problems(doc, doc.data, ""))
    if isinstance(doc.data.get("resources"), dict) and "where" in doc.data["resources"]:
        compile_condition(doc.data["resources"]["where"], _WHERE,
                          lambda code, message, pointer, hint=None: problems.append(doc.problem(code, message, pointer, hint)))


def refused_document_problems(doc: YamlDocument, problems: list[Problem]) -> None:
    """For ``costwarden validate`` (a compiler of its library load): an Exemption document whose schema the
    library refused gets its problems beyond the schema too; a valid one is compiled by :func:`load_exemptions`."""
    if _schema_problems(doc):
        _beyond_schema(doc, problems)


def inline_exemptions(doc: YamlDocument, pointer: str, problems: list[Problem]) -> list[Exemption]:
    """Exemptions written inside another document (a PolicyTest's ``exemptions.documents``), already
    valid under that document's schema."""
    found = []
    for index, data in enumerate(_at(doc.data, pointer) or []):
        exemption = compile_exemption(doc, data, f"{pointer}/{index}", problems)
        if exemption is not None:
            found.append(exemption)
    return found


def _at(data, pointer: str):
    for part in pointer.strip("/").split("/"):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def check_references(exemptions: list[Exemption], policies, problems: list[Problem]) -> None:
    """Stage 5: unique ids, and policy ids and labels that ``policies`` (the library's) have."""
    seen: dict[str, Exemption] = {}
    for exemption in exemptions:
        first = seen.setdefault(exemption.id, exemption)
        if first is not exemption:
            where = ":".join(str(part) for part in (first.file, first.position("/id")[0]) if part is not None)
            problems.append(_problem(exemption, "E304", f"duplicate exemption id '{exemption.id}' (also in {where})", "/id"))
    ids = {policy.id for policy in policies}
    labels = {label for policy in policies for label in policy.labels}
    for exemption in exemptions:
        for index, policy_id in enumerate(exemption.policies):
            if policy_id not in ids:
                problems.append(_problem(exemption, "E351", f"unknown policy '{policy_id}'", f"/policies/{index}",
                                         did_you_mean(policy_id, ids)))
        for index, label in enumerate(exemption.labels):
            if label not in labels:
                problems.append(_problem(exemption, "E354", f"no policy has the label '{label}'", f"/labels/{index}",
                                         did_you_mean(label, labels)))


def _problem(exemption: Exemption, code: str, message: str, pointer: str, hint: str | None = None) -> Problem:
    if exemption.doc is None:
        return Problem(code, message, exemption.file, exemption.line, None, pointer, hint)
    return exemption.doc.problem(code, message, exemption.base + pointer, hint)


def load_exemptions(paths=(), *, policies=None, among=(), skip_under: Path | None = None) -> list[Exemption]:
    """The exemptions of ``paths`` (``--exemptions``) and those among ``among``, the Exemption documents a
    library read with its policies (``PolicyLibrary.exemption_documents``), checked against ``policies`` when given. Raises one InputError with every problem."""
    problems: list[Problem] = []
    exemptions = read_exemptions(paths, problems) if paths else []
    given = {Path(file).resolve() for file in find_yaml_files(paths, [])} if paths else frozenset()
    exemptions += exemptions_among(among, problems, skip_under=skip_under, exclude=given)
    found: list[Problem] = []  # the references of those that compiled, listed with the other problems
    check_references(exemptions, policies or [], found)
    problems.extend(found if policies is not None else [p for p in found if p.code == "E304"])  # no library: ids only
    if problems:
        raise InputError(problems)
    return sorted(exemptions, key=lambda exemption: exemption.id)

