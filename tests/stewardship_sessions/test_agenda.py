"""The agenda of a meeting: questions due, and exhibits since the last meeting, as the viewer
may see them."""

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.models import Session
from stewardship.sessions import services
from stewardship.sessions.agenda import agenda_for
from stewardship.sessions.recurrence import session_slots
from systems.models import ShareLevel
from tests.factories import (
    BarrierResponseFactory,
    BarrierRouteFactory,
    ContextQuestionTargetFactory,
    EntryFactory,
    ExperimentFactory,
    QuestionFactory,
    ScaleFactory,
)


def _slots(world):
    s = world.session
    return session_slots(s, after=s.starts_at, before=s.starts_at + dt.timedelta(weeks=3))


def test_exhibits_of_each_kind_link_back(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        story = EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.CYCLE,
            text="Mo said the new rota finally let her breathe.",
        )
        experiment = ExperimentFactory(
            workspace=ws,
            cycle=world.cycle,
            status="ended",
            outcome="stop_learnt",
            ended_at=timezone.now(),
            learnt="Calling first did not help; the letter was the issue.",
        )
        barrier = EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            kind="barrier",
            visibility=ShareLevel.SHARED_UPWARD,
            text="The allocation rule blocks moves.",
        )
        route = BarrierRouteFactory(workspace=ws, entry=barrier, to_cycle=world.place_cycle)
        BarrierResponseFactory(workspace=ws, route=route, text="We are changing the rule.")
        target = ContextQuestionTargetFactory(workspace=ws, cycle=world.cycle)
        question_entry = EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            kind="question",
            visibility=ShareLevel.CYCLE,
            text="Why do people stop coming in winter?",
        )
        agenda = agenda_for(workspace=ws, slot=_slots(world)[0], viewer=world.facilitator.user)

    assert [x.url for x in agenda.stories] == [f"/w/riverside/entries/{story.pk}/"]
    assert agenda.experiments[0].url == f"/w/riverside/experiments/{experiment.pk}/"
    assert "Stopped: learnt" in agenda.experiments[0].label
    assert {x.kind for x in agenda.barriers} == {"barrier", "answer"}
    assert all(x.url == f"/w/riverside/barriers/{route.pk}/" for x in agenda.barriers)
    assert {x.text for x in agenda.open_questions} == {target.question.text, question_entry.text}


def test_window_runs_from_the_previous_meeting(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        first, second = _slots(world)[:2]
        EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.CYCLE,
            text="Before the first meeting.",
        )
        later = EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.CYCLE,
            text="Between the meetings.",
        )
        type(later).objects.filter(pk=later.pk).update(
            created_at=first.starts_at + dt.timedelta(hours=1)
        )
        at_boundary = EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.CYCLE,
            text="Right at the second.",
        )
        type(at_boundary).objects.filter(pk=at_boundary.pk).update(created_at=second.starts_at)
        one = agenda_for(workspace=ws, slot=first, viewer=world.facilitator.user)
        two = agenda_for(workspace=ws, slot=second, viewer=world.facilitator.user)

    assert [x.text for x in one.stories] == ["Before the first meeting."]
    assert [x.text for x in two.stories] == ["Between the meetings."]
    assert two.since == first.starts_at


def test_private_entries_of_others_never_appear(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.PRIVATE,
            text="Pat's private note.",
        )
        EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.TEAM,
            text="Only the team.",
        )
        slot = _slots(world)[0]
        for_fay = agenda_for(workspace=ws, slot=slot, viewer=world.facilitator.user)
        for_stranger = agenda_for(workspace=ws, slot=slot, viewer=world.stranger.user)
        EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.CYCLE,
            text="For the cycle.",
        )
        cycle_only = agenda_for(workspace=ws, slot=slot, viewer=world.stranger.user)

    assert for_fay.stories == []
    assert for_stranger.stories == []
    assert cycle_only.stories == []  # not a member of the cycle


def test_questions_due_by_scale_and_phase_least_recent_first(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        other_scale = ScaleFactory(workspace=ws)
        due = QuestionFactory(workspace=ws, scale=world.scale, phase="experiment", text="Due")
        anywhere = QuestionFactory(workspace=ws, text="Any scale, any phase")
        managing = QuestionFactory(
            workspace=ws, scale=world.scale, mode="managing", text="Managing"
        )
        QuestionFactory(workspace=ws, scale=world.scale, phase="understand", text="Other phase")
        QuestionFactory(workspace=ws, scale=other_scale, text="Other scale")
        QuestionFactory(workspace=ws, scale=world.scale, active=False, text="Retired")
        first, second = _slots(world)[:2]
        occurrence = services.occurrence_for(workspace=ws, slot=first)
        services.questions_discussed_set(
            workspace=ws, occurrence=occurrence, by=world.facilitator, question_ids=[due.pk]
        )
        second = _slots(world)[1]
        agenda = agenda_for(workspace=ws, slot=second, viewer=world.facilitator.user)

    assert [q.text for q in agenda.questions] == [anywhere.text, managing.text, due.text]


def test_unstructured_sessions_get_no_questions(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        QuestionFactory(workspace=ws, text="Any")
        Session.objects.filter(pk=world.session.pk).update(structured=False)
        world.session.refresh_from_db()
        agenda = agenda_for(workspace=ws, slot=_slots(world)[0], viewer=world.facilitator.user)
    assert agenda.questions == []
    assert not agenda.structured


def test_agenda_queries_do_not_grow_with_exhibits(world, django_assert_num_queries):
    ws = world.workspace

    def add(n):
        with tenant_scope(workspace_id=ws.pk):
            for _ in range(n):
                EntryFactory(
                    workspace=ws,
                    cycle=world.cycle,
                    author=world.pat.user,
                    visibility=ShareLevel.CYCLE,
                )
                BarrierResponseFactory(
                    workspace=ws,
                    route=BarrierRouteFactory(
                        workspace=ws,
                        entry=EntryFactory(
                            workspace=ws,
                            cycle=world.cycle,
                            kind="barrier",
                            visibility=ShareLevel.SHARED_UPWARD,
                        ),
                        to_cycle=world.place_cycle,
                    ),
                )
                ExperimentFactory(
                    workspace=ws,
                    cycle=world.cycle,
                    status="ended",
                    outcome="adapt",
                    ended_at=timezone.now(),
                )

    add(1)
    with tenant_scope(workspace_id=ws.pk):
        slot = _slots(world)[0]
        with django_assert_num_queries(13):
            agenda_for(workspace=ws, slot=slot, viewer=world.facilitator.user)
    add(10)
    with tenant_scope(workspace_id=ws.pk), django_assert_num_queries(13):
        agenda = agenda_for(workspace=ws, slot=slot, viewer=world.facilitator.user)
    assert len(agenda.stories) == 11


def test_a_first_meeting_looks_back_to_when_its_cycles_began(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        first, second = _slots(world)[:2]
        before_the_session = EntryFactory(
            workspace=ws,
            cycle=world.cycle,
            author=world.pat.user,
            visibility=ShareLevel.CYCLE,
            text="Logged before anyone planned a meeting.",
        )
        began = world.session.created_at - dt.timedelta(days=30)
        type(world.cycle).objects.filter(pk=world.cycle.pk).update(created_at=began)
        type(before_the_session).objects.filter(pk=before_the_session.pk).update(
            created_at=began + dt.timedelta(days=1)
        )
        one = agenda_for(workspace=ws, slot=first, viewer=world.facilitator.user)
        two = agenda_for(workspace=ws, slot=second, viewer=world.facilitator.user)

    assert one.first_meeting
    assert one.since <= began
    assert [x.text for x in one.stories] == ["Logged before anyone planned a meeting."]
    first_page = render_to_string("stewardship/sessions/_agenda.html", {"agenda": one})
    assert "What happened since the cycle" in first_page
    assert "since the last meeting" not in first_page
    assert not two.first_meeting
    second_page = render_to_string("stewardship/sessions/_agenda.html", {"agenda": two})
    assert "What happened since the last meeting" in second_page
