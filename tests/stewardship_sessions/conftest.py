"""Sessions start from the shared cast (tests/conftest.py): a place above a team, a cycle in
each; this adds a facilitator and participants, and a weekly session for the team cycle."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.sessions import services
from tests.factories import CycleMemberFactory


def next_monday_10(weeks: int = 1) -> dt.datetime:
    now = timezone.now().astimezone(dt.UTC)
    day = (now + dt.timedelta(days=7 * weeks - now.weekday())).date()
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


@pytest.fixture
def world(cast, make_member):
    """The shared cast (tests/conftest.py), the North team's cycle in its experiment phase under
    Open Door's, with a facilitator and participants in the team's cycle, a steward, a member
    with no tie, and a weekly session for the team's cycle."""
    workspace = cast.workspace
    facilitator = make_member(
        workspace, Role.PRACTITIONER, email="fay@riverside.test", full_name="Fay"
    )
    pat = make_member(workspace, Role.PRACTITIONER, email="p1@riverside.test", full_name="Pat")
    sam = make_member(workspace, Role.PRACTITIONER, email="p2@riverside.test", full_name="Sam")
    steward = make_member(workspace, Role.STEWARD, email="st@riverside.test", full_name="Stew")
    stranger = make_member(workspace, Role.PRACTITIONER, email="x@riverside.test", full_name="Xan")
    cycle, place_cycle = cast.cycle, cast.upper
    with tenant_scope(workspace_id=workspace.pk):
        type(cycle).objects.filter(pk=cycle.pk).update(phase="experiment")
        cycle.refresh_from_db()
        for m in (facilitator, pat, sam):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
        CycleMemberFactory(workspace=workspace, cycle=place_cycle, user=facilitator.user)
        session = services.session_create(
            workspace=workspace,
            user=facilitator.user,
            title="Team sense-making",
            cycles=[cycle],
            facilitator=facilitator.user,
            timezone="Europe/London",
            starts_at=next_monday_10(),
            duration_minutes=60,
            rrule="FREQ=WEEKLY;COUNT=8",
            reminder_leads=[60],
            members=[pat.user, sam.user],
            guests=["guest@example.org"],
        )
    return SimpleNamespace(
        workspace=workspace,
        facilitator=facilitator,
        pat=pat,
        sam=sam,
        steward=steward,
        stranger=stranger,
        scale=cast.scale,
        cycle=cycle,
        place_cycle=place_cycle,
        session=session,
    )
