"""`costwarden report`: the folder it writes over the example estate, the ranking by money at stake
(checked against a computation of our own over findings.json), --no-split, --findings, --previous, the
folder written as a whole, exit codes, the config file, and progress kept off pipes."""

from __future__ import annotations

import io
import json
import os
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from engine.report import folder
from engine.report.progress import Progress
from tests.conftest import ROOT
from tests.report_fixtures import (EXAMPLE_INPUTS_WITHOUT_INVENTORY, EXAMPLES, Page, check_json, money as _money, report, run, spend_of,
                                  section as _section, unassigned_by_resource as _unassigned_by_resource,
                                  untagged_cost as _untagged_cost)

AT_STAKE = ("overspend", "unallocated_cost", "unused_commitment_cost", "monthly_saving")


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "2026-11"
    result = report(out)
    assert result.exit_code == 1, result.output  # open findings of enforced policies, as check says
    return out


def money_at_stake(document: dict) -> dict[str, dict[str, Decimal]]:
    """Per owner and currency: the open findings' overspend, unallocated, unused commitment and savings."""
    owners: dict[str, dict[str, Decimal]] = {}
    for finding in document["findings"]:
        if finding["status"] != "open":
            continue
        amounts = owners.setdefault(finding["owner"], {})
        for name in AT_STAKE:
            money = finding["money"][name]
            if money is not None and Decimal(money["amount"]):
                amounts[money["currency"]] = amounts.get(money["currency"], Decimal(0)) + Decimal(money["amount"])
    return owners


def test_the_folder_holds_the_pages_the_findings_and_the_summary(example):
    assert sorted(str(p.relative_to(example)) for p in example.rglob("*") if p.is_file()) == [
        "chargeback.csv", "findings.json", "index.html", "owners/data-platform.html", "owners/finops.html", "owners/payments.html",
        "owners/search.html", "summary.md"]
    assert not [p for p in example.parent.iterdir() if p.name.startswith(".costwarden")]  # no temporary folder left


def estate_policy_options() -> list[str]:
    """--policy ID for every built-in policy whose type's target is not a change: the policies the report evaluates."""
    import engine
    from engine.checks import CHECKS

    ids = [policy.id for policy in engine.load_policies([ROOT / "policies"]).policies
           if policy.enabled and CHECKS[policy.type].target != "change"]
    assert len(ids) > 10
    return [option for policy_id in ids for option in ("--policy", policy_id)]


def test_findings_json_is_what_check_writes_for_the_same_run(example, tmp_path):
    assert check_json(tmp_path / "check.json", *estate_policy_options()).exit_code == 1
    written = (example / "findings.json").read_bytes()
    assert written == (tmp_path / "check.json").read_bytes()
    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(written))


def test_owners_are_ranked_by_money_at_stake(example):
    document = json.loads((example / "findings.json").read_text())
    stakes = money_at_stake(document)
    assert {currency: round(amount, 2) for currency, amount in stakes["search"].items()} == {
        "USD": Decimal("1017.67"), "EUR": Decimal("3.36")}  # overspend 973.21 + savings 44.46; savings 3.36 EUR
    index = Page((example / "index.html").read_text())
    ranking = [link.removeprefix("owners/").removesuffix(".html") for link in index.links() if link.startswith("owners/")]
    ranking = list(dict.fromkeys(ranking))  # the ranking table links each owner first; the showback tables link them again
    # USD has the most at stake in the estate: owners rank by their USD amount, then EUR
    expected = sorted(stakes, key=lambda owner: (-stakes[owner].get("USD", 0), -stakes[owner].get("EUR", 0)))
    assert ranking == expected == ["finops", "search", "payments", "data-platform"]
    assert "1,161.90 USD" in index.text  # finops: 905.77 unallocated + 254.59 unused commitment + 1.53 saving
    assert "1,017.67 USD; 3.36 EUR" in index.text  # never one sum of two currencies


def test_each_owner_page_links_back_and_shows_its_own_findings(example):
    document = json.loads((example / "findings.json").read_text())
    for owner in ("data-platform", "finops", "payments", "search"):
        page = Page((example / "owners" / f"{owner}.html").read_text())
        assert "../index.html" in page.links()
        rows = page.tags("tr")
        mine = [f for f in document["findings"] if f["owner"] == owner]
        assert len(rows) >= len(mine) + 1
        for finding in mine:
            assert finding["message"] in page.text
        ids = {f["resource"]["id"] for f in mine if f["resource"]}
        others = {f["resource"]["id"] for f in document["findings"] if f["owner"] != owner and f["resource"]} - ids
        assert others and not [rid for rid in others if rid in page.text]


def test_budget_burn_and_commitments_come_from_the_findings(example):
    search = Page((example / "owners" / "search.html").read_text()).text
    assert "Budget burn" in search and "1,190.11 USD of 400.00 USD" in search and "1,373.21 USD of 400.00 USD" in search
    finops = Page((example / "owners" / "finops.html").read_text()).text
    assert "Commitment utilization" in finops and "50.0%" in finops and "Commitment coverage" in finops


def test_without_cost_data_spend_says_what_it_needs(tmp_path):
    assert check_json(tmp_path / "f.json").exit_code == 1
    result = run("report", "--findings", tmp_path / "f.json", "--output", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "out" / "findings.json").read_bytes() == (tmp_path / "f.json").read_bytes()
    index = Page((tmp_path / "out" / "index.html").read_text()).text
    assert "Not shown: built from --findings without --costs" in index
    assert "run the report with --costs" in (tmp_path / "out" / "summary.md").read_text().replace("\\", "")
    assert not (tmp_path / "out" / "chargeback.csv").exists()


def test_findings_cannot_be_mixed_with_inputs_that_would_be_evaluated(tmp_path):
    assert check_json(tmp_path / "f.json").exit_code == 1
    result = run("report", "--findings", tmp_path / "f.json", "--inventory", EXAMPLES / "inventory.json", "--output", tmp_path / "o")
    assert result.exit_code == 2
    assert "--findings reads an evaluated run: --inventory would be evaluated" in result.output
    assert not (tmp_path / "o").exists()


def test_a_broken_findings_file_is_located_and_nothing_is_written(tmp_path):
    (tmp_path / "f.json").write_text('{"schema_version": "1",\n "findings": [}\n')
    result = run("report", "--findings", tmp_path / "f.json", "--output", tmp_path / "o")
    assert result.exit_code == 2
    assert f"{tmp_path / 'f.json'}:2:15: E474 not a findings document: not valid JSON" in result.output
    (tmp_path / "g.json").write_text('{"schema_version": "1", "tool": {"name": "costwarden", "version": "x"}, "as_of": 5,\n'
                                     ' "summary": {}, "findings": [], "errors": [], "warnings": []}\n')
    result = run("report", "--findings", tmp_path / "g.json", "--output", tmp_path / "o")
    assert result.exit_code == 2
    assert "E203" in result.output and "(at /as_of)" in result.output
    assert not (tmp_path / "o").exists()


def test_findings_of_every_readable_schema_version_make_a_report_and_a_newer_one_is_refused(tmp_path):
    assert check_json(tmp_path / "f.json").exit_code == 1
    document = json.loads((tmp_path / "f.json").read_text())
    assert document["schema_version"] == "1.1"
    older = {key: value for key, value in document.items() if key != "change"} | {"schema_version": "1"}
    (tmp_path / "old.json").write_text(json.dumps(older))
    result = run("report", "--findings", tmp_path / "old.json", "--output", tmp_path / "o")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "o" / "index.html").exists()
    (tmp_path / "new.json").write_text(json.dumps(document | {"schema_version": "2.0"}))
    result = run("report", "--findings", tmp_path / "new.json", "--output", tmp_path / "n")
    assert result.exit_code == 2
    assert "E475 findings of schema version 2.0, newer than this costwarden's (1.1) (at /schema_version); upgrade costwarden" in result.output
    assert not (tmp_path / "n").exists()


def test_no_split_puts_every_owner_on_the_index(tmp_path):
    assert report(tmp_path / "one", "--no-split").exit_code == 1
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["chargeback.csv", "findings.json", "index.html", "summary.md"]
    index = Page((tmp_path / "one" / "index.html").read_text())
    anchors = list(dict.fromkeys(link for link in index.links() if link.startswith("#")))
    assert anchors == ["#owner-finops", "#owner-search", "#owner-payments", "#owner-data-platform"]
    ids = {attrs.get("id") for _, attrs in index.elements}
    assert {anchor[1:] for anchor in anchors} <= ids


def test_previous_runs_give_new_persisting_and_resolved(tmp_path):
    """Last month's estate is the example inventory; this month's (examples/baseline/inventory-next.json) fixes some
    findings and adds others."""
    assert check_json(tmp_path / "before.json", "--inventory", EXAMPLES / "baseline" / "inventory-next.json").exit_code == 1
    before = json.loads((tmp_path / "before.json").read_text())
    before["as_of"] = "2026-11-01T00:00:00Z"  # last month's run
    (tmp_path / "before.json").write_text(json.dumps(before))
    assert report(tmp_path / "out", "--previous", tmp_path / "before.json").exit_code == 1
    now = json.loads((tmp_path / "out" / "findings.json").read_text())
    was = {f["fingerprint"]: f for f in before["findings"] if f["status"] == "open"}
    is_ = {f["fingerprint"]: f for f in now["findings"] if f["status"] == "open"}
    classes = {"new": [is_[k] for k in is_.keys() - was.keys()], "persisting": [is_[k] for k in is_.keys() & was.keys()],
               "resolved": [was[k] for k in was.keys() - is_.keys()]}
    assert classes["new"] and classes["resolved"]  # the comparison has something to show
    order = [currency for currency, _ in sorted(at_stake_per_currency(now["findings"]).items(), key=lambda item: -item[1])]
    words = []
    for klass, verb in (("new", "at stake"), ("persisting", "at stake"), ("resolved", "was at stake")):
        amounts = at_stake_per_currency(classes[klass])
        money = "; ".join(f"{cents(amounts[c]):,} {c}" for c in order + sorted(set(amounts) - set(order)) if amounts.get(c))
        words.append(f"{len(classes[klass])} {klass}" + (f" ({money} {verb})" if money else ""))
    assert any("at stake" in word for word in words)
    index = Page((tmp_path / "out" / "index.html").read_text()).text
    assert ", ".join(words) in index
    summary = (tmp_path / "out" / "summary.md").read_text().replace("\\", "")
    assert f"Since the run as of {before['as_of']}**: " + ", ".join(words) + " open findings" in summary


def at_stake_per_currency(findings) -> dict[str, Decimal]:
    """Σ of the money-at-stake fields of ``findings`` (overspend, unallocated, unused commitment, savings), per currency."""
    out: dict[str, Decimal] = {}
    for finding in findings:
        for name in AT_STAKE:
            money = finding["money"][name]
            if money is not None:
                out[money["currency"]] = out.get(money["currency"], Decimal(0)) + Decimal(money["amount"])
    return out


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")


def test_the_latest_of_several_previous_runs_is_compared_with(tmp_path):
    assert check_json(tmp_path / "a.json", "--inventory", EXAMPLES / "baseline" / "inventory-next.json").exit_code == 1
    document = json.loads((tmp_path / "a.json").read_text())
    document["as_of"] = "2026-10-01T00:00:00Z"
    (tmp_path / "old.json").write_text(json.dumps(document))
    document["as_of"] = "2026-11-01T00:00:00Z"
    (tmp_path / "a.json").write_text(json.dumps(document))
    document["as_of"] = "2026-12-01T00:00:00Z"  # this run's own instant: not an earlier run
    (tmp_path / "same.json").write_text(json.dumps(document))
    assert report(tmp_path / "out", "--previous", tmp_path / "a.json", "--previous", tmp_path / "old.json",
                  "--previous", tmp_path / "same.json").exit_code == 1
    assert "Compared with the run as of 2026-11-01T00:00:00Z" in Page((tmp_path / "out" / "index.html").read_text()).text


# --- the folder: all or nothing --------------------------------------------------------------------------

def test_a_folder_holding_other_files_is_refused_before_anything_is_evaluated(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = report(target)
    assert result.exit_code == 2
    assert f"{target}: E476 the folder holds files a report does not write (notes.txt)" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_a_report_folder_is_replaced_as_a_whole(tmp_path):
    target = tmp_path / "out"
    assert report(target).exit_code == 1
    (target / "owners" / "gone.html").write_text("an owner of an earlier run")
    assert report(target, "--no-split").exit_code == 1
    assert sorted(p.name for p in target.iterdir()) == ["chargeback.csv", "findings.json", "index.html", "summary.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_input_error_writes_nothing(tmp_path):
    result = report(tmp_path / "out", "--budgets", tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_the_old_report_and_no_temporary_folder(tmp_path):
    target = tmp_path / "out"
    folder.write_folder(str(target), {"index.html": "old", "owners/a.html": "old a"})

    def failing():
        yield b"half of the findings"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        folder.write_folder(str(target), {"index.html": "new", "findings.json": failing()})
    assert (target / "index.html").read_text() == "old" and (target / "owners" / "a.html").read_text() == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_folder_is_made_as_mkdir_would(tmp_path):
    old = os.umask(0o027)
    try:
        folder.write_folder(str(tmp_path / "out"), {"index.html": "x"})
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750


# --- exit codes, options, config, progress ---------------------------------------------------------------

def test_the_report_leaves_out_the_policies_of_a_change(example):
    """The monthly report is about the estate: the change policies (they price a Terraform plan, which the
    report does not take) are neither evaluated nor listed as not evaluated."""
    index = Page((example / "index.html").read_text()).text
    summary = (example / "summary.md").read_text()
    document = json.loads((example / "findings.json").read_text())
    for text in (index, summary):
        assert "Not evaluated" not in text and "--plan" not in text.replace("\\", "")
        assert "change-cost-increase" not in text and "change-within-budget" not in text
    assert document["summary"]["policies_skipped"] == []
    assert "18 policies over 16 resources" in index


def test_fail_on_sets_the_exit_code_as_for_check(tmp_path):
    assert report(tmp_path / "a", "--fail-on", "critical").exit_code == 0
    assert report(tmp_path / "b", "--fail-on", "high").exit_code == 1


@pytest.mark.parametrize("args, message", [
    ((), "give --inventory FILE and/or --costs FILE, or --findings FILE"),
    (("--inventory", "x.json", "--dry-run"), "--dry-run goes with --deliver"),
    (("--inventory", "x.json", "--from", "a@example.com"), "--from is the sender of emails"),
    (("--inventory", "x.json", "--deliver", "http://mail"), "--deliver 'http://mail': give an SMTP URL"),
    (("--costs", "x.csv", "--policy", "change-cost-increase"), "--policy change-cost-increase: a change policy prices a Terraform plan"),
    (("--costs", "x.csv", "--label", "change"), "no estate policy matches --policy/--label (the report leaves out change policies)"),
])
def test_usage_errors(tmp_path, args, message):
    result = run("report", "--output", tmp_path / "o", *args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_options_come_from_the_config_file(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "costwarden.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Config\nreport:\n"
        f"  inventory: {EXAMPLES / 'inventory.json'}\n  ownership: {EXAMPLES / 'ownership.yaml'}\n"
        "  as-of: 2026-11-27\n  output: reports/latest\n  split: false\n")
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run("report")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in (tmp_path / "reports" / "latest").iterdir()) == ["findings.json", "index.html", "summary.md"]


def test_progress_only_on_a_terminal_and_never_in_ci(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    shown, quiet, in_ci, piped = Terminal(), Terminal(), Terminal(), io.StringIO()
    ticks = iter(range(100))
    for stream, options in ((shown, {}), (quiet, {"quiet": True}), (in_ci, {"env": {"CI": "true"}}), (piped, {})):
        progress = Progress(stream=stream, env=options.get("env", {}), quiet=options.get("quiet", False),
                            clock=lambda: next(ticks))
        progress("evaluating the policies")
        progress.done()
    assert "costwarden report: evaluating the policies (1.0 s)" in shown.getvalue()
    assert shown.getvalue().endswith("\r")  # the line is cleared at the end
    assert quiet.getvalue() == in_ci.getvalue() == piped.getvalue() == ""


def test_the_command_writes_nothing_to_standard_output_without_delivery(tmp_path):
    result = report(tmp_path / "o")
    assert result.stdout == ""
    assert Path(tmp_path / "o" / "index.html").exists()


# --- showback, chargeback, history -------------------------------------------------------------------------

def test_chargeback_adds_up_to_the_periods_spend_per_currency(example):
    """chargeback.csv's totals, per currency, against Σ EffectiveCost of November's rows read here with DuckDB."""
    import csv

    import duckdb

    rows = list(csv.DictReader((example / "chargeback.csv").open(newline="")))
    assert rows and set(rows[0]) == {"owner", "currency", "direct", "total", "measure", "period"}
    charged: dict[str, Decimal] = {}
    for row in rows:
        charged[row["currency"]] = charged.get(row["currency"], Decimal(0)) + Decimal(row["total"])
        assert (row["measure"], row["period"]) == ("EffectiveCost", "2026-11")
    focus = EXAMPLES / "costs" / "focus-2026-11.csv"
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    spent = dict(con.execute(
        "SELECT BillingCurrency, sum(CAST(EffectiveCost AS DECIMAL(38,12))) FROM read_csv(?, all_varchar=true) "
        "WHERE CAST(ChargePeriodStart AS TIMESTAMPTZ) >= TIMESTAMPTZ '2026-11-01 00:00:00+00' "
        "AND CAST(ChargePeriodStart AS TIMESTAMPTZ) < TIMESTAMPTZ '2026-12-01 00:00:00+00' GROUP BY ALL", [str(focus)]).fetchall())
    assert charged == spent


def test_every_team_of_the_directory_gets_a_page_with_its_spend_and_scorecard(example):
    payments = Page((example / "owners" / "payments.html").read_text()).text
    assert "Spend in 2026-11" in payments and "481.39 USD" in payments
    assert "FinOps scorecard" in payments and "tag coverage by cost" in payments
    index = Page((example / "index.html").read_text()).text
    assert "Owners ranked by scorecard" in index and "Unallocated" in index


def test_unassigned_and_unallocated_spend_are_two_figures_each_labelled(example):
    """Unassigned spend (no team owns it: the showback's row) and unallocated spend (no allocation tags: the tag-coverage
    finding) each against a hand-written DuckDB query over the export; the unassigned figure is negative because of a
    credit no step assigns, and the index says so."""
    unassigned = _unassigned_by_resource()
    totals: dict[str, Decimal] = {}
    for (currency, _), amount in unassigned.items():
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    assert totals["USD"] < 0  # a -25.00 USD credit of the GCP project acme-search-prod, which no step maps
    index = Page((example / "index.html").read_text()).text
    assert f"Unassigned spend (EffectiveCost){_money(totals['USD'], 'USD')}" in index
    assert not re.search(r"(?i)unallocated[^.]*" + re.escape(_money(totals["USD"], "USD")), index)  # one word, one figure
    part = _section(index, "that the ownership chain assigns to no team", "No Allocation document")
    assert "Credit -25.00 USD" in part and "It is below zero: its credits and refunds (-25.00 USD)" in part
    for (currency, resource), amount in unassigned.items():
        assert (resource or "(no resource)") in part and _money(amount, currency) in part
    untagged = _untagged_cost()
    ranking = _section(index, "Owners ranked by money at stake", "At a glance")
    assert "Unallocated (EffectiveCost)" in ranking and _money(untagged["USD"], "USD") in ranking
    assert _money(untagged["USD"], "USD") != _money(totals["USD"], "USD")
    summary = (example / "summary.md").read_text().replace("\\", "")
    assert f"unallocated (EffectiveCost): {_money(untagged['USD'], 'USD')}" in summary
    assert f"Unassigned spend (EffectiveCost): {_money(totals['USD'], 'USD')}" in summary
    assert f"| Unassigned | {_money(totals['USD'], 'USD')} |" in summary


def test_an_owner_can_claim_only_resources_of_the_unassigned_spend(tmp_path):
    """The example export's unassigned rows, by the hand-written query, hold one resource: the GCP snapshot
    search-query-7-2020-12-31 (untagged, in the unmapped project acme-search-prod). With an inventory that tags it team
    search, search's page lists it, at the query's amount, and nothing else: legacy-batch (account 222222222222 is
    search's), vol-0a1b2c3d4e5f60012 and the disk search-query-old-data (tagged team search) lack only the cost-center
    tag — their cost is search's spend already, so there is nothing to claim."""
    inventory = json.loads((EXAMPLES / "inventory.json").read_text())
    snapshot = "//compute.googleapis.com/projects/acme-search-prod/global/snapshots/search-query-7-2020-12-31"
    [entry] = [r for r in inventory["resources"] if r["id"] == snapshot]
    entry["tags"] = {"team": "search"}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    args = list(EXAMPLE_INPUTS_WITHOUT_INVENTORY) + ["--inventory", tmp_path / "inventory.json"]
    result = run("report", *args, "--output", tmp_path / "out")
    assert result.exit_code == 1, result.output
    resources = {resource for (_, resource) in _unassigned_by_resource() if resource is not None}
    assert resources == {snapshot}
    search = _section(Page((tmp_path / "out" / "owners" / "search.html").read_text()).text,
                      "Unassigned spend you could claim", "FinOps scorecard")
    assert snapshot in search and _money(_unassigned_by_resource()[("USD", snapshot)], "USD") in search
    for not_unassigned in ("i-0a1b2c3d4e5f60004", "legacy-batch", "vol-0a1b2c3d4e5f60012", "search-query-old-data"):
        assert not_unassigned not in search
    for owner in ("data-platform", "payments", "finops"):  # the example's claims of tag-coverage resources are gone
        page = _section(Page((tmp_path / "out" / "owners" / f"{owner}.html").read_text()).text,
                        "Unassigned spend you could claim", "FinOps scorecard")
        assert "is yours by the inventory" in page and "arn:" not in page
    # with the example inventory (the snapshot untagged, so nobody's), no owner has anything to claim
    finops = _section(Page((tmp_path / "out" / "owners" / "finops.html").read_text()).text, "Unassigned spend you could claim",
                      "FinOps scorecard")
    assert "None of the resources in the unassigned spend (-23.69 USD, EffectiveCost" in finops


def test_a_history_file_gives_the_trend_and_the_earlier_kpis(tmp_path):
    history = tmp_path / "history.duckdb"
    common = ("--policies", ROOT / "policies", "--inventory", EXAMPLES / "inventory.json", "--costs",
              EXAMPLES / "costs" / "focus-2026-11.csv", "--budgets", EXAMPLES / "budgets.yaml", "--ownership",
              EXAMPLES / "ownership.yaml", "--history", history)
    first = run("report", *common, "--as-of", "2026-11-20", "--output", tmp_path / "mid")
    assert first.exit_code == 1, first.output
    assert "No earlier run to compare with" in Page((tmp_path / "mid" / "index.html").read_text()).text
    second = run("report", *common, "--period", "2026-11", "--output", tmp_path / "end")
    assert second.exit_code == 1, second.output
    index = Page((tmp_path / "end" / "index.html").read_text()).text
    assert "Compared with the run as of 2026-11-20T00:00:00Z (history run 1)" in index
    payments = Page((tmp_path / "end" / "owners" / "payments.html").read_text()).text
    assert "2026-11-20: " in payments  # the KPIs of the earlier run, beside this run's


def test_chargeback_csv_cells_are_neutralised():
    from datetime import datetime

    from engine.report.showback_view import chargeback_csv
    from engine.showback import Chargeback, ChargebackLine, Window

    window = Window("2026-11", datetime(2026, 11, 1), datetime(2026, 12, 1), datetime(2026, 12, 1), None)
    lines = (ChargebackLine('=HYPERLINK("https://evil.example","x")', "Evil", "USD", Decimal("-12.5"), {"@rule": Decimal("1")}),)
    text = chargeback_csv(Chargeback("EffectiveCost", window, ("@rule",), lines, {"USD": Decimal("-11.5")}))
    header, row = text.split("\r\n")[:2]
    assert header == "owner,currency,direct,allocated:@rule,total,measure,period"
    assert row == '"\'=HYPERLINK(""https://evil.example"",""x"")",USD,-12.5,1,-11.5,EffectiveCost,2026-11'


def test_findings_with_costs_gives_the_showback_of_the_documents_period(example, tmp_path):
    result = run("report", "--findings", example / "findings.json", "--costs", EXAMPLES / "costs" / "focus-2026-11.csv",
                 "--ownership", EXAMPLES / "ownership.yaml", "--budgets", EXAMPLES / "budgets.yaml", "--output", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "out" / "chargeback.csv").read_bytes() == (example / "chargeback.csv").read_bytes()
    assert (tmp_path / "out" / "findings.json").read_bytes() == (example / "findings.json").read_bytes()


def test_sigterm_while_writing_leaves_no_temporary_folder(tmp_path):
    import signal
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal
        from engine.report.folder import write_folder

        def pieces():
            yield b"half of the findings"
            os.kill(os.getpid(), signal.SIGTERM)
            yield b"never written"

        write_folder({str(tmp_path / 'out')!r}, {{"index.html": "new", "findings.json": pieces()}})
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_money_figure_of_an_owner_says_what_it_is_measured_in(example):
    """Search's November: 720.10 USD of EffectiveCost (amortized) is its spend, 1,190.11 USD of BilledCost (the
    reserved instance's purchase billed up front) its budget burn — both against a hand-written DuckDB query over the
    export — and every figure of the page names its column: spend, budget burn, the scorecard's forecast, the
    findings' money."""
    effective, billed = spend_of("search")["USD"], spend_of("search", "billed")["USD"]
    assert effective != billed
    page = Page((example / "owners" / "search.html").read_text()).text
    assert f"Spend (USD, EffectiveCost){_money(effective, 'USD')}" in page
    assert "Change from 2026-10 (EffectiveCost)—" in page  # nothing of October anywhere: no change, and the page says why
    assert "No change: neither the cost data nor a history holds 2026-10" in page
    assert "Spend per period (USD, EffectiveCost)" in page and "Spend by service (USD, EffectiveCost)" in page
    burn = _section(page, "Budget burn", "Waste and rightsizing savings")
    assert "(team-monthly-budget, BilledCost)" in burn and "Spent so far (BilledCost)" in burn
    assert f"({_money(billed, 'USD')} of 400.00 USD)" in burn
    assert "Forecast for the period (BilledCost)" in burn
    card = _section(page, "FinOps scorecard", "Budget burn")
    forecast = effective * 30 / 26  # the export's usage reaches 27 November 00:00: 26 of November's 30 days
    assert f"(forecast {_money(forecast, 'USD')} against a budget of 400.00 USD, EffectiveCost)" in card
    assert "run-rate forecast of EffectiveCost against the budget" in card
    assert "Saving per month (estimated)" in page
    assert "overspend 973.21 USD (BilledCost)" in page  # the budget finding's money, in its policy's measure
    index = Page((example / "index.html").read_text()).text
    for label in ("Overspend (BilledCost)", "Unallocated (EffectiveCost)", "Unused commitment (EffectiveCost)",
                  "Savings / month (estimated)", "Spend 2026-11 (EffectiveCost)", "Unassigned spend (EffectiveCost)"):
        assert label in index
    summary = (example / "summary.md").read_text().replace("\\", "")
    for label in ("overspend (BilledCost)", "unallocated (EffectiveCost)", "unused commitment (EffectiveCost)",
                  "savings/month (estimated)", "Spend in 2026-11 (EffectiveCost)", "Total (EffectiveCost)"):
        assert label in summary


def test_the_allocation_scorecard_and_rates_documents_are_all_checked_before_any_problem_is_said(tmp_path):
    (tmp_path / "al.yaml").write_text("apiVersion: costwarden/v1\nkind: Allocation\nid: a\nrules:\n  - id: x\n    select: {Bogus: [a]}\n")
    (tmp_path / "sc.yaml").write_text("apiVersion: costwarden/v1\nkind: Scorecard\nid: s\nkpis:\n  tag_coverage:\n"
                                      "    levels: {walk: 90, run: 80}\n")
    result = run("report", "--costs", EXAMPLES / "costs" / "focus-2026-11.csv", "--ownership", EXAMPLES / "ownership.yaml",
                 "--allocation", tmp_path / "al.yaml", "--scorecard", tmp_path / "sc.yaml", "--as-of", "2026-11-27",
                 "--output", tmp_path / "r")
    assert result.exit_code == 2
    assert f"{tmp_path / 'al.yaml'}:6:14: E360 'Bogus' is not a FOCUS text column" in result.output
    assert f"{tmp_path / 'sc.yaml'}:6:13: E363 run (80) is below walk (90)" in result.output
    assert not (tmp_path / "r").exists()
