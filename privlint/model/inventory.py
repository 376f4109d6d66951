"""The normalised, provider-neutral inventory that rules read instead of raw files.

Parsers and normalisers fill it; rules only read it. Principals and their grants form a
graph (principal -> group membership, principal -> policy documents, role -> trust document),
so later analyses can walk it. Pure: imports no parser library.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args, get_origin

from pydantic import BaseModel, Field

from privlint.model.policy import Statement

PrincipalKind = Literal["user", "group", "role"]
DocumentKind = Literal["identity", "trust", "resource"]
GcpBindingLevel = Literal["organization", "folder", "project", "service-account", "resource", "unknown"]


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
    name: str | None = None  # a managed policy's name, when known (matches policy ARNs in grants)


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
    boundary: str | None = None  # the permissions boundary's document, when privlint can read it
    boundary_unknown: bool = False  # a permissions boundary is set but its document is not known


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
    unknown_minimum_length: bool = False  # set to a value that could not be resolved
    unknown_reuse_prevention: bool = False


# --------------------------------------------------------------------------- GitHub organisations
# One GitHubOrg per source (API snapshot, peribolos, safe-settings, Terraform module). ``resource`` is what
# findings name: github:ORG[/KIND/NAME] for snapshots and YAML configs, the Terraform address for Terraform.

GitHubOrgRole = Literal["admin", "member"]
GitHubGranteeKind = Literal["team", "collaborator"]
GitHubSource = Literal["snapshot", "peribolos", "safe-settings", "terraform"]


class GitHubMember(BaseModel):
    """An organisation member (role admin = owner) or an outside collaborator (role None)."""

    login: str
    resource: str
    location: Location
    role: GitHubOrgRole | None = None  # None: outside collaborator
    two_factor_disabled: bool | None = None  # None: not known (the 2FA lists were not exported)
    last_active: str | None = None  # ISO date-time of the latest known activity, when the source has it


class GitHubRepoAccess(BaseModel):
    """A team's or a collaborator's permission on one repository."""

    repository: str
    permission: str  # admin, maintain, write, triage, read, none, or a custom repository role
    resource: str
    location: Location
    grantee: str  # team slug or user login
    grantee_kind: GitHubGranteeKind
    outside: bool | None = None  # collaborators: True when known to be an outside collaborator


class GitHubBranchProtection(BaseModel):
    repository: str
    branch: str
    enforce_admins: bool | None  # None: not known
    default_branch: bool | None  # None: not known whether this is the default branch
    resource: str
    location: Location


class GitHubHook(BaseModel):
    hook_id: str
    has_secret: bool | None
    resource: str
    location: Location


class GitHubActionsSecret(BaseModel):
    """A GitHub Actions secret written in configuration; ``plaintext_literal`` means the value is in the code."""

    name: str
    resource: str
    location: Location
    plaintext: bool  # set through plaintext_value (so it is in Terraform state unencrypted)
    plaintext_literal: bool = False


class GitHubOrg(BaseModel):
    login: str
    resource: str
    location: Location
    source: GitHubSource
    two_factor_requirement_enabled: bool | None = None
    default_repository_permission: str | None = None
    default_repository_permission_location: Location | None = None
    members_complete: bool = False  # the source lists every owner (so counts of owners are meaningful)
    as_of: str | None = None  # ISO date the source describes (an export's time), for dormancy
    members: list[GitHubMember] = Field(default_factory=list)
    repo_access: list[GitHubRepoAccess] = Field(default_factory=list)
    branch_protections: list[GitHubBranchProtection] = Field(default_factory=list)
    hooks: list[GitHubHook] = Field(default_factory=list)
    secrets: list[GitHubActionsSecret] = Field(default_factory=list)
    default_branches: dict[str, str] = Field(default_factory=dict)  # repository -> default branch, where declared

    @property
    def owners(self) -> list[GitHubMember]:
        return [m for m in self.members if m.role == "admin"]

    def is_default_branch(self, protection: GitHubBranchProtection) -> bool:
        """True when the protected branch is known to be its repository's default branch."""
        if protection.default_branch:
            return True
        return self.default_branches.get(protection.repository) == protection.branch


# --------------------------------------------------------------------------- Azure and GCP identities (Terraform)
# Filled by normalize/terraform_azure.py and terraform_gcp.py. Principals and roles are named by "keys": the
# Terraform address of the resource a reference points at (azuread_user.alice), or a literal id as written.

AzureScopeKind = Literal["management-group", "subscription", "resource-group", "resource", "unknown"]


class AzureRoleDefinition(BaseModel):
    """An azurerm_role_definition: a custom RBAC role and the actions it allows."""

    address: str
    location: Location
    name: str | None = None
    actions: list[str] = Field(default_factory=list)
    not_actions: list[str] = Field(default_factory=list)
    unknown_actions: bool = False  # some action could not be resolved
    scope_kind: AzureScopeKind = "unknown"


class AzureRoleAssignment(BaseModel):
    """An azurerm_role_assignment: a role granted to a principal at a scope."""

    address: str
    location: Location
    role_name: str | None = None  # built-in role name, given or resolved from its well-known id
    role_definition: str | None = None  # address of an azurerm_role_definition in the same module
    scope_kind: AzureScopeKind = "unknown"
    principal: str | None = None  # key of the principal


class AzureDirectoryRoleAssignment(BaseModel):
    """azuread_directory_role_assignment (or the older azuread_directory_role_member)."""

    address: str
    location: Location
    role_name: str | None = None  # display name, when known
    role_keys: list[str] = Field(default_factory=list)  # keys that name the role: address, template id
    principal: str | None = None  # key of the principal


class AzureConditionalAccessPolicy(BaseModel):
    """An azuread_conditional_access_policy reduced to: is it on, does it require MFA, and for whom."""

    address: str
    location: Location
    enforced: bool | None  # state "enabled"; None: unknown
    requires_mfa: bool | None  # built_in_controls contains "mfa" or an authentication strength is set
    all_applications: bool | None  # includes "All" applications; None: unknown
    all_users: bool = False
    included: list[str] = Field(default_factory=list)  # keys of included users, groups and roles
    excluded: list[str] = Field(default_factory=list)  # keys of excluded users, groups and roles
    unknown_members: bool = False  # an included or excluded value could not be resolved


class GcpIamBinding(BaseModel):
    """One role granted to members by google_*_iam_member / _binding / _policy (or a google_iam_policy binding)."""

    address: str  # the resource that grants it (the data source when no resource applies it)
    location: Location  # where the role and its members are written
    resource_type: str
    level: GcpBindingLevel
    role: str | None
    members: list[str] = Field(default_factory=list)  # known members as written (user:..., allUsers, ...)
    member_refs: list[str] = Field(default_factory=list)  # addresses of resources referenced as members
    unknown_members: bool = False
    conditional: bool = False  # an IAM condition limits the grant


class GcpServiceAccountKey(BaseModel):
    address: str
    location: Location
    service_account: str | None  # address of the google_service_account, or its email/id as written


# --------------------------------------------------------------------------- AWS IAM credential reports


class AccessKeyStatus(BaseModel):
    number: int  # 1 or 2, as in the report's columns
    active: bool
    last_rotated: dt.datetime | None = None
    last_used: dt.datetime | None = None


class CredentialReportRow(BaseModel):
    """One row of `aws iam generate-credential-report`; timestamps are None for N/A, no_information, not_supported."""

    user: str
    arn: str | None
    location: Location
    is_root: bool
    created: dt.datetime | None = None
    password_enabled: bool | None = None  # None: not_supported (the root user)
    password_last_used: dt.datetime | None = None
    password_last_changed: dt.datetime | None = None
    mfa_active: bool | None = None
    access_keys: list[AccessKeyStatus] = Field(default_factory=list)

    @property
    def resource(self) -> str:
        return f"aws-credential-report:{self.user}"


class CredentialReport(BaseModel):
    file: str
    as_of: dt.datetime | None  # the newest timestamp in the report: when it was generated, at the latest
    rows: list[CredentialReportRow] = Field(default_factory=list)
    iac_admins: dict[str, str] = Field(default_factory=dict)  # IAM user name -> why IaC scanned with it makes it admin


# --------------------------------------------------------------------------- AWS workloads
# Things that run as a role: whoever can change what they run can act as the role (privlint/analysis/graph_builder.py).


class Workload(BaseModel):
    """A resource that runs code as a role (Lambda function, EC2 instance, Glue job, CodeBuild project...)."""

    address: str
    kind: str  # a key of "workload_types" in privlint/data/escalation_techniques.json
    location: Location
    name: str | None = None  # its name as ARNs use it, when known
    role: str | None = None  # address of the role (or, with via_profile, of the instance profile) it references
    role_name: str | None = None  # the role's (or instance profile's) name or ARN when written as a literal
    via_profile: bool = False  # it runs as the role of an instance profile (EC2 instances, launch templates)


class DataStore(BaseModel):
    """An S3 bucket, or a versioning configuration of one: what MFA delete (PAM-5) is judged on."""

    address: str
    kind: Literal["s3-bucket", "s3-bucket-versioning"]
    location: Location
    name: str | None = None  # the bucket's name, when known
    bucket: str | None = None  # versioning: the address of the bucket it configures, when it references one
    tags: dict[str, str] = Field(default_factory=dict)
    mfa_delete: bool | None = None  # MFA delete is enabled (True), written as disabled or absent (False), unknown (None)
    mfa_delete_settable: bool = True  # CloudFormation cannot enable MFA delete: only the root user's CLI can


class PolicyVersion(BaseModel):
    """A stored version of a managed policy that is not its default (live IAM snapshots show them all)."""

    policy: str  # the policy's document address (its ARN)
    version: str  # v1, v2...
    location: Location
    statements: list[Statement] = Field(default_factory=list)


class Inventory(BaseModel):
    principals: dict[str, Principal] = Field(default_factory=dict)
    documents: dict[str, PolicyDocument] = Field(default_factory=dict)
    credentials: list[Credential] = Field(default_factory=list)
    login_profiles: list[LoginProfile] = Field(default_factory=list)
    secret_parameters: list[SecretParameter] = Field(default_factory=list)
    ingress_rules: list[IngressRule] = Field(default_factory=list)
    password_policies: list[PasswordPolicy] = Field(default_factory=list)
    workloads: list[Workload] = Field(default_factory=list)
    github_orgs: list[GitHubOrg] = Field(default_factory=list)
    azure_role_definitions: list[AzureRoleDefinition] = Field(default_factory=list)
    azure_role_assignments: list[AzureRoleAssignment] = Field(default_factory=list)
    azure_directory_role_assignments: list[AzureDirectoryRoleAssignment] = Field(default_factory=list)
    azure_conditional_access_policies: list[AzureConditionalAccessPolicy] = Field(default_factory=list)
    azure_group_members: dict[str, list[str]] = Field(default_factory=dict)  # group key -> member keys
    gcp_iam_bindings: list[GcpIamBinding] = Field(default_factory=list)
    gcp_service_account_keys: list[GcpServiceAccountKey] = Field(default_factory=list)
    gcp_service_accounts: dict[str, str] = Field(default_factory=dict)  # address -> account_id, where known
    credential_reports: list[CredentialReport] = Field(default_factory=list)
    policy_versions: list[PolicyVersion] = Field(default_factory=list)
    data_stores: list[DataStore] = Field(default_factory=list)

    def merge(self, other: Inventory) -> None:
        """Add ``other`` into this inventory field by field (so no new field can be left out here): lists are
        extended, dicts of lists (group -> members) extended per key, other dicts (keyed by address) updated."""
        for name, field in type(self).model_fields.items():
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, list):
                mine.extend(theirs)
            elif get_origin(get_args(field.annotation)[1]) is list:
                for key, items in theirs.items():
                    mine.setdefault(key, []).extend(items)
            else:
                mine.update(theirs)

    def effective_grants(self, principal: Principal) -> list[tuple[Grant, str | None]]:
        """Grants of a principal including those of its groups, as (grant, group address or None)."""
        out: list[tuple[Grant, str | None]] = [(g, None) for g in principal.grants]
        for group_address in principal.groups:
            group = self.principals.get(group_address)
            if group is not None:
                out.extend((g, group_address) for g in group.grants)
        return out
