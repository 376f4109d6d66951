"""The pipeline: discover -> parse -> normalise -> rules -> report. Data flows one way.

Each Terraform module directory, CloudFormation template and plan is one *unit*: it is parsed and
normalised into its own inventory, and the rules run on each. A unit that fails to parse becomes
parse-error findings and the others go on.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from privlint.model.findings import Category, Finding, Report, Suppression
from privlint.model.settings import Settings
from privlint.model.problems import Problem
from privlint.model.records import Origin, ResourceRecord
from privlint.pipeline.discover import (
    TERRAFORM,
    BinaryFile,
    FileTooLarge,
    SourceFile,
    discover,
    read_text,
)
from privlint.pipeline.formats import by_name
from privlint.pipeline.units import GUARDED, Unit, internal_error
from privlint.pipeline.suppress import (
    Directive,
    Outcome,
    apply,
    attach_to_blocks,
    comment_directives,
    config_directives,
)
from privlint.model.catalog import PARSE_ERROR_ID, load_catalog
from privlint.rules.registry import all_linkers, all_rules


def _terraform_directives(source: SourceFile, limit: int) -> list[Directive]:
    """Inline suppressions of one Terraform file, attached to the blocks they sit in or above."""
    try:
        text, _ = read_text(source.path, limit)
    except (OSError, ValueError):
        return []
    if "privlint:ignore" not in text and "checkov:skip" not in text:
        return []  # the common case: no second parse
    if source.path.name.endswith(".json"):
        return attach_to_blocks(comment_directives(text, source.display), [], text)
    from privlint.parsers.hcl_comments import block_ranges, comment_columns

    columns = comment_columns(text)
    return attach_to_blocks(comment_directives(text, source.display, columns), block_ranges(text), text, columns)


def _guarded(parse: Callable[[], Unit], display: str) -> Unit:
    try:
        return parse()
    except GUARDED as exc:
        return internal_error(display, exc)


class Scanner:
    def __init__(self, settings: Settings | None = None, config_file: str | None = None, today: dt.date | None = None) -> None:
        self.settings = settings or Settings()
        self.config_file = config_file  # where config suppressions were written, for their findings
        self.today = today or dt.date.today()
        self.register: list[tuple[Suppression, str]] = []  # after a scan: (active suppression, resource it covers)
        self._roots: list[Path] = []  # what scan_paths was asked to scan
        self.unknown_rules: list[str] = []  # after a scan: "file:line: rule" of suppressions naming no known rule
        self.remote_modules: set[str] = set()  # after a scan: module sources not read (registry, git)
        self.progress: Callable[[int], None] | None = None  # called with the number of files just parsed
        self.on_discovered: Callable[[int], None] | None = None  # called once with the number of files to parse

    def _advance(self, files: int) -> None:
        if self.progress is not None:
            self.progress(files)

    # -- entry points
    def scan_paths(self, paths: Iterable[str]) -> Report:
        paths = [str(p) for p in paths]
        # Terraform's file() and local module calls may read only inside what was asked to be scanned.
        self._roots = [Path(p) if os.path.isdir(p) else Path(p).parent for p in paths]
        found = discover(paths, self.settings.max_file_size, self.settings.exclude)
        if self.on_discovered is not None:
            self.on_discovered(len(found.files))
        units, problems = self._parse(found.files)
        problems.extend(Problem(p.display, p.line, p.display, p.message) for p in found.problems)
        findings = self._configure(self._findings(units, problems))
        outcome = apply(findings, self._directives(found.files, units), self.today)
        self.register = [(d.suppression, resource) for d in outcome.active for resource in d.covered]
        self.unknown_rules = outcome.unknown_rules
        findings = outcome.findings + self._configure(self._suppression_findings(outcome))
        explicit = {f.display for f in found.files if f.explicit}
        walked = any(not f.explicit for f in found.files)
        if explicit and not walked:
            # Files named one by one (the pre-commit hook): their module is read for context,
            # but only findings in the named files are reported.
            findings = [f for f in findings if f.file in explicit]
        scanned = {f.display for f in found.files} | {p.file for p in problems}
        return Report.build(findings, files=len(scanned))

    # -- parsing
    def _parse(self, files: list[SourceFile]) -> tuple[list[Unit], list[Problem]]:
        units: list[Unit] = []
        problems: list[Problem] = []
        terraform: dict[Path, list[SourceFile]] = defaultdict(list)
        for source in files:
            if source.kind == TERRAFORM:
                terraform[source.path.parent].append(source)
            else:
                units.append(_guarded(partial(self._single_file, source), source.display))
                self._advance(1)
        if terraform:
            units.extend(self._terraform(terraform, problems))
        return units, problems

    def _read(self, source: SourceFile, unit: Unit) -> str | None:
        try:
            text, problem = read_text(source.path, self.settings.max_file_size)
        except (FileTooLarge, BinaryFile) as exc:
            unit.problems.append(Problem(source.display, None, source.display, str(exc)))
            return None
        except OSError as exc:
            unit.problems.append(Problem(source.display, None, source.display, f"cannot read file: {exc.strerror or exc}"))
            return None
        if problem:
            unit.problems.append(Problem(source.display, None, source.display, problem))
        return text

    def _single_file(self, source: SourceFile) -> Unit:
        """A file of a registered format: read it, and let the format parse and normalise it."""
        unit = Unit()
        text = self._read(source, unit)
        if text is None:
            return unit
        parsed = by_name(source.kind).parse(text, source.display, self.settings)
        parsed.problems[:0] = unit.problems
        return parsed

    def _terraform(self, by_dir: dict[Path, list[SourceFile]], problems: list[Problem]) -> list[Unit]:
        from privlint.normalize.terraform_aws import TerraformNormaliser
        from privlint.pipeline.discover import is_terraform_name
        from privlint.terraform.loader import TerraformLoader

        displays: dict[Path, str] = {}
        roots: dict[Path, tuple[str, bool]] = {}
        for directory, sources in by_dir.items():
            for s in sources:
                displays[s.path.resolve()] = s.display
            first = sources[0]
            roots[directory] = (os.path.dirname(first.display), all(s.explicit for s in sources))

        shown_as: dict[Path, str] = {}

        def display(path: Path) -> str:
            # Called for every resource and value origin: resolve each path once (realpath is slow).
            if path not in shown_as:
                shown_as[path] = _display(path)
            return shown_as[path]

        def _display(path: Path) -> str:
            known = displays.get(path.resolve())
            if known is not None:
                return known
            # A file reached through a module call or read for context: relative to a scanned root.
            for directory, (shown, _explicit) in roots.items():
                try:
                    rel = os.path.relpath(path, directory)
                except ValueError:
                    continue
                if not rel.startswith(".."):
                    return os.path.join(shown, rel) if shown else rel
            first_dir, (shown, _e) = next(iter(roots.items()))
            return os.path.normpath(os.path.join(shown, os.path.relpath(path, first_dir)))

        read_problems: dict[Path, str] = {}

        def read(path: Path) -> str:
            text, problem = read_text(path, self.settings.max_file_size)
            if problem:
                read_problems[path.resolve()] = problem
            return text

        loader = TerraformLoader(read, display, roots=self._roots or list(by_dir), include_disabled=self.settings.include_disabled)
        module_files: dict[Path, list[Path]] = {}
        for directory, sources in sorted(by_dir.items()):
            files = [s.path for s in sources]
            if roots[directory][1]:
                # Only some files were named: read the whole module so references resolve.
                try:
                    files = sorted({*files, *(p for p in directory.iterdir() if p.is_file() and is_terraform_name(p.name))})
                except OSError:
                    pass  # the directory vanished during the scan: reading the named files reports it
            module_files[directory] = files
        loaded = []
        for directory, sources in sorted(by_dir.items()):
            files = module_files[directory]
            try:
                loaded.append((directory, loader.load(directory, files)))
            except GUARDED as exc:
                problems.extend(internal_error(sources[0].display, exc).problems)
            self._advance(len(sources))
        called = {d for _, result in loaded for d in result.called_dirs}
        self.remote_modules.update(source for _, result in loaded for source in result.remote_modules)

        units: list[Unit] = []
        reported: set[tuple[str, int | None, str]] = set()
        for directory, result in loaded:
            unit = Unit()
            for problem in result.problems:
                key = (display(problem.file), problem.line, problem.message)
                if key not in reported:
                    reported.add(key)
                    unit.problems.append(Problem(key[0], problem.line, key[0], problem.message))
            for path in result.files:
                message = read_problems.get(path.resolve())
                key = (display(path), None, message or "")
                if message and key not in reported:
                    reported.add(key)
                    unit.problems.append(Problem(key[0], None, key[0], message))
            if directory.resolve() in called:
                units.append(unit)  # evaluated through its callers, with their arguments
                continue
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
            unit.disabled = {r.address: r.enabled_by for r in result.resources if r.enabled_by}
            normaliser = TerraformNormaliser()
            try:
                unit.inventory = normaliser.add(records)
            except GUARDED as exc:
                unit.problems.extend(internal_error(display(directory / "main.tf"), exc).problems)
            unit.problems.extend(normaliser.problems)
            if unit.disabled:
                # What default inputs deploy, to tell which findings only switched-off blocks cause.
                try:
                    unit.deployed = TerraformNormaliser().add([r for r, t in zip(records, result.resources) if not t.enabled_by])
                except GUARDED:
                    unit.deployed = None
            units.append(unit)
        return units

    # -- configuration and suppressions
    def _configure(self, findings: list[Finding]) -> list[Finding]:
        """Apply rule selection (select/ignore by id, name or category) and severity overrides."""
        catalog = load_catalog()
        select, ignore, overrides = self.settings.select, self.settings.ignore, self.settings.severity

        def names(rule_id: str) -> set[str]:
            meta = catalog.get(rule_id)
            return {rule_id.lower()} | ({meta.name, meta.category.value} if meta else set())

        out = []
        for finding in findings:
            keys = names(finding.rule_id)
            if select and not keys & {k.lower() for k in select}:
                continue
            if keys & {k.lower() for k in ignore}:
                continue
            override = next((sev for key, sev in overrides.items() if key.lower() in keys), None)
            if override is not None:
                finding.severity = override
            out.append(finding)
        return out

    def _directives(self, files: list[SourceFile], units: list[Unit]) -> list[Directive]:
        directives = [d for unit in units for d in unit.directives]
        for source in files:
            if source.kind == TERRAFORM:
                directives.extend(_terraform_directives(source, self.settings.max_file_size))
        directives.extend(config_directives(self.settings.suppressions, self.config_file or "configuration"))
        return directives

    def _suppression_findings(self, outcome: Outcome) -> list[Finding]:
        catalog = load_catalog()
        out = []
        for rule_id, directive, message in outcome.problems:
            meta = catalog[rule_id]
            s = directive.suppression
            out.append(Finding(
                rule_id=rule_id, category=meta.category, severity=meta.severity, file=s.file, line=max(s.line, 1),
                resource=directive.resource_glob or s.file, message=message, controls=list(meta.controls),
            ))
        return out

    # -- rules
    def _findings(self, units: list[Unit], problems: list[Problem]) -> list[Finding]:
        catalog = load_catalog()
        findings: list[Finding] = []
        parse_meta = catalog[PARSE_ERROR_ID]
        for problem in [*problems, *(p for u in units for p in u.problems)]:
            findings.append(
                Finding(
                    rule_id=PARSE_ERROR_ID,
                    category=Category.parse_error,
                    severity=parse_meta.severity,
                    file=problem.file,
                    line=problem.line or 1,
                    resource=problem.resource,
                    message=problem.message,
                    controls=list(parse_meta.controls),
                )
            )
        for link in all_linkers():
            link([u.inventory for u in units])
        for unit in units:
            switches = ", ".join(sorted(set(unit.disabled.values())))
            for rule in all_rules():
                deployed = {(h.resource, h.message) for h in rule.check(unit.deployed, self.settings)} if unit.deployed is not None else None
                for hit in rule.check(unit.inventory, self.settings):
                    enabled_by = unit.disabled.get(hit.resource)
                    if enabled_by is None and deployed is not None and (hit.resource, hit.message) not in deployed:
                        enabled_by = switches  # found only with switched-off blocks (a grant, a policy) turned on
                    message = hit.message
                    if enabled_by is not None:
                        message = f"{message} (only when {enabled_by} turns this block on)"
                    findings.append(
                        Finding(
                            rule_id=rule.meta.id,
                            category=rule.meta.category,
                            severity=hit.severity or rule.meta.severity,
                            file=hit.location.file,
                            line=hit.location.line or 1,
                            resource=hit.resource,
                            message=message,
                            controls=sorted({*rule.meta.controls, *hit.extra_controls}),
                            disabled=True if enabled_by else None,
                            enabled_by=enabled_by,
                            depends_on=hit.depends_on,
                        )
                    )
        return findings

