"""Progress of a long report run, on standard error, for a person watching a terminal.

Shown only when standard error is a terminal, the ``CI`` environment variable is not set (CI logs
keep no carriage returns well) and ``--quiet`` was not given: pipes, files and CI logs get nothing.
On a terminal each step rewrites one line (``costwarden report: evaluating the policies (3.2 s)``),
which is cleared at the end. Standard output is never written.
"""

from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, *, quiet: bool = False, stream=None, env=None, clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        env = os.environ if env is None else env
        tty = self.stream is not None and getattr(self.stream, "isatty", lambda: False)()
        self.enabled = bool(tty and not quiet and not env.get("CI"))
        self.clock = clock
        self.started = clock()
        self.width = 0

    def __call__(self, step: str) -> None:
        if not self.enabled:
            return
        line = f"costwarden report: {step} ({self.clock() - self.started:.1f} s)"
        self._write("\r" + line.ljust(self.width))
        self.width = len(line)

    def done(self) -> None:
        if self.enabled and self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: progress is not worth failing for
            self.enabled = False
