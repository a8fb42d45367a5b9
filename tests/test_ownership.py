"""The ownership resolution chain."""

from __future__ import annotations

import pytest

from engine.ownership import NO_OWNERSHIP, compile_ownership

DOC = {
    "teams": [
        {"id": "payments", "name": "Payments", "aliases": ["pay"], "contacts": ["pay@example.com"]},
        {"id": "data-platform", "members": ["alice@example.com"]},
        {"id": "search"},
        {"id": "finops"},
    ],
    "resolution": [
        {"tag": "team"},
        {"tag": "owner", "match": "exact"},
        {"accounts": {"222222222222": "search"}},
        {"resource_ids": [{"pattern": "arn:aws:s3:::data-*", "team": "data-platform"}]},
        {"default": "finops"},
    ],
}


@pytest.fixture(scope="module")
def ownership():
    return compile_ownership(DOC, lambda *a: pytest.fail(str(a)))


@pytest.mark.parametrize(
    "resource, expected",
    [
        ({"tags": {"team": "payments"}}, ("payments", "tag:team")),
        ({"tags": {"Team": " PAY "}}, ("payments", "tag:team")),  # tag steps match keys case-insensitively by default
        ({"tags": {"team": "unknown", "owner": "alice@example.com"}}, ("data-platform", "tag:owner:member")),
        ({"tags": {"Owner": "alice@example.com"}, "account": "1"}, ("finops", "default")),  # exact match for owner
        ({"tags": {}, "account": "222222222222"}, ("search", "account")),
        ({"tags": {}, "id": "arn:aws:s3:::data-lake"}, ("data-platform", "resource-id")),
        ({"tags": {"team": True}, "id": "x"}, ("finops", "default")),
    ],
)
def test_chain_order(ownership, resource, expected):
    assert ownership.resolve(resource) == expected


def test_without_ownership_every_finding_is_unassigned():
    assert NO_OWNERSHIP.resolve({"tags": {"team": "payments"}}) == ("unassigned", "none")
