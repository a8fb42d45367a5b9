"""Size ladders and the previous-generation map: the built-in data, user documents, and their errors."""

from __future__ import annotations

import pytest

from engine.documents.loader import read_valid_documents
from engine.errors import InputError
from engine.library import load_library
from engine.sizing.catalog import Catalog, builtin_catalog_files

LADDER = """\
apiVersion: costwarden/v1
kind: SizeLadders
provider: aws
families:
{families}
"""


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    catalog = Catalog(reader=read_valid_documents)
    catalog.size("aws", "m5.large")
    return catalog


def test_the_builtin_files_are_where_the_catalog_looks_for_them():
    assert [f.rsplit("/", 2)[-2:] for f in builtin_catalog_files()] == [
        ["rightsizing", "size-ladders.yaml"], ["rightsizing", "previous-generations.yaml"]]


def test_builtin_ladders_cover_the_common_families(builtin):
    wanted = {
        "aws": ["t3", "t3a", "t4g", "m5", "m6i", "m6g", "m7i", "m7g", "c5", "c6i", "c7i", "c7g", "r5", "r6i", "r7i",
                "m4", "c4", "r4", "t2"],
        "azure": ["Dv3", "Dsv3", "Dv4", "Dsv4", "Dv5", "Dsv5", "Ev3", "Esv3", "Ev4", "Esv4", "Ev5", "Esv5", "B", "Dv2"],
        "gcp": ["e2-standard", "e2-highmem", "e2-highcpu", "n1-standard", "n1-highmem", "n1-highcpu", "n2-standard",
                "n2-highmem", "n2-highcpu", "n2d-standard", "n2d-highmem", "n2d-highcpu", "c2-standard", "c3-standard",
                "c3-highmem", "c3-highcpu"],
    }
    for provider, families in wanted.items():
        for family in families:
            assert builtin.family(provider, family) is not None, (provider, family)


@pytest.mark.parametrize("provider, size, vcpu, memory, architecture, burstable", [
    ("aws", "m5.large", 2, 8, "x86_64", False),
    ("aws", "m5.24xlarge", 96, 384, "x86_64", False),
    ("aws", "c7g.medium", 1, 2, "arm64", False),
    ("aws", "r7i.large", 2, 16, "x86_64", False),
    ("aws", "t3.micro", 2, 1, "x86_64", True),
    ("aws", "t2.micro", 1, 1, "x86_64", True),
    ("aws", "c4.8xlarge", 36, 60, "x86_64", False),
    ("azure", "Standard_D4s_v5", 4, 16, "x86_64", False),
    ("azure", "standard_d4s_v5", 4, 16, "x86_64", False),  # sizes compare case-insensitively
    ("azure", "Standard_E64s_v3", 64, 432, "x86_64", False),
    ("azure", "Standard_D2ps_v5", 2, 8, "arm64", False),
    ("azure", "Standard_B2s", 2, 4, "x86_64", True),
    ("gcp", "n1-standard-4", 4, 15, "x86_64", False),
    ("gcp", "n2-highmem-8", 8, 64, "x86_64", False),
    ("gcp", "c3-highcpu-22", 22, 44, "x86_64", False),
    ("gcp", "e2-medium", 2, 4, "x86_64", True),
])
def test_builtin_sizes(builtin, provider, size, vcpu, memory, architecture, burstable):
    found = builtin.size(provider, size)
    assert (found.vcpu, found.memory_gib, found.architecture, found.burstable) == (vcpu, memory, architecture, burstable)


def test_sizes_are_looked_up_per_provider(builtin):
    assert builtin.size("azure", "m5.large") is None and builtin.size(None, "m5.large") is None


def test_builtin_previous_generations(builtin):
    assert builtin.replacements("aws", "m4.xlarge") == ("family", ("m7i", "m7g"))
    assert builtin.replacements("aws", "gp2") == ("size", ("gp3",))
    assert builtin.replacements("azure", "Standard_D4s_v3") == ("family", ("Dsv5",))
    assert builtin.replacements("gcp", "n1-highmem-8") == ("family", ("n2-highmem", "n2d-highmem"))
    assert builtin.replacements("aws", "m7i.large") is None


def test_a_user_ladder_adds_families_and_replaces_builtin_ones(write, tmp_path):
    write("ladders.yaml", LADDER.format(families="""\
  - family: x9
    sizes:
      - {size: x9.small, vcpu: 1, memory_gib: 2}
      - {size: x9.big, vcpu: 4, memory_gib: 8}
  - family: m5
    sizes:
      - {size: m5.large, vcpu: 2, memory_gib: 8}
      - {size: m5.xlarge, vcpu: 4, memory_gib: 16}
"""))
    catalog = load_library([str(tmp_path)]).catalog
    assert catalog.size("aws", "x9.big").position == 1
    assert [s.name for s in catalog.family("aws", "m5").sizes] == ["m5.large", "m5.xlarge"]
    assert catalog.size("aws", "m5.2xlarge") is None
    assert catalog.size("aws", "m7i.large") is not None  # the rest of the built-in ladders stay


def problems(tmp_path) -> list[str]:
    with pytest.raises(InputError) as error:
        load_library([str(tmp_path)])
    return [p.format() for p in error.value.problems]


def test_a_ladder_out_of_order_is_an_error_with_its_line(write, tmp_path):
    path = write("ladders.yaml", LADDER.format(families="""\
  - family: x9
    sizes:
      - {size: x9.big, vcpu: 4, memory_gib: 8}
      - {size: x9.small, vcpu: 1, memory_gib: 2}
"""))
    (found,) = problems(tmp_path)
    assert found.startswith(f"{path}:8:9: E325 size 'x9.small' (1 vCPU, 2 GiB) is not larger than 'x9.big'")


def test_a_size_in_two_families_and_a_family_defined_twice_are_errors(write, tmp_path):
    write("a.yaml", LADDER.format(families="""\
  - family: x9
    sizes: [{size: m5.large, vcpu: 2, memory_gib: 8}]
  - family: x9
    sizes: [{size: x9.other, vcpu: 2, memory_gib: 8}]
"""))
    found = problems(tmp_path)
    assert any("E326 family 'x9' (aws) is defined twice" in f for f in found), found
    assert any("E326 size 'm5.large' (aws) is in two families: 'm5' and 'x9'" in f for f in found), found


def test_a_generation_map_naming_an_unknown_family_is_an_error(write, tmp_path):
    path = write("map.yaml", """\
apiVersion: costwarden/v1
kind: GenerationMap
provider: aws
families:
  - {family: m4, replacements: [m9z]}
""")
    assert problems(tmp_path) == [f"{path}:5:5: E327 family 'm9z' (aws) is not in the size ladders (at /families/0); "
                                  f"add the family to a SizeLadders document"]


def test_ladder_documents_are_schema_checked(write, tmp_path):
    path = write("ladders.yaml", LADDER.format(families="""\
  - family: x9
    architecture: sparc
    sizes: [{size: x9.small, vcpus: 1, memory_gib: 2}]
"""))
    found = problems(tmp_path)
    assert any(f.startswith(f"{path}:6:19: E204 'sparc' is not one of: x86_64, arm64") for f in found), found
    assert any("E201 unknown key 'vcpus'" in f and "did you mean 'vcpu'?" in f for f in found), found


def test_a_user_generation_entry_replaces_the_builtin_one(write, tmp_path):
    write("map.yaml", """\
apiVersion: costwarden/v1
kind: GenerationMap
provider: aws
families:
  - {family: m4, replacements: [m6i]}
sizes:
  - {size: gp2, replacements: [gp3, io2]}
""")
    catalog = load_library([str(tmp_path)]).catalog
    assert catalog.replacements("aws", "m4.large") == ("family", ("m6i",))
    assert catalog.replacements("aws", "gp2") == ("size", ("gp3", "io2"))
    assert catalog.replacements("aws", "c4.large") == ("family", ("c7i", "c7g"))
