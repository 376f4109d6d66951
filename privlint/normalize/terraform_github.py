"""Terraform resources of the ``integrations/github`` provider into the inventory's GitHub organisation.

Handlers receive the Terraform normaliser and one resource; they collect into one ``GitHubOrg`` per module,
named by Terraform addresses (the provider's ``owner`` is configuration, not something the resources say).
"""

from __future__ import annotations

from typing import Any, Protocol

from privlint.model.inventory import (
    GitHubActionsSecret,
    GitHubBranchProtection,
    GitHubGranteeKind,
    GitHubHook,
    GitHubMember,
    GitHubOrg,
    GitHubRepoAccess,
    Location,
)
from privlint.model.records import ResourceRecord
from privlint.model.values import Reference, as_list, line_of, truthy
from privlint.normalize.common import InventoryBuilder
from privlint.normalize.github import USUAL_DEFAULT_BRANCHES, permission_name

# github_repository_collaborators: (grantee kind, block, attribute naming the grantee)
_COLLABORATOR_BLOCKS: tuple[tuple[GitHubGranteeKind, str, str], ...] = (("collaborator", "user", "username"), ("team", "team", "team_id"))


class HasBuilder(Protocol):
    builder: InventoryBuilder


def _terraform_org(normaliser: HasBuilder, record: ResourceRecord) -> GitHubOrg:
    inventory = normaliser.builder.inventory
    for org in inventory.github_orgs:
        if org.source == "terraform":
            return org
    org = GitHubOrg(login="(provider owner)", resource=record.address, location=record.location, source="terraform")
    inventory.github_orgs.append(org)
    return org


def _text(value: Any) -> str | None:
    if isinstance(value, Reference):
        return value.address
    return value if isinstance(value, str) else None


def tf_membership(normaliser: HasBuilder, record: ResourceRecord) -> None:
    org = _terraform_org(normaliser, record)
    role: Any = record.get("role") or "member"  # the provider's default
    login = _text(record.get("username")) or record.address
    if role == "admin" and not org.owners and "github_organization_settings." not in f".{org.resource}":
        # Findings about the owners as a whole point at the organisation settings, else at the first owner.
        org.resource, org.location = record.address, record.location
    if role == "admin" or role == "member":
        org.members.append(GitHubMember(login=login, resource=record.address, location=record.location, role="admin" if role == "admin" else "member"))


def tf_organization_settings(normaliser: HasBuilder, record: ResourceRecord) -> None:
    org = _terraform_org(normaliser, record)
    org.resource, org.location = record.address, record.location
    value = record.get("default_repository_permission")
    org.default_repository_permission = permission_name(value) if value is not None else "read"  # provider default
    org.default_repository_permission_location = record.attr_location("default_repository_permission")


def _tf_repo_access(normaliser: HasBuilder, record: ResourceRecord, grantee_key: str, kind: GitHubGranteeKind, default_permission: str) -> None:
    """One grant of a repository permission to a team or a collaborator (the provider's default permission if unset)."""
    org = _terraform_org(normaliser, record)
    permission = permission_name(record.get("permission") or default_permission)
    if permission:
        org.repo_access.append(
            GitHubRepoAccess(
                repository=_text(record.get("repository")) or "?",
                permission=permission,
                resource=record.address,
                location=record.attr_location("permission"),
                grantee=_text(record.get(grantee_key)) or record.address,
                grantee_kind=kind,
            )
        )


def tf_team_repository(normaliser: HasBuilder, record: ResourceRecord) -> None:
    _tf_repo_access(normaliser, record, "team_id", "team", default_permission="pull")


def tf_repository_collaborator(normaliser: HasBuilder, record: ResourceRecord) -> None:
    _tf_repo_access(normaliser, record, "username", "collaborator", default_permission="push")


def tf_repository_collaborators(normaliser: HasBuilder, record: ResourceRecord) -> None:
    """github_repository_collaborators: ``user {username, permission}`` and ``team {team_id, permission}`` blocks."""
    org = _terraform_org(normaliser, record)
    repository = _text(record.get("repository")) or "?"
    for kind, block_name, key in _COLLABORATOR_BLOCKS:
        for block in as_list(record.get(block_name)):
            if not isinstance(block, dict):
                continue
            permission = permission_name(block.get("permission") or "push")
            if permission:
                org.repo_access.append(
                    GitHubRepoAccess(
                        repository=repository,
                        permission=permission,
                        resource=record.address,
                        location=Location(file=record.file, line=line_of(block) or record.line),
                        grantee=_text(block.get(key)) or record.address,
                        grantee_kind=kind,
                    )
                )


def tf_branch_default(normaliser: HasBuilder, record: ResourceRecord) -> None:
    """github_branch_default names a repository's default branch; rules join it with the protections."""
    org = _terraform_org(normaliser, record)
    branch = _text(record.get("branch"))
    repository = _text(record.get("repository"))
    if branch and repository:
        org.default_branches[repository] = branch


def tf_branch_protection(normaliser: HasBuilder, record: ResourceRecord) -> None:
    org = _terraform_org(normaliser, record)
    v4 = record.type == "github_branch_protection"
    branch = _text(record.get("pattern") if v4 else record.get("branch")) or "?"
    repository = _text(record.get("repository_id") if v4 else record.get("repository")) or "?"
    enforce = record.get("enforce_admins")
    org.branch_protections.append(
        GitHubBranchProtection(
            repository=repository,
            branch=branch,
            enforce_admins=False if enforce is None else truthy(enforce),  # the provider's default is false
            default_branch=True if branch in USUAL_DEFAULT_BRANCHES else None,
            resource=record.address,
            location=record.attr_location("enforce_admins"),
        )
    )


def tf_webhook(normaliser: HasBuilder, record: ResourceRecord) -> None:
    org = _terraform_org(normaliser, record)
    configuration = next((c for c in as_list(record.get("configuration")) if isinstance(c, dict)), None)
    secret = configuration.get("secret") if configuration else None
    org.hooks.append(GitHubHook(hook_id=record.address, has_secret=secret is not None and secret != "", resource=record.address, location=record.location))


def tf_actions_secret(normaliser: HasBuilder, record: ResourceRecord) -> None:
    org = _terraform_org(normaliser, record)
    plaintext = record.get("plaintext_value")
    if plaintext is None:
        return
    org.secrets.append(
        GitHubActionsSecret(
            name=_text(record.get("secret_name")) or record.address,
            resource=record.address,
            location=record.attr_location("plaintext_value"),
            plaintext=True,
            plaintext_literal=isinstance(plaintext, str),
        )
    )


# Registered in terraform_aws.py's dispatch table (second pass: after principals and documents).
TERRAFORM_HANDLERS = {
    "github_membership": tf_membership,
    "github_organization_settings": tf_organization_settings,
    "github_team_repository": tf_team_repository,
    "github_repository_collaborator": tf_repository_collaborator,
    "github_repository_collaborators": tf_repository_collaborators,
    "github_branch_default": tf_branch_default,
    "github_branch_protection": tf_branch_protection,
    "github_branch_protection_v3": tf_branch_protection,
    "github_organization_webhook": tf_webhook,
    "github_repository_webhook": tf_webhook,
    "github_actions_secret": tf_actions_secret,
    "github_actions_organization_secret": tf_actions_secret,
    "github_actions_environment_secret": tf_actions_secret,
    "github_dependabot_secret": tf_actions_secret,
    "github_dependabot_organization_secret": tf_actions_secret,
}
