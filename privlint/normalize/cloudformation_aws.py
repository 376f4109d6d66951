"""CloudFormation (and SAM) resources into the inventory. Pure: works on already-parsed mappings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from privlint.knowledge.credentials import is_admin_user_resource, walk_credentials
from privlint.model.inventory import (
    IngressRule,
    Inventory,
    Location,
    LoginProfile,
    PrincipalKind,
    SecretParameter,
)
from privlint.model.problems import Problem
from privlint.model.records import Origin, ResourceRecord
from privlint.model.values import (
    LineDict,
    Reference,
    as_list,
    known_int,
    line_of,
    truthy,
)
from privlint.normalize.aws_data_stores import CLOUDFORMATION_HANDLERS as _DATA_STORE_HANDLERS
from privlint.normalize.cfn_conditions import evaluate_condition, settle
from privlint.normalize.cfn_context import from_input, resolve
from privlint.normalize.cfn_language_extensions import expand_for_each
from privlint.normalize.cfn_sam import connector, serverless_workload
from privlint.normalize.cfn_values import template_context
from privlint.normalize.common import InventoryBuilder, workload_specs, workloads_of

# The properties of AWS::IAM::ManagedPolicy that attach it, and the kind of principal each names.
_PRINCIPAL_PROPERTIES: tuple[tuple[str, PrincipalKind], ...] = (("Users", "user"), ("Groups", "group"), ("Roles", "role"))

# Resource type -> (property holding the policy document, property naming the protected resource).
RESOURCE_POLICIES: dict[str, tuple[str, str | None]] = {
    "AWS::S3::BucketPolicy": ("PolicyDocument", "Bucket"),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", None),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", None),
    "AWS::KMS::Key": ("KeyPolicy", None),
    "AWS::ECR::Repository": ("RepositoryPolicyText", None),
    "AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy", "SecretId"),
    "AWS::Events::EventBusPolicy": ("Statement", None),
    "AWS::OpenSearchService::Domain": ("AccessPolicies", None),
    "AWS::Elasticsearch::Domain": ("AccessPolicies", None),
    "AWS::Backup::BackupVault": ("AccessPolicy", None),
    "AWS::EFS::FileSystem": ("FileSystemPolicy", None),
    "AWS::Logs::ResourcePolicy": ("PolicyDocument", None),
}


class CloudFormationNormaliser:
    def __init__(self, template: dict[str, Any], file: str) -> None:
        self.file = file
        loops = template_context(template)
        self.template = expand_for_each(template, loops)
        self.ctx = template_context(self.template)
        self.ctx.problems = loops.problems
        self.builder = InventoryBuilder()

    @property
    def problems(self) -> list[Problem]:
        return self.builder.problems

    def records(self) -> list[tuple[ResourceRecord, dict[str, Any]]]:
        """Each deployed resource as a record with resolved properties, plus its raw (unresolved) properties.

        A resource whose ``Condition`` is false is not deployed and is left out; one whose condition cannot be
        decided is kept, its policies marked with the condition they depend on.
        """
        out = []
        for logical_id, resource in self.ctx.resources.items():
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                continue
            self.ctx.where = str(logical_id)
            deployed = self._deployed(resource)
            if deployed is None:
                continue
            raw = resource.get("Properties")
            raw = raw if isinstance(raw, dict) else {}
            values = settle(resolve(raw, self.ctx, line=line_of(resource)), deployed)
            record = ResourceRecord(
                address=str(logical_id),
                type=resource["Type"],
                values=values if isinstance(values, dict) else {},
                file=self.file,
                line=line_of(resource),
                attribute_lines={k: line for k, v in raw.items() if isinstance(k, str) and (line := line_of(v) or line_of(resource)) is not None},
            )
            out.append((record, raw))
        return out

    def _deployed(self, resource: dict[str, Any]) -> tuple[str, ...] | None:
        """None when the resource's condition is false; else the undecided choices it is deployed under."""
        name = resource.get("Condition")
        if name is None:
            return ()
        if not isinstance(name, str):
            self.ctx.problem(line_of(resource), "a resource's Condition must name a condition")
            return ()
        decided = evaluate_condition(name, self.ctx, line_of(resource))
        if name not in self.ctx.conditions:
            return ()  # an undefined condition (reported): the resource is kept as written
        if isinstance(decided, bool):
            return () if decided else None
        return (f"condition {name} is true{from_input(decided, f'condition {name}')}",)

    def normalise(self) -> Inventory:
        records = self.records()
        for record, _raw in records:
            handler = _HANDLERS.get(record.type)
            if handler is not None:
                handler(self, record)
        for record, raw in records:
            self._credentials(record, raw)
        self._parameters()
        for where, line, message in self.ctx.problems:
            self.problems.append(Problem(self.file, line, where or self.file, message))
        return self.builder.finish()

    # -- helpers
    def _loc(self, value: Any, record: ResourceRecord) -> Location:
        return Location(file=self.file, line=line_of(value) or record.line)

    def _policies(self, record: ResourceRecord, kind: PrincipalKind) -> None:
        for item in as_list(record.get("Policies")):
            if not isinstance(item, dict):
                continue
            name = item.get("PolicyName")
            name = name if isinstance(name, str) else f"#{id(item)}"
            loc = self._loc(item, record)
            doc = self.builder.add_document(f"{record.address}.Policies[{name}]", record.address, record.type, loc, item.get("PolicyDocument"), "identity")
            if doc:
                self.builder.link_policy(record.address, kind, doc, loc, None)
        for arn in as_list(record.get("ManagedPolicyArns")):
            self.builder.link_policy(record.address, kind, arn, record.attr_location("ManagedPolicyArns"), record.address)

    # -- handlers
    def _user(self, record: ResourceRecord) -> None:
        user = self.builder.add_principal(record.address, "user", record.get("UserName"), record.location)
        self.builder.set_boundary(user, record.get("PermissionsBoundary"), record.attr_location("PermissionsBoundary"))
        self._policies(record, "user")
        for group in as_list(record.get("Groups")):
            self.builder.link_member(record.address, _logical(group), record.attr_location("Groups"))
        profile = record.get("LoginProfile")
        if isinstance(profile, dict):
            reset = profile.get("PasswordResetRequired")
            required = False if reset is None else truthy(reset)
            self.builder.inventory.login_profiles.append(
                LoginProfile(address=record.address, user=record.address, password_reset_required=required, location=self._loc(profile, record))
            )

    def _group(self, record: ResourceRecord) -> None:
        self.builder.add_principal(record.address, "group", record.get("GroupName"), record.location)
        self._policies(record, "group")

    def _role(self, record: ResourceRecord) -> None:
        principal = self.builder.add_principal(record.address, "role", record.get("RoleName"), record.location)
        self.builder.set_boundary(principal, record.get("PermissionsBoundary"), record.attr_location("PermissionsBoundary"))
        principal.trust_document = self.builder.add_document(
            f"{record.address}.AssumeRolePolicyDocument",
            record.address,
            record.type,
            record.attr_location("AssumeRolePolicyDocument"),
            record.get("AssumeRolePolicyDocument"),
            "trust",
        )
        self._policies(record, "role")

    def _managed_policy(self, record: ResourceRecord) -> None:
        doc = self.builder.add_document(
            record.address, record.address, record.type, record.attr_location("PolicyDocument"), record.get("PolicyDocument"), "identity"
        )
        self.builder.register_policy_name(record.get("ManagedPolicyName") or record.get("PolicyName"), record.address)
        if doc is None:
            return
        for prop, kind in _PRINCIPAL_PROPERTIES:
            for target in as_list(record.get(prop)):
                self.builder.link_policy(_logical(target), kind, doc, record.location, record.address)

    def _user_to_group(self, record: ResourceRecord) -> None:
        for user in as_list(record.get("Users")):
            self.builder.link_member(_logical(user), _logical(record.get("GroupName")), record.location)

    def _resource_policy(self, record: ResourceRecord) -> None:
        prop, protected = RESOURCE_POLICIES[record.type]
        value = record.get(prop)
        if value is None:
            return
        if prop == "Statement":  # EventBusPolicy carries a single statement
            value = {"Statement": [value]}
        target = record.get(protected) if protected else None
        attached = target.address if isinstance(target, Reference) else target if isinstance(target, str) else None
        self.builder.add_document(record.address, record.address, record.type, record.attr_location(prop), value, "resource", attached)

    def _lambda_permission(self, record: ResourceRecord) -> None:
        principal = record.get("Principal")
        if principal is None:
            return
        statement = LineDict(
            {
                "Effect": "Allow",
                "Principal": principal if principal == "*" else {"AWS": principal},
                "Action": record.get("Action"),
                "Resource": record.get("FunctionName"),
            },
            line=record.line,
            depends_on=getattr(record.values, "depends_on", None),
        )
        conditions: dict[str, Any] = {}
        for prop, key, op in (
            ("SourceArn", "aws:SourceArn", "ArnLike"),
            ("SourceAccount", "aws:SourceAccount", "StringEquals"),
            ("PrincipalOrgID", "aws:PrincipalOrgID", "StringEquals"),
        ):
            if record.get(prop) is not None:
                conditions.setdefault(op, {})[key] = record.get(prop)
        if conditions:
            statement["Condition"] = conditions
        self.builder.add_document(record.address, record.address, record.type, record.location, {"Statement": [statement]}, "resource")

    def _security_group(self, record: ResourceRecord) -> None:
        for rule in as_list(record.get("SecurityGroupIngress")):
            if isinstance(rule, dict):
                self._ingress(record, rule, self._loc(rule, record))

    def _ingress_resource(self, record: ResourceRecord) -> None:
        self._ingress(record, record.values, record.location)

    def _ingress(self, record: ResourceRecord, rule: dict[str, Any], loc: Location) -> None:
        cidrs = [c for c in (rule.get("CidrIp"), rule.get("CidrIpv6")) if isinstance(c, str)]
        protocol = rule.get("IpProtocol")
        if not cidrs or not isinstance(protocol, (str, int)):
            return
        self.builder.inventory.ingress_rules.append(
            IngressRule(
                address=record.address,
                location=loc,
                protocol=str(protocol).lower(),
                from_port=known_int(rule.get("FromPort")),
                to_port=known_int(rule.get("ToPort")),
                cidrs=cidrs,
            )
        )

    # -- credentials and parameters
    def _credentials(self, record: ResourceRecord, raw: dict[str, Any]) -> None:
        if record.type in ("AWS::SecretsManager::Secret",):
            return
        for top, path, kind, value in walk_credentials(record.values):
            if kind == "username" and not is_admin_user_resource(record.type):
                continue
            origin = self._origin(raw, path)
            self.builder.add_credential(record, path, kind, value, origin, record.attr_location(top))

    def _origin(self, raw: dict[str, Any], path: str) -> Origin | None:
        node: Any = raw
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and set(node) == {"Ref"} and isinstance(node["Ref"], str):
            param = self.ctx.parameters.get(node["Ref"])
            if isinstance(param, dict) and "Default" in param:
                noecho = truthy(param.get("NoEcho")) is True
                return Origin("parameter default", self.file, line_of(param), via=node["Ref"], sensitive=noecho)
        return None

    def _parameters(self) -> None:
        for name, param in self.ctx.parameters.items():
            if isinstance(param, dict) and truthy(param.get("NoEcho")) is True:
                self.builder.inventory.secret_parameters.append(
                    SecretParameter(
                        name=str(name),
                        has_default="Default" in param and param["Default"] not in ("", None),
                        location=Location(file=self.file, line=line_of(param)),
                    )
                )


def _logical(value: Any) -> Any:
    """A Ref to a resource names its logical id; a literal string is a physical name."""
    if isinstance(value, Reference):
        return value.address
    return value


def _inline_policy(*targets: tuple[str, PrincipalKind]) -> Callable[[CloudFormationNormaliser, ResourceRecord], None]:
    """AWS::IAM::Policy and AWS::IAM::{User,Group,Role}Policy: one document attached to named principals."""

    def handler(self: CloudFormationNormaliser, record: ResourceRecord) -> None:
        doc = self.builder.add_document(
            record.address, record.address, record.type, record.attr_location("PolicyDocument"), record.get("PolicyDocument"), "identity"
        )
        if doc is None:
            return
        for prop, kind in targets:
            for target in as_list(record.get(prop)):
                self.builder.link_policy(_logical(target), kind, doc, record.location, record.address)

    return handler


# Workloads that run as a role (the types are data: "workload_types" in escalation_techniques.json), and
# managed policy names: privlint/analysis/graph_builder.py walks them.
def _workload(kind: str, paths: dict[str, str]) -> Callable[[CloudFormationNormaliser, ResourceRecord], None]:
    def handler(self: CloudFormationNormaliser, record: ResourceRecord) -> None:
        self.builder.inventory.workloads.extend(workloads_of(record, kind, paths))

    return handler


def _managed_policy_with_name(self: CloudFormationNormaliser, record: ResourceRecord) -> None:
    CloudFormationNormaliser._managed_policy(self, record)
    doc = self.builder.inventory.documents.get(record.address)
    if doc is not None and isinstance(record.get("ManagedPolicyName"), str):
        doc.name = record.get("ManagedPolicyName")


_HANDLERS: dict[str, Callable[[CloudFormationNormaliser, ResourceRecord], None]] = {
    "AWS::IAM::User": CloudFormationNormaliser._user,
    "AWS::IAM::Group": CloudFormationNormaliser._group,
    "AWS::IAM::Role": CloudFormationNormaliser._role,
    "AWS::IAM::Policy": _inline_policy(("Users", "user"), ("Groups", "group"), ("Roles", "role")),
    "AWS::IAM::UserPolicy": _inline_policy(("UserName", "user")),
    "AWS::IAM::GroupPolicy": _inline_policy(("GroupName", "group")),
    "AWS::IAM::RolePolicy": _inline_policy(("RoleName", "role")),
    "AWS::IAM::UserToGroupAddition": CloudFormationNormaliser._user_to_group,
    "AWS::Lambda::Permission": CloudFormationNormaliser._lambda_permission,
    "AWS::Serverless::Function": serverless_workload,
    "AWS::Serverless::StateMachine": serverless_workload,
    "AWS::Serverless::Connector": connector,
    "AWS::EC2::SecurityGroup": CloudFormationNormaliser._security_group,
    "AWS::EC2::SecurityGroupIngress": CloudFormationNormaliser._ingress_resource,
    **{t: CloudFormationNormaliser._resource_policy for t in RESOURCE_POLICIES},
    **_DATA_STORE_HANDLERS,  # S3 buckets, for MFA delete (PAM-5)
    **{resource_type: _workload(kind, paths) for resource_type, (kind, paths) in workload_specs("cloudformation").items()},
    "AWS::IAM::ManagedPolicy": _managed_policy_with_name,  # the document, and the policy's name
}
