"""A real local receiver for webhooks, and subscriptions made through the service."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from hls.webhooks import signing
from hls.webhooks.models import WebhookSubscription
from hls.webhooks.services import webhook_subscription_create


@dataclass
class Received:
    path: str
    headers: Message  # case-insensitive, as HTTP headers are
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """Records each POST, checks its signature with `secret` (when set) and answers with the
    next of `statuses` (200 once they run out). A bad signature is answered 401."""

    url: str = ""
    secret: str = ""
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, headers: Message, body: bytes) -> int:
        verified = bool(self.secret) and signing.verify(
            self.secret, headers.get("X-HLS-Signature", ""), body
        )
        with self.lock:
            self.requests.append(Received(path, headers, body, verified))
            status = self.statuses.pop(0) if self.statuses else 200
        if self.delay:
            time.sleep(self.delay)
        if self.secret and not verified:
            return 401
        return status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorder = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = recorder.handle(self.path, self.headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def subscribe(admin: Membership) -> Callable[..., WebhookSubscription]:
    def make(url: str, events: list[str] | None = None, **kwargs: Any) -> WebhookSubscription:
        with tenant_scope(workspace_id=admin.workspace_id):
            return webhook_subscription_create(
                workspace=admin.workspace,
                created_by=admin.user,
                url=url,
                events=events or ["report.published", "experiment.ended"],
                **kwargs,
            )

    return make
