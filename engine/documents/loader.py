"""Find and read YAML documents: the files under paths, each file's documents, their envelope, and
the schema of each document's kind (stages 1 to 3 of :mod:`engine.library`).

Every stage reports the same :class:`~engine.errors.Problem` type; callers collect problems and
raise one :class:`~engine.errors.InputError` holding all of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.documents import schemas
from engine.documents.yaml_loader import MAX_BYTES, YamlDocument, load_yaml_documents
from engine.errors import InputError, Problem
from engine.files import read_bounded

YAML_SUFFIXES = (".yaml", ".yml")


def find_yaml_files(paths, problems: list[Problem]) -> list[str]:
    """The YAML files under ``paths``, each once, in order (a folder's sorted).

    A file named two ways (``policies`` and ``./policies/../policies/a.yaml``, or through a
    symbolic link) is one file: the first name given is kept. In a folder, every ``*.yaml`` /
    ``*.yml`` entry that is not a folder is listed, whatever it is — a named pipe, a link to a
    device or to nothing — so that reading it says what it is instead of skipping it silently.
    """
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and not p.is_dir() and not _hidden(p, path)
            )
            if not found:  # a mistyped or wrong folder: never an "ok" about nothing
                problems.append(Problem("E108", "no YAML file (*.yaml, *.yml) in this folder or below it"
                                                " (hidden folders are skipped)", str(raw)))
            files.extend(found)
        elif os.path.lexists(path):  # a file, a pipe, a device, a link: reading it says which
            files.append(str(path))
        else:
            problems.append(Problem("E401", "no such file or folder", str(raw)))
    seen: set[str] = set()
    unique = []
    for file in files:
        real = os.path.realpath(file)
        if real not in seen:
            seen.add(real)
            unique.append(file)
    return unique


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_documents(file: str, problems: list[Problem]) -> list[YamlDocument]:
    """The YAML documents of ``file`` (read within :data:`~engine.documents.yaml_loader.MAX_BYTES`,
    see :func:`engine.files.read_bounded`); problems added, and no document, when it cannot be read."""
    try:
        return load_yaml_documents(read_bounded(file, MAX_BYTES, "YAML file"), file)
    except InputError as exc:
        problems.extend(exc.problems)
    return []


def check_envelope(doc: YamlDocument, problems: list[Problem]) -> str | None:
    """The document's kind when its envelope is valid, else None (with problems added)."""
    if doc.data is None:
        return None  # an empty document (e.g. a trailing '---') is ignored
    if not isinstance(doc.data, dict):
        problems.append(doc.problem("E203", "a document must be a mapping with apiVersion and kind", ""))
        return None
    found = schemas.validate(doc, doc.data, "document.schema.json", [])
    problems.extend(found)
    return None if found else doc.data["kind"]


def read_valid_documents(files, kinds, problems: list[Problem]) -> list[YamlDocument]:
    """The documents of ``kinds`` in ``files`` whose envelope and kind's schema are valid (problems
    added for the others); documents of other kinds are skipped."""
    docs = []
    for file in files:
        for doc in read_documents(file, problems):
            kind = check_envelope(doc, problems)
            if kind in kinds:
                found = schemas.validate_document(doc, kind)
                problems.extend(found)
                if not found:
                    docs.append(doc)
    return docs
