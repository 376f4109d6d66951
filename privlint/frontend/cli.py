"""The ``privlint`` command line. Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from privlint.frontend.cli_options import (
    BaselineOption,
    Color,
    ColorOption,
    ConfigOption,
    CreateBaselineOption,
    ExcludeOption,
    ExitZeroOption,
    FailOnOption,
    FormatOption,
    IgnoreOption,
    IncludeSuppressedOption,
    OutputFileOption,
    OutputFormat,
    QuietOption,
    SelectOption,
    StdinFormatOption,
    error,
    load_settings,
    selection,
)
from privlint.model.version import __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"privlint {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    name="privlint",
    help="Lint Terraform and CloudFormation for privileged-access mistakes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are plain: [tool.privlint] is a TOML table, not markup
)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Lint Terraform and CloudFormation for privileged-access mistakes."""


class RegisterFormat(str, Enum):
    csv = "csv"
    json = "json"
    markdown = "markdown"


schema_app = typer.Typer(help="Print the JSON Schema of a file privlint reads or writes.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")

PathsArgument = Annotated[list[str], typer.Argument(help="Files and directories to scan; - reads standard input.", show_default=False, metavar="PATH")]


@app.command()
def check(
    paths: PathsArgument,
    output_format: FormatOption = OutputFormat.text,
    fail_on: FailOnOption = None,
    color: ColorOption = Color.auto,
    config: ConfigOption = None,
    output_file: OutputFileOption = None,
    quiet: QuietOption = False,
    exit_zero: ExitZeroOption = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    exclude: ExcludeOption = None,
    stdin_format: StdinFormatOption = None,
    baseline: BaselineOption = None,
    create_baseline: CreateBaselineOption = None,
    include_suppressed: IncludeSuppressedOption = False,
    include_disabled: Annotated[
        bool | None,
        typer.Option(
            "--include-disabled",
            show_default=False,
            help="Also lint Terraform blocks that an input variable switches off (count = 0); their findings name the variable.",
        ),
    ] = None,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache",
            help="Reuse evaluated Terraform modules whose files are unchanged since an earlier --cache run (also PRIVLINT_CACHE=1; stored in PRIVLINT_CACHE_DIR or ~/.cache/privlint/results).",
        ),
    ] = False,
) -> None:
    """Scan PATHS and report privileged-access findings."""
    from privlint.frontend.cli_output import Delivery, deliver, note
    from privlint.frontend.cli_scan import remote_module_note, root_of, scan
    from privlint.pipeline.cache import ResultCache, default_directory, enabled_by_environment
    from privlint.pipeline.engine import Scanner

    loaded = load_settings(paths, config, {"fail_on": fail_on, "include_disabled": include_disabled, **selection(select, ignore, exclude)})
    delivery = Delivery(output_format, color, output_file, quiet, exit_zero, include_suppressed, baseline, create_baseline)
    scanner = Scanner(loaded.settings, str(loaded.path) if loaded.path else None)
    if cache or enabled_by_environment():
        scanner.cache = ResultCache(default_directory())
    report = scan(scanner, paths, stdin_format.value if stdin_format else None, show_progress=not quiet)
    report.summary.config = loaded.applied
    remote = remote_module_note(scanner)
    if remote:
        note(remote, delivery)
    unknown = [f"{where}: unknown rule in a suppression (`privlint rules` lists them)" for where in scanner.unknown_rules]
    deliver(report, delivery, loaded.settings, root_of(paths), errors=unknown)


@app.command("risk-register")
def risk_register(
    paths: PathsArgument,
    output_format: Annotated[RegisterFormat, typer.Option("--format", "-f", help="Output format.")] = RegisterFormat.markdown,
    config: ConfigOption = None,
    output_file: OutputFileOption = None,
) -> None:
    """List every active suppression (the risk register): rule, controls, resource, file:line, reason, owner, expiry, days left."""
    from privlint.frontend.cli_output import write_output
    from privlint.pipeline.engine import Scanner
    from privlint.report.risk_register import entries, render

    loaded = load_settings(paths, config, {})
    scanner = Scanner(loaded.settings, str(loaded.path) if loaded.path else None)
    try:
        scanner.scan_paths(paths)
    except FileNotFoundError as exc:
        raise error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    write_output(render(entries(scanner.register, scanner.today), output_format.value), output_file)


@schema_app.command("config")
def schema_config() -> None:
    """The configuration file (.privlint.yaml, or [tool.privlint] in pyproject.toml)."""
    import json

    from privlint.pipeline.config import config_schema

    typer.echo(json.dumps(config_schema(), indent=2))


@schema_app.command("report")
def schema_report() -> None:
    """The JSON report (check --format json, drift --format json)."""
    import json

    from privlint.model.findings import report_schema

    typer.echo(json.dumps(report_schema(), indent=2))


class RulesFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("rules")
def list_rules(
    output_format: Annotated[RulesFormat, typer.Option("--format", "-f", help="text (one line per rule) or json (every field).")] = RulesFormat.text,
) -> None:
    """List every rule: id, name, category, severity, controls, formats."""
    from privlint.model.catalog import load_catalog

    catalog = load_catalog()
    if output_format == RulesFormat.json:
        import json
        from dataclasses import asdict

        from privlint.report.sarif import help_uri

        rows = [{**asdict(meta), "help_uri": help_uri(meta.id)} for meta in catalog.values()]
        typer.echo(json.dumps(rows, indent=2))
        return
    for meta in catalog.values():
        typer.echo(
            f"{meta.id}  {meta.name:<34} {meta.category.value:<19} {meta.severity.value:<8} {','.join(meta.controls) or '-':<18} {','.join(meta.formats)}"
        )


@app.command()
def explain(rule_id: str = typer.Argument(..., help="A rule id (PL101) or name (admin-without-mfa).")) -> None:
    """Explain a rule: what it detects, why, an example, and the fix."""
    from privlint.model.catalog import load_catalog

    catalog = load_catalog()
    meta = catalog.get(rule_id.upper()) or next((m for m in catalog.values() if m.name == rule_id.lower()), None)
    if meta is None:
        raise error(f"unknown rule {rule_id!r}; `privlint rules` lists them")
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


# -- privlint github ... (GitHub organisation snapshots; privlint/frontend/github_export.py)
github_app = typer.Typer(help="GitHub organisation snapshots: export one from the API, print its JSON Schema.", no_args_is_help=True)
app.add_typer(github_app, name="github")


@github_app.command("export")
def github_export(
    org: str = typer.Option(..., "--org", help="The organisation's login.", show_default=False),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the snapshot here [default: stdout]."),
) -> None:
    """Export ORG's owners, members, 2FA status, teams, repositories and webhooks (token from GITHUB_TOKEN)."""
    from privlint.frontend.github_export import write_snapshot

    raise typer.Exit(write_snapshot(org, output, lambda message: typer.echo(message, err=True)))


@github_app.command("schema")
def github_schema() -> None:
    """Print the JSON Schema of GitHub organisation snapshots."""
    from privlint.pipeline.format_github_snapshot import SCHEMA_PATH

    typer.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)


# -- privlint drift / audit verify / schema change-register (privlint/config_drift/)
audit_app = typer.Typer(help="The audit log written by `privlint drift --audit-log`.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def drift(
    plan: Annotated[str | None, typer.Option("--plan", metavar="FILE", help="Terraform plan JSON (terraform show -json PLANFILE).", show_default=False)] = None,
    cfn_drift: Annotated[
        str | None, typer.Option("--cfn-drift", metavar="FILE", help="aws cloudformation describe-stack-resource-drifts output.", show_default=False)
    ] = None,
    baseline: Annotated[str | None, typer.Option("--baseline", metavar="FILE", help="The approved snapshot (with --current).", show_default=False)] = None,
    current: Annotated[str | None, typer.Option("--current", metavar="FILE", help="The live snapshot (with --baseline).", show_default=False)] = None,
    register: Annotated[
        str | None,
        typer.Option(
            "--register", metavar="FILE", help="Change register, YAML or JSON [default: change_register in the configuration file].", show_default=False
        ),
    ] = None,
    audit_log: Annotated[
        str | None, typer.Option("--audit-log", metavar="FILE", help="Append one JSON line per difference to this file.", show_default=False)
    ] = None,
    output_format: FormatOption = OutputFormat.text,
    fail_on: FailOnOption = None,
    color: ColorOption = Color.auto,
    config: ConfigOption = None,
    output_file: OutputFileOption = None,
    quiet: QuietOption = False,
    exit_zero: ExitZeroOption = False,
) -> None:
    """Report changes not covered by an approved change record (config-drift), and log every change."""
    from privlint.config_drift.audit import AuditLogError
    from privlint.config_drift.run import DriftInputs, run_drift
    from privlint.frontend.cli_output import Delivery, deliver
    from privlint.frontend.cli_scan import root_of

    given = [p for p in (plan, cfn_drift, current, baseline) if p]
    loaded = load_settings(given[:1], config, {"fail_on": fail_on})
    if register is None and loaded.settings.change_register and loaded.path:
        import os.path

        # change_register in a configuration file is relative to that file.
        register = os.path.join(os.path.dirname(loaded.path), loaded.settings.change_register)
    try:
        report = run_drift(DriftInputs(plan, cfn_drift, baseline, current, register, audit_log), loaded.settings)
    except FileNotFoundError as exc:
        raise error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    except (AuditLogError, ValueError) as exc:
        raise error(str(exc)) from None
    report.summary.config = loaded.applied
    delivery = Delivery(output_format, color, output_file, quiet, exit_zero)
    deliver(report, delivery, loaded.settings, root_of(given))


@audit_app.command("verify")
def audit_verify(log: str = typer.Argument(..., help="The audit log (JSON lines).", show_default=False)) -> None:
    """Check every line is a well-formed entry and the hash chain is unbroken (exit 1 with the line if not)."""
    from privlint.config_drift.audit import verify

    try:
        result = verify(log)
    except OSError as exc:
        raise error(f"cannot read {log}: {exc.strerror or exc}") from None
    for line, note in result.notes:
        typer.echo(f"{log}:{line}: note: {note}")
    for line, message in result.errors:
        typer.echo(f"{log}:{line}: error: {message}")
    state = "intact" if result.ok else f"{len(result.errors)} problem(s)"
    typer.echo(f"{result.entries} entries, hash chain {state}; head {result.head}")
    raise typer.Exit(0 if result.ok else 1)


@schema_app.command("change-register")
def schema_change_register() -> None:
    """The change register read by `privlint drift --register`."""
    import json

    from privlint.config_drift.register import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


# -- privlint checkov-bundle (privlint/integrations/checkov_bundle.py)
@app.command("checkov-bundle")
def checkov_bundle(
    output: str = typer.Option(..., "--output", "-o", help="Directory to write the bundle into (created if needed).", show_default=False),
) -> None:
    """Write privlint's checkov custom checks, with the modules they need, for `checkov --external-checks-dir DIR`."""
    from pathlib import Path

    from privlint.integrations.checkov_bundle import write_bundle

    written = write_bundle(Path(output))
    for path in written:
        typer.echo(str(path))
    loader = next(path for path in written if path.suffix == ".py" and not path.name.startswith("__"))
    typer.echo(f"Check that checkov loads them, with the Python of checkov's environment: python {loader} --self-test", err=True)


# -- privlint graph ... (the principal graph and privilege-escalation paths; privlint/analysis/)
class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@app.command("graph")
def graph_command(
    paths: PathsArgument,
    output_format: Annotated[GraphFormat, typer.Option("--format", "-f", help="mermaid (GitHub, Markdown), dot (Graphviz) or json.")] = GraphFormat.mermaid,
    config: ConfigOption = None,
    output_file: OutputFileOption = None,
    quiet: QuietOption = False,
    exclude: ExcludeOption = None,
    stdin_format: StdinFormatOption = None,
) -> None:
    """Draw the principal graph: admin-level principals marked, escalation paths without MFA highlighted."""
    from privlint.analysis.graph_render import render
    from privlint.frontend.api import graph
    from privlint.frontend.cli_output import write_output
    from privlint.frontend.cli_scan import stdin_paths

    loaded = load_settings(paths, config, selection(None, None, exclude))
    with stdin_paths(paths, stdin_format.value if stdin_format else None, loaded.settings.max_file_size) as (given, _stdin_file):
        try:
            text = render(graph(given, loaded.settings), output_format.value)
        except FileNotFoundError as exc:
            raise error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    write_output(text, output_file)
    if loaded.path is not None and not quiet:
        from privlint.frontend.cli_output import Delivery, note

        note(f"configuration {loaded.path}: " + ("; ".join(loaded.changes) or "no changes"), Delivery())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
