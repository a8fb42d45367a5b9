"""Inventory input formats: one module per format, and the one table that lists them.

Each adapter is a pair of functions over a parsed JSON document (for JSON Lines, the list of the
lines' values):

* ``detect(doc) -> bool`` looks at the document's shape only (cheap; it may look at the first item);
* ``convert(doc, problems) -> list[dict]`` returns canonical resources (see
  :mod:`engine.inventory.resource`) and reports structural problems into ``problems`` with a path
  from the document's root.

Detection tries the table in order and takes the first match; ``format=NAME`` skips it.
"""

from __future__ import annotations

from typing import Callable

from engine.inventory.adapters import aws_config, aws_tagging, azure_resource_graph, costwarden, gcp_asset_inventory
from engine.inventory.problems import StructureProblems

Detect = Callable[[object], bool]
Convert = Callable[[object, StructureProblems], "list[dict]"]

ADAPTERS: dict[str, tuple[Detect, Convert]] = {
    "costwarden": (costwarden.detect, costwarden.convert),
    "aws-tagging": (aws_tagging.detect, aws_tagging.convert),
    "aws-config": (aws_config.detect, aws_config.convert),
    "azure-resource-graph": (azure_resource_graph.detect, azure_resource_graph.convert),
    "gcp-asset-inventory": (gcp_asset_inventory.detect, gcp_asset_inventory.convert),
}


def detect_format(doc: object) -> str | None:
    """The name of the first adapter whose ``detect`` accepts the document, or None."""
    for name, (detect, _) in ADAPTERS.items():
        if detect(doc):
            return name
    return None
