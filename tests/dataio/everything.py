"""One of every kind of workspace data the export carries, all where the world's admin is inside
(their team's system, a cycle they take part in, a person whose life they work in), so every
file of the export has rows: `make_everything(world, make_member)`. Called again, it makes one
more of each (the query budget of the whole export is the same for more rows)."""

from types import SimpleNamespace

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.factories import (
    AccountabilityFactory,
    ActorFactory,
    AttendanceFactory,
    BarrierResponseFactory,
    BarrierRouteFactory,
    CharterFactory,
    CharterSignatureFactory,
    ConsentFactory,
    ContextAnswerFactory,
    ContextQuestionFactory,
    ContextQuestionTargetFactory,
    CycleFactory,
    CycleLinkFactory,
    CycleMemberFactory,
    CycleSignifiersFactory,
    DataPointFactory,
    EnablerFactory,
    EnablerTargetFactory,
    EntryFactory,
    EntryRevisionFactory,
    EntrySourceFactory,
    EntryThemeFactory,
    ExperimentActorFactory,
    ExperimentFactory,
    ExperimentPersonFactory,
    FactorFactory,
    HeadsUpFactory,
    HeardAnswerFactory,
    LearningReportFactory,
    LearningTimeFactory,
    MapSnapshotFactory,
    MeasureFactory,
    MethodRunFactory,
    MethodRunLinkFactory,
    MethodTemplateFactory,
    MethodTemplateVersionFactory,
    OccurrenceFactory,
    OccurrenceQuestionFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    PhaseShiftFactory,
    PlacementFactory,
    PlaceSetupFactory,
    PrincipleFactory,
    QuestionFactory,
    QuestionRevisionFactory,
    RelationshipFactory,
    ReportCommentFactory,
    ReportCycleFactory,
    ReportSectionFactory,
    RunAnswerFactory,
    RunOutputFactory,
    RunParticipantFactory,
    SessionCycleFactory,
    SessionFactory,
    SessionOutputFactory,
    SessionParticipantFactory,
    SignifierSetFactory,
    SignifierSetVersionFactory,
    StewardRoleFactory,
    StopDoingFactory,
    SystemChangeFactory,
    SystemMemberFactory,
    SystemOrganisationFactory,
    ThemeChangeFactory,
    ThemeFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)

# A method with a private step revealed as a spread: counts per value, never who.
SPREAD = {
    "steps": [
        {
            "key": "health",
            "title": "How healthy is our system?",
            "who": "each",
            "private": True,
            "reveal": "spread",
            "fields": [{"key": "score", "label": "Score", "type": "scale", "min": 1, "max": 3}],
        }
    ]
}


def make_everything(w, make_member) -> SimpleNamespace:
    ws, admin = w.workspace, w.admin.user
    other = make_member(ws, Role.PRACTITIONER).user
    made = SimpleNamespace(other=other)
    with tenant_scope(workspace_id=ws.pk):
        system = w.team_system
        SystemMemberFactory(workspace=ws, system=system, user=other)
        org = OrganisationFactory(workspace=ws)
        SystemOrganisationFactory(workspace=ws, system=system, organisation=org)
        SystemChangeFactory(workspace=ws, system=system, changed_by=admin)
        actor = ActorFactory(workspace=ws, system=system)
        FactorFactory(workspace=ws, system=system)
        RelationshipFactory(workspace=ws, system=system)
        MapSnapshotFactory(workspace=ws, system=system, taken_by=admin)
        person = PersonFactory(
            workspace=ws, system=w.life_system, created_by=admin,
            consent_level=ShareLevel.WORKSPACE,
        )  # fmt: skip
        ConsentFactory(workspace=ws, person=person, level=ShareLevel.WORKSPACE, recorded_by=admin)
        made.cycle = cycle = CycleFactory(workspace=ws, system=system)
        above = CycleFactory(workspace=ws, system=system)
        CycleMemberFactory(workspace=ws, cycle=cycle, user=other)
        PhaseShiftFactory(workspace=ws, cycle=cycle, shifted_by=admin)
        theme = ThemeFactory(workspace=ws)
        ThemeChangeFactory(workspace=ws, theme=theme, changed_by=admin)
        experiment = ExperimentFactory(workspace=ws, cycle=cycle, owner=admin)
        ExperimentPersonFactory(workspace=ws, experiment=experiment, person=person)
        ExperimentActorFactory(workspace=ws, experiment=experiment, actor=actor)

        def entry(**kwargs):
            return EntryFactory(
                workspace=ws, cycle=cycle, author=admin, visibility=ShareLevel.CYCLE, **kwargs
            )

        made.story = story = entry(person=person)
        EntryThemeFactory(workspace=ws, entry=story, theme=theme)
        EntryRevisionFactory(workspace=ws, entry=story, edited_by=admin)
        EntrySourceFactory(
            workspace=ws, entry=entry(kind="insight"), source_entry=story, added_by=admin
        )
        CycleLinkFactory(workspace=ws, cycle=cycle, other=above, created_by=admin)
        question = ContextQuestionFactory(workspace=ws, asked_from=above, asked_by=admin)
        target = ContextQuestionTargetFactory(workspace=ws, question=question, cycle=cycle)
        ContextAnswerFactory(workspace=ws, target=target, author=admin)
        route = BarrierRouteFactory(
            workspace=ws, entry=entry(kind="barrier"), to_cycle=above, raised_by=admin
        )
        BarrierResponseFactory(workspace=ws, route=route, responded_by=admin)
        enabler = EnablerFactory(workspace=ws, cycle=above, barrier_route=route, created_by=admin)
        EnablerTargetFactory(workspace=ws, enabler=enabler, cycle=cycle)
        measure = MeasureFactory(workspace=ws, cycle=cycle, created_by=admin)
        DataPointFactory(workspace=ws, measure=measure)
        item = WhatMattersFactory(workspace=ws, cycle=cycle, person=person)
        WhatMattersRatingFactory(workspace=ws, item=item)
        signifiers = SignifierSetFactory(workspace=ws)
        version = SignifierSetVersionFactory(workspace=ws, signifier_set=signifiers, version=1)
        CycleSignifiersFactory(workspace=ws, cycle=cycle, signifier_set=signifiers)
        PlacementFactory(workspace=ws, entry=story, version=version)

        PlaceSetupFactory(workspace=ws, cycle=cycle, completed_steps=["purpose"])
        charter = CharterFactory(workspace=ws, cycle=cycle)
        PrincipleFactory(workspace=ws, charter=charter)
        CharterSignatureFactory(workspace=ws, charter=charter, organisation=org)
        StewardRoleFactory(workspace=ws, cycle=cycle, user=admin)
        ParticipationFactory(workspace=ws, cycle=cycle)
        AccountabilityFactory(workspace=ws, cycle=cycle)
        bank = QuestionFactory(workspace=ws)
        QuestionRevisionFactory(workspace=ws, question=bank, edited_by=admin)
        made.session = session = SessionFactory(workspace=ws, facilitator=admin)
        SessionCycleFactory(workspace=ws, session=session, cycle=cycle)
        invited = SessionParticipantFactory(workspace=ws, session=session, user=other)
        made.occurrence = occurrence = OccurrenceFactory(
            workspace=ws, session=session, notes="MEETING-NOTES"
        )
        OccurrenceQuestionFactory(workspace=ws, occurrence=occurrence, question=bank)
        AttendanceFactory(workspace=ws, occurrence=occurrence, participant=invited)
        for felt in ("yes", "partly", "no"):
            HeardAnswerFactory(
                workspace=ws, occurrence=occurrence, felt_heard=felt, comment=f"I felt {felt}"
            )
        SessionOutputFactory(
            workspace=ws, occurrence=occurrence, cycle=cycle, entry=entry(kind="insight"),
            created_by=admin,
        )  # fmt: skip
        report = LearningReportFactory(workspace=ws, created_by=admin, content={"learnt": {}})
        ReportCycleFactory(workspace=ws, report=report, cycle=cycle)
        section = ReportSectionFactory(workspace=ws, report=report, updated_by=admin)
        ReportCommentFactory(workspace=ws, report=report, section=section, author=admin)
        LearningTimeFactory(workspace=ws, cycle=cycle, updated_by=admin)
        StopDoingFactory(workspace=ws, cycle=cycle, added_by=admin)
        HeadsUpFactory(workspace=ws, cycle=cycle, author=other)
        template = MethodTemplateFactory(workspace=ws, created_by=admin)
        MethodTemplateVersionFactory(workspace=ws, template=template, edited_by=admin)
        made.run = run = MethodRunFactory(
            workspace=ws, cycle=cycle, template=template, facilitator=admin
        )
        MethodRunLinkFactory(
            workspace=ws, run=run, source=MethodRunFactory(workspace=ws, cycle=cycle)
        )
        me = RunParticipantFactory(workspace=ws, run=run, user=admin, guest_name="")
        RunAnswerFactory(workspace=ws, run=run, participant=me)
        RunOutputFactory(workspace=ws, run=run, entry=entry(kind="insight"))
        made.spread_run = MethodRunFactory(
            workspace=ws, cycle=cycle, builtin="", definition=SPREAD, revealed=["health"]
        )
        for score in (1, 3):
            RunAnswerFactory(
                workspace=ws, run=made.spread_run, step="health", data={"score": {"value": score}}
            )
    return made
