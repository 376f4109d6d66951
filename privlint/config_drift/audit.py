"""The append-only audit log: one JSON line per difference, hash-chained, safe for concurrent runs.

Every entry carries ``prev`` (the ``hash`` of the entry before it) and ``hash`` (SHA-256 of its own
canonical JSON without ``hash``). Editing a past line breaks its own hash; deleting or inserting a
line breaks the next line's ``prev``. (Removing the newest lines, or rewriting the whole chain, needs
the head hash kept somewhere else: ``verify`` prints it.)

Appends take an exclusive lock on the file (POSIX ``flock``), so concurrent runs neither interleave
nor lose lines, and write all of a run's lines with one ``O_APPEND`` write followed by ``fsync``.
A crash mid-write leaves a last line without its newline: the next append keeps that torn line as it
is, terminates it, and records a ``torn-line`` entry naming it, and the caller reports it. A last line
that is a whole, correctly chained entry and lost only its newline is simply terminated.

The log is only ever a regular file: it is opened without following a symbolic link and without
blocking (a FIFO), and anything else (a device such as /dev/zero, a directory) is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
_CHUNK = 1 << 20


class AuditLogError(OSError):
    """The audit log cannot be written (permissions, a directory, a platform without file locks)."""


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical(body).encode("ascii")).hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class TornLine:
    line: int  # 1-based line number in the log
    size: int  # bytes of the partial line


@dataclass
class AppendResult:
    first_line: int  # line number of the first entry written
    torn: TornLine | None = None  # a torn last line found (and recorded) before appending


@contextmanager
def _locked(fd: int) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        raise AuditLogError("this platform has no POSIX file locks; the audit log needs them") from None
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def open_log(path: str, flags: int, mode: int = 0o640) -> int:
    """A descriptor on the regular file ``path``; never a symlink's target, a FIFO, a device or a directory."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        if os.path.islink(path):
            raise AuditLogError(f"audit log {path} is a symbolic link: refusing to write or read through it") from None
        raise AuditLogError(f"cannot open audit log {path}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise AuditLogError(f"audit log {path} is {kind}, not a regular file")
    return fd


def _scan(fd: int) -> tuple[int, bytes, bytes]:
    """(number of complete lines, last complete line, trailing bytes after the last newline)."""
    os.lseek(fd, 0, os.SEEK_SET)
    count, last, tail = 0, b"", b""
    while True:
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            break
        data = tail + chunk
        newlines = data.count(b"\n")
        if newlines:
            count += newlines
            lines = data.split(b"\n")
            last = lines[-2] if len(lines) >= 2 else last
            tail = lines[-1]
        else:
            tail = data
    return count, last, tail


def _hash_of_line(raw: bytes) -> str:
    """The hash the next entry chains to: the line's own ``hash``, or the digest of its bytes if it has none."""
    try:
        entry = json.loads(raw)
        own_hash = entry.get("hash") if isinstance(entry, dict) else None
        if isinstance(own_hash, str):
            return own_hash
    except ValueError:
        pass
    return hashlib.sha256(raw).hexdigest()


def _whole_entry(raw: bytes, prev: str) -> bool:
    """True when ``raw`` is a complete entry chained to ``prev`` (its own hash intact)."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return False
    return isinstance(entry, dict) and entry.get("prev") == prev and entry.get("hash") == entry_hash(entry)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def append(path: str, entries: list[dict[str, Any]]) -> AppendResult:
    """Append entries (each gets ``prev`` and ``hash``) as one locked, atomic-per-line write."""
    fd = open_log(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        with _locked(fd):
            complete, last, tail = _scan(fd)
            prev = _hash_of_line(last) if complete else GENESIS
            out: list[bytes] = []
            torn = None
            if tail and _whole_entry(tail, prev):
                # Only the newline was lost: end the line, and chain to it.
                out.append(b"\n")
                prev = _hash_of_line(tail)
                complete += 1
            elif tail:
                # A write was interrupted: keep the partial line, end it, and say so in the chain.
                torn = TornLine(line=complete + 1, size=len(tail))
                record = {
                    "time": utc_now(),
                    "event": "torn-line",
                    "torn_line": torn.line,
                    "torn_sha256": hashlib.sha256(tail).hexdigest(),
                    "prev": prev,
                }
                prev = record["hash"] = entry_hash(record)
                out.append(b"\n" + canonical_line(record))
            first = complete + (2 if torn else 1)
            for entry in entries:
                entry = {**entry, "prev": prev}
                entry["hash"] = entry_hash(entry)
                prev = entry["hash"]
                out.append(canonical_line(entry))
            if out:
                _write_all(fd, b"".join(out))
                os.fsync(fd)
            return AppendResult(first_line=first, torn=torn)
    except OSError as exc:
        if isinstance(exc, AuditLogError):
            raise
        raise AuditLogError(f"cannot write audit log {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def canonical_line(entry: dict[str, Any]) -> bytes:
    # Field order as written (readable); ensure_ascii keeps every entry on one line of ASCII.
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


# -- verification


@dataclass
class VerifyResult:
    entries: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    notes: list[tuple[int, str]] = field(default_factory=list)
    head: str = GENESIS  # hash of the newest entry

    @property
    def ok(self) -> bool:
        return not self.errors


def verify(path: str) -> VerifyResult:
    """Check every line: valid JSON, its own hash, the chain to the line before. Raises OSError if unreadable."""
    result = VerifyResult()
    fd = open_log(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    lines = data.split(b"\n")
    ends_cleanly = lines[-1] == b""
    if ends_cleanly:
        lines.pop()
    prev = GENESIS
    torn_pending: dict[int, str] = {}  # line -> sha256 of a line that is not a valid entry
    for number, raw in enumerate(lines, start=1):
        last = number == len(lines)
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            if last and not ends_cleanly:
                result.errors.append((number, "incomplete last line (a write was interrupted); the next `privlint drift --audit-log` run records it"))
            else:
                torn_pending[number] = hashlib.sha256(raw).hexdigest()
            continue
        if entry.get("hash") != entry_hash(entry):
            result.errors.append((number, "entry was edited: its hash does not match its content"))
        if entry.get("prev") != prev:
            result.errors.append((number, "hash chain broken: a line before this one was removed, inserted or edited"))
        if entry.get("event") == "torn-line":
            torn = entry.get("torn_line")
            if torn in torn_pending and torn_pending[torn] == entry.get("torn_sha256"):
                result.notes.append((torn, f"torn line (an interrupted write), recorded by the entry on line {number}"))
                del torn_pending[torn]
            else:
                result.errors.append((number, f"torn-line entry names line {torn}, which is not the torn line it recorded"))
        result.entries += 1
        own_hash = entry.get("hash")
        if isinstance(own_hash, str):
            prev = own_hash
    for number in sorted(torn_pending):
        result.errors.append((number, "not a valid JSON entry (edited or corrupted)"))
    result.errors.sort()
    result.head = prev
    return result
