"""The ``privlint`` command line. Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Optional

import typer

from privlint import __version__
from privlint.findings import Severity

app = typer.Typer(
    name="privlint",
    help="Lint Terraform and CloudFormation for privileged-access mistakes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _error(message: str) -> typer.Exit:
    typer.echo(f"privlint: error: {message}", err=True)
    return typer.Exit(2)


@app.command()
def check(
    paths: list[str] = typer.Argument(..., help="Files and directories to scan.", show_default=False),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 only for findings of at least this severity [default: low]."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour the text output."),
) -> None:
    """Scan PATHS and report privileged-access findings."""
    from privlint.api import scan
    from privlint.settings import Settings

    settings = Settings()
    if fail_on is not None:
        settings = settings.model_copy(update={"fail_on": fail_on})
    try:
        report = scan(paths, settings)
    except FileNotFoundError as exc:
        raise _error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    if output_format == OutputFormat.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        from privlint.report.text import render

        render(report, sys.stdout, color={"auto": None, "always": True, "never": False}[color.value])
    raise typer.Exit(1 if report.fails(settings.fail_on) else 0)


@app.command("rules")
def list_rules() -> None:
    """List every rule: id, name, category, severity, controls, formats."""
    from privlint.rules.base import load_catalog

    for meta in load_catalog().values():
        typer.echo(
            f"{meta.id}  {meta.name:<34} {meta.category.value:<19} {meta.severity.value:<8} "
            f"{','.join(meta.controls) or '-':<18} {','.join(meta.formats)}"
        )


@app.command()
def explain(rule_id: str = typer.Argument(..., help="A rule id (PL101) or name (admin-without-mfa).")) -> None:
    """Explain a rule: what it detects, why, an example, and the fix."""
    from privlint.rules.base import load_catalog

    catalog = load_catalog()
    meta = catalog.get(rule_id.upper()) or next((m for m in catalog.values() if m.name == rule_id.lower()), None)
    if meta is None:
        raise _error(f"unknown rule {rule_id!r}; `privlint rules` lists them")
    sections = [
        f"{meta.id} {meta.name}: {meta.title}",
        f"category: {meta.category.value}   severity: {meta.severity.value}   controls: {', '.join(meta.controls) or '-'}",
        f"\nWhat it detects\n  {meta.summary}",
        f"\nWhy it matters\n  {meta.rationale}",
    ]
    if meta.bad_example:
        sections.append("\nBad\n" + _indent(meta.bad_example))
    if meta.good_example:
        sections.append("\nGood\n" + _indent(meta.good_example))
    sections.append(f"\nFix\n  {meta.fix}")
    typer.echo("\n".join(sections))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


@app.command()
def version() -> None:
    """Print privlint's version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
