"""Severities of policies and findings, lowest first, and their rank (``--fail-on`` compares ranks)."""

from __future__ import annotations

SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
