"""Running one hostile-input case through the real command line, and judging what it did.

A case is data (:class:`Case`): the command line after ``python -m engine``, the files it needs
(laid over a copy of the canonical inputs in ``kit/``), and what is expected:

* :class:`Rejected` — bad input: exit code 2; a problem line on standard error of the form
  ``FILE[:LINE[:COLUMN]]: EXXX message [(at /pointer)]`` naming the file, the stable code and a
  place (the exact line when the case knows it); no partial report.
* :class:`UsageError` — a bad option value: exit code 2 and click's ``Error:`` naming the option.
* :class:`WriteFailure` — output that cannot be written: exit code 2 and ``cannot write`` naming the path.
* :class:`Same` — valid but unusual input: the same exit code and the same JSON (the whole
  document, or its findings) as the same command over the canonical inputs.
* :class:`Accepted` — valid input: an exit code and a check of the JSON document.
* :class:`OneOf` — either of several outcomes is correct (e.g. a value the engine may refuse
  with a clear error or handle correctly); the case passes when one of them holds.

Every case, whatever it expects, must also: finish within the hang guard (a generous timeout, not
a timing assertion), print no ``Traceback`` and no ``internal error``, and leave nothing in the
working folder but the files the case names as outputs (no temporary file beside ``--output``).

The command runs with ``COSTWARDEN_DEBUG`` unset, ``NO_COLOR`` set, standard input from the null
device (or a case's bytes), and an address-space limit (:data:`MEMORY_LIMIT`) so that an input
that makes the engine read without end fails in that process instead of exhausting the machine.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
KIT = HERE / "kit"
AS_OF = "2026-06-20"
HANG_GUARD = 60.0  # seconds: a guard against a hang, not a timing assertion
MEMORY_LIMIT = 4 * 1024**3  # bytes of address space for the engine's process
ANY = "any"  # Rejected.line: some line must be given, whichever

# --- command lines over the kit ------------------------------------------------------------------

JSON_OUT = ("--as-of", AS_OF, "-f", "json")
INV = ("check", "-p", "policies", "-i", "inventory.json", *JSON_OUT)
COSTS = ("check", "-p", "policies", "--costs", "focus.csv", "--budgets", "budgets.yaml", "--ownership", "ownership.yaml", *JSON_OUT)
METRICS = ("check", "-p", "policies", "-i", "inventory.json", "--metrics", "metrics.csv", *JSON_OUT)
PRICES = ("check", "-p", "policies", "-i", "inventory.json", "--metrics", "metrics.csv", "--prices", "prices.csv", *JSON_OUT)
OWNERSHIP = ("check", "-p", "policies", "-i", "inventory.json", "--ownership", "ownership.yaml", *JSON_OUT)
VALIDATE = ("validate", "policies")


def with_file(args: tuple, option: str, path: str) -> tuple:
    """``args`` with the value of ``option`` (its first occurrence) replaced by ``path``."""
    items = list(args)
    items[items.index(option) + 1] = path
    return tuple(items)


# --- expectations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    code: str | tuple[str, ...]  # the E-code (or the codes, any of which is right)
    file: str  # the file the problem line must name, as given on the command line
    line: int | tuple | str | None = ANY  # int: that line (a tuple: one of those); ANY: a place (line or JSON pointer); None: file-level
    column: int | None = None
    pointer: str | None = None  # the JSON pointer the problem must give, "(at POINTER)"
    fragment: str | None = None  # text the problem line must contain
    report: bool = False  # a report on standard output is right too (evaluation errors come with the findings)
    wrong: str | None = None  # text that would make the problem line untrue (e.g. "no such file" for a device that exists)

    def describe(self) -> str:
        codes = _codes(self.code)
        where = self.file
        if isinstance(self.line, int):
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        elif isinstance(self.line, tuple):
            where += ":" + " or ".join(str(line) for line in self.line)
        elif self.line == ANY:
            where += ":<line or pointer>"
        extra = f" (at {self.pointer})" if self.pointer else ""
        extra += f" containing {self.fragment!r}" if self.fragment else ""
        extra += f" and not saying {self.wrong!r}" if self.wrong else ""
        return f"exit 2 with '{where}: {codes} ...'{extra}"


def _codes(code: str | tuple[str, ...]) -> str:
    """'E412', 'E410/E411', or for long lists the code families: 'E2xx/E3xx'."""
    codes = (code,) if isinstance(code, str) else code
    if len(codes) <= 4:
        return "/".join(codes)
    return "/".join(sorted({c[:2] + "xx" for c in codes}))


@dataclass(frozen=True)
class UsageError:
    fragment: str  # what the error must mention (the option)

    def describe(self) -> str:
        return f"exit 2 with a usage error mentioning {self.fragment!r}"


@dataclass(frozen=True)
class WriteFailure:
    fragment: str  # the path the message must name

    def describe(self) -> str:
        return f"exit 2 with 'costwarden: cannot write ...{self.fragment}...'"


@dataclass(frozen=True)
class Same:
    reference: dict = field(default_factory=dict)  # files of the reference run, over the kit (default: the kit)
    reference_args: tuple | None = None  # the reference's command line (default: the case's)
    compare: str = "document"  # "document": the whole JSON output; "findings": findings and errors; "stdout": the text
    ignore: tuple = ()  # keys of each finding not compared: "location", which only a small file in costwarden's format gives

    def describe(self) -> str:
        what = {"document": "the same JSON output", "findings": "the same findings", "stdout": "the same output"}[self.compare]
        but = f" but {', '.join(self.ignore)}" if self.ignore else ""
        return f"{what}{but} (and exit code) as over the canonical files"


@dataclass(frozen=True)
class Accepted:
    exit: int
    check: Callable[[dict], str | None]  # the parsed JSON output -> a complaint, or None when right
    what: str

    def describe(self) -> str:
        return f"exit {self.exit} and {self.what}"


@dataclass(frozen=True)
class Interrupted:
    """A run stopped by a signal while it writes ``target`` (which held ``old`` before)."""

    target: str
    old: bytes

    def describe(self) -> str:
        return (f"the run ends (any exit code) with no temporary file left beside {self.target}, "
                f"which holds its old content or a whole report")


@dataclass(frozen=True)
class OneOf:
    options: tuple

    def describe(self) -> str:
        return " OR ".join(option.describe() for option in self.options)


# --- special files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fifo:
    """A named pipe; a writer thread writes ``content`` into it once a reader opens it (None: no writer)."""

    content: bytes | None


@dataclass(frozen=True)
class Symlink:
    target: str  # relative to the link's folder, or absolute (/dev/zero)


@dataclass(frozen=True)
class Folder:
    pass


@dataclass(frozen=True)
class ReadOnlyFolder:
    pass


@dataclass(frozen=True)
class Generated:
    """A file written at test time by ``make(path)`` (big or sparse files are never committed)."""

    make: Callable[[Path], None]
    what: str


@dataclass(frozen=True)
class SignalDuring:
    """Send ``signum`` once a file matching ``pattern`` (a glob under the working folder) appears."""

    signum: int
    pattern: str


# --- the case ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    area: str  # the engine area: YAML/documents, inventory, FOCUS/costs, metrics, prices, CLI/output, conditions/regex
    args: tuple
    expect: object
    files: dict = field(default_factory=dict)  # path in the working folder -> bytes | str | special file
    outputs: tuple = ()  # files the run may create (relative to the working folder)
    stdin: bytes | None = None  # standard input (default: the null device)
    during: SignalDuring | None = None
    note: str = ""


@dataclass
class Outcome:
    exit: int | None  # None: killed by the hang guard
    stdout: bytes
    stderr: str
    seconds: float
    left_over: list[str]  # files the run created that it should not have
    work: Path | None = None  # the working folder
    signalled: bool = False  # whether SignalDuring sent its signal

    @property
    def hung(self) -> bool:
        return self.exit is None

    def summary(self, lines: int = 3) -> str:
        if self.hung:
            return f"hang: no exit within {HANG_GUARD:.0f} s"
        first = [line for line in self.stderr.splitlines() if line.strip()][:lines]
        shown = " | ".join(line if len(line) <= 300 else line[:297] + "..." for line in first) or "(nothing on stderr)"
        return f"exit {self.exit}; stderr: {shown}"


def _environment() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COSTWARDEN_")}
    env["NO_COLOR"] = "1"
    env.pop("PYTHONWARNINGS", None)
    return env


def _limits(drop_write_override: bool) -> Callable[[], None]:
    def apply() -> None:
        os.setsid()  # its own process group: a timeout ends everything it started
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if drop_write_override and os.geteuid() == 0:
            _drop_dac_override()

    return apply


def _drop_dac_override() -> None:
    """As root, give up overriding file permissions (so that a 0555 folder is read-only to the engine too)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(pr_capbset_drop, capability, 0, 0, 0)


def _listing(root: Path) -> set[str]:
    found = set()
    for directory, folders, files in os.walk(root, followlinks=False):
        for name in folders + files:
            found.add(os.path.relpath(os.path.join(directory, name), root))
    return found


def _materialise(work: Path, files: dict, writers: list) -> bool:
    """Lay the case's files over the kit copy; returns whether a read-only folder is involved."""
    read_only = False
    for name, source in files.items():
        path = work / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir() and not isinstance(source, (Folder, ReadOnlyFolder)):
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            continue  # removed
        if isinstance(source, bytes):
            path.write_bytes(source)
        elif isinstance(source, str):
            path.write_text(source, encoding="utf-8", newline="")
        elif isinstance(source, Generated):
            source.make(path)
        elif isinstance(source, Symlink):
            os.symlink(source.target, path)
        elif isinstance(source, Folder):
            path.mkdir(exist_ok=True)
        elif isinstance(source, ReadOnlyFolder):
            path.mkdir(exist_ok=True)
            path.chmod(0o555)
            read_only = True
        elif isinstance(source, Fifo):
            os.mkfifo(path)
            if source.content is not None:
                writers.append(_start_writer(path, source.content))
        else:
            raise TypeError(f"unknown file source for {name}: {source!r}")
    return read_only


def _start_writer(path: Path, content: bytes) -> tuple[threading.Thread, Path]:
    def write() -> None:
        try:
            with open(path, "wb") as pipe:  # blocks until the engine opens the FIFO to read
                pipe.write(content)
        except OSError:  # the reader went away early
            pass

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread, path


def _release_writers(writers: list) -> None:
    """Unblock a writer whose FIFO the engine never opened (open it for reading ourselves)."""
    for thread, path in writers:
        if thread.is_alive():
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                thread.join(2)
                os.close(fd)
            except OSError:
                pass
        thread.join(2)


def run_command(args: tuple, work: Path, *, stdin: bytes | None = None, during: SignalDuring | None = None,
                drop_write_override: bool = False, writers: list | None = None) -> Outcome:
    before = _listing(work)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", *args],
        cwd=work,
        env=_environment(),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limits(drop_write_override),
    )
    sent: list = []
    if during is not None:
        threading.Thread(target=_signal_when, args=(process, work, during, sent), daemon=True).start()
    try:
        stdout, stderr = process.communicate(stdin, timeout=HANG_GUARD)
        code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        code = None
    seconds = time.monotonic() - started
    _release_writers(writers or [])
    after = _listing(work)
    return Outcome(code, stdout, stderr.decode("utf-8", errors="replace"), seconds, sorted(after - before), work, bool(sent))


def _signal_when(process: subprocess.Popen, work: Path, during: SignalDuring, sent: list) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while process.poll() is None and time.monotonic() < deadline:
        if any(work.glob(during.pattern)):
            process.send_signal(during.signum)
            sent.append(during.signum)
            return
        time.sleep(0.001)


def prepare(root: Path, files: dict) -> tuple[Path, list, bool]:
    """A working folder: a copy of the kit with ``files`` laid over it, and an empty ``out/``."""
    work = root
    shutil.copytree(KIT, work, symlinks=True)
    (work / "out").mkdir()
    writers: list = []
    read_only = _materialise(work, files, writers)
    return work, writers, read_only


def run_case(case: Case, root: Path) -> Outcome:
    work, writers, read_only = prepare(root, case.files)
    outcome = run_command(case.args, work, stdin=case.stdin, during=case.during, drop_write_override=read_only,
                          writers=writers)
    outcome.left_over = [name for name in outcome.left_over if name not in case.outputs]
    return outcome


# --- judging -------------------------------------------------------------------------------------

_PROBLEM = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: (?P<code>E\d{3}) (?P<message>.*)$")
_POINTER = re.compile(r"\(at (?P<pointer>/[^)]*)\)")
_PLACE_IN_MESSAGE = re.compile(r"\b(?:line|row) \d+|(?:^|[\s'(])/[\w~.-]+(?:/[\w~.-]+)*")


def _same_path(a: str, b: str) -> bool:
    return a == b or os.path.normpath(a) == os.path.normpath(b)


def problems_of(stderr: str) -> list[dict]:
    found = []
    for line in stderr.splitlines():
        match = _PROBLEM.match(line)
        if match:
            item = match.groupdict()
            pointer = _POINTER.search(item["message"])
            item["pointer"] = pointer.group("pointer") if pointer else None
            item["text"] = line
            found.append(item)
    return found


def judge(expect, outcome: Outcome, reference: Callable[[Same], Outcome] | None = None) -> str | None:
    """None when ``outcome`` is what ``expect`` describes (and is clean), else what is wrong."""
    if outcome.hung:
        return outcome.summary()
    if isinstance(expect, Interrupted):
        return _judge_interrupted(expect, outcome)
    dirty = _unclean(outcome)
    if dirty:
        return dirty
    if isinstance(expect, OneOf):
        complaints = [judge(option, outcome, reference) for option in expect.options]
        if any(complaint is None for complaint in complaints):
            return None
        return f"{outcome.summary()} (no option holds: {'; '.join(complaints)})"

    if isinstance(expect, Rejected):
        return _judge_rejected(expect, outcome)
    if isinstance(expect, UsageError):
        if outcome.exit != 2 or "Error:" not in outcome.stderr or expect.fragment not in outcome.stderr:
            return f"{outcome.summary()} (expected {expect.describe()})"
        return None
    if isinstance(expect, WriteFailure):
        if outcome.exit != 2 or not re.search(r"cannot write .*" + re.escape(expect.fragment), outcome.stderr):
            return f"{outcome.summary()} (expected {expect.describe()})"
        return None
    if isinstance(expect, Same):
        return _judge_same(expect, outcome, reference)
    if isinstance(expect, Accepted):
        if outcome.exit != expect.exit:
            return f"{outcome.summary()} (expected {expect.describe()})"
        try:
            document = json.loads(outcome.stdout)
        except ValueError as error:
            return f"exit {outcome.exit}, but standard output is not JSON ({error}): {outcome.stdout[:200]!r}"
        complaint = expect.check(document)
        return None if complaint is None else f"exit {outcome.exit}, but {complaint}"
    raise TypeError(f"unknown expectation {expect!r}")


def _judge_interrupted(expect: Interrupted, outcome: Outcome) -> str | None:
    if not outcome.signalled:
        return f"{outcome.summary()}: the run ended before the report was being written, so the signal was never sent"
    if "Traceback" in outcome.stderr or "internal error" in outcome.stderr:
        return outcome.summary()
    ended = f"exit {outcome.exit}" if outcome.exit >= 0 else f"killed by signal {-outcome.exit}"
    if outcome.left_over:
        return f"{ended}; left behind: {', '.join(outcome.left_over)}"
    target = outcome.work / expect.target
    data = target.read_bytes() if target.exists() else None
    if data != expect.old:
        try:
            json.loads(data or b"")
        except ValueError:
            return f"{ended}; {expect.target} holds neither its old content nor a whole report ({(data or b'')[:80]!r}...)"
    return None


def _unclean(outcome: Outcome) -> str | None:
    if "Traceback" in outcome.stderr:
        tail = [line for line in outcome.stderr.splitlines() if line.strip()][-1:]
        return f"exit {outcome.exit} with a traceback: {' '.join(tail)[:300]}"
    if "internal error" in outcome.stderr:
        return outcome.summary()
    if outcome.exit is not None and outcome.exit < 0:
        return f"killed by signal {-outcome.exit}; stderr: {outcome.stderr[:300]!r}"
    if outcome.left_over:
        return f"{outcome.summary()}; and left behind: {', '.join(outcome.left_over)}"
    return None


def _judge_rejected(expect: Rejected, outcome: Outcome) -> str | None:
    wanted = f"(expected {expect.describe()})"
    if outcome.exit != 2:
        return f"{outcome.summary()} {wanted}"
    if outcome.stdout.strip() and not expect.report:
        return f"exit 2 but something was written to standard output ({outcome.stdout[:120]!r}) {wanted}"
    codes = expect.code if isinstance(expect.code, tuple) else (expect.code,)
    problems = problems_of(outcome.stderr)
    named = [p for p in problems if _same_path(p["file"], expect.file)]
    coded = [p for p in named if p["code"] in codes]
    if not coded:
        return f"{outcome.summary()} {wanted}"
    for problem in coded:
        if expect.fragment and expect.fragment not in problem["text"]:
            continue
        if expect.wrong and expect.wrong in problem["text"]:
            continue
        if expect.pointer is not None and problem["pointer"] != expect.pointer:
            continue
        if isinstance(expect.line, int):
            if problem["line"] is None or int(problem["line"]) != expect.line:
                continue
            if expect.column is not None and (problem["column"] is None or int(problem["column"]) != expect.column):
                continue
        elif isinstance(expect.line, tuple):
            if problem["line"] is None or int(problem["line"]) not in expect.line:
                continue
        elif expect.line == ANY:
            if problem["line"] is None and problem["pointer"] is None and not _PLACE_IN_MESSAGE.search(problem["message"]):
                continue
        return None
    shown = " | ".join(p["text"][:300] for p in coded[:3])
    return f"exit 2 with {shown} {wanted}"


def _judge_same(expect: Same, outcome: Outcome, reference: Callable[[Same], Outcome] | None) -> str | None:
    assert reference is not None
    canonical = reference(expect)
    if canonical.hung or canonical.exit not in (0, 1) or _unclean(canonical):
        raise AssertionError(f"the reference run itself failed: {canonical.summary()}")
    if outcome.exit != canonical.exit:
        return f"{outcome.summary()} (expected exit {canonical.exit} and {expect.describe()})"
    if expect.compare == "stdout":
        if outcome.stdout != canonical.stdout:
            return f"exit {outcome.exit}, output differs: {outcome.stdout[:300]!r} vs {canonical.stdout[:300]!r}"
        return None
    try:
        mine, theirs = json.loads(outcome.stdout), json.loads(canonical.stdout)
    except ValueError as error:
        return f"exit {outcome.exit}, standard output is not JSON ({error})"
    if expect.compare == "findings":
        mine = {"findings": mine.get("findings"), "errors": mine.get("errors")}
        theirs = {"findings": theirs.get("findings"), "errors": theirs.get("errors")}
    if expect.ignore:
        for finding in [*(mine.get("findings") or ()), *(theirs.get("findings") or ())]:
            for key in expect.ignore:
                finding.pop(key, None)
    if mine != theirs:
        return f"exit {outcome.exit}, but the output differs from the canonical run: {first_difference(mine, theirs)}"
    return None


def first_difference(a, b, path: str = "") -> str:
    """Where two JSON values first differ, as a pointer and the two values (shortened)."""
    if type(a) is not type(b):
        return f"{path or '/'}: {_short(a)} vs {_short(b)}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}/{key}: {'missing' if key not in a else _short(a[key])} vs {'missing' if key not in b else _short(b[key])}"
            if a[key] != b[key]:
                return first_difference(a[key], b[key], f"{path}/{key}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path or '/'}: {len(a)} items vs {len(b)}"
        for index, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}/{index}")
    return f"{path or '/'}: {_short(a)} vs {_short(b)}"


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 160 else text[:157] + "..."
