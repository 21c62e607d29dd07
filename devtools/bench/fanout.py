"""Reminder fan-out (issue 14, item 4): `count` reminders falling due together, delivered by two
Celery worker processes to a local SMTP sink (aiosmtpd), through the real path (the planner
task `dispatch_due`, each row locked, composed and sent by `stewardship.notifications.delivery`).
Counted at the sink by each message's idempotency key: how long it took, how many arrived twice,
how many never arrived. Run once cleanly and once with one worker killed (SIGKILL) half-way, a
replacement started as a supervisor would.

Beat is played by this process: it publishes `dispatch_due` once a minute, as beat does. The rest
is the task's own doing, as in production: a run that finds a backlog asks the other worker to
help, and a run that stops with reminders still due (it takes up to 1,000 rows or 50 s) queues
the next at once. The reminders are made in the bench database, then
removed with what they made, so the seeded data stays as it was. Run it alone on that database:
any other worker on it (another bench's) would deliver some of them elsewhere, and they would
count as lost here.

    python -m devtools.bench.fanout --profile small --reminders 2000
"""

# ruff: noqa: S608 - the SQL here is built from our own identifiers and integers, no input

from __future__ import annotations

import argparse
import email
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from typing import Any

from devtools.bench.run import OUT, REPO, Bench, _free_port, log, stack_log

KEY_PREFIX = "bench-fanout"
PUBLISH_EVERY = 60.0  # seconds between the stand-in beat's runs (settings.CELERY_BEAT_SCHEDULE)
LIMIT = 20 * 60  # give up after this many seconds


class Sink:
    """An SMTP server on loopback that counts what arrives, by idempotency key."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.keys: Counter[str] = Counter()
        self.first_at = 0.0
        self.last_at = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        key = str(message.get("X-Idempotency-Key", ""))
        with self.lock:
            self.keys[key] += 1
            self.last_at = time.monotonic()
            self.first_at = self.first_at or self.last_at
        return "250 OK"

    def count(self, prefix: str) -> tuple[int, int]:
        """(distinct keys, duplicate messages) among those whose key contains `prefix`."""
        with self.lock:
            ours = [n for key, n in self.keys.items() if prefix in key]
        return len(ours), sum(n - 1 for n in ours)

    @contextmanager
    def running(self) -> Any:
        from aiosmtpd.controller import Controller

        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        try:
            yield self
        finally:
            controller.stop()


def make_reminders(bench: Bench, run: str, count: int) -> int:
    """`count` barrier reminders due now in the bench's main workspace, each to a member (with
    no preferences, so none is deferred or held for a digest) about a barrier raised there."""
    with bench.connect() as conn:
        workspace = conn.execute(
            "SELECT workspace_id FROM cycles_barrierroute GROUP BY workspace_id "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        if workspace is None:
            raise RuntimeError("the bench database has no barrier to remind anyone of")
        w = workspace[0]
        conn.execute(
            f"""
            WITH routes AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                FROM cycles_barrierroute WHERE workspace_id = {w}
            ), people AS (
                SELECT m.user_id, row_number() OVER (ORDER BY m.user_id) - 1 AS i
                FROM tenancy_membership m JOIN accounts_user u ON u.id = m.user_id
                WHERE m.workspace_id = {w} AND u.email <> '' AND u.is_active
                AND NOT EXISTS (
                    SELECT 1 FROM stewardship_notificationpreference p
                    WHERE p.workspace_id = {w} AND p.user_id = m.user_id
                )
            )
            INSERT INTO stewardship_reminder (
                workspace_id, key, kind, recipient_id, email, due_at, status, barrier_route_id,
                payload, snoozed_count, attempts, created_at, updated_at
            )
            SELECT {w}, %s || g, 'barrier_raised', p.user_id, '', now() - interval '1 minute',
                   'pending', r.id, '{{}}'::jsonb, 0, 0, now(), now()
            FROM generate_series(0, %s - 1) g
            JOIN routes r ON r.i = g %% (SELECT count(*) FROM routes)
            JOIN people p ON p.i = g %% (SELECT count(*) FROM people)
            """,
            [f"{KEY_PREFIX}:{run}:", count],
        )
        made = conn.execute(
            "SELECT count(*) FROM stewardship_reminder WHERE key LIKE %s", [f"{KEY_PREFIX}:{run}:%"]
        ).fetchone()
    return int(made[0]) if made else 0


def statuses(bench: Bench, run: str) -> dict[str, int]:
    with bench.connect() as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM stewardship_reminder WHERE key LIKE %s GROUP BY status",
            [f"{KEY_PREFIX}:{run}:%"],
        ).fetchall()
    return {status: int(n) for status, n in rows}


def remove(bench: Bench, run: str) -> None:
    with bench.connect() as conn:
        conn.execute(
            "DELETE FROM stewardship_notification WHERE reminder_id IN "
            "(SELECT id FROM stewardship_reminder WHERE key LIKE %s)",
            [f"{KEY_PREFIX}:{run}:%"],
        )
        conn.execute(
            "DELETE FROM stewardship_reminder WHERE key LIKE %s", [f"{KEY_PREFIX}:{run}:%"]
        )


def start_worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "celery", "-A", "hls", "worker", "--pool", "solo",
        "-n", f"{name}@bench", "-l", "warning",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    out = stack_log(f"fanout-{name}.log")
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=out)  # noqa: S603


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """A warm shutdown (the run in hand finishes), then a kill if it takes too long."""
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)


def deliver(bench: Bench, count: int, *, kill: bool) -> dict[str, Any]:
    """One fan-out run; its figures."""
    from stewardship.notifications.tasks import dispatch_due

    run = uuid.uuid4().hex[:8]
    sink = Sink()
    made = make_reminders(bench, run, count)
    log(f"fan-out {run}: {made} reminders due{' (a worker will be killed)' if kill else ''}")
    env = {**bench.env, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
    workers: list[subprocess.Popen[bytes]] = []
    killed_at = None
    try:
        with ExitStack() as stack:
            stack.enter_context(sink.running())
            stack.callback(stop_workers, workers)  # before the sink stops (a worker mid-run
            # with an open SMTP session to a stopped sink could wait on it for ever)
            workers += [start_worker(env, f"fanout-{run}-{i}") for i in (1, 2)]
            started = time.monotonic()
            last_publish = 0.0
            while time.monotonic() - started < LIMIT:
                arrived, _twice = sink.count(f":{KEY_PREFIX}:{run}:")
                waiting = statuses(bench, run).get("pending", 0)
                if waiting == 0:
                    break
                if kill and killed_at is None and arrived >= made // 2:
                    workers[0].send_signal(signal.SIGKILL)  # mid-batch, a row locked or sending
                    workers[0].wait(30)
                    killed_at = arrived
                    workers.append(start_worker(env, f"fanout-{run}-3"))
                if not last_publish or time.monotonic() - last_publish >= PUBLISH_EVERY:
                    dispatch_due.delay()
                    last_publish = time.monotonic()
                time.sleep(0.2)
            # What was sent last may still be on the wire to the sink.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sink.count(f":{KEY_PREFIX}:{run}:")[0] < made:
                time.sleep(0.1)
            # From the first message to the last: the delivery's speed (the workers' start-up,
            # a few seconds, is reported apart).
            seconds = sink.last_at - sink.first_at if sink.first_at else LIMIT
            startup = (sink.first_at or time.monotonic()) - started
            arrived, twice = sink.count(f":{KEY_PREFIX}:{run}:")
            final = statuses(bench, run)
    finally:
        stop_workers(workers)
        remove(bench, run)
    return {
        "reminders": made,
        "workers": 2,
        "killed_after": killed_at,
        "seconds": round(seconds, 1),
        "startup_seconds": round(startup, 1),
        "per_second": round(arrived / seconds, 1) if seconds > 0 else None,
        "arrived": arrived,
        "duplicates": twice,
        "lost": made - arrived,
        "statuses": final,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="small")
    parser.add_argument("--reminders", type=int, default=2000)
    args = parser.parse_args(argv)
    bench = Bench(args.profile, duration=0)
    bench.prepare()
    bench.django()
    os.environ["EMAIL_URL"] = "dummymail://"
    result = {
        "clean": deliver(bench, args.reminders, kill=False),
        "worker_killed": deliver(bench, args.reminders, kill=True),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / f"fanout-{args.profile}.json").write_text(json.dumps(result, indent=2))
    for name, row in result.items():
        print(
            f"{name:>14}: {row['reminders']} reminders in {row['seconds']} s "
            f"({row['per_second']}/s), {row['duplicates']} duplicates, {row['lost']} lost"
        )
    # A loss is a failure. A duplicate can only come from a worker killed between the mail
    # server's acceptance and the row's commit (milliseconds); it carries the same Message-ID,
    # so mail clients show it once. It is reported, as the target asks, not failed on.
    return 0 if all(row["lost"] == 0 for row in result.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
