"""GitHub organisations: 2FA for owners, broad repository permissions, webhook and Actions secrets,
and the number, approval, activity and branch-protection duties of owners.

Every rule reads ``inventory.github_orgs``, so an API snapshot, peribolos, safe-settings and Terraform
are checked alike. A fact a source cannot state (a 2FA list that was not exported, whether a Terraform
branch pattern is the default branch) is never guessed: the rule stays silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from privlint.model.findings import Severity
from privlint.model.inventory import GitHubMember, GitHubOrg, Inventory
from privlint.model.settings import Settings
from privlint.rules.base import Hit, rule

_PRIVILEGED_DEFAULTS = {"write": Severity.medium, "admin": Severity.high}


def _name(org: GitHubOrg) -> str:
    """How messages name the organisation (safe-settings and Terraform files do not say which it is)."""
    return {"*": "the organisation it configures", "(provider owner)": "the provider's GitHub organisation"}.get(org.login, f"GitHub organisation {org.login}")


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _admin_collaborators(org: GitHubOrg) -> dict[str, list[str]]:
    """Outside collaborators' logins (lower case) -> repositories where they have admin."""
    out: dict[str, list[str]] = {}
    for access in org.repo_access:
        if access.grantee_kind == "collaborator" and access.permission == "admin":
            out.setdefault(access.grantee.lower(), []).append(access.repository)
    return out


@rule("PL110")
def org_two_factor_not_required(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        if org.two_factor_requirement_enabled is False:
            yield Hit(
                resource=org.resource,
                location=org.location,
                message=f"{_sentence_start(_name(org))} does not require two-factor authentication (two_factor_requirement_enabled is false): "
                "turn on Settings > Authentication security > Require two-factor authentication.",
            )


@rule("PL111")
def admin_without_two_factor(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        admin_repos = _admin_collaborators(org)
        for member in org.members:
            if member.two_factor_disabled is not True:
                continue
            if member.role == "admin":
                yield Hit(
                    resource=member.resource,
                    location=member.location,
                    severity=Severity.critical,
                    message=f"Owner {member.login} of {_name(org)} has two-factor authentication disabled: "
                    "require 2FA for the organisation, or remove the owner role until they enable it.",
                )
            elif member.role is None and member.login.lower() in admin_repos:
                repos = ", ".join(sorted(set(admin_repos[member.login.lower()])))
                yield Hit(
                    resource=member.resource,
                    location=member.location,
                    message=f"Outside collaborator {member.login} has admin on {repos} in {_name(org)} with two-factor authentication disabled: "
                    "lower their permission or remove them until they enable 2FA.",
                )


@rule("PL210")
def privileged_default_repository_permission(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        permission = org.default_repository_permission
        if permission not in _PRIVILEGED_DEFAULTS:
            continue
        yield Hit(
            resource=org.resource,
            location=org.default_repository_permission_location or org.location,
            severity=_PRIVILEGED_DEFAULTS[permission],
            message=f"{_sentence_start(_name(org))} gives every member {permission} on every repository (default_repository_permission = {permission}): "
            "set it to read or none and grant more through teams.",
        )


@rule("PL211")
def team_repository_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        for access in org.repo_access:
            if access.grantee_kind == "team" and access.permission == "admin":
                where = "every repository" if access.repository == "*" else f"repository {access.repository}"
                yield Hit(
                    resource=access.resource,
                    location=access.location,
                    message=f"Team {access.grantee} has admin on {where} ({_name(org)}): every member can change settings, "
                    "protections and access; grant maintain or write, and keep admin for named owners.",
                )


@rule("PL212")
def collaborator_repository_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        for access in org.repo_access:
            if access.grantee_kind != "collaborator" or access.permission != "admin" or access.outside is False:
                continue
            where = "every repository" if access.repository == "*" else f"repository {access.repository}"
            who = "Outside collaborator" if access.outside else "Direct collaborator"
            yield Hit(
                resource=access.resource,
                location=access.location,
                severity=Severity.high if access.outside else Severity.medium,
                message=f"{who} {access.grantee} has admin on {where} ({_name(org)}): grant write or maintain, "
                "or make them a member of a team that is reviewed.",
            )


@rule("PL310")
def actions_secret_in_plaintext(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        for secret in org.secrets:
            # A literal in the code is already PL301 hardcoded-secret (with its masked value).
            if secret.plaintext and not secret.plaintext_literal:
                yield Hit(
                    resource=secret.resource,
                    location=secret.location,
                    message=f"GitHub Actions secret {secret.name} is set with plaintext_value, so the secret is stored unencrypted in Terraform state: "
                    "use encrypted_value (sealed with the repository's public key) or set the secret outside Terraform.",
                )


@rule("PL311")
def webhook_without_secret(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        for hook in org.hooks:
            if hook.has_secret is False:
                yield Hit(
                    resource=hook.resource,
                    location=hook.location,
                    message=f"Webhook {hook.hook_id} of {_name(org)} has no secret, so its receiver cannot tell GitHub's deliveries from forged ones: "
                    "set config.secret and verify X-Hub-Signature-256.",
                )


def _owner_list(owners: list[GitHubMember]) -> str:
    names = sorted(m.login for m in owners)
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


@rule("PL410")
def too_many_owners(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        owners = org.owners
        if len(owners) > settings.max_admins:
            yield Hit(
                resource=org.resource,
                location=org.location,
                message=f"{_sentence_start(_name(org))} has {len(owners)} owners ({_owner_list(owners)}), more than max_admins = {settings.max_admins}: "
                "demote those without a standing need to member and give them team roles.",
            )


@rule("PL411")
def too_few_owners(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        owners = org.owners
        # Only a source that lists every owner proves there are too few (Terraform may manage only some).
        if org.members_complete and 0 < len(owners) < settings.min_admins:
            yield Hit(
                resource=org.resource,
                location=org.location,
                message=f"{_sentence_start(_name(org))} has {len(owners)} owner ({_owner_list(owners)}), fewer than min_admins = {settings.min_admins}: "
                "name a second owner so the organisation has no single point of failure.",
            )


@rule("PL412")
def unapproved_owner(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    if not settings.approved_admins:
        return  # no approved list configured: nothing to compare with
    approved = {a.name.lower(): a.until for a in settings.approved_admins}
    today = dt.date.today()
    for org in inventory.github_orgs:
        for owner in org.owners:
            key = owner.login.lower()
            if key not in approved:
                yield Hit(
                    resource=owner.resource,
                    location=owner.location,
                    message=f"Owner {owner.login} of {_name(org)} is not in approved_admins: "
                    "record the approval (name and until date) or remove the owner role.",
                )
            elif (until := approved[key]) is not None and until < today:
                yield Hit(
                    resource=owner.resource,
                    location=owner.location,
                    message=f"The approval of owner {owner.login} of {_name(org)} expired on {approved[key]}: "
                    "renew it in approved_admins or remove the owner role.",
                )


def _parse_time(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


@rule("PL413")
def dormant_owner(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    days = settings.dormancy_days  # shared with the credential-report rules (PUG-8)
    for org in inventory.github_orgs:
        now = (_parse_time(org.as_of) if org.as_of else None) or dt.datetime.now(dt.timezone.utc)
        for member in org.members:
            if member.last_active is None or not (member.role == "admin" or member.login.lower() in _admin_collaborators(org)):
                continue
            last = _parse_time(member.last_active)
            if last is None or (now - last).days <= days:
                continue
            yield Hit(
                resource=member.resource,
                location=member.location,
                message=f"Privileged account {member.login} of {_name(org)} has not used a credential for {(now - last).days} days "
                f"(last {last.date().isoformat()}; limit {days}): review it and remove the role if it is no longer needed.",
            )


@rule("PL414")
def branch_protection_admin_bypass(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for org in inventory.github_orgs:
        for protection in org.branch_protections:
            if protection.enforce_admins is False and org.is_default_branch(protection):
                yield Hit(
                    resource=protection.resource,
                    location=protection.location,
                    message=f"Branch protection of {protection.branch} in {protection.repository} ({_name(org)}) does not apply to administrators "
                    "(enforce_admins is false), so an admin can push unreviewed changes to the default branch: set enforce_admins to true.",
                )
