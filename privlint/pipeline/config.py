"""Configuration files: ``.privlint.yaml`` or ``[tool.privlint]`` in ``pyproject.toml``.

Found by walking up from the scanned path (``--config FILE`` overrides) and validated against
``Settings``: an unknown key or a bad value is an error that names the key.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from privlint.model.findings import AppliedConfig
from privlint.model.settings import Settings

CONFIG_NAMES = (".privlint.yaml", ".privlint.yml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass
class LoadedConfig:
    settings: Settings
    path: Path | None  # None: defaults, no file found
    changes: list[str] = field(default_factory=list)  # what the file changed, for every report

    @property
    def applied(self) -> list[AppliedConfig] | None:
        """The configuration file named in reports (None when no file applied)."""
        if self.path is None:
            return None
        return [AppliedConfig(file=str(self.path), changes=self.changes)]


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start`` (a pyproject.toml counts only with [tool.privlint])."""
    directory = start.resolve()
    if not _is(directory, stat.S_ISDIR):
        directory = directory.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if _is(candidate, stat.S_ISREG) and (name != "pyproject.toml" or _has_tool_section(candidate)):
                return candidate
    return None


def _is(path: Path, kind: Callable[[int], bool]) -> bool:
    """``path`` exists and is of this kind; False too when it cannot be looked at (a directory without x)."""
    try:
        return kind(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _has_tool_section(path: Path) -> bool:
    try:
        return "privlint" in _read_toml(path).get("tool", {})
    except (ConfigError, OSError):
        return True  # a broken pyproject.toml that mentions us: load it to report the error


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def read_raw(path: Path) -> dict[str, Any]:
    if path.name == "pyproject.toml":
        section = _read_toml(path).get("tool", {}).get("privlint", {})
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [tool.privlint] must be a table")
        return section
    from privlint.parsers.yaml_lines import YamlError, load

    try:
        data = load(path.read_text(encoding="utf-8"), file=str(path))  # the one YAML reader, with its alias budgets
    except YamlError as exc:
        raise ConfigError(f"{path}:{exc.line or 1}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    return data


def load_config(path: Path | None, overrides: dict[str, Any] | None = None) -> LoadedConfig:
    """Settings from a file (or defaults), with command-line overrides applied on top.

    The file must belong to this user (or root) and be writable by no one else: in CI the scanned
    tree and its parents may hold files other people wrote.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            check_ownership(path)
            raw = read_raw(path)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    from_file = dict(raw)
    raw.update(overrides or {})
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    given = set(overrides or {})
    check_rule_names(settings, lambda key: "command line" if key in given else str(path or "configuration"))
    return LoadedConfig(settings, path, describe_changes(from_file) if path is not None else [])


def check_ownership(path: Path) -> None:
    """Refuse a configuration file another user owns or others may write (it could switch checks off)."""
    if not hasattr(os, "geteuid"):
        return  # no POSIX ownership to check
    info = path.stat()
    if info.st_uid not in (os.geteuid(), 0):
        raise ConfigError(
            f"{path}: refused: the file belongs to another user (uid {info.st_uid}); a configuration can switch checks off, so only your own files are read"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(f"{path}: refused: the file is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}); run chmod go-w on it")


def rule_names() -> set[str]:
    """Every word that selects rules: ids, names and categories (lower case)."""
    from privlint.model.catalog import load_catalog

    catalog = load_catalog()
    return {rule_id.lower() for rule_id in catalog} | {m.name for m in catalog.values()} | {m.category.value for m in catalog.values()}


def check_rule_names(settings: Settings, where: Callable[[str], str] = lambda key: "configuration") -> None:
    """An unknown rule id (a typo) would switch rules off or do nothing unseen: an error naming it."""
    known = rule_names()
    used = [("select", k) for k in settings.select] + [("ignore", k) for k in settings.ignore]
    used += [("severity", k) for k in settings.severity] + [("suppressions", s.rule) for s in settings.suppressions]
    unknown = [(key, name) for key, name in used if name.lower() not in known]
    if unknown:
        from privlint.model.escape import printable

        raise ConfigError(
            "\n".join(
                f"{where(key)}: {key}: unknown rule '{printable(name)[:80]}' (`privlint rules` lists the ids, names and categories)" for key, name in unknown
            )
        )


def describe_changes(raw: dict[str, Any]) -> list[str]:
    """What a configuration file changes, one short line per key (counts only where values may be secret)."""
    from privlint.model.escape import printable

    counted = {"suppressions", "extra_default_passwords", "approved_admins"}
    out = []
    for key in sorted(raw):
        value = raw[key]
        if key in counted and isinstance(value, list):
            text = f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
        elif key == "select" and isinstance(value, list):
            text = "only " + ", ".join(map(str, value)) + " (every other rule is off)"
        elif isinstance(value, list):
            text = ", ".join(map(str, value))
        elif isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            text = str(value)
        out.append(printable(f"{key}: {text}")[:300])
    return out


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = str(path) if path else "configuration"
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key '{key}'")
        else:
            lines.append(f"{where}: key '{key}': {error['msg']} (got {json.dumps(error.get('input'), default=str)[:60]})")
    return "\n".join(lines)


# Stable and versionless, as SchemaStore's catalog expects (it maps .privlint.yaml to this URL).
CONFIG_SCHEMA_ID = "https://json.schemastore.org/privlint.json"


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the configuration (``privlint schema config``)."""
    schema = Settings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = CONFIG_SCHEMA_ID
    schema["title"] = "privlint configuration (.privlint.yaml, or [tool.privlint] in pyproject.toml)"
    return schema
