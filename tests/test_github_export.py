"""`privlint github export` end to end against a local server replaying recorded GitHub API responses.

The server listens on 127.0.0.1 only; no test touches the network. It checks the token like GitHub
does (401 otherwise), serves each path's recorded responses in order, and records what it was asked.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import privlint
from conftest import FIXTURES, run_cli
from privlint.pipeline.format_github_snapshot import validate

RECORDING = FIXTURES / "github" / "api-replay" / "acme-corp.json"
TOKEN = "test-token-for-the-replay-server"


def request_key(path: str) -> str:
    parts = urlsplit(path)
    query = sorted(parse_qsl(parts.query))
    return parts.path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


class Replay:
    def __init__(self, exchanges: dict[str, list[dict[str, Any]]]) -> None:
        self.exchanges = exchanges
        self.seen: dict[str, int] = defaultdict(int)
        self.auth_headers: list[str | None] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                replay.auth_headers.append(self.headers.get("Authorization"))
                key = request_key(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._send(401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
                    return
                responses = replay.exchanges.get(key)
                if not responses:
                    self._send(404, {}, {"message": "Not Found", "status": "404"})
                    return
                response = responses[min(replay.seen[key], len(responses) - 1)]
                replay.seen[key] += 1
                self._send(response["status"], response["headers"], response["body"])

            def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    value = value.replace("{base}", replay.base).replace("{reset}", str(int(time.time()) + 1))
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def recorded() -> dict[str, list[dict[str, Any]]]:
    return json.loads(RECORDING.read_text())["exchanges"]


@pytest.fixture
def replay() -> Iterator[Replay]:
    with Replay(recorded()) as server:
        yield server


def export(server: Replay, tmp_path: Path, *extra: str, token: str = TOKEN, org: str = "acme-corp") -> Any:
    env = {"GITHUB_TOKEN": token, "GITHUB_API_URL": server.base}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run_cli("github", "export", "--org", org, *extra, cwd=tmp_path)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_export_builds_a_valid_snapshot_through_pagination_and_rate_limits(replay: Replay, tmp_path: Path) -> None:
    result = export(replay, tmp_path, "--output", "acme.json")
    assert result.returncode == 0, result.stderr
    snapshot = json.loads((tmp_path / "acme.json").read_text())
    assert validate(snapshot, "acme.json") == []
    assert snapshot["github_org_snapshot"] == 1 and snapshot["organization"]["login"] == "acme-corp"
    # Link rel="next" followed: the second page's member is there.
    assert [m["login"] for m in snapshot["members"]] == ["erin-dev", "frank-dev", "grace-qa"]
    assert replay.seen["/orgs/acme-corp/members?page=2&per_page=100&role=member"] == 1
    # The secondary rate limit (403 + Retry-After) was waited out and retried.
    assert replay.seen["/orgs/acme-corp/hooks?per_page=100"] == 2
    assert "rate limit" in result.stderr
    # Optional data the org does not have is left out, not faked; an unprotected branch is null.
    assert "credential_authorizations" not in snapshot
    docs = next(r for r in snapshot["repositories"] if r["name"] == "docs")
    assert docs["branch_protection"] is None
    assert snapshot["teams"][0]["repos"][0]["role_name"] == "admin"
    # The token went to the server and nowhere else.
    assert set(replay.auth_headers) == {f"Bearer {TOKEN}"}
    assert TOKEN not in result.stdout + result.stderr + (tmp_path / "acme.json").read_text()


def test_exported_snapshot_is_linted(replay: Replay, tmp_path: Path) -> None:
    assert export(replay, tmp_path, "--output", "acme.json").returncode == 0
    found = {(f.rule_id, f.resource) for f in privlint.scan([str(tmp_path / "acme.json")]).findings}
    assert found == {
        ("PL110", "github:acme-corp"),
        ("PL111", "github:acme-corp/member/bob-sre"),
        ("PL211", "github:acme-corp/team/platform"),
        ("PL212", "github:acme-corp/collaborator/jo-contractor"),
        ("PL311", "github:acme-corp/hook/40002"),
        ("PL414", "github:acme-corp/repo/api"),
    }


def test_export_to_stdout(replay: Replay, tmp_path: Path) -> None:
    result = export(replay, tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["organization"]["login"] == "acme-corp"


def test_bad_token_is_a_clear_401_error(replay: Replay, tmp_path: Path) -> None:
    result = export(replay, tmp_path, token="wrong-token-value")
    assert result.returncode == 1
    assert "401" in result.stderr and "GITHUB_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr and "wrong-token-value" not in result.stderr


def test_unknown_org_is_a_clear_404_error(replay: Replay, tmp_path: Path) -> None:
    result = export(replay, tmp_path, org="no-such-org")
    assert result.returncode == 1
    assert "no-such-org" in result.stderr and "404" in result.stderr and "Traceback" not in result.stderr


def test_forbidden_org_is_a_clear_403_error(tmp_path: Path) -> None:
    exchanges = recorded()
    exchanges["/orgs/acme-corp"] = [
        {"status": 403, "headers": {"X-Accepted-OAuth-Scopes": "admin:org, read:org"}, "body": {"message": "Resource not accessible by personal access token"}}
    ]
    with Replay(exchanges) as server:
        result = export(server, tmp_path)
    assert result.returncode == 1
    assert "403" in result.stderr and "read:org" in result.stderr and "Traceback" not in result.stderr


def test_an_optional_endpoint_refused_is_left_out_with_a_warning(tmp_path: Path) -> None:
    exchanges = recorded()
    # Only owners may filter by 2FA: GitHub answers 403 to a member's token.
    exchanges["/orgs/acme-corp/members?filter=2fa_disabled&per_page=100"] = [{"status": 403, "headers": {}, "body": {"message": "Must have admin rights"}}]
    with Replay(exchanges) as server:
        result = export(server, tmp_path, "--output", "acme.json")
    assert result.returncode == 0, result.stderr
    snapshot = json.loads((tmp_path / "acme.json").read_text())
    assert "members_2fa_disabled" not in snapshot
    assert "members_2fa_disabled left out" in result.stderr
    # Without the list, nobody is reported for 2FA on guesswork.
    assert not [f for f in privlint.scan([str(tmp_path / "acme.json")]).findings if f.rule_id == "PL111" and "member/" in f.resource]


def test_pagination_link_to_another_host_is_refused(tmp_path: Path) -> None:
    exchanges = recorded()
    page = dict(exchanges["/orgs/acme-corp/members?per_page=100&role=admin"][0])
    page["headers"] = dict(page["headers"], Link='<https://attacker.example/steal?page=2>; rel="next"')
    exchanges["/orgs/acme-corp/members?per_page=100&role=admin"] = [page]
    with Replay(exchanges) as server:
        result = export(server, tmp_path)
    assert result.returncode == 1 and "another host" in result.stderr


def test_missing_token_is_a_usage_error(tmp_path: Path) -> None:
    env_before = os.environ.pop("GITHUB_TOKEN", None)
    try:
        result = run_cli("github", "export", "--org", "acme-corp", cwd=tmp_path)
    finally:
        if env_before is not None:
            os.environ["GITHUB_TOKEN"] = env_before
    assert result.returncode == 2 and "GITHUB_TOKEN" in result.stderr


def test_schema_command_prints_the_published_schema() -> None:
    result = run_cli("github", "schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"].startswith("privlint GitHub organisation snapshot")
