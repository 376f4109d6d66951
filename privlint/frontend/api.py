"""The importable API: ``scan`` and ``scan_text`` return a typed ``Report``."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from privlint.model.findings import Report
from privlint.model.settings import Settings

TextFormat = Literal[
    "terraform",
    "terraform-json",
    "terraform-plan",
    "cloudformation",
    "cloudformation-json",
    "aws-credential-report",
    "aws-iam-authorization-details",
    "github-snapshot",
    "github-peribolos",
    "github-safe-settings",
]
# The file name each text is scanned as; its suffix is what privlint's format detection keys on.
_FILE_NAMES: dict[str, str] = {
    "terraform": "main.tf",
    "terraform-json": "main.tf.json",
    "terraform-plan": "plan.json",
    "cloudformation": "template.yaml",
    "cloudformation-json": "template.json",
    "aws-credential-report": "credential-report.csv",
    "aws-iam-authorization-details": "authorization-details.json",
    "github-snapshot": "github-snapshot.json",
    "github-peribolos": "peribolos.yaml",
    "github-safe-settings": "settings.yml",
}
# Formats read by content sniffing (privlint.pipeline.formats); Terraform files are read by their suffix alone.
_SNIFFED_AS = {"cloudformation-json": "cloudformation"}


class TextFormatError(ValueError):
    """``scan_text`` was given an unknown format, or a text that is not a document of that format."""


def _sniffed_format(text: str) -> str | None:
    """The format privlint's detection gives this text under any of the suffixes it sniffs, or None."""
    from privlint.pipeline.formats import detect

    for suffix in (".json", ".yaml", ".csv"):
        found = detect(text, "document" + suffix)
        if found is not None:
            return found.name
    return None


def _check_text_format(text: str, format: str) -> None:
    if format not in _FILE_NAMES:
        raise TextFormatError(f"unknown format {format!r}; expected one of {', '.join(_FILE_NAMES)}")
    sniffed = _sniffed_format(text)
    if format in ("terraform", "terraform-json"):
        if sniffed is not None:
            raise TextFormatError(f"the text is not {format}: it is a {sniffed} document (pass format={sniffed!r})")
        if format == "terraform-json" and not text.lstrip().startswith("{"):
            raise TextFormatError("the text is not terraform-json: a Terraform JSON file is one JSON object")
        return
    if sniffed != _SNIFFED_AS.get(format, format):
        found = f"it is a {sniffed} document (pass format={sniffed!r})" if sniffed else "privlint does not recognise it"
        raise TextFormatError(f"the text is not a {format} document: {found}")


Config = Settings | Mapping[str, Any] | str | os.PathLike[str] | None


def _settings(config: Config) -> tuple[Settings, str | None]:
    """Settings from a model, a mapping, or a configuration file path (.privlint.yaml / pyproject.toml)."""
    if config is None:
        return Settings(), None
    if isinstance(config, Settings):
        return config, None
    if isinstance(config, (str, os.PathLike)):
        from privlint.pipeline.config import load_config

        loaded = load_config(Path(config))
        return loaded.settings, os.fspath(config)
    return Settings.model_validate(dict(config)), None


def scan(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], config: Config = None) -> Report:
    """Scan files and directories; returns the report (findings sorted by file and line).

    ``config`` is a ``Settings``, a mapping of the same keys, or the path of a configuration file.
    Raises FileNotFoundError for a path that does not exist, ``privlint.pipeline.config.ConfigError`` for a bad
    configuration file; bad file contents never raise, they become parse-error findings.
    """
    from privlint.pipeline.engine import Scanner

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    settings, config_file = _settings(config)
    return Scanner(settings, config_file).scan_paths([os.fspath(p) for p in paths])


def risk_register(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], config: Config = None) -> list[RegisterEntry]:
    """Every active suppression in the scanned paths as risk-register rows (``RegisterEntry`` models)."""
    from privlint.pipeline.engine import Scanner
    from privlint.report.risk_register import entries

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    settings, config_file = _settings(config)
    scanner = Scanner(settings, config_file)
    scanner.scan_paths([os.fspath(p) for p in paths])
    return entries(scanner.register, scanner.today)


def scan_text(text: str, format: TextFormat = "terraform", config: Config = None, filename: str | None = None) -> Report:
    """Scan one document given as text. ``file`` in findings is ``filename`` (default: a name for the format).

    ``format`` is one of ``TextFormat``. Raises ``TextFormatError`` (a ValueError) for an unknown format or a
    text that is not a document of that format (e.g. a CloudFormation template passed as ``terraform``).
    """
    _check_text_format(text, format)
    name = filename or _FILE_NAMES[format]
    with tempfile.TemporaryDirectory(prefix="privlint-") as tmp:
        path = Path(tmp) / _FILE_NAMES[format]  # the format's own suffix, whatever ``filename`` says
        path.write_text(text, encoding="utf-8")
        report = scan([path], config)
    if report.summary.files == 0:
        raise TextFormatError(f"the text is not a {format} document")
    for finding in report.findings:
        finding.file = name
    return report


def drift(
    plan: str | os.PathLike[str] | None = None,
    cfn_drift: str | os.PathLike[str] | None = None,
    baseline: str | os.PathLike[str] | None = None,
    current: str | os.PathLike[str] | None = None,
    register: str | os.PathLike[str] | None = None,
    audit_log: str | os.PathLike[str] | None = None,
    config: Config = None,
    today: dt.date | None = None,
) -> Report:
    """Changes not covered by an approved change record, as a ``Report`` (category ``config-drift``).

    Give ``plan`` (terraform show -json), ``cfn_drift`` (describe-stack-resource-drifts output), or
    ``baseline`` with ``current``; ``register`` is the change register (default: ``change_register`` of
    the configuration, relative to its file), ``audit_log`` a JSON-lines file to append one entry per
    difference to. ``today`` (a ``datetime.date``) decides expiry; default: today (UTC).
    Raises ValueError for a wrong combination, FileNotFoundError for a missing input.
    """
    from privlint.config_drift.run import DriftInputs, run_drift

    def path(value: str | os.PathLike[str] | None) -> str | None:
        return os.fspath(value) if value is not None else None

    settings, config_file = _settings(config)
    if register is None and settings.change_register:
        register = os.path.join(os.path.dirname(config_file), settings.change_register) if config_file else settings.change_register
    inputs = DriftInputs(path(plan), path(cfn_drift), path(baseline), path(current), path(register), path(audit_log))
    return run_drift(inputs, settings, today)


if TYPE_CHECKING:
    from privlint.analysis.graph_model import PrincipalGraph
    from privlint.report.risk_register import RegisterEntry


def graph(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], config: Config = None) -> PrincipalGraph:
    """The principal graph of the code under ``paths``: nodes, edges and escalation paths (privlint/analysis/).

    Every template and module directory is joined into one account graph, the one PL103 and PL104 use; a
    node id that two of them share is prefixed with its file. Raises FileNotFoundError for a path that does not exist.
    """
    from privlint.analysis.account import account_graph
    from privlint.pipeline.discover import discover
    from privlint.pipeline.engine import Scanner

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    settings, _config_file = _settings(config)
    found = discover([os.fspath(p) for p in paths], settings.max_file_size, settings.exclude)
    units, _problems = Scanner(settings)._parse(found.files)
    return account_graph([unit.inventory for unit in units]).graph
