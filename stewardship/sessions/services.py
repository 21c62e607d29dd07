"""Writes for sense-making sessions. Keyword-only, typed, atomic; ValidationError names the field.

Every write that changes a session or one of its meetings calls
`stewardship.notifications.services.session_changed` inside the same transaction, which sends
invitations, updates and cancellations and re-plans reminders (the notifications area).

Who may change a session and who may record a meeting are decided here: each write takes the
acting member (`by`) and raises PermissionDenied itself (the rules are the selectors'
`may_change`/`may_facilitate`, asked through `require_may_change`/`require_may_facilitate`, which
pages and the API also call to refuse a form before it is shown). Views and viewsets hold no
copy of them.

Outputs of a meeting are written into the cycles through the cycles' own services only
(`entry_create`, `barrier_raise`, `experiment_create`), so their rules hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cycles.barriers.services import barrier_raise
from cycles.connections import cycles_above
from cycles.experiments.services import ExperimentDesign, experiment_create
from cycles.models import Cycle, Entry
from cycles.services import entry_create
from cycles.trust import trust_for
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Membership, Workspace
from hls.webhooks.services import webhook_emit
from stewardship.models import (
    Attendance,
    HeardAnswer,
    HeardReceipt,
    Occurrence,
    OccurrenceQuestion,
    Question,
    Session,
    SessionCycle,
    SessionOutput,
    SessionParticipant,
)
from stewardship.notifications.services import session_changed
from stewardship.sessions import selectors
from stewardship.sessions.carry import Shape, carry_meetings
from stewardship.sessions.recurrence import Slot, slot_at, validate_rule, zone
from stewardship.sessions.repeat import describe_rule
from systems.models import ShareLevel

TITLE_MAX = 160
DURATION_MAX = 8 * 60
REMINDER_LEAD_MAX = 60 * 24 * 28
GUESTS_MAX = 100


# Who may --------------------------------------------------------------------------------------


def require_may_change(*, membership: Membership, session: Session) -> None:
    """Edit, cancel, move or cancel a meeting: its facilitator, its organiser, stewards, admins."""
    if membership.workspace_id != session.workspace_id or not selectors.may_change(
        membership=membership, session=session
    ):
        raise PermissionDenied(
            _("Only the facilitator, its organiser, stewards and admins change it.")
        )


def require_may_lighten(*, membership: Membership, session: Session) -> None:
    """Take a lighter rhythm: its facilitator, stewards and admins."""
    if membership.workspace_id != session.workspace_id or not selectors.may_lighten(
        membership=membership, session=session
    ):
        raise PermissionDenied(_("Only its facilitator, stewards and admins change its rhythm."))


def require_may_facilitate(*, membership: Membership, session: Session) -> None:
    """Notes, attendance, questions discussed, outputs, "outputs recorded": the facilitator,
    stewards and admins, and participants who manage sessions."""
    if membership.workspace_id != session.workspace_id or not selectors.may_facilitate(
        workspace=membership.workspace, membership=membership, session=session
    ):
        raise PermissionDenied(_("Only the facilitator and those who host it record a meeting."))


# Sessions -------------------------------------------------------------------------------------


def _is_member(workspace: Workspace, user: User) -> bool:
    return Membership.objects.filter(workspace=workspace, user=user).exists()


def clean_guests(guests: Iterable[str]) -> list[str]:
    """Each guest email checked on its own; the message names every one that is not an email."""
    cleaned: list[str] = []
    bad: list[str] = []
    for raw in guests:
        email = raw.strip()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email)
            continue
        if email.lower() not in {e.lower() for e in cleaned}:
            cleaned.append(email)
    if bad:
        raise ValidationError(
            {"guests": [_("“%(email)s” is not an email address.") % {"email": e} for e in bad]}
        )
    if len(cleaned) > GUESTS_MAX:
        raise ValidationError({"guests": _("Invite at most %(n)d guests.") % {"n": GUESTS_MAX}})
    return cleaned


def _clean_session(
    *,
    workspace: Workspace,
    title: str,
    cycles: Sequence[Cycle],
    facilitator: User | None,
    timezone_name: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    rrule: str,
    reminder_leads: Iterable[int],
    members: Sequence[User],
    guests: Iterable[str],
    check_past: bool,
) -> tuple[str, str, list[int], list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = " ".join(title.split())
    if not title:
        add("title", _("Give the session a title."))
    elif len(title) > TITLE_MAX:
        add("title", _("Keep the title to %(n)d characters.") % {"n": TITLE_MAX})
    if not cycles:
        add("cycles", _("Choose at least one cycle this session is for."))
    elif any(cycle.workspace_id != workspace.pk for cycle in cycles):
        add("cycles", _("Choose cycles of this workspace."))
    if facilitator is not None and not _is_member(workspace, facilitator):
        add("facilitator", _("Choose a member of this workspace to facilitate."))
    if members:
        known = set(
            Membership.objects.filter(
                workspace=workspace, user__in=[m.pk for m in members]
            ).values_list("user_id", flat=True)
        )
        if any(m.pk not in known for m in members):
            add("members", _("Choose members of this workspace."))
    if not 5 <= duration_minutes <= DURATION_MAX:
        add("duration_minutes", _("A meeting lasts between 5 minutes and 8 hours."))
    leads = sorted({int(lead) for lead in reminder_leads}, reverse=True)
    if any(not 0 < lead <= REMINDER_LEAD_MAX for lead in leads):
        add("reminder_leads", _("Reminders go out between a minute and four weeks before."))
    try:
        zone(timezone_name)
    except ValidationError as error:
        for message in error.message_dict["timezone"]:
            add("timezone", message)
    else:
        if check_past and starts_at < timezone.now():
            add("starts_at", _("The first meeting is in the past. Choose a time from now on."))
        try:
            validate_rule(starts_at=starts_at, timezone=timezone_name, rule=rrule)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    add(field, message)
    try:
        cleaned_guests = clean_guests(guests)
    except ValidationError as error:
        for message in error.message_dict["guests"]:
            add("guests", message)
        cleaned_guests = []
    if errors:
        raise ValidationError(errors)
    rule = rrule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    return title, rule, leads, cleaned_guests


def _set_cycles(*, workspace: Workspace, session: Session, cycles: Sequence[Cycle]) -> None:
    wanted = {cycle.pk for cycle in cycles}
    SessionCycle.objects.filter(workspace=workspace, session=session).exclude(
        cycle_id__in=wanted
    ).delete()
    have = set(
        SessionCycle.objects.filter(workspace=workspace, session=session).values_list(
            "cycle_id", flat=True
        )
    )
    SessionCycle.objects.bulk_create(
        SessionCycle(workspace=workspace, session=session, cycle_id=pk)
        for pk in sorted(wanted - have)
    )


def _set_participants(
    *, workspace: Workspace, session: Session, members: Sequence[User], guests: Sequence[str]
) -> bool:
    """Sync the participants, keeping the answers of those who stay. True if anything changed."""
    current = list(SessionParticipant.objects.filter(workspace=workspace, session=session))
    member_ids = {m.pk for m in members}
    guest_emails = {g.lower(): g for g in guests}
    gone = [
        p.pk
        for p in current
        if (p.user_id is not None and p.user_id not in member_ids)
        or (p.user_id is None and p.email.lower() not in guest_emails)
    ]
    have_users = {p.user_id for p in current if p.user_id is not None}
    have_emails = {p.email.lower() for p in current if p.user_id is None}
    new = [
        SessionParticipant(workspace=workspace, session=session, user_id=pk)
        for pk in sorted(member_ids - have_users)
    ] + [
        SessionParticipant(workspace=workspace, session=session, email=guest_emails[key])
        for key in sorted(set(guest_emails) - have_emails)
    ]
    if gone:
        SessionParticipant.objects.filter(workspace=workspace, pk__in=gone).delete()
    SessionParticipant.objects.bulk_create(new)
    return bool(gone or new)


@transaction.atomic
def session_create(
    *,
    workspace: Workspace,
    user: User,
    title: str,
    description: str = "",
    cycles: Sequence[Cycle],
    facilitator: User | None,
    timezone: str,
    starts_at: dt.datetime,
    duration_minutes: int = 90,
    rrule: str = "",
    location: str = "",
    structured: bool = True,
    reminder_leads: Iterable[int] = (),
    members: Sequence[User] = (),
    guests: Iterable[str] = (),
) -> Session:
    """Plan a session (single or recurring). The facilitator defaults to its creator."""
    facilitator = facilitator or user
    title, rule, leads, cleaned_guests = _clean_session(
        workspace=workspace,
        title=title,
        cycles=cycles,
        facilitator=facilitator,
        timezone_name=timezone,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        rrule=rrule,
        reminder_leads=reminder_leads,
        members=members,
        guests=guests,
        check_past=True,
    )
    session = Session.objects.create(
        workspace=workspace,
        title=title,
        description=description.strip(),
        facilitator=facilitator,
        timezone=timezone,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        rrule=rule,
        location=location.strip(),
        structured=structured,
        reminder_leads=leads,
        created_by=user,
    )
    _set_cycles(workspace=workspace, session=session, cycles=cycles)
    _set_participants(workspace=workspace, session=session, members=members, guests=cleaned_guests)
    session_changed(session=session, change="created")
    webhook_emit(
        workspace=workspace,
        event="session.scheduled",
        resource="session",
        object_id=session.pk,
        data={"cycles": sorted(c.pk for c in cycles), "starts_at": session.starts_at.isoformat()},
    )
    return session


@transaction.atomic
def session_update(
    *,
    workspace: Workspace,
    session: Session,
    by: Membership,
    title: str,
    description: str = "",
    cycles: Sequence[Cycle],
    facilitator: User | None,
    timezone: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    rrule: str,
    location: str = "",
    structured: bool = True,
    reminder_leads: Iterable[int] = (),
    members: Sequence[User] | None = None,
    guests: Iterable[str] | None = None,
    revision: int | None = None,
) -> Session:
    """Change a session. A first meeting already past may stay as it is; a new first meeting
    must be from now on. Participants are synced when `members`/`guests` are given. Meetings
    moved or cancelled on their own are carried to their places in the changed series.
    `revision` is the one the editor started from: if someone saved the session since,
    `EditConflict` with what they saved (hls/conflicts.py), and nothing is written."""
    require_may_change(membership=by, session=session)
    session = lock_current(Session, workspace=workspace, pk=session.pk, of=("self",))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled; plan a new one instead."))
    if revision is not None and revision != session.revision:
        require_current(
            session,
            revision=revision,
            fields=CONFLICT_FIELDS,
            values=conflict_values(workspace=workspace, session=session),
            labels=CONFLICT_LABELS,
        )
    before = _edited(workspace=workspace, session=session)
    if members is None:
        members = list(
            User.objects.filter(
                pk__in=SessionParticipant.objects.filter(
                    workspace=workspace, session=session, user__isnull=False
                ).values("user_id")
            )
        )
    if guests is None:
        guests = list(
            SessionParticipant.objects.filter(
                workspace=workspace, session=session, user__isnull=True
            ).values_list("email", flat=True)
        )
    facilitator = facilitator or session.facilitator
    shape = Shape.of(session)
    title, rule, leads, cleaned_guests = _clean_session(
        workspace=workspace,
        title=title,
        cycles=cycles,
        facilitator=facilitator,
        timezone_name=timezone,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        rrule=rrule,
        reminder_leads=reminder_leads,
        members=members,
        guests=guests,
        check_past=starts_at != session.starts_at,
    )
    session.title = title
    session.description = description.strip()
    session.facilitator = facilitator
    session.timezone = timezone
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.rrule = rule
    session.location = location.strip()
    session.structured = structured
    session.reminder_leads = leads
    session.save()
    # Its moved and cancelled meetings move with the series (stewardship/sessions/carry.py).
    carry_meetings(session=session, old=shape)
    _set_cycles(workspace=workspace, session=session, cycles=cycles)
    changed = _set_participants(
        workspace=workspace, session=session, members=members, guests=cleaned_guests
    )
    if changed or _edited(workspace=workspace, session=session) != before:
        # Only a real change makes other open edit pages stale.
        session.revision = next_revision(session)
        session.save(update_fields=["revision"])
    session_changed(session=session, change="updated")
    if changed:
        session_changed(session=session, change="participants")
    return session


# What the edit form shows beside a stale save (its own field names, for the editor's values).
CONFLICT_FIELDS = (
    "title",
    "description",
    "cycles",
    "start_date",
    "start_time",
    "timezone",
    "duration_minutes",
    "repeats",
    "location",
    "facilitator",
    "members",
    "guests",
)
CONFLICT_LABELS = {
    "cycles": _lazy("For which cycles"),
    "start_date": _lazy("First meeting: date"),
    "start_time": _lazy("Time"),
    "repeats": _lazy("Repeats"),
    "facilitator": _lazy("Facilitator"),
    "members": _lazy("Members invited"),
    "guests": _lazy("Guests by email"),
}


def conflict_values(*, workspace: Workspace, session: Session) -> dict[str, object]:
    """The session as its edit form words it: local date and time, the rule described, people
    by name (`CONFLICT_FIELDS`). The page puts the editor's values, worded alike, beside it."""
    local = session.starts_at.astimezone(zone(session.timezone))
    participants = SessionParticipant.objects.filter(
        workspace=workspace, session=session
    ).select_related("user")
    return {
        "cycles": sorted(session.cycles.values_list("name", flat=True)),
        "start_date": local.date(),
        "start_time": local.strftime("%H:%M"),
        "repeats": describe_rule(session.rrule),
        "facilitator": session.facilitator.display_name if session.facilitator else "",
        "members": sorted(p.user.display_name for p in participants if p.user is not None),
        "guests": "\n".join(sorted(p.email for p in participants if p.user_id is None)),
    }


def _edited(*, workspace: Workspace, session: Session) -> tuple[object, ...]:
    """What an edit of the series may change (participants are compared as they are synced)."""
    cycles = set(
        SessionCycle.objects.filter(workspace=workspace, session=session).values_list(
            "cycle_id", flat=True
        )
    )
    return (
        session.title,
        session.description,
        session.facilitator_id,
        session.timezone,
        session.starts_at,
        session.duration_minutes,
        session.rrule,
        session.location,
        session.structured,
        list(session.reminder_leads),
        cycles,
    )


@transaction.atomic
def session_cancel(*, workspace: Workspace, session: Session, by: Membership) -> Session:
    """Cancel the whole series (kept, with its history)."""
    require_may_change(membership=by, session=session)
    session = Session.objects.select_for_update().get(workspace=workspace, pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        return session
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    session_changed(session=session, change="cancelled")
    return session


@transaction.atomic
def session_lighten(
    *, workspace: Workspace, session: Session, by: Membership, rrule: str
) -> Session:
    """Take the lighter rhythm offered (see selectors.lighter_cadence_offer)."""
    require_may_lighten(membership=by, session=session)
    return session_update(
        workspace=workspace,
        session=session,
        by=by,
        title=session.title,
        description=session.description,
        cycles=list(session.cycles.all()),
        facilitator=session.facilitator,
        timezone=session.timezone,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        rrule=rrule,
        location=session.location,
        structured=session.structured,
        reminder_leads=session.reminder_leads,
    )


@transaction.atomic
def participants_set(
    *,
    workspace: Workspace,
    session: Session,
    by: Membership,
    members: Sequence[User],
    guests: Iterable[str],
) -> Session:
    """Set who is invited: members of the workspace and guests by email."""
    require_may_change(membership=by, session=session)
    cleaned = clean_guests(guests)
    known = set(
        Membership.objects.filter(
            workspace=workspace, user__in=[m.pk for m in members]
        ).values_list("user_id", flat=True)
    )
    if any(m.pk not in known for m in members):
        raise ValidationError({"members": _("Choose members of this workspace.")})
    if _set_participants(workspace=workspace, session=session, members=members, guests=cleaned):
        session.save(update_fields=["updated_at"])  # who is invited is part of the session
        session_changed(session=session, change="participants")
    return session


@transaction.atomic
def session_respond(
    *, workspace: Workspace, session: Session, user: User, response: str
) -> SessionParticipant:
    """A member participant says they are coming (accepted) or not (declined)."""
    if response not in (
        SessionParticipant.Response.ACCEPTED,
        SessionParticipant.Response.DECLINED,
    ):
        raise ValidationError({"response": _("Say whether you are coming.")})
    participant = (
        SessionParticipant.objects.select_for_update()
        .filter(workspace=workspace, session=session, user=user)
        .first()
    )
    if participant is None:
        raise PermissionDenied(_("Only those invited to this session answer its invitation."))
    participant.response = response
    participant.save(update_fields=["response"])
    session_changed(session=session, change="participants")
    return participant


# Meetings -------------------------------------------------------------------------------------


def _slot(session: Session, original_start: dt.datetime) -> Slot:
    slot = slot_at(session, original_start)
    if slot is None:
        raise ValidationError(_("This series has no meeting at that time."))
    return slot


def occurrence_for(*, workspace: Workspace, slot: Slot) -> Occurrence:
    """The stored row of a meeting, made when something first attaches to it."""
    if slot.occurrence is not None:
        return slot.occurrence
    occurrence, _created = Occurrence.objects.get_or_create(
        workspace=workspace,
        session=slot.session,
        original_start=slot.original_start,
        defaults={"starts_at": slot.starts_at, "cancelled": slot.cancelled},
    )
    return occurrence


@transaction.atomic
def occurrence_move(
    *,
    workspace: Workspace,
    session: Session,
    by: Membership,
    original_start: dt.datetime,
    starts_at: dt.datetime,
) -> Occurrence:
    """Move one meeting of the series; the rest stay where they are."""
    require_may_change(membership=by, session=session)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    slot = _slot(session, original_start)
    if starts_at < timezone.now():
        raise ValidationError(
            {"starts_at": _("That time is in the past. Choose a time from now on.")}
        )
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    occurrence.starts_at = starts_at
    occurrence.cancelled = False
    occurrence.save(update_fields=["starts_at", "cancelled", "updated_at"])
    session_changed(session=session, change="occurrence")
    return occurrence


@transaction.atomic
def occurrence_cancel(
    *, workspace: Workspace, session: Session, by: Membership, original_start: dt.datetime
) -> Occurrence:
    """Cancel one meeting of the series."""
    require_may_change(membership=by, session=session)
    slot = _slot(session, original_start)
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    if not occurrence.cancelled:
        occurrence.cancelled = True
        occurrence.save(update_fields=["cancelled", "updated_at"])
        session_changed(session=session, change="occurrence")
    return occurrence


@transaction.atomic
def occurrence_notes_save(
    *,
    workspace: Workspace,
    slot: Slot,
    by: Membership,
    notes: str,
    question_ids: Iterable[int] | None = None,
    revision: int | None = None,
) -> Occurrence:
    """Save the meeting's notes (and which questions were discussed, when given).

    `revision` is the notes' revision the editor started from (1 for a meeting with no notes
    yet): if someone saved the notes since, `EditConflict` carries theirs and nothing is
    written (hls/conflicts.py). Autosave goes through here too."""
    require_may_facilitate(membership=by, session=slot.session)
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    occurrence = lock_current(
        Occurrence, workspace=workspace, pk=occurrence.pk, related=["notes_by"], of=["self"]
    )
    require_current(
        occurrence,
        revision=revision,
        fields=["notes"],
        counter="notes_revision",
        saved_by=occurrence.notes_by,
    )
    notes = notes.strip()
    if notes != occurrence.notes:
        occurrence.notes = notes
        occurrence.notes_revision = next_revision(occurrence, "notes_revision")
        occurrence.notes_by = by.user
    if occurrence.held_at is None:
        occurrence.held_at = timezone.now()
    occurrence.save(update_fields=["notes", "notes_revision", "notes_by", "held_at", "updated_at"])
    if question_ids is not None:
        questions_discussed_set(
            workspace=workspace, occurrence=occurrence, by=by, question_ids=question_ids
        )
    return occurrence


@transaction.atomic
def questions_discussed_set(
    *, workspace: Workspace, occurrence: Occurrence, by: Membership, question_ids: Iterable[int]
) -> None:
    require_may_facilitate(membership=by, session=occurrence.session)
    wanted = set(
        Question.objects.filter(workspace=workspace, pk__in=list(question_ids)).values_list(
            "pk", flat=True
        )
    )
    OccurrenceQuestion.objects.filter(workspace=workspace, occurrence=occurrence).exclude(
        question_id__in=wanted
    ).delete()
    have = set(
        OccurrenceQuestion.objects.filter(workspace=workspace, occurrence=occurrence).values_list(
            "question_id", flat=True
        )
    )
    OccurrenceQuestion.objects.bulk_create(
        OccurrenceQuestion(workspace=workspace, occurrence=occurrence, question_id=pk)
        for pk in sorted(wanted - have)
    )


@transaction.atomic
def attendance_set(
    *, workspace: Workspace, slot: Slot, by: Membership, attended_ids: Iterable[int]
) -> Occurrence:
    """Record who came: every participant gets a row, attended or not."""
    require_may_facilitate(membership=by, session=slot.session)
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    attended = {int(pk) for pk in attended_ids}
    participants = list(
        SessionParticipant.objects.filter(workspace=workspace, session=slot.session).values_list(
            "pk", flat=True
        )
    )
    existing = {
        a.participant_id: a
        for a in Attendance.objects.filter(workspace=workspace, occurrence=occurrence)
    }
    for pk in participants:
        row = existing.get(pk)
        if row is None:
            Attendance.objects.create(
                workspace=workspace,
                occurrence=occurrence,
                participant_id=pk,
                attended=pk in attended,
            )
        elif row.attended != (pk in attended):
            row.attended = pk in attended
            row.save(update_fields=["attended"])
    if occurrence.held_at is None:
        occurrence.held_at = timezone.now()
        occurrence.save(update_fields=["held_at", "updated_at"])
    return occurrence


@transaction.atomic
def occurrence_done(*, workspace: Workspace, slot: Slot, by: Membership) -> Occurrence:
    """Record that this meeting's outputs are complete."""
    require_may_facilitate(membership=by, session=slot.session)
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    occurrence.outputs_recorded_at = timezone.now()
    occurrence.held_at = occurrence.held_at or occurrence.outputs_recorded_at
    occurrence.save(update_fields=["outputs_recorded_at", "held_at", "updated_at"])
    webhook_emit(
        workspace=workspace,
        event="session.outputs_recorded",
        resource="session",
        object_id=occurrence.session_id,
        data={"occurrence": occurrence.pk, "starts_at": occurrence.starts_at.isoformat()},
    )
    return occurrence


# Outputs --------------------------------------------------------------------------------------

_ENTRY_KINDS = {
    SessionOutput.Kind.INSIGHT: Entry.Kind.INSIGHT,
    SessionOutput.Kind.DECISION: Entry.Kind.DECISION,
    SessionOutput.Kind.QUESTION: Entry.Kind.QUESTION,
    SessionOutput.Kind.BARRIER: Entry.Kind.BARRIER,
}


@transaction.atomic
def output_add(
    *,
    workspace: Workspace,
    slot: Slot,
    by: Membership,
    cycle: Cycle,
    kind: str,
    text: str,
    visibility: int = ShareLevel.CYCLE,
) -> SessionOutput:
    """Write what the meeting produced into one of the session's cycles, with a link back.

    Only those who may facilitate the meeting record it (`by`). Insights, decisions, questions
    and barriers become entries by them; a barrier shared upward is also raised to the cycle
    above (when there is one). A new experiment is designed (planned) only by someone inside the
    cycle (cycles.trust), owned by the session's facilitator when they are inside it too, else by
    whoever records it."""
    session = slot.session
    require_may_facilitate(membership=by, session=session)
    recorded_by = by.user
    if kind not in SessionOutput.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of output this is.")})
    if not SessionCycle.objects.filter(workspace=workspace, session=session, cycle=cycle).exists():
        raise ValidationError({"cycle": _("Choose one of this session's cycles.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the output before adding it.")})
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    output = SessionOutput(
        workspace=workspace,
        occurrence=occurrence,
        cycle=cycle,
        kind=kind,
        text=text,
        created_by=recorded_by,
    )
    if kind == SessionOutput.Kind.EXPERIMENT:
        title = text.splitlines()[0].strip()
        if len(title) > 80:
            title = title[:79].rstrip() + "…"
        if not trust_for(workspace=workspace, user=recorded_by).may_steer(cycle):
            raise ValidationError(
                {
                    "kind": _(
                        "Only the cycle's own members plan an experiment in it. Record this as "
                        "an idea, so they can take it up."
                    )
                }
            )
        facilitator = session.facilitator
        inside = facilitator and trust_for(workspace=workspace, user=facilitator).inside(cycle)
        owner = facilitator if inside else recorded_by
        try:
            output.experiment = experiment_create(
                workspace=workspace,
                cycle=cycle,
                created_by=recorded_by,
                design=ExperimentDesign(title=title, what_we_will_try=text, owner=owner),
            )
        except ValidationError as error:
            raise ValidationError({"text": error.messages}) from error
    else:
        if int(visibility) not in ShareLevel.values:
            raise ValidationError({"visibility": _("Choose who can see it from the list.")})
        # At the level the group chose, at once: a new entry (cycles.services.entry_create).
        output.entry = entry_create(
            workspace=workspace,
            author=recorded_by,
            cycle=cycle,
            kind=_ENTRY_KINDS[SessionOutput.Kind(kind)],
            text=text,
            visibility=int(visibility),
        )
        if kind == SessionOutput.Kind.BARRIER and output.entry.is_shared_upward:
            above = cycles_above(workspace=workspace, cycle=cycle).order_by("name", "pk").first()
            if above is not None:
                barrier_raise(
                    workspace=workspace, entry=output.entry, to_cycle=above, raised_by=recorded_by
                )
    output.save()
    if occurrence.held_at is None:
        occurrence.held_at = timezone.now()
        occurrence.save(update_fields=["held_at", "updated_at"])
    return output


# Felt heard -----------------------------------------------------------------------------------


@transaction.atomic
def heard_answer(
    *, workspace: Workspace, slot: Slot, user: User, felt_heard: str, comment: str = ""
) -> Occurrence:
    """One anonymous answer per member participant: the receipt (who) and the answer (what) are
    written apart, in one transaction, and nothing joins them. Returns the meeting answered for."""
    if felt_heard not in HeardAnswer.FeltHeard.values:
        raise ValidationError({"felt_heard": _("Choose yes, partly or no.")})
    if not SessionParticipant.objects.filter(
        workspace=workspace, session=slot.session, user=user
    ).exists():
        raise PermissionDenied(_("Only those invited to this session answer this."))
    occurrence = occurrence_for(workspace=workspace, slot=slot)
    try:
        with transaction.atomic():
            HeardReceipt.objects.create(workspace=workspace, occurrence=occurrence, user=user)
    except IntegrityError as error:
        raise ValidationError(
            _("You have already answered for this meeting. Thank you: it is counted once.")
        ) from error
    HeardAnswer.objects.create(
        workspace=workspace, occurrence=occurrence, felt_heard=felt_heard, comment=comment.strip()
    )
    return occurrence
