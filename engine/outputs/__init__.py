"""Output formats: one table, format name -> renderer ``(result, *, version, color, shorten) -> str``.

The reference of each format (mapping, escaping, examples) is ``docs/outputs.md``.
"""

from __future__ import annotations

from engine.outputs import csv_format, github_format, json_format, junit_format, markdown_format, sarif_format, text_format

FORMATS = {
    "text": text_format.render,
    "json": json_format.render,
    "sarif": sarif_format.render,
    "junit": junit_format.render,
    "github": github_format.render,
    "markdown": markdown_format.render,
    "csv": csv_format.render,
}
