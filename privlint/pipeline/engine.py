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

from privlint.model.catalog import PARSE_ERROR_ID, load_catalog
from privlint.model.findings import Finding, Report, Suppression
from privlint.model.problems import Problem
from privlint.model.settings import Settings
from privlint.pipeline.cache import ResultCache
from privlint.pipeline.discover import (
    TERRAFORM,
    BinaryFile,
    FileTooLarge,
    SourceFile,
    discover,
    read_text,
)
from privlint.pipeline.formats import by_name
from privlint.pipeline.suppress import (
    Directive,
    Outcome,
    apply,
    attach_to_blocks,
    comment_directives,
    config_directives,
)
from privlint.pipeline.units import GUARDED, Unit, internal_error
from privlint.rules.base import Hit
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


def _where(hit: Hit) -> tuple[str, str, int | None]:
    """What makes two hits of one rule the same finding: the resource and where it is written (not the wording,
    which may name grants that only switched-off blocks add)."""
    return hit.resource, hit.location.file, hit.location.line


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
        self.cache: ResultCache | None = None  # evaluated Terraform modules from earlier runs (opt-in)

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
        """A file of a single-file format: read it, and let the format parse and normalise it."""
        unit = Unit()
        text = self._read(source, unit)
        if text is None:
            return unit
        parsed = by_name(source.kind).parse(text, source.display, self.settings)
        parsed.problems[:0] = unit.problems
        return parsed

    def _terraform(self, by_dir: dict[Path, list[SourceFile]], problems: list[Problem]) -> list[Unit]:
        from privlint.pipeline.terraform_scan import TerraformScan

        scan = TerraformScan(self.settings, self._roots or list(by_dir), self.cache, self._advance)
        units = scan.units(by_dir, problems)
        self.remote_modules.update(scan.remote_modules)
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
            s = directive.suppression
            out.append(catalog[rule_id].finding(file=s.file, line=max(s.line, 1), resource=directive.resource_glob or s.file, message=message))
        return out

    # -- rules
    def _findings(self, units: list[Unit], problems: list[Problem]) -> list[Finding]:
        catalog = load_catalog()
        findings: list[Finding] = []
        parse_meta = catalog[PARSE_ERROR_ID]
        for problem in [*problems, *(p for u in units for p in u.problems)]:
            findings.append(parse_meta.finding(file=problem.file, line=problem.line, resource=problem.resource, message=problem.message))
        for link in all_linkers():
            link([u.inventory for u in units])
        for unit in units:
            switches = ", ".join(sorted(set(unit.disabled.values())))
            for rule in all_rules():
                deployed = {_where(h) for h in rule.check(unit.deployed, self.settings)} if unit.deployed is not None else None
                for hit in rule.check(unit.inventory, self.settings):
                    enabled_by = unit.disabled.get(hit.resource)
                    if enabled_by is None and deployed is not None and _where(hit) not in deployed:
                        enabled_by = switches  # found only with switched-off blocks (a grant, a policy) turned on
                    message = hit.message
                    if enabled_by is not None:
                        message = f"{message} (only when {enabled_by} turns this block on)"
                    findings.append(
                        rule.meta.finding(
                            file=hit.location.file,
                            line=hit.location.line,
                            resource=hit.resource,
                            message=message,
                            severity=hit.severity,
                            extra_controls=hit.extra_controls,
                            disabled=True if enabled_by else None,
                            enabled_by=enabled_by,
                            depends_on=hit.depends_on,
                        )
                    )
        return findings
