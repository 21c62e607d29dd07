"""Objects for the outsider matrix (tests/outsider_objects.py): the sessions area's URL keywords.
`slot` names the first meeting of the session just made by `session_id` (makers run in order)."""

from stewardship.models import Session
from stewardship.sessions.recurrence import slot_at
from tests.factories import SessionCycleFactory, SessionFactory, SessionParticipantFactory


def make_session(workspace, membership) -> int:
    session = SessionFactory(
        workspace=workspace, facilitator=membership.user, rrule="FREQ=WEEKLY;COUNT=3"
    )
    SessionCycleFactory(workspace=workspace, session=session)
    SessionParticipantFactory(workspace=workspace, session=session, user=membership.user)
    return session.pk


def make_slot(workspace, membership) -> str:
    session = Session.objects.filter(workspace=workspace).order_by("-pk").first()
    return slot_at(session, session.starts_at).key


MAKERS = {"session_id": make_session, "slot": make_slot}
