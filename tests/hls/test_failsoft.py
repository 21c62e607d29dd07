"""The cache and the publisher fail soft when Redis is away (hls/cache.py, hls/jobs.py), and
the outbox sweeps publish again the work still waiting (the `republish_queued` tasks).

"Away" here is real: a Redis URL on a loopback port where nothing listens, so every call is
refused by the kernel. (The stopped and frozen server, with a real web server and worker, is
tests/hls/test_redis_outage.py.)
"""

import datetime as dt
import logging
import time
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dataio import tasks as dataio_tasks
from dataio.models import ExportRun, ImportRun
from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.celery import app
from hls.jobs import broker, publish, publish_on_commit
from hls.outage import reset_all
from hls.tenancy import services as tenancy_services
from hls.tenancy import tasks as tenancy_tasks
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, Role
from stewardship.models import LearningReport, ReportExport
from stewardship.reports import tasks as report_tasks
from stewardship.reports.tasks import assemble_report
from tests.factories import (
    PASSWORD,
    ExportRunFactory,
    ImportRunFactory,
    LearningReportFactory,
    ReportCycleFactory,
    ReportExportFactory,
)

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _breakers_closed() -> Iterator[None]:
    reset_all()
    yield
    reset_all()


@pytest.fixture
def cache_away(settings) -> None:
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "LOCATION": UNREACHABLE}}


@pytest.fixture
def broker_away() -> Iterator[None]:
    """The broker unreachable, and tasks sent to it rather than run in place."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = UNREACHABLE
    app.conf.task_always_eager = False
    _forget_producers()
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_producers()


def _forget_producers() -> None:
    """The app keeps its producers' pool once made (as after a fork, make it again), so the
    broker's URL set here is the one publishing uses."""
    app._pool = None
    app.amqp._producer_pool = None


def _outage_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hls.outage"]


def test_the_cache_misses_and_drops_writes_when_redis_is_away(cache_away, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="hls.outage")

    cache.set("k", 1)
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", 1) is False
    assert cache.get_many(["k", "j"]) == {}
    assert cache.set_many({"k": 1, "j": 2}) == ["k", "j"]
    assert "k" not in cache
    assert cache.delete("k") is False
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")

    # Logged once for the outage, not once per call.
    assert len(_outage_logs(caplog)) == 1
    assert "unreachable" in _outage_logs(caplog)[0]


def test_the_cache_comes_back_and_says_so(settings, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="hls.outage")
    working = django_settings.CACHES["default"]
    settings.CACHES = {"default": {**working, "LOCATION": UNREACHABLE}}
    cache.set("back", 1)
    assert cache.breaker.down

    settings.CACHES = {"default": working}  # Redis is back ...
    cache.breaker.try_now()  # ... and the breaker's few seconds are up
    cache.set("back", 2)
    assert cache.get("back") == 2
    assert _outage_logs(caplog)[-1] == "Redis (the cache) answers again"
    assert not cache.breaker.down
    cache.delete("back")


def test_cached_db_sessions_live_in_postgresql_while_redis_is_away(cache_away, db) -> None:
    session = SessionStore()
    session["who"] = "Wren"
    session.save()

    again = SessionStore(session.session_key)
    assert again["who"] == "Wren"
    assert again.exists(session.session_key)
    again.delete()
    assert not SessionStore().exists(session.session_key)


def test_a_publish_to_a_broker_that_is_away_is_logged_once_and_swallowed(
    broker_away, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="hls.outage")

    started = time.monotonic()
    assert publish(assemble_report, 1, 1) is False
    assert broker.is_open()
    assert publish(assemble_report, 1, 2) is False  # skipped at once: the breaker is open
    assert time.monotonic() - started < 5
    assert len(_outage_logs(caplog)) == 1


def test_publish_on_commit_waits_for_the_commit(
    broker_away, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish_on_commit(assemble_report, 1, 1)
        assert not broker.down  # nothing sent before the commit
    assert len(callbacks) == 1
    assert broker.down


# The outbox sweeps: called for real (in the tests' eager mode the tasks they publish run here).


def _age(model, pk: int, field: str, workspace_id: int) -> None:
    with tenant_scope(workspace_id=workspace_id):
        model.objects.filter(pk=pk).update(**{field: timezone.now() - dt.timedelta(minutes=5)})


def test_the_report_sweep_assembles_and_exports_what_still_waits(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        waiting = LearningReportFactory(workspace=workspace, created_by=admin.user)
        ReportCycleFactory(workspace=workspace, report=waiting)
        fresh = LearningReportFactory(workspace=workspace, created_by=admin.user)
        ready = LearningReportFactory(
            workspace=workspace, assembly=LearningReport.Assembly.READY, content={"x": 1}
        )
        export = ReportExportFactory(workspace=workspace, report=ready)
    _age(LearningReport, waiting.pk, "updated_at", workspace.pk)
    _age(ReportExport, export.pk, "created_at", workspace.pk)

    assert report_tasks.republish_queued() == 2

    with tenant_scope(workspace_id=workspace.pk):
        assert LearningReport.objects.get(pk=waiting.pk).assembly == LearningReport.Assembly.READY
        assert LearningReport.objects.get(pk=fresh.pk).assembly == LearningReport.Assembly.PENDING
        assert ReportExport.objects.get(pk=export.pk).state == ReportExport.State.READY
    assert report_tasks.republish_queued() == 0  # nothing waits any more


def test_the_dataio_sweep_builds_exports_still_waiting(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        export = ExportRunFactory(workspace=workspace, created_by=admin.user)
    assert dataio_tasks.republish_queued() == 0  # just asked for: give its message time

    assert dataio_tasks.republish_queued(older_than_seconds=0) == 1

    with tenant_scope(workspace_id=workspace.pk):
        assert ExportRun.objects.get(pk=export.pk).status == ExportRun.Status.DONE
    assert dataio_tasks.republish_queued(older_than_seconds=0) == 0


def test_the_invitation_sweep_sends_an_email_lost_with_the_broker_once(
    workspace, admin, broker_away
) -> None:
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user.pk):
        invitation, _created = tenancy_services.invitation_create(
            workspace=workspace, invited_by=admin.user, email="far@example.test", role=Role.VIEWER
        )
    assert mail.outbox == []  # the broker was away: nothing sent, the change stands
    app.conf.task_always_eager = True  # the broker is back (here: tasks run in place)

    assert tenancy_tasks.republish_queued(older_than_seconds=0) == 1
    assert tenancy_tasks.republish_queued(older_than_seconds=0) == 0

    assert [m.to for m in mail.outbox] == [["far@example.test"]]
    with tenant_scope(workspace_id=workspace.pk):
        assert Invitation.objects.get(pk=invitation.pk).emailed_count == 1


def test_the_api_throttle_lets_requests_through_while_redis_is_away(
    cache_away, workspace, admin
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        _key, raw = api_key_create(
            workspace=workspace, created_by=admin.user, name="Partner", scopes=ALL_SCOPES
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    for _ in range(3):
        response = client.get("/api/v1/cycles/")
        assert response.status_code == 200


def test_signing_in_works_while_redis_is_away(cache_away, admin) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": admin.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/w/{admin.workspace.slug}/").status_code == 200


# Progress pages: work not yet started says it waits for the worker, instead of a bar that never
# moves. The four pages that poll a background job, each with its job still queued.

WAITING = "Waiting for the background worker"


@pytest.fixture
def queued_pages(workspace, admin) -> dict[str, tuple[type, int, str]]:
    """{page URL: (model, pk, the field its waiting is counted from)} for work still queued."""
    with tenant_scope(workspace_id=workspace.pk):
        report = LearningReportFactory(workspace=workspace, created_by=admin.user)
        ready = LearningReportFactory(
            workspace=workspace, assembly=LearningReport.Assembly.READY, content={"x": 1}
        )
        report_export = ReportExportFactory(workspace=workspace, report=ready)
        data_export = ExportRunFactory(workspace=workspace, created_by=admin.user)
        data_import = ImportRunFactory(
            workspace=workspace,
            created_by=admin.user,
            status=ImportRun.Status.RUNNING,
            row_count=1,
            progress_total=1,
            started_at=timezone.now(),
        )
    slug = workspace.slug
    return {
        reverse("report-detail", args=[slug, report.pk]) + "?part=progress": (
            LearningReport,
            report.pk,
            "updated_at",
        ),
        reverse("report-export-detail", args=[slug, report_export.pk]): (
            ReportExport,
            report_export.pk,
            "created_at",
        ),
        reverse("data-export-detail", args=[slug, data_export.pk]): (
            ExportRun,
            data_export.pk,
            "created_at",
        ),
        reverse("data-import-detail", args=[slug, data_import.pk]): (
            ImportRun,
            data_import.pk,
            "started_at",
        ),
    }


def test_progress_pages_say_the_work_waits_while_the_broker_is_away(
    broker_away, queued_pages, admin_client
) -> None:
    assert publish(assemble_report, 1, 1) is False  # this process finds the broker away
    for url in queued_pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert WAITING in response.content.decode(), url


def test_progress_pages_say_so_when_queued_work_has_not_started_for_a_while(
    workspace, queued_pages, admin_client
) -> None:
    for url, (model, pk, field) in queued_pages.items():
        assert WAITING not in admin_client.get(url).content.decode(), url  # just asked for
        _age(model, pk, field, workspace.pk)
        assert WAITING in admin_client.get(url).content.decode(), url
