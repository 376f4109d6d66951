"""Paths as CI systems want them: relative to the repository root, the same however they were typed.

``fixtures/x``, ``./fixtures/x/`` and ``/abs/repo/fixtures/x`` name the same files; code scanning,
GitLab and baselines match findings across runs by path, so every machine-read output uses the path
relative to the repository root (the git top-level above the scanned path, else the scanned
directory) and the fingerprint below.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from privlint.model.findings import Finding


def repository_root(paths: Iterable[str]) -> Path:
    """The git top-level above the first scanned path (a ``.git`` directory or file), else that path's directory."""
    first = next((p for p in paths if p != "-"), ".")
    start = Path(os.path.abspath(first))
    try:
        directory = start if start.is_dir() else start.parent
    except OSError:  # a path into a directory privlint may not read: the scan reports it
        directory = start.parent
    for folder in (directory, *directory.parents):
        try:
            if (folder / ".git").exists():
                return folder
        except OSError:
            continue
    return directory


class Locator:
    """Finding paths relative to one root (POSIX separators), and fingerprints that do not depend on lines."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))

    def relative(self, path: str) -> str | None:
        """``path`` relative to the root, or None when it lies outside it."""
        rel = os.path.relpath(os.path.abspath(path), self.root)
        if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
            return None
        return rel.replace(os.sep, "/")

    def shown(self, path: str) -> str:
        """The relative path, or the normalised path itself for a file outside the root."""
        return self.relative(path) or os.path.normpath(path).replace(os.sep, "/")

    def fingerprints(self, findings: Iterable[Finding]) -> Iterator[tuple[Finding, str]]:
        """(finding, fingerprint) for every finding of a report: rule, relative path, resource and occurrence; not the line or message."""
        seen: Counter[tuple[str, str, str]] = Counter()
        for finding in findings:
            path = self.shown(finding.file)
            # Parse and suppression problems name their file as the resource: normalise it too.
            resource = path if finding.resource == finding.file else finding.resource
            key = (finding.rule_id, path, resource)
            occurrence = seen[key]
            seen[key] += 1
            digest = hashlib.sha256("|".join((*key, str(occurrence))).encode("utf-8", "surrogateescape")).hexdigest()[:32]
            yield finding, digest
