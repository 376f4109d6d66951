"""Configuration files: ``.privlint.yaml`` or ``[tool.privlint]`` in ``pyproject.toml``.

Found by walking up from the scanned path (``--config FILE`` overrides) and validated against
``Settings``: an unknown key or a bad value is an error that names the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from privlint.core.settings import Settings

CONFIG_NAMES = (".privlint.yaml", ".privlint.yml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass
class LoadedConfig:
    settings: Settings
    path: Path | None  # None: defaults, no file found


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start`` (a pyproject.toml counts only with [tool.privlint])."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_section(candidate)):
                return candidate
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        return "privlint" in _read_toml(path).get("tool", {})
    except (ConfigError, OSError):
        return True  # a broken pyproject.toml that mentions us: load it to report the error


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
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
    """Settings from a file (or defaults), with command-line overrides applied on top."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = read_raw(path)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    raw.update(overrides or {})
    try:
        return LoadedConfig(Settings.model_validate(raw), path)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


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
