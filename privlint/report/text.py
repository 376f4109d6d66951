"""Human-readable output: one ``path:line`` line per finding (editors and terminals make it a link).

Coloured on a terminal unless NO_COLOR is set or --color says otherwise. Lines are never wrapped
by privlint (the terminal soft-wraps them), so a path or a word is never cut in two.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from privlint.model.escape import printable
from privlint.model.findings import Report

if TYPE_CHECKING:
    from rich.console import Console

_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def console_for(stream: TextIO, color: bool | None) -> Console:
    """A rich console: colour forced on/off, or (None) decided by the terminal and NO_COLOR."""
    from rich.console import Console

    return Console(file=stream, force_terminal=color, no_color=None if color is None else not color, highlight=False, soft_wrap=True, emoji=False, markup=True)


def render(report: Report, stream: TextIO, color: bool | None = None, quiet: bool = False) -> None:
    """Findings, then (unless quiet) the summary; the configuration that applied is always named."""
    from rich.markup import escape

    console = console_for(stream, color)
    shown = [f for f in report.findings if not f.suppressed]
    for _file, group in groupby(shown, key=lambda f: f.file):
        for f in group:
            style = _STYLES[f.severity.value]
            controls = f" [dim]({', '.join(f.controls)})[/dim]" if f.controls else ""
            console.print(
                f"[bold]{escape(printable(f.file))}:{f.line}[/bold]: [{style}]{f.severity.value:<8}[/{style}] {f.rule_id}  "
                f"[bold]{escape(printable(f.resource))}[/bold]  {escape(printable(f.message))}{controls}"
            )
        console.print()
    s = report.summary
    plural = "s" if s.files != 1 else ""
    if not quiet and s.findings:
        counts = ", ".join(f"{n} {sev}" for sev, n in s.by_severity.items())
        console.print(f"{s.findings} finding{'s' if s.findings != 1 else ''} ({counts}) in {s.files} file{plural} scanned.")
    elif not quiet:
        console.print(f"No findings in {s.files} file{plural} scanned.")
    suppressed = len(report.findings) - len(shown)
    if suppressed and not quiet:
        console.print(f"{suppressed} suppressed finding{'s' if suppressed != 1 else ''} not shown.")
    for applied in s.config or []:
        changes = "; ".join(applied.changes) or "no changes"
        console.print(escape(f"Configuration {printable(applied.file)}: {printable(changes)}"))
