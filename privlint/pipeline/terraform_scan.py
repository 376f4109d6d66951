"""Terraform in a scan: each module directory loaded and evaluated, then normalised into one unit.

A directory that another scanned directory calls as a local module is evaluated through its callers
(with their arguments); on its own it contributes only its problems. With a result cache, a directory
whose files (and everything its evaluation read) are unchanged since an earlier run is not evaluated again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from privlint.model.inventory import Inventory
from privlint.model.problems import Problem
from privlint.model.records import Origin, ResourceRecord
from privlint.model.settings import Settings
from privlint.normalize.terraform_aws import TerraformNormaliser
from privlint.pipeline.cache import ModuleEntry, ResultCache, file_digest
from privlint.pipeline.discover import SourceFile, is_terraform_name, read_text
from privlint.pipeline.units import GUARDED, Unit, internal_error
from privlint.terraform.loader import TerraformLoader, module_file_paths
from privlint.terraform.results import TerraformResult


@dataclass
class _Loaded:
    """One directory's evaluation, fresh or from the cache, in the shape the units are built from."""

    problems: list[tuple[Path, int | None, str]]
    files: list[Path]
    read_problems: dict[Path, str]
    called_dirs: set[Path]
    remote_modules: set[str]
    result: TerraformResult | None = None  # fresh: the resources to normalise
    cached: ModuleEntry | None = None
    inventory: Inventory | None = None
    deployed: Inventory | None = None
    disabled: dict[str, str] = field(default_factory=dict)
    normaliser_problems: list[Problem] = field(default_factory=list)


def _unchanged(loader: TerraformLoader, entry: ModuleEntry) -> bool:
    """Whether what a cached evaluation looked at besides file contents is as it was: the files of the
    local modules it called, the directories ``fileset()`` listed, the paths it found missing."""
    looked = entry.listings
    return (
        all(_listing(Path(d)) == names for d, names in looked["modules"].items())
        and all(loader.listing_now(Path(d)) == found for d, found in looked["filesets"].items())
        and all(loader.missing_now(Path(p)) == missing for p, missing in looked["missing"].items())
    )


def _listing(directory: Path) -> list[str]:
    try:
        return [p.name for p in module_file_paths(directory)]
    except OSError:
        return []


class TerraformScan:
    def __init__(self, settings: Settings, roots: list[Path], cache: ResultCache | None, advance: Callable[[int], None]) -> None:
        self.settings = settings
        self.roots = roots
        self.cache = cache
        self.advance = advance
        self.remote_modules: set[str] = set()
        self._displays: dict[Path, str] = {}
        self._roots_shown: dict[Path, tuple[str, bool]] = {}
        self._shown_as: dict[Path, str] = {}
        self._read_problems: dict[Path, str] = {}

    # -- paths as the user typed them
    def display(self, path: Path) -> str:
        # Called for every resource and value origin: resolve each path once (realpath is slow).
        if path not in self._shown_as:
            self._shown_as[path] = self._display(path)
        return self._shown_as[path]

    def _display(self, path: Path) -> str:
        known = self._displays.get(path.resolve())
        if known is not None:
            return known
        # A file reached through a module call or read for context: relative to a scanned root.
        for directory, (shown, _explicit) in self._roots_shown.items():
            try:
                rel = os.path.relpath(path, directory)
            except ValueError:
                continue
            if not rel.startswith(".."):
                return os.path.join(shown, rel) if shown else rel
        first_dir, (shown, _e) = next(iter(self._roots_shown.items()))
        return os.path.normpath(os.path.join(shown, os.path.relpath(path, first_dir)))

    def _read(self, path: Path) -> str:
        text, problem = read_text(path, self.settings.max_file_size)
        if problem:
            self._read_problems[path.resolve()] = problem
        return text

    # -- the scan
    def units(self, by_dir: dict[Path, list[SourceFile]], problems: list[Problem]) -> list[Unit]:
        for directory, sources in by_dir.items():
            for s in sources:
                self._displays[s.path.resolve()] = s.display
            self._roots_shown[directory] = (os.path.dirname(sources[0].display), all(s.explicit for s in sources))
        if self.cache is not None:
            self.cache.bind(self._cache_context())
        loader = TerraformLoader(self._read, self.display, roots=self.roots, include_disabled=self.settings.include_disabled)
        module_files = {directory: self._module_files(directory, sources) for directory, sources in by_dir.items()}
        loaded: list[tuple[Path, _Loaded]] = []
        for directory, sources in sorted(by_dir.items()):
            entry = self.cache.get(directory, module_files[directory], partial(_unchanged, loader)) if self.cache is not None else None
            try:
                loaded.append((directory, self._from_cache(entry) if entry is not None else self._evaluate(loader, directory, module_files[directory])))
            except GUARDED as exc:
                problems.extend(internal_error(sources[0].display, exc).problems)
            self.advance(len(sources))
        called = {d for _, item in loaded for d in item.called_dirs}
        self.remote_modules.update(source for _, item in loaded for source in item.remote_modules)
        units: list[Unit] = []
        reported: set[tuple[str, int | None, str]] = set()
        for directory, item in loaded:
            unit = Unit()
            for file, line, message in item.problems:
                key = (self.display(file), line, message)
                if key not in reported:
                    reported.add(key)
                    unit.problems.append(Problem(key[0], line, key[0], message))
            for path in item.files if item.read_problems else ():
                read_problem = item.read_problems.get(path.resolve())
                key = (self.display(path), None, read_problem or "")
                if read_problem and key not in reported:
                    reported.add(key)
                    unit.problems.append(Problem(key[0], None, key[0], read_problem))
            if directory.resolve() not in called:
                if item.result is None and item.inventory is None:
                    item = self._evaluate(loader, directory, module_files[directory])  # cached while it was called
                self._normalise(item, directory)
                unit.inventory = item.inventory or Inventory()
                unit.deployed, unit.disabled = item.deployed, item.disabled
                unit.problems.extend(item.normaliser_problems)
            # else: a called directory, evaluated through its callers with their arguments; its own problems stay
            if self.cache is not None and item.result is not None:
                self._store(directory, module_files[directory], item)
            units.append(unit)
        return units

    def _module_files(self, directory: Path, sources: list[SourceFile]) -> list[Path]:
        files = [s.path for s in sources]
        if self._roots_shown[directory][1]:
            # Only some files were named: read the whole module so references resolve.
            try:
                files = sorted({*files, *(p for p in directory.iterdir() if p.is_file() and is_terraform_name(p.name))})
            except OSError:
                pass  # the directory vanished during the scan: reading the named files reports it
        return files

    def _evaluate(self, loader: TerraformLoader, directory: Path, files: list[Path]) -> _Loaded:
        result = loader.load(directory, files)
        read = {p.resolve() for p in (*result.files, *result.contents_read)} if self._read_problems else set()
        return _Loaded(
            problems=[(p.file, p.line, p.message) for p in result.problems],
            files=result.files,
            read_problems={p: self._read_problems[p] for p in read if p in self._read_problems},
            called_dirs=set(result.called_dirs),
            remote_modules=set(result.remote_modules),
            result=result,
        )

    def _normalise(self, item: _Loaded, directory: Path) -> None:
        result = item.result
        if result is None:
            return  # from the cache: already normalised
        display = self.display
        records = [
            ResourceRecord(
                address=r.address,
                type=r.type,
                values=r.values,
                file=display(r.file),
                line=r.line,
                mode=r.mode,
                attribute_lines=r.attribute_lines,
                origins={k: Origin(o.kind, display(o.file), o.line, o.via, o.sensitive) for k, o in r.origins.items()},  # type: ignore[arg-type]
            )
            for r in result.resources
        ]
        item.disabled = {r.address: r.enabled_by for r in result.resources if r.enabled_by}
        normaliser = TerraformNormaliser()
        try:
            item.inventory = normaliser.add(records)
        except GUARDED as exc:
            item.normaliser_problems.extend(internal_error(display(directory / "main.tf"), exc).problems)
        item.normaliser_problems.extend(normaliser.problems)
        if item.disabled:
            # What default inputs deploy, to tell which findings only switched-off blocks cause.
            try:
                item.deployed = TerraformNormaliser().add([r for r, t in zip(records, result.resources) if not t.enabled_by])
            except GUARDED:
                item.deployed = None

    # -- the cache
    def _cache_context(self) -> dict[str, Any]:
        return {
            "cwd": os.getcwd(),
            "roots": sorted((str(d), shown, explicit) for d, (shown, explicit) in self._roots_shown.items()),
            "scanned": sorted(str(r) for r in self.roots),
            "include_disabled": self.settings.include_disabled,
            "max_file_size": self.settings.max_file_size,
        }

    def _store(self, directory: Path, files: list[Path], item: _Loaded) -> None:
        assert self.cache is not None and item.result is not None
        read = sorted({*item.result.files, *item.result.contents_read})
        entry = ModuleEntry(
            files={str(p): file_digest(p) for p in read},
            listings={
                "modules": {str(d): _listing(d) for d in sorted(item.called_dirs)},
                "filesets": {str(d): found for d, found in sorted(item.result.listings.items())},
                "missing": {str(p): missing for p, missing in sorted(item.result.probes.items())},
            },
            result={
                "problems": [[str(f), line, message] for f, line, message in item.problems],
                "files": [str(p) for p in item.files],
                "read_problems": {str(p): m for p, m in item.read_problems.items()},
                "called_dirs": sorted(str(d) for d in item.called_dirs),
                "remote_modules": sorted(item.remote_modules),
            },
            inventory=item.inventory,
            deployed=item.deployed,
            disabled=item.disabled,
            problems=[[p.file, p.line, p.resource, p.message] for p in item.normaliser_problems],
        )
        self.cache.put(directory, files, entry)

    @staticmethod
    def _from_cache(entry: ModuleEntry) -> _Loaded:
        result = entry.result
        return _Loaded(
            problems=[(Path(f), line, message) for f, line, message in result["problems"]],
            files=[Path(p) for p in result["files"]],
            read_problems={Path(p): m for p, m in result["read_problems"].items()},
            called_dirs={Path(d) for d in result["called_dirs"]},
            remote_modules=set(result["remote_modules"]),
            cached=entry,
            inventory=entry.inventory,
            deployed=entry.deployed,
            disabled=entry.disabled,
            normaliser_problems=[Problem(f, line, resource, message) for f, line, resource, message in entry.problems],
        )
