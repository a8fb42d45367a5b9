"""Inventory snapshots: cloud resources, their tags, sizes and utilization, from files.

``load_inventory(paths)`` reads costwarden's own format and the exports users already have (see
:data:`engine.inventory.adapters.ADAPTERS`), and merges them by (provider, resource id).
"""

from engine.inventory.adapters import ADAPTERS, detect_format
from engine.inventory.merge import Conflict, merge_key
from engine.inventory.reading import DEFAULT_MAX_BYTES
from engine.inventory.resource import RESOURCE_KEYS
from engine.inventory.snapshot import Inventory, load_inventory
from engine.inventory.types import CLASSES, classify, provider_of_type

__all__ = [
    "ADAPTERS",
    "CLASSES",
    "DEFAULT_MAX_BYTES",
    "RESOURCE_KEYS",
    "Conflict",
    "Inventory",
    "classify",
    "detect_format",
    "load_inventory",
    "merge_key",
    "provider_of_type",
]
