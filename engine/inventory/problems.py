"""The structural problems an adapter finds in one parsed file, before file and line are known.

Adapters report a path inside the parsed document (a tuple of keys and indexes) and a message;
:mod:`engine.inventory.snapshot` turns each into an :class:`engine.errors.Problem` with the file
name, a JSON pointer and, where it can find them, the line and column. Like jsonschema's keyword
functions, the code that finds a problem does not need to know where the document came from.
"""

from __future__ import annotations

MAX_PROBLEMS_PER_FILE = 100


class StructureProblems:
    """Collects structural problems (code E405) of one file; keeps the first ``limit``, counts the rest.

    Also collects warnings: what the file says about itself that does not stop it from being read
    (a response that says it holds more records than it does); they become the run's warnings.
    """

    def __init__(self, limit: int = MAX_PROBLEMS_PER_FILE):
        self.limit = limit
        self.items: list[tuple[tuple, str, str | None]] = []
        self.total = 0
        self.warnings: list[tuple[tuple, str]] = []

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append((tuple(path), message))

    def add(self, path: tuple, message: str, hint: str | None = None) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append((tuple(path), message, hint))

    @property
    def omitted(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def kind_of(value: object) -> str:
    """The JSON name of a value's type, for messages ("expected a string, got an array")."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
