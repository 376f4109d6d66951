"""A live account's IAM (``aws iam get-account-authorization-details``) as the same inventory the code gives.

Users, groups and roles are principals named by their ARN; inline policies, trust policies and the default
version of every managed policy are documents; group memberships, attachments and permissions boundaries are
links, resolved like the code's. The other versions of a managed policy are kept apart (``policy_versions``):
they grant nothing until someone makes one the default. Policy documents may be JSON objects (the CLI
decodes them) or URL-encoded JSON strings (the raw API).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from privlint.knowledge.iam import parse_policy
from privlint.model.inventory import Inventory, Location, PolicyVersion, PrincipalKind, Workload
from privlint.model.problems import Problem
from privlint.model.values import line_of
from privlint.normalize.common import InventoryBuilder

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
MANAGED_POLICY_TYPE = "AWS::IAM::ManagedPolicy"  # the graph's policy-version targets are managed policies


def _document(value: Any) -> Any:
    """A policy document as given: a mapping, a JSON string, or a URL-encoded JSON string."""
    if isinstance(value, str) and value.lstrip().startswith("%"):
        return unquote(value)
    return value


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class AuthorizationDetailsNormaliser:
    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file
        self.builder = InventoryBuilder()
        self.problems: list[Problem] = []

    def _loc(self, value: Any) -> Location:
        return Location(file=self.file, line=line_of(value))

    def normalise(self) -> Inventory:
        for policy in _items(self.data, "Policies"):
            self._managed_policy(policy)
        for group in _items(self.data, "GroupDetailList"):
            self._principal(group, "group", "GroupName", "GroupPolicyList")
        for user in _items(self.data, "UserDetailList"):
            address = self._principal(user, "user", "UserName", "UserPolicyList")
            for group in user.get("GroupList") or []:
                if isinstance(group, str) and address:
                    self.builder.link_member(address, group, self._loc(user))
        for role in _items(self.data, "RoleDetailList"):
            address = self._principal(role, "role", "RoleName", "RolePolicyList")
            if address is None:
                continue
            principal = self.builder.inventory.principals[address]
            principal.trust_document = self.builder.add_document(
                f"{address}#trust",
                address,
                "AWS::IAM::Role",
                self._loc(role),
                _document(role.get("AssumeRolePolicyDocument")),
                "trust",
            )
            for profile in _items(role, "InstanceProfileList"):
                if isinstance(profile.get("Arn"), str):
                    self.builder.inventory.workloads.append(
                        Workload(
                            address=profile["Arn"],
                            kind="instance-profile",
                            location=self._loc(profile),
                            name=profile.get("InstanceProfileName") if isinstance(profile.get("InstanceProfileName"), str) else None,
                            role=address,
                        )
                    )
        self.problems.extend(self.builder.problems)
        return self.builder.finish()

    def _principal(self, item: dict[str, Any], kind: PrincipalKind, name_key: str, inline_key: str) -> str | None:
        arn, name = item.get("Arn"), item.get(name_key)
        if not isinstance(arn, str) or not isinstance(name, str):
            self.problems.append(Problem(self.file, line_of(item), self.file, f"authorization details: a {kind} without Arn or {name_key}"))
            return None
        location = self._loc(item)
        principal = self.builder.add_principal(arn, kind, name, location)
        for inline in _items(item, inline_key):
            policy_name = inline.get("PolicyName") if isinstance(inline.get("PolicyName"), str) else str(len(principal.grants))
            doc = self.builder.add_document(
                f"{arn}#inline/{policy_name}",
                arn,
                f"AWS::IAM::{kind.capitalize()}Policy",
                self._loc(inline),
                _document(inline.get("PolicyDocument")),
                "identity",
            )
            if doc:
                self.builder.link_policy(arn, kind, doc, self._loc(inline), None)
        for attached in _items(item, "AttachedManagedPolicies"):
            if isinstance(attached.get("PolicyArn"), str):
                self.builder.link_policy(arn, kind, attached["PolicyArn"], self._loc(attached), arn)
        boundary = item.get("PermissionsBoundary")
        if isinstance(boundary, dict) and isinstance(boundary.get("PermissionsBoundaryArn"), str):
            self.builder.set_boundary(principal, boundary["PermissionsBoundaryArn"], self._loc(boundary))
        return arn

    def _managed_policy(self, policy: dict[str, Any]) -> None:
        arn = policy.get("Arn")
        if not isinstance(arn, str):
            return
        aws_managed = ":iam::aws:policy/" in arn
        for version in _items(policy, "PolicyVersionList"):
            location = self._loc(version)
            document = _document(version.get("Document"))
            if version.get("IsDefaultVersion") is True:
                address = self.builder.add_document(arn, arn, MANAGED_POLICY_TYPE, location, document, "identity")
                doc = self.builder.inventory.documents.get(address or "")
                if doc is not None:
                    doc.name = policy.get("PolicyName") if isinstance(policy.get("PolicyName"), str) else None
                    doc.aws_managed = aws_managed
                    self.builder.register_policy_name(doc.name, arn)
                continue
            try:
                statements = parse_policy(document if not isinstance(document, str) else json.loads(document), line=location.line)
            except ValueError:
                self.problems.append(Problem(self.file, location.line, arn, "policy version document is not valid JSON"))
                continue
            self.builder.inventory.policy_versions.append(
                PolicyVersion(
                    policy=arn,
                    version=str(version.get("VersionId") or "?"),
                    location=location,
                    statements=statements or [],
                )
            )
