"""Policy tests: ``PolicyTest`` documents next to the policies they test.

A test document names fixtures (inline resources and/or inventory files, FOCUS cost files,
relative to the test file), an as-of date, an ownership document, and the expected result per
(policy, resource) — or, for cost policies, per (policy, scope value):

* ``fail`` — the policy reports a finding for the resource (or scope value);
* ``pass`` — the policy selects the resource (or evaluates the scope) and reports nothing;
* ``skip`` — the policy does not select the resource (type or ``where`` condition), or a cost
  policy was skipped (e.g. its Budgets document is missing);
* ``error`` — the policy cannot be evaluated on the resource;
* ``exempted`` — the policy reports a finding and one of the test's exemptions applies to it
  (``exemption: ID`` names the one that must).

A test's ``exemptions`` — Exemption documents in ``files`` relative to the test file and/or written
in ``documents`` (``apiVersion`` and ``kind`` may be left out) — apply to its findings as
``check --exemptions`` applies them, as of the test's as-of date (:mod:`engine.exemptions.apply`):
an expired one no longer applies, so a case can show that the finding fails again. Exemption
documents in the test's folder are not used by its tests.

A cost case names ``scope``: the scope value (a team, an account, a tag value), or ``all`` for a
policy without a scope; ``currency`` narrows it when several currencies are billed.

Optionally a case also pins the finding's ``owner``, ``owner_source``, ``severity``, a piece of its
``message``, a subset of its ``evidence`` (objects match when they contain the expected keys with
matching values, at any depth) and its ``money`` (per money field: ``{amount, currency}`` or null).
Fixtures may add ``plans`` (Terraform plan JSON files: their planned resources join the inventory,
and change policies price the change), ``metrics`` files (statistics over the lookback window before the as-of date,
joined to the resources) and ``prices`` (price table files); with ``costs`` files, savings are
priced from the FOCUS data first. The policies under test are those in the test file's folder, with
the Ownership and Budgets documents of that folder and the size catalog (built-in ladders and
generation map, extended by the SizeLadders / GenerationMap documents among the tested paths).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path

from engine.bundled import policy_paths
from engine.errors import InputError, Problem, did_you_mean, json_pointer
from engine.files import NO_SUCH_FILE, not_a_file
from engine.evaluator import as_of_datetime, evaluate
from engine.exemptions.apply import apply_exemptions
from engine.exemptions.documents import check_references, inline_exemptions, read_exemptions
from engine.library import LibraryError, load_library, load_ownership
from engine.policy import PolicyLibrary

DEFAULT_AS_OF = "2026-01-01"


@dataclass
class CaseOutcome:
    file: str
    line: int | None
    test: str
    policy: str
    resource: str
    expected: str
    actual: str
    mismatches: list[str] = field(default_factory=list)
    description: str = ""

    @property
    def passed(self) -> bool:
        return not self.mismatches

    @property
    def name(self) -> str:
        return f"{self.test}: {self.policy} × {self.resource}"

    def report(self) -> str:
        head = f"{'PASS' if self.passed else 'FAIL'} {self.file}:{self.line} {self.name}"
        if self.passed:
            return head
        return "\n".join([head, *("    " + line for line in self.mismatches)])


@dataclass
class PreparedTest:
    """One test document with everything loaded, ready to run."""

    doc: object  # YamlDocument
    library: PolicyLibrary
    resources: list[dict]
    ownership: object | None
    as_of: str
    prices: object | None = None  # engine.pricing.PriceSources
    cost_files: list[str] = field(default_factory=list)
    plans: object | None = None  # engine.plans.PlanSnapshot (both sides of each entry), for change policies

    def run(self) -> list[CaseOutcome]:
        exemptions = self._exemptions()  # read first: a broken one costs no evaluation
        costs = None
        if self.cost_files:
            from engine.costs.reader import load_costs

            costs = load_costs(self.cost_files)
        try:
            resources = self.resources if self.resources or not costs else None
            result = evaluate(
                self.library, resources, ownership=self.ownership, as_of=self.as_of, costs=costs, budgets=self.library.budgets,
                prices=self.prices, plans=self.plans,
            )
        finally:
            if costs is not None:
                costs.close()
        if exemptions:
            result = apply_exemptions(result, exemptions, resources=self.resources)
        return [self._outcome(index, case, result) for index, case in enumerate(self.doc.data["cases"])]

    def _exemptions(self) -> list:
        """The test's exemptions (``exemptions.files`` and ``exemptions.documents``), checked against its
        policies. Raises InputError."""
        spec = self.doc.data.get("exemptions") or {}
        if not spec:
            return []
        problems: list[Problem] = []
        folder = Path(self.doc.file).parent
        found = []
        for index, name in enumerate(spec.get("files", ())):
            if not (folder / name).is_file():
                problems.append(self.doc.problem("E401", f"exemption file '{name}' not found ({folder / name})",
                                                 f"/exemptions/files/{index}"))
                continue
            found += read_exemptions([str(folder / name)], problems)
        found += inline_exemptions(self.doc, "/exemptions/documents", problems)
        check_references(found, self.library.policies, problems)
        if problems:
            raise InputError(problems)
        return found

    def _outcome(self, index: int, case: dict, result) -> CaseOutcome:
        if "scope" in case:
            return self._scope_outcome(index, case, result)
        policy_id, resource_id, expected = case["policy"], case["resource"], case["expect"]
        line = self.doc.position(f"/cases/{index}")[0]
        finding = next(
            (f for f in result.findings if f.policy == policy_id and f.resource and f.resource.get("id") == resource_id),
            None,
        )
        error = next((e for e in result.errors if e.policy == policy_id and e.resource == resource_id), None)
        if error is not None:
            actual = "error"
        elif finding is not None:
            actual = "exempted" if finding.status == "exempted" else "fail"
        else:
            actual = "pass" if self._selects(policy_id, resource_id, result) else "skip"
        outcome = CaseOutcome(self.doc.file, line, self.doc.data["name"], policy_id, resource_id, expected, actual, description=case.get("description", ""))
        return self._compare(outcome, case, finding, error)

    def _scope_outcome(self, index: int, case: dict, result) -> CaseOutcome:
        policy_id, wanted, expected = case["policy"], case["scope"], case["expect"]
        line = self.doc.position(f"/cases/{index}")[0]

        def matches(finding) -> bool:
            scope = finding.scope or {}
            if finding.policy != policy_id or finding.resource is not None:
                return False
            if "currency" in case and scope.get("currency") != case["currency"]:
                return False
            return scope.get("value") == wanted or (wanted == "all" and scope.get("dimension") == "all")

        finding = next((f for f in result.findings if matches(f)), None)
        error = next((e for e in result.errors if e.policy == policy_id), None)
        if error is not None:
            actual = "error"
        elif finding is not None:
            actual = "exempted" if finding.status == "exempted" else "fail"
        elif any(policy == policy_id for policy, _ in result.skipped):
            actual = "skip"
        else:
            actual = "pass"
        label = f"scope {wanted}" + (f" {case['currency']}" if "currency" in case else "")
        outcome = CaseOutcome(self.doc.file, line, self.doc.data["name"], policy_id, label, expected, actual, description=case.get("description", ""))
        return self._compare(outcome, case, finding, error)

    @staticmethod
    def _compare(outcome: CaseOutcome, case: dict, finding, error) -> CaseOutcome:
        expected, actual = outcome.expected, outcome.actual
        if actual != expected:
            outcome.mismatches.append(f"expected: {expected}")
            outcome.mismatches.append(f"actual:   {actual}" + (f" ({finding.message})" if finding else ""))
            if error is not None:
                outcome.mismatches.append(f"error:    {error.message}")
            return outcome
        if finding is None:
            return outcome
        applied = (finding.exemption or {}).get("id")
        if "exemption" in case and applied != case["exemption"]:
            outcome.mismatches.append(f"exemption: expected {case['exemption']!r}, got {applied!r}")
        for name in ("owner", "owner_source", "severity"):
            if name in case and getattr(finding, name) != case[name]:
                outcome.mismatches.append(f"{name}: expected {case[name]!r}, got {getattr(finding, name)!r}")
        if "message" in case and case["message"] not in finding.message:
            outcome.mismatches.append(f"message: expected to contain {case['message']!r}, got {finding.message!r}")
        for key, want in (case.get("evidence") or {}).items():
            got = finding.evidence.get(key, "<absent>")
            if not _contains(got, want):
                outcome.mismatches.append(f"evidence.{key}: expected {want!r}, got {got!r}")
        money = finding.to_dict()["money"]
        for key, want in (case.get("money") or {}).items():
            got = money.get(key, "<absent>")
            if not _contains(got, want):
                outcome.mismatches.append(f"money.{key}: expected {want!r}, got {got!r}")
        return outcome

    def _selects(self, policy_id: str, resource_id: str, result) -> bool:
        policy = self.library.get(policy_id)
        resource = next(r for r in self.resources if r.get("id") == resource_id)
        selects = policy.selector()
        if selects is not None and not selects(resource):
            return False
        if policy.where is not None:
            return policy.where.bind(as_of_datetime(result.as_of))(resource)
        return True


def _contains(got: object, want: object) -> bool:
    """``want`` matches ``got``: equal, or for objects, every expected key present with a matching value."""
    if isinstance(want, dict) and isinstance(got, dict):
        return all(key in got and _contains(got[key], value) for key, value in want.items())
    if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(want, bool) and not isinstance(got, bool):
        return want == got
    return type(want) is type(got) and want == got


def load_test_library(paths, *, compilers=None) -> tuple[PolicyLibrary, list]:
    """The library the PolicyTests under ``paths`` run against, and those tests. Raises InputError.

    A test runs against the policies of its own folder, so a test *file* given on its own brings
    its folder along: the folder's documents are loaded (and validated) too, but only the tests
    named or found under ``paths`` are returned. Other files given on their own are loaded alone.
    ``compilers``: as for :func:`~engine.library.load_library`.
    """
    paths = policy_paths(paths)  # "builtin", or no path: the built-in library
    try:
        library = load_library(paths, compilers=compilers)
    except LibraryError as error:  # the tests' cases are checked too, valid tests or not: every problem at once
        found = [problem for doc in error.tests for problem in _unknown_policies(
            doc, {policy_id for folder, policy_id in error.declared if folder == os.path.dirname(doc.file)})]
        raise InputError([*error.problems, *found]) from None
    given = {Path(raw).resolve(): raw for raw in paths if Path(raw).is_file()}
    test_files = {Path(doc.file).resolve() for doc in library.tests} & set(given)
    if test_files:
        library = load_library(_with_folders(paths, test_files), compilers=compilers)
    wanted = [Path(raw).resolve() for raw in paths]

    def selected(file: str) -> bool:
        resolved = Path(file).resolve()
        return any(resolved == path or (path.is_dir() and path in resolved.parents) for path in wanted)

    return library, [doc for doc in library.tests if selected(doc.file)]


def _with_folders(paths: list[str], test_files: set[Path]) -> list[str]:
    """``paths`` with each of ``test_files`` replaced by its folder; nothing loaded twice."""
    entries = []  # (resolved, as given)
    for raw in paths:
        resolved = Path(raw).resolve()
        if resolved in test_files:
            entries.append((resolved.parent, str(Path(raw).parent)))
        else:
            entries.append((resolved, raw))
    folders = [resolved for resolved, _ in entries if resolved.is_dir()]
    out, seen = [], set()
    for resolved, raw in entries:
        inside = any(folder in resolved.parents for folder in folders)
        if resolved in seen or inside:
            continue
        seen.add(resolved)
        out.append(raw)
    return out


def collect_tests(paths) -> list[PreparedTest]:
    """Find and prepare every PolicyTest under ``paths``. Raises InputError (exit 2)."""
    library, tests = load_test_library(paths)
    return prepare_tests(library, tests)


def prepare_tests(library: PolicyLibrary, tests: list) -> list[PreparedTest]:
    """Load the fixtures of each test and check its cases name known policies and resources.

    Every problem of every test is collected (``costwarden validate`` reports them too); raises
    InputError when there is any.
    """
    prepared: list[PreparedTest] = []
    problems: list[Problem] = []
    for doc in tests:
        test = _prepare(doc, library, problems)
        if test is not None:
            prepared.append(test)
    if problems:
        raise InputError(problems)
    return prepared


# The fixture files a test names, relative to the test file: (pointer of the list or value, label).
FIXTURE_FILES = (("/ownership", "ownership"), ("/inventory/files", "inventory"), ("/costs/files", "costs"),
                 ("/metrics/files", "metrics"), ("/prices", "prices"), ("/plans/files", "plans"))


def _missing_fixtures(doc, folder: Path, problems: list[Problem]) -> set[str]:
    """Report each fixture file that is not there, at its place in the test file; the kinds missing."""
    missing = set()
    for pointer, kind in FIXTURE_FILES:
        node = doc.data
        for part in pointer.strip("/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        names = [(pointer, node)] if isinstance(node, str) else [(f"{pointer}/{i}", n) for i, n in enumerate(node or [])]
        for where, name in names:
            reason = not_a_file(str(folder / name))  # a pipe is read; a folder or a device is not a fixture
            if reason is not None:
                said = " not found" if reason == NO_SUCH_FILE else f": {reason}"
                problems.append(doc.problem("E401", f"fixture file '{name}'{said} ({folder / name})", where))
                missing.add(kind)
    return missing


def _loaded(problems: list[Problem], load, *args, **options):
    """``load(*args, **options)``, or None with its problems added."""
    try:
        return load(*args, **options)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _prepare(doc, library: PolicyLibrary, problems: list[Problem]) -> PreparedTest | None:
    from engine.inventory.snapshot import load_inventory

    found: list[Problem] = []
    folder = Path(doc.file).parent
    data = doc.data
    policies = [p for p in library.policies if p.file and Path(p.file).parent == folder]
    local = PolicyLibrary(
        policies,
        [o for o in library.ownerships if Path(o[0]).parent == folder],
        budgets={k: b for k, b in library.budgets.items() if b.file and Path(b.file).parent == folder},
        catalog=library.catalog,
    )
    known = {p.id for p in policies}
    found += _unknown_policies(doc, known)
    missing = _missing_fixtures(doc, folder, found)
    spec = data.get("inventory", {})
    resources: list[dict] = []
    resources_known = True
    if spec.get("files"):
        inventory = None
        if "inventory" not in missing:
            files = [str(folder / name) for name in spec["files"]]
            inventory = _loaded(found, load_inventory, files, format=spec.get("format"))
        if inventory is None:
            resources_known = False  # no guesses about the ids of a file that could not be read
        else:
            resources.extend(inventory.resources)
    if spec.get("resources"):
        resources.extend(_inline_resources(doc, spec["resources"], found))
    plans = None
    if data.get("plans") and "plans" not in missing:
        from engine.plans import load_plans

        plans = _loaded(found, load_plans, [str(folder / name) for name in data["plans"]["files"]], sides=True)
        if plans is not None:
            resources.extend(plans.resources)
    ids = {r.get("id") for r in resources}
    for index, case in enumerate(data["cases"]):
        if "resource" in case and resources_known and case["resource"] not in ids:
            found.append(
                doc.problem("E321", f"no resource '{case['resource']}' in the fixtures", f"/cases/{index}/resource", did_you_mean(case["resource"], ids))
            )
    ownership = None
    if "ownership" in data:
        if "ownership" not in missing:
            ownership = _loaded(found, load_ownership, str(folder / data["ownership"]))
    elif len(local.ownerships) == 1:
        ownership = local.ownerships[0][1]
    as_of = data.get("as_of", DEFAULT_AS_OF)
    if "metrics" in data and "metrics" not in missing:
        from engine.metrics import load_metrics
        from engine.metrics.window import lookback_window, parse_lookback

        spec = data["metrics"]
        try:
            lookback = parse_lookback(spec.get("lookback", "30d"))
            lookback_window(as_of_datetime(as_of), lookback)
        except ValueError as error:
            found.append(doc.problem("E303", str(error), "/metrics/lookback"))
        else:
            metrics = _loaded(found, load_metrics, [str(folder / name) for name in spec["files"]], as_of=as_of_datetime(as_of),
                              lookback=lookback, format=spec.get("format"))
            if metrics is not None:
                metrics.attach(resources)
    prices = None
    if data.get("prices") and "prices" not in missing:
        from engine.pricing import load_price_table, price_sources

        table = _loaded(found, load_price_table, [str(folder / name) for name in data["prices"]])
        prices = price_sources(table) if table is not None else None
    cost_files = [str(folder / name) for name in (data.get("costs") or {}).get("files", [])]
    problems.extend(found)
    if found:
        return None
    return PreparedTest(doc, local, resources, ownership, as_of, prices, cost_files, plans)


def _unknown_policies(doc, known: set[str]) -> list[Problem]:
    """E306 for each case naming a policy that is not in the test's folder (``known``: their ids); a
    case that is not well-formed is left to the schema's problems."""
    cases = doc.data.get("cases") if isinstance(doc.data, dict) else None
    found = []
    for index, case in enumerate(cases if isinstance(cases, list) else []):
        policy_id = case.get("policy") if isinstance(case, dict) else None
        if isinstance(policy_id, str) and policy_id not in known:
            hint = did_you_mean(policy_id, known) or f"policies in {Path(doc.file).parent}: {', '.join(sorted(known)) or 'none'}"
            found.append(doc.problem("E306", f"unknown policy '{policy_id}'", f"/cases/{index}/policy", hint))
    return found


def _inline_resources(doc, items: list, problems: list[Problem]) -> list[dict]:
    """Inline fixtures in the costwarden inventory format, checked like an inventory file."""
    from engine.inventory.adapters import ADAPTERS
    from engine.inventory.problems import StructureProblems

    found = StructureProblems()
    resources = ADAPTERS["costwarden"][1](copy.deepcopy(items), found)
    for where, message, hint in found.items:
        problems.append(doc.problem("E405", message, json_pointer(["inventory", "resources", *where]), hint))
    return resources


def run_policy_tests(paths=None) -> list[CaseOutcome]:
    """Run every policy test under ``paths`` (``"builtin"``, or none: the built-in library); one outcome per case."""
    outcomes: list[CaseOutcome] = []
    for test in collect_tests(paths):
        outcomes.extend(test.run())
    return outcomes
