"""safe-settings configuration (``.github/settings.yml``, ``.github/repos/REPO.yml``) as a format.

Recognised by content: a mapping whose ``collaborators`` (``{username, permission}``), ``teams``
(``{name, permission}``) or ``branches`` (``{name, protection}``) have safe-settings' shapes.
"""

from __future__ import annotations

import os
import re
from typing import Any

from privlint.model.settings import Settings
from privlint.pipeline.units import Document, Format, Unit

_HINT = re.compile(r"^(collaborators|teams|branches)\s*:", re.MULTILINE)
_SHAPES = {"collaborators": ("username",), "teams": ("name", "permission"), "branches": ("name", "protection")}


def looks_like_safe_settings(data: Any) -> bool:
    if not isinstance(data, dict) or "admins" in data or "orgs" in data:
        return False
    for key, required in _SHAPES.items():
        items = data.get(key)
        if isinstance(items, list) and items and all(isinstance(i, dict) and all(r in i for r in required) for i in items):
            return True
    return False


def _is_safe_settings(doc: Document) -> bool:
    if not _HINT.search(doc.text):
        return False
    from privlint.pipeline.github_yaml import try_load

    data = try_load(doc.text)
    if data is None:
        # A broken settings.yml: claim it, so its error is reported rather than the file skipped.
        return doc.name in ("settings.yml", "settings.yaml")
    return looks_like_safe_settings(data)


def _repo_name(display: str) -> str:
    """``settings.yml`` applies to every repository; ``repos/NAME.yml`` to one."""
    stem = os.path.basename(display).rsplit(".", 1)[0]
    return "*" if stem == "settings" else stem


def _parse(text: str, display: str, settings: Settings) -> Unit:
    from privlint.normalize.github import from_safe_settings
    from privlint.pipeline.github_yaml import parse_unit

    expected = "not a safe-settings file: expected collaborators, teams or branches"
    return parse_unit(text, display, looks_like_safe_settings, expected, lambda data: [from_safe_settings(data, display, _repo_name(display))])


FORMAT = Format("github-safe-settings", (".yaml", ".yml"), _is_safe_settings, _parse)
