"""Running a scan for the CLI: ``-`` as standard input, a progress bar on a terminal, notes on what was skipped."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from privlint.frontend.api import _FILE_NAMES as STDIN_FILE_NAMES
from privlint.frontend.cli_options import error
from privlint.model.findings import Report
from privlint.pipeline.engine import Scanner

STDIN = "-"
STDIN_DISPLAY = "<stdin>"


def stdin_file_name(text: str, stdin_format: str | None) -> str:
    """The file name that makes the engine read standard input as ``stdin_format``, else as what its content is."""
    if stdin_format is not None:
        return STDIN_FILE_NAMES[stdin_format]
    from privlint.pipeline.formats import detect

    looks_json = text.lstrip().startswith(("{", "["))
    for name in ("stdin.json",) if looks_json else ("stdin.yaml",):
        if detect(text, name) is not None:
            return name
    return "main.tf.json" if looks_json else "main.tf"


def _read_stdin(limit: int) -> str:
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise error(f"standard input is larger than max_file_size ({limit} bytes)")
    return data.decode("utf-8-sig", "replace")


@contextmanager
def stdin_paths(paths: list[str], stdin_format: str | None, limit: int) -> Iterator[tuple[list[str], str | None]]:
    """``paths`` with ``-`` replaced by a private temporary file holding standard input, and that file's path."""
    if STDIN not in paths:
        if stdin_format is not None:
            raise error("--stdin-format needs '-' (standard input) among the paths")
        yield paths, None
        return
    text = _read_stdin(limit)
    with tempfile.TemporaryDirectory(prefix="privlint-stdin-") as directory:
        path = os.path.join(directory, stdin_file_name(text, stdin_format))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield [path if p == STDIN else p for p in paths], path


@contextmanager
def progress_bar(scanner: Scanner) -> Iterator[None]:
    """A bar on standard error while the scan runs (only on a terminal: logs get no control sequences)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("scan", total=None)
        scanner.on_discovered = lambda total: bar.update(task, total=total)
        scanner.progress = lambda files: bar.advance(task, files)
        yield


def scan(scanner: Scanner, paths: list[str], stdin_format: str | None, show_progress: bool) -> Report:
    """The report of ``paths`` (``-`` is standard input, reported as <stdin>); exits 2 for a missing path."""
    with stdin_paths(paths, stdin_format, scanner.settings.max_file_size) as (
        given,
        stdin_file,
    ):
        try:
            with progress_bar(scanner) if show_progress and sys.stderr.isatty() else nullcontext():
                report = scanner.scan_paths(given)
        except FileNotFoundError as exc:
            raise error(f"no such file or directory: {exc.args[0] if exc.args else exc}") from None
        if stdin_file is not None:
            for finding in report.findings:
                if finding.file == stdin_file:
                    finding.file = STDIN_DISPLAY
                finding.resource = finding.resource.replace(stdin_file, STDIN_DISPLAY)
                finding.message = finding.message.replace(stdin_file, STDIN_DISPLAY)
    return report


def remote_module_note(scanner: Scanner) -> str | None:
    """Registry and git modules are never downloaded: say so, or a clean result looks like a full one."""
    sources = sorted(scanner.remote_modules)
    if not sources:
        return None
    shown = ", ".join(sources[:5]) + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")
    return f"{len(sources)} registry or git module{'s' if len(sources) != 1 else ''} not read (nothing is downloaded): {shown}"


def root_of(paths: list[str]) -> Path:
    from privlint.report.locations import repository_root

    return repository_root([p for p in paths if p != STDIN] or ["."])
