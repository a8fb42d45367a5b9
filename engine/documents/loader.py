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

YAML_SUFFIXES = (".yaml", ".yml")


def find_yaml_files(paths, problems: list[Problem]) -> list[str]:
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file() and not _hidden(p, path)
            )
            if not found:  # a mistyped or wrong folder: never an "ok" about nothing
                problems.append(Problem("E108", "no YAML file (*.yaml, *.yml) in this folder or below it"
                                                " (hidden folders are skipped)", str(raw)))
            files.extend(found)
        elif path.is_file():
            files.append(str(path))
        else:
            problems.append(Problem("E401", "no such file or folder", str(raw)))
    seen = set()
    return [f for f in files if not (f in seen or seen.add(f))]


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_documents(file: str, problems: list[Problem]) -> list[YamlDocument]:
    try:
        size = os.path.getsize(file)
        if size > MAX_BYTES:  # not read at all: the YAML loader's own limit, checked before reading
            problems.append(Problem("E105", f"file is larger than {MAX_BYTES // 2**20} MiB ({size} bytes)", file))
            return []
        with open(file, "rb") as handle:
            data = handle.read()
        return load_yaml_documents(data, file)
    except InputError as exc:
        problems.extend(exc.problems)
    except OSError as exc:
        problems.append(Problem("E401", f"cannot read file: {exc.strerror or exc}", file))
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
                found = schemas.validate(doc, doc.data, schemas.KIND_SCHEMAS[kind], [])
                problems.extend(found)
                if not found:
                    docs.append(doc)
    return docs
