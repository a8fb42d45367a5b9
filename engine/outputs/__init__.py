"""Output formats: one table, format name -> renderer ``(result, options) -> str``."""

from __future__ import annotations

from engine.outputs import json_format, text_format

FORMATS = {
    "text": text_format.render,
    "json": json_format.render,
}
