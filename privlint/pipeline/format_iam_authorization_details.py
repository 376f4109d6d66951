"""Live IAM snapshots (``aws iam get-account-authorization-details --output json``) as a format.

Recognised by content: a JSON object whose keys are those of the command's output (UserDetailList,
GroupDetailList, RoleDetailList, Policies, and the paging keys), with at least one of the lists.
"""

from __future__ import annotations

from privlint.model.problems import Problem
from privlint.model.settings import Settings
from privlint.pipeline.units import Document, Format, Unit

_LISTS = frozenset({"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"})
_KEYS = _LISTS | {"IsTruncated", "Marker", "NextToken"}


def _is_authorization_details(doc: Document) -> bool:
    if isinstance(doc.json, dict):
        return bool(_LISTS & doc.json.keys()) and set(doc.json) <= _KEYS
    # Broken JSON that says it is a snapshot: parse it to report its error.
    return doc.json is None and doc.text.lstrip().startswith("{") and any(f'"{k}"' in doc.text[:4096] for k in ("UserDetailList", "RoleDetailList"))


def _parse(text: str, display: str, settings: Settings) -> Unit:
    from privlint.normalize.aws_authorization_details import AuthorizationDetailsNormaliser
    from privlint.parsers.jsonpos import JsonError, loads

    unit = Unit()
    try:
        data = loads(text)
    except JsonError as exc:
        unit.problems.append(Problem(display, exc.line, display, f"invalid JSON: {exc.reason}"))
        return unit
    if not isinstance(data, dict):
        unit.problems.append(Problem(display, 1, display, "authorization details: expected a JSON object"))
        return unit
    normaliser = AuthorizationDetailsNormaliser(data, display)
    unit.inventory = normaliser.normalise()
    unit.problems.extend(normaliser.problems)
    return unit


FORMAT = Format("aws-iam-authorization-details", (".json",), _is_authorization_details, _parse)
