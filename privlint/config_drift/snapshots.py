"""Two snapshots compared resource by resource: an approved baseline and the current state.

Each side is a path privlint can read (a Terraform directory, a CloudFormation template, a plan's
planned values...). Resources are matched by address and compared attribute by attribute; lists are
compared as sets, since the order of grants, members or CIDRs carries no meaning.

A format joins by adding a reader to ``SNAPSHOT_READERS``: a function (text, display) -> records.
GitHub sources (API snapshot, peribolos, safe-settings) are read through ``github_snapshots.py``.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from privlint.config_drift.differences import (
    Difference,
    DifferenceSite,
    differences_between,
    whole_resource,
)
from privlint.model.problems import Problem
from privlint.model.records import ResourceRecord
from privlint.pipeline.discover import (
    TERRAFORM,
    BinaryFile,
    FileTooLarge,
    discover,
    read_text,
)
from privlint.pipeline.units import GUARDED, internal_error

RecordReader = Callable[[str, str], tuple[list[ResourceRecord], list[Problem]]]


def _cloudformation(text: str, display: str) -> tuple[list[ResourceRecord], list[Problem]]:
    from privlint.normalize.cloudformation_aws import CloudFormationNormaliser
    from privlint.parsers.cloudformation import (
        TemplateError,
        load_template,
        looks_like_template,
    )

    try:
        template = load_template(text, is_json=text.lstrip().startswith("{"))
    except TemplateError as exc:
        return [], [Problem(display, exc.line, display, str(exc))]
    if not looks_like_template(template):
        return [], []
    parameters = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
    hidden = {str(name) for name, p in parameters.items() if isinstance(p, dict) and str(p.get("NoEcho")).lower() == "true"}
    records = []
    for record, raw in CloudFormationNormaliser(template, display).records():
        marks = {key: True for key, value in raw.items() if hidden and _uses_parameter(value, hidden)}
        records.append(dataclasses.replace(record, sensitive=marks or None))
    return records, []


def _uses_parameter(value: Any, names: set[str]) -> bool:
    """Whether a raw CloudFormation value refers to one of the parameters ``names`` (Ref or Fn::Sub)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("Ref") in names:
                return True
            sub = node.get("Fn::Sub")
            text = sub[0] if isinstance(sub, list) and sub else sub
            if isinstance(text, str) and any("${" + n + "}" in text for n in names):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _plan(text: str, display: str) -> tuple[list[ResourceRecord], list[Problem]]:
    from privlint.parsers.jsonpos import JsonError
    from privlint.parsers.plan import load_plan, plan_records

    try:
        return plan_records(load_plan(text), display), []
    except JsonError as exc:
        return [], [Problem(display, exc.line, display, f"invalid JSON: {exc.reason}")]


def _github(kind: str) -> RecordReader:
    """A GitHub source: parsed by its format, then one record per github:ORG/... resource."""

    def read(text: str, display: str) -> tuple[list[ResourceRecord], list[Problem]]:
        from privlint.config_drift.github_snapshots import org_records
        from privlint.model.settings import Settings
        from privlint.pipeline.formats import by_name

        unit = by_name(kind).parse(text, display, Settings())
        return [r for org in unit.inventory.github_orgs for r in org_records(org)], unit.problems

    return read


SNAPSHOT_READERS: dict[str, RecordReader] = {
    "cloudformation": _cloudformation,
    "terraform-plan": _plan,
    "github-snapshot": _github("github-snapshot"),
    "github-peribolos": _github("github-peribolos"),
    "github-safe-settings": _github("github-safe-settings"),
}


def read_snapshot(path: str, max_file_size: int) -> tuple[dict[str, ResourceRecord], list[Problem], int]:
    """Resources by address, problems, and the number of files read. Raises FileNotFoundError."""
    found = discover([path], max_file_size)
    records: dict[str, ResourceRecord] = {}
    problems = [Problem(p.display, p.line, p.display, p.message) for p in found.problems]
    terraform: dict[Path, list[Path]] = defaultdict(list)
    displays: dict[Path, str] = {}
    for source in found.files:
        if source.kind == TERRAFORM:
            terraform[source.path.parent].append(source.path)
            displays[source.path.resolve()] = source.display
            continue
        reader = SNAPSHOT_READERS.get(source.kind)
        if reader is None:
            problems.append(Problem(source.display, None, source.display, f"{source.kind} snapshots cannot be compared yet"))
            continue
        try:
            text, _ = read_text(source.path, max_file_size)
        except (FileTooLarge, BinaryFile) as exc:
            problems.append(Problem(source.display, None, source.display, str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem(source.display, None, source.display, f"cannot read file: {exc.strerror or type(exc).__name__}"))
            continue
        try:
            found_records, found_problems = reader(text, source.display)
        except GUARDED as exc:
            found_records, found_problems = [], internal_error(source.display, exc).problems
        problems.extend(found_problems)
        records.update((r.address, r) for r in found_records)
    if terraform:
        _terraform(terraform, displays, path, max_file_size, records, problems)
    return records, problems, len(found.files)


def _terraform(
    by_dir: dict[Path, list[Path]], displays: dict[Path, str], given: str, limit: int, records: dict[str, ResourceRecord], problems: list[Problem]
) -> None:
    from privlint.terraform.loader import TerraformLoader

    root = Path(given) if Path(given).is_dir() else Path(given).parent

    def display(p: Path) -> str:
        return displays.get(p.resolve()) or os.path.normpath(os.path.join(given if Path(given).is_dir() else os.path.dirname(given), os.path.relpath(p, root)))

    loader = TerraformLoader(lambda p: read_text(p, limit)[0], display, roots=[root])
    loaded = []
    for directory, files in sorted(by_dir.items()):
        try:
            loaded.append((directory, loader.load(directory, files)))
        except GUARDED as exc:  # one module that cannot be read must not stop the comparison
            problems.extend(internal_error(display(files[0]), exc).problems)
    called = {d.resolve() for _, result in loaded for d in result.called_dirs}
    for directory, result in loaded:
        problems.extend(Problem(display(p.file), p.line, display(p.file), p.message) for p in result.problems)
        if directory.resolve() in called:
            continue  # a local module: compared through its callers (module.NAME.* addresses)
        for resource in result.resources:
            records[resource.address] = ResourceRecord(
                address=resource.address,
                type=resource.type,
                values=resource.values,
                file=display(resource.file),
                line=resource.line,
                attribute_lines=resource.attribute_lines,
                # A value that came from a variable declared sensitive is as secret as the variable.
                sensitive={name: True for name, origin in resource.origins.items() if origin.sensitive} or None,
            )


def snapshot_differences(baseline: dict[str, ResourceRecord], current: dict[str, ResourceRecord]) -> list[Difference]:
    from privlint.config_drift.github_snapshots import comparable

    baseline, current = comparable(baseline, current)
    out: list[Difference] = []
    for address in sorted({*baseline, *current}):
        old, new = baseline.get(address), current.get(address)
        where = new or old
        assert where is not None
        common: DifferenceSite = {"source": "snapshot", "file": where.file, "line": where.line or 1, "resource": address, "resource_type": where.type}
        if old is None:
            assert new is not None  # the address is a key of one of the two states
            out.append(whole_resource("created", dict(new.values), sensitive_marks=new.sensitive, **common))
        elif new is None:
            out.append(whole_resource("deleted", dict(old.values), sensitive_marks=old.sensitive, before=True, **common))
        else:
            found = differences_between(
                dict(old.values), dict(new.values), lists_as_sets=True, before_sensitive=old.sensitive, after_sensitive=new.sensitive, **common
            )
            for difference in found:
                top = difference.path[0] if difference.path else None
                line = new.attribute_lines.get(top) if isinstance(top, str) else None
                out.append(difference.model_copy(update={"line": line or difference.line}) if line else difference)
    return out
