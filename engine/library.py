"""Load a policy library: the documents under paths, validated in stages, and the policies compiled
through the table of policy types (:data:`engine.checks.CHECKS`); also the Budgets and Ownership
documents given on their own.

Stages, each reporting the same :class:`~engine.errors.Problem` type (1 to 3 are
:mod:`engine.documents.loader`'s):

1. YAML (:mod:`engine.documents.yaml_loader`): syntax, duplicate keys, bounds.
2. Envelope: ``apiVersion`` and ``kind``.
3. The kind's schema (for a policy: everything but ``spec``).
4. For a policy: parameters substituted into ``spec`` and ``resource``, then ``spec`` against the
   schema of the policy's type (and ``resource.types`` against the list of type names). A problem
   in a value that a policy set supplied is reported at that value in the set's file.
5. Semantics: conditions compile (JMESPath, regex, durations), the type's own checks, ids unique
   across the whole set, policy sets name existing policies and parameters, ownership names
   existing teams.

A compiled policy's ``types`` holds, lower-cased, every class it names and every spelling of each
provider resource kind it names (``ec2:instance`` also selects ``AWS::EC2::Instance`` and
``aws_instance``; see :func:`engine.inventory.types.spellings_of`), so selection needs no
knowledge of the vocabulary.

Every problem of every file is collected; :func:`load_library` raises one
:class:`~engine.errors.InputError` holding all of them. A stage's problems do not hide the next
stage's: a policy whose envelope fails stage 3 still has its spec, conditions and message checked
(stages 4 and 5, on the parts that are well-formed); PolicySet, Ownership, Budgets, SizeLadders and
GenerationMap documents (and the kinds of ``compilers``) get their semantic checks whatever their
schema said, on the parts of the right shape, one problem per mistake
(:mod:`engine.documents.stages`); and the PolicyTest documents whose schema fails are handed on
(:class:`LibraryError`) so that their cases' policies can be checked too.
"""

from __future__ import annotations

import copy
import functools
import os

from engine.budgets import compile_budgets
from engine.bundled import policies_dir
from engine.checks import CHECKS
from engine.conditions.compiler import compile_condition
from engine.documents import schemas
from engine.documents.loader import check_envelope, find_yaml_files, read_documents, read_valid_documents
from engine.documents.stages import without_superseded
from engine.documents.yaml_loader import YamlDocument
from engine.errors import InputError, Problem, did_you_mean, json_pointer
from engine.inventory.types import CLASSES, close_names, is_known_name, looks_like_class, spellings_of
from engine.ownership import compile_ownership
from engine.policy import Policy, PolicyLibrary
from engine.sizing.catalog import compile_catalog

TYPE_NAMES = "policy.schema.json#/$defs/type-names"  # resource.types after substitution


class _Reporter:
    """Collects problems of one document, with pointers made absolute."""

    def __init__(self, doc: YamlDocument, base: str, problems: list[Problem]):
        self.doc, self.base, self.problems = doc, base, problems
        self.count = 0

    def __call__(self, code: str, message: str, pointer: str, hint: str | None = None) -> None:
        self.count += 1
        at_key = code == "E201"
        self.problems.append(self.doc.problem(code, message, self.base + pointer, hint, at_key=at_key))


class _SubstitutedPolicy:
    """A policy document seen through its parameter substitutions, for reporting problems.

    A problem at or inside a value that a policy set supplied (``uses`` maps the pointer where
    ``{param: NAME}`` was replaced to NAME) is reported at that value in the policy set's file,
    naming the policy, the parameter, the set and the place of the use in the policy. Every
    other problem, including one in a parameter's default, is reported in the policy's file.
    Used in place of the :class:`YamlDocument` by the reporters of :func:`build_policy`.
    """

    def __init__(self, doc: YamlDocument, uses: dict[str, str], sources: dict):
        self.doc, self.uses, self.sources = doc, uses, sources  # sources: NAME -> (set doc, set id, pointer)

    def _use(self, pointer: str) -> str | None:
        """The pointer of the substituted set value that holds ``pointer``, if any."""
        while True:
            name = self.uses.get(pointer)
            if name is not None and name in self.sources:
                return pointer
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def problem(
        self, code: str, message: str, pointer: str, hint: str | None = None, at_key: bool = False
    ) -> Problem:
        use = self._use(pointer)
        if use is None or (at_key and pointer == use):  # a key of the policy itself
            return self.doc.problem(code, message, pointer, hint, at_key=at_key)
        name = self.uses[use]
        set_doc, set_id, value_pointer = self.sources[name]
        line, column = self.doc.position(use)
        used_at = ":".join(str(part) for part in (self.doc.file, line, column) if part is not None)
        message = (
            f"policy '{self.doc.data['id']}' (parameter '{name}' from policy set '{set_id}'): {message};"
            f" used at {used_at} as {use}"
        )
        return set_doc.problem(code, message, value_pointer + pointer[len(use):], hint, at_key=at_key)

    def source_of(self, pointer: str) -> tuple[str, int | None, int | None, str] | None:
        """Where the set value behind ``pointer`` was written, and a note saying so; None when the
        policy's own text is behind it (see :meth:`engine.policy.Policy.source_of`)."""
        use = self._use(pointer)
        if use is None:
            return None
        name = self.uses[use]
        set_doc, set_id, value_pointer = self.sources[name]
        line, column = set_doc.position(value_pointer + pointer[len(use):])
        used_line, used_column = self.doc.position(use)
        used_at = ":".join(str(part) for part in (self.doc.file, used_line, used_column) if part is not None)
        return set_doc.file, line, column, f"parameter '{name}' from policy set '{set_id}', used at {used_at} as {use}"

    def relocate(self, problem: Problem) -> Problem:
        """``problem`` (found in the substituted policy) moved to where its cause was written."""
        if self._use(problem.pointer or "") is None:
            return problem
        return self.problem(problem.code, problem.message, problem.pointer, problem.hint, at_key=problem.code == "E201")


def _substitute(node, params: dict, pointer: str, report: _Reporter, used: set, uses: dict | None = None):
    """``node`` with every ``{param: NAME}`` replaced; ``uses`` records pointer -> NAME of each."""
    if isinstance(node, dict):
        if len(node) == 1 and "param" in node:
            name = node["param"]
            if not isinstance(name, str) or name not in params:
                report("E305", f"unknown parameter {name!r}", f"{pointer}/param", did_you_mean(str(name), params))
                return node
            used.add(name)
            if uses is not None:
                uses[pointer] = name
            return copy.deepcopy(params[name])
        return {k: _substitute(v, params, f"{pointer}/{_escape(k)}", report, used, uses) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, params, f"{pointer}/{i}", report, used, uses) for i, v in enumerate(node)]
    return node


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def build_policy(doc: YamlDocument, overrides: dict | None, problems: list[Problem], *, check_only: bool = False) -> Policy | None:
    """Stages 4 and 5 for one policy document, with a policy set's overrides applied; ``check_only``:
    only the problems, for a document whose envelope failed stage 3 (no Policy is built)."""
    data = doc.data
    overrides = overrides or {}
    declared = data.get("parameters", {})
    params = {name: spec["default"] for name, spec in declared.items()}
    for name, value in overrides.get("parameters", {}).items():
        params[name] = value
    used: set = set()
    uses: dict[str, str] = {}
    # Problems in a value a policy set supplied are reported at the set (see _SubstitutedPolicy).
    placed = _SubstitutedPolicy(doc, uses, overrides.get("_sources", {}))
    report = _Reporter(placed, "", problems)
    spec = _substitute(data["spec"], params, "/spec", report, used, uses)
    resource = _substitute(data.get("resource", {}), params, "/resource", report, used, uses)
    for name in declared:
        if name not in used:
            report("E305", f"parameter '{name}' is declared but never used as {{param: {name}}}", f"/parameters/{name}", None)
    if report.count:
        return None
    policy_type = CHECKS[data["type"]]
    # Conditions report their own, more precise problems (operators, paths, values): schema
    # errors inside them are left to compile_condition, which runs even when the rest is invalid.
    conditions = [f"/spec/{name}" for name in policy_type.condition_fields]
    found = [
        placed.relocate(p) for p in schemas.validate(doc, spec, policy_type.schema, ["spec"])
        if not any(p.pointer == c or (p.pointer or "").startswith(c + "/") for c in conditions)
    ]
    if "types" in resource:  # the schema let {param: NAME} through: check the substituted names
        type_problems = schemas.validate(doc, resource["types"], TYPE_NAMES, ["resource", "types"])
        found += [placed.relocate(p) for p in type_problems] or _misspelt_types(resource["types"], placed)
    problems.extend(found)
    where = None
    if "where" in resource:
        where = compile_condition(resource["where"], "/resource/where", report)
    if found:
        for name in policy_type.condition_fields:
            if name in spec:
                compile_condition(spec[name], f"/spec/{name}", report)
        return None
    check = policy_type.module.compile_spec(spec, _Reporter(placed, "/spec", problems))
    if check is None or report.count or check_only:
        return None
    types = resource.get("types")
    line, _ = doc.position("")
    return Policy(
        id=data["id"],
        title=data["title"],
        type=data["type"],
        target=policy_type.target,
        prices=policy_type.prices,
        severity=overrides.get("severity", data["severity"]),
        enforcement=overrides.get("enforcement", data.get("enforcement", "enforce")),
        check=check,
        description=data.get("description", ""),
        labels=tuple(data.get("labels", ())),
        remediation=data.get("remediation", ""),
        types=frozenset().union(*map(spellings_of, types)) if types else None,
        where=where,
        spec=spec,
        parameters=params,
        file=doc.file,
        line=line,
        enabled=overrides.get("enabled", True),
        policy_set=overrides.get("_set"),
        document=doc,
        origin=placed if placed.sources else None,
    )


def _misspelt_types(types: list[str], placed: _SubstitutedPolicy) -> list[Problem]:
    """E329 for each ``resource.types`` entry that would select nothing because it is misspelt.

    A lower-case dotted name has the shape of a class, which no provider's type name has: it must
    be a class. Any other name the vocabulary does not know is allowed (it cannot list every
    provider type) unless it is a likely misspelling of one it knows
    (:func:`engine.inventory.types.close_names`).
    """
    problems = []
    for index, name in enumerate(types):
        if is_known_name(name):
            continue
        close = close_names(name)
        if looks_like_class(name):
            message = f"unknown resource class '{name}': it would select nothing"
            hint = (f"did you mean '{close[0]}'?" if close else did_you_mean(name, CLASSES)) or (
                "the classes are " + ", ".join(CLASSES))
        elif close:
            message = (f"unknown resource type '{name}': it is not in the type vocabulary but close to a name that is,"
                       " and would select nothing")
            hint = f"did you mean '{close[0]}'?"
        else:
            continue
        problems.append(placed.problem("E329", message, f"/resource/types/{index}", hint))
    return problems


class LibraryError(InputError):
    """:func:`load_library`'s problems, with what a later stage may still check in the documents:
    ``tests``, every PolicyTest document that is a mapping (its schema failed or not), and
    ``declared``, the ``(folder, id)`` of every Policy document that has an id (compiled or not)."""

    def __init__(self, problems, tests: list[YamlDocument], declared: set[tuple[str, str]]):
        super().__init__(problems)
        self.tests, self.declared = tests, declared


def load_library(paths, *, require_policies: bool = False, compilers=None) -> PolicyLibrary:
    """Load, validate and compile every document under ``paths``. Raises :class:`LibraryError`.

    ``compilers``: kind -> ``compile(document, problems)``, for kinds whose modules sit above this one
    (the report's Allocation and Scorecard documents, :data:`engine.showback.documents.COMPILERS`): run
    on every document of the kind, its schema valid or not, for the problems it adds."""
    problems: list[Problem] = []
    files = find_yaml_files(paths, problems)
    by_kind: dict[str, list[YamlDocument]] = {kind: [] for kind in schemas.KIND_SCHEMAS}  # their schema is valid
    every: dict[str, list[YamlDocument]] = {kind: [] for kind in schemas.KIND_SCHEMAS}  # schema valid or not, in order
    declared: set[tuple[str, str]] = set()
    for file in files:
        for doc in read_documents(file, problems):
            kind = check_envelope(doc, problems)
            if kind is None:
                continue
            if kind == "Policy" and isinstance(doc.data.get("id"), str):
                declared.add((os.path.dirname(doc.file), doc.data["id"]))
            if kind == "Policy":  # the spec is checked on its own (stage 4), resource.where by compile_condition (stage 5)
                found = schemas.validate_document(doc, kind, left_to_semantics=("/resource/where",), without_type_specs=True)
                if found:  # list the spec's problems too, not only the envelope's
                    found += _spec_problems(doc)
            else:
                found = schemas.validate_document(doc, kind)
            problems.extend(found)
            every[kind].append(doc)
            if not found:
                by_kind[kind].append(doc)
            if compilers and kind in compilers:
                compilers[kind](doc, problems)

    policy_docs = _unique_ids(by_kind["Policy"], "policy", problems)
    _unique_ids(by_kind["PolicySet"], "policy set", problems)
    overrides = _collect_overrides(by_kind["PolicySet"], policy_docs, problems)
    refused_sets = [doc for doc in every["PolicySet"] if not any(doc is valid for valid in by_kind["PolicySet"])]
    _collect_overrides(refused_sets, policy_docs, problems, check_only=True)
    policies = []
    for policy_id in sorted(policy_docs):
        policy = build_policy(policy_docs[policy_id], overrides.get(policy_id), problems)
        if policy is not None:
            policies.append(policy)

    # Stage 5 also runs on the Ownership, Budgets and size catalog documents whose schema failed (on their
    # parts of the right shape; a schema problem means no library is returned, whatever they compile to).
    ownerships = []
    for doc in every["Ownership"]:
        ownership = compile_ownership(doc.data, _Reporter(doc, "", problems))
        if ownership is not None:
            ownerships.append((doc.file, ownership))

    budgets = _compile_budgets(every["Budgets"], problems)
    catalog = compile_catalog(every["SizeLadders"] + every["GenerationMap"], problems, read_valid_documents)

    if require_policies and not policy_docs and not problems:
        problems.append(Problem("E320", "no policies found", ", ".join(str(p) for p in paths)))
    if problems:  # (a problem two stages found is listed once; a schema problem a semantic one supersedes is left out)
        raise LibraryError(without_superseded(problems), every["PolicyTest"], declared)
    return PolicyLibrary(policies, ownerships, by_kind["PolicyTest"], files, budgets=budgets, catalog=catalog,
                         exemption_documents=by_kind.get("Exemption", []))


def _compile_budgets(docs: list[YamlDocument], problems: list[Problem]) -> dict:
    budgets = {}
    for doc_id, doc in _unique_ids(docs, "budgets", problems).items():
        compiled = compile_budgets(doc.data, _Reporter(doc, "", problems), doc.file, doc.position)
        if compiled is not None:
            budgets[doc_id] = compiled
    return budgets


def _spec_problems(doc: YamlDocument) -> list[Problem]:
    """Stages 4 and 5 for a policy whose other fields failed stage 3, so that a misspelt key does not
    hide a bad regex: the parts that are well-formed (a known type, a spec object, parameters with
    defaults) are checked as :func:`build_policy` checks them, and its problems are returned."""
    data = doc.data
    if data.get("type") not in CHECKS or not isinstance(data.get("spec"), dict):
        return []
    declared = data.get("parameters", {})
    if not isinstance(declared, dict) or not all(isinstance(v, dict) and "default" in v for v in declared.values()):
        return []  # the values the spec uses are not known: its problems would be guesses
    resource = data.get("resource", {})
    well_formed = dict(data, resource=resource if isinstance(resource, dict) else {})
    found: list[Problem] = []
    build_policy(YamlDocument(well_formed, doc.file, doc.index, doc.positions, doc.key_positions), None, found,
                 check_only=True)
    return found


def load_ownership(path: str) -> object:
    """An Ownership document on its own (``--ownership``). Raises InputError."""
    problems: list[Problem] = []
    docs = [d for d in read_documents(path, problems) if d.data is not None]
    if problems:
        raise InputError(problems)
    if len(docs) != 1:
        raise InputError([Problem("E319", f"expected one Ownership document, found {_kinds_found(docs)}", path)])
    doc = docs[0]
    kind = check_envelope(doc, problems)
    if kind is not None and kind != "Ownership":
        problems.append(doc.problem("E204", f"expected kind Ownership, found {kind}", "/kind"))
    if problems:
        raise InputError(problems)
    problems.extend(schemas.validate_document(doc, "Ownership"))
    ownership = compile_ownership(doc.data, _Reporter(doc, "", problems))  # on a document the schema refused too
    if problems:
        raise InputError(without_superseded(problems))
    return ownership


def _kinds_found(docs: list[YamlDocument], wanted: str = "Ownership") -> str:
    """What a file holds instead of one ``wanted`` document: '2 Policy documents and no Ownership document'."""
    if not docs:
        return "no document"
    counts: dict[str | None, int] = {}
    for doc in docs:
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        kind = kind if isinstance(kind, str) and kind else None
        counts[kind] = counts.get(kind, 0) + 1
    parts = [
        f"{count} {f'{kind} ' if kind else ''}document{'s' if count != 1 else ''}{'' if kind else ' without a kind'}"
        for kind, count in counts.items()
    ]
    if wanted not in counts:
        parts.append(f"no {wanted} document")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def load_budgets(paths) -> dict:
    """The Budgets documents under ``paths`` (``--budgets``): id -> Budgets. Raises InputError."""
    library = load_library(list(paths))
    if not library.budgets:
        raise InputError([Problem("E319", "no Budgets document found", ", ".join(str(p) for p in paths))])
    return library.budgets


def _unique_ids(docs: list[YamlDocument], what: str, problems: list[Problem]) -> dict[str, YamlDocument]:
    seen: dict[str, YamlDocument] = {}
    for doc in docs:
        doc_id = doc.data.get("id")
        if not isinstance(doc_id, str):  # a document the schema refused
            continue
        if doc_id in seen:
            first = seen[doc_id]
            line = first.position("/id")[0]
            problems.append(doc.problem("E304", f"duplicate {what} id '{doc_id}' (also in {first.file}:{line})", "/id"))
            continue
        seen[doc_id] = doc
    return seen


def _collect_overrides(sets: list[YamlDocument], policies: dict, problems: list[Problem], *,
                       check_only: bool = False) -> dict[str, dict]:
    """The overrides the policy sets give each policy, with the problems of their references (unknown
    policies and parameters) and of two sets overriding one thing. ``check_only``: only the references,
    of sets whose schema failed (on their parts of the right shape; nothing is collected)."""
    overrides: dict[str, dict] = {}
    origin: dict[tuple[str, str], str] = {}
    for doc in sets:
        set_id = doc.data.get("id")
        entries = doc.data.get("policies")
        for policy_id, override in entries.items() if isinstance(entries, dict) else ():
            pointer = json_pointer(["policies", policy_id])
            target = policies.get(policy_id)
            if target is None:
                hint = _builtin_hint(policy_id) or did_you_mean(policy_id, policies)
                problems.append(doc.problem("E306", f"unknown policy '{policy_id}'", pointer, hint, at_key=True))
                continue
            declared = target.data.get("parameters", {})
            given = override.get("parameters", {}) if isinstance(override, dict) else {}
            for name in given if isinstance(given, dict) else ():
                if name not in declared:
                    hint = did_you_mean(name, declared) or (
                        f"policy '{policy_id}' declares " + (", ".join(declared) if declared else "no parameters")
                    )
                    problems.append(
                        doc.problem("E305", f"policy '{policy_id}' has no parameter '{name}'", f"{pointer}/parameters/{name}", hint, at_key=True)
                    )
            if check_only:
                continue
            merged = overrides.setdefault(policy_id, {"_set": set_id})
            for field, value in override.items():
                values = value.items() if field == "parameters" else [(None, value)]
                for name, item in values:
                    slot = (policy_id, f"{field}.{name}" if name else field)
                    if slot in origin and origin[slot] != set_id:
                        problems.append(
                            doc.problem("E318", f"policy sets '{origin[slot]}' and '{set_id}' both override {slot[1]} of '{policy_id}'", pointer)
                        )
                        continue
                    origin[slot] = set_id
                    if name:
                        merged.setdefault("parameters", {})[name] = item
                        where = json_pointer(["policies", policy_id, "parameters", name])
                        merged.setdefault("_sources", {})[name] = (doc, set_id, where)
                    else:
                        merged[field] = item
    return overrides


def _builtin_hint(policy_id: str) -> str | None:
    """The hint for a policy set naming a built-in policy while the built-in library is not loaded."""
    if policy_id not in _builtin_policy_ids():
        return None
    return ("it is a built-in policy, and the built-in library is not loaded: add the path 'builtin'"
            " (check --policies builtin --policies SET; validate builtin SET)")


@functools.lru_cache(maxsize=1)
def _builtin_policy_ids() -> frozenset[str]:
    """The ids of the built-in library's policies (read only when a policy set names an unknown policy, once)."""
    ignored: list[Problem] = []
    ids = set()
    for file in find_yaml_files([policies_dir()], ignored):
        for doc in read_documents(file, ignored):
            if isinstance(doc.data, dict) and doc.data.get("kind") == "Policy" and isinstance(doc.data.get("id"), str):
                ids.add(doc.data["id"])
    return frozenset(ids)
