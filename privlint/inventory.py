"""The normalised, provider-neutral inventory that rules read instead of raw files.

Parsers and normalisers fill it; rules only read it. Principals and their grants form a
graph (principal -> group membership, principal -> policy documents, role -> trust document),
so later analyses can walk it. Pure: imports no parser library.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from privlint.iam import Statement

PrincipalKind = Literal["user", "group", "role"]
DocumentKind = Literal["identity", "trust", "resource"]


class Location(BaseModel):
    file: str
    line: int | None = None


class PolicyDocument(BaseModel):
    """Statements as written in one place: a policy resource, a data source, an inline block."""

    address: str  # unique id: the resource, data source, or resource + inline policy name
    resource: str  # the address findings name (Terraform address or CloudFormation logical id)
    resource_type: str
    location: Location
    kind: DocumentKind
    statements: list[Statement] = Field(default_factory=list)
    aws_managed: bool = False  # an AWS-managed policy: granted by reference, not written here
    attached_to: str | None = None  # for resource policies: the resource they protect


class Grant(BaseModel):
    """A policy document that applies to a principal, and how it got there."""

    document: str  # PolicyDocument.address
    attachment: str | None = None  # the resource that attaches it (None for inline policies)
    location: Location | None = None  # where the attachment is written


class Principal(BaseModel):
    address: str
    kind: PrincipalKind
    provider: str = "aws"
    name: str | None = None
    location: Location
    grants: list[Grant] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)  # addresses of groups this user belongs to
    trust_document: str | None = None  # roles: the document that says who may assume it


CredentialKind = Literal["secret", "username"]
CredentialOrigin = Literal["literal", "variable default", "tfvars", "parameter default", "module argument"]


class Credential(BaseModel):
    """A literal value found in a credential attribute. ``value`` must never be printed unmasked."""

    address: str
    resource_type: str
    attribute: str
    kind: CredentialKind
    value: str
    origin: CredentialOrigin
    location: Location  # where the literal is written (the place to fix)
    via: str | None = None  # the variable or parameter that carried it
    sensitive: bool = True


class LoginProfile(BaseModel):
    address: str
    user: str | None = None
    password_reset_required: bool | None  # None: unknown
    location: Location


class SecretParameter(BaseModel):
    """A CloudFormation NoEcho parameter (a secret meant to be entered at deploy time)."""

    name: str
    has_default: bool
    location: Location


class IngressRule(BaseModel):
    address: str
    location: Location
    protocol: str  # "tcp", "udp", "-1" (all), ...
    from_port: int | None
    to_port: int | None
    cidrs: list[str] = Field(default_factory=list)


class PasswordPolicy(BaseModel):
    address: str
    location: Location
    minimum_length: int | None  # None: not set (AWS default 8)
    reuse_prevention: int | None  # None: not set (no reuse prevention)
    unknown: bool = False  # a value could not be resolved


class Inventory(BaseModel):
    principals: dict[str, Principal] = Field(default_factory=dict)
    documents: dict[str, PolicyDocument] = Field(default_factory=dict)
    credentials: list[Credential] = Field(default_factory=list)
    login_profiles: list[LoginProfile] = Field(default_factory=list)
    secret_parameters: list[SecretParameter] = Field(default_factory=list)
    ingress_rules: list[IngressRule] = Field(default_factory=list)
    password_policies: list[PasswordPolicy] = Field(default_factory=list)

    def merge(self, other: Inventory) -> None:
        self.principals.update(other.principals)
        self.documents.update(other.documents)
        self.credentials.extend(other.credentials)
        self.login_profiles.extend(other.login_profiles)
        self.secret_parameters.extend(other.secret_parameters)
        self.ingress_rules.extend(other.ingress_rules)
        self.password_policies.extend(other.password_policies)

    def effective_grants(self, principal: Principal) -> list[tuple[Grant, str | None]]:
        """Grants of a principal including those of its groups, as (grant, group address or None)."""
        out: list[tuple[Grant, str | None]] = [(g, None) for g in principal.grants]
        for group_address in principal.groups:
            group = self.principals.get(group_address)
            if group is not None:
                out.extend((g, group_address) for g in group.grants)
        return out
