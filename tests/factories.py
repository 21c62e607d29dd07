import datetime

import factory
from django.utils import timezone

from hls.accounts.models import User
from hls.audit.models import AuditEvent
from hls.tenancy.models import Invitation, Membership, Organisation, Role, Workspace

PASSWORD = "a-long-test-password-42"


MEMBER_NAMES = [
    "Alex Hughes", "Bea Clarke", "Chris Patel", "Dana Evans", "Eli Morgan", "Fran Doyle",
    "Gus Reid", "Hana Okafor", "Ivo Lane", "Jude Byrne", "Kit Shaw", "Lou Grant",
]  # fmt: skip


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    # Generated names never contain a name the tests give to people served ("Maria", "Sam"),
    # so "the name is not on the page" cannot fail because a member happens to be "Marian".
    full_name = factory.Sequence(lambda n: f"{MEMBER_NAMES[n % len(MEMBER_NAMES)]} {n}")
    password = factory.django.Password(PASSWORD)


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PRACTITIONER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.PRACTITIONER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    action = "test.event"


# systems ------------------------------------------------------------------------------------
# Every tenant factory takes `workspace=` and builds what it needs inside the same workspace.


class ScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.Scale"

    name = factory.Sequence(lambda n: f"Scale {n}")
    position = factory.Sequence(lambda n: n % 30_000)  # a smallint, and a long run makes many


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.System"

    name = factory.Sequence(lambda n: f"System {n}")
    scale = factory.SubFactory(ScaleFactory, workspace=factory.SelfAttribute("..workspace"))
    purpose = "Help people live well, as they define it."


class SystemOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.SystemOrganisation"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    organisation = factory.SubFactory(
        OrganisationFactory, workspace=factory.SelfAttribute("..workspace")
    )


class SystemMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.SystemMember"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    user = factory.SubFactory(UserFactory)


class SystemChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.SystemChange"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    reason = "The boundary moved."
    changes = factory.LazyFunction(lambda: {"purpose": ["before", "after"]})


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.Actor"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = "service"


class FactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.Factor"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Factor {n}")


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.Relationship"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    source_factor = factory.SubFactory(
        FactorFactory,
        workspace=factory.SelfAttribute("..workspace"),
        system=factory.SelfAttribute("..system"),
    )
    target_factor = factory.SubFactory(
        FactorFactory,
        workspace=factory.SelfAttribute("..workspace"),
        system=factory.SelfAttribute("..system"),
    )
    sign = "+"


class MapSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.MapSnapshot"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    label = "Before the experiment"
    data = factory.LazyFunction(lambda: {"actors": [], "factors": [], "relationships": []})


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.Person"

    reference = factory.Sequence(lambda n: f"P-{n:04d}")
    what_matters = "Being able to stay in my flat near my sister."


class PersonIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.PersonIdentity"

    person = factory.SubFactory(PersonFactory, workspace=factory.SelfAttribute("..workspace"))
    name = b"ciphertext"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "systems.Consent"

    person = factory.SubFactory(PersonFactory, workspace=factory.SelfAttribute("..workspace"))
    level = 2


# cycles -------------------------------------------------------------------------------------


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Cycle"

    system = factory.SubFactory(SystemFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Cycle {n}")
    purpose = "Learn what helps people keep their homes."


class CycleMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.CycleMember"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    user = factory.SubFactory(UserFactory)


class PhaseShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.PhaseShift"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    from_phase = "understand"
    to_phase = "co_design"
    reason = "We heard enough to start designing with people."


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Theme"

    name = factory.Sequence(lambda n: f"Theme {n}")
    kind = "problem"


class ThemeChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.ThemeChange"

    theme = factory.SubFactory(ThemeFactory, workspace=factory.SelfAttribute("..workspace"))
    action = "renamed"
    before = "Debt"
    after = "Money worries"


class ExperimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Experiment"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    title = factory.Sequence(lambda n: f"Experiment {n}")
    what_we_will_try = "Call before the reminder letter goes out."
    prediction = "Fewer people will fall into enforcement."


class ExperimentPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.ExperimentPerson"

    experiment = factory.SubFactory(
        ExperimentFactory, workspace=factory.SelfAttribute("..workspace")
    )
    person = factory.SubFactory(PersonFactory, workspace=factory.SelfAttribute("..workspace"))


class ExperimentActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.ExperimentActor"

    experiment = factory.SubFactory(
        ExperimentFactory, workspace=factory.SelfAttribute("..workspace")
    )
    actor = factory.SubFactory(ActorFactory, workspace=factory.SelfAttribute("..workspace"))


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Entry"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "story"
    phase = "understand"
    text = "She told us the letters frightened her more than the debt."
    author = factory.SubFactory(UserFactory)


class EntryThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.EntryTheme"

    entry = factory.SubFactory(EntryFactory, workspace=factory.SelfAttribute("..workspace"))
    theme = factory.SubFactory(ThemeFactory, workspace=factory.SelfAttribute("..workspace"))


class EntryRollupFactory(factory.django.DjangoModelFactory):
    """A roll-up row as such (the triggers of cycles migration 0013 keep the real ones)."""

    class Meta:
        model = "cycles.EntryRollup"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    month = datetime.date(2025, 1, 1)
    kind = "story"
    n = 1


class EntryRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.EntryRevision"

    entry = factory.SubFactory(EntryFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "story"
    phase = "understand"
    text = "An earlier wording."
    visibility = 0


class EntryDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.EntryDraft"

    author = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"draft-{n}")
    data = factory.LazyFunction(lambda: {"text": "Half a thought"})


# connected cycles ---------------------------------------------------------------------------


class CycleLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.CycleLink"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    other = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "peer"
    reason = "Both teams work with families facing eviction."


class EntrySourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.EntrySource"

    entry = factory.SubFactory(
        EntryFactory, workspace=factory.SelfAttribute("..workspace"), kind="insight"
    )
    source_entry = factory.SubFactory(
        EntryFactory,
        workspace=factory.SelfAttribute("..workspace"),
        cycle=factory.SelfAttribute("..entry.cycle"),
    )


class ContextQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.ContextQuestion"

    asked_from = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    text = "What is behind the rise in stories about letters?"


class ContextQuestionTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.ContextQuestionTarget"

    question = factory.SubFactory(
        ContextQuestionFactory, workspace=factory.SelfAttribute("..workspace")
    )
    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))


class ContextAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.ContextAnswer"

    target = factory.SubFactory(
        ContextQuestionTargetFactory, workspace=factory.SelfAttribute("..workspace")
    )
    text = "People tell us the letters arrive the week their benefits are late."


class BarrierRouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.BarrierRoute"

    entry = factory.SubFactory(
        EntryFactory, workspace=factory.SelfAttribute("..workspace"), kind="barrier"
    )
    from_cycle = factory.SelfAttribute("entry.cycle")
    to_cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))


class BarrierResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.BarrierResponse"

    route = factory.SubFactory(BarrierRouteFactory, workspace=factory.SelfAttribute("..workspace"))
    state = "acknowledged"
    text = "We see it; we will look at the procedure."


class EnablerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Enabler"

    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "permission"
    text = "Teams may pause reminders for households they are working with."


class EnablerTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.EnablerTarget"

    enabler = factory.SubFactory(EnablerFactory, workspace=factory.SelfAttribute("..workspace"))
    cycle = factory.SubFactory(CycleFactory, workspace=factory.SelfAttribute("..workspace"))


# stewardship --------------------------------------------------------------------------------

_WS = factory.SelfAttribute("..workspace")


class PlaceSetupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.PlaceSetup"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)


class CharterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Charter"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Principle"

    charter = factory.SubFactory(CharterFactory, workspace=_WS)
    title = factory.Sequence(lambda n: f"Principle {n}")
    description = "Start from what matters to the person."


class CharterSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.CharterSignature"

    charter = factory.SubFactory(CharterFactory, workspace=_WS)
    organisation = factory.SubFactory(OrganisationFactory, workspace=_WS)
    version = factory.SelfAttribute("charter.version")
    signed_by_name = factory.Faker("name", locale="en_GB")
    signed_on = factory.LazyFunction(lambda: timezone.localdate())


class StewardRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.StewardRole"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    holder_name = factory.Faker("name", locale="en_GB")
    mandate = "Keep the alliance's learning system healthy."
    answers_to = "The alliance board"
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=180))


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Participation"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    name = factory.Sequence(lambda n: f"Group {n}")
    kind = "organisation"
    status = "invited"


class AccountabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Accountability"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    to_whom = "The city council's cabinet"
    forum = "A quarterly reflection session"
    cadence = "Quarterly"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Question"

    text = factory.Sequence(lambda n: f"What are we learning about question {n}?")
    mode = "learning"


class QuestionRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.QuestionRevision"

    question = factory.SubFactory(QuestionFactory, workspace=_WS)
    version = 1
    data = factory.LazyAttribute(lambda o: {"text": o.question.text})


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Session"

    title = factory.Sequence(lambda n: f"Sense-making session {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timezone.timedelta(days=2)).replace(
            minute=0, second=0, microsecond=0
        )
    )
    reminder_leads = factory.LazyFunction(lambda: [1440, 60])


class SessionCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.SessionCycle"

    session = factory.SubFactory(SessionFactory, workspace=_WS)
    cycle = factory.SubFactory(CycleFactory, workspace=_WS)


class SessionParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.SessionParticipant"

    session = factory.SubFactory(SessionFactory, workspace=_WS)
    user = factory.SubFactory(UserFactory)


class OccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Occurrence"

    session = factory.SubFactory(SessionFactory, workspace=_WS)
    original_start = factory.SelfAttribute("session.starts_at")
    starts_at = factory.SelfAttribute("original_start")


class OccurrenceQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.OccurrenceQuestion"

    occurrence = factory.SubFactory(OccurrenceFactory, workspace=_WS)
    question = factory.SubFactory(QuestionFactory, workspace=_WS)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Attendance"

    occurrence = factory.SubFactory(OccurrenceFactory, workspace=_WS)
    participant = factory.SubFactory(
        SessionParticipantFactory,
        workspace=_WS,
        session=factory.SelfAttribute("..occurrence.session"),
    )
    attended = True


class HeardAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.HeardAnswer"

    occurrence = factory.SubFactory(OccurrenceFactory, workspace=_WS)
    felt_heard = "yes"


class HeardReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.HeardReceipt"

    occurrence = factory.SubFactory(OccurrenceFactory, workspace=_WS)
    user = factory.SubFactory(UserFactory)


class SessionOutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.SessionOutput"

    occurrence = factory.SubFactory(OccurrenceFactory, workspace=_WS)
    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    kind = "insight"
    text = "People told us the forms were the barrier, not the rules."


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Reminder"

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = "session_reminder"
    recipient = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(timezone.now)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.Notification"

    user = factory.SubFactory(UserFactory)
    kind = "session_reminder"
    title = "Sense-making tomorrow"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.NotificationPreference"

    user = factory.SubFactory(UserFactory)


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.CalendarFeed"

    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


class LearningReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.LearningReport"

    title = factory.Sequence(lambda n: f"Learning report {n}")
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=90))
    period_end = factory.LazyFunction(timezone.localdate)


class ReportCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.ReportCycle"

    report = factory.SubFactory(LearningReportFactory, workspace=_WS)
    cycle = factory.SubFactory(CycleFactory, workspace=_WS)


class ReportSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.ReportSection"

    report = factory.SubFactory(LearningReportFactory, workspace=_WS)
    key = factory.Sequence(lambda n: f"section{n}")
    heading = "What we learnt"


class ReportCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.ReportComment"

    report = factory.SubFactory(LearningReportFactory, workspace=_WS)
    text = "Could we say more about who was not in the room?"


class ReportExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.ReportExport"

    report = factory.SubFactory(LearningReportFactory, workspace=_WS)
    format = "md"


# dataio (imports and exports) ---------------------------------------------------------------


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dataio.ImportRun"

    kind = "people"
    file_name = "people.csv"
    file_content = b"alias\r\nSammy\r\n"
    encoding = "utf-8"
    header = factory.LazyFunction(lambda: ["alias"])
    row_count = 1


class ExportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dataio.ExportRun"


# partner API, sync tombstones and webhooks ---------------------------------------------------


class ApiKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "api.ApiKey"

    name = "Partner system"
    prefix = factory.Sequence(lambda n: f"hls_{n:08x}")
    secret_hash = factory.Sequence(lambda n: f"{n:064x}")
    scopes = factory.LazyFunction(lambda: ["cycles:read"])
    created_by = factory.SubFactory(UserFactory)


class IdempotencyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "api.IdempotencyRecord"

    caller = "hls_00000000"
    key = factory.Sequence(lambda n: f"key-{n}")
    fingerprint = "0" * 64
    status_code = 201
    body = factory.LazyFunction(lambda: {"id": 1})


class TombstoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "audit.Tombstone"

    resource = "entries"
    object_id = factory.Sequence(str)


class RetentionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "audit.RetentionRun"

    trigger = "schedule"
    counts = factory.LazyFunction(lambda: {"identities": 0, "drafts": 0})


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookSubscription"

    url = "https://partner.example/hls/webhook"
    events = factory.LazyFunction(lambda: ["report.published"])
    secret = factory.Sequence(lambda n: f"whsec_{n:032x}")


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookDelivery"

    subscription = factory.SubFactory(WebhookSubscriptionFactory, workspace=_WS)
    event = "report.published"
    payload = factory.LazyFunction(lambda: {"type": "report.published"})


class LearningTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.LearningTime"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    hours = 2
    per = "week"


class StopDoingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.StopDoing"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    what = factory.Sequence(lambda n: f"A report nobody reads {n}")
    since = factory.LazyFunction(timezone.localdate)


class HeadsUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.HeadsUp"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    text = "The team has not met for its reflection in a month; is something in the way?"


_RAPID = {
    "steps": [
        {
            "key": "week",
            "title": "This week",
            "who": "each",
            "fields": [{"key": "noticed", "label": "Noticed", "type": "long_text"}],
        }
    ]
}


class MethodTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.MethodTemplate"

    name = factory.Sequence(lambda n: f"Our weekly reflection {n}")
    phases = factory.LazyFunction(lambda: ["experiment"])
    definition = factory.LazyFunction(lambda: dict(_RAPID))


class MethodTemplateVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.MethodTemplateVersion"

    template = factory.SubFactory(MethodTemplateFactory, workspace=_WS)
    version = factory.Sequence(lambda n: n + 2)
    name = "Our weekly reflection"
    definition = factory.LazyFunction(lambda: dict(_RAPID))


class MethodRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.MethodRun"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    builtin = "rapid_learning"
    version = 1
    name = "Rapid learning"
    definition = factory.LazyFunction(lambda: dict(_RAPID))


class MethodRunLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.MethodRunLink"

    run = factory.SubFactory(MethodRunFactory, workspace=_WS)
    source = factory.SubFactory(MethodRunFactory, workspace=_WS)


class RunParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.RunParticipant"

    run = factory.SubFactory(MethodRunFactory, workspace=_WS)
    guest_name = factory.Sequence(lambda n: f"Guest {n}")


class RunAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.RunAnswer"

    run = factory.SubFactory(MethodRunFactory, workspace=_WS)
    participant = factory.SubFactory(
        RunParticipantFactory, workspace=_WS, run=factory.SelfAttribute("..run")
    )
    step = "week"
    data = factory.LazyFunction(lambda: {"noticed": "Fewer missed visits since the new rota."})


class RunOutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stewardship.RunOutput"

    run = factory.SubFactory(MethodRunFactory, workspace=_WS)
    step = "week"
    entry = factory.SubFactory(
        EntryFactory, workspace=_WS, cycle=factory.SelfAttribute("..run.cycle")
    )


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Measure"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    name = factory.Sequence(lambda n: f"Days from referral to first visit {n}")
    unit = "days"
    learning_question = "Does seeing people sooner change what happens next for them?"


class DataPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.DataPoint"

    measure = factory.SubFactory(MeasureFactory, workspace=_WS)
    on = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    value = 12


class WhatMattersFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.WhatMatters"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    person = factory.SubFactory(PersonFactory, workspace=_WS)
    words = "Feeling safe at home"


class WhatMattersRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.WhatMattersRating"

    item = factory.SubFactory(WhatMattersFactory, workspace=_WS)
    on = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    value = 4


_TRIAD = {
    "signifiers": [
        {"key": "helped", "type": "triad", "prompt": "What helped most?",
         "labels": ["People", "Place", "Practical help"]},
    ]
}  # fmt: skip


class SignifierSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.SignifierSet"

    name = factory.Sequence(lambda n: f"What helped {n}")
    definition = factory.LazyFunction(lambda: dict(_TRIAD))


class SignifierSetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.SignifierSetVersion"

    signifier_set = factory.SubFactory(SignifierSetFactory, workspace=_WS)
    version = factory.Sequence(lambda n: n + 1)
    definition = factory.LazyFunction(lambda: dict(_TRIAD))


class CycleSignifiersFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.CycleSignifiers"

    cycle = factory.SubFactory(CycleFactory, workspace=_WS)
    signifier_set = factory.SubFactory(SignifierSetFactory, workspace=_WS)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cycles.Placement"

    entry = factory.SubFactory(EntryFactory, workspace=_WS)
    version = factory.SubFactory(SignifierSetVersionFactory, workspace=_WS)
    data = factory.LazyFunction(lambda: {"helped": {"a": 0.5, "b": 0.3, "c": 0.2}})
