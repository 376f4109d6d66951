"""Writing a report as the CLI does: the chosen format, to standard output or a file, then the exit status.

``check`` and ``drift`` share this; the exit status is 1 when an unsuppressed finding reaches
``fail_on`` (0 with --exit-zero), 2 for errors.
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer

from privlint.frontend.cli_options import Color, OutputFormat, error
from privlint.model.findings import Report
from privlint.model.settings import Settings


@dataclass
class Delivery:
    """How the report leaves the process."""

    output_format: OutputFormat = OutputFormat.text
    color: Color = Color.auto
    output_file: str | None = None
    quiet: bool = False
    exit_zero: bool = False
    include_suppressed: bool = False
    baseline: str | None = None  # hide findings whose fingerprint this file lists
    create_baseline: str | None = None  # write the findings' fingerprints here instead of a report


def note(message: str, delivery: Delivery) -> None:
    """A remark on standard error (never in the report itself), silenced by --quiet."""
    from privlint.model.escape import printable

    if not delivery.quiet:
        typer.echo(f"privlint: note: {printable(message)}", err=True)


def render(report: Report, delivery: Delivery, root: Path, to_terminal: bool) -> str:
    fmt = delivery.output_format
    if fmt == OutputFormat.json:
        return report.to_json() + "\n"
    if fmt == OutputFormat.sarif:
        from privlint.report import sarif

        return sarif.render(report, root, delivery.include_suppressed) + "\n"
    if fmt == OutputFormat.junit:
        from privlint.report import junit

        return junit.render(report, root)
    if fmt == OutputFormat.github:
        from privlint.report import github_annotations

        return github_annotations.render(report, root)
    if fmt == OutputFormat.gitlab:
        from privlint.report import gitlab

        return gitlab.render(report, root)
    from privlint.report import text

    buffer = io.StringIO()
    # Colour needs a terminal (or --color always); a file never gets escape sequences by default.
    auto = to_terminal and not os.environ.get("NO_COLOR")  # https://no-color.org: set and not empty
    color = {"always": True, "never": False}.get(delivery.color.value, auto)
    text.render(report, buffer, color=color, quiet=delivery.quiet)
    return buffer.getvalue()


def write_output(text: str, output_file: str | None) -> None:
    if output_file is None or output_file == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise error(f"cannot write {output_file}: {exc.strerror or exc}") from None


def deliver(
    report: Report,
    delivery: Delivery,
    settings: Settings,
    root: Path,
    errors: list[str] | None = None,
) -> NoReturn:
    """Write the report (or the baseline) and exit; ``errors`` (already in the report as findings) make it exit 2."""
    from privlint.report import baseline

    if delivery.create_baseline is not None:
        write_output(baseline.create(report, root), delivery.create_baseline)
        known = sum(1 for f in report.findings if not f.suppressed)
        note(
            f"baseline of {known} finding{'s' if known != 1 else ''} written to {delivery.create_baseline}",
            delivery,
        )
        raise typer.Exit(2 if errors else 0)
    if delivery.baseline is not None:
        try:
            known_fingerprints = baseline.read(delivery.baseline)
        except baseline.BaselineError as exc:
            raise error(str(exc)) from None
        report, hidden = baseline.without_known(report, known_fingerprints, root)
        if hidden:
            note(
                f"{hidden} finding{'s' if hidden != 1 else ''} listed in the baseline {delivery.baseline} not reported",
                delivery,
            )
    to_terminal = delivery.output_file in (None, "-") and sys.stdout.isatty()
    write_output(render(report, delivery, root, to_terminal), delivery.output_file)
    for message in errors or []:
        typer.echo(f"privlint: error: {message}", err=True)
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(0 if delivery.exit_zero or not report.fails(settings.fail_on) else 1)
