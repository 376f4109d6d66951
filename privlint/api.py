"""The importable API: ``scan`` and ``scan_text`` return a typed ``Report``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from privlint.findings import Report
from privlint.settings import Settings

TextFormat = Literal["terraform", "terraform-json", "cloudformation", "cloudformation-json", "terraform-plan"]
_FILE_NAMES: dict[str, str] = {
    "terraform": "main.tf",
    "terraform-json": "main.tf.json",
    "cloudformation": "template.yaml",
    "cloudformation-json": "template.json",
    "terraform-plan": "plan.json",
}


def _settings(config: Settings | Mapping[str, Any] | None) -> Settings:
    if config is None:
        return Settings()
    if isinstance(config, Settings):
        return config
    return Settings.model_validate(dict(config))


def scan(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], config: Settings | Mapping[str, Any] | None = None) -> Report:
    """Scan files and directories; returns the report (findings sorted by file and line).

    Raises FileNotFoundError for a path that does not exist; bad file contents never raise,
    they become parse-error findings.
    """
    from privlint.engine import Scanner

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return Scanner(_settings(config)).scan_paths([os.fspath(p) for p in paths])


def scan_text(text: str, format: TextFormat = "terraform", config: Settings | Mapping[str, Any] | None = None, filename: str | None = None) -> Report:
    """Scan one document given as text. ``file`` in findings is ``filename`` (default: a name for the format)."""
    if format not in _FILE_NAMES:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(_FILE_NAMES)}")
    name = filename or _FILE_NAMES[format]
    with tempfile.TemporaryDirectory(prefix="privlint-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_text(text, encoding="utf-8")
        report = scan([path], config)
    if report.summary.files == 0:
        raise ValueError(f"the text is not a {format} document")
    for finding in report.findings:
        finding.file = name
    return report
