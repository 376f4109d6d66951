"""One resource as checkov parsed it (``conf``) turned into a privlint ``Inventory``.

The checkov bundle (``policies/``) runs inside checkov's own environment, where privlint's parsers
(python-hcl2) cannot be installed. checkov has already parsed the file and rendered what it could
(Terraform variable defaults, tfvars, module arguments; CloudFormation parameter defaults), so this
adapter only reshapes that data and hands it to the same normalisers ``privlint check`` uses.
What checkov left as text (``aws_iam_role.x.arn``, ``var.x``, ``file("policy.json")``) becomes
privlint's ``Reference``/``Unknown`` markers, never a literal: a rule never fires on a guess.

Pure: imports no parser library.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from privlint.model.inventory import Inventory
from privlint.model.records import ResourceRecord
from privlint.model.values import PartialString, Reference, Unknown
from privlint.normalize.cloudformation_aws import CloudFormationNormaliser
from privlint.normalize.terraform_aws import TerraformNormaliser

TerraformMode = Literal["resource", "data", "provider"]

# What checkov leaves unevaluated in a rendered Terraform value.
_RESOURCE_REF = re.compile(
    r"^(?P<address>(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[\w-]+(?:\[[^\]]*\])?)"
    r"\.(?P<attribute>[\w-]+)(?:[.\[].*)?$"
)
_SYMBOL_REF = re.compile(r"^(?:var|local|module|each|count|path|terraform|self)\.[\w-]")
_FUNCTION_CALL = re.compile(r"^[a-z_][a-z0-9_:]*\(.*\)$", re.DOTALL)


# --------------------------------------------------------------------------- Terraform


def terraform_inventory(conf: dict[str, Any], entity_type: str, mode: TerraformMode = "resource") -> Inventory:
    """The inventory of one Terraform resource, data source or provider block from checkov's ``conf``."""
    record = terraform_record(conf, entity_type, mode)
    normaliser = TerraformNormaliser()
    return normaliser.add([record])


def terraform_record(conf: dict[str, Any], entity_type: str, mode: TerraformMode = "resource") -> ResourceRecord:
    """checkov's conf (every attribute wrapped in a list, blocks as lists of dicts) as a ResourceRecord."""
    address = str(conf.get("__address__") or f"{entity_type}.checkov")
    if mode == "data" and not address.startswith("data.") and ".data." not in address:
        address = _data_address(address)
    if mode == "provider":
        address = f"provider.{entity_type}"
    values = _terraform_block(conf)
    for key in _DOCUMENT_LISTS:
        if isinstance(values.get(key), list):
            values[key] = _flatten(values[key])
    start = conf.get("__start_line__")
    return ResourceRecord(
        address=address,
        type=entity_type,
        values=values,
        file=str(conf.get("__file__") or ""),
        line=start if isinstance(start, int) else None,
        mode=mode,
    )


def terraform_creates_nothing(conf: dict[str, Any]) -> bool:
    """True when ``count`` is 0 or ``for_each`` is empty: Terraform creates no instance of the block.

    checkov still hands such blocks to checks (``module.off.aws_iam_policy.p`` with ``for_each: ['[set()]']``);
    ``privlint check`` drops them. A value checkov could not evaluate counts as creating something.
    """
    count = _single(conf.get("count"))
    if count is not None and not isinstance(count, bool) and _as_int(count) == 0:
        return True
    for_each = _single(conf.get("for_each"))
    if isinstance(for_each, (list, dict, set, tuple)):
        return not for_each
    return isinstance(for_each, str) and for_each.replace(" ", "") in _EMPTY_COLLECTIONS


_EMPTY_COLLECTIONS = frozenset({"[]", "{}", "set()", "[set()]", "[{}]", "[[]]", "toset([])", "tomap({})"})


def _single(value: Any) -> Any:
    """checkov wraps every attribute value in a one-element list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _as_int(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# checkov renders ``[jsonencode({...})]`` in these one list deeper than it is written.
_DOCUMENT_LISTS = ("source_policy_documents", "override_policy_documents")


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _data_address(address: str) -> str:
    """``module.m.aws_x.y`` -> ``module.m.data.aws_x.y`` (privlint's spelling of a data source)."""
    parts = address.split(".")
    index = 0
    while index + 1 < len(parts) and parts[index] == "module":
        index += 2
    return ".".join([*parts[:index], "data", *parts[index:]])


def _terraform_block(block: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, wrapped in block.items():
        if not isinstance(key, str) or key.startswith("__"):
            continue  # checkov's own keys (__start_line__, __address__, ...)
        if isinstance(wrapped, list) and len(wrapped) == 1:
            out[key] = _terraform_value(wrapped[0])  # an attribute (or a single block)
        elif isinstance(wrapped, list):
            out[key] = [_terraform_value(item) for item in wrapped]  # repeated blocks
        else:
            out[key] = _terraform_value(wrapped)
    return out


def _looks_like_block(value: dict[str, Any]) -> bool:
    """A nested block keeps checkov's list-wrapping on every attribute; a jsonencode() map does not."""
    return bool(value) and all(isinstance(v, list) for k, v in value.items() if not str(k).startswith("__"))


def _terraform_value(value: Any) -> Any:
    if isinstance(value, str):
        return terraform_string(value)
    if isinstance(value, dict):
        if _looks_like_block(value):
            return _terraform_block(value)
        return {k: _terraform_value(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_terraform_value(v) for v in value]
    return value


def terraform_string(text: str) -> Any:
    """A rendered string, or the marker for what checkov could not evaluate."""
    stripped = text.strip()
    if "${" in stripped:
        return _interpolated(text)
    m = _RESOURCE_REF.match(stripped)
    if m:
        return Reference(source=stripped, address=m.group("address"), attribute=m.group("attribute"))
    if _SYMBOL_REF.match(stripped) or _FUNCTION_CALL.match(stripped):
        return Unknown(stripped)
    return text


def _interpolated(text: str) -> Any:
    """``arn:${var.p}:x`` -> PartialString with a hole; a whole ``${ref}`` -> the reference's marker."""
    parts: list[str | None] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0:
            break
        end, depth = start + 2, 1
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        if depth:  # unbalanced: keep the rest as text
            break
        if text[pos:start]:
            parts.append(text[pos:start])
        parts.append(None)
        if start == 0 and end == len(text):
            inner = terraform_string(text[2:-1])
            return inner if isinstance(inner, Unknown) else Unknown(text)
        pos = end
    if text[pos:]:
        parts.append(text[pos:])
    return PartialString(source="checkov", parts=tuple(parts))


# --------------------------------------------------------------------------- CloudFormation

LOGICAL_ID = "Resource"  # the one resource's name inside the template built around it


def cloudformation_inventory(conf: dict[str, Any]) -> Inventory:
    """The inventory of one CloudFormation resource (``{"Type": ..., "Properties": ...}``) from checkov."""
    resource = _without_checkov_keys(conf)
    properties = resource.get("Properties")
    if isinstance(properties, dict):
        properties.pop("resource_type", None)  # added by checkov, not part of the template
    template = {"Resources": {LOGICAL_ID: resource}}
    return CloudFormationNormaliser(template, str(_find_file(conf))).normalise()


def _without_checkov_keys(value: Any) -> Any:
    """A copy without checkov's position keys (``__file__``, ``__startline__``, ``__endline__``)."""
    if isinstance(value, dict):
        return {k: _without_checkov_keys(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("__"))}
    if isinstance(value, list):
        return [_without_checkov_keys(v) for v in value]
    return value


def _find_file(conf: dict[str, Any]) -> str:
    properties = conf.get("Properties")
    if isinstance(properties, dict) and properties.get("__file__"):
        return str(properties["__file__"])
    return str(conf.get("__file__") or "")
