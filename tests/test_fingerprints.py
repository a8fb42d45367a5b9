"""Fingerprints: stable when unrelated resources are added or files reordered, distinct for the same address
in two modules, and distinct for a "no recommendation" note and a recommendation on one resource."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api
from engine.findings import finding_kind
from tests.conftest import REALDATA
from tests.output_cases import AS_OF, example_result

LIBRARY = api.load_policies(None).select(("required-allocation-tags", "allowed-instance-sizes", "stopped-instance"))

_ids = st.text(alphabet="abcdef0123456789-/:|\"", min_size=1, max_size=12).map(lambda s: f"i-{s}")
_resource = st.fixed_dictionaries({
    "id": _ids,
    "provider": st.sampled_from(["aws", "gcp", "azure"]),
    "size": st.sampled_from(["m5.large", "t3.micro", "r5.2xlarge"]),
    "state": st.sampled_from(["running", "stopped"]),
    "tags": st.dictionaries(st.sampled_from(["team", "cost-center", "environment", "Team"]), st.sampled_from(["a", "prod", "CC-1"]),
                            max_size=3),
})
_estate = st.lists(_resource, min_size=1, max_size=12, unique_by=lambda r: (r["provider"], r["id"]))


def fingerprints(*files: list[dict]) -> dict[tuple, str]:
    """(policy, provider, id) -> fingerprint, for the findings of the inventory files (merged in the order given)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, resources in enumerate(files):
            path = Path(folder) / f"inventory-{index}.json"
            path.write_text(json.dumps([{**r, "type": "AWS::EC2::Instance"} for r in resources]))
            paths.append(str(path))
        inventory = api.load_inventory(paths)
    result = api.evaluate(LIBRARY, inventory.resources, as_of=AS_OF)
    found = {(f.policy, f.resource["provider"], f.resource["id"]): f.fingerprint for f in result.findings}
    assert len(set(found.values())) == len(found) == len(result.findings)  # one finding per key, each its own fingerprint
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estate=_estate, extra=_estate, data=st.data())
def test_stable_under_reordering_splitting_and_unrelated_additions(estate, extra, data):
    before = fingerprints(estate)
    taken = {(r["provider"], r["id"]) for r in estate}
    unrelated = [r for r in extra if (r["provider"], r["id"]) not in taken]
    shuffled = data.draw(st.permutations(estate + unrelated))
    cut = data.draw(st.integers(0, len(shuffled)))
    after = fingerprints(shuffled[cut:], shuffled[:cut])  # two files, in the other order
    assert {key: value for key, value in after.items() if key[1:] in taken} == before


def test_the_same_address_in_two_modules_gives_two_fingerprints():
    snapshot = api.load_plans([str(REALDATA / "infracost" / "terraform_v0.14_plan.json")], scope="all")
    result = api.evaluate(api.load_policies(None), snapshot.resources, as_of=AS_OF)
    in_modules = {f.resource["id"] for f in result.findings if f.resource["id"].startswith("module.")}
    local = {re.sub(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+", "", rid) for rid in in_modules}  # the address within its module
    assert len(local) < len(in_modules)  # module.db.module.db_1...aws_db_instance.this[0] and ...db_2...: one local address
    by_key = {(f.policy, f.resource["id"]): f.fingerprint for f in result.findings}
    assert len(set(by_key.values())) == len(by_key) == len(result.findings)


def test_a_note_and_a_recommendation_for_one_resource_differ():
    result = example_result()
    (note,) = [f for f in result.findings if f.policy == "rightsize-compute" and f.severity == "info"]
    assert note.kind == "note" and note.evidence["recommendation"] is None
    assert {f.kind for f in result.findings if f is not note} == {"violation"}
    recommended = replace(note, evidence={**note.evidence, "recommendation": {"current": "m4.large", "target": "m4.medium"}},
                          severity="medium", enforcement="audit", message="m4.large → m4.medium")
    assert recommended.kind == "violation" and recommended.fingerprint != note.fingerprint
    # what a finding says, costs or where it points is not what it is
    assert replace(note, message="other", monthly_cost=None, owner="x", location={"file": "a.tf", "line": 1, "column": None},
                   evidence={**note.evidence, "reason": "insufficient-data"}).fingerprint == note.fingerprint
    assert finding_kind({"recommendation": None}) == "note" and finding_kind({}) == finding_kind({"recommendation": {}}) == "violation"


def test_the_findings_document_names_the_recipe():
    document = json.loads(api.render(example_result(), "json"))
    assert document["fingerprint_version"] == "2"
    assert document["exemptions"] == [] and document["baseline"] is None
    assert (document["summary"]["open"], document["summary"]["exempted"], document["summary"]["baselined"]) == (33, 0, 0)
