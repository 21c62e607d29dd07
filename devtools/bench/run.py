"""`make bench`: seed (or re-use) the bench database, start gunicorn and a Celery worker on it as
the application role, sign in as seeded members, measure each page with locust at concurrency
1 and 8, time the hand-written SQL floors, compare with row-level security off, print a table
and write .bench/<profile>.json. docs/performance.md says what each figure means."""

# ruff: noqa: S608 - the SQL here is built from our own identifiers and integers, no input

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import psutil  # type: ignore[import-untyped]  # comes with locust (dev)
import psycopg
import requests

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / ".bench"
VENV_BIN = Path(sys.executable).parent
WEB_WORKERS = 2
BYPASS_ROLE = "hls_bench_bypass"
OFF = " [RLS off]"  # the name of a page's requests to the server without row-level security
IDENTITY_KEY = base64.urlsafe_b64encode(b"bench-identity-key-not-secret-32").decode()


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    head, _sep, _old = parts.path.rpartition("/")
    return parts._replace(path=f"{head}/{quote(name)}").geturl()


def _conninfo(url: str) -> dict[str, Any]:
    """psycopg arguments for a DATABASE_URL (TCP, or a socket directory as django-environ
    reads it: postgres://user@/%2Fsocket%2Fdir/name)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    head, _sep, name = path.rpartition("/")
    host = head if head.startswith("/") else (parts.hostname or "127.0.0.1")
    info: dict[str, Any] = {"dbname": name, "user": unquote(parts.username or "postgres")}
    info["host"] = host
    if parts.port:
        info["port"] = parts.port
    if parts.password:
        info["password"] = unquote(parts.password)
    return info


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _migrations() -> dict[str, str]:
    """Each migration file of the project and a digest of it."""
    found = {}
    for path in sorted(REPO.glob("*/**/migrations/[0-9]*.py")):
        if ".venv" not in path.parts:
            found[str(path.relative_to(REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _same_migrations(meta: dict[str, Any]) -> bool:
    """Whether every migration the bench database was made with is still there, unchanged
    (new ones are applied by `migrate` on the seeded data)."""
    now = _migrations()
    return all(now.get(path) == digest for path, digest in meta.get("migrations", {}).items())


def stack_log(name: str) -> Any:
    """A log file under .bench/ for a server's output (its errors, if a page fails)."""
    OUT.mkdir(exist_ok=True)
    return (OUT / name).open("w")


class Bench:
    def __init__(self, profile_name: str, duration: float) -> None:
        from devtools.bench.seed import PROFILES

        self.profile = PROFILES[profile_name]
        self.duration = duration
        base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/hls"
        self.db_name = f"hls_bench_{profile_name}"
        self.db_url = _with_db(base, self.db_name)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "devtools.bench.settings",
            "DATABASE_URL": self.db_url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "SECRET_KEY": "bench-secret-key-not-secret-" + "x" * 30,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "IDENTITY_KEYS": IDENTITY_KEY,
            "API_RATE": "1000000/min",  # the bench is one caller; production's limit is 600/min
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.rows: dict[str, dict[str, Any]] = {}
        self.peak_rss: dict[str, int] = {"web": 0, "celery": 0}
        self.total_rps: dict[str, float] = {}  # all pages together, per load run

    # -- database -----------------------------------------------------------------------------

    def connect(self, dbname: str | None = None) -> psycopg.Connection[Any]:
        info = _conninfo(self.db_url)
        if dbname:
            info["dbname"] = dbname
        return psycopg.connect(**info, autocommit=True)

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env, check=True
        )

    def prepare(self) -> dict[str, Any]:
        """The bench database, seeded at this profile and version (re-used when it is)."""
        from devtools.bench.seed import SEED_VERSION

        with self.connect("postgres") as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.db_name]
            ).fetchone()
            meta = None
            if exists:
                with self.connect() as conn, suppress(psycopg.errors.UndefinedTable):
                    found = conn.execute("SELECT data FROM bench_meta").fetchone()
                    meta = found[0] if found else None
            if meta and meta.get("version") == SEED_VERSION and _same_migrations(meta):
                log(f"re-using {self.db_name} (seeded at version {SEED_VERSION})")
                self.manage("migrate", "--noinput", "-v", "0")
                return dict(meta)
            if exists:
                log(f"{self.db_name} is not seeded at version {SEED_VERSION}: making it again")
                admin.execute(f'DROP DATABASE "{self.db_name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.manage("migrate", "--noinput", "-v", "0")
        return self.seed()

    def seed(self) -> dict[str, Any]:
        from dataclasses import asdict

        from devtools.bench.seed import PASSWORD, SEED_VERSION, seed

        self.django()
        from django.contrib.auth.hashers import make_password

        started = time.monotonic()
        with self.connect() as conn:
            with conn.transaction():
                world = seed(conn, self.profile, make_password(PASSWORD))
            seconds = round(time.monotonic() - started, 1)
            meta = {
                "version": SEED_VERSION,
                "world": asdict(world),
                "seed_seconds": seconds,
                "migrations": _migrations(),
            }
            meta.update(self.seed_with_services(meta))
            conn.execute("CREATE TABLE bench_meta (data jsonb NOT NULL)")
            conn.execute("INSERT INTO bench_meta VALUES (%s)", [json.dumps(meta)])
        return meta

    def django(self) -> None:
        import django

        os.environ.update(self.env)
        django.setup()

    def seed_with_services(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The few things made through the services themselves: the partner key (its secret is
        kept for the bench only) and a learning report to assemble."""
        from hls.accounts.models import User
        from hls.api.services import api_key_create
        from hls.tenancy.context import tenant_scope
        from hls.tenancy.models import Workspace
        from stewardship.reports.services import report_create

        w = meta["world"]
        with tenant_scope(workspace_id=w["workspace_id"], user_id=w["admin"]):
            workspace = Workspace.objects.get(pk=w["workspace_id"])
            admin = User.objects.get(pk=w["admin"])
            _key, secret = api_key_create(
                workspace=workspace,
                created_by=admin,
                name="Bench partner",
                scopes=["cycles:write"],
            )
        from cycles.models import Cycle

        teams = w["teams"][:: len(w["orgs"])]  # team k belongs to organisation k % orgs
        with tenant_scope(workspace_id=w["workspace_id"], user_id=w["steward"]):
            today = dt.date.today()
            report = report_create(
                workspace=workspace,
                created_by=User.objects.get(pk=w["steward"]),
                title="Bench report",
                period_start=today - dt.timedelta(days=365),
                period_end=today,
                # an organisation and its teams, where the entries are
                cycles=list(Cycle.objects.filter(pk__in=[w["orgs"][0], *teams])),
            )
        return {"api_key": secret, "report": report.pk}

    def bypass_role(self) -> bool:
        """A role like the application role but with BYPASSRLS, for the "RLS off" run."""
        app_role = "hls_app"
        with self.connect() as conn:
            try:
                if not conn.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", [BYPASS_ROLE]
                ).fetchone():
                    conn.execute(f"CREATE ROLE {BYPASS_ROLE} NOLOGIN BYPASSRLS")
                conn.execute(f"GRANT {app_role} TO {BYPASS_ROLE}")
                conn.execute(f"GRANT {BYPASS_ROLE} TO CURRENT_USER")
            except psycopg.Error as error:
                log(f"no BYPASSRLS role ({error}); the RLS ratio is left out")
                return False
        return True

    # -- processes ----------------------------------------------------------------------------

    @contextmanager
    def web(self, role: str = "hls_app") -> Any:
        port = _free_port()
        env = {**self.env, "DATABASE_APP_ROLE": role}
        argv = [
            str(VENV_BIN / "gunicorn"), "hls.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS),
            "--log-level", "warning",
        ]  # fmt: skip
        logfile = stack_log(f"web-{self.profile.name}-{role}.log")
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=logfile, stderr=logfile)  # noqa: S603
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with suppress(requests.RequestException):
                    if requests.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.2)
            yield url, proc
        finally:
            proc.terminate()
            proc.wait(20)
            logfile.close()

    @contextmanager
    def celery(self) -> Any:
        argv = [
            sys.executable, "-m", "celery", "-A", "hls", "worker", "--concurrency", "1",
            "-l", "warning", "--without-heartbeat", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        logfile = stack_log(f"celery-{self.profile.name}.log")
        proc = subprocess.Popen(argv, cwd=REPO, env=self.env, stdout=logfile, stderr=logfile)  # noqa: S603
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait(30)
            logfile.close()

    @contextmanager
    def sample_memory(self, web: subprocess.Popen[bytes], worker: subprocess.Popen[bytes]) -> Any:
        stop = threading.Event()

        def rss(pid: int, children: bool) -> int:
            try:
                parent = psutil.Process(pid)
                procs = parent.children(recursive=True) if children else []
                return max([p.memory_info().rss for p in [parent, *procs]], default=0)
            except psutil.Error:
                return 0

        def loop() -> None:
            while not stop.is_set():
                with suppress(psutil.Error):
                    workers = psutil.Process(web.pid).children()
                    for p in workers:
                        self.peak_rss["web"] = max(self.peak_rss["web"], p.memory_info().rss)
                self.peak_rss["celery"] = max(self.peak_rss["celery"], rss(worker.pid, True))
                stop.wait(0.2)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    # -- signing in and the plan --------------------------------------------------------------

    def sign_in(self, url: str, email: str) -> dict[str, str]:
        from devtools.bench.seed import PASSWORD

        session = requests.Session()
        page = session.get(url + "/accounts/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        answer = session.post(
            url + "/accounts/login/",
            data={"csrfmiddlewaretoken": token[1], "username": email, "password": PASSWORD},
            headers={"Referer": url + "/accounts/login/"},
            allow_redirects=False,
            timeout=30,
        )
        if "sessionid" not in session.cookies:
            raise RuntimeError(f"signing in as {email} failed ({answer.status_code})")
        cookies = session.cookies.get_dict()
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies.get("csrftoken") or "",
        }

    def plan(self, url: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
        w = meta["world"]
        slug = w["slug"]
        base = f"/w/{slug}"
        practitioner = self.sign_in(url, f"u{w['practitioners'][0]}@bench.example")
        manager = self.sign_in(url, f"u{w['managers'][0]}@bench.example")
        steward = self.sign_in(url, f"u{w['steward']}@bench.example")
        api = {"Authorization": f"Bearer {meta['api_key']}", "Accept": "application/json"}
        team, org, place, country = w["teams"][0], w["orgs"][0], w["places"][0], w["country"]
        from devtools.bench.seed import RARE_WORD

        capture = {
            "cycle": str(team),
            "kind": "story",
            "text": "Bench load entry: we listened about housing.",
            "visibility": "1",
            "csrfmiddlewaretoken": practitioner["X-CSRFToken"],
        }
        week_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
        since = urlencode({"updated_since": week_ago.isoformat(timespec="seconds")})
        steps = [
            ("home (Today)", practitioner, "GET", f"{base}/", None),
            ("cycle page", practitioner, "GET", f"{base}/cycles/{team}/", None),
            ("timeline", practitioner, "GET", f"{base}/cycles/{team}/timeline/", None),
            ("quick capture POST", practitioner, "POST", f"{base}/log/", capture),
            ("search common word", practitioner, "GET", f"{base}/search/?q=housing", None),
            ("search rare word", practitioner, "GET", f"{base}/search/?q={RARE_WORD}", None),
            ("patterns team", practitioner, "GET", f"{base}/cycles/{team}/patterns/", None),
            ("patterns organisation", manager, "GET", f"{base}/cycles/{org}/patterns/", None),
            ("patterns place", steward, "GET", f"{base}/cycles/{place}/patterns/", None),
            ("patterns country", steward, "GET", f"{base}/cycles/{country}/patterns/", None),
            (
                "one number's stories",
                manager,
                "GET",
                f"{base}/cycles/{org}/patterns/entries/?kind=story",
                None,
            ),
            ("barrier inbox", manager, "GET", f"{base}/cycles/{org}/barriers/", None),
            ("session agenda", practitioner, "GET", self.agenda(url, base, practitioner), None),
            (
                "report assembly POST",
                steward,
                "POST",
                f"{base}/reports/{meta['report']}/assemble/",
                {"csrfmiddlewaretoken": steward["X-CSRFToken"]},
            ),
            ("API entries first page", api, "GET", "/api/v1/entries/", None),
            ("API entries deep page", api, "GET", self.deep_cursor(w), None),
            ("API updated_since", api, "GET", f"/api/v1/entries/?{since}", None),
            ("API patterns place", api, "GET", f"/api/v1/cycles/{place}/patterns/", None),
        ]  # fmt: skip
        plan: list[dict[str, Any]] = [
            {"name": name, "headers": headers, "method": method, "path": path, "data": data}
            for name, headers, method, path, data in steps
        ]
        plan.append(
            {
                "name": "API entry create",
                "headers": {**api, "Content-Type": "application/json"},
                "method": "POST",
                "path": "/api/v1/entries/",
                "json": {
                    "cycle": team,
                    "kind": "observation",
                    "text": "Bench load entry through the API.",
                    "visibility": 1,
                },
            }
        )
        return plan

    def agenda(self, url: str, base: str, headers: dict[str, str]) -> str:
        """A meeting of a session the practitioner facilitates (its link on the session page)."""
        with self.connect() as conn:
            row = conn.execute(
                "SELECT s.id FROM stewardship_session s JOIN bench_meta m ON true "
                "WHERE s.facilitator_id = (m.data->'world'->'practitioners'->>0)::bigint "
                "ORDER BY s.starts_at DESC LIMIT 1"
            ).fetchone()
        session_page = f"{base}/sessions/{row[0] if row else 0}/"
        page = requests.get(url + session_page, headers=headers, timeout=60)
        found = re.search(r'href="([^"]*/meetings/[^"/]+/)"', page.text)
        return found[1] if found else session_page

    def deep_cursor(self, world: dict[str, Any]) -> str:
        """The API list's cursor halfway down the entries (DRF's cursor: position = updated_at)."""
        with self.connect() as conn:
            count = conn.execute(
                "SELECT count(*) FROM cycles_entry WHERE workspace_id = %s",
                [world["workspace_id"]],
            ).fetchone()
            row = conn.execute(
                "SELECT updated_at FROM cycles_entry WHERE workspace_id = %s "
                "ORDER BY updated_at, id OFFSET %s LIMIT 1",
                [world["workspace_id"], (count[0] if count else 0) // 2],
            ).fetchone()
        position = str(row[0]) if row else ""
        cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()
        return "/api/v1/entries/?" + urlencode({"cursor": cursor})

    # -- measuring ----------------------------------------------------------------------------

    def probe(self, url: str, plan: list[dict[str, Any]], *, record: bool = True) -> None:
        """Each request once: its status and the SQL statements it ran (or, not recorded, to
        warm a server up as the first server is)."""
        for step in plan:
            response = requests.request(
                step["method"],
                url + step["path"],
                headers=step["headers"],
                data=step.get("data"),
                json=step.get("json"),
                allow_redirects=False,
                timeout=300,
            )
            if not record:
                continue
            row = self.rows.setdefault(step["name"], {"page": step["name"]})
            row["status"] = response.status_code
            row["queries"] = int(response.headers.get("X-Bench-Queries", "-1"))
            if response.status_code >= 400:
                log(
                    f"{step['name']}: {step['path']} answered {response.status_code} "
                    f"(the server's log is in {OUT}/)"
                )

    def load(self, url: str, plan_file: Path, users: int, label: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "stats"
            argv = [
                str(VENV_BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")),
                "--headless", "--users", str(users), "--spawn-rate", str(users),
                "--run-time", f"{int(self.duration)}s", "--host", url, "--csv", str(prefix),
                "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "30",
            ]  # fmt: skip
            env = {**os.environ, "BENCH_PLAN": str(plan_file)}
            done = subprocess.run(  # noqa: S603
                argv, cwd=REPO, env=env, check=False, capture_output=True, text=True
            )
            if not Path(f"{prefix}_stats.csv").exists():
                raise RuntimeError(f"locust wrote no figures:\n{done.stdout}\n{done.stderr}")
            with open(f"{prefix}_stats.csv", newline="") as stats:
                for line in csv.DictReader(stats):
                    if line["Name"] == "Aggregated":
                        self.total_rps[label] = round(float(line["Requests/s"]), 1)
                        continue
                    row = self.rows.setdefault(line["Name"], {"page": line["Name"]})
                    row[label] = {
                        "requests": int(line["Request Count"]),
                        "failures": int(line["Failure Count"]),
                        "p50_ms": float(line["50%"]),
                        "p95_ms": float(line["95%"]),
                        "rps": round(float(line["Requests/s"]), 2),
                    }

    def floors(self, meta: dict[str, Any], roles: list[str]) -> dict[str, dict[str, float]]:
        """The hand-written SQL for the same answer, timed as each role in turn (median of 5,
        in ms)."""
        w = meta["world"]
        ws, me, steward = w["workspace_id"], w["practitioners"][0], w["steward"]
        team, place = w["teams"][0], w["places"][0]
        visible = f"""
            e.workspace_id = {ws} AND e.deleted_at IS NULL AND (
              e.author_id = {me}
              OR (lvl >= 1 AND c.system_id IN (SELECT system_id FROM systems_systemmember
                  WHERE workspace_id = {ws} AND user_id = {me}))
              OR (lvl >= 2 AND e.cycle_id IN (SELECT cycle_id FROM cycles_cyclemember
                  WHERE workspace_id = {ws} AND user_id = {me}))
              OR lvl >= 4)
        """
        level = (
            "LEAST(e.visibility, coalesce((SELECT consent_level FROM systems_person p "
            "WHERE p.id = e.person_id), 4)) AS lvl"
        )
        start, end = self.default_period()
        tsquery = "websearch_to_tsquery('english', 'housing')"
        matching = f"e.search @@ {tsquery}"
        with self.connect() as conn:
            # Under row-level security '@@' cannot use the search index (it is not leakproof);
            # where the schema has the index-keeping function (cycles migration 0012), the best
            # SQL takes its candidates from it, as the page does: since 0014, the newest 2,000
            # (cycles.selectors.SEARCH_CANDIDATES), read by primary key.
            nargs = conn.execute(
                "SELECT max(pronargs) FROM pg_proc WHERE proname = 'cycles_entry_ids_matching'"
            ).fetchone()
            if nargs and nargs[0] == 2:
                matching += (
                    f" AND e.id = ANY(ARRAY(SELECT cycles_entry_ids_matching({tsquery}, 2000)))"
                )
            elif nargs and nargs[0] == 1:
                matching += f" AND e.id IN (SELECT cycles_entry_ids_matching({tsquery}))"
            # Where patterns read monthly roll-ups (cycles migration 0013), so does the floor: the
            # default period is whole months (its current month has no days still to count).
            found = conn.execute("SELECT to_regclass('cycles_entryrollup')").fetchone()
            rollups = bool(found and found[0])
        below = f"""
                WITH RECURSIVE below(id) AS (
                  SELECT system_id FROM cycles_cycle WHERE id = {place}
                  UNION ALL SELECT s.id FROM systems_system s JOIN below b ON s.parent_id = b.id
                  WHERE s.workspace_id = {ws}),
                cycles AS (SELECT id FROM cycles_cycle WHERE workspace_id = {ws}
                  AND system_id IN (SELECT id FROM below))"""
        patterns_from_entries = f"""{below},
                shared AS MATERIALIZED (
                  SELECT e.id, e.kind, date_trunc('month', e.happened_on) AS month
                  FROM cycles_entry e LEFT JOIN systems_person p ON p.id = e.person_id
                  WHERE e.workspace_id = {ws} AND e.deleted_at IS NULL
                    AND e.cycle_id IN (SELECT id FROM cycles)
                    AND e.happened_on BETWEEN '{start}' AND '{end}'
                    AND LEAST(e.visibility, coalesce(p.consent_level, 4)) >= 3)
                SELECT 'kind', kind, month, count(*) FROM shared GROUP BY kind, month
                UNION ALL
                SELECT 'theme', t.theme_id::text, month, count(*) FROM shared
                JOIN cycles_entrytheme t ON t.entry_id = shared.id AND t.workspace_id = {ws}
                GROUP BY t.theme_id, month"""
        patterns_from_rollups = f"""{below},
                counted AS MATERIALIZED (
                  SELECT kind, theme_id, month, n FROM cycles_entryrollup
                  WHERE workspace_id = {ws} AND cycle_id IN (SELECT id FROM cycles)
                    AND month BETWEEN '{start}' AND '{end}')
                SELECT 'kind', kind, month, sum(n) FROM counted WHERE theme_id IS NULL
                GROUP BY kind, month
                UNION ALL
                SELECT 'theme', theme_id::text, month, sum(n) FROM counted
                WHERE theme_id IS NOT NULL GROUP BY theme_id, month"""
        queries = {
            "timeline": f"""
                SELECT e.id, e.text, u.full_name FROM (SELECT e.*, {level} FROM cycles_entry e
                  WHERE e.workspace_id = {ws} AND e.cycle_id = {team}) e
                JOIN cycles_cycle c ON c.id = e.cycle_id
                LEFT JOIN accounts_user u ON u.id = e.author_id
                WHERE {visible}
                ORDER BY e.happened_on DESC, e.created_at DESC, e.id DESC LIMIT 30""",
            "search common word": f"""
                SELECT e.id, e.text FROM (SELECT e.*, {level} FROM cycles_entry e
                  WHERE e.workspace_id = {ws} AND {matching}) e
                JOIN cycles_cycle c ON c.id = e.cycle_id
                WHERE {visible} ORDER BY e.created_at DESC, e.id DESC LIMIT 50""",
            "patterns place": patterns_from_rollups if rollups else patterns_from_entries,
            "API entries first page": f"""
                SELECT e.id, e.text, e.updated_at FROM cycles_entry e
                WHERE e.workspace_id = {ws} AND e.deleted_at IS NULL
                  AND (e.author_id = {w["admin"]} OR LEAST(e.visibility, coalesce(
                    (SELECT consent_level FROM systems_person p WHERE p.id = e.person_id), 4)) >= 3)
                ORDER BY e.updated_at, e.id LIMIT 51""",
        }
        results: dict[str, dict[str, float]] = {}
        with self.connect() as conn:
            for name, sql in queries.items():
                user = steward if "patterns" in name else me
                times: dict[str, list[float]] = {role: [] for role in roles}
                for _, role in ((n, role) for n in range(5) for role in roles):
                    with conn.transaction():
                        conn.execute(f"SET LOCAL ROLE {role}")
                        conn.execute(
                            "SELECT set_config('app.workspace_id', %s, true), "
                            "set_config('app.user_id', %s, true)",
                            [str(ws), str(user)],
                        )
                        started = time.perf_counter()
                        conn.execute(sql).fetchall()
                        times[role].append((time.perf_counter() - started) * 1000)
                results[name] = {r: round(statistics.median(t), 2) for r, t in times.items()}
        return results

    @staticmethod
    def default_period() -> tuple[dt.date, dt.date]:
        today = dt.date.today()
        start = today.replace(day=1)
        for _ in range(11):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        return start, today

    def assemble_report(
        self, url: str, plan: list[dict[str, Any]], seconds: float = 300
    ) -> float | None:
        """Once more, alone: the assemble POST, then how long until the Celery worker had the
        report ready (seconds), or None."""
        meta = self.meta
        step = next(s for s in plan if s["name"] == "report assembly POST")
        with self.connect() as conn:  # the load's own assemblies first
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and (
                conn.execute(
                    "SELECT assembly FROM stewardship_learningreport WHERE id = %s",
                    [meta["report"]],
                ).fetchone()
                or [""]
            )[0] not in ("ready", "failed"):
                time.sleep(0.2)
        started = time.monotonic()
        requests.post(
            url + step["path"],
            headers=step["headers"],
            data=step["data"],
            allow_redirects=False,
            timeout=300,
        )
        with self.connect() as conn:
            while time.monotonic() - started < seconds:
                row = conn.execute(
                    "SELECT assembly FROM stewardship_learningreport WHERE id = %s",
                    [meta["report"]],
                ).fetchone()
                if row and row[0] in ("ready", "failed"):
                    return round(time.monotonic() - started, 2)
                time.sleep(0.05)
        return None

    # -- the whole run ------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        meta = self.meta = self.prepare()
        self.manage("collectstatic", "--noinput", "-v", "0")
        bypass = self.bypass_role()
        plan_file = OUT / f"plan-{self.profile.name}.json"
        OUT.mkdir(exist_ok=True)
        with ExitStack() as stack:
            worker = stack.enter_context(self.celery())
            url, web = stack.enter_context(self.web())
            plan = self.plan(url, meta)
            self.probe(url, plan)
            self.probe(url, plan, record=False)  # each of the two workers has served each page
            # At concurrency 1 each request goes in turn to this server and, when the database
            # lets us make the role, to one whose role bypasses row-level security: the two
            # figures of a page come from the same moments of a shared machine.
            c1_plan = [{**step, "path": url + step["path"]} for step in plan]
            if bypass:
                off_url, _off = stack.enter_context(self.web(BYPASS_ROLE))
                self.probe(off_url, plan, record=False)
                self.probe(off_url, plan, record=False)
                c1_plan = [
                    half
                    for step in plan
                    for half in (
                        {**step, "path": url + step["path"]},
                        {**step, "path": off_url + step["path"], "name": step["name"] + OFF},
                    )
                ]
            with self.sample_memory(web, worker):
                plan_file.write_text(json.dumps(c1_plan))
                self.load(url, plan_file, 1, "c1")
                plan_file.write_text(json.dumps(plan))
                self.load(url, plan_file, 8, "c8")
                report_wait = self.assemble_report(url, plan)
        floors = self.floors(meta, ["hls_app", BYPASS_ROLE] if bypass else ["hls_app"])
        for name in [name for name in self.rows if name.endswith(OFF)]:
            off_row = self.rows.pop(name)
            row = self.rows.get(name.removesuffix(OFF), {})
            p50, off = row.get("c1", {}).get("p50_ms"), off_row.get("c1", {}).get("p50_ms")
            row["c1_rls_off"] = off_row.get("c1")
            if p50 and off:
                row["rls_ratio"] = round(p50 / off, 2)
        for name, row in self.rows.items():
            p50 = row.get("c1", {}).get("p50_ms")
            floor = floors.get(name, {})
            if "hls_app" in floor and p50:
                row["floor_ms"] = floor["hls_app"]
                row["floor_ratio"] = round(p50 / max(floor["hls_app"], 0.01), 1)
            if BYPASS_ROLE in floor:
                row["floor_rls_off_ms"] = floor[BYPASS_ROLE]
                row["floor_rls_ratio"] = round(floor["hls_app"] / max(floor[BYPASS_ROLE], 0.01), 2)
        with self.connect() as conn:
            counts = {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                for table in ("tenancy_workspace", "cycles_entry", "systems_person",
                              "cycles_experiment", "cycles_cycle", "cycles_barrierroute",
                              "stewardship_session", "accounts_user")
            }  # fmt: skip
        result = {
            "profile": self.profile.name,
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "postgres": self.server_version(),
            },
            "web_workers": WEB_WORKERS,
            "duration_s": self.duration,
            "seed_seconds": meta.get("seed_seconds"),
            "rows_in_database": counts,
            "pages": list(self.rows.values()),
            "peak_rss_mb": {k: round(v / 2**20, 1) for k, v in self.peak_rss.items()},
            "total_rps": self.total_rps,
            "report_ready_after_s": report_wait,
            "total_seconds": round(time.monotonic() - started, 1),
        }
        (OUT / f"{self.profile.name}.json").write_text(json.dumps(result, indent=2))
        return result

    def server_version(self) -> str:
        with self.connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else ""


def table(result: dict[str, Any]) -> str:
    head = (
        f"{'page':<24} {'st':>3} {'q':>3} {'c1 p50':>8} {'c1 p95':>8} {'c1 r/s':>7} "
        f"{'c8 p50':>8} {'c8 p95':>8} {'c8 r/s':>7} {'floor':>7} {'/floor':>6} {'rls':>5}"
    )
    lines = [head, "-" * len(head)]

    def ms(value: Any) -> str:
        return "-" if value is None else f"{value:.0f}"

    for row in result["pages"]:
        c1, c8 = row.get("c1", {}), row.get("c8", {})
        lines.append(
            f"{row['page']:<24} {row.get('status', '-'):>3} {row.get('queries', '-'):>3} "
            f"{ms(c1.get('p50_ms')):>8} {ms(c1.get('p95_ms')):>8} {c1.get('rps', '-'):>7} "
            f"{ms(c8.get('p50_ms')):>8} {ms(c8.get('p95_ms')):>8} {c8.get('rps', '-'):>7} "
            f"{row.get('floor_ms', '-'):>7} {row.get('floor_ratio', '-'):>6} "
            f"{row.get('rls_ratio', '-'):>5}"
        )
    rss = result["peak_rss_mb"]
    lines.append(
        f"(ms; q = SQL statements per request; {result['web_workers']} gunicorn workers; "
        f"peak RSS web {rss['web']} MB, Celery {rss['celery']} MB; report ready after "
        f"{result['report_ready_after_s']} s; all pages together "
        f"{result['total_rps'].get('c8', '-')} requests/s at concurrency 8, each page's r/s "
        "being its share)"
    )
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """The figures as the Markdown table docs/performance.md shows."""

    def cell(row: dict[str, Any], run: str, key: str) -> str:
        value = row.get(run, {}).get(key)
        return "-" if value is None else f"{value:g}"

    lines = [
        "| page | status | queries | p50 c1 | p95 c1 | p50 c8 | p95 c8 | r/s c8 | floor | "
        "page/floor | RLS on/off |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["pages"]:
        lines.append(
            f"| {row['page']} | {row.get('status', '-')} | {row.get('queries', '-')} | "
            f"{cell(row, 'c1', 'p50_ms')} | {cell(row, 'c1', 'p95_ms')} | "
            f"{cell(row, 'c8', 'p50_ms')} | {cell(row, 'c8', 'p95_ms')} | "
            f"{cell(row, 'c8', 'rps')} | {row.get('floor_ms', '-')} | "
            f"{row.get('floor_ratio', '-')} | {row.get('rls_ratio', '-')} |"
        )
    rss, rows = result["peak_rss_mb"], result["rows_in_database"]
    lines += [
        "",
        f"Times in ms. {result['web_workers']} gunicorn workers, {result['duration_s']} s per "
        f"load run. At concurrency 8 all pages together answered "
        f"{result['total_rps'].get('c8', '-')} requests a second; a page's r/s is its share "
        f"(each simulated user goes round all {len(result['pages'])} pages). "
        f"Peak memory: web worker {rss['web']} MB, Celery worker {rss['celery']} MB. "
        f"Report assembled again in {result['report_ready_after_s']} s. Seeded in "
        f"{result['seed_seconds']} s: {rows['cycles_entry']:,} entries, "
        f"{rows['systems_person']:,} people, {rows['cycles_experiment']:,} experiments, "
        f"{rows['cycles_cycle']:,} cycles in {rows['tenancy_workspace']} workspaces. "
        f"Whole run {result['total_seconds']} s.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench")
    parser.add_argument("--profile", default="small", choices=["small", "large"])
    parser.add_argument("--duration", type=int, default=None, help="seconds per load run")
    parser.add_argument(
        "--seed-only", action="store_true", help="make (or re-use) the seeded database, no load"
    )
    args = parser.parse_args(argv)
    duration = args.duration or (6 if args.profile == "small" else 120)
    bench = Bench(args.profile, duration)
    if args.seed_only:
        bench.prepare()
        log(f"{bench.db_name} is ready")
        return 0
    result = bench.run()
    print(table(result))
    (OUT / f"{args.profile}.md").write_text(markdown(result) + "\n")
    log(f"written to {OUT / (args.profile + '.json')}")
    missing = [row["page"] for row in result["pages"] if "c1" not in row or "c8" not in row]
    failed = [row["page"] for row in result["pages"] if row.get("status", 500) >= 400]
    if missing or failed:
        log(f"pages without measurements: {missing}; pages that failed: {failed}")
        return 1
    return 0
