"""What each role may do in the sessions area, written out by hand. Every actor is invited to
the session (a member participant) but neither facilitates nor organised it, so only the role
decides."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import SessionParticipant
from tests.conftest import signed_in
from tests.factories import CycleMemberFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
ALL_200 = (200,) * 6
ALL_302 = (302,) * 6
OVERSEERS_200 = (200, 200, 403, 403, 403, 403)
OVERSEERS_302 = (302, 302, 403, 403, 403, 403)
NOT_VIEWER_200 = (200, 200, 200, 200, 200, 403)
NOT_VIEWER_302 = (302, 302, 302, 302, 302, 403)

#                                     admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("session-list", "GET"): ALL_200,
    ("session-create", "GET"): NOT_VIEWER_200,
    ("session-create", "POST"): NOT_VIEWER_302,
    ("session-detail", "GET"): ALL_200,
    ("session-edit", "GET"): OVERSEERS_200,
    ("session-edit", "POST"): OVERSEERS_302,
    ("session-cancel", "GET"): OVERSEERS_200,
    ("session-cancel", "POST"): OVERSEERS_302,
    ("session-respond", "POST"): ALL_302,
    ("session-lighten", "POST"): OVERSEERS_302,
    ("meeting-detail", "GET"): ALL_200,
    ("meeting-move", "GET"): OVERSEERS_200,
    ("meeting-move", "POST"): OVERSEERS_302,
    ("meeting-cancel", "GET"): OVERSEERS_200,
    ("meeting-cancel", "POST"): OVERSEERS_302,
    ("meeting-facilitate", "GET"): NOT_VIEWER_200,
    ("meeting-facilitate", "POST"): NOT_VIEWER_302,
    ("meeting-output-add", "POST"): NOT_VIEWER_302,
    ("meeting-attendance", "POST"): NOT_VIEWER_302,
    ("meeting-done", "POST"): NOT_VIEWER_302,
    ("meeting-heard", "GET"): ALL_200,
    ("meeting-heard", "POST"): ALL_302,
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_sessions_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.sessions.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a sessions view was added or renamed: add its row to EXPECTED"
    )


def _session_form(world):
    from tests.stewardship_sessions.conftest import next_monday_10

    start = next_monday_10(2)
    return {
        "title": "A new series",
        "cycles": [world.cycle.pk],
        "start_date": start.date().isoformat(),
        "start_time": "11:00",
        "timezone": "Europe/London",
        "duration_minutes": 60,
        "repeat": "none",
        "facilitator": world.facilitator.user.pk,
        "reminder_leads": ["60"],
    }


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, world, make_member):
    actor = make_member(world.workspace, role)
    session = world.session
    with tenant_scope(workspace_id=world.workspace.pk):
        SessionParticipant.objects.create(
            workspace=world.workspace, session=session, user=actor.user
        )
        CycleMemberFactory(workspace=world.workspace, cycle=world.cycle, user=actor.user)
    from stewardship.sessions.recurrence import slot_at

    with tenant_scope(workspace_id=world.workspace.pk):
        key = slot_at(session, session.starts_at).key
    base = f"/w/riverside/sessions/{session.pk}/"
    meeting = f"{base}meetings/{key}/"
    move_to = session.starts_at.date().isoformat()
    url, data = {
        "session-list": ("/w/riverside/sessions/", {}),
        "session-create": ("/w/riverside/sessions/new/", _session_form(world)),
        "session-detail": (base, {}),
        "session-edit": (
            f"{base}edit/",
            {**_session_form(world), "start_date": move_to, "start_time": "10:00"},
        ),
        "session-cancel": (f"{base}cancel/", {}),
        "session-respond": (f"{base}respond/", {"response": "accepted"}),
        "session-lighten": (f"{base}lighten/", {}),
        "meeting-detail": (meeting, {}),
        "meeting-move": (f"{meeting}move/", {"start_date": move_to, "start_time": "15:00"}),
        "meeting-cancel": (f"{meeting}cancel/", {}),
        "meeting-facilitate": (f"{meeting}facilitate/", {"notes": "We talked."}),
        "meeting-output-add": (
            f"{meeting}outputs/add/",
            {"kind": "insight", "cycle": world.cycle.pk, "text": "An insight", "visibility": 2},
        ),
        "meeting-attendance": (f"{meeting}attendance/", {"attended": []}),
        "meeting-done": (f"{meeting}done/", {}),
        "meeting-heard": (f"{meeting}heard/", {"felt_heard": "yes"}),
    }[view]
    client = signed_in(actor)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected, getattr(response, "content", b"")[:2000]
