"""Reading the report's own documents: one ``Allocation`` or ``Scorecard`` document per file.

Stages 1 to 3 are those of every document (:mod:`engine.documents.loader`: YAML, envelope, the
kind's schema); the kind's module then compiles it and adds its own located problems, also when
the schema refused the document (on its parts of the right shape). Every problem of the file is
reported at once (:class:`~engine.errors.InputError`: the CLI exits 2). ``costwarden validate``
runs the same compilers (:data:`COMPILERS`) on the documents of these kinds it finds.
A file holding something else than one document of the kind is ``E319``; a document of another
kind is ``E204`` at its ``kind``.
"""

from __future__ import annotations

from engine.documents import schemas
from engine.documents.loader import check_envelope, read_documents
from engine.documents.stages import without_superseded
from engine.errors import InputError, Problem
from engine.showback.allocation import Allocation, compile_allocation
from engine.showback.settings import ScorecardSettings, compile_scorecard

# kind -> its compiler (document, problems) -> compiled or None
COMPILERS = {"Allocation": compile_allocation, "Scorecard": compile_scorecard}


def _load(path: str, kind: str):
    problems: list[Problem] = []
    docs = [doc for doc in read_documents(str(path), problems) if doc.data is not None]
    if problems:
        raise InputError(problems)
    if len(docs) != 1:
        found = "no document" if not docs else f"{len(docs)} documents"
        raise InputError([Problem("E319", f"expected one {kind} document, found {found}", str(path))])
    doc = docs[0]
    found_kind = check_envelope(doc, problems)
    if found_kind is not None and found_kind != kind:
        problems.append(doc.problem("E204", f"expected kind {kind}, found {found_kind}", "/kind"))
    if problems:
        raise InputError(problems)
    problems.extend(schemas.validate_document(doc, kind))
    compiled = COMPILERS[kind](doc, problems)  # on a document the schema refused too: every problem at once
    if problems or compiled is None:
        raise InputError(without_superseded(problems))
    return compiled


def load_allocation(path) -> Allocation:
    """The Allocation document of ``path`` (see :mod:`engine.showback.allocation`). Raises InputError."""
    return _load(path, "Allocation")


def load_scorecard(path) -> ScorecardSettings:
    """The Scorecard document of ``path`` (see :mod:`engine.showback.settings`). Raises InputError."""
    return _load(path, "Scorecard")
