"""The command line the GitHub Action (``action.yml``) runs: ``costwarden check`` from the action's inputs.

    python action/check_args.py MARKDOWN > ARGS

reads the inputs from the environment (``CW_PLAN`` is the input ``plan``, and so on: the check step's
``env``) and writes the arguments after ``costwarden``, each ended by a NUL byte, so that any
character, a space or a newline included, reaches costwarden as it was written. ``MARKDOWN`` is where
the Markdown report goes.

* The inputs that name files or values (``plan``, ``policies``, ``inventory``, ``costs``, ...; the
  table :data:`OPTIONS`) hold one per line: each non-blank line, without the spaces around it, is one
  option value, spaces inside it kept (``plan: infra/my plan.json``).
* ``args`` is split into words as a POSIX shell splits them (:func:`shlex.split`): a space or a line
  break separates two words; single or double quotes keep spaces in one word (``--plan "my
  plan.json"``), a backslash keeps the next character. Nothing is expanded: ``$HOME``, ``*`` and
  ``$(...)`` stay as written. An unclosed quote is an error (exit code 2, said on standard error).

It imports nothing of costwarden and only the standard library, so that it runs with whatever
Python the runner has.
"""

from __future__ import annotations

import os
import shlex
import sys

OPTIONS = (  # (environment variable, the option of costwarden check it gives, once per line)
    ("CW_PLAN", "--plan"),
    ("CW_SOURCE", "--source"),
    ("CW_POLICIES", "--policies"),
    ("CW_INVENTORY", "--inventory"),
    ("CW_COSTS", "--costs"),
    ("CW_BUDGETS", "--budgets"),
    ("CW_PRICES", "--prices"),
    ("CW_OWNERSHIP", "--ownership"),
    ("CW_EXEMPTIONS", "--exemptions"),
    ("CW_BASELINE", "--baseline"),
    ("CW_PERIOD", "--period"),
    ("CW_FAIL_ON", "--fail-on"),
)
ARGS = "CW_ARGS"  # the input args
SARIF = "CW_SARIF"  # the input sarif: where the SARIF report goes


class InputError(Exception):
    """An input that cannot be turned into arguments; its message names the input."""


def values(text: str) -> list[str]:
    """One value per non-blank line, the spaces around it dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def words(text: str) -> list[str]:
    """``text`` split into words as a POSIX shell splits them, with nothing expanded."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError as error:  # shlex: "No closing quotation", "No escaped character"
        raise InputError(f"input args: {str(error)[0].lower()}{str(error)[1:]} in {text!r} (args is split into "
                         "words as a shell splits them: quote a word that holds a space, close every quote)") from None


def check_args(environ: dict, markdown: str) -> list[str]:
    """The arguments after ``costwarden``: the check command, an option per line of each input of
    :data:`OPTIONS`, the SARIF and Markdown reports, then the words of ``args``."""
    arguments = ["check"]
    for variable, option in OPTIONS:
        for value in values(environ.get(variable, "")):
            arguments += [option, value]
    arguments += ["--format", "sarif", "--output", environ.get(SARIF, ""),
                  "--format", "markdown", "--output", markdown]
    return arguments + words(environ.get(ARGS, ""))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: check_args.py MARKDOWN", file=sys.stderr)
        return 2
    try:
        arguments = check_args(dict(os.environ), argv[0])
    except InputError as error:
        print(f"costwarden action: {error}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(b"".join(os.fsencode(argument) + b"\0" for argument in arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
