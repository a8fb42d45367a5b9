"""Lines and columns in a JSON document read as data: for problems located in findings, baseline and earlier-run files.

Those files are read with orjson (fast, no positions). When one has a problem, :func:`located` reads the
bytes again as YAML (JSON is YAML) to give each node its line and column, and returns the
:class:`~engine.documents.yaml_loader.YamlDocument` whose ``problem(...)`` and whose use by
:func:`engine.documents.schemas.validate` place the problem. A file larger than :data:`LIMIT`, or one the
YAML reader refuses, gives a document without positions: its problems name the file and the JSON pointer.
"""

from __future__ import annotations

from dataclasses import replace

from engine.documents.yaml_loader import YamlDocument, load_yaml_documents
from engine.errors import InputError

LIMIT = 32 * 1024 * 1024  # files larger than this are not read again for lines and columns


def located(path: str, data: bytes, document) -> YamlDocument:
    """``document`` (read from ``data``, the bytes of ``path``) with the line and column of each node, or without them."""
    if len(data) <= LIMIT:
        try:
            (doc,) = load_yaml_documents(data, path)
            return replace(doc, data=document)
        except (InputError, ValueError):
            pass
    return YamlDocument(document, path, 0, {})
