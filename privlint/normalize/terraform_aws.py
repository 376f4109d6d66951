"""Terraform AWS resources (evaluated values) into the inventory. Pure: no parser imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from privlint.knowledge.credentials import is_admin_user_resource, walk_credentials
from privlint.model.inventory import (
    DocumentKind,
    IngressRule,
    Inventory,
    Location,
    LoginProfile,
    PasswordPolicy,
    PrincipalKind,
)
from privlint.model.problems import Problem
from privlint.model.records import ResourceRecord
from privlint.model.values import (
    LineDict,
    PartialString,
    Reference,
    Unknown,
    as_list,
    known_int,
    line_of,
    truthy,
)
from privlint.normalize import terraform_azure, terraform_gcp
from privlint.normalize.aws_data_stores import TERRAFORM_HANDLERS as _DATA_STORE_HANDLERS
from privlint.normalize.common import InventoryBuilder, policy_value_from_partial, workload_specs, workloads_of
from privlint.normalize.terraform_github import TERRAFORM_HANDLERS as _GITHUB_HANDLERS
from privlint.normalize.terraform_policy_document import statement_block, statement_to_raw

# Resources whose ``policy`` (or other attribute) is a resource policy: (attribute, what it protects).
RESOURCE_POLICY_ATTRIBUTES: dict[str, str] = {
    "aws_s3_bucket_policy": "policy",
    "aws_s3_bucket": "policy",
    "aws_kms_key": "policy",
    "aws_kms_key_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_sqs_queue": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_sns_topic": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_ecr_registry_policy": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_secretsmanager_secret": "policy",
    "aws_glacier_vault": "access_policy",
    "aws_elasticsearch_domain_policy": "access_policies",
    "aws_elasticsearch_domain": "access_policies",
    "aws_opensearch_domain_policy": "access_policies",
    "aws_opensearch_domain": "access_policies",
    "aws_cloudwatch_event_bus_policy": "policy",
    "aws_cloudwatch_log_resource_policy": "policy_document",
    "aws_efs_file_system_policy": "policy",
    "aws_backup_vault_policy": "policy",
    "aws_api_gateway_rest_api_policy": "policy",
    "aws_api_gateway_rest_api": "policy",
}


class TerraformNormaliser:
    """Turns one Terraform module's evaluated resources into inventory entries."""

    def __init__(self) -> None:
        self.builder = InventoryBuilder()
        self._pending_documents: dict[str, ResourceRecord] = {}

    @property
    def problems(self) -> list[Problem]:
        return self.builder.problems

    def add(self, records: Iterable[ResourceRecord]) -> Inventory:
        ordered = sorted(records, key=lambda r: (0 if r.mode == "data" else 1, r.address))
        self._pending_documents = {r.address: r for r in ordered if r.mode == "data" and r.type == "aws_iam_policy_document"}
        # Documents and principals first, so attachments can be resolved in any file order.
        for record in ordered:
            handler = _FIRST_PASS.get(record.type) if record.mode == "resource" else None
            if record.mode == "data" and record.type == "aws_iam_policy_document":
                if self._pending_documents.pop(record.address, None) is not None:
                    self._policy_document(record)
            elif handler is not None:
                handler(self, record)
        for record in ordered:
            if record.mode == "provider":
                self._credentials(record)
            if record.mode != "resource":
                continue
            handler = _SECOND_PASS.get(record.type)
            if handler is not None:
                handler(self, record)
            self._credentials(record)
        # Other clouds' identities come from the same records (azurerm/azuread, google).
        terraform_azure.normalise(ordered, self.builder.inventory)
        terraform_gcp.normalise(ordered, self.builder.inventory)
        return self.builder.finish()

    # -- documents and principals
    def _policy_document(self, record: ResourceRecord) -> None:
        statements: list[Any] = []
        for key in ("source_policy_documents", "source_json", "override_policy_documents", "override_json"):
            for source in as_list(record.get(key)):
                statements.extend(self._statements_from_source(source, record))
        for raw in as_list(record.get("statement")):
            converted = statement_block(raw)
            if converted is not None:
                statements.append(converted)
        doc = LineDict({"Statement": statements}, line=record.line)
        kind: DocumentKind = "identity"
        if any(isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s) for s in statements):
            kind = "resource"
        self.builder.add_document(record.address, record.address, record.type, record.location, doc, kind)

    def _statements_from_source(self, source: Any, record: ResourceRecord) -> list[Any]:
        if isinstance(source, Reference):
            # Another policy document: read it first when it is not yet (documents may chain in any order).
            pending = self._pending_documents.pop(source.address, None)
            if pending is not None:
                self._policy_document(pending)
            doc = self.builder.inventory.documents.get(source.address)
            if doc is not None:
                return [statement_to_raw(s) for s in doc.statements]
            return [Unknown(source.address)]
        if isinstance(source, PartialString):
            try:
                source = policy_value_from_partial(source)
            except ValueError:
                return [Unknown("source policy")]
        if isinstance(source, str):
            import json

            try:
                source = json.loads(source)
            except ValueError:
                return []
        if isinstance(source, dict):  # jsonencode({...}) or a decoded JSON string
            statements = source.get("Statement")
            return as_list(statements) if not isinstance(statements, Unknown) else [statements]
        return [source if isinstance(source, Unknown) else Unknown("source policy")]  # keep the cause: var.x

    def _user(self, record: ResourceRecord) -> None:
        principal = self.builder.add_principal(record.address, "user", record.get("name"), record.location)
        self.builder.set_boundary(principal, record.get("permissions_boundary"), record.attr_location("permissions_boundary"))

    def _group(self, record: ResourceRecord) -> None:
        self.builder.add_principal(record.address, "group", record.get("name"), record.location)

    def _role(self, record: ResourceRecord) -> None:
        principal = self.builder.add_principal(record.address, "role", record.get("name"), record.location)
        self.builder.set_boundary(principal, record.get("permissions_boundary"), record.attr_location("permissions_boundary"))
        trust = self.builder.add_document(
            f"{record.address}.assume_role_policy",
            record.address,
            record.type,
            record.attr_location("assume_role_policy"),
            record.get("assume_role_policy"),
            "trust",
        )
        principal.trust_document = trust
        for block in as_list(record.get("inline_policy")):
            if isinstance(block, dict) and block.get("policy") is not None:
                name = block.get("name") if isinstance(block.get("name"), str) else str(len(principal.grants))
                loc = Location(file=record.file, line=line_of(block) or record.line)
                doc = self.builder.add_document(f"{record.address}.inline_policy[{name}]", record.address, record.type, loc, block.get("policy"), "identity")
                if doc:
                    self.builder.link_policy(record.address, "role", doc, loc, None)
        for arn in as_list(record.get("managed_policy_arns")):
            self.builder.link_policy(record.address, "role", arn, record.attr_location("managed_policy_arns"), record.address)

    def _policy(self, record: ResourceRecord) -> None:
        self.builder.add_document(record.address, record.address, record.type, record.attr_location("policy"), record.get("policy"), "identity")
        self.builder.register_policy_name(record.get("name"), record.address)

    def _resource_policy(self, record: ResourceRecord) -> None:
        attribute = RESOURCE_POLICY_ATTRIBUTES[record.type]
        if record.get(attribute) is None:
            return
        protected = record.get("bucket") or record.get("queue_url") or record.get("arn") or record.get("key_id") or record.get("repository")
        attached = protected.address if isinstance(protected, Reference) else protected if isinstance(protected, str) else None
        self.builder.add_document(record.address, record.address, record.type, record.attr_location(attribute), record.get(attribute), "resource", attached)

    def _lambda_permission(self, record: ResourceRecord) -> None:
        principal = record.get("principal")
        if principal is None:
            return
        conditions: dict[str, Any] = {}
        if record.get("source_arn") is not None:
            conditions.setdefault("ArnLike", {})["aws:SourceArn"] = record.get("source_arn")
        if record.get("source_account") is not None:
            conditions.setdefault("StringEquals", {})["aws:SourceAccount"] = record.get("source_account")
        if record.get("principal_org_id") is not None:
            conditions.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = record.get("principal_org_id")
        statement = LineDict(
            {
                "Effect": "Allow",
                "Principal": principal if principal == "*" else {"AWS": principal},
                "Action": record.get("action"),
                "Resource": record.get("function_name"),
            },
            line=record.line,
        )
        if conditions:
            statement["Condition"] = conditions
        self.builder.add_document(record.address, record.address, record.type, record.location, {"Statement": [statement]}, "resource")

    # -- links
    def _attach(self, record: ResourceRecord, principal_attr: str, kind: PrincipalKind) -> None:
        for target in as_list(record.get(principal_attr)):
            self.builder.link_policy(target, kind, record.get("policy_arn"), record.location, record.address)

    def _credentials(self, record: ResourceRecord) -> None:
        if record.type in ("aws_iam_user_login_profile", "random_password", "aws_iam_access_key"):
            return
        for top, path, kind, value in walk_credentials(record.values):
            if kind == "username" and not is_admin_user_resource(record.type):
                continue
            origin = record.origins.get(top) if top == path else None
            self.builder.add_credential(record, path, kind, value, origin, record.attr_location(top))


def _inline(kind: PrincipalKind, attribute: str) -> Callable[[TerraformNormaliser, ResourceRecord], None]:
    def handler(self: TerraformNormaliser, record: ResourceRecord) -> None:
        doc = self.builder.add_document(record.address, record.address, record.type, record.attr_location("policy"), record.get("policy"), "identity")
        if doc:
            self.builder.link_policy(record.get(attribute), kind, doc, record.location, None)

    return handler


def _attachment(principal_attr: str, kind: PrincipalKind) -> Callable[[TerraformNormaliser, ResourceRecord], None]:
    def handler(self: TerraformNormaliser, record: ResourceRecord) -> None:
        self._attach(record, principal_attr, kind)

    return handler


def _policy_attachment(self: TerraformNormaliser, record: ResourceRecord) -> None:
    self._attach(record, "users", "user")
    self._attach(record, "groups", "group")
    self._attach(record, "roles", "role")


def _group_membership(self: TerraformNormaliser, record: ResourceRecord) -> None:
    for user in as_list(record.get("users")):
        self.builder.link_member(user, record.get("group"), record.location)


def _user_group_membership(self: TerraformNormaliser, record: ResourceRecord) -> None:
    for group in as_list(record.get("groups")):
        self.builder.link_member(record.get("user"), group, record.location)


def _login_profile(self: TerraformNormaliser, record: ResourceRecord) -> None:
    reset = record.get("password_reset_required")
    # The provider's default is false: an absent attribute means no forced reset.
    required = False if reset is None else truthy(reset)
    origin = record.origins.get("password_reset_required")
    # Point at the value that disabled the reset when it came from a caller, tfvars or a default.
    location = Location(file=origin.file, line=origin.line) if origin is not None and origin.kind != "literal" else record.location
    self.builder.inventory.login_profiles.append(
        LoginProfile(address=record.address, user=_name(record.get("user")), password_reset_required=required, location=location)
    )


def _name(value: Any) -> str | None:
    if isinstance(value, Reference):
        return value.address
    return value if isinstance(value, str) else None


def _ingress(address: str, location: Location, protocol: Any, from_port: Any, to_port: Any, cidrs: list[Any]) -> IngressRule | None:
    known = [c for c in cidrs if isinstance(c, str)]
    if not known or not isinstance(protocol, (str, int)):
        return None
    return IngressRule(
        address=address, location=location, protocol=str(protocol).lower(), from_port=known_int(from_port), to_port=known_int(to_port), cidrs=known
    )


def _security_group(self: TerraformNormaliser, record: ResourceRecord) -> None:
    for block in as_list(record.get("ingress")):
        if not isinstance(block, dict):
            continue
        loc = Location(file=record.file, line=line_of(block) or record.line)
        cidrs = as_list(block.get("cidr_blocks")) + as_list(block.get("ipv6_cidr_blocks"))
        rule = _ingress(record.address, loc, block.get("protocol"), block.get("from_port"), block.get("to_port"), cidrs)
        if rule:
            self.builder.inventory.ingress_rules.append(rule)


def _security_group_rule(self: TerraformNormaliser, record: ResourceRecord) -> None:
    if record.get("type") != "ingress":
        return
    cidrs = as_list(record.get("cidr_blocks")) + as_list(record.get("ipv6_cidr_blocks"))
    rule = _ingress(record.address, record.location, record.get("protocol"), record.get("from_port"), record.get("to_port"), cidrs)
    if rule:
        self.builder.inventory.ingress_rules.append(rule)


def _vpc_ingress_rule(self: TerraformNormaliser, record: ResourceRecord) -> None:
    cidrs = [record.get("cidr_ipv4"), record.get("cidr_ipv6")]
    rule = _ingress(
        record.address, record.location, record.get("ip_protocol"), record.get("from_port"), record.get("to_port"), [c for c in cidrs if c is not None]
    )
    if rule:
        self.builder.inventory.ingress_rules.append(rule)


def _password_policy(self: TerraformNormaliser, record: ResourceRecord) -> None:
    length, reuse = record.get("minimum_password_length"), record.get("password_reuse_prevention")
    self.builder.inventory.password_policies.append(
        PasswordPolicy(
            address=record.address,
            location=record.location,
            minimum_length=known_int(length),
            reuse_prevention=known_int(reuse),
            unknown_minimum_length=isinstance(length, Unknown),
            unknown_reuse_prevention=isinstance(reuse, Unknown),
        )
    )


_FIRST_PASS: dict[str, Callable[[TerraformNormaliser, ResourceRecord], None]] = {
    "aws_iam_user": TerraformNormaliser._user,
    "aws_iam_group": TerraformNormaliser._group,
    "aws_iam_role": TerraformNormaliser._role,
    "aws_iam_policy": TerraformNormaliser._policy,
    "aws_lambda_permission": TerraformNormaliser._lambda_permission,
    **{t: TerraformNormaliser._resource_policy for t in RESOURCE_POLICY_ATTRIBUTES},
}


# Workloads that run as a role (the types are data: "workload_types" in escalation_techniques.json), and
# managed policy names: privlint/analysis/graph_builder.py walks them.
def _workload(kind: str, paths: dict[str, str]) -> Callable[[TerraformNormaliser, ResourceRecord], None]:
    def handler(self: TerraformNormaliser, record: ResourceRecord) -> None:
        self.builder.inventory.workloads.extend(workloads_of(record, kind, paths))

    return handler


def _policy_name(self: TerraformNormaliser, record: ResourceRecord) -> None:
    doc = self.builder.inventory.documents.get(record.address)
    if doc is not None and isinstance(record.get("name"), str):
        doc.name = record.get("name")


_SECOND_PASS: dict[str, Callable[[TerraformNormaliser, ResourceRecord], None]] = {
    "aws_iam_user_policy": _inline("user", "user"),
    "aws_iam_group_policy": _inline("group", "group"),
    "aws_iam_role_policy": _inline("role", "role"),
    "aws_iam_user_policy_attachment": _attachment("user", "user"),
    "aws_iam_group_policy_attachment": _attachment("group", "group"),
    "aws_iam_role_policy_attachment": _attachment("role", "role"),
    "aws_iam_policy_attachment": _policy_attachment,
    "aws_iam_group_membership": _group_membership,
    "aws_iam_user_group_membership": _user_group_membership,
    "aws_iam_user_login_profile": _login_profile,
    "aws_security_group": _security_group,
    "aws_security_group_rule": _security_group_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_ingress_rule,
    "aws_iam_account_password_policy": _password_policy,
    **_GITHUB_HANDLERS,
    **_DATA_STORE_HANDLERS,  # S3 buckets and their versioning, for MFA delete (PAM-5)
    **{resource_type: _workload(kind, paths) for resource_type, (kind, paths) in workload_specs("terraform").items()},
    "aws_iam_policy": _policy_name,  # after the documents exist: the policy's name
}
