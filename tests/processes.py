"""For tests that start real processes (Celery workers, web servers, redis-server, the dev
runner): how they reach the test database, find a free port, wait, and start and stop a web
server or a worker. The test database may be on TCP (the machine's PostgreSQL, as in CI with
DATABASE_URL) or on the embedded server's unix socket directory (a newcomer's `make test`)."""

import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

REPO = Path(__file__).resolve().parents[1]
START_WAIT = 60  # a process starts in a few seconds; more on a busy machine


def live_database_url(name: str = "") -> str:
    """A DATABASE_URL for the test database (or another database `name` on the same server), in
    the form hls/settings.py (django-environ) reads."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    name = quote(name or db["NAME"], safe="")
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a unix socket directory: django-environ reads it from the path
        return f"postgres://{user}@/{quote(host)}/{name}"
    return f"postgres://{user}@{host}:{db['PORT'] or 5432}/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    condition: Callable[[], bool], what: str, seconds: float = START_WAIT, every: float = 0.1
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds}s for {what}")
        time.sleep(every)


def queue_drained(redis_url: str, queue: str) -> bool:
    """Every message sent to `queue` was taken and finished: none waits in the queue and none
    is held unacknowledged by a worker (tasks are acknowledged late, when they end). A check
    to wait on, in place of a sleep, before saying "nothing more was done". `redis_url` is
    the broker's server in redis-py's form (settings.REDIS_URL, not Celery's
    `redis+socket://` spelling of a socket)."""
    import json

    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        if client.llen(queue):
            return False
        for raw in client.hvals("unacked"):
            _message, _exchange, routing_key = json.loads(raw)
            if routing_key == queue:
                return False
        return True
    finally:
        client.close()


def stop(proc: "subprocess.Popen[bytes]", grace: float = 15) -> None:
    """SIGTERM, then SIGKILL if it has not gone after `grace` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def answers(url: str, timeout: float = 2) -> bool:
    try:
        return requests.get(url, timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def start_web(
    env: Mapping[str, str], log: Path, *, workers: int = 1, threads: int = 1
) -> "tuple[subprocess.Popen[bytes], str]":
    """gunicorn serving `env`'s settings and database on a free loopback port, once /healthz
    answers; its process and base URL. Its output goes to `log`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(REPO / ".venv/bin/gunicorn"), "hls.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "2",
            ],
            cwd=REPO, env=dict(env), stdout=out, stderr=out,
        )  # fmt: skip

    def up() -> bool:
        if proc.poll() is not None:
            pytest.fail("the web server did not start: " + log.read_text()[-4000:])
        return answers(f"{base}/healthz")

    try:
        wait_for(up, "the web server to answer", every=0.2)
    except BaseException:
        stop(proc)
        raise
    return proc, base


def start_worker(
    env: Mapping[str, str], log: Path, *, queue: str = ""
) -> "subprocess.Popen[bytes]":
    """A real Celery worker (solo pool) on `env`'s settings, database and broker; on its own
    queue when one is named. Its output goes to `log`."""
    argv = [
        str(REPO / ".venv/bin/celery"), "-A", "hls", "worker", "--pool=solo",
        "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "-n", f"{uuid.uuid4().hex}@test",
    ]  # fmt: skip
    if queue:
        argv += ["-Q", queue]
    with log.open("w") as out:
        return subprocess.Popen(
            argv, cwd=REPO, env=dict(env), stdout=subprocess.DEVNULL, stderr=out
        )
