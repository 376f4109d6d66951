"""What drift never shows or logs: the one definition of a sensitive path and value, and their keyed hash.

A value is sensitive when the source marks it so (Terraform ``before_sensitive``/``after_sensitive`` and
``sensitive_values``, variables declared ``sensitive``, CloudFormation ``NoEcho`` parameters), when its
path looks like a secret (``privlint/data/sensitive_paths.json``), or when the value itself does (a
connection string with a password, a PEM body, a token). Such a value is replaced by ``(sensitive)``
everywhere; the audit log keeps an HMAC-SHA256 of it under the installation's key
(``privlint/config_drift/audit_key.py``) so that a change stays detectable without the value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from privlint.model.datafiles import load_json

Path = tuple[str | int, ...]

_KEY: ContextVar[bytes | None] = ContextVar("privlint_audit_key", default=None)


@lru_cache(maxsize=1)
def _table() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str], re.Pattern[str]]:
    table = load_json("sensitive_paths.json")

    def union(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns), flags)

    return union(table["names"]), union(table["secret_store_types"]), frozenset(table["secret_store_descriptive"]), union(table["values"], 0)


def _squashed(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


@lru_cache(maxsize=4096)
def is_sensitive_name(name: str) -> bool:
    """One step of a path (``master_password``, ``SecretString``, ``environment``) that names a secret."""
    return bool(_table()[0].search(_squashed(name)))


def is_secret_store(resource_type: str) -> bool:
    """A resource whose purpose is to hold a secret (SSM parameter, Secrets Manager, Key Vault secret...)."""
    return bool(resource_type) and bool(_table()[1].search(resource_type))


def is_sensitive_path(path: Path, resource_type: str = "") -> bool:
    """True when anything at ``path`` of a resource of ``resource_type`` must be withheld."""
    names = [step for step in path if isinstance(step, str)]
    if any(is_sensitive_name(name) for name in names):
        return True
    return bool(names) and is_secret_store(resource_type) and names[0] not in _table()[2]


def looks_secret(value: Any) -> bool:
    """A string that carries a credential whatever its name (``postgres://u:pw@host``, a PEM body, a token)."""
    return isinstance(value, str) and bool(_table()[3].search(value))


# -- the keyed hash


@contextmanager
def hashing_with(key: bytes | None) -> Iterator[None]:
    """Within this block, ``fingerprint`` hashes with ``key`` (None: no fingerprints are made)."""
    token = _KEY.set(key)
    try:
        yield
    finally:
        _KEY.reset(token)


def fingerprint(value: Any) -> str | None:
    """``hmac-sha256:<hex>`` of the value's canonical JSON under the active key; None without a key or value."""
    key = _KEY.get()
    if key is None or value is None:
        return None
    body = json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"), ensure_ascii=False)
    return "hmac-sha256:" + hmac.new(key, body.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short name for a key (it reveals nothing about it): tells which key made a log's fingerprints."""
    return hmac.new(key, b"privlint audit key id", hashlib.sha256).hexdigest()[:16]
