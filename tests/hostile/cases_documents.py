"""YAML documents of every kind: Policy, PolicySet, Ownership, PolicyTest, Budgets, SizeLadders, GenerationMap.

Each kind gets the same standard variants (truncated, a list at the top, invalid UTF-8, a
duplicate key, a byte order mark, CRLF line ends), put where that kind is read (a policy folder,
``--ownership``, ``--budgets``, ``test``), and then the cases particular to it.
"""

from __future__ import annotations

from tests.hostile.harness import (
    ANY, COSTS, INV, OWNERSHIP, VALIDATE, Accepted, Case, Fifo, Folder, Generated, OneOf, Rejected, Same,
    Symlink, with_file,
)
from tests.hostile.sources import bom, column_of, cr_only, crlf, cut_after, kit, line_of, replace, utf16, write_bytes

AREA = "YAML/documents"
SCHEMA_OR_SEMANTICS = tuple(f"E20{n}" for n in range(1, 8)) + tuple(f"E3{n:02d}" for n in range(1, 30))
# a number that is not finite is refused by one rule for every document kind (E203 at the schema stage,
# engine.documents.schemas.validate_document); E323 is the Budgets document's own rule for amounts
NOT_FINITE_AMOUNT = ("E203", "E323")
TOP_LIST = b"- apiVersion: costwarden/v1\n- kind: Policy\n"

POLICY = kit("policies/tags.yaml")
RIGHTSIZE = kit("policies/rightsize.yaml")
OWNERSHIP_DOC = kit("ownership.yaml")
BUDGETS_DOC = kit("budgets.yaml")
POLICY_SET = kit("documents/policy-set.yaml")
POLICY_TEST = kit("documents/kit.test.yaml")
LADDERS = kit("documents/size-ladders.yaml")
GENERATIONS = kit("documents/generation-map.yaml")

TEST_ARGS = ("test", "policies")


def _insert_after_line(data: bytes, marker: str, text: str) -> bytes:
    """``text`` (a whole line) inserted after the line holding ``marker``."""
    start = data.index(marker.encode())
    end = data.index(b"\n", start) + 1
    return data[:end] + text.encode() + data[end:]


def standard(kind: str, path: str, canonical: bytes, *, bad_args: tuple, same_args: tuple, compare: str,
             base: dict, cut: str, dup_after: str, dup_line: str, utf8_in: str) -> list[Case]:
    """The standard variants of one document kind.

    ``base``: the files every variant needs besides the document (the canonical document is put at
    ``path`` for the reference run); ``cut``: where a copy interrupted mid-way ends (inside an
    open flow collection or quote, so that the YAML is incomplete); ``dup_after``/``dup_line``: a
    key repeated on the line after the one holding ``dup_after``; ``utf8_in``: text in which a
    byte 0xff replaces the character after its first one.
    """
    reference = {**base, path: canonical}
    bad_byte = replace(canonical, utf8_in, utf8_in[0].encode() + b"\xff" + utf8_in[2:].encode())
    duplicated = _insert_after_line(canonical, dup_after, dup_line)
    return [
        Case(f"{kind}-truncated", AREA, bad_args, Rejected("E101", path, (line_of(canonical, cut), line_of(canonical, cut) + 1)),
             {**base, path: cut_after(canonical, cut)},
             note="a copy interrupted mid-way: the YAML is incomplete (its last line, or the end of the file just after it)"),
        Case(f"{kind}-top-level-list", AREA, bad_args, Rejected("E203", path, 1), {**base, path: TOP_LIST},
             note="a list where a mapping document is expected"),
        Case(f"{kind}-top-level-scalar", AREA, bad_args, Rejected("E203", path, 1), {**base, path: b"just some text\n"},
             note="a plain string where a mapping document is expected"),
        Case(f"{kind}-invalid-utf8", AREA, bad_args,
             Rejected("E106", path, line_of(canonical, utf8_in), column_of(canonical, utf8_in) + 1),
             {**base, path: bad_byte}, note="byte 0xff inside a value"),
        Case(f"{kind}-utf16", AREA, bad_args, Rejected("E106", path, 1, 1), {**base, path: utf16(canonical)},
             note="the document saved as UTF-16 (with its BOM)"),
        Case(f"{kind}-duplicate-key", AREA, bad_args, Rejected("E102", path, line_of(canonical, dup_after) + 1),
             {**base, path: duplicated}, note=f"the key of {dup_line.strip()!r} given twice"),
        Case(f"{kind}-bom", AREA, same_args, Same(reference, compare=compare), {**base, path: bom(canonical)},
             note="a UTF-8 byte order mark: valid"),
        Case(f"{kind}-crlf", AREA, same_args, Same(reference, compare=compare), {**base, path: crlf(canonical)},
             note="Windows line ends: valid"),
    ]


def _alias_bomb(levels: int = 9, fan: int = 9) -> str:
    lines = ['  - &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"  - &a{level} [" + ", ".join([f"*a{level - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def _deep_block(depth: int) -> bytes:
    lines = [f"{'  ' * i}k{i}:" for i in range(depth)]
    return ("description:\n" + "\n".join("  " + line for line in lines) + " leaf\n").encode()


def _oversized_policy(path):
    with open(path, "wb") as out:
        out.write(POLICY)
        line = b"# " + b"x" * 1022 + b"\n"
        for _ in range(9 * 1024):  # 9 MiB of comments: over the 8 MiB limit
            out.write(line)


POLICY_CASES = standard(
    "policy", "policies/tags.yaml", POLICY, bad_args=VALIDATE, same_args=INV, compare="document", base={},
    cut="values: [prod", dup_after="severity: high", dup_line="severity: low\n", utf8_in="Instances and volumes",
) + [
    Case("policy-cr-only-line-ends", AREA, INV, Same(), {"policies/tags.yaml": cr_only(POLICY)},
         note="old Mac line ends (CR only) are YAML line breaks: valid"),
    Case("policy-6mb-line", AREA, INV, Same(), {"policies/tags.yaml": b"# " + b"x" * 6_000_000 + b"\n" + POLICY},
         note="one comment line of 6 MB, the file under the 8 MiB limit: valid"),
    Case("policy-over-8mib", AREA, VALIDATE, Rejected("E105", "policies/tags.yaml", None),
         {"policies/tags.yaml": Generated(_oversized_policy, "9 MiB policy file")}, note="over the loader's size limit"),
    Case("policy-empty-file", AREA, ("check", "-p", "p/empty.yaml", "-i", "inventory.json", "--as-of", "2026-06-20"),
         Rejected("E320", "p/empty.yaml", None), {"p/empty.yaml": b""}, note="the only policy file given is empty"),
    Case("policy-dev-zero", AREA, ("check", "-p", "/dev/zero", "-i", "inventory.json", "--as-of", "2026-06-20"),
         Rejected(("E401", "E105"), "/dev/zero", None, wrong="no such file"), note="--policies /dev/zero"),
    Case("policy-dev-zero-via-symlink", AREA, VALIDATE, Rejected(("E401", "E105"), "policies/zero.yaml", None),
         {"policies/zero.yaml": Symlink("/dev/zero")},
         note="a *.yaml in the policy folder that is a symlink to /dev/zero: refused, never skipped silently"),
    Case("policy-fifo", AREA, INV, OneOf((Same(), Rejected("E401", "policies/tags.yaml", None))), {"policies/tags.yaml": Fifo(POLICY)},
         note="a *.yaml in the policy folder that is a named pipe a writer fills: read it, or refuse it (never skip it silently)"),
    Case("policy-deep-flow-nesting", AREA, VALIDATE, Rejected("E104", "policies/tags.yaml", line_of(POLICY, "keys:")),
         {"policies/tags.yaml": replace(POLICY, "  keys:\n", "  keys: " + "[" * 1000 + "]" * 1000 + "\n")
          .replace(b"    - key: team\n    - key: environment\n      values: [prod, dev]\n", b"")},
         note="a flow sequence nested 1000 deep"),
    Case("policy-deep-block-nesting", AREA, VALIDATE, Rejected("E104", "policies/tags.yaml", ANY),
         {"policies/tags.yaml": POLICY + _deep_block(150)}, note="block mappings nested 150 deep"),
    Case("policy-alias-bomb", AREA, VALIDATE, Rejected("E103", "policies/tags.yaml", ANY),
         {"policies/tags.yaml": POLICY + b"labels:\n" + _alias_bomb().encode()}, note="billion laughs in labels (9^9 nodes)"),
    Case("policy-cyclic-alias", AREA, VALIDATE, Rejected("E107", "policies/tags.yaml", line_of(POLICY, "severity") + 1),
         {"policies/tags.yaml": _insert_after_line(POLICY, "severity: high", "labels: &loop [a, *loop]\n")},
         note="an alias to the sequence that contains it"),
    Case("policy-tab-indentation", AREA, VALIDATE, Rejected("E101", "policies/tags.yaml", line_of(POLICY, "match:")),
         {"policies/tags.yaml": replace(POLICY, "  match: normalized", "\tmatch: normalized")}, note="a tab used as indentation"),
    Case("policy-duplicate-id", AREA, VALIDATE, Rejected("E304", "policies/zz-copy.yaml", line_of(POLICY, "id:")),
         {"policies/zz-copy.yaml": POLICY}, note="two files define policy id team-tags"),
    Case("policy-same-file-named-twice", AREA, INV[:3] + ("-p", "./policies/../policies/tags.yaml") + INV[3:],
         Same(reference_args=INV), note="'policies' and './policies/../policies/tags.yaml' are one file: loaded once"),
    Case("policy-same-file-named-twice-validate", AREA, ("validate", "policies", "./policies/../policies/tags.yaml"),
         Same(reference_args=VALIDATE, compare="stdout"), note="validate of a folder and of one of its files, spelt another way"),
    Case("policy-nan-threshold", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, "policies/rightsize.yaml", line_of(RIGHTSIZE, "below")),
         {"policies/rightsize.yaml": replace(RIGHTSIZE, "below: 20", "below: .nan")},
         note="trigger below: .nan (NaN compares false with everything: the policy would never fire)"),
    Case("policy-infinite-threshold", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, "policies/rightsize.yaml", line_of(RIGHTSIZE, "below")),
         {"policies/rightsize.yaml": replace(RIGHTSIZE, "below: 20", "below: .inf")}, note="a percent of infinity (maximum 100)"),
    Case("policy-1e400-min-days", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, "policies/rightsize.yaml", line_of(RIGHTSIZE, "min_days")),
         {"policies/rightsize.yaml": replace(RIGHTSIZE, "min_days: 14", "min_days: 1e400")},
         note="1e400 reads as an infinite float: no amount of data is ever enough"),
    Case("policy-nan-min-days", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, "policies/rightsize.yaml", line_of(RIGHTSIZE, "min_days")),
         {"policies/rightsize.yaml": replace(RIGHTSIZE, "min_days: 14", "min_days: .nan")}, note="min_days: .nan"),
]

SET_BASE: dict = {}
SET_CASES = standard(
    "policyset", "policies/set.yaml", POLICY_SET, bad_args=VALIDATE, same_args=INV, compare="document", base=SET_BASE,
    cut='severity: "crit', dup_after='severity: "critical"', dup_line="    severity: low\n", utf8_in="stricter",
) + [
    Case("policyset-duplicate-id", AREA, VALIDATE, Rejected("E304", "policies/zz-set.yaml", line_of(POLICY_SET, "id:")),
         {"policies/set.yaml": POLICY_SET, "policies/zz-set.yaml": replace(POLICY_SET, 'severity: "critical"', "severity: low")},
         note="two policy sets with id 'stricter'"),
]

OWNERSHIP_CASES = standard(
    "ownership", "ownership.yaml", OWNERSHIP_DOC, bad_args=OWNERSHIP, same_args=OWNERSHIP, compare="document", base={},
    cut='{"1111', dup_after="- default: finops", dup_line="teams: []\n", utf8_in="payments",
) + [
    Case("ownership-empty", AREA, OWNERSHIP, Rejected("E319", "ownership.yaml", None), {"ownership.yaml": b""},
         note="an empty --ownership file"),
    Case("ownership-duplicate-team-id", AREA, OWNERSHIP,
         Rejected(SCHEMA_OR_SEMANTICS, "ownership.yaml", line_of(OWNERSHIP_DOC, "- id: finops")),
         {"ownership.yaml": replace(OWNERSHIP_DOC, "- id: finops", "- id: payments")}, note="team id payments defined twice"),
    Case("ownership-alias-bomb", AREA, OWNERSHIP, Rejected("E103", "ownership.yaml", ANY),
         {"ownership.yaml": OWNERSHIP_DOC + b"x-bomb:\n" + _alias_bomb().encode()}, note="billion laughs"),
    Case("ownership-6mb-line", AREA, OWNERSHIP, Same(), {"ownership.yaml": b"#" + b"y" * 6_000_000 + b"\n" + OWNERSHIP_DOC},
         note="a 6 MB comment line: valid"),
    Case("ownership-dev-zero", AREA, with_file(OWNERSHIP, "--ownership", "/dev/zero"),
         Rejected(("E401", "E105"), "/dev/zero", None), note="--ownership /dev/zero: endless bytes, not a file"),
    Case("ownership-dev-null", AREA, with_file(OWNERSHIP, "--ownership", "/dev/null"),
         Rejected(("E319", "E401"), "/dev/null", None), note="--ownership /dev/null: nothing in it"),
    Case("ownership-dev-zero-via-symlink", AREA, OWNERSHIP, Rejected(("E401", "E105"), "ownership.yaml", None),
         {"ownership.yaml": Symlink("/dev/zero")}, note="ownership.yaml is a symlink to /dev/zero"),
    Case("ownership-symlink-loop", AREA, OWNERSHIP, Rejected("E401", "ownership.yaml", None),
         {"ownership.yaml": Symlink("ownership.yaml")}, note="ownership.yaml is a symlink to itself"),
    Case("ownership-directory", AREA, with_file(OWNERSHIP, "--ownership", "teams"), Rejected("E401", "teams", None),
         {"teams": Folder()}, note="--ownership names a folder"),
    Case("ownership-fifo", AREA, OWNERSHIP, Same(), {"ownership.yaml": Fifo(OWNERSHIP_DOC)},
         note="--ownership is a named pipe a writer fills (as <(cat ownership.yaml) is): read like the file"),
]

BUDGETS_CASES = standard(
    "budgets", "budgets.yaml", BUDGETS_DOC, bad_args=COSTS, same_args=COSTS, compare="document", base={},
    cut='{amount: "40.5', dup_after="payments: 100", dup_line="  payments: 200\n", utf8_in="team-monthly",
) + [
    Case("budgets-empty", AREA, COSTS, Rejected("E319", "budgets.yaml", None), {"budgets.yaml": b""}, note="an empty --budgets file"),
    Case("budgets-duplicate-id", AREA, COSTS, Rejected("E304", "budgets.yaml", line_of(BUDGETS_DOC, "id:") + len(BUDGETS_DOC.splitlines()) + 1),
         {"budgets.yaml": BUDGETS_DOC + b"---\n" + BUDGETS_DOC}, note="two Budgets documents with id team-monthly in one file"),
    Case("budgets-nan-amount", AREA, COSTS, Rejected(NOT_FINITE_AMOUNT, "budgets.yaml", line_of(BUDGETS_DOC, "payments")),
         {"budgets.yaml": replace(BUDGETS_DOC, "payments: 100", "payments: .nan")}, note="amount .nan"),
    Case("budgets-infinite-amount", AREA, COSTS, Rejected(NOT_FINITE_AMOUNT, "budgets.yaml", line_of(BUDGETS_DOC, "payments")),
         {"budgets.yaml": replace(BUDGETS_DOC, "payments: 100", "payments: .inf")}, note="amount .inf"),
    Case("budgets-1e400-amount", AREA, COSTS, Rejected(NOT_FINITE_AMOUNT, "budgets.yaml", line_of(BUDGETS_DOC, "payments")),
         {"budgets.yaml": replace(BUDGETS_DOC, "payments: 100", "payments: 1e400")}, note="amount 1e400 (an infinite float)"),
    Case("budgets-26-digit-amount", AREA, COSTS,
         Accepted(1, lambda doc: _budget_scopes(doc, {"search"}), "findings for search only (payments' 175.10 USD is far under its budget)"),
         {"budgets.yaml": replace(BUDGETS_DOC, "payments: 100", 'payments: "12345678901234567890123456.78"')},
         note="a 26-digit budget amount, exact"),
    Case("budgets-entry-matching-nothing", AREA, COSTS, Same(compare="findings"),
         {"budgets.yaml": _insert_after_line(BUDGETS_DOC, "payments: 100", "  ghost-team: 10\n")},
         note="a budget for a team with no spend: the same findings (it is under budget)"),
    Case("budgets-dev-zero", AREA, with_file(COSTS, "--budgets", "/dev/zero"), Rejected(("E401", "E105", "E108"), "/dev/zero", None, wrong="no such file"),
         note="--budgets /dev/zero"),
    Case("budgets-empty-folder", AREA, with_file(COSTS, "--budgets", "none"), Rejected("E108", "none", None), {"none": Folder()},
         note="--budgets names a folder without YAML"),
    Case("budgets-symlink-loop", AREA, COSTS, Rejected("E401", "budgets.yaml", None, wrong="no such file"), {"budgets.yaml": Symlink("budgets.yaml")},
         note="budgets.yaml is a symlink to itself"),
]

TEST_BASE: dict = {}
POLICY_TEST_CASES = standard(
    "policytest", "policies/kit.test.yaml", POLICY_TEST, bad_args=TEST_ARGS, same_args=TEST_ARGS, compare="stdout", base=TEST_BASE,
    cut="evidence: {missing: [envi", dup_after="expect: fail", dup_line="    expect: pass\n", utf8_in="kit tags",
) + [
    Case("policytest-fixture-dev-zero", AREA, TEST_ARGS,
         OneOf((Rejected(("E401", "E406"), "policies/kit.test.yaml", line_of(POLICY_TEST, "files:"), wrong="not found"),
                Rejected(("E401", "E406"), "/dev/zero", None, wrong="not found"))),
         {"policies/kit.test.yaml": replace(POLICY_TEST, "../inventory.json", "/dev/zero")}, note="inventory fixture /dev/zero"),
    Case("policytest-fixture-directory", AREA, TEST_ARGS,
         OneOf((Rejected("E401", "policies/kit.test.yaml", line_of(POLICY_TEST, "files:")), Rejected("E401", "policies/../out", None))),
         {"policies/kit.test.yaml": replace(POLICY_TEST, "../inventory.json", "../out")}, note="inventory fixture is a folder"),
]

LADDER_CASES = standard(
    "sizeladders", "policies/ladders.yaml", LADDERS, bad_args=VALIDATE, same_args=VALIDATE, compare="stdout", base={},
    cut="memory_gib: 3", dup_after="burstable: false", dup_line="    burstable: true\n", utf8_in="x9z.xlarge",
) + [
    Case("sizeladders-nan-vcpu", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, "policies/ladders.yaml", line_of(LADDERS, "x9z.xlarge")),
         {"policies/ladders.yaml": replace(LADDERS, "vcpu: 4", "vcpu: .nan")}, note="vcpu .nan"),
    Case("sizeladders-1e400-memory", AREA, VALIDATE, Rejected(SCHEMA_OR_SEMANTICS, "policies/ladders.yaml", line_of(LADDERS, "x9z.xlarge")),
         {"policies/ladders.yaml": replace(LADDERS, "memory_gib: 32", "memory_gib: 1e400")}, note="memory 1e400 GiB (infinite)"),
]

GENERATION_BASE = {"policies/ladders.yaml": LADDERS}
GENERATION_CASES = standard(
    "generationmap", "policies/generations.yaml", GENERATIONS, bad_args=VALIDATE, same_args=VALIDATE, compare="stdout",
    base=GENERATION_BASE, cut="replacements: [m7", dup_after="provider: aws", dup_line="provider: gcp\n", utf8_in="x9z",
)


def _budget_scopes(document: dict, wanted: set) -> str | None:
    scopes = {f["scope"]["value"] for f in document["findings"] if f["policy"] == "team-budget"}
    return None if scopes == wanted else f"team-budget findings for {sorted(scopes)}, expected {sorted(wanted)}"


CASES = POLICY_CASES + SET_CASES + OWNERSHIP_CASES + BUDGETS_CASES + POLICY_TEST_CASES + LADDER_CASES + GENERATION_CASES
