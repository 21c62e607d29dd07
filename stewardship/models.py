"""Stewardship (DESIGN.md §2): place cycles and their charter, stewards, participation and
accountability; the question bank; sense-making sessions; reminders and notifications; learning
reports. Sub-areas keep their services, selectors and views in packages beside this file
(`setup/`, `questions/`, `sessions/`, `notifications/`, `reports/`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cycles.models import BarrierRoute, Cycle, Entry, Experiment, Phase
from hls.tenancy.models import Organisation, WorkspaceOwned
from systems.models import Actor, Factor, Scale

USER = settings.AUTH_USER_MODEL


# --- Place-cycle set-up -----------------------------------------------------------------------


class PlaceSetup(WorkspaceOwned):
    """Progress through the guided set-up of a place cycle, so it can be left and resumed."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="place_setup")
    completed_steps = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    started_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Charter(WorkspaceOwned):
    """A cycle's shared principles. Changing the principles makes a new version; signatures
    name the version they signed."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="charter")
    title = models.CharField(_("title"), max_length=160, default="Our shared principles")
    preamble = models.TextField(_("why we hold these principles"), blank=True)
    version = models.PositiveIntegerField(default=1)  # of the principles, as signed
    revision = models.PositiveIntegerField(default=1)  # edits of title/preamble (hls/conflicts)
    updated_at = models.DateTimeField(auto_now=True)


class Principle(WorkspaceOwned):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="principles")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("principle"), max_length=160)
    description = models.TextField(_("what it means in practice"), blank=True)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)

    class Meta:
        ordering = ["position", "pk"]


class CharterSignature(WorkspaceOwned):
    """A member organisation signed a version of the charter: who signed, and when."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    signed_by_name = models.CharField(_("signed by"), max_length=160)
    signed_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["charter", "organisation", "version"], name="stewardship_one_signature"
            )
        ]


class StewardRole(WorkspaceOwned):
    """Who acts as steward of a cycle, their mandate, to whom they answer, and when the role is
    next reviewed. A steward may be a member (user) or a person, team or organisation named."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="steward_roles")
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="steward_roles"
    )
    holder_name = models.CharField(_("steward (person, team or organisation)"), max_length=160)
    mandate = models.TextField(_("mandate"))
    answers_to = models.CharField(_("answers to"), max_length=200)
    review_on = models.DateField(_("review date"))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_on", "pk"]


class Participation(WorkspaceOwned):
    """The participation register: who is invited, taking part, and heard in a cycle."""

    class Kind(models.TextChoices):
        PEOPLE_SERVED = "people_served", _("People served and their families")
        LIVED_EXPERIENCE = "lived_experience", _("People with lived experience")
        FRONTLINE = "frontline", _("Frontline practitioners")
        ORGANISATION = "organisation", _("An organisation")
        COMMUNITY = "community", _("A community group")
        FUNDER = "funder", _("A commissioner or funder")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        TAKING_PART = "taking_part", _("Taking part")
        HEARD = "heard", _("Heard")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participation")
    name = models.CharField(_("who"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]


class Accountability(WorkspaceOwned):
    """To whom a cycle gives account, in what forum, and how often."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="accountabilities")
    to_whom = models.CharField(_("to whom"), max_length=200)
    forum = models.CharField(_("in what forum"), max_length=200)
    cadence = models.CharField(_("how often"), max_length=120)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


# --- Question bank ----------------------------------------------------------------------------


class Question(WorkspaceOwned):
    """A question for sense-making, keyed by scale, phase and managing or governing, with its
    follow-ups. Blank scale or phase means any. Edits keep a revision."""

    class Mode(models.TextChoices):
        LEARNING = "learning", _("Learning (the cycle's phase)")
        MANAGING = "managing", _("Managing")
        GOVERNING = "governing", _("Governing")

    scale = models.ForeignKey(
        Scale, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, blank=True)
    mode = models.CharField(_("kind"), max_length=12, choices=Mode.choices, default=Mode.LEARNING)
    text = models.TextField(_("question"))
    how_would_we_know = models.TextField(_("how would we know?"), blank=True)
    who_discusses = models.TextField(_("who discusses it?"), blank=True)
    what_information = models.TextField(_("what information helps?"), blank=True)
    what_space = models.TextField(_("in what space?"), blank=True)
    source = models.CharField(_("source"), max_length=240, blank=True)
    # The starter question it came from (`seed.Seed.key`), kept through edits, so the bank
    # can offer the starters it does not have yet; blank for a workspace's own questions.
    starter = models.CharField(max_length=16, blank=True, editable=False)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mode", "phase", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "starter"],
                condition=~models.Q(starter=""),
                name="stewardship_question_one_per_starter",
            )
        ]


class QuestionRevision(WorkspaceOwned):
    """The question as it was before an edit (fields as JSON)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    edited_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]


# --- Sense-making sessions --------------------------------------------------------------------


class Session(WorkspaceOwned):
    """A sense-making session for one or more cycles, single or recurring (an RFC 5545 RRULE
    read in `timezone`, so it keeps its wall-clock time across daylight-saving changes)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # iCalendar UID
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("what it is for"), blank=True)
    cycles: models.ManyToManyField[Cycle, SessionCycle] = models.ManyToManyField(
        Cycle, through="SessionCycle", related_name="sessions"
    )
    facilitator = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    starts_at = models.DateTimeField(_("first meeting"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    rrule = models.CharField(_("repeats (RFC 5545 rule)"), max_length=400, blank=True)
    location = models.CharField(_("where (a room or a link)"), max_length=400, blank=True)
    structured = models.BooleanField(_("with an agenda"), default=True)
    reminder_leads = ArrayField(
        models.PositiveIntegerField(), default=list, blank=True
    )  # minutes before each occurrence
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE, raised on changes
    revision = models.PositiveIntegerField(default=1)  # edits of the series (hls/conflicts.py)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title


class SessionCycle(WorkspaceOwned):
    session = models.ForeignKey(Session, on_delete=models.CASCADE)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "cycle"], name="stewardship_session_cycle")
        ]


class SessionParticipant(WorkspaceOwned):
    """A member (user) or a guest (email) invited to a session."""

    class Response(models.TextChoices):
        NEEDS_ACTION = "needs_action", _("Not answered")
        ACCEPTED = "accepted", _("Coming")
        DECLINED = "declined", _("Not coming")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("guest email"), blank=True)
    name = models.CharField(_("guest name"), max_length=160, blank=True)
    response = models.CharField(
        max_length=12, choices=Response.choices, default=Response.NEEDS_ACTION
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False),
                name="stewardship_participant_user",
            ),
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=~Q(email=""),
                name="stewardship_participant_email",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="stewardship_participant_who"
            ),
        ]


class Occurrence(WorkspaceOwned):
    """One meeting of a session, stored once something attaches to it: it was moved or
    cancelled on its own, or it is being (or was) held. `original_start` is its place in the
    series (the iCalendar RECURRENCE-ID); `starts_at` is when it actually is."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    starts_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    notes = models.TextField(_("notes"), blank=True)
    # Saves of the notes (hls/conflicts.py): a stale save, autosave too, is refused.
    notes_revision = models.PositiveIntegerField(default=1)
    notes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)  # the facilitator opened it
    outputs_recorded_at = models.DateTimeField(null=True, blank=True)
    questions: models.ManyToManyField[Question, OccurrenceQuestion] = models.ManyToManyField(
        Question, through="OccurrenceQuestion", related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "original_start"], name="stewardship_one_occurrence"
            )
        ]


class OccurrenceQuestion(WorkspaceOwned):
    """A question discussed at an occurrence (so the bank can offer the least recent next)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE)
    question = models.ForeignKey(Question, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "question"], name="stewardship_occurrence_question"
            )
        ]


class Attendance(WorkspaceOwned):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(SessionParticipant, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "participant"], name="stewardship_one_attendance"
            )
        ]


class HeardAnswer(WorkspaceOwned):
    """An anonymous answer to "did you feel heard?". It carries no user and no time: who
    answered is kept apart, in HeardReceipt, only so nobody answers twice."""

    class FeltHeard(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="heard")
    felt_heard = models.CharField(_("did you feel heard?"), max_length=8, choices=FeltHeard.choices)
    comment = models.TextField(_("anything to add (anonymous)"), blank=True)


class HeardReceipt(WorkspaceOwned):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="stewardship_heard_once")
        ]


class SessionOutput(WorkspaceOwned):
    """Something a session produced, written into a cycle with a link back to the session."""

    class Kind(models.TextChoices):
        INSIGHT = "insight", _("Insight")
        DECISION = "decision", _("Decision")
        BARRIER = "barrier", _("Barrier")
        EXPERIMENT = "experiment", _("New experiment")
        QUESTION = "question", _("Question")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="outputs")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    entry = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="session_output"
    )
    experiment = models.OneToOneField(
        Experiment, null=True, blank=True, on_delete=models.SET_NULL, related_name="session_output"
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]


# --- Reminders and notifications --------------------------------------------------------------


class Reminder(WorkspaceOwned):
    """The outbox: one row per message that is due to someone. `key` is the idempotency key;
    a row is delivered once (pending → sent) under a row lock, or cancelled, or held for the
    recipient's daily digest."""

    class Kind(models.TextChoices):
        SESSION_INVITATION = "session_invitation", _("Session invitation")
        SESSION_UPDATE = "session_update", _("Session changed")
        SESSION_CANCELLATION = "session_cancellation", _("Session cancelled")
        SESSION_REMINDER = "session_reminder", _("Session reminder")
        SESSION_FOLLOW_UP = "session_follow_up", _("Record the session's outputs")
        EXPERIMENT_CHECK_IN = "experiment_check_in", _("Experiment check-in")
        EXPERIMENT_END = "experiment_end", _("Experiment ends")
        STEWARD_REVIEW = "steward_review", _("Steward role review")
        BARRIER_WAITING = "barrier_waiting", _("Barrier waiting for an answer")
        BARRIER_RAISED = "barrier_raised", _("Barrier raised")
        BARRIER_ANSWERED = "barrier_answered", _("Barrier answered")
        BARRIER_PASSED_UP = "barrier_passed_up", _("Barrier passed further up")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        HELD = "held", _("Held for the daily digest")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    recipient = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True)  # guests, who have no account
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    occurrence_start = models.DateTimeField(null=True, blank=True)  # original_start
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    steward_role = models.ForeignKey(
        StewardRole, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    barrier_route = models.ForeignKey(
        BarrierRoute, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    snoozed_count = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="stewardship_reminder_key")
        ]
        indexes = [
            models.Index(
                fields=["status", "due_at"],
                condition=Q(status__in=["pending", "held"]),
                name="stewardship_reminder_due",
            )
        ]


class Notification(WorkspaceOwned):
    """An item in a member's in-app notification centre."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reminder = models.OneToOneField(
        Reminder, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    kind = models.CharField(max_length=24, choices=Reminder.Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "user", "-created_at"], name="stewardship_inbox")
        ]


class NotificationPreference(WorkspaceOwned):
    """A member's choices: channels, quiet hours, a daily digest, and a pause (snooze)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    email_enabled = models.BooleanField(_("send me email"), default=True)
    timezone = models.CharField(_("my time zone"), max_length=64, default="Europe/London")
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    daily_digest = models.BooleanField(
        _("one daily digest instead of single emails"), default=False
    )
    digest_hour = models.PositiveSmallIntegerField(_("digest at (hour)"), default=8)
    snoozed_until = models.DateTimeField(_("pause email until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="stewardship_one_preference")
        ]


class CalendarFeed(WorkspaceOwned):
    """A secret, revocable URL for a member's personal calendar of sessions. Only the token's
    SHA-256 is stored."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


# --- Learning reports -------------------------------------------------------------------------


class LearningReport(WorkspaceOwned):
    """An account of learning for a period, assembled from cycles and co-authored: what a funder
    or board receives instead of performance figures. Assembly and export run in Celery; their
    progress is stored here."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Assembly(models.TextChoices):
        PENDING = "pending", _("Waiting to assemble")
        RUNNING = "running", _("Assembling")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    cycles: models.ManyToManyField[Cycle, ReportCycle] = models.ManyToManyField(
        Cycle, through="ReportCycle", related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    assembly = models.CharField(max_length=8, choices=Assembly.choices, default=Assembly.PENDING)
    assembly_progress = models.PositiveSmallIntegerField(default=0)  # percent
    content = models.JSONField(default=dict, blank=True)  # the assembled evidence
    receiver_account = models.TextField(_("the receiver's own account"), blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "-pk"]


class ReportCycle(WorkspaceOwned):
    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "cycle"], name="stewardship_report_cycle")
        ]


class ReportSection(WorkspaceOwned):
    """A co-authored narrative section. `version` guards against overwriting a co-author."""

    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=32)
    heading = models.CharField(_("heading"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(_("our account"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="stewardship_report_section")
        ]


class ReportComment(WorkspaceOwned):
    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(
        ReportSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class ReportExport(WorkspaceOwned):
    """An export of a report (HTML, PDF or Markdown), built by a worker and kept in the
    database so web and workers need no shared disk."""

    class Format(models.TextChoices):
        HTML = "html", _("HTML")
        PDF = "pdf", _("PDF")
        MARKDOWN = "md", _("Markdown")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=4, choices=Format.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


# --- Burden ledger: the time a cycle gives to learning and what it stopped to make room -------


class LearningTime(WorkspaceOwned):
    """The time a cycle commits to learning together (one per cycle). Only those inside the
    cycle change it; it is shown beside the cycle's sessions so the cost of learning is seen."""

    class Per(models.TextChoices):
        WEEK = "week", _("a week")
        MONTH = "month", _("a month")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    per = models.CharField(_("per"), max_length=5, choices=Per.choices, default=Per.WEEK)
    how = models.TextField(_("how we make the time"), blank=True)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "cycle"], name="stewardship_time_once")
        ]


class StopDoing(WorkspaceOwned):
    """Something a cycle stopped doing to make time for learning. Never deleted: when it starts
    again, why is kept, as learning."""

    class Status(models.TextChoices):
        STOPPED = "stopped", _("Stopped")
        RESUMED = "resumed", _("Started again")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(_("what we stop doing"), max_length=300)
    frees = models.TextField(_("what it frees"), blank=True)
    since = models.DateField(_("since"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.STOPPED)
    resumed_why = models.TextField(_("why it started again"), blank=True)
    resumed_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-since", "-pk"]
        indexes = [models.Index(fields=["workspace", "cycle"], name="stewardship_stop_cycle")]


# --- Learning partners' heads-up notes ----------------------------------------------------------


class HeadsUp(WorkspaceOwned):
    """A private, informal note from a learning partner to a cycle's stewards: something they
    noticed that the cycle may want to look at. It goes to the cycle, never to those above it,
    and the cycle owns it (its stewards answer and close it); never a rating."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("what we noticed"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("the cycle's answer"), blank=True)
    answered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "cycle"], name="stewardship_headsup_cycle")]


# --- Guided methods (stewardship/methods/): templates as versioned data, runs, answers ---------


class MethodTemplate(WorkspaceOwned):
    """A workspace's own method: copied from a built-in (stewardship/methods/builtin.py) and
    adapted, or written from scratch in the browser. The steps are data (`definition`, checked
    by stewardship/methods/definition.py); every change is a new version, kept, and a run keeps
    the version it started with."""

    name = models.CharField(_("name"), max_length=160)
    summary = models.TextField(_("what it is for"), blank=True)
    source = models.CharField(_("source (attribution)"), max_length=400, blank=True)
    phases = ArrayField(models.CharField(max_length=16, choices=Phase.choices), default=list)
    scales = ArrayField(models.CharField(max_length=40), default=list, blank=True)  # scale keys
    copied_from = models.CharField(max_length=40, blank=True)  # a built-in's key
    definition = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]


class MethodTemplateVersion(WorkspaceOwned):
    """A template as it was at one version: never changed, so runs and history can read it."""

    template = models.ForeignKey(MethodTemplate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=160)
    definition = models.JSONField()
    edited_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "template", "version"], name="stewardship_method_version"
            )
        ]


class MethodRun(WorkspaceOwned):
    """One use of a method inside a cycle (and, when run in a meeting, a session's occurrence).
    It keeps the method as it was when it started (`definition`, `version`), so later edits of
    the template never change a run in progress."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        COMPLETED = "completed", _("Completed")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    occurrence = models.ForeignKey(
        Occurrence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        MethodTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    builtin = models.CharField(max_length=40, blank=True)  # a built-in's key, when run as is
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=160)
    definition = models.JSONField()
    title = models.CharField(_("what this run is about"), max_length=200, blank=True)
    why_this_method = models.TextField(_("who chose this method, and why"), blank=True)
    facilitator = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    step = models.PositiveSmallIntegerField(default=0)  # the step the group is on
    round = models.PositiveSmallIntegerField(default=1)  # iterations (action inquiry)
    step_started_at = models.DateTimeField(null=True, blank=True)
    revealed = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    guest_code = models.CharField(max_length=12, blank=True)  # guests join with it, while open
    revision = models.PositiveIntegerField(default=1)  # moves and edits (hls/conflicts.py)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "cycle"], name="stewardship_run_cycle")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "guest_code"],
                condition=~Q(guest_code=""),
                name="stewardship_run_guest_code",
            )
        ]


class MethodRunLink(WorkspaceOwned):
    """A run that draws on another's results: a Most Significant Change selection at a level
    above draws the stories its levels below selected, and sends its choice and reasons back."""

    run = models.ForeignKey(MethodRun, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(MethodRun, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "run", "source"], name="stewardship_run_link_once"
            )
        ]


class RunParticipant(WorkspaceOwned):
    """Someone taking part in a run: a member, or a guest who joined by the run's code (people
    with lived experience who have no account). A guest's browser holds `token`'s secret."""

    run = models.ForeignKey(MethodRun, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    guest_name = models.CharField(
        _("your name (as you want the group to see it)"), max_length=80, blank=True
    )
    token = models.CharField(max_length=64, blank=True)  # sha256 of the guest's secret
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "run", "user"],
                condition=Q(user__isnull=False),
                name="stewardship_run_member_once",
            )
        ]


class RunAnswer(WorkspaceOwned):
    """One participant's answers to one step (or the group's, with no participant). Private
    steps' answers are seen by their author only until the facilitator reveals the step;
    `shared` is the author's own choice to let the group see an answer that stays private
    otherwise (the healthy-system reflection)."""

    run = models.ForeignKey(MethodRun, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(
        RunParticipant, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    step = models.CharField(max_length=40)
    round = models.PositiveSmallIntegerField(default=1)
    data = models.JSONField(default=dict)
    shared = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "run", "participant", "step", "round"],
                condition=Q(participant__isnull=False),
                name="stewardship_answer_once",
            ),
            models.UniqueConstraint(
                fields=["workspace", "run", "step", "round"],
                condition=Q(participant__isnull=True),
                name="stewardship_group_answer_once",
            ),
        ]


class RunOutput(WorkspaceOwned):
    """Something a run wrote into its cycle (an entry: a story, insight, decision or question;
    an experiment; or a change of its system's map: an actor or a factor), linked back to the
    run and the step it came from."""

    run = models.ForeignKey(MethodRun, on_delete=models.CASCADE, related_name="outputs")
    step = models.CharField(max_length=40)
    round = models.PositiveSmallIntegerField(default=1)
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(  # a map change: someone added to the system's map
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    factor = models.ForeignKey(
        Factor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [  # each thing written is written by one run
            models.UniqueConstraint(
                fields=["workspace", name],
                condition=Q(**{f"{name}__isnull": False}),
                name=f"stewardship_output_{name}_once",
            )
            for name in ("entry", "experiment", "actor", "factor")
        ]
