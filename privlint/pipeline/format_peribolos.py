"""peribolos org configuration (YAML) as a format.

Two real spellings: the prow config form ``orgs: {ORG: {admins, members, teams, ...}}`` and the one-org
file of kubernetes/org (``config/ORG/org.yaml``: ``admins``, ``members``, ``teams`` at the top; the org
is named by its directory).
"""

from __future__ import annotations

import os
import re
from typing import Any

from privlint.model.settings import Settings
from privlint.pipeline.units import Document, Format, Unit

_HINT = re.compile(r"^(orgs|admins)\s*:", re.MULTILINE)
_ORG_KEYS = {"admins", "members", "teams", "default_repository_permission", "members_can_create_repositories"}


def looks_like_peribolos(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    orgs = data.get("orgs")
    if isinstance(orgs, dict) and orgs:
        return all(isinstance(body, dict) and body.keys() & _ORG_KEYS for body in orgs.values())
    return isinstance(data.get("admins"), list) and ("members" in data or "teams" in data)


def _is_peribolos(doc: Document) -> bool:
    if not _HINT.search(doc.text):
        return False
    from privlint.pipeline.github_yaml import try_load

    data = try_load(doc.text)
    if data is None:
        # Broken YAML that declares orgs: claim it, so its error is reported rather than the file skipped.
        return bool(re.search(r"^orgs\s*:", doc.text, re.MULTILINE))
    return looks_like_peribolos(data)


def _org_name_from_path(display: str) -> str:
    directory = os.path.basename(os.path.dirname(os.path.normpath(display)))
    return directory if directory not in ("", ".", "..") else "org"


def _parse(text: str, display: str, settings: Settings) -> Unit:
    from privlint.normalize.github import from_peribolos
    from privlint.pipeline.github_yaml import parse_unit

    expected = "not a peribolos org configuration: expected orgs: {ORG: {admins, members, teams}}"
    return parse_unit(text, display, looks_like_peribolos, expected, lambda data: from_peribolos(data, display, _org_name_from_path(display)))


FORMAT = Format("github-peribolos", (".yaml", ".yml"), _is_peribolos, _parse)
