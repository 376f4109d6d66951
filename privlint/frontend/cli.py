"""The ``privlint`` command line. Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, NoReturn, Optional

import typer

if TYPE_CHECKING:
    from privlint.core.findings import Report
    from privlint.core.settings import Settings

from privlint import __version__
from privlint.core.findings import Severity

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
    sarif = "sarif"


class RegisterFormat(str, Enum):
    csv = "csv"
    json = "json"
    markdown = "markdown"


schema_app = typer.Typer(help="Print the JSON Schema of a file privlint reads or writes.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _error(message: str) -> typer.Exit:
    typer.echo(f"privlint: error: {message}", err=True)
    return typer.Exit(2)


def _load_settings(paths: list[str], config: Optional[str], overrides: dict[str, object]) -> tuple["Settings", Optional[str]]:
    """Settings from --config, else the nearest .privlint.yaml / pyproject.toml above the first path."""
    from pathlib import Path

    from privlint.pipeline.config import ConfigError, find_config, load_config

    path = Path(config) if config else (find_config(Path(paths[0])) if paths else None)
    if config and not Path(config).is_file():
        raise _error(f"no such configuration file: {config}")
    try:
        loaded = load_config(path, {k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise _error(str(exc)) from None
    return loaded.settings, str(path) if path else None


@app.command()
def check(
    paths: list[str] = typer.Argument(..., help="Files and directories to scan.", show_default=False),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 only for findings of at least this severity [default: low, or fail_on in the configuration]."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour the text output."),
    config: Optional[str] = typer.Option(None, "--config", help="Configuration file (default: the nearest .privlint.yaml or pyproject.toml [tool.privlint] above the first path)."),
    cache_dir: Optional[str] = typer.Option(None, "--cache-dir", help="Keep parsed files here between runs [default: $PRIVLINT_CACHE_DIR or the user cache directory]."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the parse cache."),
) -> None:
    """Scan PATHS and report privileged-access findings."""
    from privlint.pipeline import cache
    from privlint.pipeline.engine import Scanner

    settings, config_file = _load_settings(paths, config, {"fail_on": fail_on})
    store = None if no_cache else cache.configure(cache_dir or cache.default_directory())
    try:
        report = Scanner(settings, config_file).scan_paths(paths)
    except FileNotFoundError as exc:
        raise _error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    finally:
        if store is not None:
            store.prune()
    _report_and_exit(report, output_format, color, settings)


def _report_and_exit(report: Report, output_format: OutputFormat, color: Color, settings: Settings) -> NoReturn:
    """Write the report (check and drift share the formats) and exit 1 when a finding reaches fail_on."""
    if output_format == OutputFormat.json:
        sys.stdout.write(report.to_json() + "\n")
    elif output_format == OutputFormat.sarif:
        from privlint.report.sarif import render as render_sarif

        sys.stdout.write(render_sarif(report) + "\n")
    else:
        from privlint.report.text import render

        render(report, sys.stdout, color={"auto": None, "always": True, "never": False}[color.value])
    raise typer.Exit(1 if report.fails(settings.fail_on) else 0)


@app.command("risk-register")
def risk_register(
    paths: list[str] = typer.Argument(..., help="Files and directories to scan.", show_default=False),
    output_format: RegisterFormat = typer.Option(RegisterFormat.markdown, "--format", "-f", help="Output format."),
    config: Optional[str] = typer.Option(None, "--config", help="Configuration file (default: found as for `check`)."),
) -> None:
    """List every active suppression (the risk register): rule, controls, resource, file:line, reason, owner, expiry, days left."""
    from privlint.pipeline.engine import Scanner
    from privlint.report.risk_register import entries, render

    settings, config_file = _load_settings(paths, config, {})
    scanner = Scanner(settings, config_file)
    try:
        scanner.scan_paths(paths)
    except FileNotFoundError as exc:
        raise _error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    sys.stdout.write(render(entries(scanner.register, scanner.today), output_format.value))


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

    from privlint.core.findings import report_schema

    typer.echo(json.dumps(report_schema(), indent=2))


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


# -- privlint github ... (GitHub organisation snapshots; privlint/frontend/github_export.py)
github_app = typer.Typer(help="GitHub organisation snapshots: export one from the API, print its JSON Schema.", no_args_is_help=True)
app.add_typer(github_app, name="github")


@github_app.command("export")
def github_export(
    org: str = typer.Option(..., "--org", help="The organisation's login.", show_default=False),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the snapshot here [default: stdout]."),
) -> None:
    """Export ORG's owners, members, 2FA status, teams, repositories and webhooks (token from GITHUB_TOKEN)."""
    from privlint.frontend.github_export import write_snapshot

    raise typer.Exit(write_snapshot(org, output, lambda message: typer.echo(message, err=True)))


@github_app.command("schema")
def github_schema() -> None:
    """Print the JSON Schema of GitHub organisation snapshots."""
    from privlint.parsers.github_snapshot import SCHEMA_PATH

    typer.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)


# -- privlint drift / audit verify / schema change-register (issue 4; privlint/change_control/)
audit_app = typer.Typer(help="The audit log written by `privlint drift --audit-log`.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def drift(
    plan: Optional[str] = typer.Option(None, "--plan", help="Terraform plan JSON (terraform show -json PLANFILE).", show_default=False),
    cfn_drift: Optional[str] = typer.Option(None, "--cfn-drift", help="aws cloudformation describe-stack-resource-drifts output.", show_default=False),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="The approved snapshot (with --current).", show_default=False),
    current: Optional[str] = typer.Option(None, "--current", help="The live snapshot (with --baseline).", show_default=False),
    register: Optional[str] = typer.Option(None, "--register", help="Change register, YAML or JSON (default: change_register in the configuration file).", show_default=False),
    audit_log: Optional[str] = typer.Option(None, "--audit-log", help="Append one JSON line per difference to this file.", show_default=False),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 only for findings of at least this severity (default: low)."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour the text output."),
    config: Optional[str] = typer.Option(None, "--config", help="Configuration file (default: found as for `check`)."),
) -> None:
    """Report changes not covered by an approved change record (config-drift), and log every change."""
    from privlint.change_control.audit import AuditLogError
    from privlint.change_control.run import DriftInputs, run_drift

    given = [p for p in (plan, cfn_drift, current, baseline) if p]
    settings, config_file = _load_settings(given[:1], config, {"fail_on": fail_on})
    if register is None and settings.change_register and config_file:
        import os.path

        # change_register in a configuration file is relative to that file.
        register = os.path.join(os.path.dirname(config_file), settings.change_register)
    try:
        report = run_drift(DriftInputs(plan, cfn_drift, baseline, current, register, audit_log), settings)
    except FileNotFoundError as exc:
        raise _error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    except AuditLogError as exc:
        raise _error(str(exc)) from None
    except ValueError as exc:
        raise _error(str(exc)) from None
    _report_and_exit(report, output_format, color, settings)


@audit_app.command("verify")
def audit_verify(log: str = typer.Argument(..., help="The audit log (JSON lines).", show_default=False)) -> None:
    """Check every line is a well-formed entry and the hash chain is unbroken (exit 1 with the line if not)."""
    from privlint.change_control.audit import verify

    try:
        result = verify(log)
    except OSError as exc:
        raise _error(f"cannot read {log}: {exc.strerror or exc}") from None
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

    from privlint.change_control.register import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


# -- privlint checkov-bundle (issue 5; privlint/integrations/checkov_bundle.py)
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


# -- privlint graph ... (the principal graph and privilege-escalation paths; privlint/core/principal_graph.py)
class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@app.command("graph")
def graph_command(
    paths: list[str] = typer.Argument(..., help="Files and directories to read.", show_default=False),
    output_format: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", "-f", help="mermaid (GitHub, Markdown), dot (Graphviz) or json."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the graph here [default: stdout]."),
) -> None:
    """Draw the principal graph: admin-level principals marked, escalation paths without MFA highlighted."""
    from privlint.frontend.api import graph
    from privlint.core.principal_graph import render

    try:
        text = render(graph(paths), output_format.value)
    except FileNotFoundError as exc:
        raise _error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise _error(f"cannot write {output}: {exc.strerror or exc}") from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
