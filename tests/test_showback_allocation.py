"""Allocation documents (validated with file:line:col) and the remainder rule of every split."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from engine.showback import load_allocation
from engine.showback.apportion import round_to_sum, split

HEAD = "apiVersion: costwarden/v1\nkind: Allocation\nid: shared\n"


def problems_of(write, text: str) -> list[tuple]:
    path = write("allocation.yaml", text)
    with pytest.raises(InputError) as caught:
        load_allocation(path)
    return [(p.code, p.line, p.column, p.pointer, p.message) for p in caught.value.problems]


def test_a_valid_allocation_compiles_its_rules_in_order(write):
    path = write("allocation.yaml", HEAD + """\
rules:
  - id: support
    select: {ServiceName: [AWS Support (Business), AWS Support (Developer)]}
  - id: network
    select: {tag: {key: shared, values: [network]}, SubAccountId: ["111"]}
    split: even
    to: [payments, search]
  - id: platform
    select: {SubAccountId: ["333"]}
    split: fixed
    shares: {payments: 50, search: "30.5", data: 19.5}
  - id: rest
    select: {unassigned: true}
""")
    allocation = load_allocation(path)
    assert [r.id for r in allocation.rules] == ["support", "network", "platform", "rest"]
    assert [r.split for r in allocation.rules] == ["proportional", "even", "fixed", "proportional"]
    assert allocation.rules[2].shares == (("payments", Decimal(50)), ("search", Decimal("30.5")), ("data", Decimal("19.5")))
    assert allocation.rules[1].select.columns == (("SubAccountId", ("111",)),)
    assert allocation.rules[1].select.tag_values == ("network",)
    assert allocation.rules[3].select.unassigned
    assert allocation.columns() == {"ServiceName", "SubAccountId", "Tags"}


def test_schema_problems_are_located(write):
    found = problems_of(write, HEAD + """\
rules:
  - id: support
    selct: {ServiceName: [x]}
  - id: Bad_Id
    select: {ServiceName: []}
    split: halves
""")
    assert {(code, line, column) for code, line, column, *_ in found} == {
        ("E201", 6, 5),  # unknown key selct
        ("E202", 5, 5),  # select missing
        ("E205", 7, 9),  # an id that is not kebab-case
        ("E207", 8, 27),  # an empty list of values
        ("E204", 9, 12),  # split is not one of the three
    }


def test_shares_must_add_up_to_exactly_100(write):
    found = problems_of(write, HEAD + """\
rules:
  - id: platform
    select: {SubAccountId: ["333"]}
    split: fixed
    shares: {payments: 33.33, search: 33.33, data: "33.33"}
""")
    assert found == [("E361", 8, 13, "/rules/0/shares", "the shares add up to 99.99, not 100")]


def test_a_fixed_split_without_shares_and_shares_without_a_fixed_split(write):
    found = problems_of(write, HEAD + """\
rules:
  - id: a
    select: {SubAccountId: ["1"]}
    split: fixed
    to: [payments]
  - id: b
    select: {SubAccountId: ["2"]}
    shares: {payments: 100}
""")
    assert [(code, line, pointer) for code, line, _, pointer, _ in found] == [
        ("E361", 5, "/rules/0"), ("E361", 8, "/rules/0/to"), ("E361", 11, "/rules/1/shares")]


def test_a_select_key_that_is_not_a_focus_column_is_named_with_a_hint(write):
    found = problems_of(write, HEAD + """\
rules:
  - id: a
    select: {ServiceNam: [x]}
  - id: a
    select: {unassigned: true}
""")
    assert found[0][:4] == ("E360", 6, 14, "/rules/0/select/ServiceNam")
    assert found[1][:4] == ("E304", 7, 9, "/rules/1/id")


def test_a_file_with_another_kind_or_several_documents(write):
    assert problems_of(write, "apiVersion: costwarden/v1\nkind: Ownership\nteams: []\nresolution: [{default: x}]\n")[0][:2] == ("E204", 2)
    assert problems_of(write, HEAD + "rules: [{id: a, select: {unassigned: true}}]\n---\n" + HEAD + "rules: []\n")[0][0] == "E319"


# -- the remainder rule -------------------------------------------------------------------------------

def test_100_split_three_ways_gives_the_unit_to_the_first_recipient():
    assert split(Decimal("100.00"), {"c": 1, "a": 1, "b": 1}) == {
        "a": Decimal("33.333333333334"), "b": Decimal("33.333333333333"), "c": Decimal("33.333333333333")}


def test_the_largest_remainders_take_the_units():
    # exact shares 2/7, 3/7 and 2/7 of 1e-11: 2.857..., 4.285... and 2.857... units of 1e-12
    shares = split(Decimal("0.00000000001"), {"a": 2, "b": 3, "c": 2})
    assert shares == {"a": Decimal("0.000000000003"), "b": Decimal("0.000000000004"), "c": Decimal("0.000000000003")}


def test_a_negative_amount_splits_the_same_way():
    shares = split(Decimal("-100"), {"a": 1, "b": 1, "c": 1})
    assert sum(shares.values()) == Decimal("-100")
    assert sorted(shares.values()) == [Decimal("-33.333333333334"), Decimal("-33.333333333333"), Decimal("-33.333333333333")]


amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=12, allow_nan=False, allow_infinity=False)
weights = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3),
                          st.decimals(min_value=Decimal("0.000000000001"), max_value=Decimal("1e9"), places=12),
                          min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(amounts, weights)
def test_shares_add_up_exactly_and_each_is_within_one_unit_of_its_exact_share(amount, weights):
    shares = split(amount, weights)
    assert sum(shares.values()) == amount
    whole = sum(Fraction(w) for w in weights.values())
    for key, share in shares.items():
        assert share == share.quantize(Decimal("1e-12"))
        assert abs(Fraction(share) - Fraction(amount) * Fraction(weights[key]) / whole) < Fraction(1, 10**12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text("abc", min_size=1, max_size=4), amounts, min_size=1, max_size=10))
def test_rounded_amounts_add_up_to_the_rounded_total(values):
    rounded = round_to_sum(values, 2)
    total = sum(values.values())
    assert sum(rounded.values()) == total.quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")
    for key, value in rounded.items():
        assert abs(value - values[key]) < Decimal("0.01")


def test_a_split_refuses_what_it_cannot_do():
    with pytest.raises(ValueError):
        split(Decimal(1), {})
    with pytest.raises(ValueError):
        split(Decimal(1), {"a": 0})
    with pytest.raises(ValueError):
        split(Decimal("0.0000000000001"), {"a": 1})
