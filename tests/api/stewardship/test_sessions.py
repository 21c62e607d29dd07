"""Sessions over the API: planned, read, changed and cancelled with the web's rules and
validation; the meetings of a series as computed; who may see and change what."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import Session, SessionParticipant
from stewardship.sessions import services
from tests.api.conftest import client_for
from tests.api.stewardship.conftest import iso, next_monday_10
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions/"


def payload(world, **overrides):
    data = {
        "title": "Team sense-making",
        "cycles": [world.cycle.pk],
        "starts_at": iso(next_monday_10()),
        "timezone": "Europe/London",
        "duration_minutes": 60,
        "rrule": "FREQ=WEEKLY;COUNT=4",
        "reminder_leads": [60, 1440],
        "members": [world.pat.user.pk],
        "guests": ["guest@example.org"],
        "location": "Room 2",
    }
    data.update(overrides)
    return data


def plan(world, user=None, **kwargs) -> Session:
    with tenant_scope(workspace_id=world.workspace.pk):
        return services.session_create(
            workspace=world.workspace,
            user=user or world.admin.user,
            title=kwargs.pop("title", "Planned"),
            cycles=kwargs.pop("cycles", [world.cycle]),
            facilitator=kwargs.pop("facilitator", None),
            timezone="Europe/London",
            starts_at=kwargs.pop("starts_at", next_monday_10()),
            rrule=kwargs.pop("rrule", "FREQ=WEEKLY;COUNT=4"),
            **kwargs,
        )


def test_create_then_read(world, api):
    response = api.post(URL, payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"{URL}{body['id']}/"
    assert body["title"] == "Team sense-making"
    assert body["cycles"] == [world.cycle.pk]
    assert body["facilitator"] == world.admin.user.pk  # defaults to its creator
    assert body["rrule"] == "FREQ=WEEKLY;COUNT=4"
    assert body["reminder_leads"] == [1440, 60]
    assert body["status"] == "active"
    assert body["structured"] is True
    assert {"user": world.pat.user.pk, "name": "Pat", "guest": False, "email": None} in body[
        "participants"
    ]
    assert {
        "user": None,
        "name": "guest@example.org",
        "guest": True,
        "email": "guest@example.org",
    } in body["participants"]
    assert "members" not in body
    assert "guests" not in body

    detail = api.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200
    assert detail.json() == body
    assert detail["ETag"] == response["ETag"]
    listed = api.get(URL).json()["results"]
    assert [s["id"] for s in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"rrule": "FREQ=WEEKLY"}, "rrule", "must end"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20200101T000000"}, "rrule", "no meeting"),
        ({"rrule": "FREQ=SOMETIMES;COUNT=2"}, "rrule", "cannot be read"),
        ({"starts_at": "2020-01-06T10:00:00Z", "rrule": ""}, "starts_at", "in the past"),
        ({"starts_at": "2030-01-06T10:00:00"}, "starts_at", "offset"),
        (
            {"guests": ["ok@example.org", "not-an-email"]},
            "guests",
            "“not-an-email” is not an email",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone", "not a time zone"),
        ({"cycles": []}, "cycles", "at least one cycle"),
        ({"cycles": [999999]}, "cycles", "Invalid pk"),
        ({"members": [999999]}, "members", "Invalid pk"),
        ({"facilitator": "x"}, "facilitator", "Incorrect type"),
        ({"duration_minutes": 2}, "duration_minutes", "between 5 minutes"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_create_refuses_bad_input_by_field(world, api, overrides, field, words):
    response = api.post(URL, payload(world, **overrides), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert words in " ".join(problem["errors"][field]), problem
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Session.objects.exists()


def test_foreign_and_closed_cycles_are_refused(world, api, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = CycleFactory(workspace=other_workspace)
    with tenant_scope(workspace_id=world.workspace.pk):
        closed = CycleFactory(workspace=world.workspace, status="closed")
    for cycle in (foreign, closed):
        response = api.post(URL, payload(world, cycles=[cycle.pk]), format="json")
        assert response.status_code == 400
        assert "cycles" in response.json()["errors"]


def test_patch_needs_a_current_etag(world, api):
    session = plan(world)
    url = f"{URL}{session.pk}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"title": "Renamed"}, format="json").status_code == 428
    assert (
        api.patch(url, {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    )
    stale = api.patch(url, {"title": "Again"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert api.get(url).json()["title"] == "Renamed"


def test_patch_changes_time_rule_and_invitations(world, api):
    session = plan(world, members=[world.pat.user], guests=["old@example.org"])
    url = f"{URL}{session.pk}/"
    etag = api.get(url)["ETag"]
    later = next_monday_10(2)
    response = api.patch(
        url,
        {
            "starts_at": iso(later),
            "rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=3",
            "guests": ["new@example.org"],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["starts_at"] == iso(later)
    assert body["rrule"] == "FREQ=WEEKLY;INTERVAL=2;COUNT=3"
    assert [p["email"] for p in body["participants"] if p["guest"]] == ["new@example.org"]
    assert [p["user"] for p in body["participants"] if not p["guest"]] == [world.pat.user.pk]
    assert response["ETag"] == api.get(url)["ETag"]
    # The same rules as on creation.
    bad = api.patch(url, {"rrule": "FREQ=DAILY"}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert bad.status_code == 400
    assert "must end" in bad.json()["errors"]["rrule"][0]


def test_cancel_keeps_the_session_and_stops_changes(world, api):
    session = plan(world)
    url = f"{URL}{session.pk}/"
    response = api.post(f"{url}cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert api.get(url).json()["status"] == "cancelled"
    assert api.delete(url).status_code == 405  # cancellation is not deletion
    patch = api.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert patch.status_code == 400
    assert "cancelled" in patch.json()["errors"]["non_field_errors"][0]
    meetings = api.get(f"{url}meetings/").json()["results"]
    assert meetings
    assert all(m["cancelled"] for m in meetings)


def test_meetings_are_computed_with_overrides(world, api):
    first = next_monday_10()
    session = plan(world, starts_at=first, rrule="FREQ=WEEKLY;COUNT=4")
    second, third = first + dt.timedelta(weeks=1), first + dt.timedelta(weeks=2)
    with tenant_scope(workspace_id=world.workspace.pk):
        services.occurrence_move(
            workspace=world.workspace,
            session=session,
            by=world.admin,
            original_start=second,
            starts_at=second + dt.timedelta(days=1),
        )
        services.occurrence_cancel(
            workspace=world.workspace, session=session, by=world.admin, original_start=third
        )
    url = f"{URL}{session.pk}/meetings/"
    body = api.get(url).json()
    meetings = body["results"]
    assert [m["key"] for m in meetings] == [
        (first + dt.timedelta(weeks=n)).strftime("%Y%m%dT%H%M%SZ") for n in range(4)
    ]
    assert [m["moved"] for m in meetings] == [False, True, False, False]
    assert [m["cancelled"] for m in meetings] == [False, False, True, False]
    assert meetings[1]["starts_at"] == iso(second + dt.timedelta(days=1))
    assert not any(m["held"] for m in meetings)
    # A window.
    window = api.get(url, {"after": iso(third), "before": iso(first + dt.timedelta(weeks=10))})
    assert [m["key"] for m in window.json()["results"]] == [
        meetings[2]["key"],
        meetings[3]["key"],
    ]
    assert api.get(url, {"after": "tomorrow"}).status_code == 400
    too_long = api.get(url, {"before": iso(timezone.now() + dt.timedelta(days=900))})
    assert too_long.status_code == 400
    assert "before" in too_long.json()["errors"]


def test_scopes(world, admin, make_key):
    session = plan(world)
    read_only = client_for(make_key(admin, ["sessions:read"]))
    assert read_only.get(URL).status_code == 200
    assert read_only.post(URL, payload(world), format="json").status_code == 403
    assert read_only.post(f"{URL}{session.pk}/cancel/").status_code == 403
    other = client_for(make_key(admin, ["cycles:write"]))
    assert other.get(URL).status_code == 403
    assert other.get(f"{URL}{session.pk}/meetings/").status_code == 403


def test_roles_and_visibility_as_on_the_web(world, client_as, make_member):
    session = plan(world, members=[world.pat.user], guests=["guest@example.org"])
    with tenant_scope(workspace_id=world.workspace.pk):
        SessionParticipant.objects.create(
            workspace=world.workspace, session=session, email="named@example.org", name="Nia"
        )
    pat = client_as(world.pat, Role.PRACTITIONER)
    url = f"{URL}{session.pk}/"
    # Pat, invited, sees it; a guest's email shows where the web shows it (no name given).
    body = pat.get(url).json()
    guests = {p["name"]: p["email"] for p in body["participants"] if p["guest"]}
    assert guests == {"guest@example.org": "guest@example.org", "Nia": None}
    # ...but only its facilitator, organiser, stewards and admins change it.
    patch = pat.patch(url, {"title": "Mine"}, format="json", HTTP_IF_MATCH="*")
    assert patch.status_code == 403
    assert pat.post(f"{url}cancel/").status_code == 403
    # Pat may plan one, and then change it.
    made = pat.post(URL, payload(world, members=[]), format="json")
    assert made.status_code == 201
    assert pat.post(f"{URL}{made.json()['id']}/cancel/").status_code == 200
    # A viewer may not plan; a member who sees none of it gets 404.
    viewer = client_as(world.viewer, Role.VIEWER)
    assert viewer.post(URL, payload(world), format="json").status_code == 403
    stranger = client_as(make_member(world.workspace, Role.PRACTITIONER), Role.PRACTITIONER)
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}meetings/").status_code == 404
    assert stranger.get(URL).json()["results"] == []


def test_another_workspace_gets_404(world, outsider_api):
    session = plan(world)
    assert outsider_api.get(f"{URL}{session.pk}/").status_code == 404
    assert outsider_api.get(f"{URL}{session.pk}/meetings/").status_code == 404
    assert outsider_api.post(f"{URL}{session.pk}/cancel/").status_code == 404


def _list_queries(api) -> int:
    api.get(URL)  # the key's last use is noted at most once a minute: not in the count
    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL, {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_is_constant(world, api, make_member):
    guests = ["a@example.org", "b@example.org"]
    for _ in range(2):
        plan(world, members=[world.pat.user], guests=guests)
    small = _list_queries(api)
    for _ in range(18):
        plan(
            world, members=[world.pat.user], guests=guests, cycles=[world.cycle, world.other_cycle]
        )
    assert len(api.get(URL, {"page_size": 50}).json()["results"]) == 20
    assert _list_queries(api) == small == 11
