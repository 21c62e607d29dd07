"""Learning cycles and what is logged in them (DESIGN.md §2)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, F, IntegerField, Q, When
from django.db.models.functions import Least, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hls.accounts.models import User
from hls.tenancy.models import WorkspaceOwned
from systems.models import Actor, Person, ShareLevel, System


class Phase(models.TextChoices):
    UNDERSTAND = "understand", _("Understand the system")
    CO_DESIGN = "co_design", _("Co-design")
    EXPERIMENT = "experiment", _("Experiment")
    EMBED = "embed", _("Embed and influence")


class Cycle(WorkspaceOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(_("name"), max_length=160)
    purpose = models.TextField(_("purpose"))
    learning_questions = models.TextField(_("learning questions"), blank=True)
    phase = models.CharField(
        _("mostly in"), max_length=16, choices=Phase.choices, default=Phase.UNDERSTAND
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="active")
    closed_at = models.DateTimeField(null=True, blank=True)  # when status last became closed
    members: models.ManyToManyField[User, CycleMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CycleMember", related_name="cycles", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Edits of the cycle form (hls/conflicts.py): a stale save is refused, never overwrites.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CycleMember(WorkspaceOwned):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="cycles_cyclemember_uniq")
        ]


class PhaseShift(WorkspaceOwned):
    """A move between phases, in any direction, with the reason for it ("why now?")."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phase_shifts")
    from_phase = models.CharField(max_length=16, choices=Phase.choices)
    to_phase = models.CharField(max_length=16, choices=Phase.choices)
    reason = models.TextField(_("why now?"))
    shifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shifted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shifted_at", "-pk"]


class Theme(WorkspaceOwned):
    """The workspace's shared vocabulary of problems and aspirations in common."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Problem in common")
        ASPIRATION = "aspiration", _("Aspiration in common")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                condition=Q(merged_into__isnull=True),
                name="cycles_theme_ws_name_ci",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ThemeChange(WorkspaceOwned):
    """A rename or a merge of a theme, kept so history still reads."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=16)  # "renamed" | "merged"
    before = models.CharField(max_length=80)
    after = models.CharField(max_length=80)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)


class Experiment(WorkspaceOwned):
    """A small, safe-to-fail experiment. Its design is fixed once it runs; changes make a new
    version that points to the one before."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    class Outcome(models.TextChoices):
        AMPLIFY = "amplify", _("Amplify")
        ADAPT = "adapt", _("Adapt")
        STOP_LEARNT = "stop_learnt", _("Stopped: learnt")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="experiments")
    title = models.CharField(_("title"), max_length=160)
    what_we_will_try = models.TextField(_("what we will try"))
    why = models.TextField(_("why"), blank=True)
    prediction = models.TextField(_("what we expect to happen"), blank=True)
    how_we_will_know = models.TextField(_("how we will know"), blank=True)
    safe_to_fail_limits = models.TextField(_("safe-to-fail limits"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    people: models.ManyToManyField[Person, ExperimentPerson] = models.ManyToManyField(
        Person, through="ExperimentPerson", blank=True
    )
    actors: models.ManyToManyField[Actor, ExperimentActor] = models.ManyToManyField(
        Actor, through="ExperimentActor", blank=True
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    learnt = models.TextField(_("what we learnt"), blank=True)
    # `version` is the design's version (a running design changed is a new row); `revision`
    # counts edits of this row's form (hls/conflicts.py), so a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=1)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_version"
    )
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        help_text=_("Another cycle's experiment this design started from (adapt, never roll out)."),
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What search matches (cycles.selectors.search), stored so a search reads the GIN index
    # instead of computing the vector of every experiment.
    search = models.GeneratedField(
        expression=SearchVector(
            "title", "what_we_will_try", "why", "prediction", "learnt", config="english"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [GinIndex(fields=["search"], name="cycles_experiment_search")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="cycles_experiment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ExperimentPerson(WorkspaceOwned):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)


class ExperimentActor(WorkspaceOwned):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE)
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE)


def effective_level(via: str = "") -> Case:
    """An entry's effective level in SQL: its visibility capped by its person's consent (if it
    concerns a person). `via` is the path to the entry from another model ("entry" from a
    barrier route); `Entry.effective_level` is the same rule in Python."""
    path = f"{via}__" if via else ""
    return Case(
        When(**{f"{path}person__isnull": True}, then=F(f"{path}visibility")),
        default=Least(F(f"{path}visibility"), F(f"{path}person__consent_level")),
        output_field=IntegerField(),
    )


def visibility_ceiling(person: Person | None) -> int:
    """The widest level an entry about `person` may be given: their consent, or the whole
    workspace for an entry about no one. The same cap as `effective_level`: a level past it
    would never be in force. A new entry may start at any level up to it (cycles.services)."""
    return ShareLevel.WORKSPACE if person is None else int(person.consent_level)


class EntryQuerySet(models.QuerySet["Entry"]):
    """The vocabulary of "shared upward, capped by consent", once (`Entry.objects`)."""

    def with_level(self) -> EntryQuerySet:
        """Annotate `level`: the effective level (`effective_level()`). Idempotent."""
        if "level" in self.query.annotations:
            return self
        return self.annotate(level=effective_level())

    def at_least(self, level: int) -> EntryQuerySet:
        """Entries whose effective level is `level` or wider."""
        return self.with_level().filter(Q(level__gte=level))  # Q: the annotation, unchecked

    def shared_upward(self) -> EntryQuerySet:
        """Entries the cycles above may see: effective level shared upward or wider."""
        return self.at_least(ShareLevel.SHARED_UPWARD)


class Entry(WorkspaceOwned):
    """A logged step of a cycle: a story, an observation, a reflection, a barrier..."""

    class Kind(models.TextChoices):
        STORY = "story", _("Story")
        OBSERVATION = "observation", _("Observation")
        REFLECTION = "reflection", _("Reflection")
        IDEA = "idea", _("Idea")
        QUESTION = "question", _("Question")
        DECISION = "decision", _("Decision")
        BARRIER = "barrier", _("Barrier")
        ENABLER = "enabler", _("Enabler")
        INSIGHT = "insight", _("Insight")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.SET_NULL, related_name="check_ins"
    )
    themes: models.ManyToManyField[Theme, EntryTheme] = models.ManyToManyField(
        Theme, through="EntryTheme", blank=True
    )
    visibility = models.PositiveSmallIntegerField(
        _("who can see it"), choices=ShareLevel.choices, default=ShareLevel.PRIVATE
    )
    # The date it happened (the local date of logging unless the author says otherwise):
    # timelines, patterns by month and report periods read it; `created_at`/`updated_at` stay
    # the logged time, for sync.
    happened_on = models.DateField(_("when it happened"), default=timezone.localdate)
    signed = models.BooleanField(
        _("sign it with my name"),
        default=False,
        help_text=_("Outside its cycle an entry shows the cycle's name; signed, yours too."),
    )
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)  # soft delete, so undo works
    search = models.GeneratedField(
        expression=SearchVector("text", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["workspace", "cycle", "-created_at"], name="cycles_entry_timeline"
            ),
            models.Index(
                fields=["workspace", "cycle", "-happened_on", "-created_at"],
                name="cycles_entry_happened",
            ),
            GinIndex(fields=["search"], name="cycles_entry_search"),
            # Patterns (cycles.patterns.selectors.entry_counts): the entries of the cycles
            # below in a date range, read from the index alone.
            models.Index(
                fields=["workspace", "cycle", "happened_on"],
                include=["kind", "visibility", "person"],
                condition=Q(deleted_at__isnull=True),
                name="cycles_entry_patterns",
            ),
            # The API's list: its cursor order per workspace (hls.api.base.ApiPagination).
            models.Index(
                fields=["workspace", "updated_at", "id"],
                condition=Q(deleted_at__isnull=True),
                name="cycles_entry_updated",
            ),
            # The newest stories or barriers of many cycles (patterns' lists): walked newest
            # first until enough are visible, never sorted whole (cycles.patterns.selectors).
            models.Index(
                "workspace",
                "kind",
                F("happened_on").desc(),
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(deleted_at__isnull=True),
                name="cycles_entry_kind_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"

    @property
    def effective_level(self) -> int:
        """Its visibility capped by its person's consent (`EntryQuerySet.with_level` in SQL).
        Reads the person (one query unless loaded)."""
        if self.person_id is None or self.person is None:
            return int(self.visibility)
        return min(int(self.visibility), int(self.person.consent_level))

    @property
    def is_shared_upward(self) -> bool:
        """Whether the cycles above may see it (in patterns, reports, the barrier relay)."""
        return self.effective_level >= ShareLevel.SHARED_UPWARD

    @property
    def consent_blocks_sharing_upward(self) -> bool:
        """Whether its person's consent stops it from being shared upward, whatever its
        visibility."""
        return (
            self.person_id is not None
            and self.person is not None
            and self.person.consent_level < ShareLevel.SHARED_UPWARD
        )


class EntryTheme(WorkspaceOwned):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "theme"], name="cycles_entrytheme_uniq")
        ]


class EntryRollup(WorkspaceOwned):
    """Monthly roll-up of what patterns count (cycles.patterns.selectors.entry_counts): the
    entries of a cycle that happened in a month, are not deleted and are shared upward after
    the consent cap (`EntryQuerySet.shared_upward`), per kind, once whatever their themes
    (`theme` empty) and once under each of their themes. Kept by the database itself: statement
    triggers on entries, their themes and people's consent recompute the touched (cycle, month)
    buckets from the entries in the same transaction (cycles migration 0013); never written
    by the application."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()  # the first day of the month
    kind = models.CharField(max_length=16, choices=Entry.Kind.choices)
    theme = models.ForeignKey(
        Theme, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "cycle", "month", "kind", "theme"],
                include=["n"],
                nulls_distinct=False,
                name="cycles_entryrollup_uniq",
            )
        ]


class EntryRevision(WorkspaceOwned):
    """An entry as it was before an edit."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=16)
    phase = models.CharField(max_length=16)
    text = models.TextField()
    visibility = models.PositiveSmallIntegerField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-edited_at", "-pk"]


class EntryDraft(WorkspaceOwned):
    """What someone is typing, saved as they go so a closed tab loses nothing."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)  # the form's own id: one draft per form
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.CASCADE)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "author", "key"], name="cycles_entrydraft_uniq"
            )
        ]


# Connected cycles (issue 4): learn from the cycles below, enable them, learn sideways ----------


class CycleLink(WorkspaceOwned):
    """An explicit link between cycles. Links that follow system nesting are implied and not
    stored; these add a second parent (a team that also belongs to a place partnership) or join
    peers that learn from each other. Ended links are kept, with the reason."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Also learns from and is enabled by")
        PEER = "peer", _("Learns sideways with")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    reason = models.TextField(_("why link them"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(_("why end it"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(cycle=models.F("other")), name="cycles_link_not_self"
            ),
            models.UniqueConstraint(
                fields=["cycle", "other", "kind"],
                condition=Q(ended_at__isnull=True),
                name="cycles_link_one_open",
            ),
        ]


class EntrySource(WorkspaceOwned):
    """Lineage: `entry` (an insight, decision, question, barrier...) came from `source_entry` or
    `source_experiment`. Read backwards, it says where a story or an insight went."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="sources")
    source_entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="fed"
    )
    source_experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.CASCADE, related_name="fed"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(source_entry__isnull=False, source_experiment__isnull=True)
                | Q(source_entry__isnull=True, source_experiment__isnull=False),
                name="cycles_entrysource_one_source",
            )
        ]


class ContextQuestion(WorkspaceOwned):
    """A question sent from a pattern back to the cycles it came from ("back to context")."""

    asked_from = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="questions_asked")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("question"))
    origin = models.JSONField(default=dict, blank=True)  # the pattern: {"label": ..., filters}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class ContextQuestionTarget(WorkspaceOwned):
    """A cycle a question was sent to; it shows in that cycle's timeline until answered."""

    question = models.ForeignKey(ContextQuestion, on_delete=models.CASCADE, related_name="targets")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="questions_received")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "cycle"], name="cycles_cqtarget_uniq")
        ]


class ContextAnswer(WorkspaceOwned):
    target = models.ForeignKey(
        ContextQuestionTarget, on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("answer"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class BarrierRoute(WorkspaceOwned):
    """A barrier on its way up: raised in one cycle, landing in the inbox of a cycle above,
    which acknowledges and answers it. Passing it further up makes a new route."""

    class State(models.TextChoices):
        RAISED = "raised", _("Raised")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        WORKING = "working", _("Working on it")
        CHANGED = "changed", _("Changed")
        CANNOT_CHANGE = "cannot_change", _("Cannot change here")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="barrier_routes")
    from_cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="barriers_sent")
    to_cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="barriers_received")
    state = models.CharField(max_length=16, choices=State.choices, default=State.RAISED)
    revision = models.PositiveIntegerField(default=1)  # one up per answer (hls/conflicts.py)
    passed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="passed_to"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "to_cycle", "state"], name="cycles_barrier_inbox")
        ]


class BarrierResponse(WorkspaceOwned):
    """Each answer to a barrier: the state it moved to and what was said (what changed, or why
    it cannot change here)."""

    route = models.ForeignKey(BarrierRoute, on_delete=models.CASCADE, related_name="responses")
    state = models.CharField(max_length=16, choices=BarrierRoute.State.choices)
    text = models.TextField(_("answer"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["responded_at", "pk"]


class Enabler(WorkspaceOwned):
    """What a cycle does to enable the cycles below: a resource, a permission, a rule change."""

    class Kind(models.TextChoices):
        RESOURCE = "resource", _("Resource")
        PERMISSION = "permission", _("Permission")
        RULE_CHANGE = "rule_change", _("Rule change")
        OTHER = "other", _("Other")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="enablers")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("what we are doing"))
    barrier_route = models.ForeignKey(
        BarrierRoute, null=True, blank=True, on_delete=models.SET_NULL, related_name="enablers"
    )
    for_cycles: models.ManyToManyField[Cycle, EnablerTarget] = models.ManyToManyField(
        Cycle, through="EnablerTarget", related_name="enabled_by", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class EnablerTarget(WorkspaceOwned):
    enabler = models.ForeignKey(Enabler, on_delete=models.CASCADE)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enabler", "cycle"], name="cycles_enablertarget_uniq")
        ]


# --- Measures for learning (cycles/measures/): owned by a cycle, compared only with their past ---


class Measure(WorkspaceOwned):
    """A measure the people doing the work keep to learn, never to be judged by: what it is
    for is a learning question (required). It has no target, threshold, status colour or
    ranking, and is compared only with its own past (run or control chart). About a person, it
    travels no further than their consent."""

    class Chart(models.TextChoices):
        RUN = "run", _("Run chart (the median)")
        CONTROL = "control", _("Control chart (the mean and limits)")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(_("name"), max_length=160)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    learning_question = models.TextField(_("what it is for (the question it helps us learn)"))
    how_collected = models.TextField(_("how it is collected"), blank=True)
    chart = models.CharField(_("chart"), max_length=8, choices=Chart.choices, default=Chart.RUN)
    visibility = models.PositiveSmallIntegerField(
        _("who sees it"), choices=ShareLevel.choices, default=ShareLevel.TEAM
    )
    person = models.ForeignKey(  # the person it concerns: their consent caps `visibility`
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    signal_note = models.TextField(_("what we make of what the chart shows"), blank=True)
    signal_note_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "cycle"], name="cycles_measure_cycle")]


class DataPoint(WorkspaceOwned):
    """One value of a measure on one day (never a day to come; one a day)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "measure", "on"], name="cycles_datapoint_once_a_day"
            )
        ]


class WhatMatters(WorkspaceOwned):
    """Something that matters to a person, in their own words, which they (or their worker
    with them) rate over time on their own scale, with their own words for its ends. Shown
    beside any service measure; never combined into a score."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="what_matters_items")
    words = models.CharField(_("what matters, in their words"), max_length=300)
    scale_max = models.PositiveSmallIntegerField(_("their scale runs from 0 to"), default=10)
    low_words = models.CharField(_("their words for 0"), max_length=80, blank=True)
    high_words = models.CharField(_("their words for the top"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    archived = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]


class WhatMattersRating(WorkspaceOwned):
    """Where the person places one of their own items on one day, on their own scale."""

    class By(models.TextChoices):
        PERSON = "person", _("The person")
        TOGETHER = "together", _("Their worker, with them")

    item = models.ForeignKey(WhatMatters, on_delete=models.CASCADE, related_name="ratings")
    on = models.DateField(_("date"))
    value = models.PositiveSmallIntegerField(_("where they are now"))
    note = models.TextField(_("what they said"), blank=True)
    rated_by = models.CharField(max_length=8, choices=By.choices, default=By.TOGETHER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "item", "on"], name="cycles_whatmatters_once_a_day"
            )
        ]


# --- Self-signification (cycles/signifiers/): storytellers place their own stories -------------


class SignifierSet(WorkspaceOwned):
    """A workspace's set of signifiers (triads, dyads, multiple-choice questions) that
    storytellers use to place their own stories. Its signifiers are data (`definition`,
    checked by cycles/signifiers/definition.py); every change is a new version, kept, and a
    placement keeps the version it was made with."""

    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("what it helps us see"), blank=True)
    definition = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]


class SignifierSetVersion(WorkspaceOwned):
    """A signifier set as it was at one version: never changed."""

    signifier_set = models.ForeignKey(
        SignifierSet, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "signifier_set", "version"], name="cycles_signifier_version"
            )
        ]


class CycleSignifiers(WorkspaceOwned):
    """The signifier set a cycle attaches to its story capture (one at a time)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    signifier_set = models.ForeignKey(SignifierSet, on_delete=models.CASCADE, related_name="+")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "cycle"], name="cycles_signifiers_once")
        ]


class Placement(WorkspaceOwned):
    """Where a story's teller (or the person, when captured together) placed it on a signifier
    set's version: for each signifier a point in the triangle, on the slider, a choice, or
    "not applicable". Seen as widely as its story, never wider."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SignifierSetVersion, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    with_person = models.BooleanField(default=False)  # placed with the person it is about
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    placed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "entry"], name="cycles_placement_once")
        ]
