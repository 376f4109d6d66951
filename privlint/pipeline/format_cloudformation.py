"""CloudFormation templates (YAML or JSON) as a format."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from privlint.model.problems import Problem
from privlint.model.settings import Settings
from privlint.pipeline.units import Document, Format, Unit

if TYPE_CHECKING:
    from privlint.pipeline.suppress import Directive

_CFN_HINT = re.compile(r"AWSTemplateFormatVersion|^Resources\s*:|[\"']?Type[\"']?\s*:\s*[\"']?AWS::", re.MULTILINE)
_YAML_SUFFIXES = (".yaml", ".yml", ".template", ".cfn", ".cform")


def _is_template(doc: Document) -> bool:
    from privlint.parsers.cloudformation import looks_like_template

    if doc.json is not None:
        return looks_like_template(doc.json)
    if doc.name.endswith(".json"):
        # Broken JSON that claims to be a template: parse it to report its error.
        return doc.text.lstrip().startswith("{") and bool(_CFN_HINT.search(doc.text))
    return bool(_CFN_HINT.search(doc.text)) and "Resources" in doc.text


def _parse(text: str, display: str, settings: Settings) -> Unit:
    from privlint.normalize.cloudformation_aws import CloudFormationNormaliser
    from privlint.parsers.cloudformation import (
        TemplateError,
        load_template,
        looks_like_template,
    )

    unit = Unit()
    try:
        template = load_template(text, is_json=text.lstrip().startswith("{"))
    except TemplateError as exc:
        unit.problems.append(Problem(display, exc.line, display, str(exc)))
        return unit
    if not looks_like_template(template):
        if "AWSTemplateFormatVersion" in text:
            unit.problems.append(Problem(display, None, display, "not a CloudFormation template: no Resources mapping"))
        return unit
    normaliser = CloudFormationNormaliser(template, display)
    unit.inventory = normaliser.normalise()
    unit.problems.extend(normaliser.problems)
    unit.directives = _directives(text, display, normaliser.template)  # with Fn::ForEach expanded
    return unit


def _directives(text: str, display: str, template: dict[str, Any]) -> list[Directive]:
    """Suppressions: ``Metadata: privlint: ignore`` on resources, and privlint:ignore comments."""
    from privlint.model.values import line_of
    from privlint.pipeline.suppress import (
        attach_to_blocks,
        comment_directives,
        metadata_directives,
    )

    resources = template.get("Resources")
    if not isinstance(resources, dict):
        resources = {}
    starts = {str(k): line_of(v) or 1 for k, v in resources.items()}
    directives = metadata_directives(resources, display, starts)
    if "privlint:ignore" in text or "checkov:skip" in text:
        directives += attach_to_blocks(comment_directives(text, display), _resource_ranges(text, sorted(starts.values())), text)
    return directives


def _resource_ranges(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """Each resource's lines: from its key to the last content line before the next resource or top-level key."""
    lines = text.splitlines()
    top_level = [i + 1 for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", "#", "-") and not line.startswith("}")]
    ranges = []
    for index, start in enumerate(starts):
        following = [n for n in (starts[index + 1 : index + 2] + [t for t in top_level if t > start][:1]) if n > start]
        end = (min(following) if following else len(lines) + 1) - 1
        while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # comments above the next resource belong to it
        ranges.append((start, end))
    return ranges


FORMAT = Format("cloudformation", (".json", *_YAML_SUFFIXES), _is_template, _parse)
