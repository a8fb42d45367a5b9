"""Pricing savings: price sources (in order), the user's price table, estimates with their source.

See :mod:`engine.pricing.sources` for the source interface and the order, :mod:`engine.pricing.table`
for the price table CSV, :mod:`engine.pricing.estimate` for how a saving is computed.
"""

from engine.pricing.sources import HOURS_PER_MONTH, Commitment, PriceSource, PriceSources, Quote, price_key
from engine.pricing.table import PriceTable, load_price_table


def price_sources(table: PriceTable | None = None, before: tuple = ()) -> PriceSources:
    """The chain the engine uses: ``before`` (the FOCUS sources, when the cost engine provides them),
    then the price table."""
    return PriceSources([*before, *([table] if table is not None else [])])


__all__ = ["HOURS_PER_MONTH", "Commitment", "PriceSource", "PriceSources", "PriceTable", "Quote", "load_price_table",
           "price_key", "price_sources"]
