"""A small world for sessions: a place above a team, a cycle in each, a facilitator and
participants, and a weekly session for the team cycle."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.sessions import services
from tests.factories import CycleFactory, CycleMemberFactory, ScaleFactory, SystemFactory


def next_monday_10(weeks: int = 1) -> dt.datetime:
    now = timezone.now().astimezone(dt.UTC)
    day = (now + dt.timedelta(days=7 * weeks - now.weekday())).date()
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


@pytest.fixture
def world(workspace, make_member):
    facilitator = make_member(
        workspace, Role.PRACTITIONER, email="fay@riverside.test", full_name="Fay"
    )
    pat = make_member(workspace, Role.PRACTITIONER, email="p1@riverside.test", full_name="Pat")
    sam = make_member(workspace, Role.PRACTITIONER, email="p2@riverside.test", full_name="Sam")
    steward = make_member(workspace, Role.STEWARD, email="st@riverside.test", full_name="Stew")
    stranger = make_member(workspace, Role.PRACTITIONER, email="x@riverside.test", full_name="Xan")
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Team")
        place = SystemFactory(workspace=workspace, name="Place", scale=scale)
        team = SystemFactory(workspace=workspace, name="Team", parent=place, scale=scale)
        place_cycle = CycleFactory(workspace=workspace, system=place, name="Place cycle")
        cycle = CycleFactory(
            workspace=workspace, system=team, name="Team cycle", phase="experiment"
        )
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
        scale=scale,
        cycle=cycle,
        place_cycle=place_cycle,
        session=session,
    )
