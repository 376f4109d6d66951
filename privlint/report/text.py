"""Human-readable output: findings grouped by file, coloured when writing to a terminal."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from privlint.core.findings import Report

_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def render(report: Report, stream: TextIO, color: bool | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, force_terminal=color, no_color=color is False, highlight=False, soft_wrap=True)
    shown = [f for f in report.findings if not f.suppressed]
    for file, group in groupby(shown, key=lambda f: f.file):
        console.print(f"[bold]{escape(file)}[/bold]")
        for f in group:
            style = _STYLES[f.severity.value]
            controls = f" [dim]({', '.join(f.controls)})[/dim]" if f.controls else ""
            console.print(
                f"  {f.line:>4}  [{style}]{f.severity.value:<8}[/{style}] {f.rule_id}  "
                f"[bold]{escape(f.resource)}[/bold]  {escape(f.message)}{controls}"
            )
        console.print()
    s = report.summary
    if s.findings:
        counts = ", ".join(f"{n} {sev}" for sev, n in s.by_severity.items())
        console.print(f"{s.findings} finding{'s' if s.findings != 1 else ''} ({counts}) in {s.files} file{'s' if s.files != 1 else ''} scanned.")
    else:
        console.print(f"No findings in {s.files} file{'s' if s.files != 1 else ''} scanned.")
    suppressed = len(report.findings) - len(shown)
    if suppressed:
        console.print(f"{suppressed} suppressed finding{'s' if suppressed != 1 else ''} not shown.")
