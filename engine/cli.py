"""The ``costwarden`` command: parse options, call the API, pick a formatter, map to an exit code.

Exit codes (every command):

\b
  0  no open finding of an enforced policy at or above --fail-on
  1  at least one such finding (check), or a failing policy test (test)
  2  usage error, invalid policy or document, unreadable input,
     a policy that could not be evaluated on some resource (the
     outputs are still written, with the errors in them), a cost
     policy whose period has no cost row, or output that could
     not be written (e.g. a full disk)
141  standard output (or the pipe --output names) closed by its reader
     (e.g. | head): stopped quietly
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from dataclasses import dataclass
from datetime import datetime

import click

from engine import cli_exemptions
from engine.config import PathOrName
from engine.errors import InputError, did_you_mean
from engine.severity import SEVERITIES
from engine.version import __version__

EXIT_CODES = """\b
Exit codes:
  0  no open finding of an enforced policy at or above --fail-on
  1  at least one such finding
  2  usage error, invalid policy, unreadable input (no output
     is written), a policy that could not be evaluated on some
     resource or a cost policy whose period has no cost row (the
     outputs are written, with the errors in them), or output
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


# Help texts may name the entries of a table: {formats}, {inventory_formats}, {cost_types}, {change_types}. They are
# filled in when the help is shown, from the table itself, so that starting the command does not import
# the outputs, the inventory adapters and the policy types.
def _format_names() -> str:
    from engine.outputs import FORMATS

    return ", ".join(FORMATS)


def _inventory_format_names() -> str:
    from engine.inventory.adapters import ADAPTERS

    return ", ".join(ADAPTERS)


def _type_names(target: str):
    def names() -> str:
        from engine.checks import CHECKS

        return ", ".join(name for name, policy_type in CHECKS.items() if policy_type.target == target)
    return names


_LISTINGS = {"{formats}": _format_names, "{inventory_formats}": _inventory_format_names, "{cost_types}": _type_names("costs"),
             "{change_types}": _type_names("change")}


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


# --- the project config file: every command's defaults (engine.config) -----------------------------------

_SETTINGS = "costwarden.settings"  # the root context's meta: config path -> engine.config.Settings
_OWN_PARAMETERS = frozenset({"help", "version", "config", "no_config"})  # never looked up in a config file


class _Context(click.Context):
    """A command's context: takes the command's defaults from the project config file the first time a
    parameter asks for its default (after ``--config`` / ``--no-config``, which are eager, were read),
    and records the order in which options were given (for ``--format``/``--output`` pairs)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.param_order: list[str] = []  # parameter names in the order given, repeats included
        self.section: tuple[str, ...] | None = None  # the command's section in a config file (default: its path)
        self.config_path: str | None = None  # --config
        self.no_config = False  # --no-config
        self.showing_help = False
        self.showing_config = False  # costwarden config lists it: the config file is read even when parsing is resilient
        self._config_read = False

    def lookup_default(self, name, call=True):
        if (not self._config_read and name not in _OWN_PARAMETERS and not self.showing_help
                and (not self.resilient_parsing or self.showing_config) and not isinstance(self.command, click.Group)):
            self._config_read = True
            defaults = _settings(self).defaults(self.config_section())
            self.default_map = {**defaults, **(self.default_map or {})}
        return super().lookup_default(name, call)

    def config_section(self) -> tuple[str, ...]:
        if self.section is not None:
            return self.section
        names, ctx = [], self
        while ctx.parent is not None:
            names.append(ctx.info_name)
            ctx = ctx.parent
        return tuple(reversed(names))


def _settings(ctx: _Context):
    """The config file of this run applied to the commands (read once per run)."""
    from engine.config import Settings, find_config, read_config

    if ctx.no_config and ctx.config_path is not None:
        raise click.UsageError("--config and --no-config cannot be used together")
    path = None if ctx.no_config else ctx.config_path or find_config()
    cache = ctx.find_root().meta.setdefault(_SETTINGS, {})
    if path not in cache:
        cache[path] = Settings(read_config(path) if path is not None else None, ctx.find_root().command)
    return cache[path]


def _given_config(ctx, param, value):
    if value is not None:
        ctx.config_path = value
        if value == "":
            raise click.BadParameter("needs a file path", ctx=ctx, param=param)


def _given_no_config(ctx, param, value):
    if value:
        ctx.no_config = True


def _config_options() -> list[click.Option]:
    """--config and --no-config, which every command takes."""
    return [
        click.Option(["--config"], type=click.Path(dir_okay=False), default=None, expose_value=False, is_eager=True,
                     callback=_given_config,
                     help="Project config file (default: costwarden.yaml, costwarden.yml or pyproject.toml [tool.costwarden], "
                          "searched from the working directory up to the repository root). See docs/config.md."),
        click.Option(["--no-config"], is_flag=True, default=False, expose_value=False, is_eager=True, callback=_given_no_config,
                     help="Read no config file."),
    ]


class _Command(click.Command):
    context_class = _Context

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.extend(_config_options())

    def make_parser(self, ctx):
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_recording_order(args):
            opts, largs, order = parse(args)  # order: the parameters as given, repeats included
            ctx.param_order = [param.name for param in order]
            return opts, largs, order

        parser.parse_args = parse_recording_order
        return parser

    def get_help(self, ctx):
        ctx.showing_help = True  # the help shows the built-in defaults; a broken config file must not stop it
        return super().get_help(ctx)

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
    context_class = _Context
    group_class = type  # a command group made with main.group() is a _Group too

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


# --- check -----------------------------------------------------------------------------------------------

PLAN_SCOPES = ("changes", "all")  # engine.plans.SCOPES (not imported at start-up; tests/test_check_plans.py holds them equal)
POLICY_PATHS = PathOrName(names=("builtin",))  # 'builtin' is the built-in library, not a path (engine.bundled.BUILTIN)


def _options(*options):
    """Apply a group of click options, in the order listed."""
    def apply(function):
        for option in reversed(options):
            function = option(function)
        return function
    return apply


_POLICY_OPTIONS = _options(
    click.option("--policies", "-p", "policy_paths", multiple=True, type=POLICY_PATHS,
                 help="Policy files or folders; 'builtin' is the built-in library, e.g. --policies builtin --policies my-set.yaml "
                      "(default: the built-in library)."),
    click.option("--policy", "policy_ids", multiple=True, help="Evaluate only this policy id (repeatable)."),
    click.option("--label", "labels", multiple=True, help="Evaluate only policies with this label (repeatable)."),
)
_PLAN_OPTIONS = _options(
    click.option("--plan", "plan_paths", multiple=True, type=click.Path(allow_dash=True),
                 help="Terraform or OpenTofu plan JSON (terraform show -json PLANFILE; '-': standard input, once); repeatable. "
                      "Evaluated with --inventory when both are given (each resource once: plan resources are named by their address)."),
    click.option("--plan-scope", type=click.Choice(PLAN_SCOPES), default="changes", show_default=True,
                 help="changes: what the plan creates, updates or replaces; all: every planned resource (no-op, delete and read too)."),
    click.option("--source", "source_dir", type=click.Path(file_okay=False), default=None,
                 help="The Terraform configuration's root directory (where terraform plan ran): plan findings point at "
                      "the .tf file and line of their resource block instead of the plan file."),
)
_INVENTORY_OPTIONS = _options(
    click.option("--inventory", "-i", "inventory_paths", multiple=True, type=click.Path(allow_dash=True),
                 help="Inventory snapshot file ('-': standard input, once); repeat to merge several."),
    click.option("--inventory-format", default=None, cls=_Option,
                 help="Inventory format: {inventory_formats} (default: detected from the content)."),
    click.option("--metrics", "metrics_paths", multiple=True, type=click.Path(),
                 help="Utilization metrics file (CSV, JSON Lines, CloudWatch get-metric-data output); repeatable."),
    click.option("--metrics-format", default=None, help="Metrics format: csv, jsonl, cloudwatch (default: detected)."),
    click.option("--lookback", default="30d", show_default=True, help="Metrics window before the as-of date (e.g. 14d, 2w)."),
)
_COST_OPTIONS = _options(
    click.option("--costs", "-c", "cost_paths", multiple=True, type=click.Path(),
                 help="FOCUS cost export: CSV, CSV.gz or Parquet file, folder or glob; repeatable."),
    click.option("--budgets", "budget_paths", multiple=True, type=click.Path(), help="Budgets documents (amounts for budget policies); repeatable."),
    click.option("--prices", "price_paths", multiple=True, type=click.Path(),
                 help="Price table CSV (provider, region, size, price, currency[, unit]) that prices savings; repeatable."),
    click.option("--period", default=None,
                 help="The period to report on: 2026-05, 2026-Q2, 2026, 2026-05-01..2026-05-15 (UTC days, both included), "
                      "or last-month, this-month, last-quarter, this-quarter, last-year, this-year (from the clock). Each cost "
                      "policy evaluates its own period holding the last day, up to the end; not with --as-of."),
    click.option("--stale-after", type=click.IntRange(min=0), default=3, show_default=True,
                 help="Warn when the cost data ends more than this many days before the end of what a cost policy evaluates."),
)
_RUN_OPTIONS = _options(
    click.option("--ownership", type=click.Path(), default=None, help="Ownership document (team directory and resolution chain)."),
    click.option("--as-of", default=None,
                 help="As-of date (YYYY-MM-DD, 00:00 UTC) or ISO-8601 date-time (converted to UTC); default: now. Fix it for "
                      "reproducible output."),
    click.option("--fail-on", type=click.Choice(SEVERITIES), default="info", show_default=True, help="Lowest severity that fails the run."),
)
_OUTPUT_OPTIONS = _options(
    click.option("--format", "-f", "output_format", multiple=True, cls=_Option,
                 help="Output format: {formats} (default: text, or json with --output). "
                      "Repeat with --output for several outputs in one run: -f sarif -o a.sarif -f markdown -o summary.md "
                      "(each --output goes with the --format next to it; at most one without --output, to standard output)."),
    click.option("--output", "-o", "output", multiple=True, type=click.Path(allow_dash=True),
                 help="Write the --format next to it to this file (atomically; '-': standard output)."),
)


@main.command(epilog=EXIT_CODES)
@_POLICY_OPTIONS
@_PLAN_OPTIONS
@_INVENTORY_OPTIONS
@_COST_OPTIONS
@_RUN_OPTIONS
@_OUTPUT_OPTIONS
@cli_exemptions.check_options
def check(policy_paths, policy_ids, labels, plan_paths, plan_scope, source_dir, inventory_paths, inventory_format, metrics_paths,
          metrics_format, lookback, cost_paths, budget_paths, price_paths, period, stale_after, ownership, as_of, fail_on,
          output_format, output, **exemption_options):
    """Evaluate policies over snapshots and report findings grouped by owner.

    Inventory policies judge --plan and --inventory resources, cost policies (types
    {cost_types}) need --costs, change policies (types {change_types}) price the --plan
    from --costs and --prices; policies whose input is not given are skipped and listed. With
    --costs, inventory findings also show what the resource costs per month, and savings are
    priced from the FOCUS data ahead of --prices. Exempted findings (--exemptions) and
    baselined ones (--baseline) are reported with their status and never fail the run.

    A plan resource whose values a policy reads are known only after apply is not judged by it:
    it is listed in the warnings, not a finding.

    Several outputs in one run: -f sarif -o costwarden.sarif -f markdown -o summary.md. Policies
    that could not be evaluated (E501-E505, exit code 2) are listed in every output, and also on
    standard error unless the text report on standard output lists them already.
    """
    from engine.gc_pause import paused_gc

    ctx = click.get_current_context()
    ctx.with_resource(paused_gc())  # the whole command (see engine.gc_pause)
    targets = _output_targets(ctx, output_format, output)
    run = evaluate_inputs(ctx, policy_paths=policy_paths, policy_ids=policy_ids, labels=labels, plan_paths=plan_paths,
                          plan_scope=plan_scope, source_dir=source_dir, inventory_paths=inventory_paths,
                          inventory_format=inventory_format, metrics_paths=metrics_paths, metrics_format=metrics_format,
                          lookback=lookback, cost_paths=cost_paths, budget_paths=budget_paths, price_paths=price_paths,
                          period=period, stale_after=stale_after, ownership=ownership, as_of=as_of,
                          exemption_options=exemption_options,
                          no_snapshot="give at least one snapshot: --plan FILE, --inventory FILE and/or --costs FILE")
    result = run.result
    if run.steps.writes_baseline:  # costwarden baseline create / update
        sys.exit(run.steps.write_baseline(result, run.resources))
    _write_outputs(result, targets, fail_on)
    if ("text", None) not in targets:  # the text report on standard output lists them already
        for error in result.errors:
            click.echo(error.format(), err=True)
    sys.exit(result.exit_code(fail_on))


@dataclass
class Evaluated:
    """What :func:`evaluate_inputs` read and produced: the result (exemptions and baseline applied), the
    resources evaluated, the cost snapshot (still open, for what the caller computes from it next), the
    ownership and budgets documents, the as-of instant and the report period (or None)."""

    result: object  # engine.findings.Result
    resources: list | None
    costs: object  # engine.costs.reader.CostSnapshot | None
    ownership: object  # engine.ownership.Ownership | None
    budgets: object
    as_of: datetime
    period: object  # engine.costs.periods.ReportPeriod | None
    steps: cli_exemptions.Steps


def evaluate_inputs(ctx, *, policy_paths=(), policy_ids=(), labels=(), plan_paths=(), plan_scope="changes", source_dir=None,
                    inventory_paths=(), inventory_format=None, metrics_paths=(), metrics_format=None, lookback="30d",
                    cost_paths=(), budget_paths=(), price_paths=(), period=None, stale_after=3, ownership=None, as_of=None,
                    exemption_options: dict | None = None, no_snapshot: str = "give a snapshot", progress=None,
                    extra_cost_columns=(), leave_out=None) -> Evaluated:
    """The inputs of a run checked, read and evaluated, as ``check`` and ``report`` do it: usage errors
    (click.UsageError) first, then every input read (InputError), then the evaluation, exemptions and
    the baseline. ``no_snapshot`` is the usage error when no snapshot is given; ``progress(step)``, when
    given, is told each step as it starts; ``extra_cost_columns`` are FOCUS columns read besides the policies';
    ``leave_out(selected, policy_ids)``, when given, returns the selected policies the run evaluates."""
    from engine import api

    tell = progress or (lambda step: None)
    if inventory_format is not None:
        from engine.inventory.adapters import ADAPTERS

        if inventory_format not in ADAPTERS:
            raise click.UsageError(f"unknown inventory format '{inventory_format}' (one of {', '.join(ADAPTERS)})")
    if not inventory_paths and not cost_paths and not plan_paths:
        raise click.UsageError(no_snapshot)
    if metrics_paths and not inventory_paths:
        raise click.UsageError("--metrics describes inventory resources: give --inventory FILE too")
    if source_dir is not None and not plan_paths and _given(ctx, "source_dir"):
        raise click.UsageError("--source locates the resources of a plan: give --plan FILE too")
    if "-" in inventory_paths and "-" in plan_paths:
        raise click.UsageError("standard input can be read once: give '-' to --plan or to --inventory, not both")
    when, report_period = _clock(ctx, as_of, period)
    window = _check_lookback(lookback, when if metrics_paths else None)
    if metrics_format is not None and metrics_format not in METRICS_FORMATS:
        raise click.UsageError(f"unknown metrics format '{metrics_format}' (one of {', '.join(METRICS_FORMATS)})")
    tell("reading the policies")
    selected, library = _selected_policies(api, policy_paths, policy_ids, labels)
    if leave_out is not None:
        selected = leave_out(selected, policy_ids)
    steps = cli_exemptions.prepare(library, **(exemption_options or {}))  # exemptions and baseline, read before evaluating
    owners = api.load_ownership(ownership) if ownership else None
    budgets = api.load_budgets(list(budget_paths)) if budget_paths else None
    prices = api.load_prices(price_paths) if price_paths else None
    if inventory_paths or plan_paths:
        tell("reading the inventory")
    sides = any(policy.target == "change" for policy in selected.policies)  # pricing the change needs both sides
    resources, warnings, locate, plans = _load_resources(api, inventory_paths, inventory_format, metrics_paths, metrics_format, when,
                                                         window, plan_paths, plan_scope, source_dir, sides)
    costs = None
    if cost_paths:
        tell("reading the costs")
        columns = selected.cost_columns(with_inventory=resources is not None)
        costs = api.load_costs(list(cost_paths), columns=columns | set(extra_cost_columns) if extra_cost_columns else columns)
    tell("evaluating the policies")
    result = api.evaluate(selected, resources, ownership=owners, as_of=when, warnings=warnings, costs=costs, budgets=budgets,
                          prices=prices, period=report_period, stale_after=stale_after, locate=locate, plans=plans)
    result = steps.apply(result, resources)
    return Evaluated(result, resources, costs, owners, budgets, when, report_period, steps)


# --- report ----------------------------------------------------------------------------------------------

DELIVER_CHAT = "chat"  # --deliver chat: the teams' Slack and Teams webhooks (engine.report.sending)


@main.command(epilog=EXIT_CODES)
@_POLICY_OPTIONS
@_INVENTORY_OPTIONS
@_COST_OPTIONS
@_RUN_OPTIONS
@cli_exemptions.check_options
@click.option("--findings", "findings_path", type=click.Path(dir_okay=False), default=None,
              help="Build the report from this findings JSON (check --format json) instead of evaluating; spend, showback "
                   "and the scorecard then need --costs.")
@click.option("--previous", "previous_paths", multiple=True, type=click.Path(dir_okay=False),
              help="findings.json of an earlier report or check (repeatable): the latest is the run new, persisting and "
                   "resolved findings are counted against.")
@click.option("--history", "history_path", type=click.Path(dir_okay=False), default=None,
              help="Run history (a DuckDB file, made when absent): earlier runs for the trend, spend and KPI series; this "
                   "run is added to it once the report is written.")
@click.option("--allocation", "allocation_path", type=click.Path(dir_okay=False), default=None,
              help="Allocation document: how shared costs are split among owners in the chargeback.")
@click.option("--scorecard", "scorecard_path", type=click.Path(dir_okay=False), default=None,
              help="Scorecard document: the KPIs' thresholds of the crawl, walk and run levels (default: docs/showback.md).")
@click.option("--rates", "rates_path", type=click.Path(dir_okay=False), default=None,
              help="Exchange rates CSV (date,from,to,rate): spend also consolidated in one currency, at the rates stated.")
@click.option("--currency", default=None, help="The currency --rates consolidates into (default: the one the table converts to).")
@click.option("--measure", type=click.Choice(("EffectiveCost", "BilledCost")), default="EffectiveCost", show_default=True,
              help="The FOCUS cost column of showback and chargeback: EffectiveCost (amortized) or BilledCost (invoiced).")
@click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False), required=True,
              help="The report folder (made, or replaced as a whole when it holds a report already).")
@click.option("--split/--no-split", default=True, show_default=True,
              help="One page per owner (owners/NAME.html) linked from index.html, or every owner on index.html.")
@click.option("--title", default=None, help="The report's title (default: Cost compliance report PERIOD).")
@click.option("--deliver", "deliver_to", multiple=True,
              help="Send each owner its part: smtp://HOST:PORT, smtp://HOST:587?starttls=true or smtps://HOST emails the "
                   "owners' email contacts; 'chat' posts to their slack:env:NAME and teams:env:NAME contacts. Repeatable.")
@click.option("--from", "sender", default=None, help="The From address of the emails (default: $COSTWARDEN_SMTP_FROM).")
@click.option("--dry-run", is_flag=True, help="With --deliver: build and check every message, print who would get what, send nothing.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on standard error (there is none in CI, pipes and files anyway).")
def report(policy_paths, policy_ids, labels, inventory_paths, inventory_format, metrics_paths, metrics_format, lookback,
           cost_paths, budget_paths, price_paths, period, stale_after, ownership, as_of, fail_on, findings_path, previous_paths,
           history_path, allocation_path, scorecard_path, rates_path, currency, measure, output_dir, split, title, deliver_to, sender,
           dry_run, quiet, **exemption_options):
    """Write the compliance and showback report: a folder of offline pages, Markdown, CSV and JSON.

    \b
    OUTPUT/index.html         the estate: owners ranked by money at stake
    OUTPUT/owners/NAME.html   one page per owner (--no-split: all on index.html)
    OUTPUT/findings.json      the findings, as check --format json writes them
    OUTPUT/summary.md         the report in Markdown
    OUTPUT/chargeback.csv     showback and chargeback per owner (with --costs)

    The inputs are check's (--inventory, --costs, --budgets, --ownership, --period, ...), or a
    findings JSON of an earlier check (--findings). The report is about the estate: the policies
    of a change (they price a Terraform plan) are left out. The folder is written as a whole or
    not at all. See docs/report.md.
    """
    from engine.gc_pause import paused_gc
    from engine.report.progress import Progress

    ctx = click.get_current_context()
    ctx.with_resource(paused_gc())  # the whole command (see engine.gc_pause)
    smtp_urls, chat = _delivery_targets(deliver_to)
    if dry_run and not deliver_to:
        raise click.UsageError("--dry-run goes with --deliver (it shows what --deliver would send)")
    if sender is not None and not smtp_urls:
        raise click.UsageError("--from is the sender of emails: give --deliver smtp://HOST:PORT too")
    if output_dir == "":
        raise click.UsageError("--output needs a folder")
    if currency is not None and rates_path is None:
        raise click.UsageError("--currency is the currency --rates consolidates into: give --rates FILE too")
    if smtp_urls:  # settings that would fail every email stop the run before anything is evaluated
        from engine.report.delivery_email import sender_address, smtp_settings

        smtp_settings(smtp_urls[0], os.environ)
        sender_address(sender, os.environ)
    from engine.report.folder import check_target

    check_target(output_dir)  # before anything is evaluated: a folder that cannot take the report costs nothing
    progress = Progress(quiet=quiet)
    try:
        numbers = _showback_documents(allocation_path, scorecard_path, rates_path, currency, measure)
        run = _report_inputs(ctx, progress, findings_path=findings_path, policy_paths=policy_paths, policy_ids=policy_ids,
                             labels=labels, inventory_paths=inventory_paths, inventory_format=inventory_format,
                             metrics_paths=metrics_paths, metrics_format=metrics_format, lookback=lookback, cost_paths=cost_paths,
                             budget_paths=budget_paths, price_paths=price_paths, period=period, stale_after=stale_after,
                             ownership=ownership, as_of=as_of, exemption_options=exemption_options,
                             extra_cost_columns=numbers.columns())
        code = _write_report(run, progress, numbers, output_dir=output_dir, previous_paths=previous_paths, history_path=history_path,
                             split=split, title=title, fail_on=fail_on, smtp_url=smtp_urls[0] if smtp_urls else None, chat=chat,
                             sender=sender, dry_run=dry_run)
    finally:
        progress.done()
    sys.exit(code)


@dataclass
class _ShowbackDocuments:
    """The documents of the showback, read before anything is evaluated."""

    allocation: object
    settings: object
    rates: object
    currency: str | None
    measure: str

    def columns(self) -> set[str]:
        from engine.showback import scorecard_columns, showback_columns, unassigned_columns

        return (showback_columns(self.measure, self.allocation) | scorecard_columns(self.settings, self.measure)
                | unassigned_columns(self.measure))


def _showback_documents(allocation_path, scorecard_path, rates_path, currency, measure) -> _ShowbackDocuments:
    from engine.showback import DEFAULT_SCORECARD, load_allocation, load_rates, load_scorecard

    problems: list = []  # every document read, and all their problems listed at once

    def read(load, path, absent):
        if not path:
            return absent
        try:
            return load(path)
        except InputError as error:
            problems.extend(error.problems)
            return absent

    allocation = read(load_allocation, allocation_path, None)
    settings = read(load_scorecard, scorecard_path, DEFAULT_SCORECARD)
    rates = read(load_rates, rates_path, None)
    if problems:
        raise InputError(problems)
    return _ShowbackDocuments(allocation, settings, rates, currency, measure)


def _delivery_targets(deliver_to) -> tuple[list[str], bool]:
    smtp_urls = [target for target in deliver_to if target != DELIVER_CHAT]
    for target in smtp_urls:
        if not target.startswith(("smtp://", "smtps://")):
            raise click.UsageError(f"--deliver {target!r}: give an SMTP URL (smtp://HOST:PORT, smtps://HOST) or 'chat'")
    if len(set(smtp_urls)) > 1:
        raise click.UsageError("--deliver: one SMTP server per run")
    return smtp_urls, DELIVER_CHAT in deliver_to


def _report_inputs(ctx, progress, *, findings_path, ownership, exemption_options, cost_paths, extra_cost_columns, **inputs) -> Evaluated:
    """The run the report shows: evaluated as check does, or read from --findings (then with --costs, the
    cost data is still read for the showback, and --ownership names the teams and their contacts)."""
    if findings_path is None:
        return evaluate_inputs(ctx, cost_paths=cost_paths, ownership=ownership, exemption_options=exemption_options,
                               progress=progress, extra_cost_columns=extra_cost_columns, no_snapshot="give --inventory FILE and/or --costs FILE, or --findings FILE "
                                                              "(the findings JSON of an earlier check)", leave_out=_estate_policies, **inputs)
    evaluating = [flag for flag, given in (("--inventory", inputs.get("inventory_paths")), ("--metrics", inputs.get("metrics_paths")),
                                           ("--prices", inputs.get("price_paths")),
                                           ("--exemptions", exemption_options.get("exemption_paths")),
                                           ("--baseline", exemption_options.get("baseline_path"))) if given]
    if evaluating:
        raise click.UsageError(f"--findings reads an evaluated run: {', '.join(evaluating)} would be evaluated "
                               "(give them to the check that wrote the findings)")
    from engine import api
    from engine.report.findings_file import read_findings

    progress("reading the findings")
    result = read_findings(findings_path)
    owners = api.load_ownership(ownership) if ownership else None
    if owners is not None:
        from dataclasses import replace

        result = replace(result, teams={**result.teams, **owners.teams})
    budgets = api.load_budgets(list(inputs["budget_paths"])) if inputs.get("budget_paths") else None
    costs = None
    if cost_paths:
        progress("reading the costs")
        costs = api.load_costs(list(cost_paths), columns=extra_cost_columns)
    return Evaluated(result, None, costs, owners, budgets, None, None, cli_exemptions.Steps([], None, 0))


def _estate_policies(selected, policy_ids):
    """The report is about the estate, not a change: the policies whose target is a change (they price a
    Terraform plan, which the report does not take) are left out; naming one with --policy is a usage error."""
    from dataclasses import replace

    change = [policy.id for policy in selected.policies if policy.target == "change"]
    named = [policy_id for policy_id in policy_ids if policy_id in change]
    if named:
        raise click.UsageError(f"--policy {named[0]}: a change policy prices a Terraform plan; the report is about the estate "
                               "(give it to check --plan)")
    estate = replace(selected, policies=[policy for policy in selected.policies if policy.target != "change"])
    if not estate.policies:
        raise click.UsageError("no estate policy matches --policy/--label (the report leaves out change policies)")
    return estate


def _write_report(run: Evaluated, progress, numbers: _ShowbackDocuments, *, output_dir, previous_paths, history_path, split, title,
                  fail_on, smtp_url, chat, sender, dry_run) -> int:
    """The earlier runs, the showback, the model, every file made in memory; the folder written as a whole;
    the run added to the history; then the deliveries. The exit code."""
    from engine.report import showback_view
    from engine.report.bundle import report_files
    from engine.report.folder import write_folder
    from engine.evaluator import as_of_datetime
    from engine.report.model import Trend, build_model
    from engine.showback import claims, compare_runs, load_previous_runs, open_history, run_record

    result = run.result
    earlier = []
    if previous_paths:
        progress("reading the previous runs")
        earlier = load_previous_runs(previous_paths)
    history = open_history(history_path) if history_path else None
    try:
        if history is not None:
            earlier = sorted(earlier + history.records(), key=lambda record: record.instant)
        now = as_of_datetime(result.as_of).replace(tzinfo=None)
        earlier = [record for record in earlier if record.instant < now]  # the same run again is not its own past
        shown, missing = None, _showback_missing(run)
        if missing is None:
            progress("computing the showback and the scorecard")
            shown = showback_view.compute(run.costs, run.ownership, result, run.budgets, _report_window(run), allocation=numbers.allocation,
                                          rates=numbers.rates, currency=numbers.currency, settings=numbers.settings,
                                          measure=numbers.measure, earlier_runs=earlier)
        record = None  # this run as the history keeps it: made only when compared or recorded (0.6 s at 140k findings)
        if earlier or history is not None:
            record = run_record(result, spend=shown.spend if shown else None, card=shown.card if shown else None,
                                window=shown.window if shown else None, tool_version=__version__)
        trend = None
        if earlier:
            previous = earlier[-1]
            if previous.findings is None:  # from the history: read its findings
                previous = history.record(int(previous.source.rsplit(" ", 1)[-1]))
            trend = Trend.of(compare_runs(record, previous), len(result.findings))
        progress("building the report")
        model = build_model(result, version=__version__, title=title, trend=trend, showback=shown, showback_missing=missing,
                            fail_on=fail_on,
                            claims=claims(shown.unassigned, run.resources, run.ownership) if shown and run.resources is not None else None)
        files = report_files(model, split=split, chargeback=showback_view.chargeback_csv(shown.charge) if shown else None)
        progress("writing the report")
        try:
            write_folder(output_dir, files)
        except OSError as error:
            click.echo(f"costwarden: cannot write the report to {output_dir}: {error.strerror or error}; nothing was written",
                       err=True)
            return 2
        if history is not None:
            history.append(record)
    finally:
        if history is not None:
            history.close()
        if run.costs is not None:
            run.costs.close()
    for error in result.errors:
        click.echo(error.format(), err=True)
    code = result.exit_code(fail_on)
    if smtp_url is not None or chat:
        progress("delivering")
        if not _deliver(model, files, smtp_url=smtp_url, chat=chat, sender=sender, dry_run=dry_run):
            code = 2
    return code


def _showback_missing(run: Evaluated) -> str | None:
    """Why the report has no showback, or None when it has one."""
    if run.costs is None:
        return "built from --findings without --costs" if run.as_of is None else "no --costs given"
    if run.ownership is None:
        return "no --ownership given: spend cannot be assigned to owners"
    return None


def _report_window(run: Evaluated):
    """The showback's window: the run's --period, or the month of its as-of instant (a findings document's
    own period and as-of with --findings)."""
    from engine.costs.periods import ReportPeriod
    from engine.evaluator import as_of_datetime
    from engine.showback import report_window

    if run.as_of is not None:
        return report_window(run.as_of, run.period)
    result = run.result
    as_of = as_of_datetime(result.as_of)
    period = result.period
    if period is None:
        return report_window(as_of, None)
    moment = "%Y-%m-%dT%H:%M:%SZ"
    return report_window(as_of, ReportPeriod(period["given"], period["label"], datetime.strptime(period["start"], moment),
                                             datetime.strptime(period["end"], moment)))


def _deliver(model, files, *, smtp_url, chat, sender, dry_run) -> bool:
    """Send (or with --dry-run, check) every owner's part; say what happened; False when any failed."""
    from engine.report.delivery import deliver, describe
    from engine.report.sending import delivery_plan, owners_without_destination, undeliverable

    plan = delivery_plan(model, files, email=smtp_url is not None, chat=chat)
    outcomes = deliver(plan, smtp_url=smtp_url, sender=sender, dry_run=dry_run)
    text = describe(outcomes) if outcomes else "no deliveries: no owner has a contact for them\n"
    for owner in owners_without_destination(model, email=smtp_url is not None, chat=chat):
        text += f"not delivered: {owner.id} has no {'email or chat' if smtp_url and chat else 'email' if smtp_url else 'chat'} contact\n"
    if dry_run:
        for owner, contact in undeliverable(model):
            text += f"not a destination: {owner} contact {contact!r} (an email address, slack:env:NAME or teams:env:NAME)\n"
    _echo(text, nl=False)
    return not any(outcome.failed for outcome in outcomes)


def _given(ctx, name: str) -> bool:
    """Whether a parameter was given on the command line (not a default, nor the config file's)."""
    return ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE


def _from_config(ctx, name: str) -> bool:
    return ctx.get_parameter_source(name) is click.core.ParameterSource.DEFAULT_MAP


# Options a config file sets together: when one of a pair is given on the command line, the config
# file's value of the other is not used (--format/--output pair up; --period and --as-of exclude each other).
CONFIG_PAIRS = {"output_format": "output", "output": "output_format", "period": "as_of", "as_of": "period"}


def _config_value_unused(ctx, name: str) -> str | None:
    """Why the config file's value of ``name`` is not used (its partner is on the command line), or None."""
    partner = CONFIG_PAIRS.get(name)
    if partner is None or not _from_config(ctx, name) or not _given(ctx, partner):
        return None
    option = next((p for p in ctx.command.params if p.name == partner), None)
    flag = next((o for o in option.opts if o.startswith("--")), partner) if option is not None else partner
    return f"not used: {flag} is on the command line"


def _clock(ctx, as_of, period):
    """``(as-of instant, report period or None)``: --as-of, or --period (relative to the clock: a run with
    --period ends where the period ends, or now when that is earlier). One given on the command line
    wins over the other from the config file."""
    from engine.evaluator import AsOfOutOfRange, as_of_datetime

    if _config_value_unused(ctx, "period"):
        period = None
    if _config_value_unused(ctx, "as_of"):
        as_of = None
    if as_of is not None and period is not None:
            raise click.UsageError("--period and --as-of cannot be used together: a run with --period is as of the period's end "
                                   "(or now, for a period that has not ended)")
    if as_of is not None:
        try:
            return as_of_datetime(as_of), None
        except AsOfOutOfRange as error:
            raise click.UsageError(f"--as-of {as_of!r} {error}") from None
        except ValueError:
            raise click.UsageError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD) or an ISO-8601 date-time") from None
    now = as_of_datetime(None)
    if period is None:
        return now, None
    from engine.costs.periods import parse_report_period

    try:
        report = parse_report_period(period, now)
    except ValueError as error:
        raise click.UsageError(f"--period: {error}") from None
    start = report.start.replace(tzinfo=now.tzinfo)
    if start >= now:
        raise click.UsageError(f"--period {period}: the period has not started yet ({report.describe()})")
    return min(now, report.end.replace(tzinfo=now.tzinfo)), report


def _selected_policies(api, policy_paths, policy_ids, labels):
    library = api.load_policies(_policy_paths(policy_paths))
    known = {p.id for p in library.policies}
    for policy_id in policy_ids:
        if policy_id not in known:
            raise click.UsageError(f"no policy '{policy_id}' ({did_you_mean(policy_id, known) or 'see costwarden validate'})")
    selected = library.select(tuple(policy_ids), tuple(labels))
    if not selected.policies:
        raise click.UsageError("no enabled policy matches --policy/--label")
    return selected, library


def _load_resources(api, inventory_paths, inventory_format, metrics_paths, metrics_format, when, window, plan_paths, plan_scope,
                    source_dir, sides=False):
    """``(resources or None, warnings, locate, plans or None)``: the inventory's resources, then the plans' (both
    evaluated, each resource once: a plan resource is named by its address, an inventory resource by its cloud id);
    ``sides``: the plans keep both sides of every entry, to price the change."""
    resources, warnings, locate, plans = None, [], None, None
    if inventory_paths:
        if "-" in inventory_paths:
            _waiting_for_stdin("the inventory")
        inventory = api.load_inventory(list(inventory_paths), format=inventory_format, freeze_gc=True)
        resources = inventory.resources
        warnings = [*inventory.warnings, *(conflict.describe() for conflict in inventory.conflicts)]
        if metrics_paths:
            metrics = api.load_metrics(list(metrics_paths), as_of=when, lookback=window, format=metrics_format)
            warnings.extend(metrics.attach(resources))
        locate = inventory.locator()
    if plan_paths:
        if "-" in plan_paths:
            _waiting_for_stdin("the plan")
        plans = api.load_plans(list(plan_paths), scope=plan_scope, source_dir=source_dir, sides=sides)
        warnings += plans.warnings + plans.notes
        resources = plans.resources if resources is None else [*resources, *plans.resources]
    return resources, warnings, locate, plans


def _waiting_for_stdin(what: str) -> None:
    if sys.stdin is not None and sys.stdin.isatty():  # not piped: say why it waits
        click.echo(f"costwarden: reading {what} from standard input (end it with Ctrl-D)", err=True)


STDOUT = "-"  # as an --output: standard output


def _output_targets(ctx, formats: tuple, outputs: tuple) -> list[tuple[str, str | None]]:
    """``[(format, file or None for standard output)]`` from --format/--output pairs.

    On the command line each --output goes with the --format given just before it, or, when it comes
    first (or right after another --output), with the next one; an --output without any --format is
    JSON. From the config file, the format list and the output list pair up by position. When one of
    the two is given on the command line, the config file's other one is not used.
    """
    from engine.outputs import FORMATS

    if _config_value_unused(ctx, "output_format"):  # one on the command line: not the config's other half
        formats = ()
    if _config_value_unused(ctx, "output"):
        outputs = ()
    if _given(ctx, "output_format") or _given(ctx, "output"):
        order = [name for name in ctx.param_order if name in ("output_format", "output")]
    else:  # the config file's lists, by position
        order = []
        for index in range(max(len(formats), len(outputs))):
            order += (["output_format"] if index < len(formats) else []) + (["output"] if index < len(outputs) else [])
    pairs: list[list] = []
    values = {"output_format": iter(formats), "output": iter(outputs)}
    pending: str | None = None  # an --output waiting for the --format after it
    previous = None
    for name in order:
        value = next(values[name])
        if name == "output_format":
            pairs.append([value, pending])
            pending = None
        elif previous == "output_format" and pairs[-1][1] is None:
            pairs[-1][1] = value
        elif pending is None:
            pending = value
        else:
            raise click.UsageError(f"--output {pending} and --output {value}: give a --format for each (-f FORMAT -o FILE)")
        previous = name
    if pending is not None:
        if pairs:
            raise click.UsageError(f"--output {pending} has no --format next to it (-f FORMAT -o FILE)")
        pairs.append(["json", pending])
    if not pairs:
        pairs.append(["text", None])
    seen: dict[str, str] = {}
    for fmt, path in pairs:
        if path == "":
            raise click.UsageError("--output needs a file path")
        if fmt not in FORMATS:
            raise click.UsageError(f"unknown format '{fmt}' ({did_you_mean(fmt, FORMATS) or 'choose one of ' + ', '.join(FORMATS)})")
        target = None if path in (None, STDOUT) else os.path.abspath(path)
        if target in seen:
            where = "standard output" if target is None else f"--output {path}"
            raise click.UsageError(f"{where} is given two formats ({seen[target]} and {fmt}): one format per output")
        seen[target] = fmt
    return [(fmt, None if path in (None, STDOUT) else path) for fmt, path in pairs]


def _write_outputs(result, targets: list[tuple[str, str | None]], fail_on: str) -> None:
    """Every file output, each written atomically, then the standard output one."""
    from engine import api
    from engine.outputs.atomic import write_atomic

    for fmt, path in targets:
        if path is None:
            continue
        try:
            write_atomic(path, _file_content(api, result, fmt, fail_on))
        except BrokenPipeError:  # --output /dev/stdout (or a FIFO) whose reader has gone: a closed pipe
            raise
        except OSError as error:
            click.echo(f"costwarden: cannot write {path}: {error.strerror or error}", err=True)
            sys.exit(2)
    for fmt, path in targets:
        if path is None:
            tty = sys.stdout is not None and sys.stdout.isatty()
            color = fmt == "text" and tty and not os.environ.get("NO_COLOR")
            # long ids and messages are shortened only on a terminal; a CI log, a pipe or a file gets them whole
            _echo(api.render(result, fmt, color=color, shorten=tty, fail_on=fail_on), nl=False)


def _file_content(api, result, fmt: str, fail_on: str):
    if fmt == "json":  # orjson's bytes, written as they are made, a batch of findings at a time
        from engine.outputs.json_format import render_chunks

        return render_chunks(result, version=__version__)
    if fmt == "sarif":
        from engine.outputs.sarif_format import render_bytes

        return render_bytes(result, version=__version__)
    return api.render(result, fmt, color=False, shorten=False, fail_on=fail_on)


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
@click.argument("paths", nargs=-1, type=POLICY_PATHS)
def validate(paths):
    """Validate policy, policy set, ownership and policy test documents; list every problem.

    PATHS are files or folders; 'builtin' is the built-in library (validate a policy set over it
    with: costwarden validate builtin my-set.yaml). Without PATHS: the built-in library.

    A policy test is checked as `costwarden test` loads it: its cases name policies of its folder
    and resources of its fixtures, and its fixture files are there (inventory, metrics, prices and
    ownership are read too; FOCUS cost files only when the test runs). A test file given on its
    own brings the documents of its folder along (they are validated too). Allocation and
    Scorecard documents are checked as `costwarden report` reads them, a Config document as the
    config file is read (every option of its sections against the commands).
    """
    from engine.config import check_document
    from engine.policy_tests import load_test_library, prepare_tests
    from engine.showback.documents import COMPILERS

    from engine.exemptions.documents import refused_document_problems

    compilers = {**COMPILERS, "Config": lambda document, problems: check_document(document, main, problems),
                 "Exemption": refused_document_problems}
    library, tests = load_test_library(_policy_paths(paths), compilers=compilers)
    prepare_tests(library, tests)
    exemptions = cli_exemptions.validate_exemptions(library)
    count = len(library.policies)
    _echo(
        f"ok: {len(library.files)} files, {count} polic{'ies' if count != 1 else 'y'}, "
        f"{len(library.tests)} policy tests, {len(library.ownerships)} ownership documents"
        + (f", {len(exemptions)} exemption{'s' if len(exemptions) != 1 else ''}" if exemptions else "")
    )


@main.command(name="test")
@click.argument("paths", nargs=-1, type=POLICY_PATHS)
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
    from engine.config import CONFIG_SCHEMA, editor_schema
    from engine.documents.editor_schemas import editor_schema_text, editor_schema_texts
    from engine.documents.schemas import schema_names
    from engine.outputs.atomic import write_atomic

    names = schema_names()
    replaced = {CONFIG_SCHEMA: editor_schema(main)}  # the config file's options, from the commands themselves
    if directory == "":
        raise click.UsageError("--write needs a folder")
    if directory is not None:
        texts = editor_schema_texts(replaced)  # all made, and every target checked, before any is written
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
    _echo(editor_schema_text(wanted, replaced), nl=False)


@main.command(name="docs")
@click.argument("paths", nargs=-1, type=POLICY_PATHS)
@click.option("--format", "output_format", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True,
              help="Markdown pages (for a Git host or a docs site) or self-contained HTML pages.")
@click.option("--output", "-o", "directory", type=click.Path(file_okay=False), required=True,
              help="The catalog folder, written atomically (replaced when it is a catalog written before; a folder of other files is refused).")
def docs_command(paths, output_format, directory):
    """Render the catalog of a policy library, to publish: an index by capability and label, and a
    page per policy with what it demands, its thresholds after policy sets, its severity and
    enforcement, what to do, and compliant and non-compliant examples from its policy tests.

    PATHS are files or folders, as for validate; 'builtin' is the built-in library (with your
    policy sets: costwarden docs builtin my-set.yaml -o catalog). Without PATHS: the built-in
    library. See docs/catalog.md.
    """
    from engine.catalog import FORMATS, build_catalog, write_folder
    from engine.catalog.folder import FolderError

    if directory == "":
        raise click.UsageError("--output needs a folder")
    catalog = build_catalog(_policy_paths(paths))
    files = FORMATS[output_format](catalog)
    try:
        write_folder(directory, files)
    except FolderError as error:
        click.echo(f"costwarden: cannot write the catalog: {error}", err=True)
        sys.exit(2)
    count = len(catalog.entries)
    _echo(f"wrote {directory}: {len(files)} pages, {count} polic{'ies' if count != 1 else 'y'}")


def _schema_target_check(target: str) -> None:
    """Stop before writing anything when a file stands where a folder must be made, or a folder where the schema goes."""
    folder = os.path.dirname(target) or "."
    while not os.path.exists(folder) and os.path.dirname(folder) not in ("", folder):
        folder = os.path.dirname(folder)  # the nearest part of the path that exists
    if os.path.exists(folder) and not os.path.isdir(folder):
        wanted = os.path.dirname(target)  # the folder the schema goes in, named with the file that blocks it
        _schema_write_failed(wanted, "a file, not a folder" if folder == wanted else f"{folder} is a file, not a folder")
    if os.path.isdir(target):
        _schema_write_failed(target, "a folder is in the way of the schema file")


def _schema_write_failed(path: str, reason: str) -> None:
    click.echo(f"costwarden: cannot write the schemas: {path}: {reason}", err=True)
    sys.exit(2)


def _adopted(group: click.Group) -> click.Group:
    """A command group made elsewhere, given this module's contexts: its commands read the config file
    (their section under the group's) like every other command. check's --config and --no-config are
    among the options they take from check."""
    for command in [group, *group.commands.values()]:
        command.context_class = _Context
        if not any(param.name == "config" for param in command.params) and not isinstance(command, click.Group):
            command.params.extend(_config_options())
    return group


main.add_command(_adopted(cli_exemptions.baseline_commands(check)))


# --- config -----------------------------------------------------------------------------------------------

@main.command(name="config", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def config_command(args):
    """Show the effective settings of every command, or of one, and where each comes from.

    ARGS is a command and its options, as you would run it: costwarden config check --fail-on
    high shows what check would run with. Each setting comes from the command line, the config
    file (file:line), or the default. Without ARGS: every command, from the config file and the
    defaults. See docs/config.md.
    """
    ctx = click.get_current_context()
    leaves = _leaf_commands(main)
    shown = leaves
    rest: list[str] = []
    if args:
        for path, command in leaves:
            if tuple(args[:len(path)]) == path:
                shown, rest = [(path, command)], list(args[len(path):])
                break
        else:
            names = [" ".join(path) for path, _ in leaves]
            raise click.UsageError(f"no command '{args[0]}' ({did_you_mean(args[0], names) or 'one of ' + ', '.join(names)})")
    settings = _settings(ctx)
    config = settings.config
    if ctx.no_config:
        header = "config file: none (--no-config)"
    elif config is None:
        header = "config file: none found (costwarden.yaml, costwarden.yml or pyproject.toml [tool.costwarden], searched from " \
                 "the working directory up to the repository root)"
    else:
        header = f"config file: {config.path}"
    lines = [header]
    for path, command in shown:
        # every command without arguments: resilient, so that an option it requires (baseline create --output) is not asked for
        sub = command.context_class(command, info_name=" ".join(path), parent=ctx.find_root(), resilient_parsing=not args)
        sub.section, sub.config_path, sub.no_config, sub.showing_config = path, ctx.config_path, ctx.no_config, True
        command.parse_args(sub, list(rest))
        used = _settings(sub)
        rows = []
        for param in command.get_params(sub):
            name = _config_key(param)
            if name is None:
                continue
            source = sub.get_parameter_source(param.name)
            if source is click.core.ParameterSource.COMMANDLINE:
                origin = "command line"
            elif source is click.core.ParameterSource.DEFAULT_MAP:
                origin = used.source(path, param.name) or "config file"
                unused = _config_value_unused(sub, param.name)
                if unused:
                    origin += f" ({unused})"
            elif source is click.core.ParameterSource.ENVIRONMENT:
                origin = "environment"
            else:
                origin = "default"
            rows.append((name, _shown_value(sub.params.get(param.name)), origin))
        lines.append("")
        lines.append(f"costwarden {' '.join(path)}")
        width = max((len(name) for name, _, _ in rows), default=0)
        value_width = min(max((len(value) for _, value, _ in rows), default=0), 48)
        lines += [f"  {name:<{width}}  {value:<{value_width}}  {origin}" for name, value, origin in rows]
    _echo("\n".join(lines))


def _leaf_commands(group: click.Group, path: tuple = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command that runs (not a group), with its path of names, in the order of the help."""
    out = []
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        if command is None or command.hidden or command is config_command:
            continue
        if isinstance(command, click.Group):
            out += _leaf_commands(command, path + (name,))
        else:
            out.append((path + (name,), command))
    return out


def _config_key(param) -> str | None:
    from engine.config import config_name

    return config_name(param)


def _shown_value(value) -> str:
    if value is None or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(item) for item in value)
    return str(value)


if __name__ == "__main__":  # pragma: no cover
    main()
