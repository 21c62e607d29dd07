"""The demo data `make run` loads: complete, idempotent, and obeying the product's own rules."""

from decimal import Decimal

from django.apps import apps
from django.core.management import call_command

from cycles.measures.charts import run_chart
from cycles.measures.selectors import signals_from_below
from cycles.models import Cycle, Entry, Experiment, Measure, Placement, WhatMatters
from cycles.selectors import entries_visible_to
from devtools.demo import DEMO_PASSWORD
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.methods import selectors as method_selectors
from stewardship.models import LearningTime, MethodRun, RunParticipant, StopDoing
from tests.bypass import all_workspaces


def _counts() -> dict[str, int]:
    with all_workspaces("test: count demo rows"):
        return {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label in {"tenancy", "systems", "cycles", "stewardship"}
        }


def test_demo_seeds_once_and_a_second_run_changes_nothing(db) -> None:
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["systems.System"] >= 5
    assert first["systems.Actor"] >= 5
    assert first["cycles.Entry"] >= 10


def test_demo_has_person_team_and_organisation_cycles_and_a_stopped_learnt(db) -> None:
    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    with tenant_scope(workspace_id=eastbridge.pk):
        scales = set(Experiment.objects.values_list("cycle__system__scale__name", flat=True)) | set(
            Entry.objects.values_list("cycle__system__scale__name", flat=True)
        )
        assert {"A person's life", "Team", "Organisation"} <= scales
        stopped = Experiment.objects.get(outcome=Experiment.Outcome.STOP_LEARNT)
        assert stopped.learnt


def test_demo_connects_cycles_the_council_learns_from_and_enables_its_teams(db) -> None:
    from cycles.connections import cycle_ids_below
    from cycles.models import BarrierRoute, ContextAnswer, Cycle, Enabler

    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    with tenant_scope(workspace_id=eastbridge.pk):
        council = Cycle.objects.get(system__name="Eastbridge Borough Council")
        assert len(cycle_ids_below(workspace=eastbridge, cycle=council)) >= 3
        route = BarrierRoute.objects.get(to_cycle=council)
        assert route.state == BarrierRoute.State.CHANGED
        assert Enabler.objects.filter(cycle=council, barrier_route=route).exists()
        assert ContextAnswer.objects.filter(target__question__asked_from=council).exists()


def test_demo_private_reflection_stays_with_its_author(db) -> None:
    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    jo = User.objects.get(email="practitioner@demo.hls.test")
    sam = User.objects.get(email="manager@demo.hls.test")
    assert jo.check_password(DEMO_PASSWORD)
    with tenant_scope(workspace_id=eastbridge.pk):
        private = Entry.objects.get(kind="reflection", visibility=0)
        assert entries_visible_to(workspace=eastbridge, user=jo).filter(pk=private.pk).exists()
        assert not entries_visible_to(workspace=eastbridge, user=sam).filter(pk=private.pk).exists()


def test_demo_northmoor_alliance_has_a_place_cycle_sessions_and_a_published_report(db) -> None:
    from stewardship.models import (
        CharterSignature,
        HeardAnswer,
        LearningReport,
        Occurrence,
        PlaceSetup,
        Session,
        SessionOutput,
        StewardRole,
    )

    call_command("seed_demo")
    northmoor = Workspace.objects.get(slug="northmoor")
    with tenant_scope(workspace_id=northmoor.pk):
        setup = PlaceSetup.objects.get()
        assert len(setup.completed_steps) == 6
        assert CharterSignature.objects.filter(charter__cycle=setup.cycle).count() >= 5
        assert StewardRole.objects.filter(cycle=setup.cycle, user__isnull=False).exists()
        session = Session.objects.get(title="Alliance reflection space")
        assert "INTERVAL=2" in session.rrule
        held = Occurrence.objects.filter(session=session, held_at__isnull=False)
        assert held.count() == 4
        outputs = SessionOutput.objects.filter(occurrence__session=session)
        assert outputs.filter(entry__cycle=setup.cycle).count() >= 4
        assert outputs.filter(experiment__isnull=False).exists()
        assert HeardAnswer.objects.filter(occurrence__session=session).exists()
        # One published (Today's demo adds a draft beside it).
        report = LearningReport.objects.get(status=LearningReport.Status.PUBLISHED)
        assert report.assembly == LearningReport.Assembly.READY
        assert report.content["sessions"]


def test_demo_team_says_its_time_for_learning_and_what_it_stopped(db) -> None:
    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    with tenant_scope(workspace_id=eastbridge.pk):
        time = LearningTime.objects.get()
        assert time.cycle.name.startswith("Learning with people")
        statuses = sorted(StopDoing.objects.values_list("status", flat=True))
        assert statuses == ["resumed", "stopped"]
        assert StopDoing.objects.get(status="resumed").resumed_why


def test_demo_runs_methods_together(db) -> None:
    """An MSC selection across two levels with reasons back to the storytellers, a healthy-system
    reflection in two rounds with differing views, a learning get-together, and a reflection
    begun and not finished."""
    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    with tenant_scope(workspace_id=eastbridge.pk):
        runs = {r.builtin: r for r in MethodRun.objects.filter(status="completed")}
        assert MethodRun.objects.filter(builtin="msc", status="completed").count() == 3
        assert runs["learning_get_together"].outputs.count() == 2
        assert MethodRun.objects.get(builtin="rapid_learning").status == "open"
        jo = User.objects.get(email="practitioner@demo.hls.test")
        tax_run = MethodRun.objects.get(builtin="msc", facilitator=jo)
        [link] = method_selectors.chain_for(workspace=eastbridge, run=tax_run, user=jo)
        assert link.run.cycle.name == "One council around the person"
        [(_id, words, why)] = link.chosen
        assert words.startswith("Mrs D rang us herself")
        assert "rewrite our first letters" in why
    northmoor = Workspace.objects.get(slug="northmoor")
    with tenant_scope(workspace_id=northmoor.pk):
        run = MethodRun.objects.filter(builtin="healthy_system").order_by("created_at").last()
        _step, pictures = method_selectors.picture_over_time(
            workspace=northmoor, cycle=run.cycle, run=run
        )
        assert [p.answered for p in pictures] == [4, 5]  # Kit joined the second round
        power = dict(pictures[0].spread["sharing_power"])
        assert power["1"] == 2  # views differ, unnamed
        assert power["2"] == 2
        assert run.occurrence is not None
        assert RunParticipant.objects.filter(run=run, user=None, guest_name="Kit").exists()


def test_demo_keeps_measures_for_learning_and_stories_placed_by_their_tellers(db) -> None:
    """Mrs D's unchanged arrears beside her own ratings improving; a team measure with a shift
    after an experiment, its signal and note seen above without its values; stories placed on
    a triad by their tellers in two teams."""
    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    with tenant_scope(workspace_id=eastbridge.pk):
        owed = Measure.objects.get(name="Council tax owed")
        assert set(owed.points.values_list("value", flat=True)) == {Decimal("1240")}
        assert owed.points.count() == 10
        first, last = (
            [r.value for r in item.ratings.all()]
            for item in WhatMatters.objects.filter(person=owed.person)
        )
        assert first[-1] > first[0]
        assert last[-1] > last[0]
        team = Measure.objects.get(name__startswith="People who got in touch")
        values = [float(p.value) for p in team.points.all()]
        assert run_chart(values).signal
        assert team.signal_note
        sam = User.objects.get(email="manager@demo.hls.test")
        council = Cycle.objects.get(name="One council around the person")
        [signal] = signals_from_below(workspace=eastbridge, user=sam, cycle=council)
        assert signal.measure_id == team.pk
        stories = Placement.objects.values_list("entry__cycle__name", flat=True)
        assert {name.split(":")[0] for name in stories} == {
            "Learning with people in council tax debt",
            "Rent arrears",
        }
        assert Placement.objects.count() >= 2 * eastbridge.small_count_threshold
