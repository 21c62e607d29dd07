"""The developer runner behind `make run` (devtools/devstack.py), run for real: the address is
printed once the server answers, links follow PORT, and a worker that dies is started again while
the web server goes on. Nothing is left running afterwards."""

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.processes import REPO, answers, free_port, live_database_url, wait_for

pytestmark = pytest.mark.live


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = {**dict(parse_qsl(parts.query)), "db": str(db)}
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def _owner_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def test_keep_starts_a_stopped_process_again_and_stops_with_it(tmp_path: Path) -> None:
    starts, pids = tmp_path / "starts", tmp_path / "pids"
    child = (
        "import os, pathlib, sys, time\n"
        f"starts, pids = pathlib.Path({str(starts)!r}), pathlib.Path({str(pids)!r})\n"
        "n = len(starts.read_text()) if starts.exists() else 0\n"
        "starts.write_text('x' * (n + 1))\n"
        "open(pids, 'a').write(f'{os.getpid()} ')\n"
        "sys.exit(3) if n == 0 else time.sleep(120)\n"
    )
    keeper = subprocess.Popen(
        [sys.executable, "-m", "devtools.devstack", "keep", "demo", "--",
         sys.executable, "-c", child],
        cwd=REPO, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: starts.exists() and starts.read_text() == "xx", "a second start", 30)
        os.killpg(keeper.pid, signal.SIGTERM)  # as honcho stops a process group
        assert keeper.wait(15) == 128 + signal.SIGTERM
    finally:
        if keeper.poll() is None:
            os.killpg(keeper.pid, signal.SIGKILL)
            keeper.wait()
    assert "the demo stopped (exit code 3); starting it again in 1 s" in keeper.stderr.read()
    assert not any(_alive(int(pid)) for pid in pids.read_text().split())


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database of its own on the test server, for a whole `make run` stack."""
    name = f"hls_devstack_{uuid.uuid4().hex[:8]}"
    with _owner_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield live_database_url(name)
    finally:
        with _owner_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_make_run_answers_where_it_says_and_outlives_a_dead_worker(
    scratch_database: str, tmp_path: Path
) -> None:
    port = free_port()
    redis_url = _redis_url_with_db(settings.REDIS_URL, 15)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DATABASE_URL": scratch_database,
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "SECRET_KEY": "devstack-test",
    }
    env.pop("SITE_URL", None)
    log = tmp_path / "run.log"
    run = subprocess.Popen(
        [sys.executable, "-m", "devtools.devstack", "run"],
        cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: f"is running at {url}" in log.read_text(), "the address", 300)
        assert answers(url + "healthz"), "the address was printed before the server answered"

        def pid_of(name: str) -> int:
            found = re.findall(rf"{name} started \(pid=(\d+)\)", log.read_text())
            assert found, log.read_text()[-3000:]
            return int(found[-1])

        web = pid_of("web")
        environ = dict(
            item.split("=", 1)
            for item in Path(f"/proc/{web}/environ").read_text().split("\0")
            if "=" in item
        )
        assert environ["SITE_URL"] == f"http://127.0.0.1:{port}"  # links in emails follow PORT

        keeper = pid_of("worker")
        wait_for(lambda: bool(_children(keeper)), "the worker to start", 60)
        celery = _children(keeper)[0]
        os.kill(celery, signal.SIGKILL)
        wait_for(
            lambda: "the worker stopped (exit code -9); starting it again" in log.read_text(),
            "the runner to say the worker stopped",
            30,
        )
        wait_for(lambda: any(p != celery for p in _children(keeper)), "a new worker", 60)
        assert answers(url + "healthz")  # the web server went on
        assert run.poll() is None
        everyone = [web, keeper, pid_of("beat"), *_children(keeper), *_children(web)]

        os.kill(run.pid, signal.SIGINT)  # Ctrl-C
        run.wait(60)
        wait_for(lambda: not any(_alive(p) for p in everyone), "every process to stop", 30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        client.close()
