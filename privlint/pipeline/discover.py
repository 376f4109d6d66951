"""Find the files to scan and decide each one's format, by content as well as by name.

Directories are walked without following symlinks; a symlinked file is read only when its target
stays inside the scanned root. ``.git``, ``.terraform`` and ``node_modules`` are skipped.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from privlint.model.findings import printable

TERRAFORM = "terraform"  # .tf, .tf.json, .tfvars: read per module directory by the engine
SKIP_DIRS = {".git", ".terraform", "node_modules", ".terragrunt-cache", "__pycache__", ".venv", ".tox"}


@dataclass
class SourceFile:
    path: Path  # the path on disk
    display: str  # the path as given on the command line, joined with the relative path
    kind: str  # "terraform", or the name of a format (privlint.pipeline.formats)
    explicit: bool = False  # named on the command line (not found by walking a directory)


@dataclass
class DiscoveryProblem:
    display: str
    line: int | None
    message: str


@dataclass
class Discovery:
    files: list[SourceFile]
    problems: list[DiscoveryProblem]


def is_terraform_name(name: str) -> bool:
    return name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))


def needs_sniffing(path: Path) -> bool:
    """A name that some format may have; its content decides."""
    from privlint.pipeline.formats import sniff_suffixes

    return path.name.endswith(sniff_suffixes())


# UTF-32 first: its little-endian mark begins with UTF-16's.
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_text(path: Path, limit: int) -> tuple[str, str | None]:
    """File text (UTF-8, or UTF-16/UTF-32 with a byte-order mark; BOM stripped) and a problem, if any.

    Invalid UTF-8 is read with replacement characters."""
    size = path.stat().st_size
    if size > limit:
        raise FileTooLarge(size, limit)
    data = path.read_bytes()
    wide = next((codec for bom, codec in _WIDE_BOMS if data.startswith(bom)), None)
    if wide is not None:
        # UTF-16 and UTF-32 are full of NUL bytes, but with a byte-order mark they are text.
        try:
            return data.decode(wide), None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode(wide, errors="replace").count("\n") + 1
            return data.decode(wide, errors="replace"), f"not valid {wide.upper()} (line {line}); read with replacement characters"
    if b"\x00" in data[:8192]:
        raise BinaryFile()
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return data.decode("utf-8", errors="replace"), f"not valid UTF-8 (line {line}); read with replacement characters"


class FileTooLarge(ValueError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is {size:,} bytes, over the {limit:,}-byte limit (max_file_size): not scanned")


class BinaryFile(ValueError):
    def __init__(self) -> None:
        super().__init__("binary file (contains NUL bytes): not scanned")


def _excluded(rel: str, display: str, patterns: list[str]) -> bool:
    import fnmatch

    rel = rel.replace(os.sep, "/")
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") or fnmatch.fnmatch(display, p) for p in patterns)


def discover(paths: list[str], max_file_size: int, exclude: list[str] | None = None) -> Discovery:
    files: list[SourceFile] = []
    problems: list[DiscoveryProblem] = []
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        try:
            mode = root.stat().st_mode
        except FileNotFoundError:
            raise FileNotFoundError(given) from None
        except OSError as exc:
            # A path into a directory privlint may not enter, a name too long: say so, scan the rest.
            problems.append(DiscoveryProblem(printable(given), None, f"cannot read: {_reason(exc)}"))
            continue
        if stat.S_ISDIR(mode):
            for path, display in _walk(root, given, problems):
                if exclude and _excluded(os.path.relpath(path, root), display, exclude):
                    continue
                _add(path, display, False, files, problems, seen, max_file_size)
        elif stat.S_ISREG(mode):
            _add(root, given, True, files, problems, seen, max_file_size)
        else:
            raise FileNotFoundError(given)
    return Discovery(files, problems)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _walk(root: Path, given: str, problems: list[DiscoveryProblem]) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    real_root = root.resolve()

    def unreadable(exc: OSError) -> None:
        where = os.path.join(given, os.path.relpath(exc.filename, root)) if exc.filename else given
        problems.append(DiscoveryProblem(printable(os.path.normpath(where)), None, f"cannot read directory: {_reason(exc)}; its files were not scanned"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            display = os.path.join(given, os.path.relpath(path, root))
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue  # removed during the scan
            except OSError as exc:
                # A directory that can be listed but not entered (r without x): its files cannot be opened.
                if is_terraform_name(name) or needs_sniffing(path):
                    problems.append(DiscoveryProblem(printable(display), None, f"cannot read file: {_reason(exc)}"))
                continue
            if stat.S_ISLNK(info.st_mode):
                try:
                    target = path.resolve(strict=True)
                    info = target.stat()
                except (OSError, RuntimeError):
                    continue  # dangling link or a loop
                if not target.is_relative_to(real_root):
                    continue  # never follow a link out of the scanned root
            if not stat.S_ISREG(info.st_mode):
                continue  # a FIFO, socket or device: reading it could block forever
            out.append((path, display))
    return out


def _add(path: Path, display: str, explicit: bool, files: list[SourceFile], problems: list[DiscoveryProblem], seen: set[Path], limit: int) -> None:
    terraform = is_terraform_name(path.name)
    if not terraform and not needs_sniffing(path):
        return
    try:
        key = path.resolve()
    except (OSError, RuntimeError):
        return
    if key in seen:
        return
    seen.add(key)
    if not terraform:
        try:
            text, _problem = read_text(path, limit)
        except FileTooLarge as exc:
            problems.append(DiscoveryProblem(display, None, str(exc)))
            return
        except (BinaryFile, FileNotFoundError):
            return  # an unrelated data file, or one that vanished during the scan
        except OSError as exc:
            problems.append(DiscoveryProblem(printable(display), None, f"cannot read file: {_reason(exc)}"))
            return
        from privlint.pipeline.formats import detect

        detected = detect(text, path.name)
        if detected is None:
            return
        files.append(SourceFile(path, display, detected.name, explicit))
        return
    files.append(SourceFile(path, display, TERRAFORM, explicit))
