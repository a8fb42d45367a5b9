"""check's options for exemptions and baselines, and the ``costwarden baseline`` commands.

``check`` takes ``--exemptions``, ``--baseline`` and ``--expiry-warning-days`` (:func:`check_options`),
reads those files before it evaluates anything (:func:`prepare`, so a broken file costs no
evaluation) and applies them to the result after :func:`engine.evaluate` (:meth:`Steps.apply`):
exemptions first, then the baseline. Exemption documents among the policy paths apply too.

``costwarden baseline create`` and ``baseline update`` take ``check``'s own options — the inputs of
the run — and run ``check``, which then writes the baseline instead of a report
(:meth:`Steps.write_baseline`); :func:`baseline_commands` builds them from the ``check`` command.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from engine.findings import Result

META_KEY = "costwarden.baseline"  # click's ctx.meta: the baseline command that runs check
# check's options that are not inputs of the run: the baseline commands do not take them
NOT_INPUTS = ("output_format", "output", "fail_on", "baseline_path")


def check_options(command):
    """Decorate ``check`` with ``--exemptions``, ``--baseline`` and ``--expiry-warning-days``."""
    options = [
        click.option("--exemptions", "exemption_paths", multiple=True, type=click.Path(),
                     help="Exemption documents (file or folder); repeatable. Those among the policy paths apply too."),
        click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None,
                     help="Baseline file (costwarden baseline create): its findings are baselined and do not fail the run."),
        click.option("--expiry-warning-days", type=click.IntRange(min=0), default=14, show_default=True,
                     help="Warn about exemptions that expire within this many days of the as-of date."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass(frozen=True)
class _Write:
    """A baseline command running check: what to write where."""

    command: str  # create | update
    path: str
    allow_growth: bool = False
    drop_unchecked: bool = False


@dataclass
class Steps:
    """The exemptions and the baseline of one check run, read before it evaluates."""

    exemptions: list
    baseline: object  # engine.exemptions.baseline.Baseline | None
    warning_days: int
    write: _Write | None = None

    @property
    def writes_baseline(self) -> bool:
        return self.write is not None

    def apply(self, result: Result, resources) -> Result:
        """Exemptions, then (unless this run writes the baseline) the baseline."""
        from engine import api

        if self.exemptions:
            result = api.apply_exemptions(result, self.exemptions, resources=resources, warning_days=self.warning_days)
        if self.baseline is not None and self.write is None:
            result = api.apply_baseline(result, self.baseline, resources=resources)
        return result

    def write_baseline(self, result: Result, resources) -> int:
        """Write the baseline of ``result`` (create) or its update, and say what changed; the exit code."""
        from engine.exemptions.baseline import baseline_text, created_entries, updated_entries
        from engine.outputs.atomic import write_atomic

        if result.errors:
            for error in result.errors:
                click.echo(error.format(), err=True)
            count = len(result.errors)
            click.echo(f"costwarden: {self.write.path} not written: {count} evaluation error{'s' if count != 1 else ''}",
                       err=True)
            return 2
        if self.write.command == "create":
            entries = created_entries(result)
            summary = f"wrote {self.write.path}: {_findings(len(entries))}"
            refused = 0
        else:
            update = updated_entries(self.baseline, result, resources=resources, allow_growth=self.write.allow_growth,
                                     drop_unchecked=self.write.drop_unchecked)
            entries, refused = update.entries, update.refused
            removed = [f"{count} {why}" for why, count in (("fixed", update.fixed), ("now exempted", update.exempted),
                                                            ("not checked", update.dropped)) if count]
            summary = (f"wrote {self.write.path}: {_findings(len(entries))} (kept {update.kept}, removed "
                       f"{update.fixed + update.exempted + update.dropped}{' (' + ', '.join(removed) + ')' if removed else ''},"
                       f" added {update.added})")
        try:
            write_atomic(self.write.path, baseline_text(entries))
        except OSError as error:
            click.echo(f"costwarden: cannot write {self.write.path}: {error.strerror or error}", err=True)
            return 2
        click.echo(summary)
        if refused:
            click.echo(f"costwarden: {_findings(refused)} not in the baseline and not added: the baseline only shrinks"
                       " (add them with --allow-growth, or fix them)", err=True)
            return 1
        return 0


def _findings(count: int) -> str:
    return f"{count} finding{'s' if count != 1 else ''}"


def prepare(library, *, exemption_paths=(), baseline_path=None, expiry_warning_days: int = 14) -> Steps:
    """Read and check the exemptions (given, and among the library's files) and the baseline. Raises InputError."""
    from engine import api

    context = click.get_current_context(silent=True)
    write = context.meta.get(META_KEY) if context is not None else None
    if write is not None and write.command == "update":
        baseline_path = write.path
    exemptions = api.load_exemptions(exemption_paths, library=library)
    baseline = api.load_baseline(baseline_path) if baseline_path else None
    return Steps(exemptions, baseline, expiry_warning_days, write)


def validate_exemptions(library) -> list:
    """The exemptions among a validated library's files (``costwarden validate``), their policies and labels
    checked when the library has policies. Raises InputError."""
    from engine.bundled import policies_dir
    from engine.exemptions.documents import load_exemptions

    return load_exemptions(among=library.exemption_documents, policies=library.policies or None, skip_under=policies_dir())


def baseline_commands(check: click.Command) -> click.Group:
    """The ``baseline`` group: ``create`` and ``update``, with ``check``'s inputs as their options."""
    inputs = [param for param in check.params if param.name not in NOT_INPUTS]

    @click.group(name="baseline", context_settings={"help_option_names": ["-h", "--help"]})
    def baseline():
        """Record the findings of an estate, so that check fails only on new ones.

        A baseline file lists the open findings of a run by fingerprint, with their policy, subject
        and message (one per line, for review). `check --baseline FILE` marks them baselined and
        lists the fixed ones; see docs/baselines.md.
        """

    @baseline.command(name="create", params=[*inputs, click.Option(
        ["--output", "-o"], type=click.Path(dir_okay=False), required=True, help="The baseline file to write (atomically).")])
    @click.pass_context
    def create(ctx, output, **options):
        """Write the open findings of a run (the options of check) to a baseline file.

        \b
        Exit codes: 0 written; 2 usage error, invalid input, or a policy that could
        not be evaluated (nothing is written then).
        """
        ctx.meta[META_KEY] = _Write("create", output)
        ctx.invoke(check, **options)

    @baseline.command(name="update", params=[*inputs, click.Option(
        ["--baseline", "baseline_path"], type=click.Path(dir_okay=False), required=True, help="The baseline file to update in place."),
        click.Option(["--allow-growth"], is_flag=True, help="Also add the new open findings (the baseline may grow)."),
        click.Option(["--drop-unchecked"], is_flag=True,
                     help="Also remove entries the run did not look at (policy not evaluated, resource not in the input).")])
    @click.pass_context
    def update(ctx, baseline_path, allow_growth, drop_unchecked, **options):
        """Shrink a baseline to the findings still present: a ratchet.

        Entries whose finding is fixed (its policy ran on its resource and found nothing) or now
        exempted are removed; entries the run did not look at are kept (unless --drop-unchecked).
        New findings are not added unless --allow-growth.

        \b
        Exit codes: 0 written; 1 written, and new findings were left out (no
        --allow-growth); 2 usage error, invalid input, or a policy that could not be
        evaluated (nothing is written then).
        """
        ctx.meta[META_KEY] = _Write("update", baseline_path, allow_growth, drop_unchecked)
        ctx.invoke(check, **options)

    return baseline
