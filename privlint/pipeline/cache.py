"""The result cache: each Terraform module directory's evaluated inventory, reused while nothing it read changed.

Opt-in, by the person running privlint (``--cache``, or ``PRIVLINT_CACHE=1``), never by the scanned
repository's configuration: a pull request must not decide where privlint writes. Entries live in
``$PRIVLINT_CACHE_DIR`` (default ``$XDG_CACHE_HOME/privlint/results``), a directory of the user's own
that others cannot write.

- **A data format, not pickle**: an entry is JSON; loading one never runs code.
- **Authenticated**: each entry carries an HMAC-SHA256 under a per-user key (32 random bytes, mode 0600,
  kept in the cache directory). An entry privlint did not write under that key (a CI cache restored from
  another branch, a file planted by someone else) fails the check and is recomputed, never trusted.
- **No secrets**: a module whose inventory holds a credential value is not stored.
- **Exact**: an entry records the SHA-256 of every file the evaluation read (module files, tfvars,
  ``file()`` and ``templatefile()`` contents) and the Terraform files of every module directory it listed,
  and is used only while all still match; its key covers privlint's own code and data, the settings that
  change evaluation, and the scanned roots.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from privlint.model.inventory import Inventory

ENV_ENABLE = "PRIVLINT_CACHE"
ENV_DIRECTORY = "PRIVLINT_CACHE_DIR"
FORMAT_VERSION = 2
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_KEY_FILE = "key"
_PACKAGE = Path(__file__).resolve().parent.parent


def default_directory() -> Path:
    if os.environ.get(ENV_DIRECTORY):
        return Path(os.environ[ENV_DIRECTORY])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "privlint" / "results"


def enabled_by_environment() -> bool:
    return os.environ.get(ENV_ENABLE, "").lower() in ("1", "true", "yes", "on")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """privlint's own modules and data files: any change to them makes every entry stale."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".yaml", ".txt") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(_PACKAGE)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


@dataclass
class ModuleEntry:
    """What one module directory's evaluation produced, and what it read."""

    files: dict[str, str | None]  # every file read -> its SHA-256 (None: unreadable)
    listings: dict[str, Any]  # what the evaluation listed or looked for, as the caller's ``unchanged`` reads it
    result: dict[str, Any]  # problems, files, called_dirs, remote_modules, read_problems (see terraform_scan)
    inventory: Inventory | None
    deployed: Inventory | None
    disabled: dict[str, str]
    problems: list[list[Any]]  # the normaliser's problems: [file, line, resource, message]


def _private_directory(directory: Path) -> bool:
    """The directory exists (made here if not), is no symlink, belongs to this user and only they may write it."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(directory)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_regular(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes, not following a symlink, or None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            return handle.read(limit + 1)
    finally:
        if fd != -1:
            os.close(fd)


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._context = ""
        self._key = self._load_key() if _private_directory(directory) else None
        self.hits = 0
        self.misses = 0

    @property
    def usable(self) -> bool:
        return self._key is not None

    def bind(self, context: dict[str, Any]) -> None:
        """What else the results depend on (settings, scanned roots, working directory): part of every key."""
        self._context = json.dumps({"code": code_fingerprint(), "format": FORMAT_VERSION, **context}, sort_keys=True, default=str)

    def _load_key(self) -> bytes | None:
        path = self.directory / _KEY_FILE
        key = _read_regular(path, 64)
        if key is not None and len(key) == 32:
            return key
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            existing = _read_regular(path, 64)  # another run made it first
            return existing if existing is not None and len(existing) == 32 else None
        except OSError:
            return None
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key

    def _entry_path(self, module_dir: Path, files: list[Path]) -> Path:
        name = hashlib.sha256(json.dumps([self._context, str(module_dir), [str(f) for f in files]]).encode()).hexdigest()
        return self.directory / f"{name}.json"

    def get(self, module_dir: Path, files: list[Path], unchanged: Callable[[ModuleEntry], bool]) -> ModuleEntry | None:
        """The entry for this module and file list, if privlint wrote it and nothing it read has changed.

        The files it read are compared here; ``unchanged(entry)`` compares what else it looked at
        (directory listings, paths found missing).
        """
        if self._key is None:
            return None
        data = _read_regular(self._entry_path(module_dir, files), MAX_ENTRY_BYTES)
        entry = self._verified(data) if data is not None else None
        if entry is None or not self._files_unchanged(entry) or not unchanged(entry):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def _verified(self, data: bytes) -> ModuleEntry | None:
        mac, _, body = data.partition(b"\n")
        assert self._key is not None
        expected = hmac.new(self._key, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            raw = json.loads(body)
            return ModuleEntry(
                files=raw["files"],
                listings=raw["listings"],
                result=raw["result"],
                inventory=None if raw["inventory"] is None else Inventory.model_validate(raw["inventory"]),
                deployed=None if raw["deployed"] is None else Inventory.model_validate(raw["deployed"]),
                disabled=raw["disabled"],
                problems=raw["problems"],
            )
        except (ValueError, KeyError, TypeError):
            return None  # written by another version of privlint: recomputed

    @staticmethod
    def _files_unchanged(entry: ModuleEntry) -> bool:
        return all(file_digest(Path(path)) == digest for path, digest in entry.files.items())

    def put(self, module_dir: Path, files: list[Path], entry: ModuleEntry) -> None:
        if self._key is None or any(inv is not None and inv.credentials for inv in (entry.inventory, entry.deployed)):
            return  # a credential's value is a secret: never written to disk
        body = json.dumps(
            {
                "files": entry.files,
                "listings": entry.listings,
                "result": entry.result,
                "inventory": None if entry.inventory is None else entry.inventory.model_dump(mode="json"),
                "deployed": None if entry.deployed is None else entry.deployed.model_dump(mode="json"),
                "disabled": entry.disabled,
                "problems": entry.problems,
            },
            sort_keys=True,
        ).encode()
        mac = hmac.new(self._key, body, hashlib.sha256).hexdigest().encode()
        path = self._entry_path(module_dir, files)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(mac + b"\n" + body)
            os.replace(temporary, path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
