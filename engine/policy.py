"""A loaded, validated and compiled policy, and the library of everything that was loaded."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.conditions.compiler import Condition
from engine.costs.prices import COLUMNS as PRICE_COLUMNS
from engine.costs.resource_costs import COLUMNS as RESOURCE_COST_COLUMNS
from engine.documents.loader import read_valid_documents
from engine.selection import selects_pair
from engine.sizing.catalog import Catalog


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    type: str
    severity: str
    enforcement: str
    check: object  # the type's compiled check (see engine.checks)
    # from the policy type (engine.checks.PolicyType): what the policy evaluates, ``inventory``
    # resources or ``costs``, and whether it prices savings (then --costs loads the FOCUS price sources)
    target: str = "inventory"
    prices: bool = False
    description: str = ""
    labels: tuple[str, ...] = ()
    remediation: str = ""
    types: frozenset | None = None  # lower-cased type names and classes; None = every resource
    where: Condition | None = None
    spec: dict = field(default_factory=dict, repr=False)  # after parameter substitution
    parameters: dict = field(default_factory=dict)  # effective parameter values
    file: str | None = None
    line: int | None = None
    enabled: bool = True
    policy_set: str | None = None  # the policy set that overrode it, if any
    document: object = field(default=None, repr=False, compare=False)  # its YamlDocument
    # where the values that policy sets supplied were written (engine.library._SubstitutedPolicy)
    origin: object = field(default=None, repr=False, compare=False)

    def position(self, pointer: str) -> tuple[int | None, int | None]:
        """Line and column of a node of the policy's document (for error messages)."""
        if self.document is None:
            return (self.line, None)
        return self.document.position(pointer)

    def source_of(self, pointer: str) -> tuple[str | None, int | None, int | None, str | None]:
        """``(file, line, column, note)`` of the text behind a node of the (substituted) policy: the
        policy's own file, or, for a value a policy set supplied through a parameter, that value in
        the set's file, with a note naming the parameter, the set and where the policy uses it."""
        found = self.origin.source_of(pointer) if self.origin is not None else None
        if found is not None:
            return found
        line, column = self.position(pointer)
        return self.file, line, column, None

    @property
    def enforced(self) -> bool:
        return self.enforcement == "enforce"

    def selector(self):
        """A fast ``resource -> bool`` for the resource selection (types, memoised per type)."""
        types = self.types
        if types is None:
            return None
        memo: dict = {}

        def selects(resource):
            key = (resource.get("type"), resource.get("class"))
            try:
                hit = memo.get(key)
            except TypeError:  # a type or class that is not hashable (not from load_inventory)
                return selects_pair(types, key)
            if hit is None:
                hit = memo[key] = selects_pair(types, key)
            return hit

        return selects

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "labels": list(self.labels),
        }


@dataclass
class PolicyLibrary:
    """Everything loaded from policy paths: policies (sorted by id), ownership, policy tests, size catalog."""

    policies: list[Policy]
    ownerships: list = field(default_factory=list)  # [(file, Ownership)]: used by policy tests only
    tests: list = field(default_factory=list)  # engine.documents.yaml_loader.YamlDocument
    files: list[str] = field(default_factory=list)
    budgets: dict = field(default_factory=dict)  # Budgets document id -> engine.budgets.Budgets
    catalog: object = None  # engine.sizing.Catalog: size ladders and generations (built-in + loaded documents)
    # the Exemption documents found among the files (engine.exemptions reads them from here: a file is read
    # once, which is all a named pipe allows)
    exemption_documents: list = field(default_factory=list)

    def __post_init__(self):
        if self.catalog is None:
            self.catalog = Catalog(reader=read_valid_documents)

    def get(self, policy_id: str) -> Policy | None:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        return None

    def cost_columns(self, *, with_inventory: bool = False) -> set[str]:
        """The FOCUS columns the enabled cost policies read; with an inventory, also those of inventory
        findings' monthly costs and, when a policy prices savings, of the FOCUS price sources."""
        needed: set[str] = set(RESOURCE_COST_COLUMNS) if with_inventory else set()
        for policy in self.policies:
            if not policy.enabled:
                continue
            if policy.target in ("costs", "change"):
                needed |= policy.check.columns()
            elif with_inventory and policy.prices:
                needed |= PRICE_COLUMNS
        return needed

    def select(self, ids: tuple[str, ...] = (), labels: tuple[str, ...] = ()) -> "PolicyLibrary":
        """Only the enabled policies with one of ``ids`` or one of ``labels`` (all when both empty)."""
        chosen = []
        for policy in self.policies:
            if not policy.enabled:
                continue
            if (ids or labels) and policy.id not in ids and not set(labels) & set(policy.labels):
                continue
            chosen.append(policy)
        return PolicyLibrary(chosen, self.ownerships, self.tests, self.files, budgets=self.budgets, catalog=self.catalog,
                             exemption_documents=self.exemption_documents)
