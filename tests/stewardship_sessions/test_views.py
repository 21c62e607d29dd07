"""Session pages: planning with the picker, bad input kept, the lists' query budgets, outsiders
of a session, unknown meetings, and the link back from an entry to its session."""

import datetime as dt

import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import Session
from stewardship.sessions import services
from stewardship.sessions.recurrence import session_slots
from tests.conftest import signed_in
from tests.factories import SessionCycleFactory, SessionFactory, SessionParticipantFactory
from tests.stewardship_sessions.conftest import next_monday_10


def _form(world, **extra):
    start = next_monday_10(2)
    data = {
        "title": "Fortnightly",
        "cycles": [world.cycle.pk],
        "start_date": start.date().isoformat(),
        "start_time": "10:00",
        "timezone": "Europe/London",
        "duration_minutes": 90,
        "repeat": "fortnightly",
        "end": "count",
        "count": 6,
        "facilitator": world.facilitator.user.pk,
        "members": [world.pat.user.pk],
        "guests": "a@example.org\nb@example.org",
        "reminder_leads": ["1440", "60"],
        "structured": "on",
    }
    data.update(extra)
    return data


def test_plan_a_fortnightly_series_and_edit_shows_the_choice(world):
    client = signed_in(world.facilitator)
    response = client.post("/w/riverside/sessions/new/", _form(world))
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        session = Session.objects.get(title="Fortnightly")
    assert session.rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=6"
    assert session.reminder_leads == [1440, 60]
    edit = client.get(f"/w/riverside/sessions/{session.pk}/edit/")
    assert 'value="fortnightly" checked' in edit.content.decode() or (
        edit.context["form"].initial["repeat"] == "fortnightly"
    )


def test_bad_guest_email_is_named_beside_the_field_and_text_kept(world):
    client = signed_in(world.facilitator)
    typed = "a@example.org\nnot-an-email"
    response = client.post("/w/riverside/sessions/new/", _form(world, guests=typed))
    body = response.content.decode()
    assert response.status_code == 400
    assert "“not-an-email” is not an email address" in body
    assert "a@example.org\nnot-an-email" in body
    assert response.context["form"].errors["guests"]


def test_past_start_and_endless_rule_are_refused_beside_their_fields(world):
    client = signed_in(world.facilitator)
    response = client.post(
        "/w/riverside/sessions/new/",
        _form(world, start_date="2020-01-06", repeat="advanced", advanced="FREQ=WEEKLY"),
    )
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert "The first meeting is in the past" in errors["start_date"][0]
    assert "must end" in errors["advanced"][0]
    assert "FREQ=WEEKLY" in response.content.decode()


def test_unknown_time_zone_is_refused(world):
    response = signed_in(world.facilitator).post(
        "/w/riverside/sessions/new/", _form(world, timezone="Mars/Olympus")
    )
    assert response.status_code == 400
    assert "is not a time zone we know" in response.context["form"].errors["timezone"][0]


def test_someone_outside_the_session_gets_404(world):
    client = signed_in(world.stranger)
    assert client.get(f"/w/riverside/sessions/{world.session.pk}/").status_code == 404
    assert (
        signed_in(world.steward).get(f"/w/riverside/sessions/{world.session.pk}/").status_code
        == 200
    )


def test_an_unknown_meeting_is_404(world):
    client = signed_in(world.facilitator)
    base = f"/w/riverside/sessions/{world.session.pk}/meetings/"
    assert client.get(f"{base}20000101T000000Z/").status_code == 404
    assert client.get(f"{base}not-a-slot/").status_code == 404


def test_the_entry_shows_the_session_it_came_from(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        s = world.session
        slot = session_slots(s, after=s.starts_at, before=s.starts_at + dt.timedelta(days=1))[0]
        services.output_add(
            workspace=world.workspace,
            slot=slot,
            by=world.facilitator,
            cycle=world.cycle,
            kind="insight",
            text="A shared insight.",
        )
    body = (
        signed_in(world.pat).get(f"/w/riverside/cycles/{world.cycle.pk}/timeline/").content.decode()
    )
    assert "From the session Team sense-making" in body
    assert f"/sessions/{world.session.pk}/meetings/{slot.key}/" in body


def test_the_lighter_rhythm_is_offered_and_applied(world):
    from django.utils import timezone

    from stewardship.models import SessionParticipant

    with tenant_scope(workspace_id=world.workspace.pk):
        start = timezone.now().replace(microsecond=0) - dt.timedelta(weeks=9)
        Session.objects.filter(pk=world.session.pk).update(
            starts_at=start, rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=10"
        )
        SessionParticipant.objects.filter(session=world.session).update(response="declined")
    client = signed_in(world.facilitator)
    page = client.get(f"/w/riverside/sessions/{world.session.pk}/").content.decode()
    assert "A lighter rhythm?" in page
    assert "Pat" not in page.split("A lighter rhythm?")[1].split("</section>")[0]
    assert (
        "A lighter rhythm?"
        not in signed_in(world.pat)
        .get(f"/w/riverside/sessions/{world.session.pk}/")
        .content.decode()
    )
    assert client.post(f"/w/riverside/sessions/{world.session.pk}/lighten/").status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        world.session.refresh_from_db()
    assert world.session.rrule == "FREQ=WEEKLY;INTERVAL=4;COUNT=5"


def _meeting_two_hours_ago(world) -> str:
    """The session moved to have met two hours ago; that meeting's key."""
    with tenant_scope(workspace_id=world.workspace.pk):
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
        Session.objects.filter(pk=world.session.pk).update(starts_at=start)
        world.session.refresh_from_db()
        return session_slots(world.session, after=start, before=start + dt.timedelta(minutes=1))[
            0
        ].key


def test_felt_heard_page_once_only(world):
    key = _meeting_two_hours_ago(world)
    client = signed_in(world.pat)
    url = f"/w/riverside/sessions/{world.session.pk}/meetings/{key}/heard/"
    assert client.post(url, {"felt_heard": "yes"}).status_code == 302
    again = client.post(url, {"felt_heard": "no"}, follow=True)
    assert "already answered" in again.content.decode()
    facilitate = signed_in(world.facilitator).get(
        f"/w/riverside/sessions/{world.session.pk}/meetings/{key}/facilitate/"
    )
    assert "Fewer than 3 people answered" in facilitate.content.decode()


def test_felt_heard_answered_meanwhile_in_another_tab_is_news_not_a_fault(world, monkeypatch):
    """The page found no answer, but one was saved since (another tab): the service refuses,
    and the person is told plainly (an info message), their answer counted once."""
    from django.contrib.messages import INFO, get_messages

    from stewardship.models import HeardAnswer
    from stewardship.sessions import selectors

    key = _meeting_two_hours_ago(world)
    client = signed_in(world.pat)
    url = f"/w/riverside/sessions/{world.session.pk}/meetings/{key}/heard/"
    assert client.post(url, {"felt_heard": "yes"}).status_code == 302
    list(get_messages(client.get(url).wsgi_request))  # the first answer's thanks, read
    monkeypatch.setattr(selectors, "has_answered_heard", lambda **kwargs: False)
    again = client.post(url, {"felt_heard": "no", "comment": "Second tab"})
    assert again.status_code == 302
    shown = [(m.level, m.message) for m in get_messages(again.wsgi_request)]
    assert shown == [
        (INFO, "You have already answered for this meeting. Thank you: it is counted once.")
    ]
    with tenant_scope(workspace_id=world.workspace.pk):
        assert list(HeardAnswer.objects.values_list("felt_heard", flat=True)) == ["yes"]


def _many_sessions(world, n):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        for _ in range(n):
            session = SessionFactory(
                workspace=ws, facilitator=world.facilitator.user, rrule="FREQ=WEEKLY;COUNT=20"
            )
            SessionCycleFactory(workspace=ws, session=session, cycle=world.cycle)
            SessionParticipantFactory(workspace=ws, session=session, user=world.pat.user)


@pytest.mark.parametrize("n", [2, 20])
def test_session_list_query_budget(world, n, django_assert_num_queries):
    _many_sessions(world, n)
    client = signed_in(world.pat)
    with django_assert_num_queries(12):
        response = client.get("/w/riverside/sessions/")
    assert response.status_code == 200
    assert response.content.decode().count("/meetings/") >= n


@pytest.mark.parametrize("n", [2, 20])
def test_meeting_page_query_budget(world, n, django_assert_num_queries):
    _many_sessions(world, n)
    with tenant_scope(workspace_id=world.workspace.pk):
        key = session_slots(
            world.session,
            after=world.session.starts_at,
            before=world.session.starts_at + dt.timedelta(days=1),
        )[0].key
    client = signed_in(world.facilitator)  # signing in is not the page's cost
    with django_assert_num_queries(23):
        response = client.get(f"/w/riverside/sessions/{world.session.pk}/meetings/{key}/")
    assert response.status_code == 200
