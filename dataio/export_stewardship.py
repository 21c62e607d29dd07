"""The export's files for stewardship: place cycles' set-up (charters, principles, signatures,
stewards, participation, accountability), the question bank, sense-making sessions and their
meetings, learning reports, the burden ledger and learning partners' heads-up notes.

Each reads through the page's rule: sessions through `sessions_visible_to` (admins and
stewards, a session's facilitator, participants and the members of its cycles); what only
facilitation shows (a meeting's notes, attendance, the questions discussed, the totals of "did
you feel heard?", never below the workspace's small-count threshold and never who answered)
only for the sessions the member may facilitate; session outputs through `outputs_visible_to`;
heads-ups through `heads_ups_visible_to` (the cycle's stewards and their author, nobody else).
Every member reads the place pages, the question bank, the reports and the ledger."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from dataio.export_naming import Naming, Rows, as_json, resource
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from hls.tenancy.permissions import can
from stewardship.models import (
    Accountability,
    Attendance,
    Charter,
    CharterSignature,
    HeardAnswer,
    LearningReport,
    LearningTime,
    Occurrence,
    OccurrenceQuestion,
    Participation,
    PlaceSetup,
    Principle,
    Question,
    QuestionRevision,
    ReportComment,
    ReportCycle,
    ReportSection,
    Session,
    SessionCycle,
    SessionParticipant,
    StewardRole,
    StopDoing,
)
from stewardship.partners.access import heads_ups_visible_to
from stewardship.sessions.selectors import (
    is_overseer,
    outputs_visible_to,
    sessions_visible_to,
)

# --- Place cycles' set-up ------------------------------------------------------------------------


@resource("cycle_id", "cycle", "completed_steps", "started_at", "updated_at")
def place_setups(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "cycle_id": s.cycle_id,
            "cycle": naming.cycle_of(s.cycle_id),
            "completed_steps": "; ".join(s.completed_steps),
            "started_at": s.started_at,
            "updated_at": s.updated_at,
        }
        for s in PlaceSetup.objects.filter(workspace=workspace).order_by("cycle_id")
    ]


@resource("id", "cycle_id", "cycle", "title", "preamble", "version", "updated_at")
def charters(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": c.pk,
            "cycle_id": c.cycle_id,
            "cycle": naming.cycle_of(c.cycle_id),
            "title": c.title,
            "preamble": c.preamble,
            "version": c.version,
            "updated_at": c.updated_at,
        }
        for c in Charter.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "charter_id", "position", "title", "description")
def principles(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": p.pk,
            "charter_id": p.charter_id,
            "position": p.position,
            "title": p.title,
            "description": p.description,
        }
        for p in Principle.objects.filter(workspace=workspace).order_by(
            "charter_id", "position", "pk"
        )
    ]


@resource("id", "charter_id", "organisation_id", "organisation", "version", "signed_by_name",
          "signed_on")  # fmt: skip
def charter_signatures(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "charter_id": s.charter_id,
            "organisation_id": s.organisation_id,
            "organisation": s.organisation.name,
            "version": s.version,
            "signed_by_name": s.signed_by_name,
            "signed_on": s.signed_on,
        }
        for s in CharterSignature.objects.filter(workspace=workspace)
        .select_related("organisation")
        .order_by("pk")
    ]


@resource(
    "id", "cycle_id", "cycle", "member_email", "holder_name", "mandate", "answers_to",
    "review_on", "created_at", "ended_at",
)  # fmt: skip
def steward_roles(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": r.pk,
            "cycle_id": r.cycle_id,
            "cycle": naming.cycle_of(r.cycle_id),
            "member_email": naming.email(r.user_id),
            "holder_name": r.holder_name,
            "mandate": r.mandate,
            "answers_to": r.answers_to,
            "review_on": r.review_on,
            "created_at": r.created_at,
            "ended_at": r.ended_at,
        }
        for r in StewardRole.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "cycle_id", "cycle", "name", "kind", "status", "notes", "created_at",
          "updated_at")  # fmt: skip
def participation(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": p.pk,
            "cycle_id": p.cycle_id,
            "cycle": naming.cycle_of(p.cycle_id),
            "name": p.name,
            "kind": p.kind,
            "status": p.status,
            "notes": p.notes,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        }
        for p in Participation.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "cycle_id", "cycle", "to_whom", "forum", "cadence", "notes", "created_at")
def accountabilities(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": a.pk,
            "cycle_id": a.cycle_id,
            "cycle": naming.cycle_of(a.cycle_id),
            "to_whom": a.to_whom,
            "forum": a.forum,
            "cadence": a.cadence,
            "notes": a.notes,
            "created_at": a.created_at,
        }
        for a in Accountability.objects.filter(workspace=workspace).order_by("pk")
    ]


# --- The question bank ---------------------------------------------------------------------------


@resource(
    "id", "scale_id", "scale", "phase", "mode", "text", "how_would_we_know", "who_discusses",
    "what_information", "what_space", "source", "starter", "active", "version", "created_at",
    "updated_at",
)  # fmt: skip
def questions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": q.pk,
            "scale_id": q.scale_id,
            "scale": q.scale.name if q.scale else "",
            "phase": q.phase,
            "mode": q.mode,
            "text": q.text,
            "how_would_we_know": q.how_would_we_know,
            "who_discusses": q.who_discusses,
            "what_information": q.what_information,
            "what_space": q.what_space,
            "source": q.source,
            "starter": q.starter,
            "active": q.active,
            "version": q.version,
            "created_at": q.created_at,
            "updated_at": q.updated_at,
        }
        for q in Question.objects.filter(workspace=workspace).select_related("scale").order_by("pk")
    ]


@resource("question_id", "version", "data", "edited_by_email", "edited_at")
def question_revisions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """A question as it was before each edit (its history page)."""
    return [
        {
            "question_id": r.question_id,
            "version": r.version,
            "data": as_json(r.data),
            "edited_by_email": naming.email(r.edited_by_id),
            "edited_at": r.edited_at,
        }
        for r in QuestionRevision.objects.filter(workspace=workspace).order_by(
            "question_id", "version", "pk"
        )
    ]


# --- Sense-making sessions -----------------------------------------------------------------------


def _sessions(workspace: Workspace, naming: Naming) -> QuerySet[Session]:
    if naming.membership is None:
        return Session.objects.none()
    return sessions_visible_to(workspace=workspace, membership=naming.membership)


def _facilitated(workspace: Workspace, naming: Naming) -> QuerySet[Session]:
    """The sessions whose meetings the member may facilitate (`may_facilitate`, as a query):
    their notes, attendance, questions discussed and "did you feel heard?" totals."""
    membership = naming.membership
    sessions = _sessions(workspace, naming)
    if membership is None or is_overseer(membership):
        return sessions
    facilitates = Q(facilitator_id=membership.user_id)
    if can(membership, "sessions.manage"):
        facilitates |= Q(
            Exists(
                SessionParticipant.objects.filter(
                    workspace=workspace, session=OuterRef("pk"), user_id=membership.user_id
                )
            )
        )
    return sessions.filter(facilitates)


@resource(
    "id", "uid", "title", "description", "facilitator_email", "timezone", "starts_at",
    "duration_minutes", "rrule", "location", "structured", "status", "created_by_email",
    "created_at",
)  # fmt: skip
def sessions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "uid": str(s.uid),
            "title": s.title,
            "description": s.description,
            "facilitator_email": naming.email(s.facilitator_id),
            "timezone": s.timezone,
            "starts_at": s.starts_at,
            "duration_minutes": s.duration_minutes,
            "rrule": s.rrule,
            "location": s.location,
            "structured": s.structured,
            "status": s.status,
            "created_by_email": naming.email(s.created_by_id),
            "created_at": s.created_at,
        }
        for s in _sessions(workspace, naming).order_by("pk")
    ]


@resource("session_id", "cycle_id", "cycle")
def session_cycles(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "session_id": sc.session_id,
            "cycle_id": sc.cycle_id,
            "cycle": naming.cycle_of(sc.cycle_id),
        }
        for sc in SessionCycle.objects.filter(
            workspace=workspace, session__in=_sessions(workspace, naming).values("pk")
        ).order_by("session_id", "cycle_id")
    ]


@resource("id", "session_id", "member_email", "guest", "response")
def session_participants(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Who is invited, as the session's page shows them: a member by email, a guest by the
    name they were invited with (their email only when no name was given)."""
    return [
        {
            "id": p.pk,
            "session_id": p.session_id,
            "member_email": naming.email(p.user_id),
            "guest": "" if p.user_id else (p.name or p.email),
            "response": p.response,
        }
        for p in SessionParticipant.objects.filter(
            workspace=workspace, session__in=_sessions(workspace, naming).values("pk")
        ).order_by("session_id", "pk")
    ]


@resource(
    "id", "session_id", "original_start", "starts_at", "cancelled", "held_at",
    "outputs_recorded_at", "notes",
)  # fmt: skip
def occurrences(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The meetings stored (moved, cancelled or held); their notes only to those who may
    facilitate them."""
    facilitated = set(_facilitated(workspace, naming).values_list("pk", flat=True))
    return [
        {
            "id": o.pk,
            "session_id": o.session_id,
            "original_start": o.original_start,
            "starts_at": o.starts_at,
            "cancelled": o.cancelled,
            "held_at": o.held_at,
            "outputs_recorded_at": o.outputs_recorded_at,
            "notes": o.notes if o.session_id in facilitated else "",
        }
        for o in Occurrence.objects.filter(
            workspace=workspace, session__in=_sessions(workspace, naming).values("pk")
        ).order_by("session_id", "original_start", "pk")
    ]


@resource("occurrence_id", "question_id")
def occurrence_questions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"occurrence_id": oq.occurrence_id, "question_id": oq.question_id}
        for oq in OccurrenceQuestion.objects.filter(
            workspace=workspace,
            occurrence__session__in=_facilitated(workspace, naming).values("pk"),
        ).order_by("occurrence_id", "question_id")
    ]


@resource("occurrence_id", "participant_id", "attended")
def attendance(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "occurrence_id": a.occurrence_id,
            "participant_id": a.participant_id,
            "attended": a.attended,
        }
        for a in Attendance.objects.filter(
            workspace=workspace,
            occurrence__session__in=_facilitated(workspace, naming).values("pk"),
        ).order_by("occurrence_id", "participant_id")
    ]


@resource("occurrence_id", "answered", "yes", "partly", "no", "comments")
def heard(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """ "Did you feel heard?" as the facilitation page shows it: totals per meeting, only where
    at least the workspace's small-count threshold answered; comments without who or when, in
    alphabetical order (never the order they came in)."""
    answers: dict[int, list[HeardAnswer]] = {}
    for a in HeardAnswer.objects.filter(
        workspace=workspace, occurrence__session__in=_facilitated(workspace, naming).values("pk")
    ):
        answers.setdefault(a.occurrence_id, []).append(a)
    rows = []
    for occurrence_id, given in sorted(answers.items()):
        if len(given) < workspace.small_count_threshold:
            continue
        felt = [a.felt_heard for a in given]
        rows.append(
            {
                "occurrence_id": occurrence_id,
                "answered": len(given),
                "yes": felt.count(HeardAnswer.FeltHeard.YES),
                "partly": felt.count(HeardAnswer.FeltHeard.PARTLY),
                "no": felt.count(HeardAnswer.FeltHeard.NO),
                "comments": as_json(sorted(a.comment for a in given if a.comment.strip())),
            }
        )
    return rows


@resource(
    "id", "occurrence_id", "cycle_id", "cycle", "kind", "text", "entry_id", "experiment_id",
    "created_by_email", "created_at",
)  # fmt: skip
def session_outputs(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """What sessions wrote into cycles: an output written as an entry only where the member may
    read the entry (`outputs_visible_to`)."""
    if naming.membership is None:
        return []
    return [
        {
            "id": o.pk,
            "occurrence_id": o.occurrence_id,
            "cycle_id": o.cycle_id,
            "cycle": naming.cycle_of(o.cycle_id),
            "kind": o.kind,
            "text": o.text,
            "entry_id": o.entry_id,
            "experiment_id": o.experiment_id,
            "created_by_email": naming.email_in(o.created_by_id, o.cycle_id),
            "created_at": o.created_at,
        }
        for o in outputs_visible_to(workspace=workspace, membership=naming.membership).order_by(
            "pk"
        )
    ]


# --- Learning reports ----------------------------------------------------------------------------


@resource(
    "id", "title", "period_start", "period_end", "status", "content", "receiver_account",
    "created_by_email", "created_at", "updated_at", "published_at", "published_by_email",
)  # fmt: skip
def learning_reports(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Every report, as every member reads it: its assembled evidence (`content`, chosen and
    pseudonymised at assembly) and the receiver's own account."""
    return [
        {
            "id": r.pk,
            "title": r.title,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "status": r.status,
            "content": as_json(r.content),
            "receiver_account": r.receiver_account,
            "created_by_email": naming.email(r.created_by_id),
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "published_at": r.published_at,
            "published_by_email": naming.email(r.published_by_id),
        }
        for r in LearningReport.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("report_id", "cycle_id", "cycle")
def report_cycles(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"report_id": rc.report_id, "cycle_id": rc.cycle_id, "cycle": naming.cycle_of(rc.cycle_id)}
        for rc in ReportCycle.objects.filter(workspace=workspace).order_by("report_id", "cycle_id")
    ]


@resource("id", "report_id", "key", "heading", "position", "body", "version",
          "updated_by_email", "updated_at")  # fmt: skip
def report_sections(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "report_id": s.report_id,
            "key": s.key,
            "heading": s.heading,
            "position": s.position,
            "body": s.body,
            "version": s.version,
            "updated_by_email": naming.email(s.updated_by_id),
            "updated_at": s.updated_at,
        }
        for s in ReportSection.objects.filter(workspace=workspace).order_by(
            "report_id", "position", "pk"
        )
    ]


@resource("id", "report_id", "section_id", "author_email", "text", "created_at")
def report_comments(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": c.pk,
            "report_id": c.report_id,
            "section_id": c.section_id,
            "author_email": naming.email(c.author_id),
            "text": c.text,
            "created_at": c.created_at,
        }
        for c in ReportComment.objects.filter(workspace=workspace).order_by("pk")
    ]


# --- The burden ledger and heads-up notes --------------------------------------------------------


@resource("cycle_id", "cycle", "hours", "per", "how", "updated_by_email", "updated_at")
def learning_time(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "cycle_id": t.cycle_id,
            "cycle": naming.cycle_of(t.cycle_id),
            "hours": format(t.hours, "f"),
            "per": t.per,
            "how": t.how,
            "updated_by_email": naming.email_in(t.updated_by_id, t.cycle_id),
            "updated_at": t.updated_at,
        }
        for t in LearningTime.objects.filter(workspace=workspace).order_by("cycle_id")
    ]


@resource(
    "id", "cycle_id", "cycle", "what", "frees", "since", "status", "resumed_why", "resumed_on",
    "added_by_email", "created_at",
)  # fmt: skip
def stop_doing(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "cycle_id": s.cycle_id,
            "cycle": naming.cycle_of(s.cycle_id),
            "what": s.what,
            "frees": s.frees,
            "since": s.since,
            "status": s.status,
            "resumed_why": s.resumed_why,
            "resumed_on": s.resumed_on,
            "added_by_email": naming.email_in(s.added_by_id, s.cycle_id),
            "created_at": s.created_at,
        }
        for s in StopDoing.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource(
    "id", "cycle_id", "cycle", "author_email", "text", "status", "answer", "answered_by_email",
    "answered_at", "created_at",
)  # fmt: skip
def heads_ups(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """A learning partner's notes to a cycle: only for the cycle's stewards and their author
    (`heads_ups_visible_to`); never for those above, admins outside included."""
    if naming.membership is None:
        return []
    visible = heads_ups_visible_to(
        workspace=workspace, membership=naming.membership, trust=naming.trust
    )
    return [
        {
            "id": h.pk,
            "cycle_id": h.cycle_id,
            "cycle": naming.cycle_of(h.cycle_id),
            "author_email": naming.email(h.author_id),
            "text": h.text,
            "status": h.status,
            "answer": h.answer,
            "answered_by_email": naming.email(h.answered_by_id),
            "answered_at": h.answered_at,
            "created_at": h.created_at,
        }
        for h in visible.order_by("pk")
    ]


RESOURCES = {
    "place_setups": place_setups,
    "charters": charters,
    "principles": principles,
    "charter_signatures": charter_signatures,
    "steward_roles": steward_roles,
    "participation": participation,
    "accountabilities": accountabilities,
    "questions": questions,
    "question_revisions": question_revisions,
    "sessions": sessions,
    "session_cycles": session_cycles,
    "session_participants": session_participants,
    "occurrences": occurrences,
    "occurrence_questions": occurrence_questions,
    "attendance": attendance,
    "heard": heard,
    "session_outputs": session_outputs,
    "learning_reports": learning_reports,
    "report_cycles": report_cycles,
    "report_sections": report_sections,
    "report_comments": report_comments,
    "learning_time": learning_time,
    "stop_doing": stop_doing,
    "heads_ups": heads_ups,
}
