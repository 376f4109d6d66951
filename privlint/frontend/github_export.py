"""``privlint github export``: build a GitHub organisation snapshot from the REST API.

The snapshot keeps the API's own shapes (privlint/data/schemas/github-org-snapshot.schema.json), so
what the linter reads can be checked against GitHub's documentation. Standard library only: urllib.

- The token comes from ``GITHUB_TOKEN``; it is sent only to the API origin (scheme, host and port) and
  never printed. Redirects are followed only within that origin; one to anywhere else is an error.
- ``GITHUB_API_URL`` (set by GitHub Actions and GitHub Enterprise Server) changes the API host.
- Lists are followed through their ``Link: <...>; rel="next"`` headers, 100 items a page.
- Rate limits: when ``x-ratelimit-remaining`` reaches 0, or GitHub answers 403/429 with a rate-limit
  message or ``Retry-After``, the export waits until the reset time (up to ``max_wait`` seconds) and retries.
- 401, and 403/404 on the organisation itself, stop the export with a clear message. Endpoints that need
  more rights than the token has (the 2FA filters, webhooks, SAML credential authorizations, branch
  protection) are left out of the snapshot with a warning: a missing key means "not known", never "none".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from functools import partial
from http.client import HTTPMessage
from typing import IO, Any

from privlint.model.version import __version__

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class ExportError(Exception):
    """A failure the user must act on (bad token, unknown organisation, rate limit too far away)."""


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what "the same server" means."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the API's own origin; anywhere else would receive the token."""

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.allowed = origin(api_url)

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        target = origin(urllib.parse.urljoin(req.full_url, newurl))
        if target != self.allowed:
            raise ExportError(
                f"{_path_of(req.full_url)}: GitHub redirected to another server ({target[0]}://{target[1]}:{target[2]}); refusing to send the token there"
            )
        followed = super().redirect_request(req, fp, code, msg, headers, newurl)
        token = req.unredirected_hdrs.get("Authorization")
        if followed is not None and token is not None:
            followed.add_unredirected_header("Authorization", token)
        return followed


class _HttpFailure(Exception):
    def __init__(self, status: int, message: str, headers: Message | None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass
class GitHubClient:
    token: str
    api_url: str = DEFAULT_API_URL
    max_wait: float = 900.0  # the longest rate-limit wait before giving up, in seconds
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    warn: Callable[[str], None] = lambda message: None
    requests: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")
        self._origin = origin(self.api_url)
        # The token is an unredirected header: only _SameOriginRedirects carries it over, after checking.
        self._opener = urllib.request.build_opener(_SameOriginRedirects(self.api_url))

    # -- one request, with rate-limit waits
    def _request(self, url: str) -> tuple[Any, Message | None]:
        for _attempt in range(5):
            request = urllib.request.Request(
                url,
                headers={
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": API_VERSION,
                    "User-Agent": f"privlint/{__version__}",
                },
            )
            if origin(url) != self._origin:
                raise ExportError(f"refusing to send the token to another server than {self.api_url}")
            request.add_unredirected_header("Authorization", f"Bearer {self.token}")
            self.requests += 1
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    body = response.read()
                    headers = response.headers
            except urllib.error.HTTPError as exc:
                headers = exc.headers
                message = _error_message(exc)
                wait = self._rate_limit_wait(exc.code, message, headers)
                if wait is not None:
                    self.warn(f"GitHub rate limit reached; waiting {wait:.0f}s")
                    self.sleep(wait)
                    continue
                raise _HttpFailure(exc.code, message, headers) from None
            except urllib.error.URLError as exc:
                raise ExportError(f"cannot reach {self.api_url}: {exc.reason}") from None
            except (TimeoutError, OSError) as exc:
                raise ExportError(f"cannot reach {self.api_url}: {exc}") from None
            self._pause_if_exhausted(headers)
            try:
                return json.loads(body.decode("utf-8") or "null"), headers
            except ValueError:
                raise ExportError(f"{_path_of(url)}: GitHub returned a response that is not JSON") from None
        raise ExportError(f"{_path_of(url)}: still rate limited after several waits; try again later")

    def _rate_limit_wait(self, status: int, message: str, headers: Message | None) -> float | None:
        if status not in (403, 429):
            return None
        retry_after = headers.get("Retry-After") if headers else None
        remaining = headers.get("x-ratelimit-remaining") if headers else None
        if retry_after is None and remaining != "0" and "rate limit" not in message.lower():
            return None  # an ordinary "forbidden"
        if retry_after is not None and retry_after.strip().isdigit():
            wait = float(retry_after)
        else:
            wait = self._until_reset(headers)
        if wait > self.max_wait:
            raise ExportError(f"GitHub rate limit exhausted; it resets in {wait:.0f}s, more than the {self.max_wait:.0f}s privlint waits. Try again later.")
        return wait

    def _until_reset(self, headers: Message | None) -> float:
        reset = headers.get("x-ratelimit-reset") if headers else None
        if reset is None or not reset.strip().isdigit():
            return 60.0  # GitHub's advice for secondary limits without a reset time
        return max(0.0, float(reset) - time.time()) + 1.0

    def _pause_if_exhausted(self, headers: Message | None) -> None:
        """The last request of the window succeeded: wait for the reset before the next one."""
        if headers is not None and headers.get("x-ratelimit-remaining") == "0":
            wait = self._until_reset(headers)
            if wait > self.max_wait:
                raise ExportError(f"GitHub rate limit exhausted; it resets in {wait:.0f}s, more than the {self.max_wait:.0f}s privlint waits. Try again later.")
            self.warn(f"GitHub rate limit used up; waiting {wait:.0f}s for the reset")
            self.sleep(wait)

    # -- endpoints
    def url(self, path: str, **query: str) -> str:
        query_string = urllib.parse.urlencode(query)
        return f"{self.api_url}{path}" + (f"?{query_string}" if query_string else "")

    def get(self, path: str, **query: str) -> Any:
        return self._request(self.url(path, **query))[0]

    def get_list(self, path: str, **query: str) -> list[Any]:
        """Every page of a list endpoint, following Link rel="next" on the API host only."""
        url: str | None = self.url(path, per_page=str(PER_PAGE), **query)
        items: list[Any] = []
        while url is not None:
            page, headers = self._request(url)
            if not isinstance(page, list):
                raise ExportError(f"{_path_of(url)}: expected a list from GitHub, got {type(page).__name__}")
            items.extend(page)
            match = _NEXT_LINK.search(headers.get("Link", "") if headers else "")
            url = match.group(1) if match else None
            if url is not None and origin(url) != self._origin:
                raise ExportError(f"refusing to follow a pagination link to another host ({urllib.parse.urlsplit(url).netloc}) with the token")
        return items


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(exc.read().decode("utf-8", "replace") or "{}")
    except (ValueError, OSError):
        payload = {}
    message = payload.get("message") if isinstance(payload, dict) else None
    return str(message or exc.reason or f"HTTP {exc.code}")


def _path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _fatal(failure: _HttpFailure, org: str, what: str) -> ExportError:
    if failure.status == 401:
        return ExportError(f"GitHub rejected the token (401 {failure.message}): set GITHUB_TOKEN to a valid token")
    if failure.status == 403:
        scopes = failure.headers.get("X-Accepted-OAuth-Scopes") if failure.headers else None
        hint = f" (this endpoint accepts scopes: {scopes})" if scopes else " (a classic token needs read:org; fine-grained: organisation Members read)"
        return ExportError(f"GitHub refused {what} for {org} (403 {failure.message}){hint}")
    if failure.status == 404:
        return ExportError(f"GitHub organisation {org!r} not found, or the token cannot see it (404 {failure.message})")
    return ExportError(f"GitHub returned {failure.status} for {what} of {org}: {failure.message}")


def export_org(client: GitHubClient, org: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The snapshot of one organisation (see the module docstring for what is optional)."""
    quoted = urllib.parse.quote(org, safe="")

    def required(what: str, fetch: Callable[[], Any]) -> Any:
        try:
            return fetch()
        except _HttpFailure as failure:
            raise _fatal(failure, org, what) from None

    def optional(key: str, what: str, fetch: Callable[[], Any]) -> Any:
        try:
            return fetch()
        except _HttpFailure as failure:
            if failure.status == 401:
                raise _fatal(failure, org, what) from None
            client.warn(f"{key} left out: GitHub answered {failure.status} ({failure.message}) for {what}; the token may lack the owner role or a scope")
            return None

    snapshot: dict[str, Any] = {
        "github_org_snapshot": 1,
        "exported_at": (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organization": required("the organisation", lambda: client.get(f"/orgs/{quoted}")),
        "admins": required("the member list", lambda: client.get_list(f"/orgs/{quoted}/members", role="admin")),
        "members": required("the member list", lambda: client.get_list(f"/orgs/{quoted}/members", role="member")),
    }
    optional_lists = [
        ("members_2fa_disabled", "members without 2FA", f"/orgs/{quoted}/members", {"filter": "2fa_disabled"}),
        ("outside_collaborators", "outside collaborators", f"/orgs/{quoted}/outside_collaborators", {}),
        ("outside_collaborators_2fa_disabled", "outside collaborators without 2FA", f"/orgs/{quoted}/outside_collaborators", {"filter": "2fa_disabled"}),
        ("credential_authorizations", "SAML credential authorizations", f"/orgs/{quoted}/credential-authorizations", {}),
        ("hooks", "organisation webhooks", f"/orgs/{quoted}/hooks", {}),
    ]
    for key, what, path, query in optional_lists:
        value = optional(key, what, partial(client.get_list, path, **query))
        if value is not None:
            snapshot[key] = value

    teams = optional("teams", "teams", lambda: client.get_list(f"/orgs/{quoted}/teams"))
    if teams is not None:
        for team in teams:
            slug = urllib.parse.quote(str(team.get("slug", "")), safe="")
            team["members"] = (
                optional("team members", f"members of team {team.get('slug')}", partial(client.get_list, f"/orgs/{quoted}/teams/{slug}/members")) or []
            )
            team["repos"] = (
                optional("team repos", f"repositories of team {team.get('slug')}", partial(client.get_list, f"/orgs/{quoted}/teams/{slug}/repos")) or []
            )
        snapshot["teams"] = teams

    repositories = required("the repository list", lambda: client.get_list(f"/orgs/{quoted}/repos", type="all"))
    for repo in repositories:
        name = urllib.parse.quote(str(repo.get("name", "")), safe="")
        owner = urllib.parse.quote(str((repo.get("owner") or {}).get("login", org)), safe="")
        collaborators = optional(
            "collaborators", f"collaborators of {repo.get('name')}", partial(client.get_list, f"/repos/{owner}/{name}/collaborators", affiliation="direct")
        )
        if collaborators is not None:
            repo["collaborators"] = collaborators
        branch = repo.get("default_branch")
        if isinstance(branch, str) and branch:
            repo["branch_protection"] = _branch_protection(client, owner, name, branch, str(repo.get("name")))
    snapshot["repositories"] = repositories
    return snapshot


def _branch_protection(client: GitHubClient, owner: str, name: str, branch: str, shown: str) -> Any:
    try:
        return client.get(f"/repos/{owner}/{name}/branches/{urllib.parse.quote(branch, safe='')}/protection")
    except _HttpFailure as failure:
        if failure.status == 404:
            return None  # "Branch not protected"
        if failure.status == 401:
            raise _fatal(failure, owner, "branch protection") from None
        client.warn(f"branch protection of {shown} left out: GitHub answered {failure.status} ({failure.message})")
        return None


def client_from_environment(warn: Callable[[str], None]) -> GitHubClient:
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ExportError("GITHUB_TOKEN is not set: export a token with read:org (and admin:org_hook, repo for webhooks and branch protection)")
    return GitHubClient(token=token, api_url=os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL, warn=warn)


def write_snapshot(org: str, output: str | None, echo: Callable[[str], None]) -> int:
    """The ``privlint github export`` command: 0 written, 1 GitHub refused or failed, 2 no token."""
    import sys

    try:
        client = client_from_environment(lambda message: echo(f"privlint: warning: {message}"))
    except ExportError as exc:
        echo(f"privlint: error: {exc}")
        return 2
    try:
        snapshot = export_org(client, org)
    except ExportError as exc:
        echo(f"privlint: error: {exc}")
        return 1
    text = json.dumps(snapshot, indent=2, sort_keys=False) + "\n"
    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        echo(f"privlint: wrote {output} ({len(snapshot['admins'])} owners, {len(snapshot['repositories'])} repositories, {client.requests} API requests)")
    return 0
