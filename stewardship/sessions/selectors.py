"""Reads for sense-making sessions. Who sees a session: the workspace's admins and stewards, its
facilitator, its participants, and the members of its cycles. Everyone else gets a 404.

Who may change a session (edit, cancel, move or cancel a meeting, take a lighter rhythm): its
facilitator, the member who created it, and admins and stewards. Who may facilitate a meeting
(notes, attendance, questions, outputs): the facilitator, admins and stewards, and any
participant whose role has `sessions.manage`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cycles.models import Cycle, CycleMember
from cycles.selectors import entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Membership, Workspace
from hls.tenancy.permissions import can
from stewardship.models import (
    Attendance,
    HeardAnswer,
    HeardReceipt,
    Occurrence,
    Reminder,
    Session,
    SessionCycle,
    SessionOutput,
    SessionParticipant,
)
from stewardship.sessions.recurrence import Slot, session_slots
from stewardship.sessions.repeat import lighter_rule

UPCOMING_WEEKS = 8
PAST_WEEKS = 26
PAST_LIMIT = 20
FATIGUE_MEETINGS = 4


def is_overseer(membership: Membership | None) -> bool:
    """Workspace admins and stewards see and may change every session."""
    return can(membership, "stewardship.manage")


def sessions_visible_to(*, workspace: Workspace, membership: Membership) -> QuerySet[Session]:
    sessions = Session.objects.filter(workspace=workspace)
    if is_overseer(membership):
        return sessions
    user = membership.user
    my_cycles = CycleMember.objects.filter(workspace=workspace, user=user).values("cycle_id")
    return sessions.filter(
        Q(facilitator=user)
        | Exists(
            SessionParticipant.objects.filter(
                workspace=workspace, session=OuterRef("pk"), user=user
            )
        )
        | Exists(
            SessionCycle.objects.filter(
                workspace=workspace, session=OuterRef("pk"), cycle_id__in=my_cycles
            )
        )
    )


def may_change(*, membership: Membership, session: Session) -> bool:
    return can(membership, "sessions.manage") and (
        is_overseer(membership)
        or session.facilitator_id == membership.user_id
        or session.created_by_id == membership.user_id
    )


def may_lighten(*, membership: Membership, session: Session) -> bool:
    """Take a lighter rhythm (and be offered one): its facilitator, stewards and admins."""
    return can(membership, "sessions.manage") and (
        is_overseer(membership) or session.facilitator_id == membership.user_id
    )


def participant_of(
    *, workspace: Workspace, session: Session, user: User
) -> SessionParticipant | None:
    return SessionParticipant.objects.filter(
        workspace=workspace, session=session, user=user
    ).first()


def may_facilitate(*, workspace: Workspace, membership: Membership, session: Session) -> bool:
    if session.facilitator_id == membership.user_id or is_overseer(membership):
        return True
    return can(membership, "sessions.manage") and (
        participant_of(workspace=workspace, session=session, user=membership.user) is not None
    )


def outputs_visible_to(*, workspace: Workspace, membership: Membership) -> QuerySet[SessionOutput]:
    """Outputs of the sessions the viewer sees. An output written as an entry shows only if the
    viewer may read that entry (the cycles' own visibility rule); experiments show as they are."""
    entries = entries_visible_to(workspace=workspace, user=membership.user)
    return SessionOutput.objects.filter(
        workspace=workspace,
        occurrence__session__in=sessions_visible_to(workspace=workspace, membership=membership),
    ).filter(Q(entry__isnull=True) | Q(entry__in=entries.values("pk")))


def _with_related(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.select_related("facilitator").prefetch_related(
        Prefetch("occurrences", queryset=Occurrence.objects.order_by("starts_at", "pk")),
        Prefetch("cycles", queryset=Cycle.objects.order_by("name", "pk")),
    )


@dataclass(frozen=True)
class MeetingList:
    upcoming: list[Slot]
    past: list[Slot]


def meetings_for(*, workspace: Workspace, membership: Membership) -> MeetingList:
    """The viewer's meetings: upcoming in the next eight weeks and past ones (recent first).
    A constant number of queries, whatever the number of sessions and meetings."""
    now = timezone.now()
    sessions = list(_with_related(sessions_visible_to(workspace=workspace, membership=membership)))
    upcoming: list[Slot] = []
    past: list[Slot] = []
    for session in sessions:
        overrides = list(session.occurrences.all())
        if session.status == Session.Status.ACTIVE:
            upcoming += session_slots(
                session,
                after=now,
                before=now + dt.timedelta(weeks=UPCOMING_WEEKS),
                overrides=overrides,
            )
        past += session_slots(
            session, after=now - dt.timedelta(weeks=PAST_WEEKS), before=now, overrides=overrides
        )
    upcoming.sort(key=lambda slot: slot.starts_at)
    past = [slot for slot in past if not slot.cancelled]
    past.sort(key=lambda slot: slot.starts_at, reverse=True)
    return MeetingList(upcoming, past[:PAST_LIMIT])


def session_for_page(
    *, workspace: Workspace, membership: Membership, session_id: int
) -> Session | None:
    return (
        _with_related(sessions_visible_to(workspace=workspace, membership=membership))
        .filter(pk=session_id)
        .first()
    )


def session_meetings(*, session: Session) -> MeetingList:
    """A session's next meetings (eight weeks, at least the next one) and its past meetings,
    with stored occurrences that have left the series (a rule changed) kept as history."""
    now = timezone.now()
    overrides = list(session.occurrences.all())
    upcoming = session_slots(
        session, after=now, before=now + dt.timedelta(weeks=UPCOMING_WEEKS), overrides=overrides
    )
    if not upcoming and session.status == Session.Status.ACTIVE:
        upcoming = session_slots(
            session, after=now, before=now + dt.timedelta(days=800), overrides=overrides
        )[:1]
    past = session_slots(
        session, after=session.starts_at - dt.timedelta(days=1), before=now, overrides=overrides
    )
    in_series = {slot.original_start for slot in past} | {s.original_start for s in upcoming}
    past += [
        Slot(session, o.original_start, o.starts_at, o.cancelled, o)
        for o in overrides
        if o.original_start not in in_series and o.starts_at < now and o.held_at is not None
    ]
    past = [slot for slot in past if not slot.cancelled]
    past.sort(key=lambda slot: slot.starts_at, reverse=True)
    return MeetingList(upcoming, past[:PAST_LIMIT])


def participants_of(*, workspace: Workspace, session: Session) -> QuerySet[SessionParticipant]:
    return (
        SessionParticipant.objects.filter(workspace=workspace, session=session)
        .select_related("user")
        .order_by("user__full_name", "email", "pk")
    )


def response_counts(*, workspace: Workspace, session: Session) -> dict[str, int]:
    """How many are coming, not coming, not answered: totals only."""
    counts = dict.fromkeys(SessionParticipant.Response.values, 0)
    for response in SessionParticipant.objects.filter(
        workspace=workspace, session=session
    ).values_list("response", flat=True):
        counts[response] += 1
    return counts


def previous_slot(slot: Slot, overrides: list[Occurrence] | None = None) -> Slot | None:
    """The meeting of the same series held (not cancelled) before this one, if any."""
    earlier = session_slots(
        slot.session,
        after=slot.session.starts_at - dt.timedelta(days=400),
        before=slot.starts_at,
        overrides=overrides,
    )
    earlier = [s for s in earlier if not s.cancelled and s.original_start != slot.original_start]
    return earlier[-1] if earlier else None


# Felt heard -----------------------------------------------------------------------------------


def has_answered_heard(*, workspace: Workspace, occurrence: Occurrence | None, user: User) -> bool:
    if occurrence is None:
        return False
    return HeardReceipt.objects.filter(
        workspace=workspace, occurrence=occurrence, user=user
    ).exists()


@dataclass(frozen=True)
class HeardTotals:
    answered: int
    shown: bool  # False when fewer than the workspace's small-count threshold answered
    threshold: int
    yes: int = 0
    partly: int = 0
    no: int = 0
    comments: tuple[str, ...] = ()


def heard_totals(*, workspace: Workspace, occurrence: Occurrence | None) -> HeardTotals:
    """Totals of "did you feel heard?", hidden below the workspace's small-count threshold."""
    threshold = workspace.small_count_threshold
    if occurrence is None:
        return HeardTotals(0, False, threshold)
    answers = list(
        HeardAnswer.objects.filter(workspace=workspace, occurrence=occurrence)
        .order_by("?")
        .values_list("felt_heard", "comment")
    )
    if len(answers) < threshold:
        return HeardTotals(len(answers), False, threshold)
    counts = {value: 0 for value in HeardAnswer.FeltHeard.values}
    for felt, _comment in answers:
        counts[felt] += 1
    comments = tuple(comment for _felt, comment in answers if comment.strip())
    return HeardTotals(
        len(answers), True, threshold, counts["yes"], counts["partly"], counts["no"], comments
    )


# Reflection fatigue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CadenceOffer:
    rule: str  # the lighter rule
    meetings: int  # how many recent meetings were looked at


def lighter_cadence_offer(*, workspace: Workspace, session: Session) -> CadenceOffer | None:
    """Offer a lighter rhythm when, over the last four past meetings, declines, recorded
    absences and snoozed reminders add up to at least half of the invitations. Aggregate counts
    only: nothing here says who."""
    if session.status != Session.Status.ACTIVE:
        return None
    rule = lighter_rule(session.rrule)
    if rule is None:
        return None
    now = timezone.now()
    overrides = list(Occurrence.objects.filter(workspace=workspace, session=session))
    past = [
        slot
        for slot in session_slots(
            session, after=session.starts_at - dt.timedelta(days=1), before=now, overrides=overrides
        )
        if not slot.cancelled
    ][-FATIGUE_MEETINGS:]
    if not past:
        return None
    participants = list(
        SessionParticipant.objects.filter(workspace=workspace, session=session).values_list(
            "pk", "response"
        )
    )
    invitations = len(participants) * len(past)
    if invitations == 0:
        return None
    occurrence_ids = [slot.occurrence.pk for slot in past if slot.occurrence is not None]
    recorded = dict(
        (
            (occurrence_id, participant_id),
            attended,
        )
        for occurrence_id, participant_id, attended in Attendance.objects.filter(
            workspace=workspace, occurrence_id__in=occurrence_ids
        ).values_list("occurrence_id", "participant_id", "attended")
    )
    skipped = 0
    for slot in past:
        for participant_id, response in participants:
            key = (slot.occurrence.pk if slot.occurrence else 0, participant_id)
            if key in recorded:
                skipped += not recorded[key]
            elif response == SessionParticipant.Response.DECLINED:
                skipped += 1
    snoozed = (
        Reminder.objects.filter(
            workspace=workspace,
            session=session,
            occurrence_start__in=[slot.original_start for slot in past],
        ).aggregate(total=Sum("snoozed_count"))["total"]
        or 0
    )
    if 2 * (skipped + snoozed) >= invitations:
        return CadenceOffer(rule=rule, meetings=len(past))
    return None


# Today (stewardship.today) -----------------------------------------------------------------------

TODAY_DAYS = 14


@dataclass(frozen=True)
class TodayMeeting:
    slot: Slot
    facilitating: bool  # the member facilitates the session
    place: bool  # a session of a place cycle (shown to stewards with its agenda)


def next_meetings_for(
    *, workspace: Workspace, membership: Membership, user: User, days: int = TODAY_DAYS
) -> list[TodayMeeting]:
    """The next meeting of each active session the member facilitates or is invited to, and,
    for stewards and admins, of each session of a place cycle: those in the next `days` days,
    soonest first. Three queries, whatever the number of sessions (`user` is the member's, as
    the request has it loaded)."""
    mine = Q(facilitator=user) | Exists(
        SessionParticipant.objects.filter(workspace=workspace, session=OuterRef("pk"), user=user)
    )
    place = Exists(
        SessionCycle.objects.filter(
            workspace=workspace, session=OuterRef("pk"), cycle__place_setup__isnull=False
        )
    )
    sessions = Session.objects.filter(workspace=workspace, status=Session.Status.ACTIVE)
    sessions = sessions.filter(mine | place) if is_overseer(membership) else sessions.filter(mine)
    now = timezone.now()
    found: list[TodayMeeting] = []
    sessions = sessions.annotate(is_place=place).prefetch_related(
        Prefetch("occurrences", queryset=Occurrence.objects.order_by("starts_at", "pk")),
        Prefetch(
            "cycles",
            queryset=Cycle.objects.select_related(
                "system__scale", "system__parent__scale"
            ).order_by("name", "pk"),
        ),
    )
    for session in sessions:
        slots = session_slots(
            session,
            after=now,
            before=now + dt.timedelta(days=days),
            overrides=list(session.occurrences.all()),
        )
        upcoming = [slot for slot in slots if not slot.cancelled]
        if upcoming:
            found.append(
                TodayMeeting(
                    slot=upcoming[0],
                    facilitating=session.facilitator_id == user.pk,
                    place=bool(session.is_place),
                )
            )
    found.sort(key=lambda meeting: meeting.slot.starts_at)
    return found
