"""Problems with input: one error type for every stage (YAML, schema, semantics, snapshots).

A :class:`Problem` says where (file, line, column, JSON pointer), what (a stable code and a
message) and, where one fits, a hint ("did you mean ..."). Loading code collects problems and
raises :class:`InputError` holding all of them; the CLI prints them and exits 2.

Codes are stable and grouped by stage:

* ``E1xx`` reading files and YAML (syntax, duplicate keys, alias limits, size, encoding, a folder without YAML)
* ``E2xx`` JSON Schema validation (unknown key, missing key, wrong type, bad enum value, ...)
* ``E3xx`` semantic checks (JMESPath, regex, dates, duplicate ids, parameters, references); exemptions
  ``E350``–``E356`` (see :mod:`engine.exemptions.documents`)
* ``E4xx`` snapshots: inventory files and their adapters (``E40x``), FOCUS cost files (``E410``–``E413``),
  price tables (``E42x``), metrics files (``E430``–``E435``), Terraform plan JSON (``E440``–``E448``:
  a state instead of a plan, setup-terraform wrapper text, text output, a binary plan file, an
  unsupported ``format_version``, other JSON, a ``terraform plan -json`` log, a malformed resource
  change, a missing source directory; see :mod:`engine.plans.reader`); report delivery (``E460``–``E467``, see
  ``engine/report/delivery.py``): SMTP settings (``E460``), an environment variable not set (``E461``), a delivery
  that cannot be sent as written (``E462``), SMTP connection or TLS (``E463``), SMTP login (``E464``), the SMTP
  server refused (``E465``), a webhook answered non-2xx (``E466``) or did not answer (``E467``)
* ``E470``–``E473`` baseline files (see :mod:`engine.exemptions.baseline`); ``E474``–``E476`` the report: a findings
  document given to ``report --findings`` (``E474`` not JSON, ``E475`` a newer schema version or fingerprint recipe; see
  :mod:`engine.report.findings_file`) and an output folder that cannot take the report (``E476``, see
  :mod:`engine.report.folder`)
* ``E360``–``E363`` Allocation and Scorecard documents, ``E480``–``E484`` exchange-rate files,
  ``E490``–``E493`` earlier findings files and history files (see docs/showback.md)
* ``E5xx`` evaluation (a condition could not be evaluated on some resource); ``E520`` an exemption's
  condition could not be evaluated on some resource

Checks raise :class:`CheckSetupError` (reported as ``E503``) and :class:`CheckSkipped` (the policy
is listed as skipped) when they cannot run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    pointer: str | None = None  # JSON pointer inside the document
    hint: str | None = None

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        text = f"{self.location()}: {self.code} {self.message}"
        if self.pointer is not None:
            text += f" (at {self.pointer or '/'})"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "hint": self.hint,
        }

    def sort_key(self) -> tuple:
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message)


class InputError(Exception):
    """Raised with every problem found in some input; the CLI maps it to exit code 2."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(p.format() for p in self.problems))


class CheckSetupError(Exception):
    """A policy that cannot run in this context (e.g. it needs a team directory and has none)."""


class CheckSkipped(Exception):
    """A policy that has nothing to run on here (no cost snapshot, no Budgets document); reported as a note."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt key or value, or None when nothing is close."""
    options = [c for c in candidates if isinstance(c, str)]
    import difflib  # only when there is a mistake to hint at

    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        hit = lowered.get(str(word).lower())
        close = [hit] if hit else []
    return f"did you mean '{close[0]}'?" if close else None


def json_pointer(parts: Iterable[object]) -> str:
    """RFC 6901 pointer for a path of keys and indexes."""
    out = []
    for part in parts:
        out.append(str(part).replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(out) if out else ""
