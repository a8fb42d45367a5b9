"""The escapers of engine.outputs.escaping, one target each, on the values that mean something there."""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET

import pytest

from engine.outputs.escaping import (ZERO_WIDTH_SPACE, break_references, csv_number, csv_text, html_text, markdown_text,
                                     printable, sarif_text, xml_text)
from tests.output_cases import HOSTILE


def test_markdown_text_escapes_every_ascii_punctuation_character_and_nothing_else():
    escaped = markdown_text(string.punctuation + "az09 é")
    assert escaped == "".join("\\" + ch for ch in string.punctuation).replace("@", "@" + ZERO_WIDTH_SPACE) \
        .replace("#", "#" + ZERO_WIDTH_SPACE) + "az09 é"


@pytest.mark.parametrize("text, broken", [
    ("@org/team", "@\u200borg/team"),
    ("see #12, org/repo#3 and GH-4", "see #\u200b12, org/repo#\u200b3 and GH\u200b-4"),
    ("https://x.example and www.y.example", "https:\u200b//x.example and www\u200b.y.example"),
    ("me@example.com", "me@\u200bexample.com"),
    ("GHz-1 www-x a:b", "GHz-1 www-x a:b"),  # nothing GitHub would link
])
def test_references_are_broken_by_a_zero_width_space(text, broken):
    assert break_references(text) == broken


def test_control_and_invisible_characters_are_shown_escaped_before_any_zero_width_space_is_added():
    assert printable("a\nb\u200b\u202e\x00") == "a\\nb\\u200b\\u202e\\x00"
    assert markdown_text("\u200b@x") == "\\\\u200b\\@\u200bx"  # a value's own zero-width space is shown, ours is added
    assert markdown_text("x" * 10, limit=5) == "xxxx…"


def test_html_text():
    assert html_text('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert html_text(None) == ""


@pytest.mark.parametrize("value", HOSTILE)
def test_xml_text_is_always_well_formed_in_text_and_attributes(value):
    element = ET.Element("e", {"a": xml_text(value)})
    element.text = xml_text(value)
    back = ET.fromstring(ET.tostring(element, encoding="unicode"))
    assert back.get("a") == xml_text(value)  # attributes keep even line breaks (written as character references)
    assert back.text == xml_text(value).replace("\r\n", "\n").replace("\r", "\n")  # XML reads CR LF in text as LF
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", back.get("a"))


def test_sarif_text_escapes_what_could_start_an_embedded_link():
    assert sarif_text("[x](1) \\ ]") == "\\[x\\](1) \\\\ \\]"
    for value in HOSTILE:
        assert re.sub(r"\\([\\\[\]])", r"\1", sarif_text(value)) == value


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("＝1", "'＝1"), ("plain", "plain"), (" =1", " =1"), ("", ""), (None, ""),
])
def test_csv_text(value, cell):
    assert csv_text(value) == cell


@pytest.mark.parametrize("value, cell", [
    ("-12.50", "-12.50"), ("0", "0"), ("1234.5678", "1234.5678"), (7, "7"), (None, ""),
    ("-1e5", "'-1e5"), ("=1", "'=1"), ("NaN", "NaN"), ("-", "'-"),
])
def test_csv_number_leaves_plain_decimals_and_treats_the_rest_as_text(value, cell):
    assert csv_number(value) == cell
