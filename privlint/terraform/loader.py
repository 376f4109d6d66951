"""Terraform configuration: module directories read, parsed and evaluated into resources.

A module's ``.tf`` and ``.tf.json`` files are read together (references cross files). Variables take
their value from a module call's arguments, then ``terraform.tfvars`` / ``*.auto.tfvars`` (root modules
only), then their default. Local modules (``source = "./x"``) are evaluated once per instance of the
call, with its arguments, and their outputs are visible to the caller. Nothing outside the scanned
roots is read, and nothing is downloaded.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from privlint.model.failures import could_not_analyse
from privlint.model.values import Unknown
from privlint.parsers import hcl_syntax_tree as st
from privlint.terraform.expressions import Evaluator, Step
from privlint.terraform.module import Argument, ModuleInstance, SourceBlock
from privlint.terraform.results import (
    ParseProblem,
    TerraformResource,
    TerraformResult,
    ValueOrigin,
)
from privlint.terraform.value_origins import origin_of

MAX_MODULE_DEPTH = 8
MAX_READ_BYTES = 1_000_000  # one file read by file() / templatefile()
MAX_LISTED_ENTRIES = 10_000  # files and folders fileset() may walk


def is_tfvars(path: Path) -> bool:
    name = path.name
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def is_terraform_file(path: Path) -> bool:
    return path.name.endswith((".tf", ".tf.json")) or is_tfvars(path)


def module_file_paths(directory: Path) -> list[Path]:
    """The files a call of the local module in ``directory`` reads (tfvars are for root modules only)."""
    return sorted(p for p in directory.iterdir() if p.is_file() and is_terraform_file(p) and not is_tfvars(p))


def parse_file(path: Path, text: str) -> st.ParsedFile:
    """One file's syntax tree and syntax problems; never raises for bad input."""
    from privlint.parsers.hcl_front_end import parse_hcl
    from privlint.parsers.terraform_json import parse_tf_json, parse_tfvars_json

    if path.name.endswith(".tfvars.json"):
        return parse_tfvars_json(text)
    if path.name.endswith(".json"):
        return parse_tf_json(text)
    return parse_hcl(text)


class _NoNames:
    """The scope of a tfvars file: literal values only."""

    def lookup(self, root: str, steps: list[Step], line: int) -> Any:
        return Unknown(root)

    def call(self, name: str, args: list[Any], line: int) -> Any:
        return NotImplemented


class TerraformLoader:
    """Loads module directories; each file is parsed once however many modules call it."""

    def __init__(
        self,
        read_text: Callable[[Path], str],
        display: Callable[[Path], str] = str,
        cache: Any = None,
        roots: Iterable[Path] | None = None,
        include_disabled: bool = False,
    ) -> None:
        self.read_text = read_text
        self.include_disabled = include_disabled
        self.display = display
        self.roots = [r.resolve() for r in roots] if roots is not None else None
        self._parsed: dict[Path, tuple[Path, st.Body] | ParseProblem] = {}
        self._result = TerraformResult()
        self.root_dir = Path(".")

    # -- reading
    def _parse(self, path: Path, result: TerraformResult) -> tuple[Path, st.Body] | None:
        if path not in self._parsed:
            try:
                text = self.read_text(path)
            except UnicodeDecodeError as exc:
                self._parsed[path] = ParseProblem(path, None, f"not UTF-8 text (byte {exc.start})")
            except ValueError as exc:  # too large, binary: the reader says why
                self._parsed[path] = ParseProblem(path, None, str(exc))
            except OSError as exc:
                self._parsed[path] = ParseProblem(path, None, f"cannot read file: {exc.strerror or type(exc).__name__}")
            else:
                try:
                    parsed = parse_file(path, text)
                except (RecursionError, MemoryError, ValueError, IndexError, AttributeError, TypeError) as exc:
                    # A front-end bug or limit costs this file only, never the module's other files.
                    self._parsed[path] = ParseProblem(path, None, could_not_analyse(exc))
                else:
                    for problem in parsed.problems:
                        result.problems.append(ParseProblem(path, problem.line, problem.message))
                    self._parsed[path] = (path, parsed.body)
        entry = self._parsed[path]
        if isinstance(entry, ParseProblem):
            result.problems.append(entry)
            return None
        return entry

    def inside_roots(self, path: Path) -> bool:
        roots = self.roots if self.roots is not None else [self.root_dir.resolve()]
        return any(path == root or path.is_relative_to(root) for root in roots)

    def read_contained(self, path: Path) -> str | None:
        """A file named by ``file()`` and the like: only a regular file inside the scanned roots."""
        try:
            resolved = path.resolve()
            if not self.inside_roots(resolved):
                return None
            info = os.stat(resolved)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_READ_BYTES:
                return None
            with open(resolved, "rb") as handle:
                data = handle.read(MAX_READ_BYTES + 1)
            self._result.contents_read.add(resolved)
            return data.decode("utf-8") if len(data) <= MAX_READ_BYTES else None
        except (OSError, ValueError, RuntimeError):
            return None

    def missing_contained(self, path: Path) -> bool:
        """True when ``path`` is inside the scanned roots and nothing is there (``file()`` then fails)."""
        missing = self.missing_now(path)
        self._result.probes[path] = missing
        return missing

    def missing_now(self, path: Path) -> bool:
        try:
            resolved = path.resolve()
            return self.inside_roots(resolved) and not os.path.lexists(resolved)
        except (OSError, ValueError, RuntimeError):
            return False

    def list_contained(self, directory: Path) -> list[str] | None:
        """Regular files under ``directory`` (``/``-separated, relative to it) for ``fileset()``.

        None when the directory is outside the scanned roots or holds too many entries; [] when it is
        not there. A symbolic link counts only when it resolves to a regular file inside the roots.
        """
        found = self.listing_now(directory)
        self._result.listings[directory] = found
        return found

    def listing_now(self, directory: Path) -> list[str] | None:
        try:
            base = directory.resolve()
            if not self.inside_roots(base):
                return None
            if not base.is_dir():
                return []
            found: list[str] = []
            seen = 0
            for folder, subfolders, names in os.walk(base):  # symbolic links to folders are not followed
                seen += len(subfolders) + len(names)
                if seen > MAX_LISTED_ENTRIES:
                    return None
                for name in names:
                    path = Path(folder) / name
                    resolved = path.resolve()
                    if self.inside_roots(resolved) and resolved.is_file():
                        found.append(path.relative_to(base).as_posix())
            return sorted(found)
        except (OSError, ValueError, RuntimeError):
            return None

    def problem(self, file: Path, line: int | None, message: str) -> None:
        self._result.problems.append(ParseProblem(file, line, message))

    def local_module(self, caller: ModuleInstance, item: SourceBlock) -> tuple[Path, list[tuple[Path, st.Body]]] | None:
        """The directory and parsed files of a local module call, or None (registry, git, outside the roots)."""
        source_attr = item.block.attributes.get("source")
        source = caller.evaluate(source_attr.expr, item.file) if source_attr else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            if isinstance(source, str):
                self._result.remote_modules.add(source)
            return None  # registry and git modules are not fetched: nothing is downloaded during a scan
        try:
            target = (caller.directory / source).resolve()
            if caller.depth >= MAX_MODULE_DEPTH or target in caller.stack or not self.inside_roots(target) or not target.is_dir():
                return None
            paths = module_file_paths(target)
        except OSError as exc:  # a component over 255 bytes, a directory privlint may not read
            self.problem(item.file, item.block.line, f"module source cannot be read: {exc.strerror or type(exc).__name__}")
            return None
        except (ValueError, RuntimeError):
            self.problem(item.file, item.block.line, "module source is not a readable directory")
            return None
        self._result.called_dirs.add(target)
        files = []
        for path in paths:
            self._result.files.append(path)
            parsed = self._parse(path, self._result)
            if parsed is not None:
                files.append(parsed)
        return target, files

    # -- evaluating
    def load(self, directory: Path, files: list[Path]) -> TerraformResult:
        result = self._result = TerraformResult()
        self.root_dir = directory
        parsed: list[tuple[Path, st.Body]] = []
        tfvars: list[tuple[Path, st.Body]] = []
        for path in sorted(files):
            result.files.append(path)
            entry = self._parse(path, result)
            if entry is not None:
                (tfvars if is_tfvars(path) else parsed).append(entry)
        root = ModuleInstance(self, directory, parsed, "", self._tfvars(tfvars), 0, (directory.resolve(),))
        self._collect(root, result)
        return result

    def _tfvars(self, files: list[tuple[Path, st.Body]]) -> dict[str, Argument]:
        values: dict[str, Argument] = {}
        # Terraform reads terraform.tfvars first, then *.auto.tfvars in lexical order; later wins.
        for path, body in sorted(files, key=lambda f: (f[0].name not in ("terraform.tfvars", "terraform.tfvars.json"), f[0].name)):
            evaluator = Evaluator(_NoNames(), self.display(path))
            for name, attr in body.attributes.items():
                values[name] = (partial(evaluator.evaluate, attr.expr), ValueOrigin("tfvars", path, attr.line, via=name))
        return values

    def _collect(self, module: ModuleInstance, result: TerraformResult) -> None:
        for item in module.blocks:
            block = item.block
            if block.type in ("resource", "data") and len(block.labels) >= 2:
                base = f"{module.prefix}{'data.' if block.type == 'data' else ''}{block.labels[0]}.{block.labels[1]}"
                for instance in module.bindings(item):
                    resource = self._resource(module, item, block.type, block.labels[0], block.labels[1], base + instance.suffix, instance.names)
                    resource.enabled_by = instance.enabled_by or module.enabled_by
                    result.resources.append(resource)
            elif block.type == "provider" and block.labels:
                # Provider blocks can hold credentials (access_key, secret_key, password...).
                alias = module.evaluate(block.attributes["alias"].expr, item.file) if "alias" in block.attributes else None
                address = f"{module.prefix}provider.{block.labels[0]}" + (f".{alias}" if isinstance(alias, str) else "")
                result.resources.append(self._resource(module, item, "provider", block.labels[0], "", address, {}))
            elif block.type == "module" and block.labels:
                for _instance, child in module.children(block.labels[0]) or []:
                    self._collect(child, result)

    def _resource(self, module: ModuleInstance, item: SourceBlock, mode: str, rtype: str, name: str, address: str, names: dict[str, Any]) -> TerraformResource:
        origins = {}
        for attr_name, attr in item.block.attributes.items():
            origin = origin_of(module, attr, item.file)
            if origin is not None:
                origins[attr_name] = origin
        return TerraformResource(
            mode=mode,
            type=rtype,
            name=name,
            address=address,
            values=module.block_value(item.block, item.file, names),
            file=item.file,
            line=item.block.line,
            attribute_lines={k: a.line for k, a in item.block.attributes.items()},
            origins=origins,
            module_dir=module.directory,
        )
