"""A content cache of parsed files: a re-run with nothing changed skips the parser.

python-hcl2 is the slow part of a scan (about 67 KB/s), so the parsed form of each file is kept on
disk, keyed by:

- the SHA-256 of the file's text and of what it is parsed as (``hcl``, ``tf-json``, a format name
  plus the display path and settings, for formats whose result names the file);
- a fingerprint of the code that produced the entry: privlint's version, the Python version, and the
  size and modification time of every source file of privlint, python-hcl2, lark and PyYAML. Editing
  privlint or upgrading a parser changes the fingerprint, so a stale entry is never served.

Each entry is ``MAGIC + sha256(payload) + payload`` (a pickle of privlint's own objects), written to
a temporary name and renamed into place. An entry whose digest does not match, or that does not
unpickle, is deleted and the file is parsed again. The directory is bounded: after a run that wrote
entries, the oldest are deleted until it is under ``max_bytes``.

Entries are pickles, so the cache trusts its directory: privlint creates it private (0700) and
ignores a directory owned by another user or writable by others.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from privlint import __version__

MAGIC = b"PLC1"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MAX_ENTRY_BYTES = 16 * 1024 * 1024  # larger results are not worth a disk round trip
_MISSING = object()


def default_directory() -> Path:
    """``$PRIVLINT_CACHE_DIR``, else the user cache directory of the platform."""
    given = os.environ.get("PRIVLINT_CACHE_DIR")
    if given:
        return Path(given)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "privlint"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home()) / "privlint" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "privlint"


_fingerprint: str | None = None


def code_fingerprint() -> str:
    """What the cached objects depend on besides the text (computed once per process, from stat only)."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256(f"{__version__}|{sys.version}".encode())
        for package in ("privlint", "hcl2", "lark", "yaml"):
            spec = importlib.util.find_spec(package)  # finds without importing
            locations = list(spec.submodule_search_locations or []) if spec else []
            for location in locations:
                for dirpath, dirnames, filenames in os.walk(location):
                    dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                    for name in sorted(filenames):
                        if name.endswith((".py", ".lark", ".yaml", ".json", ".txt")):
                            st = os.stat(os.path.join(dirpath, name))
                            h.update(f"{os.path.relpath(os.path.join(dirpath, name), location)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        _fingerprint = h.hexdigest()
    return _fingerprint


class ParseCache:
    """Parsed results on disk. ``get``/``put`` never raise: a cache problem only costs a re-parse."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.enabled = self._prepare()
        self.hits = 0
        self.misses = 0
        self.written = 0

    def _prepare(self) -> bool:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = self.directory.stat()
        except OSError:
            return False
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            return False  # someone else could plant a pickle here
        return True

    def key(self, kind: str, text: str) -> str:
        h = hashlib.sha256(code_fingerprint().encode())
        h.update(b"\0" + kind.encode("utf-8", "surrogatepass") + b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / "v1" / key[:2] / f"{key[2:]}.entry"

    def get(self, key: str) -> Any:
        """The cached value, or ``MISSING``."""
        if not self.enabled:
            return _MISSING
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return _MISSING
        payload = data[len(MAGIC) + 32 :]
        if data[: len(MAGIC)] != MAGIC or hashlib.sha256(payload).digest() != data[len(MAGIC) : len(MAGIC) + 32]:
            self._discard(path)
            self.misses += 1
            return _MISSING
        try:
            value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - any failure to load is a corrupt entry
            self._discard(path)
            self.misses += 1
            return _MISSING
        self.hits += 1
        try:
            os.utime(path)  # recently used: pruned last
        except OSError:
            pass
        return value

    def put(self, key: str, value: Any) -> None:
        if not self.enabled:
            return
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return  # e.g. a tree too deep to pickle: parse it again next time
        self.put_payload(key, payload)

    def put_payload(self, key: str, payload: bytes) -> None:
        """Store an already pickled value (from a parsing worker)."""
        if not self.enabled or len(payload) > MAX_ENTRY_BYTES:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
            self.written += 1
        except OSError:
            return

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass

    def prune(self) -> None:
        """Delete the least recently used entries until the cache is under ``max_bytes`` (after writes only)."""
        if not self.enabled or not self.written:
            return
        entries = []
        total = 0
        for dirpath, _dirnames, filenames in os.walk(self.directory / "v1"):
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                entries.append((st.st_mtime_ns, st.st_size, path))
                total += st.st_size
        if total <= self.max_bytes:
            return
        for _mtime, size, path in sorted(entries):
            if total <= self.max_bytes * 0.8:
                break
            self._discard(Path(path))
            total -= size


MISSING = _MISSING
_current: ParseCache | None = None


def configure(directory: Path | str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseCache | None:
    """Use a cache in ``directory`` for the scans of this process (None: no cache, the API's default)."""
    global _current
    _current = ParseCache(Path(directory), max_bytes) if directory is not None else None
    return _current


def current() -> ParseCache | None:
    return _current
