"""Instance sizes: the size ladders (vCPU, memory, architecture per size, ordered within a family)
and the previous-generation map, as loaded from ``SizeLadders`` and ``GenerationMap`` documents."""

from engine.sizing.catalog import Catalog, Family, Size, builtin_catalog_files, compile_catalog

__all__ = ["Catalog", "Family", "Size", "builtin_catalog_files", "compile_catalog"]
