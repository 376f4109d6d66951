"""``file()``, ``templatefile()`` and the other functions that read files, confined to the scanned tree.

Code under review chooses the paths, so a read must never leave the scanned root (after resolving
symbolic links), must read only regular files, and is bounded in size. A refused read is unknown.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from privlint.model.values import Reference, Unknown
from privlint.terraform import operations as ops
from privlint.terraform.expressions import Evaluator, Step, walk
from privlint.terraform.glob_patterns import glob_pattern
from privlint.terraform.operations import EvaluationError

MAX_TEMPLATE_DEPTH = 4  # templatefile() calling templatefile()...


class FileReader(Protocol):
    root_dir: Path  # where Terraform runs: relative paths start there, whichever module names them

    def read_contained(self, path: Path) -> str | None:
        """The text of a regular file inside the scanned root, or None."""

    def list_contained(self, directory: Path) -> list[str] | None:
        """The regular files under a directory inside the scanned root (relative, ``/``-separated), or None."""

    def missing_contained(self, path: Path) -> bool:
        """True when the path is inside the scanned root and nothing is there."""


_HASHES = {"filemd5": "md5", "filesha1": "sha1", "filesha256": "sha256", "filesha512": "sha512"}
_BASE64_HASHES = {"filebase64sha256": "sha256", "filebase64sha512": "sha512"}
FILE_FUNCTIONS = frozenset({"file", "fileexists", "fileset", "filebase64", "templatefile", "templatestring", *_HASHES, *_BASE64_HASHES})


class FileFunctions:
    def __init__(self, reader: FileReader, directory: Path, depth: int = 0) -> None:
        self.reader = reader
        self.directory = directory
        self.depth = depth

    def _path(self, name: Any) -> Path | None:
        if not isinstance(name, str) or isinstance(name, Unknown) or "\x00" in name:
            return None
        path = Path(name)
        return path if path.is_absolute() else self.reader.root_dir / path

    def _read(self, name: Any) -> str | None:
        path = self._path(name)
        return self.reader.read_contained(path) if path is not None else None

    def _fileset(self, args: list[Any]) -> Any:
        directory = self._path(args[0]) if len(args) == 2 else None
        pattern = glob_pattern(args[1]) if directory is not None else None
        files = self.reader.list_contained(directory) if directory is not None and pattern is not None else None
        if files is None or pattern is None:
            return Unknown("fileset()")
        return [f for f in files if pattern.matches(f)]

    def call(self, name: str, args: list[Any]) -> Any:
        """The function's value, or ``NotImplemented`` when ``name`` is not a file function."""
        if name not in FILE_FUNCTIONS:
            return NotImplemented
        if not args or any(isinstance(a, EvaluationError) for a in args) or (not isinstance(args[0], str) and not isinstance(args[0], Unknown)):
            return EvaluationError(f"{name}() needs a path")  # null or not a string: Terraform fails, try() moves on
        if isinstance(args[0], Unknown) and not isinstance(args[0], Reference):
            return ops.unknown(f"{name}()", args[0])  # keep the cause: var.x
        if name == "templatestring":
            if not isinstance(args[0], str) or isinstance(args[0], Unknown):
                return Unknown("templatestring()")
            return self.render(args[0], args[1] if len(args) > 1 else {})
        if name == "fileset":
            return self._fileset(args)
        text = self._read(args[0])
        path = self._path(args[0])
        missing = text is None and path is not None and self.reader.missing_contained(path)
        if name == "fileexists":
            return True if text is not None else False if missing else Unknown("fileexists()")
        if missing:
            return EvaluationError(f"{name}(): no such file")  # try(file(optional), "{}") takes the default
        if text is None:
            return Unknown(f"{name}()")
        if name == "file":
            return text
        if name == "templatefile":
            return self.render(text, args[1] if len(args) > 1 else {})
        data = text.encode("utf-8")
        if name == "filebase64":
            return base64.b64encode(data).decode("ascii")
        if name in _HASHES:
            return hashlib.new(_HASHES[name], data).hexdigest()
        return base64.b64encode(hashlib.new(_BASE64_HASHES[name], data).digest()).decode("ascii")

    def render(self, text: str, variables: Any) -> Any:
        """A template evaluated with only ``variables`` in scope, as Terraform's templatefile() does."""
        if self.depth >= MAX_TEMPLATE_DEPTH or not isinstance(variables, Mapping) or isinstance(variables, Unknown):
            return Unknown("templatefile()")
        from privlint.parsers.hcl_front_end import parse_template

        scope = _TemplateScope(variables, FileFunctions(self.reader, self.directory, self.depth + 1))
        return Evaluator(scope).evaluate(parse_template(text))


class _TemplateScope:
    def __init__(self, variables: Mapping[str, Any], files: FileFunctions) -> None:
        self.variables = variables
        self.files = files

    def lookup(self, root: str, steps: list[Step], line: int) -> Any:
        if root in self.variables:
            return walk(self.variables[root], steps)
        return Unknown(root)

    def call(self, name: str, args: list[Any], line: int) -> Any:
        return self.files.call(name, args)
