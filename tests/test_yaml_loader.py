"""The one YAML loader: YAML 1.2 core scalars, duplicates, bounds, positions."""

from __future__ import annotations

import math
import time

import pytest

from engine.documents.yaml_loader import load_yaml_documents, resolve_plain_scalar
from engine.errors import InputError


def load(text, file="f.yaml"):
    return load_yaml_documents(text, file)


def error_of(text) -> str:
    with pytest.raises(InputError) as caught:
        load(text)
    return str(caught.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("Y", "Y"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("null", None),
        ("~", None),
        ("", None),
        ("2024-09-01", "2024-09-01"),
        ("2024-09-01 00:00:00", "2024-09-01 00:00:00"),
        ("0755", 755),  # YAML 1.2: a decimal integer, not octal
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", "1_000"),  # YAML 1.1 allowed underscores; 1.2 core does not
        ("1.10", 1.1),
        ("6e3", 6000.0),
        ("-.inf", -math.inf),
        ("12:30", "12:30"),  # YAML 1.1 sexagesimal
        ("123456789012", 123456789012),
    ],
)
def test_plain_scalars_follow_yaml_1_2_core(text, expected):
    assert resolve_plain_scalar(text) == expected
    assert type(resolve_plain_scalar(text)) is type(expected)


def test_quoted_scalars_stay_strings():
    doc = load('a: "1.10"\nb: \'true\'\nc: !!str 12\n')[0]
    assert doc.data == {"a": "1.10", "b": "true", "c": "12"}


def test_values_are_plain_python_types():
    doc = load("a: {b: [1, 2.5, x, true, null]}\n")[0]
    assert type(doc.data) is dict and type(doc.data["a"]["b"]) is list


def test_keys_are_strings_even_when_they_look_like_numbers():
    doc = load("123456789012: payments\ntrue: x\n")[0]
    assert doc.data == {"123456789012": "payments", "true": "x"}


def test_positions_are_one_based_line_and_column():
    doc = load("apiVersion: v\nspec:\n  keys:\n    - key: team\n")[0]
    assert doc.position("/spec/keys/0/key") == (4, 12)
    assert doc.key_position("/spec/keys") == (3, 3)
    assert doc.position("/spec/keys/0/missing/deeper") == (4, 7)


def test_multiple_documents():
    docs = load("a: 1\n---\nb: 2\n---\n")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, None]


def test_duplicate_key_names_both_lines():
    message = error_of("a: 1\nb: 2\na: 3\n")
    assert "f.yaml:3:1: E102 duplicate key 'a' (first defined on line 1)" in message


def test_duplicate_key_in_nested_mapping():
    assert "E102" in error_of("x:\n  y: 1\n  y: 2\n")


def test_syntax_error_has_line_and_column():
    message = error_of("a: [1, 2\nb: 3\n")
    assert message.startswith("f.yaml:2:") and "E101 YAML syntax error" in message


def test_alias_bomb_is_rejected_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    message = error_of("\n".join(lines) + "\n")
    assert "E103" in message and "alias bomb" in message
    assert time.perf_counter() - started < 5  # not a timing test: a guard against hanging forever


def test_modest_aliases_are_fine():
    doc = load("base: &b {x: 1}\nuse: *b\nmerged: {<<: *b, y: 2}\n")[0]
    assert doc.data["use"] == {"x": 1} and doc.data["merged"] == {"x": 1, "y": 2}


def test_cyclic_alias_is_rejected():
    assert "E107" in error_of("a: &a [1, *a]\n")


def test_deep_nesting_is_rejected():
    assert "E104 nesting deeper than" in error_of("[" * 5000 + "]" * 5000)
    assert "E104 nesting deeper than 100 levels" in error_of("a:\n" + "".join("  " * i + "- \n" for i in range(150)))


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(InputError) as caught:
        load_yaml_documents(b"a: 1\nb: \xff\xfe\n", "f.yaml")
    assert "f.yaml:2:4: E106 invalid UTF-8" in str(caught.value)


def test_huge_file_is_rejected_before_parsing():
    with pytest.raises(InputError) as caught:
        load_yaml_documents(b"a: 1\n" * 10, "f.yaml", max_bytes=20)
    assert "E105" in str(caught.value)


def test_unknown_tags_are_rejected():
    assert "unsupported tag" in error_of("a: !!python/object:os.system ls\n")


def test_explicit_tag_mismatch():
    assert "does not match its tag" in error_of("a: !!int abc\n")


@pytest.mark.parametrize(
    "data, where, code",
    [
        (b"apiVersion: costwarden/v1\nkind: Policy\nid: a\x00b\n", "3:6", 0x00),
        (b"\x00a: 1\n", "1:1", 0x00),
        ("a: \u00e9\u20ac\U0001f600\nb: x\x07c\n".encode(), "2:5", 0x07),  # columns count characters, not bytes
        (b"a: 1\r\nb: \x1b[31m\r\n", "2:4", 0x1B),
    ],
)
def test_a_control_character_is_one_line_with_line_and_column(data, where, code):
    with pytest.raises(InputError) as caught:
        load_yaml_documents(data, "f.yaml")
    (problem,) = caught.value.problems
    text = problem.format()
    assert text.startswith(f"f.yaml:{where}: E101 ")
    assert f"#x{code:04x}" in text and "\n" not in text and "<unicode string>" not in text


def test_a_control_character_in_a_policy_file_through_validate(tmp_path):
    from click.testing import CliRunner

    from engine.cli import main

    path = tmp_path / "p.yaml"
    path.write_bytes(b"apiVersion: costwarden/v1\nkind: Policy\nid: a\x00b\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    first, summary = result.output.splitlines()
    assert first.startswith(f"{path}:3:6: E101 ") and summary.startswith("costwarden: 1 problem found")


def test_the_docstring_says_what_0755_loads_as():
    import engine.documents.yaml_loader as module

    assert resolve_plain_scalar("0755") == 755
    assert "``0755`` stay" not in module.__doc__ and "``0755`` is the integer 755" in module.__doc__


def test_every_duplicate_key_of_a_file_is_reported_at_once():
    text = "a: 1\nb: {x: 1, x: 2}\na: 3\n---\nc: 1\nc: 2\n"
    with pytest.raises(InputError) as caught:
        load_yaml_documents(text, "dup.yaml")
    found = [(p.code, p.line, p.column, p.pointer) for p in caught.value.problems]
    assert found == [("E102", 2, 11, "/b/x"), ("E102", 3, 1, "/a"), ("E102", 6, 1, "/c")]
