"""Reminders start from the shared cast (tests/conftest.py): its North team's cycle, with a
weekly session with a facilitator, two members and a guest, meeting at 10:00 London time three
days from now, with reminders a day and an hour before."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import Reminder
from stewardship.notifications import services
from tests.factories import (
    CycleMemberFactory,
    SessionCycleFactory,
    SessionFactory,
    SessionParticipantFactory,
)

LONDON = ZoneInfo("Europe/London")


def london(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    day = timezone.now().astimezone(LONDON).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(dt.UTC)


def rows(workspace, **filters) -> list[Reminder]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(Reminder.objects.filter(workspace=workspace, **filters).order_by("pk"))


def changed(world, change: str) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        world.session.refresh_from_db()
        services.session_changed(session=world.session, change=change)


@pytest.fixture
def world(cast, make_member):
    """The shared cast (tests/conftest.py) with a weekly session for the North team's cycle."""
    workspace = cast.workspace
    fay = make_member(workspace, Role.PRACTITIONER, email="fay@riverside.test", full_name="Fay")
    pat = make_member(workspace, Role.PRACTITIONER, email="pat2@riverside.test", full_name="Pat")
    sam = make_member(workspace, Role.MANAGER, email="sam@riverside.test", full_name="Sam")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = cast.cycle
        for m in (fay, pat, sam):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
        session = SessionFactory(
            workspace=workspace,
            title="Team sense-making",
            facilitator=fay.user,
            timezone="Europe/London",
            starts_at=london(3),
            duration_minutes=60,
            rrule="FREQ=WEEKLY;COUNT=6",
            reminder_leads=[1440, 60],
            location="Room 2, Riverside Hub",
        )
        SessionCycleFactory(workspace=workspace, session=session, cycle=cycle)
        pat_p = SessionParticipantFactory(workspace=workspace, session=session, user=pat.user)
        sam_p = SessionParticipantFactory(workspace=workspace, session=session, user=sam.user)
        guest = SessionParticipantFactory(
            workspace=workspace, session=session, user=None, email="gita@example.org", name="Gita"
        )
    return SimpleNamespace(
        workspace=workspace,
        cycle=cycle,
        session=session,
        fay=fay,
        pat=pat,
        sam=sam,
        pat_p=pat_p,
        sam_p=sam_p,
        guest=guest,
    )
