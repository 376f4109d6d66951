"""``github export`` never sends the token to a server other than the API origin it was given."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from privlint.frontend.github_export import ExportError, GitHubClient

TOKEN = "ghp_redirect-test-token-0123456789"


@contextmanager
def server(answer: Any) -> Iterator[tuple[str, list[str | None]]]:
    """A local HTTP server; ``answer(handler)`` replies. Yields its base URL and the Authorization headers it saw."""
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            answer(self)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def json_reply(handler: BaseHTTPRequestHandler, body: bytes = b'{"login": "acme"}') -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect_to(location: str) -> Any:
    def reply(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/moved"):
            json_reply(handler)
            return
        handler.send_response(302)
        handler.send_header("Location", location + handler.path.replace("/orgs", "/moved"))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return reply


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_port_is_refused_and_the_token_never_arrives(status: int) -> None:
    with server(json_reply) as (elsewhere, seen_elsewhere):

        def reply(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", f"{elsewhere}/steal")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with server(reply) as (api, seen_api):
            client = GitHubClient(token=TOKEN, api_url=api)
            with pytest.raises(ExportError, match="redirected to another server"):
                client.get("/orgs/acme")
    assert seen_api == [f"Bearer {TOKEN}"]
    assert all(TOKEN not in (h or "") for h in seen_elsewhere)
    assert seen_elsewhere == []  # not even asked without the token


def test_a_redirect_to_another_host_name_for_the_same_address_is_refused() -> None:
    # localhost and 127.0.0.1 reach the same socket, but they are different origins to a browser and to us.
    holder: dict[str, str] = {}

    def reply(handler: BaseHTTPRequestHandler) -> None:
        redirect_to(holder["api"].replace("127.0.0.1", "localhost"))(handler)

    with server(reply) as (api, seen), pytest.raises(ExportError, match="another server"):
        holder["api"] = api
        GitHubClient(token=TOKEN, api_url=api).get("/orgs/acme")
    assert seen == [f"Bearer {TOKEN}"]


def test_a_redirect_within_the_api_origin_is_followed_with_the_token() -> None:
    holder: dict[str, str] = {}

    def reply(handler: BaseHTTPRequestHandler) -> None:
        redirect_to(holder["api"])(handler)

    with server(reply) as (api, seen):
        holder["api"] = api
        assert GitHubClient(token=TOKEN, api_url=api).get("/orgs/acme") == {"login": "acme"}
    assert seen == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]
