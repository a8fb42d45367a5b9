"""The policy catalog: what ``costwarden docs`` publishes for the teams a policy library governs.

:func:`build_catalog` loads a policy folder (the built-in library or a team's own, with the policy
sets among the paths applied) and its policy tests, and gathers per policy what a reader needs:
title, description, type, severity, enforcement, labels, remediation, the resources it selects,
its parameters (the values after policy sets, beside their defaults), its settings, and examples
taken from its policy tests — the fixture resources (or cost scopes) a case expects to fail
(non-compliant) or to pass (compliant).

:data:`FORMATS` renders a catalog as files — an index by capability (the library's folders) and by
label, and a page per policy — in Markdown or self-contained HTML, every value from the policies
escaped for its target (:mod:`engine.outputs.escaping`). :func:`write_folder` writes the files as
one folder, atomically (:mod:`engine.catalog.folder`).
"""

from __future__ import annotations

from engine.catalog.html_pages import html_files
from engine.catalog.markdown_pages import markdown_files
from engine.catalog.model import Catalog, Entry, Example, build_catalog
from engine.catalog.folder import write_folder

FORMATS = {"markdown": markdown_files, "html": html_files}

__all__ = ["FORMATS", "Catalog", "Entry", "Example", "build_catalog", "write_folder"]
