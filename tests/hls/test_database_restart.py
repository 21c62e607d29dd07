"""PostgreSQL restarted under load (issue 17, docs/operations.md "PostgreSQL away").

Real processes on loopback: a PostgreSQL server of the test's own (initdb, migrated, seeded), a
redis-server of its own, gunicorn and a Celery worker on them, and a webhook receiver. Threads
keep up a steady load of page reads, API reads and API writes (entries, each with an
Idempotency-Key) while the server is stopped (`pg_ctl stop -m fast`: open connections are
ended) and started again a few seconds later. Then:

- every answer was a normal one or a clean 503 with Retry-After: the outage page for a person,
  problem+json for the API; never a 500, a traceback or a dropped connection;
- the same gunicorn answers 200 again once the server is back, with no restart (connections
  are checked before reuse, CONN_HEALTH_CHECKS);
- nothing is half-written: every write the client saw succeed exists exactly once, and every
  write that got a 503, sent again with its Idempotency-Key, exists exactly once;
- the worker, whose connection the restart also ended, goes on: every entry's `entry.shared`
  event reaches the receiver.
"""

import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

from hls.api.problems import CONTENT_TYPE
from hls.outage import DATABASE_RETRY_AFTER_SECONDS
from tests.processes import (
    REPO,
    Person,
    PostgresServer,
    RedisServer,
    start_web,
    start_worker,
    stop,
    wait_for,
)
from tests.webhooks.receivers import Receiver

pytestmark = pytest.mark.live

DOWN_SECONDS = 4  # how long the server stays stopped while the load goes on
SETTLE = 60  # the most the app may take to answer again once the server is back

SEED = """
import json
from hls.accounts.services import user_create
from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.services import workspace_create
from hls.webhooks.services import webhook_subscription_create
from tests.factories import PASSWORD, CycleMemberFactory

user = user_create(email="wren@riverside.test", password=PASSWORD, full_name="Wren")
with tenant_scope(user_id=user.pk):
    workspace = workspace_create(name="Riverside", slug="riverside", creator=user)
with tenant_scope(workspace_id=workspace.pk):
    cycle = CycleMemberFactory(workspace=workspace, user=user).cycle
    _key, raw = api_key_create(
        workspace=workspace, created_by=user, name="Partner", scopes=ALL_SCOPES
    )
    webhook_subscription_create(
        workspace=workspace, created_by=user, url=RECEIVER, events=["entry.shared"]
    )
print(json.dumps({"cycle": cycle.pk, "key": raw, "email": user.email}))
"""


@dataclass
class Answer:
    kind: str  # "page", "read" or "write"
    status: int  # 0: no answer (a dropped connection, a timeout)
    content_type: str = ""
    retry_after: str = ""
    body: str = ""
    key: str = ""  # a write's Idempotency-Key
    text: str = ""  # a write's entry text
    at: float = 0.0


class Load:
    """Threads reading pages, reading the API and writing entries through it, non-stop."""

    def __init__(self, base: str, person: Person, key: str, cycle: int, slug: str) -> None:
        self.base = base
        self.person = person
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {key}"
        self.cycle = cycle
        self.page = f"/w/{slug}/cycles/{cycle}/"
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads: list[threading.Thread] = []

    def _record(self, answer: Answer) -> None:
        answer.at = time.monotonic()
        with self.lock:
            self.answers.append(answer)

    @staticmethod
    def _answer(kind: str, call: Callable[[], requests.Response], **extra: str) -> Answer:
        try:
            response = call()
        except requests.RequestException as error:
            return Answer(kind, 0, body=f"{type(error).__name__}: {error}", **extra)
        return Answer(
            kind, response.status_code, response.headers.get("Content-Type", ""),
            response.headers.get("Retry-After", ""), response.text[:2000], **extra,
        )  # fmt: skip

    def write(self, text: str, key: str) -> Answer:
        return self._answer(
            "write",
            lambda: self.api.post(
                self.base + "/api/v1/entries/",
                json={"cycle": self.cycle, "kind": "idea", "text": text, "visibility": 3},
                headers={"Idempotency-Key": key}, timeout=30,
            ),
            key=key, text=text,
        )  # fmt: skip

    def _writer(self, n: int) -> None:
        i = 0
        while not self.halt.is_set():
            i += 1
            text = f"Written under load {n}-{i}"
            self._record(self.write(text, f"restart-{n}-{i}-{uuid.uuid4().hex[:6]}"))
            time.sleep(0.05)

    def _reader(self) -> None:
        while not self.halt.is_set():
            self._record(
                self._answer(
                    "read",
                    lambda: self.api.get(self.base + "/api/v1/entries/?page_size=5", timeout=30),
                )
            )
            time.sleep(0.05)

    def _pages(self) -> None:
        while not self.halt.is_set():
            self._record(self._answer("page", lambda: self.person.get(self.page)))
            time.sleep(0.05)

    def start(self) -> None:
        targets = [(self._writer, (1,)), (self._writer, (2,)), (self._reader, ())]
        for target, args in [*targets, (self._pages, ())]:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.halt.set()
        for thread in self.threads:
            thread.join(60)

    def count(self, since: float, *, status: int) -> Counter[str]:
        with self.lock:
            return Counter(a.kind for a in self.answers if a.at >= since and a.status == status)

    def answered_ok_since(self, since: float, each: int = 3) -> bool:
        ok = self.count(since, status=200) + self.count(since, status=201)
        return all(ok[kind] >= each for kind in ("page", "read", "write"))


@pytest.fixture
def postgres(db: None) -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


def _manage(env: dict[str, str], *argv: str) -> str:
    import subprocess

    done = subprocess.run(
        [str(REPO / ".venv/bin/python"), "manage.py", *argv], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def _entries(postgres: PostgresServer) -> Counter[str]:
    # As the server's superuser, whom row-level security does not apply to.
    with psycopg.connect(postgres.url("hls")) as conn:
        rows = conn.execute("SELECT text FROM cycles_entry").fetchall()
    return Counter(text for (text,) in rows)


def test_postgres_restarted_under_load_answers_cleanly_and_keeps_each_write_once(
    postgres: PostgresServer, redis_server: RedisServer, receiver: Receiver, tmp_path: Path
) -> None:
    postgres.create_database("hls")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.hls.outage_settings",
        "DATABASE_URL": postgres.url("hls"),  # the owner: migrate, then each process as hls_app
        "REDIS_URL": redis_server.url,
        "PYTEST_XDIST_WORKER": f"restart-{uuid.uuid4().hex[:8]}",  # the cache's key prefix
    }
    env.pop("CONN_MAX_AGE", None)  # persistent connections (60 s): the restart breaks them
    _manage(env, "migrate", "-v", "0")
    seeded = json.loads(
        _manage(env, "shell", "-v", "0", "-c", SEED.replace("RECEIVER", repr(receiver.url)))
        .strip()
        .splitlines()[-1]
    )
    web, base = start_web(env, tmp_path / "web.log", threads=4)
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        person = Person(base)
        person.sign_in(seeded["email"])
        load = Load(base, person, seeded["key"], seeded["cycle"], "riverside")
        load.start()
        try:
            started = time.monotonic()
            wait_for(lambda: load.answered_ok_since(started), "answers before the restart")

            down_at = time.monotonic()
            postgres.stop("fast")
            time.sleep(DOWN_SECONDS)
            postgres.start()
            up_at = time.monotonic()
            wait_for(lambda: load.answered_ok_since(up_at), "answers after the restart", SETTLE)
        finally:
            load.stop()

        answers = list(load.answers)
        # Answers, never dropped connections or server errors.
        dropped = [a for a in answers if a.status == 0]
        assert dropped == [], dropped[:3]
        allowed = {"page": {200, 503}, "read": {200, 503}, "write": {201, 503}}
        odd = [a for a in answers if a.status not in allowed[a.kind]]
        assert odd == [], [(a.kind, a.status, a.body[:300]) for a in odd[:3]]
        # The outage was seen by each kind of request, as a clean 503.
        unavailable = [a for a in answers if a.status == 503]
        assert {a.kind for a in unavailable if a.at >= down_at} == {"page", "read", "write"}
        for answer in unavailable:
            assert answer.retry_after == str(DATABASE_RETRY_AFTER_SECONDS)
            assert "Traceback" not in answer.body
            if answer.kind == "page":
                assert answer.content_type.startswith("text/html")
                assert "Back in a moment" in answer.body
                assert "what you typed is kept in this browser" in answer.body
            else:
                assert answer.content_type == CONTENT_TYPE
                problem = json.loads(answer.body)
                assert problem["status"] == 503
                assert problem["type"].endswith("/service_unavailable")
        # The same gunicorn (and its same worker) serves again: nothing was restarted.
        assert web.poll() is None
        assert worker.poll() is None
        assert (tmp_path / "web.log").read_text().count("Booting worker") == 1
        assert "Traceback" not in (tmp_path / "web.log").read_text()

        # Writes: each one seen to succeed is there once; each 503, sent again, is there once.
        retried = [a for a in answers if a.kind == "write" and a.status == 503]
        assert retried, "some writes met the outage"
        for answer in retried:
            again = load.write(answer.text, answer.key)
            assert again.status == 201, (again.status, again.body[:300])
        texts = _entries(postgres)
        written = {a.text for a in answers if a.kind == "write"}
        assert set(texts) == written, "nothing lost, nothing unasked for"
        assert set(texts.values()) == {1}, [t for t, n in texts.items() if n > 1]

        # The worker survived the restart: every entry's event reaches the receiver (at least
        # once; a receiver deduplicates by X-HLS-Delivery).
        def delivered() -> set[int]:
            with receiver.lock:
                return {a.payload["data"]["id"] for a in receiver.arrivals}

        with psycopg.connect(postgres.url("hls")) as conn:
            ids = {pk for (pk,) in conn.execute("SELECT id FROM cycles_entry").fetchall()}
        wait_for(lambda: delivered() == ids, "every entry's event to be delivered", SETTLE)
        with receiver.lock:
            events = {a.delivery: a.payload["data"]["id"] for a in receiver.arrivals}
        assert len(events) == len(ids), "one event per entry"
    finally:
        stop(worker)
        stop(web)
