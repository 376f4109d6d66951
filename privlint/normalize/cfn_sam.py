"""SAM resources whose permissions the SAM transform writes: functions and state machines with their
generated roles and ``Policies`` (managed policy names, documents and SAM policy templates), and
``AWS::Serverless::Connector``.

Policy templates and connector profiles are aws-sam-translator's own published definitions, vendored in
``privlint/data`` (``sam_policy_templates.json``, ``sam_connector_profiles.json``, see
``sam_translator_LICENSE.txt``), so a template such as ``S3FullAccessPolicy`` grants exactly what SAM
would write, with its parameters substituted.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from privlint.model.datafiles import load_json
from privlint.model.inventory import Location
from privlint.model.records import ResourceRecord
from privlint.model.values import LineDict, Reference, Unknown, as_list, line_of
from privlint.normalize.cfn_conditions import mark
from privlint.normalize.cfn_context import TemplateContext, join_parts, resolve
from privlint.normalize.common import InventoryBuilder


class TemplateNormaliser(Protocol):
    """What SAM resources need from the template's normaliser (``cloudformation_aws.CloudFormationNormaliser``)."""

    builder: InventoryBuilder
    ctx: TemplateContext

    def _loc(self, value: Any, record: ResourceRecord) -> Location: ...


# The aws-sam-translator release the vendored data files come from.
SAM_TRANSLATOR_VERSION = "1.115.0"
_TRUSTED_SERVICE = {
    "AWS::Serverless::Function": "lambda.amazonaws.com",
    "AWS::Serverless::StateMachine": "states.amazonaws.com",
}
# What the SAM transform turns each resource into, for the connector profiles (keyed by CloudFormation types).
_SAM_TO_CFN = {
    "AWS::Serverless::Function": "AWS::Lambda::Function",
    "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
    "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api",
    "AWS::Serverless::GraphQLApi": "AWS::AppSync::GraphQLApi",
}
_ROLE_PROPERTY = {
    "AWS::Lambda::Function": "Role",
    "AWS::StepFunctions::StateMachine": "RoleArn",
}
_PLACEHOLDER = re.compile(r"%\{(Source|Destination)\.(Arn|Name|ResourceId|Qualifier)\}")


def policy_templates() -> dict[str, Any]:
    templates: dict[str, Any] = load_json("sam_policy_templates.json")["Templates"]
    return templates


def serverless_workload(self: TemplateNormaliser, record: ResourceRecord) -> None:
    """``AWS::Serverless::Function`` / ``StateMachine``: the role SAM generates, unless ``Role`` names one."""
    if record.get("Role") is not None:
        return  # an existing role: its rights are defined elsewhere
    role = f"{record.address}Role"
    principal = self.builder.add_principal(role, "role", None, record.location)
    self.builder.set_boundary(
        principal,
        record.get("PermissionsBoundary"),
        record.attr_location("PermissionsBoundary"),
    )
    service = _TRUSTED_SERVICE[record.type]
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
            }
        ]
    }
    principal.trust_document = self.builder.add_document(f"{role}.trust", record.address, record.type, record.location, trust, "trust")
    templates = policy_templates()
    for index, item in enumerate(as_list(record.get("Policies"))):
        loc = self._loc(item, record) if isinstance(item, dict) else record.attr_location("Policies")
        if isinstance(item, (str, Unknown)):
            arn = item if not isinstance(item, str) or item.startswith("arn:") else f"arn:aws:iam::aws:policy/{item}"
            self.builder.link_policy(role, "role", arn, loc, record.address)
            continue
        if not isinstance(item, dict):
            continue
        document: Any = item if any(k in item for k in ("Statement", "statement")) else None
        if document is None and len(item) == 1:
            ((name, parameters),) = item.items()
            if isinstance(name, str) and name in templates:
                document = _expand_template(
                    self,
                    name,
                    templates[name],
                    parameters,
                    line_of(item) or record.line,
                )
                condition = getattr(item, "depends_on", None)
                document = mark(document, (condition,)) if condition else document
        if document is not None:
            doc = self.builder.add_document(
                f"{record.address}.Policies[{index}]",
                record.address,
                record.type,
                loc,
                document,
                "identity",
            )
            if doc:
                self.builder.link_policy(role, "role", doc, loc, None)


def _expand_template(
    self: TemplateNormaliser,
    name: str,
    template: dict[str, Any],
    parameters: Any,
    line: int | None,
) -> Any:
    """A policy template's document with its parameters in place, as the SAM transform writes it."""
    given = parameters if isinstance(parameters, dict) else {}
    values: dict[str, Any] = {}
    for parameter in template.get("Parameters", {}):
        if parameter in given:
            values[parameter] = given[parameter]
        else:
            self.ctx.problem(line, f"SAM policy template {name} needs the parameter {parameter}")
            values[parameter] = Unknown(f"{name}.{parameter}")
    document = resolve(_with_parameters(template["Definition"], values), self.ctx, line=line)
    return LineDict(document, line=line) if isinstance(document, dict) else document


def _with_parameters(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_with_parameters(v, values) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in values:
        return values[value["Ref"]]  # already resolved: resolve() passes it through
    return {k: _with_parameters(v, values) for k, v in value.items()}


def connector(self: TemplateNormaliser, record: ResourceRecord) -> None:
    """``AWS::Serverless::Connector``: the identity policy SAM writes for each source/destination pair."""
    source = _endpoint(self, record.get("Source"))
    permissions = [p for p in as_list(record.get("Permissions")) if isinstance(p, str)]
    if source is None or not permissions:
        return
    profiles = load_json("sam_connector_profiles.json")["Permissions"]
    for index, target in enumerate(as_list(record.get("Destination"))):
        destination = _endpoint(self, target)
        if destination is None:
            continue
        profile = profiles.get(source["type"], {}).get(destination["type"])
        if not isinstance(profile, dict) or profile.get("Type") != "AWS_IAM_ROLE_MANAGED_POLICY":
            continue  # resource policies and Lambda permissions: not identity grants
        properties = profile.get("Properties", {})
        holder = source if properties.get("SourcePolicy") else destination
        role = holder.get("role")
        if role is None:
            continue
        categories = properties.get("AccessCategories", {})
        statements = [s for p in permissions for s in categories.get(p, {}).get("Statement", [])]
        endpoints = {"Source": source, "Destination": destination}
        document = LineDict(
            {"Statement": [_fill(s, endpoints, record.line) for s in statements]},
            line=record.line,
        )
        condition = getattr(record.values, "depends_on", None)
        document = mark(document, (condition,)) if condition else document
        doc = self.builder.add_document(
            f"{record.address}.Policy[{index}]",
            record.address,
            record.type,
            record.location,
            document,
            "identity",
        )
        if doc:
            self.builder.link_policy(role, "role", doc, record.location, record.address)


def _endpoint(self: TemplateNormaliser, value: Any) -> dict[str, Any] | None:
    """A connector's source or destination: its CloudFormation type, ARN, name and the role that acts for it."""
    if not isinstance(value, dict):
        return None
    logical = value.get("Id")
    if isinstance(logical, str):
        resource = self.ctx.resources.get(logical)
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            return None
        sam_type = resource["Type"]
        kind = _SAM_TO_CFN.get(sam_type, sam_type)
        role: Any = None
        found = resource.get("Properties")
        properties: dict[str, Any] = found if isinstance(found, dict) else {}
        if sam_type in _TRUSTED_SERVICE:
            role = _role_address(resolve(properties.get("Role"), self.ctx)) if properties.get("Role") is not None else f"{logical}Role"
        elif kind in _ROLE_PROPERTY:
            role = _role_address(resolve(properties.get(_ROLE_PROPERTY[kind]), self.ctx))
        arn = Reference(source=f"{logical}.Arn", address=logical, attribute="Arn")
        return {
            "type": kind,
            "Arn": arn,
            "Name": Reference(source=logical, address=logical, attribute="Ref"),
            "role": role,
        }
    kind = value.get("Type")
    if not isinstance(kind, str):
        return None
    name = value.get("RoleName")
    return {
        "type": kind,
        "Arn": value.get("Arn"),
        "Name": value.get("Name"),
        "role": name if isinstance(name, str) else None,
    }


def _role_address(value: Any) -> Any:
    return value.address if isinstance(value, Reference) else value


def _fill(value: Any, endpoints: dict[str, dict[str, Any]], line: int | None) -> Any:
    """A profile statement with ``%{Destination.Arn}``-style placeholders replaced by the endpoints' values."""
    if isinstance(value, list):
        return [_fill(v, endpoints, line) for v in value]
    if isinstance(value, dict):
        return LineDict({k: _fill(v, endpoints, line) for k, v in value.items()}, line=line)
    if not isinstance(value, str) or "%{" not in value:
        return value
    whole = _PLACEHOLDER.fullmatch(value)
    if whole:
        return endpoints[whole.group(1)].get(whole.group(2)) or Unknown(value)
    parts: list[Any] = []
    position = 0
    for match in _PLACEHOLDER.finditer(value):
        parts.append(value[position : match.start()])
        known = endpoints[match.group(1)].get(match.group(2))
        parts.append(known if isinstance(known, str) else Unknown(match.group(0)))
        position = match.end()
    parts.append(value[position:])
    return join_parts(parts, "connector")
