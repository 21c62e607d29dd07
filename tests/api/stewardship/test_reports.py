"""Learning reports over the API: started (assembled by a worker), co-authored section by
section with the web's version rule, published as read-only, exported and downloaded."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningReport
from stewardship.reports import services
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
SECTION_KEYS = [
    "purpose",
    "learnt",
    "experiments",
    "measures",
    "barriers",
    "inclusion",
    "sessions",
    "next",
]


def payload(world, **overrides):
    today = timezone.localdate()
    data = {
        "title": "Spring learning",
        "period_start": (today - dt.timedelta(days=90)).isoformat(),
        "period_end": today.isoformat(),
        "cycles": [world.cycle.pk, world.other_cycle.pk],
    }
    data.update(overrides)
    return data


@pytest.fixture
def report(world, api, django_capture_on_commit_callbacks):
    """A report started through the API and assembled by the (eager) worker on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, payload(world), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_start_a_report_and_follow_its_assembly(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(URL, payload(world), format="json")
    assert response.status_code == 201, response.json()
    started = response.json()
    assert response["Location"] == f"{URL}{started['id']}/"
    assert started["status"] == "draft"
    assert started["assembly"] == "pending"
    assert started["assembly_progress"] == 0
    assert sorted(started["cycles"]) == sorted([world.cycle.pk, world.other_cycle.pk])
    assert [s["key"] for s in started["sections"]] == SECTION_KEYS
    assert all(s["version"] == 1 and s["body"] == "" for s in started["sections"])
    assert len(callbacks) == 1  # the assembly is queued after commit, as on the web
    ready = api.get(f"{URL}{started['id']}/").json()
    assert ready["assembly"] == "ready"
    assert ready["assembly_progress"] == 100


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"period_end": "2999-01-01"}, "period_end", "cannot end in the future"),
        ({"period_start": "2025-03-01", "period_end": "2025-02-01"}, "period_end", "ends before"),
        ({"cycles": []}, "cycles", "at least one cycle"),
        ({"cycles": [999999]}, "cycles", "Invalid pk"),
        ({"title": ""}, "title", "blank"),
        ({"period_start": "spring"}, "period_start", "wrong format"),
        ({"status": "published"}, "status", "Unknown field"),
    ],
)
def test_bad_input_is_refused_by_field(world, api, overrides, field, words):
    response = api.post(URL, payload(world, **overrides), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert words in " ".join(response.json()["errors"][field]), response.json()
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not LearningReport.objects.exists()


def test_co_authoring_a_section_with_its_version(world, api, report, client_as):
    url = f"{URL}{report['id']}/sections/learnt/"
    first = api.patch(url, {"body": "We learnt that letters matter.", "version": 1}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 2
    assert first.json()["body"] == "We learnt that letters matter."
    assert first.json()["updated_by"] == world.admin.user.pk
    # Pat started from version 1 too: nothing is overwritten, and Pat is told why.
    pat = client_as(world.pat, Role.PRACTITIONER)
    stale = pat.patch(url, {"body": "Mine", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert "Ada Admin saved this section since version 1" in stale.json()["detail"]
    assert "version 2" in stale.json()["detail"]
    # From the current version, Pat's save goes through (contributors co-author).
    assert pat.patch(url, {"body": "Merged", "version": 2}, format="json").status_code == 200
    sections = {s["key"]: s for s in api.get(f"{URL}{report['id']}/").json()["sections"]}
    assert (sections["learnt"]["body"], sections["learnt"]["version"]) == ("Merged", 3)
    # Bad input and unknown sections.
    assert api.patch(url, {"body": "x"}, format="json").status_code == 400
    assert api.patch(url, {"body": "x", "version": 3, "x": 1}, format="json").status_code == 400
    assert api.patch(f"{URL}{report['id']}/sections/nope/", {"body": "x", "version": 1},
                     format="json").status_code == 404  # fmt: skip


def test_a_section_edit_is_seen_by_updated_since(world, api, report):
    before = api.get(URL).json()["results"][0]["updated_at"]
    api.patch(f"{URL}{report['id']}/sections/next/", {"body": "More", "version": 1}, format="json")
    changed = api.get(URL, {"updated_since": before}).json()["results"]
    assert [r["id"] for r in changed] == [report["id"]]


def test_publish_then_the_report_is_read_only(world, api, report):
    published = api.post(f"{URL}{report['id']}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_by"] == world.admin.user.pk
    again = api.post(f"{URL}{report['id']}/publish/")
    assert again.status_code == 409
    assert again.json()["detail"] == str(services.PUBLISHED_MESSAGE)
    edit = api.patch(
        f"{URL}{report['id']}/sections/learnt/", {"body": "Late", "version": 1}, format="json"
    )
    assert edit.status_code == 409
    assert edit["Content-Type"] == "application/problem+json"
    assert edit.json()["detail"] == "This report is published; start a new draft to change it."


def test_publishing_waits_for_the_assembly(world, api):
    started = api.post(URL, payload(world), format="json").json()  # its assembly not yet run
    response = api.post(f"{URL}{started['id']}/publish/")
    assert response.status_code == 400
    assert "not assembled yet" in response.json()["errors"]["non_field_errors"][0]


@pytest.mark.parametrize(
    ("fmt", "accept", "content_type", "start"),
    [
        ("markdown", None, "text/markdown; charset=utf-8", b"# Spring learning"),
        ("html", "text/html", "text/html; charset=utf-8", b"<!doctype html>"),
        ("pdf", "application/pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_export_end_to_end(
    world, api, report, fmt, accept, content_type, start, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{URL}{report['id']}/exports/", {"format": fmt}, format="json")
    assert response.status_code == 202, response.json()
    queued = response.json()
    assert queued["format"] == fmt
    assert queued["state"] == "pending"
    assert queued["download"] is None
    status = api.get(response["Location"])
    assert status.status_code == 200
    ready = status.json()
    assert (ready["state"], ready["progress"]) == ("ready", 100)
    assert ready["download"] == f"{URL}{report['id']}/exports/{queued['id']}/download/"
    assert [e["id"] for e in api.get(f"{URL}{report['id']}/exports/").json()] == [queued["id"]]
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    download = api.get(ready["download"], **headers)
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith('attachment; filename="spring-learning-')
    assert download.content.lstrip().startswith(start)


def test_export_not_ready_and_bad_format(world, api, report, client_as):
    queued = api.post(f"{URL}{report['id']}/exports/", {"format": "pdf"}, format="json").json()
    not_ready = api.get(f"{URL}{report['id']}/exports/{queued['id']}/download/")
    assert not_ready.status_code == 409
    assert not_ready["Content-Type"] == "application/problem+json"
    bad = api.post(f"{URL}{report['id']}/exports/", {"format": "docx"}, format="json")
    assert bad.status_code == 400
    assert "format" in bad.json()["errors"]
    # An export of another report is not found under this one.
    with tenant_scope(workspace_id=world.workspace.pk):
        other = services.report_create(
            workspace=world.workspace, created_by=world.admin.user, title="Other",
            period_start=timezone.localdate(), period_end=timezone.localdate(),
            cycles=[world.cycle],
        )  # fmt: skip
    assert api.get(f"{URL}{other.pk}/exports/{queued['id']}/").status_code == 404
    # Not yet assembled: the web's message, by field.
    unassembled = api.post(f"{URL}{other.pk}/exports/", {"format": "pdf"}, format="json")
    assert unassembled.status_code == 400
    assert "not assembled yet" in unassembled.json()["errors"]["format"][0]


def test_roles_as_on_the_web(world, report, client_as, django_capture_on_commit_callbacks):
    viewer = client_as(world.viewer, Role.VIEWER)
    assert viewer.get(f"{URL}{report['id']}/").status_code == 200  # every member reads
    assert (
        viewer.patch(
            f"{URL}{report['id']}/sections/learnt/", {"body": "x", "version": 1}, format="json"
        ).status_code
        == 403
    )
    assert (
        viewer.post(f"{URL}{report['id']}/exports/", {"format": "md"}, format="json").status_code
        == 403
    )
    pat = client_as(world.pat, Role.PRACTITIONER)  # contributes, does not manage
    assert pat.post(URL, payload(world), format="json").status_code == 403
    assert pat.post(f"{URL}{report['id']}/publish/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        export = pat.post(f"{URL}{report['id']}/exports/", {"format": "html"}, format="json")
    assert export.status_code == 202
    ready = viewer.get(export["Location"]).json()  # every member reads and downloads exports
    assert viewer.get(ready["download"]).status_code == 200


def test_scopes_and_outsiders(world, admin, make_key, report, outsider_api):
    read_only = client_for(make_key(admin, ["reports:read"]))
    assert read_only.get(f"{URL}{report['id']}/").status_code == 200
    assert read_only.post(URL, payload(world), format="json").status_code == 403
    assert read_only.post(f"{URL}{report['id']}/publish/").status_code == 403
    assert (
        read_only.patch(
            f"{URL}{report['id']}/sections/learnt/", {"body": "x", "version": 1}, format="json"
        ).status_code
        == 403
    )
    assert client_for(make_key(admin, ["sessions:write"])).get(URL).status_code == 403
    assert outsider_api.get(f"{URL}{report['id']}/").status_code == 404
    assert outsider_api.post(f"{URL}{report['id']}/publish/").status_code == 404
    assert outsider_api.get(f"{URL}{report['id']}/exports/").status_code == 404


def _list_queries(api) -> int:
    api.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL, {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_is_constant(world, api):
    def start(n: int) -> None:
        with tenant_scope(workspace_id=world.workspace.pk):
            for i in range(n):
                services.report_create(
                    workspace=world.workspace, created_by=world.admin.user, title=f"Report {i}",
                    period_start=timezone.localdate(), period_end=timezone.localdate(),
                    cycles=[world.cycle, world.other_cycle],
                )  # fmt: skip

    start(2)
    small = _list_queries(api)
    start(18)
    assert len(api.get(URL, {"page_size": 50}).json()["results"]) == 20
    assert _list_queries(api) == small == 11
