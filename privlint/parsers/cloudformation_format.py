"""CloudFormation templates (YAML or JSON) as a registered format."""

from __future__ import annotations

import re

from privlint.formats import Document, Format, Unit, register
from privlint.normalize.common import Problem
from privlint.settings import Settings

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
    from privlint.parsers.cloudformation import TemplateError, load_template, looks_like_template

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
    return unit


CLOUDFORMATION = register(Format("cloudformation", (".json", *_YAML_SUFFIXES), _is_template, _parse))
