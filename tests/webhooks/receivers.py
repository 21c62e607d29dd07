"""Webhook receivers on loopback for the tests that start real workers: one that answers at
once, one that accepts the connection and never answers, one that trickles its answer a byte
at a time. Each records what reached it and when."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Arrival:
    delivery: str  # X-HLS-Delivery: the event id
    payload: dict[str, Any]
    at: float  # time.monotonic()


@dataclass
class Receiver:
    """`mode`: "answer" (200 at once), "hang" (reads the request, then never answers) or
    "trickle" (a 200 sent one byte every `every` seconds)."""

    mode: str = "answer"
    every: float = 0.5
    url: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)

    def record(self, delivery: str, body: bytes) -> None:
        with self.lock:
            self.arrivals.append(Arrival(delivery, json.loads(body), time.monotonic()))

    def deliveries(self) -> list[str]:
        with self.lock:
            return [arrival.delivery for arrival in self.arrivals]


@contextmanager
def receiving(mode: str = "answer", *, every: float = 0.5) -> Iterator[Receiver]:
    receiver = Receiver(mode=mode, every=every)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.record(self.headers.get("X-HLS-Delivery", ""), body)
            if receiver.mode == "hang":
                receiver.release.wait(120)  # until the test ends; the sender gives up first
                return
            answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            if receiver.mode == "answer":
                self.wfile.write(answer)
                return
            # "trickle": a 200 in the end, after a long header sent a byte at a time, each well
            # within a socket's timeout.
            answer = answer.replace(b"\r\n", b"\r\nX-Pad: " + b"." * 200 + b"\r\n", 1)
            for byte in answer:
                if receiver.release.is_set():
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:  # the sender gave up and closed the connection
                    return
                time.sleep(receiver.every)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


def connection_refused_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
