"""Links, learning sideways and lineage, through the services directly."""

import pytest
from django.core.exceptions import ValidationError

from cycles.connections import cycle_ids_below, cycles_above
from cycles.links import selectors, services
from cycles.models import ContextQuestion, CycleLink, EntrySource, Experiment
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import CycleFactory, CycleLinkFactory, EntryFactory, ExperimentFactory


def _add(world, cycle, other, kind="parent", reason="Both work on debt."):
    return services.link_add(
        workspace=world.workspace,
        cycle=cycle,
        other=other,
        kind=kind,
        reason=reason,
        created_by=world.north_member.user,
    )


def _refused(world, field, message, **kwargs):
    before = CycleLink.objects.count()
    with pytest.raises(ValidationError) as error:
        _add(world, **kwargs)
    assert message in " ".join(error.value.message_dict[field])
    assert CycleLink.objects.count() == before


def test_add_and_end_a_link_keeps_it_with_the_reason(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        link = _add(world, world.south_cycle, world.north_cycle)
        assert world.north_cycle in cycles_above(workspace=world.workspace, cycle=world.south_cycle)
        services.link_end(
            workspace=world.workspace,
            link=link,
            ended_by=world.manager.user,
            reason="The partnership ended.",
        )
        link.refresh_from_db()
        assert link.ended_at is not None
        assert link.ended_by == world.manager.user
        assert link.end_reason == "The partnership ended."
        assert world.north_cycle not in cycles_above(
            workspace=world.workspace, cycle=world.south_cycle
        )
        overview = selectors.links_of(workspace=world.workspace, cycle=world.south_cycle)
        assert overview.ended == [link]
        # ending twice, or without a reason, is refused
        with pytest.raises(ValidationError):
            services.link_end(
                workspace=world.workspace, link=link, ended_by=world.manager.user, reason="again"
            )
        other = _add(world, world.south_cycle, world.north_cycle, kind="peer")
        with pytest.raises(ValidationError) as error:
            services.link_end(
                workspace=world.workspace, link=other, ended_by=world.manager.user, reason="  "
            )
        assert "Say why this link ends." in error.value.message_dict["reason"]
        other.refresh_from_db()
        assert other.ended_at is None


def test_bad_links_are_refused_and_nothing_changes(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        _refused(
            world,
            "other",
            "cannot be linked to itself",
            cycle=world.north_cycle,
            other=world.north_cycle,
        )
        _refused(
            world, "other", "in this workspace", cycle=world.north_cycle, other=world.foreign_cycle
        )
        # a loop through system nesting: the duty desk is below North
        _refused(world, "other", "loop", cycle=world.north_cycle, other=world.sub_cycle)
        _refused(world, "other", "loop", cycle=world.org_cycle, other=world.sub_cycle)
        # already above through the system map
        _refused(
            world, "other", "through the system map", cycle=world.north_cycle, other=world.org_cycle
        )
        _refused(
            world,
            "reason",
            "Say why",
            cycle=world.north_cycle,
            other=world.south_cycle,
            kind="peer",
            reason=" ",
        )
        _refused(
            world, "kind", "Choose", cycle=world.north_cycle, other=world.south_cycle, kind="boss"
        )


def test_a_loop_through_explicit_links_is_refused(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        x, y, z = (CycleFactory(workspace=ws, name=name) for name in "xyz")  # unrelated systems
        _add(world, x, y)  # y is above x
        _add(world, y, z)  # z is above y (and so above x)
        _refused(world, "other", "loop", cycle=z, other=x)
        _refused(world, "other", "loop", cycle=y, other=x)
        assert cycle_ids_below(workspace=ws, cycle=z) == {x.pk, y.pk}
        # a diamond is not a loop: the duty desk (below North) may also sit below South
        _add(world, world.sub_cycle, world.south_cycle)
        # and through nesting plus links: South is now above the duty desk; North cannot go
        # below... the duty desk
        _refused(world, "other", "loop", cycle=world.north_cycle, other=world.sub_cycle)


def test_duplicate_open_links_are_refused_in_either_direction_for_peers(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        _add(world, world.north_cycle, world.south_cycle, kind="peer")
        _refused(
            world,
            "other",
            "already linked",
            cycle=world.north_cycle,
            other=world.south_cycle,
            kind="peer",
        )
        _refused(
            world,
            "other",
            "already linked",
            cycle=world.south_cycle,
            other=world.north_cycle,
            kind="peer",
        )
        _add(world, world.south_cycle, world.sub_cycle)
        _refused(world, "other", "already linked", cycle=world.south_cycle, other=world.sub_cycle)


def test_links_overview_marks_implied_and_explicit(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        _add(world, world.south_cycle, world.north_cycle, reason="Shared duty rota")
        _add(world, world.north_cycle, world.south_cycle, kind="peer", reason="Same streets")
        north = selectors.links_of(workspace=ws, cycle=world.north_cycle)
        assert [(r.cycle, r.implied) for r in north.above] == [(world.org_cycle, True)]
        assert {(r.cycle, r.implied) for r in north.below} == {
            (world.sub_cycle, True),
            (world.south_cycle, False),
        }
        assert [(r.cycle, r.link.reason) for r in north.peers] == [
            (world.south_cycle, "Same streets")
        ]
        south = selectors.links_of(workspace=ws, cycle=world.south_cycle)
        assert {r.cycle for r in south.above} == {world.org_cycle, world.north_cycle}


# Learning sideways ---------------------------------------------------------------------------


def test_learnt_nearby_shows_only_peers_shared_upward_entries_the_viewer_may_see(world):
    ws = world.workspace
    viewer = world.manager.user  # works above both teams
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(workspace=ws, cycle=world.north_cycle, other=world.south_cycle)
        author = world.south_member.user
        shared = EntryFactory(
            workspace=ws,
            cycle=world.south_cycle,
            author=author,
            visibility=ShareLevel.SHARED_UPWARD,
            text="shared upward",
        )
        everyone = EntryFactory(
            workspace=ws,
            cycle=world.south_cycle,
            author=author,
            visibility=ShareLevel.WORKSPACE,
            text="for everyone",
        )
        EntryFactory(
            workspace=ws,
            cycle=world.south_cycle,
            author=author,
            visibility=ShareLevel.PRIVATE,
            text="private",
        )
        EntryFactory(
            workspace=ws,
            cycle=world.south_cycle,
            author=author,
            visibility=ShareLevel.TEAM,
            text="team only",
        )
        EntryFactory(
            workspace=ws,
            cycle=world.sub_cycle,
            author=author,
            visibility=ShareLevel.WORKSPACE,
            text="not a peer",
        )
        seen = set(selectors.nearby_entries(workspace=ws, user=viewer, cycle=world.north_cycle))
        assert seen == {shared, everyone}
        # a peer-team practitioner does not work above South: only what everyone may see
        seen = set(
            selectors.nearby_entries(
                workspace=ws, user=world.north_member.user, cycle=world.north_cycle
            )
        )
        assert seen == {everyone}
        # even the author's own team-only entry does not travel sideways
        seen = set(selectors.nearby_entries(workspace=ws, user=author, cycle=world.north_cycle))
        assert seen == {shared, everyone}


def test_learnt_nearby_experiments_are_ended_ones_of_peers(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(workspace=ws, cycle=world.south_cycle, other=world.north_cycle)
        ended = ExperimentFactory(
            workspace=ws,
            cycle=world.south_cycle,
            status="ended",
            outcome="stop_learnt",
            learnt="Letters frighten people.",
        )
        ExperimentFactory(workspace=ws, cycle=world.south_cycle, status="running")
        ExperimentFactory(workspace=ws, cycle=world.sub_cycle, status="ended")
        assert list(selectors.nearby_experiments(workspace=ws, cycle=world.north_cycle)) == [ended]


def test_ask_peer_creates_the_question_and_its_target(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(workspace=ws, cycle=world.north_cycle, other=world.south_cycle)
        experiment = ExperimentFactory(workspace=ws, cycle=world.south_cycle, status="ended")
        entry = EntryFactory(workspace=ws, cycle=world.south_cycle, visibility=ShareLevel.WORKSPACE)
        question = services.ask_peer(
            workspace=ws,
            asked_from=world.north_cycle,
            asked_by=world.north_member.user,
            peer=world.south_cycle,
            text="  How did you phrase the call?  ",
            about_experiment=experiment,
        )
        assert question.text == "How did you phrase the call?"
        assert question.asked_from == world.north_cycle
        assert question.origin["kind"] == "sideways"
        assert question.origin["experiment_id"] == experiment.pk
        assert [t.cycle for t in question.targets.all()] == [world.south_cycle]
        question = services.ask_peer(
            workspace=ws,
            asked_from=world.north_cycle,
            asked_by=world.north_member.user,
            peer=world.south_cycle,
            text="Who made the first call?",
            about_entry=entry,
        )
        assert question.origin["entry_id"] == entry.pk


def test_ask_peer_refuses_non_peers_private_entries_and_empty_questions(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(workspace=ws, cycle=world.north_cycle, other=world.south_cycle)
        private = EntryFactory(workspace=ws, cycle=world.south_cycle, visibility=ShareLevel.PRIVATE)
        cases = [
            dict(peer=world.sub_cycle, text="Why?"),
            dict(peer=world.south_cycle, text="   "),
            dict(peer=world.south_cycle, text="Why?", about_entry=private),
            dict(peer=world.foreign_cycle, text="Why?"),
        ]
        for case in cases:
            with pytest.raises(ValidationError) as error:
                services.ask_peer(
                    workspace=ws,
                    asked_from=world.north_cycle,
                    asked_by=world.north_member.user,
                    **case,
                )
            assert "text" in error.value.message_dict
        assert not ContextQuestion.objects.exists()


def test_copy_design_copies_the_design_not_the_prediction_and_lands_planned(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        source = ExperimentFactory(
            workspace=ws,
            cycle=world.south_cycle,
            title="Call first",
            what_we_will_try="Call",
            why="Letters scare",
            prediction="Fewer evictions",
            how_we_will_know="Ask them",
            safe_to_fail_limits="Stop if anyone is upset",
            status="ended",
            outcome="amplify",
            learnt="It helped",
        )
        copy = services.copy_design(
            workspace=ws, cycle=world.north_cycle, source=source, copied_by=world.north_member.user
        )
        copy.refresh_from_db()
        assert copy.cycle == world.north_cycle
        assert copy.status == Experiment.Status.PLANNED
        assert copy.copied_from == source
        assert (
            copy.title,
            copy.what_we_will_try,
            copy.why,
            copy.how_we_will_know,
            copy.safe_to_fail_limits,
        ) == ("Call first", "Call", "Letters scare", "Ask them", "Stop if anyone is upset")
        assert copy.prediction == ""
        assert copy.learnt == ""
        assert copy.outcome == ""
        assert copy.owner == world.north_member.user
        assert copy.starts_on is None
        assert list(selectors.adapted_designs(workspace=ws, cycle=world.north_cycle)) == [copy]
        with pytest.raises(ValidationError):
            services.copy_design(
                workspace=ws,
                cycle=world.south_cycle,
                source=source,
                copied_by=world.south_member.user,
            )


# Lineage -------------------------------------------------------------------------------------


def test_lineage_came_from_and_went_to_are_filtered_by_visibility(world):
    ws = world.workspace
    viewer = world.manager.user
    with tenant_scope(workspace_id=ws.pk):
        insight = EntryFactory(
            workspace=ws,
            cycle=world.org_cycle,
            kind="insight",
            author=viewer,
            visibility=ShareLevel.TEAM,
        )
        story = EntryFactory(
            workspace=ws, cycle=world.north_cycle, visibility=ShareLevel.SHARED_UPWARD
        )
        hidden = EntryFactory(workspace=ws, cycle=world.north_cycle, visibility=ShareLevel.PRIVATE)
        experiment = ExperimentFactory(workspace=ws, cycle=world.sub_cycle)
        for kwargs in (dict(source_entry=story), dict(source_experiment=experiment)):
            services.source_add(workspace=ws, entry=insight, added_by=viewer, **kwargs)
        EntrySource.objects.create(workspace=ws, entry=insight, source_entry=hidden)
        decision = EntryFactory(
            workspace=ws, cycle=world.org_cycle, kind="decision", visibility=ShareLevel.WORKSPACE
        )
        EntrySource.objects.create(workspace=ws, entry=decision, source_entry=insight)
        private_decision = EntryFactory(
            workspace=ws, cycle=world.org_cycle, kind="decision", visibility=ShareLevel.PRIVATE
        )
        EntrySource.objects.create(workspace=ws, entry=private_decision, source_entry=insight)
        came = selectors.came_from(workspace=ws, user=viewer, entry=insight)
        assert {(s.source_entry, s.source_experiment) for s in came} == {
            (story, None),
            (None, experiment),
        }
        assert list(selectors.went_to(workspace=ws, user=viewer, entry=insight)) == [decision]
        assert list(selectors.went_to(workspace=ws, user=viewer, entry=story)) == [insight]


def test_invalid_sources_are_refused(world):
    ws = world.workspace
    user = world.north_member.user
    with tenant_scope(workspace_id=ws.pk):
        insight = EntryFactory(workspace=ws, cycle=world.north_cycle, kind="insight", author=user)
        private = EntryFactory(workspace=ws, cycle=world.north_cycle, visibility=ShareLevel.PRIVATE)
        above = EntryFactory(workspace=ws, cycle=world.org_cycle, visibility=ShareLevel.WORKSPACE)
        sideways = ExperimentFactory(workspace=ws, cycle=world.south_cycle)
        ok = EntryFactory(workspace=ws, cycle=world.sub_cycle, visibility=ShareLevel.WORKSPACE)
    with tenant_scope(workspace_id=world.other_workspace.pk):
        foreign = EntryFactory(workspace=world.other_workspace, visibility=ShareLevel.WORKSPACE)
    with tenant_scope(workspace_id=ws.pk):
        cases = [
            ("source_entry", dict(source_entry=insight)),
            ("source_entry", dict(source_entry=private)),
            ("source_entry", dict(source_entry=above)),
            ("source_entry", dict(source_entry=foreign)),
            ("source_experiment", dict(source_experiment=sideways)),
            ("source_entry", dict()),
        ]
        for field, kwargs in cases:
            with pytest.raises(ValidationError) as error:
                services.source_add(workspace=ws, entry=insight, added_by=user, **kwargs)
            assert field in error.value.message_dict, kwargs
        assert not EntrySource.objects.exists()
        services.source_add(workspace=ws, entry=insight, added_by=user, source_entry=ok)
        with pytest.raises(ValidationError):
            services.source_add(workspace=ws, entry=insight, added_by=user, source_entry=ok)
        source = EntrySource.objects.get()
        services.source_remove(workspace=ws, source=source)
        assert not EntrySource.objects.exists()
