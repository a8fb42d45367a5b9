"""Random damage to real plan entries never makes the reader fail with anything but an InputError, and
a sensitive value never survives anywhere in the resource it belongs to (hypothesis)."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, assume, given, settings
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


def set_at(document, path, value) -> None:
    """``document[p0][p1]... = value`` where that place still exists (an earlier change may have removed it)."""
    for step in path[:-1]:
        if isinstance(document, dict) and isinstance(step, str) and step in document:
            document = document[step]
        elif isinstance(document, list) and isinstance(step, int) and step < len(document):
            document = document[step]
        else:
            return
    last = path[-1]
    if isinstance(document, dict) and isinstance(last, str) or isinstance(document, list) and isinstance(last, int) \
            and last < len(document):
        document[last] = value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_entries_give_resources_or_input_errors(tmp_path_factory, data):
    entry = copy.deepcopy(data.draw(st.sampled_from(ENTRIES)))
    paths = [path for path in paths_of(entry) if path]
    for _ in range(data.draw(st.integers(1, 3))):
        set_at(entry, data.draw(st.sampled_from(paths)), data.draw(json_values))
    doc = {"format_version": "1.2", "planned_values": {}, "resource_changes": [entry]}
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(json.dumps(doc))
    try:
        load_plans([str(path)], scope="all", source_dir=str(path.parent))
    except InputError as error:
        assert all(problem.code.startswith("E4") for problem in error.problems)


# the plan's own vocabulary (the type, the mode, the provider's address) is not a value and is never scrubbed
STRUCTURE = "aws_instance managed create registry.terraform.io/hashicorp/aws " + SENSITIVE
secrets = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters='\\"'),
                  min_size=4, max_size=12).filter(lambda s: s not in STRUCTURE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=secrets, values=st.dictionaries(st.sampled_from(["a", "b", "c", "tags", "tags_all"]), json_values,
                                              max_size=4),
       where=st.sampled_from(["exact", "inside", "key", "tag"]))
def test_a_sensitive_value_never_survives_in_its_resource(tmp_path_factory, secret, values, where):
    # the other values may hold the secret's text by chance (the number 250000 holds "0000"): such a
    # value is not the secret, and the property speaks of the secret alone
    assume(not any(secret in text for text in strings_of(values)))
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
    (resource,) = snapshot.resources
    change = resource["change"]
    texts = list(strings_of([resource[key] for key in resource if key not in ("type", "class", "provider", "change")]))
    texts += list(strings_of([change[key] for key in ("address", "previous_address", "module_address", "name", "index")]))
    assert not [text for text in texts + snapshot.warnings if secret in text]


def strings_of(value):
    """Every string in ``value``: keys and values, as the resource's values hold them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from strings_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings_of(inner)
