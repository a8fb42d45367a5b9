"""What the benchmark scripts share: child processes and in-process runs timed, machine facts, and the
Markdown report (bars, formats, the table and its notes).

``bench/run.py`` (tagging, ``check``, start-up), ``bench/run_waste.py`` (rightsizing and waste) and
``bench/run_costs.py`` (cost policies) import it. It imports nothing of ``engine``, and what only some
of them need (cProfile, importlib.metadata) is imported where it is used, so that the workers of
``run_costs.py`` start as they did.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
PACKAGES = ("costwarden", "c7n", "orjson", "PyYAML", "jsonschema", "jmespath", "click")  # shown by machine_facts


# --- child processes -------------------------------------------------------------------------------


def python_path_env() -> dict:
    """The caller's environment with the checkout first on ``PYTHONPATH``, so that ``engine`` imports from it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def subprocess_env() -> dict:
    """The environment of the timed commands: the checkout importable, and compiled bytecode cached
    (under bench/data/pycache, as an installed package has its .pyc files), whatever
    PYTHONDONTWRITEBYTECODE says in the caller's environment."""
    env = python_path_env()
    env["PYTHONPYCACHEPREFIX"] = str(DATA / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("COSTWARDEN_DEBUG", None)
    return env


@dataclass(frozen=True)
class ChildRun:
    """One finished child process: its wall time, exit code, and (from ``wait4``) its own CPU time and peak RSS."""

    wall: float  # seconds, from before the start to after the exit
    returncode: int
    cpu: float  # seconds, user + system, of this child alone
    max_rss: int  # bytes, of this child alone
    stderr: bytes


def run_child(command: list[str], *, cwd: Path, env: dict) -> ChildRun:
    """Run ``command`` once, stdin and stdout closed, stderr kept (read after the timed region)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage (ru_maxrss: its peak RSS)
        wall = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    return ChildRun(wall, code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, stderr)


# --- runs in process -------------------------------------------------------------------------------


class GcWatch:
    """Counts the cyclic garbage collector's full (generation 2) collections and their time."""

    def __init__(self):
        self.full = 0
        self.full_seconds = 0.0
        self.seconds = 0.0
        self.active = False  # only collections inside the timed region count
        self._started = 0.0

    def __call__(self, phase, info):
        if not self.active:
            return
        if phase == "start":
            self._started = time.perf_counter()
            return
        elapsed = time.perf_counter() - self._started
        self.seconds += elapsed
        if info["generation"] == 2:
            self.full += 1
            self.full_seconds += elapsed

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


def median_of(runs: int, function, *, setup=None, collector: bool = True) -> tuple[float, list[float], object, GcWatch]:
    """Median wall time of ``function(setup())`` over ``runs`` independent runs.

    Before each run the previous result and argument are dropped, ``setup()`` makes the new
    argument (untimed), and the GC collects, so every run starts from the same kind of heap.
    ``collector=False`` disables the cyclic GC during the run (a diagnostic, not a user setting).
    """
    times, result, argument = [], None, None
    with GcWatch() as watch:
        for _ in range(runs):
            result = argument = None
            argument = setup() if setup is not None else None
            gc.collect()
            if not collector:
                gc.disable()
            watch.active = True
            started = time.perf_counter()
            try:
                result = function(argument) if setup is not None else function()
                times.append(time.perf_counter() - started)
            finally:
                watch.active = False
                gc.enable()
    return statistics.median(times), times, result, watch


class PhaseTimes:
    """The wall times of the named phases of ``check`` run in process, run after run."""

    def __init__(self):
        self.times: dict[str, list[float]] = {}

    def timed(self, name: str, function):
        """``function()``, its wall time added to phase ``name``."""
        started = time.perf_counter()
        value = function()
        self.times.setdefault(name, []).append(time.perf_counter() - started)
        return value

    def run_as_check(self, one_check) -> None:
        """One run of ``one_check()`` as ``costwarden check`` runs: the cyclic GC off for the whole command
        (engine/cli.py), the heap load_inventory(freeze_gc=True) froze unfrozen after; its wall time is the
        phase ``total``."""
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        try:
            one_check()
        finally:
            self.times.setdefault("total", []).append(time.perf_counter() - started)
            gc.enable()
            gc.unfreeze()

    def medians(self) -> dict[str, float]:
        """Phase name -> median wall time, in the order the phases first ran."""
        return {name: statistics.median(values) for name, values in self.times.items()}


def profile_call(title: str, function) -> None:
    """cProfile of one call of ``function()``: the top 20 functions by own time, on stderr."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("tottime").print_stats(20)
    print(f"\n### cProfile: {title} (top 20 by own time)\n\n```\n{trim_profile(buffer.getvalue())}\n```",
          file=sys.stderr)


def trim_profile(text: str) -> str:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if "ncalls" in line:
            return "\n".join([lines[index - 2] if index >= 2 else "", *lines[index:]]).replace(str(ROOT) + "/", "")
    return text


def count_resources(path: Path) -> int:
    """The number of resources in an inventory snapshot file."""
    import orjson

    return len(orjson.loads(path.read_bytes())["resources"])


# --- machine facts ---------------------------------------------------------------------------------


def cpu_model() -> str | None:
    """The CPU's model name from /proc/cpuinfo (None where it does not say)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def memory_total() -> str:
    """The machine's memory from /proc/meminfo, e.g. ``23.5 GiB`` (``unknown`` where it cannot be read)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def usable_cpus() -> int | None:
    """The CPUs this process may run on (all of them where the OS cannot say)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def git_commit() -> str | None:
    """The short hash of the checkout's HEAD (None outside a git checkout or without git)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def has_uncommitted_changes() -> bool:
    """Whether tracked files of the checkout differ from HEAD."""
    try:
        return bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                   capture_output=True, text=True).stdout.strip())
    except OSError:
        return False


def machine_facts() -> list[str]:
    """The report's machine lines of run.py and run_waste.py: CPU, memory, OS, Python, packages, commit."""
    import importlib.metadata

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    commit = git_commit()
    if commit is None:
        commit = "unknown"
    elif has_uncommitted_changes():
        commit += " (with uncommitted changes)"
    packages = ", ".join(f"{name} {version(name)}" for name in PACKAGES)
    return [
        f"- CPU: {cpu_model() or 'unknown'}; {os.cpu_count()} CPUs ({usable_cpus()} usable); memory {memory_total()}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"- Packages: {packages}",
        f"- costwarden commit: {commit}",
    ]


# --- the report ------------------------------------------------------------------------------------

LEFT, RIGHT = "---", "---:"  # column alignments of print_table_and_notes


def fmt_seconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.3f} s"


def fmt_rate(count: int, seconds: float) -> str:
    rate = count / seconds
    return f"{rate / 1e6:.2f} M/s" if rate >= 1e6 else f"{rate / 1e3:.0f} k/s"


def spread(times: list[float]) -> str:
    return f"{fmt_seconds(min(times))} – {fmt_seconds(max(times))}"


def gc_text(watch: GcWatch, runs: int) -> str:
    if not watch.full:
        return f"none in {runs} runs"
    return (f"{watch.full} in {runs} runs, {fmt_seconds(watch.full_seconds / watch.full)} each "
            f"({watch.full_seconds / max(watch.seconds, 1e-9):.0%} of all GC time)")


def verdict(bars: dict, name: str, value: float, unit: str = "×") -> tuple[str, str]:
    """``(bar, result)`` cells of a measurement against ``bars[name]`` = ``(operator, bar)``."""
    op, bar = bars[name]
    ok = {"<=": value <= bar, ">=": value >= bar, "<": value < bar}[op]
    return f"{op} {bar:g}{unit}", "pass" if ok else "**MISS**"


def print_table_and_notes(columns: dict[str, str], rows: list[tuple], notes: list[str]) -> None:
    """The report's Markdown table (``columns``: heading -> LEFT or RIGHT; one tuple of cells a row), a blank
    line, then the notes as a list."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(columns.values()) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for note in notes:
        print(f"- {note}")
