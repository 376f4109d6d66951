"""Credentials: which attributes hold a secret or a user name, and which user names name a service's administrator."""

from __future__ import annotations

import re
from typing import Any

from privlint.model.datafiles import load_json


def credential_attribute_kind(name: str) -> str | None:
    """'secret', 'username' or None for an attribute or property name."""
    table = load_json("credential_attributes.json")
    low = name.lower()
    if low in table["secret"]:
        return "secret"
    if low in table["username"]:
        return "username"
    return None


# Resource types whose user-name attribute names an administrator account of the service.
_ADMIN_USER_TYPES = re.compile(
    r"(db_instance|rds_cluster|redshift|docdb|neptune|mq_broker|memorydb|dms_endpoint|opensearch|elasticsearch|"
    r"mssql|mysql|postgresql|sql_server|sql_database|virtual_machine|RDS::|Redshift::|DocDB::|Neptune::|AmazonMQ::|"
    r"DMS::|OpenSearchService::|Elasticsearch::|MemoryDB::|Lightsail)",
    re.IGNORECASE,
)


def is_admin_user_resource(resource_type: str) -> bool:
    return bool(_ADMIN_USER_TYPES.search(resource_type))


def walk_credentials(values: Any, path: str = "", depth: int = 0) -> list[tuple[str, str, str, Any]]:
    """(top-level attribute, attribute path, credential kind, value) for every credential attribute."""
    out: list[tuple[str, str, str, Any]] = []
    if depth > 4 or not isinstance(values, dict):
        return out
    for key, value in values.items():
        if not isinstance(key, str):
            continue
        full = f"{path}.{key}" if path else key
        kind = credential_attribute_kind(key)
        if kind is not None and not isinstance(value, (dict, list)):
            out.append((full.split(".")[0], full, kind, value))
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                out.extend(walk_credentials(item, full, depth + 1))
    return out
