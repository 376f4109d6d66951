"""The per-installation key of the audit log's fingerprints (HMAC-SHA256 of sensitive values).

``PRIVLINT_AUDIT_KEY`` (at least 32 characters; for CI, from the CI's secret store) wins. Otherwise
the key is ``$XDG_STATE_HOME/privlint/audit.key`` (default ``~/.local/state/privlint/audit.key``):
created on first use with 32 random bytes, mode 0600 in a 0700 directory, and refused when it is a
symbolic link, not a regular file, owned by someone else, or readable by others. Keep the key as
long as the log: the same value hashes the same only under the same key.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from privlint.config_drift.audit import AuditLogError

ENV_KEY = "PRIVLINT_AUDIT_KEY"
MIN_ENV_KEY = 32
_MAX_KEY_FILE = 4096


def key_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "privlint" / "audit.key"


def audit_key() -> bytes:
    """The key, from the environment or the key file (created when missing). Raises AuditLogError."""
    given = os.environ.get(ENV_KEY)
    if given is not None:
        if len(given.strip()) < MIN_ENV_KEY:
            raise AuditLogError(f"{ENV_KEY} must be at least {MIN_ENV_KEY} characters (e.g. `openssl rand -hex 32`)")
        return given.strip().encode("utf-8")
    path = key_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return _read(path) if os.path.lexists(path) else _create(path)
    except OSError as exc:
        if isinstance(exc, AuditLogError):
            raise
        raise AuditLogError(f"cannot use the audit key {path}: {exc.strerror or exc} (or set {ENV_KEY})") from None


def _create(path: Path) -> bytes:
    key = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return _read(path)  # another run created it first
    try:
        os.write(fd, key + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AuditLogError(f"audit key {path} is not a regular file")
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise AuditLogError(f"audit key {path} is owned by another user or readable by others: refusing it (chmod 600, or remove it)")
        key = os.read(fd, _MAX_KEY_FILE).strip()
    finally:
        os.close(fd)
    if len(key) < MIN_ENV_KEY:
        raise AuditLogError(f"audit key {path} is too short; remove it and a new one is made")
    return key
