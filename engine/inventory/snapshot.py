"""Loading inventory snapshots: read, parse, convert with an adapter, check, merge.

::

    inventory = load_inventory(["tagging.json", "config-snapshot.json"])
    inventory.resources   # canonical resources (engine.inventory.resource), first file first
    inventory.conflicts   # fields two files disagree on (the later file won)
    inventory.warnings    # what the files say about themselves that is worth knowing (a truncated export)

The path ``-`` reads standard input (once: it cannot be read twice), named ``<stdin>`` in problems,
conflicts and ``sources``.

Every problem in every file is collected (structural ones up to 100 per file) and raised together
as one :class:`engine.errors.InputError`; nothing is returned from a run with problems.

Locations: :meth:`Inventory.locator` says where each resource of a file in costwarden's own format
(JSON, or JSON Lines) of at most :data:`LOCATION_LIMIT` bytes starts (file, line, column), worked
out only when first asked (standard input has no file to point at). Larger files, and the formats other tools export, give no location:
finding it would cost about another parse of the file.

Speed: a 100k-resource canonical file is checked and completed in place, without copies, and the
cyclic garbage collector is paused while loading (:func:`engine.gc_pause.paused_gc`: parsing
allocates millions of objects and would trigger useless full collections). The loaded objects hold
no reference cycles, so a caller that keeps them for the rest of the run may freeze them
(``freeze_gc=True``, :func:`engine.gc_pause.freeze_tracked`) to keep later collections from walking them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import InputError, Problem, did_you_mean, json_pointer
from engine.gc_pause import freeze_tracked, paused_gc
from engine.inventory.adapters import ADAPTERS, detect_format
from engine.inventory.jsonpos import element_lines, locate_paths
from engine.inventory.merge import Conflict, Merger
from engine.inventory.problems import StructureProblems
from engine.inventory.reading import (DEFAULT_MAX_BYTES, STDIN, STDIN_NAME, ParsedFile, line_and_column, parse_file,
                                      read_limited)

_DISTINCT_FORMATS = frozenset({"costwarden"})  # adapters that reject two resources with one merge key
LOCATION_LIMIT = 4 * 1024 * 1024  # bytes: files up to this size in costwarden's format can say where each resource is
_LOCATED_FORMATS = frozenset({"costwarden"})  # one resource per array element or line, in order


@dataclass
class _Origin:
    """A file whose resources can be located: its resources in file order and how to find where each starts."""

    path: str
    parsed: ParsedFile
    resources: list[dict]

    def positions(self) -> list[tuple[int, int]] | None:
        """(line, column) of each resource, in file order; None when they cannot be told apart."""
        parsed = self.parsed
        if parsed.record_spans is not None:  # JSON Lines: a resource per line
            return [(number, 1 + len(parsed.data[start:end]) - len(parsed.data[start:end].lstrip()))
                    for number, start, end in parsed.record_spans]
        if parsed.doc.__class__ is dict and "apiVersion" not in parsed.doc:  # one resource, the document
            return [(1, 1)]
        return element_lines(parsed.data)


@dataclass
class Inventory:
    """The merged resources of one or more inventory files."""

    resources: list[dict] = field(default_factory=list)  # file order, then position in the file
    sources: list[str] = field(default_factory=list)  # the files, in the order given (standard input: <stdin>)
    conflicts: list[Conflict] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # file -> adapter name
    warnings: list[str] = field(default_factory=list)  # "FILE: message (at /pointer)", file order
    origins: list = field(default_factory=list, repr=False)  # _Origin of each file that can locate its resources

    def locator(self):
        """``resource -> {"file", "line", "column"} | None`` for the resources of the files that can say where
        they are (costwarden's format, at most :data:`LOCATION_LIMIT` bytes); None when no file can.
        The positions are worked out on the first call; a resource merged from several files is where it
        first appears."""
        if not self.origins:
            return None
        table: dict[int, dict] | None = None

        def locate(resource: dict) -> dict | None:
            nonlocal table
            if table is None:
                table = {}
                for origin in self.origins:
                    positions = origin.positions()
                    if positions is None or len(positions) != len(origin.resources):
                        continue
                    for item, (line, column) in zip(origin.resources, positions):
                        table.setdefault(id(item), {"file": origin.path, "line": line, "column": column})
            return table.get(id(resource))

        return locate


def load_inventory(
    paths: list[str],
    format: str | None = None,  # noqa: A002 - named like the CLI's --inventory-format
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    freeze_gc: bool = False,
) -> Inventory:
    """Load and merge inventory files; ``format`` (an :data:`ADAPTERS` name) skips detection for all of them.

    The path ``-`` is standard input (JSON or JSON Lines, detected from the content), at most once.
    ``max_bytes`` limits each file. ``freeze_gc=True`` freezes every object the collector tracks after
    loading (:func:`engine.gc_pause.freeze_tracked`), so that it never walks the (acyclic) resources
    again: worth it for a process that loads once and keeps them, like the CLI; a library caller that
    loads many inventories should leave it off.

    Raises :class:`InputError` with every problem found (codes E401-E407).
    """
    paths = [str(path) for path in paths]
    if format is not None and format not in ADAPTERS:
        raise InputError([Problem("E404", f"unknown inventory format '{format}'; formats: {', '.join(ADAPTERS)}",
                                  hint=did_you_mean(format, ADAPTERS))])
    if paths.count(STDIN) > 1:
        raise InputError([Problem("E401", f"standard input can be read only once ('{STDIN}' is given {paths.count(STDIN)} times)",
                                  STDIN_NAME, hint="save it to a file to read it twice")])
    problems: list[Problem] = []
    merger = Merger()
    formats: dict[str, str] = {}
    origins: list[_Origin] = []
    warnings: list[str] = []
    with paused_gc():
        for given in paths:
            path = STDIN_NAME if given == STDIN else given
            try:
                name, resources, parsed = _load_file(given, path, format, max_bytes, warnings)
            except InputError as error:
                problems.extend(error.problems)
                continue
            except RecursionError:
                problems.append(Problem("E407", "JSON nests too deeply to process", path))
                continue
            except MemoryError:
                problems.append(Problem("E406", "not enough memory to load this file", path))
                continue
            formats[path] = name
            if name in _LOCATED_FORMATS and len(parsed.data) <= LOCATION_LIMIT and given != STDIN:
                origins.append(_Origin(path, parsed, resources))
            if not problems:
                merger.add(path, resources, distinct=name in _DISTINCT_FORMATS)
        sources = [STDIN_NAME if given == STDIN else given for given in paths]
        inventory = Inventory(resources=merger.resources, sources=sources, conflicts=merger.conflicts, formats=formats,
                              warnings=warnings, origins=origins)
        if freeze_gc and not problems:
            freeze_tracked()
    if problems:
        raise InputError(problems)
    return inventory


def _load_file(given: str, path: str, format: str | None, max_bytes: int,  # noqa: A002
               warnings: list[str]) -> tuple[str, list[dict], ParsedFile]:
    """Read ``given`` (a file, or ``-``) and convert it; ``path`` names it in problems and in the
    adapter's warnings, added to ``warnings``."""
    parsed = parse_file(read_limited(given, max_bytes), path)
    name = format or detect_format(parsed.doc)
    if name is None:
        if _is_plan(parsed.doc):
            raise InputError([Problem("E404", "this is a Terraform plan: use --plan (engine.load_plans in the API), "
                                      "not --inventory", path)])
        raise InputError([Problem("E404", f"cannot tell the inventory format; formats: {', '.join(ADAPTERS)}", path,
                                  hint="name the format with --inventory-format NAME (format= in the API)")])
    problems = StructureProblems()
    _, convert = ADAPTERS[name]
    try:
        resources = convert(parsed.doc, problems)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as error:
        # an adapter met a shape it does not expect: say so instead of printing a traceback
        raise InputError([Problem("E405", f"unexpected structure for format '{name}' ({type(error).__name__}: {error})",
                                  path)]) from None
    if problems:
        raise InputError(_structure_problems(parsed, path, name, problems))
    warnings.extend(f"{path}: {message}" + (f" (at {json_pointer(where)})" if where else "") for where, message in problems.warnings)
    return name, resources, parsed


def _is_plan(doc: object) -> bool:
    """Whether a document is a Terraform plan's JSON (``terraform show -json PLANFILE``)."""
    return doc.__class__ is dict and ("resource_changes" in doc or "planned_values" in doc) and "format_version" in doc


def _structure_problems(parsed: ParsedFile, path: str, name: str, found: StructureProblems) -> list[Problem]:
    """E405 problems with a JSON pointer and, where it can be found, line and column."""
    out = []
    if parsed.record_spans is None:
        offsets = _offsets(parsed.data, [where for where, _, _ in found.items])
        for where, message, hint in found.items:
            line = column = None
            if where in offsets:
                line, column = line_and_column(parsed.data, offsets[where])
            out.append(Problem("E405", message, path, line, column, json_pointer(where), hint))
    else:  # JSON Lines: the first step of every path is the line's value
        for where, message, hint in found.items:
            if not where or not isinstance(where[0], int) or where[0] >= len(parsed.record_spans):
                out.append(Problem("E405", message, path, None, None, json_pointer(where), hint))
                continue
            number, start, end = parsed.record_spans[where[0]]
            line_bytes = parsed.data[start:end]
            offset = _offsets(line_bytes, [where[1:]]).get(where[1:])
            column = line_and_column(line_bytes, offset)[1] if offset is not None else None
            out.append(Problem("E405", message, path, number, column, json_pointer(where[1:]), hint))
    if found.omitted:
        out.append(Problem("E405", f"and {found.omitted} more structural problems (format '{name}'), "
                                   f"not listed: only the first {len(found.items)} are", path))
    return out


def _offsets(data: bytes, paths: list[tuple]) -> dict[tuple, int]:
    """Positions for error messages are a convenience: never let finding them fail the report."""
    try:
        return locate_paths(data, paths)
    except (ValueError, RecursionError):
        return {}
