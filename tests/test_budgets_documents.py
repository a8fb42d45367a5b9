"""Budgets documents meet budget policies: a period mismatch is a located message naming both
periods; an entry that matches no scope value with spend (a typo, an alias) is warned about by
file and line, with a did-you-mean, and changes no finding.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import main

FOCUS = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,Tags\n" + "".join(
    f'{cost},{cost},USD,Usage,2026-06-0{day}T00:00:00Z,2026-06-0{day + 1}T00:00:00Z,"{{""team"":""{team}""}}"\n'
    for day, team, cost in [(1, "payments", 50), (2, "search", 30), (3, "payments", 70)]
)
POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: team-budget
title: Teams stay within budget
type: budget
severity: medium
spec:
  budgets: team-monthly
  scope: {scope}
  period: month
  thresholds: [{{on: actual, percent: 100}}]
"""
OWNERSHIP = """\
apiVersion: costwarden/v1
kind: Ownership
teams:
  - id: payments
    aliases: [billing-api]
  - id: search
resolution:
  - tag: team
"""
BUDGETS = """\
apiVersion: costwarden/v1
kind: Budgets
id: team-monthly
period: {period}
currency: USD
amounts:
  payments: 100
  paymnets: 5
  billing-api: 7
  search: {{amount: 20, owner: search}}
"""


def run(write, scope="owner", period="month", args=()):
    files = [write("focus.csv", FOCUS), write("policy.yaml", POLICY.format(scope=scope)),
             write("budgets.yaml", BUDGETS.format(period=period)), write("ownership.yaml", OWNERSHIP)]
    result = CliRunner().invoke(main, ["check", "-p", str(files[1]), "--costs", str(files[0]), "--budgets", str(files[2]),
                                       "--ownership", str(files[3]), "--as-of", "2026-06-20", "-f", "json", *args])
    return result, files


def test_a_period_mismatch_names_both_periods_and_where_they_are_written(write):
    result, (_, policy, budgets, _) = run(write, period="quarter")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{policy}:1: E503 policy team-budget: the policy's period is month but Budgets 'team-monthly' ({budgets}:4) holds"
        " quarterly amounts (period: quarter): give the policy period: quarter, or use a Budgets document of monthly amounts"]


def test_entries_matching_no_team_are_warned_about_by_line_with_a_did_you_mean(write):
    result, (_, _, budgets, _) = run(write)
    document = json.loads(result.stdout)
    assert [w for w in document["warnings"] if "Budgets 'team-monthly'" in w] == [
        f"team-budget: {budgets}:9: Budgets 'team-monthly' entry 'billing-api' names team payments by an alias or a member's"
        " email; budgets are by team id, so the entry matches nothing: write 'payments'",
        f"team-budget: {budgets}:8: Budgets 'team-monthly' entry 'paymnets' matches no team with spend in 2026-06"
        " (did you mean 'payments'?)",
    ]
    assert {f["scope"]["value"] for f in document["findings"]} == {"payments", "search"}  # the warnings change no finding


def test_entries_matching_no_tag_value_are_warned_about(write):
    result, (_, _, budgets, _) = run(write, scope="tag:team")
    warnings = json.loads(result.stdout)["warnings"]
    assert f"team-budget: {budgets}:8: Budgets 'team-monthly' entry 'paymnets' matches no tag team value with spend in 2026-06" \
           " (did you mean 'payments'?)" in warnings
    assert f"team-budget: {budgets}:9: Budgets 'team-monthly' entry 'billing-api' matches no tag team value with spend in 2026-06" \
           in warnings
