"""Learning reports start from the shared cast (tests/conftest.py): its place cycle and team
cycle with entries at every visibility, themes, a person with an alias, experiments (one
stopped: learnt), a barrier with an answer, participation, a charter with a signature and a
session held."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningReport
from stewardship.reports import services
from systems.models import ShareLevel
from tests.factories import (
    BarrierResponseFactory,
    BarrierRouteFactory,
    CharterFactory,
    CharterSignatureFactory,
    CycleFactory,
    EntryFactory,
    EntryThemeFactory,
    ExperimentFactory,
    OccurrenceFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    PrincipleFactory,
    SessionCycleFactory,
    SessionFactory,
    SessionOutputFactory,
    ThemeFactory,
)


def entry(world, text, *, theme=None, visibility=ShareLevel.SHARED_UPWARD, **kwargs):
    made = EntryFactory(
        workspace=world.workspace,
        cycle=kwargs.pop("cycle", world.team_cycle),
        author=world.author.user,
        text=text,
        visibility=visibility,
        **kwargs,
    )
    if theme is not None:
        EntryThemeFactory(workspace=world.workspace, entry=made, theme=theme)
    return made


@pytest.fixture
def world(cast, make_member):
    """The shared cast (tests/conftest.py): Open Door's cycle is the place's (named here as the
    alliance it reports for, with its purpose and questions) and the North team's the team's;
    the rest is what a report gathers."""
    workspace = cast.workspace
    steward = make_member(workspace, Role.STEWARD, email="steward@riverside.test")
    viewer = make_member(workspace, Role.VIEWER, email="viewer@riverside.test")
    w = SimpleNamespace(workspace=workspace, steward=steward, author=cast.author, viewer=viewer)
    today = timezone.localdate()
    with tenant_scope(workspace_id=workspace.pk):
        type(cast.upper).objects.filter(pk=cast.upper.pk).update(
            name="Riverside alliance",
            purpose="Help people in Riverside live well, as they define it.",
            learning_questions="What helps people keep their homes?\nWho is not in the room?",
        )
        type(cast.cycle).objects.filter(pk=cast.cycle.pk).update(name="North team")
        w.place_cycle = type(cast.upper).objects.get(pk=cast.upper.pk)
        w.team_cycle = type(cast.cycle).objects.get(pk=cast.cycle.pk)
        w.other_cycle = CycleFactory(workspace=workspace, name="Not in the report")
        w.housing = ThemeFactory(workspace=workspace, name="Housing")
        w.money = ThemeFactory(workspace=workspace, name="Money worries")
        w.person = PersonFactory(
            workspace=workspace, alias="Sammy", reference="P-7731", consent_level=4
        )
        # Housing: 3 shared entries (one of them about Sammy), shown with its count.
        w.sammy_story = entry(
            w, "Sammy said the letters from P-7731's landlord frightened Sammy more than the debt.",
            theme=w.housing, person=w.person, kind="story",
        )  # fmt: skip
        entry(w, "A tenancy was saved by a phone call.", theme=w.housing, kind="story")
        entry(
            w, "The whole workspace hears about the repairs backlog.", theme=w.housing,
            visibility=ShareLevel.WORKSPACE, kind="observation",
        )  # fmt: skip
        # Never travels: private, team and cycle entries, a deleted one, one outside the period.
        entry(w, "PRIVATE-SECRET about housing", theme=w.housing, visibility=ShareLevel.PRIVATE)
        entry(w, "TEAM-ONLY about housing", theme=w.housing, visibility=ShareLevel.TEAM)
        entry(w, "CYCLE-ONLY about housing", theme=w.housing, visibility=ShareLevel.CYCLE)
        entry(w, "DELETED about housing", theme=w.housing, deleted_at=timezone.now())
        old = entry(w, "OLD story about housing", theme=w.housing, kind="story")
        type(old).objects.filter(pk=old.pk).update(
            created_at=timezone.now() - dt.timedelta(days=400),
            happened_on=today - dt.timedelta(days=400),
        )
        # Logged today, but it happened long before the period: it stays out too.
        entry(w, "LATE-LOGGED story about housing", theme=w.housing, kind="story",
              happened_on=today - dt.timedelta(days=400))  # fmt: skip
        entry(w, "OTHER-CYCLE about housing", theme=w.housing, cycle=w.other_cycle)
        # Money worries: 1 shared entry, so its count is withheld.
        entry(w, "The council tax letter came the week benefits were late.", theme=w.money,
              kind="story")  # fmt: skip
        # Experiments.
        w.stopped = ExperimentFactory(
            workspace=workspace, cycle=w.team_cycle, title="Call before the letter",
            status="ended", outcome="stop_learnt", learnt="Calls came too late to help.",
            started_at=timezone.now() - dt.timedelta(days=60),
            ended_at=timezone.now() - dt.timedelta(days=10),
        )  # fmt: skip
        w.running = ExperimentFactory(
            workspace=workspace, cycle=w.place_cycle, title="Flexible fund", status="running",
            started_at=timezone.now() - dt.timedelta(days=30),
        )  # fmt: skip
        w.planned = ExperimentFactory(
            workspace=workspace, cycle=w.place_cycle, title="Not started yet", status="planned"
        )
        # A barrier raised from the team to the place, with an answer.
        barrier = entry(w, "The allocation rule blocks moves for Sammy.", kind="barrier",
                        person=w.person)  # fmt: skip
        w.route = BarrierRouteFactory(
            workspace=workspace, entry=barrier, from_cycle=w.team_cycle, to_cycle=w.place_cycle
        )
        BarrierResponseFactory(
            workspace=workspace, route=w.route, state="changed",
            text="The panel may now waive the rule.",
        )  # fmt: skip
        # Participation.
        ParticipationFactory(
            workspace=workspace, cycle=w.place_cycle, name="Tenants' forum",
            kind="people_served", status="heard",
        )  # fmt: skip
        ParticipationFactory(
            workspace=workspace, cycle=w.place_cycle, name="Riverside Council",
            kind="organisation", status="taking_part",
        )  # fmt: skip
        # Charter.
        charter = CharterFactory(workspace=workspace, cycle=w.place_cycle, title="Our promises")
        PrincipleFactory(workspace=workspace, charter=charter, title="Start from what matters")
        CharterSignatureFactory(
            workspace=workspace, charter=charter, signed_by_name="Jo Lead",
            organisation=OrganisationFactory(workspace=workspace, name="Riverside Trust"),
        )  # fmt: skip
        # Sessions: two held in the period (one with outputs), one cancelled, one elsewhere.
        session = SessionFactory(workspace=workspace, title="Fortnightly sense-making")
        SessionCycleFactory(workspace=workspace, session=session, cycle=w.place_cycle)
        held = timezone.now() - dt.timedelta(days=20)
        w.occurrence = OccurrenceFactory(
            workspace=workspace, session=session, original_start=held, starts_at=held,
            held_at=held,
        )  # fmt: skip
        for kind in ("insight", "insight", "decision"):
            SessionOutputFactory(
                workspace=workspace, occurrence=w.occurrence, cycle=w.place_cycle, kind=kind
            )
        held2 = timezone.now() - dt.timedelta(days=6)
        OccurrenceFactory(
            workspace=workspace, session=session, original_start=held2, starts_at=held2,
            held_at=held2,
        )  # fmt: skip
        cancelled = timezone.now() - dt.timedelta(days=34)
        OccurrenceFactory(
            workspace=workspace, session=session, original_start=cancelled,
            starts_at=cancelled, cancelled=True,
        )  # fmt: skip
        elsewhere = SessionFactory(workspace=workspace, title="Elsewhere")
        SessionCycleFactory(workspace=workspace, session=elsewhere, cycle=w.other_cycle)
        OccurrenceFactory(
            workspace=workspace, session=elsewhere, original_start=held, starts_at=held,
            held_at=held,
        )  # fmt: skip
        w.period_start = today - dt.timedelta(days=90)
        w.period_end = today
    return w


def make_report(world, **kwargs) -> LearningReport:
    """A report created through the service, its assembly run (on commit) as a worker would."""
    with tenant_scope(workspace_id=world.workspace.pk):
        report = services.report_create(
            workspace=world.workspace,
            created_by=world.steward.user,
            title=kwargs.pop("title", "Spring learning"),
            period_start=kwargs.pop("period_start", world.period_start),
            period_end=kwargs.pop("period_end", world.period_end),
            cycles=kwargs.pop("cycles", [world.place_cycle, world.team_cycle]),
        )
    return report


@pytest.fixture
def report(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = make_report(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        made.refresh_from_db()
    return made
