"""GitHub organisation configuration into the inventory, from every source privlint reads.

- an API snapshot (``privlint github export``, or the same JSON built by hand): the REST API's own shapes;
- peribolos YAML (``orgs: {NAME: {admins, members, teams, default_repository_permission}}`` or one org);
- safe-settings ``settings.yml`` (``collaborators``, ``teams``, ``branches[].protection``);
- Terraform resources of the ``integrations/github`` provider: ``terraform_github``.

Pure: decoded values in (mappings are ``LineDict``, YAML strings may carry ``.line``), ``GitHubOrg`` out.
"""

from __future__ import annotations

import re
from typing import Any

from privlint.model.inventory import (
    GitHubBranchProtection,
    GitHubGranteeKind,
    GitHubHook,
    GitHubMember,
    GitHubOrg,
    GitHubOrgRole,
    GitHubRepoAccess,
    GitHubSource,
    Location,
)
from privlint.model.values import as_list, line_of, truthy

# The API's and the tools' spellings of repository permissions, in GitHub's own words (read, write, ...).
_PERMISSION_NAMES = {
    "pull": "read",
    "push": "write",
    "read": "read",
    "write": "write",
    "triage": "triage",
    "maintain": "maintain",
    "admin": "admin",
    "none": "none",
}
# GET .../collaborators and .../teams/{slug}/repos give a ``permissions`` map; the highest true one wins.
_PERMISSION_ORDER = ("admin", "maintain", "push", "triage", "pull")
_ROLE_LISTS: tuple[tuple[str, GitHubOrgRole], ...] = (("admins", "admin"), ("members", "member"))  # key of the list, role of its logins
# Branch names that are the default branch in practice when the source cannot say (Terraform patterns).
USUAL_DEFAULT_BRANCHES = {"main", "master"}


def permission_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _PERMISSION_NAMES.get(value.strip().lower(), value.strip().lower())


def _api_permission(item: dict[str, Any]) -> str | None:
    """The permission of a team-repo or collaborator object: ``role_name`` when given, else ``permissions``."""
    role = item.get("role_name")
    if isinstance(role, str) and role:
        return permission_name(role)
    flags = item.get("permissions")
    if isinstance(flags, dict):
        for name in _PERMISSION_ORDER:
            if flags.get(name) is True:
                return permission_name(name)
    return permission_name(item.get("permission"))


def slugify(team_name: str) -> str:
    """GitHub's team slug: lower case, runs of other characters become one hyphen."""
    return re.sub(r"[^a-z0-9_]+", "-", team_name.lower()).strip("-")


def _logins(items: Any) -> list[tuple[str, Any]]:
    """(login, the object or string it came from) for a list of API users or of YAML login strings."""
    out = []
    for item in as_list(items):
        login = item.get("login") if isinstance(item, dict) else item
        if isinstance(login, str) and login:
            out.append((login, item))
    return out


class _Org:
    """Builds one GitHubOrg; resources are github:ORG[/KIND/NAME]."""

    def __init__(self, login: str, file: str, line: int | None, source: GitHubSource) -> None:
        self.file = file
        self.org = GitHubOrg(login=login, resource=f"github:{login}", location=Location(file=file, line=line), source=source)

    def at(self, value: Any, fallback: int | None = None) -> Location:
        line = line_of(value)
        return Location(file=self.file, line=line if line is not None else fallback if fallback is not None else self.org.location.line)

    def name(self, kind: str, name: str) -> str:
        return f"{self.org.resource}/{kind}/{name}"

    def member(self, login: str, value: Any, role: GitHubOrgRole | None, two_factor_disabled: bool | None = None) -> GitHubMember:
        kind = "member" if role is not None else "collaborator"
        member = GitHubMember(login=login, resource=self.name(kind, login), location=self.at(value), role=role, two_factor_disabled=two_factor_disabled)
        self.org.members.append(member)
        return member

    def access(
        self, repository: str, permission: str, value: Any, grantee: str, kind: GitHubGranteeKind, outside: bool | None = None, resource: str | None = None
    ) -> None:
        self.org.repo_access.append(
            GitHubRepoAccess(
                repository=repository,
                permission=permission,
                resource=resource or self.name("team" if kind == "team" else "collaborator", grantee),
                location=self.at(value),
                grantee=grantee,
                grantee_kind=kind,
                outside=outside,
            )
        )


# --------------------------------------------------------------------------- API snapshot


def from_snapshot(data: dict[str, Any], file: str) -> GitHubOrg:
    """A snapshot already validated against github-org-snapshot.schema.json."""
    organization = data["organization"]
    build = _Org(organization["login"], file, line_of(organization), "snapshot")
    org = build.org
    org.two_factor_requirement_enabled = organization.get("two_factor_requirement_enabled")
    org.default_repository_permission = permission_name(organization.get("default_repository_permission"))
    org.default_repository_permission_location = build.at(organization)
    org.members_complete = "admins" in data
    org.as_of = data.get("exported_at")

    def disabled(key: str) -> set[str] | None:
        return {login.lower() for login, _ in _logins(data[key])} if key in data else None

    members_2fa_off = disabled("members_2fa_disabled")
    outside_2fa_off = disabled("outside_collaborators_2fa_disabled")
    for key, role in _ROLE_LISTS:
        for login, item in _logins(data.get(key)):
            build.member(login, item, role, None if members_2fa_off is None else login.lower() in members_2fa_off)
    outside = {login.lower() for login, _ in _logins(data.get("outside_collaborators"))}
    for login, item in _logins(data.get("outside_collaborators")):
        build.member(login, item, None, None if outside_2fa_off is None else login.lower() in outside_2fa_off)
    org_members = {m.login.lower() for m in org.members if m.role is not None}
    _activity(org, data.get("credential_authorizations"))

    for team in as_list(data.get("teams")):
        slug = team.get("slug") or slugify(team.get("name", ""))
        for repo in as_list(team.get("repos")):
            permission = _api_permission(repo)
            if permission and isinstance(repo.get("name"), str):
                build.access(repo["name"], permission, repo, slug, "team")

    for repo in as_list(data.get("repositories")):
        name = repo.get("name")
        if not isinstance(name, str):
            continue
        for login, item in _logins(repo.get("collaborators")):
            permission = _api_permission(item)
            if not permission:
                continue
            is_outside = True if login.lower() in outside else False if login.lower() in org_members else None
            build.access(name, permission, item, login, "collaborator", outside=is_outside)
        protection = repo.get("branch_protection")
        if isinstance(protection, dict):
            enforce = protection.get("enforce_admins")
            enabled = enforce.get("enabled") if isinstance(enforce, dict) else enforce if isinstance(enforce, bool) else None
            org.branch_protections.append(
                GitHubBranchProtection(
                    repository=name,
                    branch=repo.get("default_branch") or "default",
                    enforce_admins=enabled if isinstance(enabled, bool) else False if enforce is None else None,
                    default_branch=True,  # the export reads the default branch's protection
                    resource=build.name("repo", name),
                    location=build.at(protection),
                )
            )

    for hook in as_list(data.get("hooks")):
        config = hook.get("config") if isinstance(hook.get("config"), dict) else {}
        hook_id = str(hook.get("id"))
        # The API masks a set secret as "********" and omits the key when there is none.
        org.hooks.append(GitHubHook(hook_id=hook_id, has_secret=bool(config.get("secret")), resource=build.name("hook", hook_id), location=build.at(hook)))
    return org


def _activity(org: GitHubOrg, authorizations: Any) -> None:
    """Latest credential use per login from GET /orgs/{org}/credential-authorizations (SAML SSO orgs)."""
    latest: dict[str, str] = {}
    for item in as_list(authorizations):
        login = item.get("login")
        if not isinstance(login, str):
            continue
        for key in ("credential_accessed_at", "credential_authorized_at"):
            when = item.get(key)
            if isinstance(when, str) and when > latest.get(login.lower(), ""):
                latest[login.lower()] = when
    for member in org.members:
        member.last_active = latest.get(member.login.lower(), member.last_active)


# --------------------------------------------------------------------------- peribolos


def from_peribolos(data: dict[str, Any], file: str, default_name: str) -> list[GitHubOrg]:
    """``orgs: {NAME: {...}}`` (the prow config form) or one org's settings at the top (kubernetes/org form)."""
    if isinstance(data.get("orgs"), dict):
        return [_peribolos_org(str(name), body, file) for name, body in data["orgs"].items() if isinstance(body, dict)]
    return [_peribolos_org(default_name, data, file)]


def _peribolos_org(name: str, body: dict[str, Any], file: str) -> GitHubOrg:
    build = _Org(name, file, line_of(body), "peribolos")
    org = build.org
    org.members_complete = "admins" in body  # peribolos removes owners it does not list
    if "default_repository_permission" in body:
        org.default_repository_permission = permission_name(body["default_repository_permission"])
        org.default_repository_permission_location = build.at(body["default_repository_permission"], line_of(body))
    for key, role in _ROLE_LISTS:
        for login, item in _logins(body.get(key)):
            build.member(login, item, role)
    _peribolos_teams(build, body.get("teams"))
    return org


def _peribolos_teams(build: _Org, teams: Any) -> None:
    if not isinstance(teams, dict):
        return
    for team_name, team in teams.items():
        if not isinstance(team, dict):
            continue
        slug = slugify(str(team_name))
        repos = team.get("repos")
        if isinstance(repos, dict):
            for repo, permission in repos.items():
                name = permission_name(permission)
                if name:
                    build.access(str(repo), name, permission if line_of(permission) else team, slug, "team")
        _peribolos_teams(build, team.get("teams"))  # child teams


# --------------------------------------------------------------------------- safe-settings


def from_safe_settings(data: dict[str, Any], file: str, repo_name: str) -> GitHubOrg:
    """One safe-settings file: the org-wide ``.github/settings.yml`` (repo ``*``) or a repo's own file.

    safe-settings runs inside the organisation it configures, so the file never names it: the org is
    shown as ``github:*`` and the repository as the file's ``repository.name`` (or ``*`` for every repo).
    """
    build = _Org("*", file, line_of(data), "safe-settings")
    repository = data.get("repository")
    if isinstance(repository, dict) and isinstance(repository.get("name"), str):
        repo_name = repository["name"]
    for item in as_list(data.get("collaborators")):
        if isinstance(item, dict) and isinstance(item.get("username"), str):
            permission = permission_name(item.get("permission") or "push")
            if permission:
                build.access(repo_name, permission, item, item["username"], "collaborator")
    for item in as_list(data.get("teams")):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            permission = permission_name(item.get("permission") or "push")
            if permission:
                build.access(repo_name, permission, item, slugify(item["name"]), "team")
    for branch in as_list(data.get("branches")):
        if not isinstance(branch, dict) or not isinstance(branch.get("name"), str):
            continue
        protection = branch.get("protection")
        if not isinstance(protection, dict):
            continue
        name = branch["name"]
        enforce = truthy(protection.get("enforce_admins")) if "enforce_admins" in protection else False
        build.org.branch_protections.append(
            GitHubBranchProtection(
                repository=repo_name,
                branch=name,
                enforce_admins=enforce,
                # "default" is safe-settings' name for each repository's default branch.
                default_branch=True if name == "default" or name in USUAL_DEFAULT_BRANCHES else None,
                resource=build.name("repo", repo_name),
                location=build.at(protection, line_of(branch)),
            )
        )
    return build.org
