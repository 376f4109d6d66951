"""Options shared by several ``privlint`` commands, and reading the configuration they name."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from privlint.model.findings import Severity

if TYPE_CHECKING:
    from privlint.pipeline.config import LoadedConfig


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    gitlab = "gitlab"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def error(message: str) -> typer.Exit:
    """A usage or input error: the message on stderr, exit status 2."""
    from privlint.model.escape import printable

    for line in message.splitlines() or [""]:
        typer.echo(f"privlint: error: {printable(line)}", err=True)
    return typer.Exit(2)


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists both work: --select PL101,PL102 --select PL201."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text, json, sarif, junit (JUnit XML), github (workflow annotations), gitlab (Code Quality JSON).",
    ),
]
FailOnOption = Annotated[
    Severity | None,
    typer.Option(
        "--fail-on",
        case_sensitive=False,
        show_default=False,
        help="Exit 1 only for findings of at least this severity, in any case (HIGH, high) [default: low, or fail_on in the configuration].",
    ),
]
ColorOption = Annotated[
    Color,
    typer.Option(
        "--color",
        help="Colour the text output (auto: on a terminal, unless NO_COLOR is set).",
    ),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        show_default=False,
        help="Configuration file [default: the nearest .privlint.yaml, .privlint.yml or pyproject.toml with [tool.privlint] at or above the first path].",
    ),
]
OutputFileOption = Annotated[
    str | None,
    typer.Option(
        "--output-file",
        "-o",
        "--output",
        metavar="FILE",
        show_default=False,
        help="Write the output to this file [default: standard output].",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print findings only: no summary, notes or progress."),
]
ExitZeroOption = Annotated[
    bool,
    typer.Option(
        "--exit-zero",
        "--soft-fail",
        help="Exit 0 even when findings reach --fail-on (errors still exit 2).",
    ),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="RULES",
        show_default=False,
        help="Run only these rules: ids, names or categories, repeated or comma-separated (replaces select in the configuration).",
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        metavar="RULES",
        show_default=False,
        help="Never run these rules: ids, names or categories (replaces ignore in the configuration).",
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="GLOBS",
        show_default=False,
        help="Path globs not to scan (replaces exclude in the configuration).",
    ),
]


class StdinFormat(str, Enum):
    terraform = "terraform"
    terraform_json = "terraform-json"
    cloudformation = "cloudformation"
    cloudformation_json = "cloudformation-json"
    terraform_plan = "terraform-plan"


StdinFormatOption = Annotated[
    StdinFormat | None,
    typer.Option(
        "--stdin-format",
        metavar="FORMAT",
        show_default=False,
        help="What '-' (standard input) holds [default: detected from its content, else Terraform].",
    ),
]
BaselineOption = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        show_default=False,
        help="Do not report findings listed in this baseline file (one written by --create-baseline).",
    ),
]
CreateBaselineOption = Annotated[
    str | None,
    typer.Option(
        "--create-baseline",
        metavar="FILE",
        show_default=False,
        help="Write the fingerprints of every finding to this file instead of a report; exit 0.",
    ),
]
IncludeSuppressedOption = Annotated[
    bool,
    typer.Option(
        "--include-suppressed",
        help="SARIF: include suppressed findings, with their suppressions (GitHub shows every result as an alert, so they are left out by default).",
    ),
]


def selection(select: list[str] | None, ignore: list[str] | None, exclude: list[str] | None) -> dict[str, object]:
    return {
        "select": _split(select),
        "ignore": _split(ignore),
        "exclude": _split(exclude),
    }


def load_settings(paths: list[str], config: str | None, overrides: dict[str, object]) -> LoadedConfig:
    """Settings from --config, else the nearest .privlint.yaml / pyproject.toml above the first path."""
    from privlint.pipeline.config import ConfigError, find_config, load_config

    first = next((p for p in paths if p != "-"), None)
    path = Path(config) if config else (find_config(Path(first)) if first else None)
    if config and not Path(config).is_file():
        raise error(f"no such configuration file: {config}")
    try:
        return load_config(path, {k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise error(str(exc)) from None
