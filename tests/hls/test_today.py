"""Today (the workspace home), per person and role: each member sees what they actually have,
one link from acting on it, from the areas' own selectors (cycles/today.py, stewardship/today.py),
at a fixed number of queries however many items each section holds.

The world is the shared cast: the North team's cycle (below Open Door's) with a team-mate inside
it as the practitioner, Open Door's manager above it, Open Door's cycle as the place cycle with
a steward, and a learning partner who facilitates its sessions. Every section has two items or
more, so an N+1 would show in the budgets."""

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cycles.models import BarrierRoute, Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningReport, Participation
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    BarrierResponseFactory,
    BarrierRouteFactory,
    ContextAnswerFactory,
    ContextQuestionFactory,
    ContextQuestionTargetFactory,
    CycleFactory,
    EntryDraftFactory,
    EntryFactory,
    ExperimentFactory,
    LearningReportFactory,
    MembershipFactory,
    ParticipationFactory,
    PlaceSetupFactory,
    SessionCycleFactory,
    SessionFactory,
    SessionParticipantFactory,
    SystemFactory,
    SystemMemberFactory,
)

pytestmark = pytest.mark.django_db

STORY = "Dee said the letters only made sense once a neighbour read them with her."
PRIVATE = "A private worry about my own practice, kept to myself."
OVERDUE = "Phone before the letter"
RUNNING = "Read letters together"
COLLEAGUE_OVERDUE = "Rota for the colleague"
QUESTION = "What is behind the rise in stories about letters?"
BARRIER = "The form asks for documents people do not have."
ANSWER = "We changed the form: one document is enough now."


@pytest.fixture
def world(cast: Any, make_member: Any) -> Any:
    ws = cast.workspace
    steward = make_member(ws, Role.STEWARD, full_name="Sol Steward")
    partner = make_member(ws, Role.LEARNING_PARTNER, full_name="Lee Partner")
    colleague = make_member(ws, Role.PRACTITIONER, full_name="Cal Colleague")
    pat, manager = cast.team.user, cast.manager.user
    today = timezone.localdate()
    soon = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with tenant_scope(workspace_id=ws.pk):
        SystemMemberFactory(workspace=ws, system=cast.system, user=colleague.user)
        # What others logged in the team's cycle this week (one private: never counted).
        for text in (STORY, STORY + " Twice."):
            EntryFactory(
                workspace=ws,
                cycle=cast.cycle,
                author=colleague.user,
                text=text,
                visibility=ShareLevel.SHARED_UPWARD,
            )
        EntryFactory(workspace=ws, cycle=cast.cycle, author=colleague.user, text=PRIVATE)
        # Pat's running experiments: one past its end date; a colleague's, past its end too.
        for title, ends, owner in (
            (OVERDUE, today - dt.timedelta(days=2), pat),
            (RUNNING, today + dt.timedelta(days=10), pat),
            (RUNNING + " again", today + dt.timedelta(days=12), pat),
            (COLLEAGUE_OVERDUE, today - dt.timedelta(days=1), colleague.user),
        ):
            ExperimentFactory(
                workspace=ws,
                cycle=cast.cycle,
                title=title,
                owner=owner,
                status=Experiment.Status.RUNNING,
                starts_on=today - dt.timedelta(days=30),
                ends_on=ends,
            )
        # Pat's drafts: quick capture and the timeline's form.
        EntryDraftFactory(workspace=ws, author=pat, key="capture", data={"text": "Half a story"})
        EntryDraftFactory(
            workspace=ws,
            author=pat,
            key=f"cycle-{cast.cycle.pk}",
            cycle=cast.cycle,
            data={"text": "Half a reflection"},
        )
        # Questions the manager sent back from Open Door's cycle to the team's: two wait.
        for n in range(3):
            question = ContextQuestionFactory(
                workspace=ws, asked_from=cast.upper, asked_by=manager, text=f"{QUESTION} ({n})"
            )
            target = ContextQuestionTargetFactory(workspace=ws, question=question, cycle=cast.cycle)
        target.answered_at = timezone.now()
        target.save()
        ContextAnswerFactory(workspace=ws, target=target, author=pat, text="The benefits are late.")
        # Barriers the team raised to Open Door's cycle: two wait, two were answered.
        for n in range(4):
            route = BarrierRouteFactory(
                workspace=ws,
                entry=EntryFactory(
                    workspace=ws,
                    cycle=cast.cycle,
                    author=pat,
                    kind="barrier",
                    text=f"{BARRIER} ({n})",
                    visibility=ShareLevel.SHARED_UPWARD,
                ),
                to_cycle=cast.upper,
                raised_by=pat,
            )
            if n >= 2:
                BarrierResponseFactory(
                    workspace=ws, route=route, state="changed", text=ANSWER, responded_by=manager
                )
                BarrierRoute.objects.filter(pk=route.pk).update(state="changed")
        # Open Door's cycle is the place cycle: its register, sessions and reports.
        PlaceSetupFactory(workspace=ws, cycle=cast.upper)
        for name in ("Tenants' association", "Food bank"):
            ParticipationFactory(
                workspace=ws, cycle=cast.upper, name=name, status=Participation.Status.INVITED
            )
        sessions = []
        for n, cycle in enumerate((cast.upper, cast.upper, cast.cycle)):
            session = SessionFactory(
                workspace=ws,
                title=f"Sense-making {n}",
                facilitator=partner.user,
                starts_at=soon + dt.timedelta(days=n),
            )
            SessionCycleFactory(workspace=ws, session=session, cycle=cycle)
            SessionParticipantFactory(workspace=ws, session=session, user=pat)
            sessions.append(session)
        for n in range(2):
            LearningReportFactory(
                workspace=ws, title=f"What we learnt {n}", created_by=steward.user
            )
        LearningReportFactory(
            workspace=ws, title="Published", status=LearningReport.Status.PUBLISHED
        )
    return SimpleNamespace(
        cast=cast, pat=cast.team, steward=steward, partner=partner, colleague=colleague
    )


def today_of(membership: Any) -> str:
    response = signed_in(membership).get(f"/w/{membership.workspace.slug}/")
    assert response.status_code == 200
    return response.content.decode()


# Per role ------------------------------------------------------------------------------------


def test_practitioner_sees_their_cycles_drafts_experiments_questions_barriers_sessions(world):
    cast, page = world.cast, today_of(world.pat)
    slug = cast.workspace.slug
    assert "Nothing to look at yet" not in page
    # My cycles and what others logged this week (the private entry is not counted).
    assert "Your cycles" in page
    assert f'href="/w/{slug}/cycles/{cast.cycle.pk}/timeline/"' in page
    assert "2 new entries from others in the last 7 days" in page
    # My drafts, each opening its form.
    assert "Half a story" in page
    assert "Half a reflection" in page
    assert f'href="/w/{slug}/cycles/{cast.cycle.pk}/timeline/#entry-create"' in page
    # My experiments: check in on the running ones, decide on the one past its end date.
    with tenant_scope(workspace_id=cast.workspace.pk):
        overdue = Experiment.objects.get(title=OVERDUE)
        running = Experiment.objects.get(title=RUNNING)
    assert f'href="/w/{slug}/experiments/{overdue.pk}/end/"' in page
    assert "time to decide" in page
    assert f"?experiment={running.pk}&amp;next=" in page
    assert COLLEAGUE_OVERDUE not in page
    # Questions sent back to my cycle (the answered one has left).
    assert "Questions sent back to your cycles" in page
    assert f"{QUESTION} (0)" in page
    assert f"{QUESTION} (1)" in page
    assert f"{QUESTION} (2)" not in page
    # Answers to the barriers we raised; a practitioner is not asked to answer any.
    assert "Answers to barriers your cycles raised" in page
    assert ANSWER in page
    assert "Waiting for an answer from your cycles" not in page
    # My next sessions, with their agenda.
    assert "Coming sessions" in page
    assert "Sense-making 0" in page
    assert "Agenda and pack" in page
    assert "you facilitate" not in page
    # What is private to others never shows.
    assert PRIVATE not in page


def test_manager_sees_patterns_below_barriers_to_answer_and_questions_asked(world):
    cast, page = world.cast, today_of(world.cast.manager)
    slug = cast.workspace.slug
    assert f'href="/w/{slug}/cycles/{cast.upper.pk}/patterns/"' in page
    assert "Shared upward this week" in page
    assert STORY in page
    assert "Waiting for an answer from your cycles" in page
    assert f"{BARRIER} (0)" in page
    assert f"{BARRIER} (1)" in page
    assert "Questions you asked" in page
    assert "The benefits are late." in page  # the answer, beside its question
    assert "no answer yet" in page
    # Not the practitioner's things: their experiments, drafts and the decide prompt.
    assert OVERDUE not in page
    assert "time to decide" not in page
    assert "Half a story" not in page
    assert PRIVATE not in page


def test_steward_sees_the_place_cycles_sessions_participation_and_report_drafts(world):
    cast, page = world.cast, today_of(world.steward)
    slug = cast.workspace.slug
    assert "Sense-making 0" in page
    assert "Sense-making 1" in page
    assert "place cycle" in page
    assert "Agenda and pack" in page
    assert "Sense-making 2" not in page  # the team's session: the steward is not invited
    assert "Who takes part in the place cycles" in page
    assert f'href="/w/{slug}/place-cycles/{cast.upper.pk}/setup/participation/"' in page
    assert "Invited, not yet taking part: Food bank, Tenants&#x27; association" in page
    assert "Who might be missing:" in page
    assert "What we learnt 0" in page
    assert "What we learnt 1" in page
    assert "Published" not in page
    assert PRIVATE not in page


def test_admin_sees_what_stewards_see_of_the_place(world):
    page = today_of(world.cast.admin)
    assert "Sense-making 0" in page
    assert "Who takes part in the place cycles" in page
    assert "What we learnt 0" in page
    assert "Your cycles" not in page  # Ada is inside no cycle


def test_partner_sees_the_sessions_they_facilitate(world):
    cast, page = world.cast, today_of(world.partner)
    with tenant_scope(workspace_id=cast.workspace.pk):
        session = cast.cycle.sessions.get()
    assert "Sense-making 0" in page
    assert "Sense-making 2" in page
    assert "you facilitate" in page
    assert f'href="/w/{cast.workspace.slug}/sessions/{session.pk}/meetings/' in page
    assert "/facilitate/" in page
    assert "Who takes part in the place cycles" not in page
    assert "What we learnt 0" not in page  # drafts they neither started nor wrote in


# What a person does not have never shows -----------------------------------------------------


def test_the_decide_prompt_is_for_the_owner_only(world):
    page = today_of(world.colleague)  # inside the same cycle, owns the colleague's rota
    assert COLLEAGUE_OVERDUE in page
    assert OVERDUE not in page
    assert RUNNING not in page


def test_a_member_with_no_tie_sees_nothing_of_the_team(world):
    page = today_of(world.cast.author)
    assert "Nothing to look at yet" in page
    assert QUESTION not in page
    assert BARRIER not in page
    assert STORY not in page
    assert "Start a cycle" in page
    assert "Log a step" in page


def test_another_workspace_never_shows(world, other_workspace):
    """Pat also belongs to Hilltop: its cycle, experiment, draft, question and session stay
    there."""
    pat = world.pat.user
    with tenant_scope(workspace_id=other_workspace.pk):
        MembershipFactory(workspace=other_workspace, user=pat, role=Role.PRACTITIONER)
        system = SystemFactory(workspace=other_workspace, name="Hilltop team")
        SystemMemberFactory(workspace=other_workspace, system=system, user=pat)
        cycle = CycleFactory(workspace=other_workspace, system=system, name="Hilltop cycle")
        ExperimentFactory(
            workspace=other_workspace,
            cycle=cycle,
            owner=pat,
            title="Hilltop experiment",
            status=Experiment.Status.RUNNING,
            ends_on=timezone.localdate() - dt.timedelta(days=1),
        )
        EntryDraftFactory(workspace=other_workspace, author=pat, data={"text": "Hilltop draft"})
        ContextQuestionTargetFactory(
            workspace=other_workspace,
            cycle=cycle,
            question=ContextQuestionFactory(
                workspace=other_workspace, asked_from=cycle, text="A Hilltop question"
            ),
        )
        session = SessionFactory(workspace=other_workspace, title="Hilltop session")
        SessionParticipantFactory(workspace=other_workspace, session=session, user=pat)
    page = today_of(world.pat)
    assert "Coming sessions" in page  # Riverside's are there
    for text in (
        "Hilltop cycle",
        "Hilltop experiment",
        "Hilltop draft",
        "A Hilltop question",
        "Hilltop session",
    ):
        assert text not in page


def test_a_viewer_gets_no_next_step_to_log(cast, make_member):
    viewer = make_member(cast.workspace, Role.VIEWER)
    page = today_of(viewer)
    assert "Nothing to look at yet" in page
    assert "Log a step" not in page
    assert "Start a cycle" not in page
    assert f'href="/w/{cast.workspace.slug}/cycles/"' in page


# Query budgets: fixed, whatever the number of items ------------------------------------------


def _budget(django_assert_num_queries: Any, membership: Any, queries: int) -> None:
    """The session, the member, the workspace's RLS setting, each section's reads (the cycles'
    visibility rule costs its own two: the systems worked in and those below), and no more."""
    client: Client = signed_in(membership)
    client.get(f"/w/{membership.workspace.slug}/")  # the session is warm
    with django_assert_num_queries(queries):
        assert client.get(f"/w/{membership.workspace.slug}/").status_code == 200


def test_budget_practitioner(world, django_assert_num_queries):
    _budget(django_assert_num_queries, world.pat, 22)


def test_budget_manager(world, django_assert_num_queries):
    _budget(django_assert_num_queries, world.cast.manager, 28)


def test_budget_steward(world, django_assert_num_queries):
    _budget(django_assert_num_queries, world.steward, 19)


def test_budget_admin(world, django_assert_num_queries):
    _budget(django_assert_num_queries, world.cast.admin, 19)


def test_budget_partner(world, django_assert_num_queries):
    _budget(django_assert_num_queries, world.partner, 16)
