"""Random damage to real plan entries never makes the reader fail with anything but an InputError, and
a sensitive value never survives anywhere in the resource it belongs to (hypothesis)."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from engine.plans import SENSITIVE, load_plans
from tests.conftest import REALDATA

PLAN = json.loads((REALDATA / "infracost" / "terraform_v0.14_plan.json").read_text())
ENTRIES = PLAN["resource_changes"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def paths_of(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths_of(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths_of(inner, prefix + (index,))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_entries_give_resources_or_input_errors(tmp_path_factory, data):
    entry = copy.deepcopy(data.draw(st.sampled_from(ENTRIES)))
    paths = [path for path in paths_of(entry) if path]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        target = entry
        for step in path[:-1]:
            target = target[step] if isinstance(target, (dict, list)) and (
                step in target if isinstance(target, dict) else step < len(target)) else None
        if isinstance(target, dict) or (isinstance(target, list) and path[-1] < len(target)):
            target[path[-1]] = data.draw(json_values)
    doc = {"format_version": "1.2", "planned_values": {}, "resource_changes": [entry]}
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(json.dumps(doc))
    try:
        load_plans([str(path)], scope="all", source_dir=str(path.parent))
    except InputError as error:
        assert all(problem.code.startswith("E4") for problem in error.problems)


secrets = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters='\\"'),
                  min_size=4, max_size=12).filter(lambda s: s != SENSITIVE and "sensitive" not in s)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=secrets, values=st.dictionaries(st.sampled_from(["a", "b", "c", "tags", "tags_all"]), json_values,
                                              max_size=4),
       where=st.sampled_from(["exact", "inside", "key", "tag"]))
def test_a_sensitive_value_never_survives_in_its_resource(tmp_path_factory, secret, values, where):
    values = dict(values, password=secret)
    if where == "exact":
        values["copy"] = secret
    elif where == "inside":
        values["copy"] = f"x{secret}y"
    elif where == "key":
        values["copy"] = {secret: 1}
    else:
        values["tags_all"] = {"t": secret}
    entry = {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {},
                        "after_sensitive": {"password": True}, "before_sensitive": False}}
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {}, "resource_changes": [entry]}))
    snapshot = load_plans([str(path)])
    assert secret not in json.dumps(snapshot.resources, ensure_ascii=False) + "\n".join(snapshot.warnings)
