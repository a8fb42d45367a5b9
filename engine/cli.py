"""The ``costwarden`` command: parse options, call the API, pick a formatter, map to an exit code.

Exit codes (every command):

\b
  0  no open finding of an enforced policy at or above --fail-on
  1  at least one such finding (check), or a failing policy test (test)
  2  usage error, invalid policy or document, unreadable input,
     a policy that could not be evaluated on some resource,
     or output that could not be written (e.g. a full disk)
141  standard output (or the pipe --output names) closed by its reader
     (e.g. | head): stopped quietly
"""

from __future__ import annotations

import codecs
import errno
import os
import sys

import click

from engine import cli_exemptions
from engine.errors import InputError, did_you_mean
from engine.severity import SEVERITIES
from engine.version import __version__

EXIT_CODES = """\b
Exit codes:
  0  no open finding of an enforced policy at or above --fail-on
  1  at least one such finding
  2  usage error, invalid policy, unreadable input, a policy
     that could not be evaluated on some resource, or output
     that could not be written (e.g. a full disk)
141  standard output (or the pipe --output names) closed by its reader
     (e.g. | head)
"""


def _fail_input(error: InputError) -> None:
    for problem in error.problems:
        click.echo(problem.format(), err=True)
    count = len(error.problems)
    click.echo(f"costwarden: {count} problem{'s' if count != 1 else ''} found; nothing was evaluated", err=True)
    sys.exit(2)


CLOSED_PIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for a tool that a closed pipe ended


def _output_closed() -> None:
    """Standard output was closed by its reader (``costwarden schema | head -1``): stop quietly.

    The standard streams are pointed at the null device so that flushing them at exit raises
    nothing more; the exit code is the one of a process ended by SIGPIPE.
    """
    _point_at_null(sys.stdout, sys.stderr)
    sys.exit(CLOSED_PIPE_EXIT)


class _OutputError(Exception):
    """Writing standard output failed for a reason other than a closed pipe (a full disk, an I/O error)."""

    def __init__(self, error: OSError):
        super().__init__(error.strerror or str(error))


def _output_failed(error: _OutputError) -> None:
    """Say that standard output could not be written, and end with exit code 2.

    Standard output is pointed at the null device so that what is still buffered is not
    written (and fails again) when the interpreter exits.
    """
    click.echo(f"costwarden: cannot write to standard output: {error}", err=True)
    _point_at_null(sys.stdout)
    sys.exit(2)


def _point_at_null(*streams) -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    for stream in streams:
        try:
            os.dup2(null, stream.fileno())
        except (OSError, ValueError, AttributeError):  # not a real file (e.g. a test runner's buffer), or none
            pass
    os.close(null)


def _echo(text: str, nl: bool = True) -> None:
    """Write ``text`` to standard output, all of it, and flush it.

    The text is written as bytes, in a loop: with ``PYTHONUNBUFFERED`` the text layer writes to
    the file directly and ignores a partial write, which is what a pipe whose reader has gone
    returns first, so the rest would be lost without the BrokenPipeError of the next write.
    A closed pipe raises BrokenPipeError; any other failure raises :class:`_OutputError`.
    """
    stream = sys.stdout
    if stream is None:  # no standard output at all (pythonw): nothing to write to, as click.echo does
        return
    text = text + "\n" if nl else text
    try:
        binary = getattr(stream, "buffer", None)
        if binary is None:  # a text-only stream (a test's StringIO)
            stream.write(text)
            stream.flush()
            return
        stream.flush()  # anything written to the text layer before goes first
        encoding, errors = getattr(stream, "encoding", None) or "ascii", getattr(stream, "errors", None) or "strict"
        if codecs.lookup(encoding).name == "ascii":  # a misconfigured locale: UTF-8, as click.echo writes then
            encoding, errors = "utf-8", "replace"
        data = memoryview(text.encode(encoding, errors))
        while data:
            written = binary.write(data)
            if written is None:  # a non-blocking standard output that is full
                raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))
            data = data[written:]
        binary.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _OutputError(error) from error


def _flush_output() -> None:
    """Flush standard output now, so that a failure is reported here and not at the interpreter's exit."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _OutputError(error) from error
    except ValueError:  # closed already
        pass


def _show(error: click.ClickException) -> None:
    """A usage error shown here, as click would, so that a closed stderr ends as a closed pipe."""
    error.show()
    sys.exit(error.exit_code)


# Help texts may name the entries of a table: {formats}, {inventory_formats}, {cost_types}. They are
# filled in when the help is shown, from the table itself, so that starting the command does not import
# the outputs, the inventory adapters and the policy types.
def _format_names() -> str:
    from engine.outputs import FORMATS

    return ", ".join(FORMATS)


def _inventory_format_names() -> str:
    from engine.inventory.adapters import ADAPTERS

    return ", ".join(ADAPTERS)


def _cost_type_names() -> str:
    from engine.checks import CHECKS

    return ", ".join(name for name, policy_type in CHECKS.items() if policy_type.target == "costs")


_LISTINGS = {"{formats}": _format_names, "{inventory_formats}": _inventory_format_names, "{cost_types}": _cost_type_names}


def _filled(text: str | None) -> str | None:
    for placeholder, names in _LISTINGS.items():
        if text and placeholder in text:
            text = text.replace(placeholder, names())
    return text


class _Option(click.Option):
    """An option whose help may name a table's entries (see :data:`_LISTINGS`)."""

    def get_help_record(self, ctx):
        self.help = _filled(self.help)
        return super().get_help_record(ctx)


class _Command(click.Command):
    def format_help_text(self, ctx, formatter) -> None:
        self.help = _filled(self.help)  # its first line, the short help of the command list, names no table
        super().format_help_text(ctx, formatter)

    def make_context(self, *args, **kwargs):
        try:  # a command's --help prints while its arguments are parsed
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            raise
        except OSError as error:  # parsing writes nothing but --help, to standard output
            raise _OutputError(error) from error


class _Group(click.Group):
    command_class = _Command

    def make_context(self, *args, **kwargs):
        try:  # --help and --version print while the arguments are parsed
            try:
                return super().make_context(*args, **kwargs)
            except click.ClickException as error:
                _show(error)
            except BrokenPipeError:
                raise
            except OSError as error:  # parsing writes nothing but --help and --version, to standard output
                _output_failed(_OutputError(error))
        except BrokenPipeError:
            _output_closed()

    def invoke(self, ctx):
        try:  # also around the handlers below: their messages may meet a closed pipe too
            return self._invoke(ctx)
        except BrokenPipeError:
            _output_closed()

    def _invoke(self, ctx):
        try:
            try:
                return super().invoke(ctx)
            finally:  # also on the way out of sys.exit(): what is still buffered fails here, not at exit
                _flush_output()
        except InputError as error:
            _fail_input(error)
        except click.ClickException as error:
            _show(error)
        except _OutputError as error:
            _output_failed(error)
        except (click.exceptions.Exit, click.Abort, SystemExit, BrokenPipeError):
            raise
        except KeyboardInterrupt:
            click.echo("costwarden: interrupted", err=True)
            sys.exit(2)
        except Exception as error:  # noqa: BLE001 - never a traceback for a user
            if os.environ.get("COSTWARDEN_DEBUG"):
                raise
            click.echo(f"costwarden: internal error: {type(error).__name__}: {error} (set COSTWARDEN_DEBUG=1 for details)", err=True)
            sys.exit(2)


@click.group(cls=_Group, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="costwarden")
def main() -> None:
    """costwarden: policy-as-code governance for cloud cost (FinOps)."""


@main.command(epilog=EXIT_CODES)
@click.option("--policies", "-p", "policy_paths", multiple=True, type=click.Path(),
              help="Policy files or folders; 'builtin' is the built-in library, e.g. --policies builtin --policies my-set.yaml "
                   "(default: the built-in library).")
@click.option("--inventory", "-i", "inventory_paths", multiple=True, type=click.Path(allow_dash=True),
              help="Inventory snapshot file ('-': standard input, once); repeat to merge several.")
@click.option("--inventory-format", default=None, cls=_Option,
              help="Inventory format: {inventory_formats} (default: detected from the content).")
@click.option("--costs", "-c", "cost_paths", multiple=True, type=click.Path(), help="FOCUS cost export: CSV, CSV.gz or Parquet file, folder or glob; repeatable.")
@click.option("--budgets", "budget_paths", multiple=True, type=click.Path(), help="Budgets documents (amounts for budget policies); repeatable.")
@click.option("--metrics", "metrics_paths", multiple=True, type=click.Path(), help="Utilization metrics file (CSV, JSON Lines, CloudWatch get-metric-data output); repeatable.")
@click.option("--metrics-format", default=None, help="Metrics format: csv, jsonl, cloudwatch (default: detected).")
@click.option("--lookback", default="30d", show_default=True, help="Metrics window before the as-of date (e.g. 14d, 2w).")
@click.option("--prices", "price_paths", multiple=True, type=click.Path(), help="Price table CSV (provider, region, size, price, currency[, unit]) that prices savings; repeatable.")
@click.option("--ownership", type=click.Path(), default=None, help="Ownership document (team directory and resolution chain).")
@click.option("--as-of", default=None, help="As-of date (YYYY-MM-DD, 00:00 UTC) or ISO-8601 date-time (converted to UTC); default: now. Fix it for reproducible output.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="info", show_default=True, help="Lowest severity that fails the run.")
@click.option("--format", "-f", "output_format", default=None, cls=_Option,
              help="Output format: {formats} (default: text, or json with --output).")
@click.option("--output", "-o", type=click.Path(), default=None, help="Write the output to this file (atomically) instead of standard output.")
@click.option("--policy", "policy_ids", multiple=True, help="Evaluate only this policy id (repeatable).")
@click.option("--label", "labels", multiple=True, help="Evaluate only policies with this label (repeatable).")
@cli_exemptions.check_options
def check(policy_paths, inventory_paths, inventory_format, cost_paths, budget_paths, metrics_paths, metrics_format, lookback, price_paths,
          ownership, as_of, fail_on, output_format, output, policy_ids, labels, **exemption_options):
    """Evaluate policies over snapshots and report findings grouped by owner.

    Inventory policies need --inventory, cost policies (types {cost_types}) need
    --costs; policies whose input is not given are skipped and listed. With --costs, inventory
    findings also show what the resource costs per month, and savings are priced from the FOCUS
    data ahead of --prices. Exempted findings (--exemptions) and baselined ones (--baseline) are
    reported with their status and never fail the run.

    Policies that could not be evaluated (E501-E504) are listed in the report, and also on
    standard error unless the report is the text on standard output (which lists them already).
    """
    import gc

    from engine import api

    if gc.isenabled():  # a short run whose objects hold no cycles: collections would only cost time
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)
    from engine.inventory.adapters import ADAPTERS
    from engine.outputs import FORMATS
    from engine.outputs.atomic import write_atomic

    if output == "":
        raise click.UsageError("--output needs a file path")
    output_format = output_format or ("json" if output else "text")
    if output_format not in FORMATS:
        raise click.UsageError(f"unknown format '{output_format}' ({did_you_mean(output_format, FORMATS) or 'choose one of ' + ', '.join(FORMATS)})")
    if inventory_format is not None and inventory_format not in ADAPTERS:
        raise click.UsageError(f"unknown inventory format '{inventory_format}' (one of {', '.join(ADAPTERS)})")
    if not inventory_paths and not cost_paths:
        raise click.UsageError("give at least one snapshot: --inventory FILE and/or --costs FILE")
    if metrics_paths and not inventory_paths:
        raise click.UsageError("--metrics describes inventory resources: give --inventory FILE too")
    if as_of is not None:
        _check_as_of(as_of)
    from engine.evaluator import as_of_datetime

    as_of = as_of_datetime(as_of)  # one instant for the metrics window and the evaluation
    window = _check_lookback(lookback, as_of if metrics_paths else None)
    if metrics_format is not None and metrics_format not in METRICS_FORMATS:
        raise click.UsageError(f"unknown metrics format '{metrics_format}' (one of {', '.join(METRICS_FORMATS)})")
    library = api.load_policies(_policy_paths(policy_paths))
    known = {p.id for p in library.policies}
    for policy_id in policy_ids:
        if policy_id not in known:
            raise click.UsageError(f"no policy '{policy_id}' ({did_you_mean(policy_id, known) or 'see costwarden validate'})")
    selected = library.select(tuple(policy_ids), tuple(labels))
    if not selected.policies:
        raise click.UsageError("no enabled policy matches --policy/--label")
    steps = cli_exemptions.prepare(library, **exemption_options)  # exemptions and baseline, read before evaluating
    owners = api.load_ownership(ownership) if ownership else None
    budgets = api.load_budgets(list(budget_paths)) if budget_paths else None
    prices = api.load_prices(price_paths) if price_paths else None
    resources, warnings = None, []
    if inventory_paths:
        if "-" in inventory_paths and sys.stdin is not None and sys.stdin.isatty():  # not piped: say why it waits
            click.echo("costwarden: reading the inventory from standard input (end it with Ctrl-D)", err=True)
        inventory = api.load_inventory(list(inventory_paths), format=inventory_format, freeze_gc=True)
        resources = inventory.resources
        warnings = [*inventory.warnings, *(conflict.describe() for conflict in inventory.conflicts)]
        if metrics_paths:
            metrics = api.load_metrics(list(metrics_paths), as_of=as_of, lookback=window, format=metrics_format)
            warnings.extend(metrics.attach(resources))
    costs = None
    if cost_paths:
        costs = api.load_costs(list(cost_paths), columns=selected.cost_columns(with_inventory=resources is not None))
    result = api.evaluate(selected, resources, ownership=owners, as_of=as_of, warnings=warnings, costs=costs, budgets=budgets, prices=prices)
    result = steps.apply(result, resources)
    if steps.writes_baseline:  # costwarden baseline create / update
        sys.exit(steps.write_baseline(result, resources))
    color = output is None and output_format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if output and output_format == "json":  # written as orjson's bytes, without a decode and re-encode
        from engine.outputs.json_format import render_chunks

        text = render_chunks(result, version=__version__)  # written as it is made, a batch of findings at a time
    else:
        # long ids and messages are shortened only on a terminal; a CI log, a pipe or a file gets them whole
        text = api.render(result, output_format, color=color, shorten=output is None and sys.stdout.isatty(), fail_on=fail_on)
    if output:
        try:
            write_atomic(output, text)
        except BrokenPipeError:  # --output /dev/stdout (or a FIFO) whose reader has gone: a closed pipe
            raise
        except OSError as error:
            click.echo(f"costwarden: cannot write {output}: {error.strerror or error}", err=True)
            sys.exit(2)
    else:
        _echo(text, nl=False)
    if output or output_format != "text":  # the text report on standard output lists them already
        for error in result.errors:
            click.echo(error.format(), err=True)
    sys.exit(result.exit_code(fail_on))


METRICS_FORMATS = ("csv", "jsonl", "cloudwatch")


def _check_lookback(value: str, as_of=None):
    """The lookback; with ``as_of`` (when metrics are read), also the window's bounds (engine.metrics.window)."""
    from engine.metrics.window import lookback_window, parse_lookback

    try:
        window = parse_lookback(value)
    except ValueError as error:
        raise click.UsageError(f"--lookback: {error}") from None
    try:
        if as_of is not None:
            lookback_window(as_of, window)
    except ValueError as error:
        raise click.UsageError(f"--lookback {value} with --as-of {as_of.date().isoformat()}: {error}") from None
    return window


def _check_as_of(value: str) -> None:
    from engine.evaluator import as_of_datetime

    try:
        as_of_datetime(value)
    except ValueError:
        raise click.UsageError(f"--as-of {value!r} is not a date (YYYY-MM-DD) or an ISO-8601 date-time") from None


def _policy_paths(paths) -> list[str]:
    """The policy paths as given (none: the built-in library); ``builtin`` names the built-in library.

    A folder called ``builtin`` in the working directory is not what the reserved name loads: say
    so, since the user may have meant it (``./builtin`` names the folder).
    """
    from engine.bundled import BUILTIN, policy_paths

    if BUILTIN in paths and os.path.exists(BUILTIN):
        click.echo(f"costwarden: note: '{BUILTIN}' is the built-in policy library, not ./{BUILTIN} here"
                   f" (write ./{BUILTIN} for that)", err=True)
    return policy_paths(paths)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths):
    """Validate policy, policy set, ownership and policy test documents; list every problem.

    PATHS are files or folders; 'builtin' is the built-in library (validate a policy set over it
    with: costwarden validate builtin my-set.yaml). Without PATHS: the built-in library.

    A policy test is checked as `costwarden test` loads it: its cases name policies of its folder
    and resources of its fixtures, and its fixture files are there (inventory, metrics, prices and
    ownership are read too; FOCUS cost files only when the test runs). A test file given on its
    own brings the documents of its folder along (they are validated too).
    """
    from engine.policy_tests import load_test_library, prepare_tests

    library, tests = load_test_library(_policy_paths(paths))
    prepare_tests(library, tests)
    exemptions = cli_exemptions.validate_exemptions(library)
    count = len(library.policies)
    _echo(
        f"ok: {len(library.files)} files, {count} polic{'ies' if count != 1 else 'y'}, "
        f"{len(library.tests)} policy tests, {len(library.ownerships)} ownership documents"
        + (f", {len(exemptions)} exemption{'s' if len(exemptions) != 1 else ''}" if exemptions else "")
    )


@main.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
def test_command(paths, verbose):
    """Run the policy tests (PolicyTest documents) found under PATHS.

    PATHS are files or folders; 'builtin' is the built-in library. Without PATHS: the built-in
    library's own tests.

    A test runs against the policies, Ownership and Budgets documents of its own folder: a test
    file given on its own loads (and validates) the documents of its folder, and runs only the
    tests named or found under PATHS.
    """
    from engine.policy_tests import run_policy_tests

    searched = _policy_paths(paths)
    outcomes = run_policy_tests(searched)
    if not outcomes:
        raise click.UsageError(f"no policy tests (kind: PolicyTest) found in {', '.join(searched)}")
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes:
        if verbose or not outcome.passed:
            _echo(outcome.report())
    _echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("name", required=False)
@click.option("--write", "directory", type=click.Path(file_okay=False), default=None, help="Write every schema into this folder (made if missing).")
def schema(name, directory):
    """Print a JSON Schema for editors, or list them. NAME: e.g. policy, ownership, findings.

    Each schema is printed or written as one self-contained file (no $id, references within the
    file) that yaml-language-server reads offline; see docs/editor-setup.md.
    """
    from engine.documents.editor_schemas import editor_schema_text, editor_schema_texts
    from engine.documents.schemas import schema_names
    from engine.outputs.atomic import write_atomic

    names = schema_names()
    if directory == "":
        raise click.UsageError("--write needs a folder")
    if directory is not None:
        texts = editor_schema_texts()  # all made, and every target checked, before any is written
        targets = {os.path.join(directory, item): text for item, text in texts.items()}
        for target in targets:
            _schema_target_check(target)
        for target, text in targets.items():
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
            except OSError as error:
                _schema_write_failed(error.filename if isinstance(error.filename, str) else os.path.dirname(target), error.strerror or str(error))
            try:
                write_atomic(target, text)
            except OSError as error:
                _schema_write_failed(target, error.strerror or str(error))
        _echo(f"wrote {len(texts)} schemas to {directory}")
        return
    if name is None:
        for item in names:
            _echo(item)
        return
    wanted = name if name.endswith(".schema.json") else f"{name}.schema.json"
    if wanted not in names:
        short = [n.removesuffix(".schema.json") for n in names]
        raise click.UsageError(f"no schema '{name}' ({did_you_mean(name, short) or 'see costwarden schema'})")
    _echo(editor_schema_text(wanted), nl=False)


def _schema_target_check(target: str) -> None:
    """Stop before writing anything when a file stands where a folder must be made, or a folder where the schema goes."""
    folder = os.path.dirname(target) or "."
    while not os.path.exists(folder) and os.path.dirname(folder) not in ("", folder):
        folder = os.path.dirname(folder)  # the nearest part of the path that exists
    if os.path.exists(folder) and not os.path.isdir(folder):
        _schema_write_failed(folder, "a file is in the way of a folder")
    if os.path.isdir(target):
        _schema_write_failed(target, "a folder is in the way of the schema file")


def _schema_write_failed(path: str, reason: str) -> None:
    click.echo(f"costwarden: cannot write the schemas: {path}: {reason}", err=True)
    sys.exit(2)


main.add_command(cli_exemptions.baseline_commands(check))


if __name__ == "__main__":  # pragma: no cover
    main()
