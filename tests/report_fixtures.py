"""What the report tests share: the example estate's report command, and reading its pages back."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

from click.testing import CliRunner

from engine.cli import main
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
EXAMPLE_INPUTS_WITHOUT_INVENTORY = ("--policies", str(ROOT / "policies"), "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"),
                                    "--budgets", str(EXAMPLES / "budgets.yaml"), "--prices", str(EXAMPLES / "prices.csv"),
                                    "--ownership", str(EXAMPLES / "ownership.yaml"), "--period", "2026-11")
EXAMPLE_INPUTS = (*EXAMPLE_INPUTS_WITHOUT_INVENTORY, "--inventory", str(EXAMPLES / "inventory.json"))


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def report(out, *args):
    """costwarden report over the example estate (November 2026) into ``out``."""
    return run("report", *EXAMPLE_INPUTS, "--output", out, *args)


def check_json(path, *args):
    """costwarden check over the example estate, its JSON written to ``path``."""
    return run("check", *EXAMPLE_INPUTS, "--format", "json", "--output", path, *args)


class Page(HTMLParser):
    """An HTML page read as a browser's parser reads it: its elements with their attributes, its text,
    and the text inside each element of interest."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self.stack: list[str] = []
        self.in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if not self.in_style:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def links(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.elements if "href" in attrs]


# --- the example export read without the engine: hand-written DuckDB over the FOCUS file ----------------------

FOCUS = EXAMPLES / "costs" / "focus-2026-11.csv"


def focus_rows(con, path=FOCUS, start="2026-11-01", end="2026-12-01") -> None:
    """A view ``rows`` of the export's rows with ``start <= ChargePeriodStart < end``: every cell text, money cast
    exactly, the team and owner tags lower-cased, the owner column as examples/ownership.yaml's chain assigns it."""
    import yaml

    directory = yaml.safe_load((EXAMPLES / "ownership.yaml").read_text())

    def names(team) -> str:
        return ", ".join(sql_text(name.lower()) for name in
                         [team["id"], *team.get("aliases", []), *team.get("members", []), *team.get("contacts", [])])

    def by_tag(tag: str) -> str:
        return " ".join(f"WHEN {tag} IN ({names(team)}) THEN {sql_text(team['id'])}" for team in directory["teams"])

    steps = directory["resolution"]
    assert [next(iter(step)) for step in steps] == ["tag", "tag", "accounts", "resource_ids", "default"]  # as written below
    by_account = " ".join(f"WHEN SubAccountId = {sql_text(account)} THEN {sql_text(team)}"
                          for step in steps if "accounts" in step for account, team in step["accounts"].items())
    by_id = " ".join(f"WHEN ResourceId GLOB {sql_text(p['pattern'])} THEN {sql_text(p['team'])}"
                     for step in directory["resolution"] if "resource_ids" in step for p in step["resource_ids"])
    con.execute("SET TimeZone='UTC'")
    con.execute(f"""CREATE VIEW tagged AS SELECT *, CAST(EffectiveCost AS DECIMAL(38,12)) AS cost,
                    CAST(BilledCost AS DECIMAL(38,12)) AS billed,
                    lower(json_extract_string(Tags, '$.team')) AS team_tag, lower(json_extract_string(Tags, '$.owner')) AS owner_tag,
                    json_extract_string(Tags, '$."cost-center"') AS cost_center
                    FROM read_csv({sql_text(str(path))}, all_varchar=true, nullstr=['', 'NULL'])
                    WHERE CAST(ChargePeriodStart AS TIMESTAMPTZ) >= TIMESTAMPTZ '{start} 00:00:00+00'
                    AND CAST(ChargePeriodStart AS TIMESTAMPTZ) < TIMESTAMPTZ '{end} 00:00:00+00'""")
    con.execute(f"""CREATE VIEW rows AS SELECT *, coalesce(CASE {by_tag('team_tag')} END, CASE {by_tag('owner_tag')} END,
                    CASE {by_account} END, CASE {by_id} END) AS owner FROM tagged""")


def sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def query(sql: str, path=FOCUS, start="2026-11-01", end="2026-12-01") -> list:
    import duckdb

    con = duckdb.connect()
    focus_rows(con, path, start, end)
    return con.execute(sql).fetchall()


def unassigned_by_resource() -> dict:
    """{(currency, ResourceId or None): Σ EffectiveCost} of November's rows the chain gives no team (only the default
    step is left for them)."""
    return {(currency, resource): amount for currency, resource, amount in
            query("SELECT BillingCurrency, ResourceId, sum(cost) FROM rows WHERE owner IS NULL GROUP BY ALL")}


def untagged_cost() -> dict:
    """{currency: Σ EffectiveCost} of November's rows above 0 that lack the team or the cost-center tag
    (the built-in allocation-tag-coverage policy's unallocated spend)."""
    return dict(query("SELECT BillingCurrency, sum(cost) FROM rows WHERE cost > 0 AND "
                      "(team_tag IS NULL OR cost_center IS NULL OR trim(cost_center) = '') GROUP BY ALL"))


def spend_of(owner: str, column: str = "cost", path=FOCUS, start="2026-11-01", end="2026-12-01") -> dict:
    """{currency: Σ column} of the owner's rows (``cost``: EffectiveCost, ``billed``: BilledCost)."""
    return dict(query(f"SELECT BillingCurrency, sum({column}) FROM rows WHERE owner = {sql_text(owner)} GROUP BY ALL", path, start, end))


def section(text: str, heading: str, following: str) -> str:
    """The text of a page from ``heading`` to ``following``."""
    start = text.index(heading)
    return text[start:text.index(following, start)]


def money(amount: Decimal, currency: str) -> str:
    """An amount as the report shows it: cents, half-even, thousands separated, the currency after."""
    return f"{amount.quantize(Decimal('0.01'), rounding='ROUND_HALF_EVEN'):,} {currency}"
