"""How each severity shows in the formats that have levels of their own: one table."""

from __future__ import annotations

from typing import NamedTuple


class Level(NamedTuple):
    sarif: str  # result.level / defaultConfiguration.level: error | warning | note
    github: str  # workflow command: error | warning | notice
    security_severity: str  # GitHub code scanning's "security-severity" (0.1-10; it orders and labels alerts by it)


# GitHub reads security-severity as critical above 9.0, high from 7.0, medium from 4.0, low below
LEVELS = {
    "critical": Level("error", "error", "9.5"),
    "high": Level("error", "error", "8.0"),
    "medium": Level("warning", "warning", "5.5"),
    "low": Level("warning", "warning", "3.0"),
    "info": Level("note", "notice", "1.0"),
}
