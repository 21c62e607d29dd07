"""Fetch-or-404 helpers: a missing session, another workspace's session and a session the viewer
may not see look the same. A meeting is named by its slot key (its place in the series); a key
the series does not have is a 404 too."""

from __future__ import annotations

from django.http import Http404

from hls.tenancy.models import Membership, Workspace
from stewardship.models import Occurrence, Session
from stewardship.sessions import selectors
from stewardship.sessions.recurrence import Slot, parse_slot_key, slot_at


def access_session(*, workspace: Workspace, membership: Membership, session_id: int) -> Session:
    session = selectors.session_for_page(
        workspace=workspace, membership=membership, session_id=session_id
    )
    if session is None:
        raise Http404("No such session.")
    return session


def access_slot(*, workspace: Workspace, session: Session, slot: str) -> Slot:
    try:
        original_start = parse_slot_key(slot)
    except ValueError as error:
        raise Http404("No such meeting.") from error
    found = slot_at(session, original_start)
    if found is not None:
        return found
    # A meeting already held stays reachable after the rule changed under it.
    occurrence = Occurrence.objects.filter(
        workspace=workspace, session=session, original_start=original_start
    ).first()
    if occurrence is None:
        raise Http404("No such meeting.")
    return Slot(session, original_start, occurrence.starts_at, occurrence.cancelled, occurrence)
