"""Terraform plan JSON as a format."""

from __future__ import annotations

from privlint.model.problems import Problem
from privlint.model.settings import Settings
from privlint.parsers.plan import is_plan
from privlint.pipeline.units import Document, Format, Unit


def _is_plan(doc: Document) -> bool:
    return is_plan(doc.json)


def _parse(text: str, display: str, settings: Settings) -> Unit:
    from privlint.normalize.terraform_aws import TerraformNormaliser
    from privlint.parsers.jsonpos import JsonError
    from privlint.parsers.plan import load_plan, plan_records

    unit = Unit()
    try:
        plan = load_plan(text)
    except JsonError as exc:
        unit.problems.append(Problem(display, exc.line, display, f"invalid JSON: {exc.reason}"))
        return unit
    normaliser = TerraformNormaliser()
    unit.inventory = normaliser.add(plan_records(plan, display))
    unit.problems.extend(normaliser.problems)
    return unit


FORMAT = Format("terraform-plan", (".json",), _is_plan, _parse)
