"""Who may change a session and who may record its meetings is decided by the services
themselves: called directly (as the web, the API and the demo do), each write refuses a member
who is neither its facilitator, its organiser nor a steward or admin (changing), or who does
not host the meeting (recording), and a member of another workspace, and changes nothing."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from hls.tenancy.context import tenant_scope
from stewardship.models import (
    Attendance,
    Occurrence,
    OccurrenceQuestion,
    Session,
    SessionOutput,
    SessionParticipant,
)
from stewardship.sessions import services
from stewardship.sessions.recurrence import slot_at
from tests.factories import QuestionFactory


def _slot(world):
    """The first meeting, wherever it was moved to."""
    slot = slot_at(world.session, world.session.starts_at)
    assert slot is not None
    return slot


def _update(world, by):
    s = world.session
    services.session_update(
        workspace=world.workspace,
        session=s,
        by=by,
        title="Taken over",
        cycles=[world.cycle],
        facilitator=by.user,
        timezone=s.timezone,
        starts_at=s.starts_at,
        duration_minutes=s.duration_minutes,
        rrule=s.rrule,
    )


def _cancel(world, by):
    services.session_cancel(workspace=world.workspace, session=world.session, by=by)


def _lighten(world, by):
    services.session_lighten(
        workspace=world.workspace,
        session=world.session,
        by=by,
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=4",
    )


def _participants(world, by):
    services.participants_set(
        workspace=world.workspace, session=world.session, by=by, members=[by.user], guests=[]
    )


def _move(world, by):
    slot = _slot(world)
    services.occurrence_move(
        workspace=world.workspace,
        session=world.session,
        by=by,
        original_start=slot.original_start,
        starts_at=slot.starts_at + dt.timedelta(days=1),
    )


def _cancel_meeting(world, by):
    services.occurrence_cancel(
        workspace=world.workspace,
        session=world.session,
        by=by,
        original_start=_slot(world).original_start,
    )


CHANGES: dict[str, Callable[[Any, Any], None]] = {
    "session_update": _update,
    "session_cancel": _cancel,
    "session_lighten": _lighten,
    "participants_set": _participants,
    "occurrence_move": _move,
    "occurrence_cancel": _cancel_meeting,
}


def _notes(world, by):
    services.occurrence_notes_save(
        workspace=world.workspace, slot=_slot(world), by=by, notes="Mine now"
    )


def _questions(world, by):
    occurrence = services.occurrence_for(workspace=world.workspace, slot=_slot(world))
    question = QuestionFactory(workspace=world.workspace)
    services.questions_discussed_set(
        workspace=world.workspace, occurrence=occurrence, by=by, question_ids=[question.pk]
    )


def _attendance(world, by):
    services.attendance_set(workspace=world.workspace, slot=_slot(world), by=by, attended_ids=[])


def _done(world, by):
    services.occurrence_done(workspace=world.workspace, slot=_slot(world), by=by)


def _output(world, by):
    services.output_add(
        workspace=world.workspace,
        slot=_slot(world),
        by=by,
        cycle=world.cycle,
        kind="insight",
        text="Written in by someone who was not there.",
    )


RECORDS: dict[str, Callable[[Any, Any], None]] = {
    "occurrence_notes_save": _notes,
    "questions_discussed_set": _questions,
    "attendance_set": _attendance,
    "occurrence_done": _done,
    "output_add": _output,
}


def _state(world) -> tuple:
    """What any of these writes could change (the first meeting's row is made up front, as
    recording a meeting starts from it)."""
    services.occurrence_for(workspace=world.workspace, slot=_slot(world))
    session = Session.objects.get(pk=world.session.pk)
    return (
        session.title,
        session.status,
        session.rrule,
        session.facilitator_id,
        sorted(
            SessionParticipant.objects.filter(session=session).values_list("user_id", "email"),
            key=str,
        ),
        sorted(Occurrence.objects.filter(session=session).values_list("starts_at", "cancelled")),
        sorted(Occurrence.objects.filter(session=session).values_list("notes", flat=True)),
        Attendance.objects.filter(occurrence__session=session).count(),
        OccurrenceQuestion.objects.filter(occurrence__session=session).count(),
        SessionOutput.objects.filter(occurrence__session=session).count(),
        sorted(
            Occurrence.objects.filter(session=session).values_list(
                "outputs_recorded_at", flat=True
            ),
            key=str,
        ),
    )


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_member_who_neither_facilitates_organises_nor_oversees_may_not_change_it(world, name):
    """Pat is invited (and may record its meetings), Xan is not: neither changes the session."""
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _state(world)
        for member in (world.pat, world.stranger):
            with pytest.raises(PermissionDenied):
                CHANGES[name](world, member)
        assert _state(world) == before


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_a_member_who_does_not_host_the_meeting_may_not_record_it(world, name):
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _state(world)
        with pytest.raises(PermissionDenied):
            RECORDS[name](world, world.stranger)
        assert _state(world) == before


@pytest.mark.parametrize("name", sorted(CHANGES | RECORDS))
def test_an_admin_of_another_workspace_may_do_none_of_it(world, outsider, name):
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _state(world)
        with pytest.raises(PermissionDenied):
            {**CHANGES, **RECORDS}[name](world, outsider)
        assert _state(world) == before


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_steward_changes_a_session_they_do_not_facilitate(world, name):
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _state(world)
        CHANGES[name](world, world.steward)
        assert _state(world) != before


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_an_invited_practitioner_records_the_meeting(world, name):
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _state(world)
        RECORDS[name](world, world.pat)
        assert _state(world) != before
