"""docs/limits.md, the rows of cost files, price tables and Budgets amounts: their values are the
constants in the code, and their message examples are what the loaders print (each produced here).
(tests/test_limits_doc.py holds the page's table and the other inputs' rows.)"""

from __future__ import annotations

import pytest

from engine.amounts import MANTISSA_DIGITS, MANTISSA_INTEGER_DIGITS, MAX_EXPONENT, MIN_EXPONENT, MONEY_INTEGER_DIGITS, MONEY_SCALE
from engine.costs.paths import STREAM_LIMIT
from engine.costs.reader import DISK_THRESHOLD, LINE_BYTES, MAX_LINE_BYTES, load_costs
from engine.errors import InputError
from engine.library import load_library
from engine.pricing.table import MAX_BYTES as PRICE_TABLE_BYTES
from engine.pricing.table import load_price_table
from tests.test_limits_doc import row

MiB, GiB = 2**20, 2**30
COSTS, PRICES, BUDGETS = "cost file", "price table", "Budgets document"
HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd\n"

VALUES = {
    (COSTS, "size of a named pipe"): [f"{STREAM_LIMIT // GiB} GiB"],
    (COSTS, "length of a CSV line"): [f"{MAX_LINE_BYTES // MiB} MiB", f"{LINE_BYTES // MiB} MiB"],
    (COSTS, "input held in memory"): [f"{DISK_THRESHOLD // MiB} MiB"],
    (COSTS, "a money or quantity amount"): [f"10^{MONEY_INTEGER_DIGITS}", f"{MONEY_INTEGER_DIGITS} digits"],
    (COSTS, "an amount in scientific notation"): [f"{MANTISSA_DIGITS} digits", f"{MANTISSA_INTEGER_DIGITS} of them",
                                                  f"from {MIN_EXPONENT} to {MAX_EXPONENT}"],
    (COSTS, "decimal places of an amount"): [f"{MONEY_SCALE};"],
    (COSTS, "the absolute values of one money column, over all the files of a run"): [f"10^{MONEY_INTEGER_DIGITS}"],
    (PRICES, "size of a file"): [f"{PRICE_TABLE_BYTES // MiB} MiB"],
    (PRICES, "a price"): [f"{MONEY_SCALE} decimal places"],
    (BUDGETS, "an amount"): [f"{MONEY_SCALE} decimal places"],
}


@pytest.mark.parametrize("key", VALUES, ids=lambda k: f"{k[0]}: {k[1]}")
def test_the_values_are_the_constants(key):
    value = row(*key)["value"]
    for part in VALUES[key]:
        assert part in value, (key, part, value)


def shown(problem) -> str:
    """The text after ``FILE[:LINE[:COLUMN]]: CODE `` (the hint included), as the page shows it."""
    return problem.format().split(f"{problem.code} ", 1)[1]


def cost_problem(write, *billed: str) -> str:
    rows = "".join(f"{b},1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z\n" for b in billed)
    path = write("costs.csv", HEADER + rows)
    with pytest.raises(InputError) as caught:
        load_costs([str(path)])
    return shown(caught.value.problems[0])


def price_problem(write, price: str, extra: str = "") -> str:
    path = write("prices.csv", f"provider,region,size,price,currency,unit\naws,*,m5.large,{price},USD,hour{extra}\n")
    with pytest.raises(InputError) as caught:
        load_price_table([str(path)])
    return shown(caught.value.problems[0])


def budget_problem(write, amount: str) -> str:
    path = write("b.yaml", f"apiVersion: costwarden/v1\nkind: Budgets\nid: b\ncurrency: USD\namounts: {{a: {amount}}}\n")
    with pytest.raises(InputError) as caught:
        load_library([str(path)])
    return shown(caught.value.problems[0]).split(" (at /", 1)[0]


EXAMPLES = {
    (COSTS, "a money or quantity amount"): lambda write: cost_problem(write, "1e30"),
    (COSTS, "an amount in scientific notation"): lambda write: cost_problem(write, ".01e27"),
    (COSTS, "the absolute values of one money column, over all the files of a run"): lambda write: cost_problem(write, "9" * 26, "9" * 26),
    (PRICES, "fields of a row"): lambda write: price_problem(write, "1", ",x"),
    (PRICES, "a price"): lambda write: price_problem(write, "0.0000000000001"),
    (BUDGETS, "an amount"): lambda write: budget_problem(write, "'1e30'"),
}


@pytest.mark.parametrize("key", EXAMPLES, ids=lambda k: f"{k[0]}: {k[1]}")
def test_the_message_examples_are_what_the_loaders_print(write, key):
    shown = row(*key)["message example"].strip("`")
    assert EXAMPLES[key](write) == shown
