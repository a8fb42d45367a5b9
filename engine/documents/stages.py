"""One list of problems from the stages of a document: every stage runs, one problem per mistake.

A document's kind's schema (stage 3) and its semantic checks (stage 5: unknown teams, amounts, the
order of a ladder's sizes, ...) both run on every document whose envelope is valid, so that a
misspelt key does not hide an unknown team: the semantic checks read the parts of the document that
have the shape the schema asks for and leave the others to the schema's problems (they never fail
on them).

Where a semantic check judges the very value the schema judges, by a more precise rule, its problem
*supersedes* the schema's problem at that place (:data:`SUPERSEDES`): a Budgets amount of ``-5`` is
one ``E323`` (the amount rule's message), not also the schema's ``E207`` that editors show for it.
"""

from __future__ import annotations

from typing import Iterable

from engine.errors import Problem

# semantic code -> the schema codes it replaces at the same place (file, line, column and pointer)
SUPERSEDES: dict[str, tuple[str, ...]] = {
    # Budgets: an amount by the amount rule (engine.amounts.read_amount), a currency by the ISO 4217 list
    "E323": ("E203", "E205", "E207"),
    # Ownership: a resolution step that is not one kind of step (the schema's minProperties / maxProperties)
    "E316": ("E207",),
}


def _place(problem: Problem) -> tuple:
    return problem.file, problem.line, problem.column, problem.pointer


def without_superseded(problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` without the schema problems a semantic problem supersedes, and each problem once, in order."""
    problems = list(dict.fromkeys(problems))
    superseding: dict[tuple, set[str]] = {}
    for problem in problems:
        for code in SUPERSEDES.get(problem.code, ()):
            superseding.setdefault(_place(problem), set()).add(code)
    if not superseding:
        return problems
    return [problem for problem in problems if problem.code not in superseding.get(_place(problem), ())]
