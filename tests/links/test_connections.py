"""cycles/connections.py: above, below (any depth) and beside, with links and ended links."""

from django.utils import timezone

from cycles.connections import cycle_ids_below, cycles_above, peer_cycles
from hls.tenancy.context import tenant_scope
from tests.factories import CycleFactory, CycleLinkFactory, SystemFactory


def test_nesting_gives_above_and_below_at_any_depth(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        assert set(cycles_above(workspace=ws, cycle=world.north_cycle)) == {world.org_cycle}
        assert set(cycles_above(workspace=ws, cycle=world.org_cycle)) == set()
        assert cycle_ids_below(workspace=ws, cycle=world.org_cycle) == {
            world.north_cycle.pk,
            world.south_cycle.pk,
            world.sub_cycle.pk,
        }
        assert cycle_ids_below(workspace=ws, cycle=world.north_cycle) == {world.sub_cycle.pk}
        assert cycle_ids_below(workspace=ws, cycle=world.sub_cycle) == set()


def test_parent_links_add_above_and_below_and_ended_ones_do_not(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        link = CycleLinkFactory(
            workspace=ws, cycle=world.south_cycle, other=world.north_cycle, kind="parent"
        )
        assert world.north_cycle in cycles_above(workspace=ws, cycle=world.south_cycle)
        assert world.south_cycle.pk in cycle_ids_below(workspace=ws, cycle=world.north_cycle)
        link.ended_at = timezone.now()
        link.save()
        assert world.north_cycle not in cycles_above(workspace=ws, cycle=world.south_cycle)
        assert world.south_cycle.pk not in cycle_ids_below(workspace=ws, cycle=world.north_cycle)


def test_below_follows_nesting_under_a_linked_child(world):
    """A cycle linked below brings the cycles nested under it."""
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(
            workspace=ws, cycle=world.north_cycle, other=world.south_cycle, kind="parent"
        )
        assert cycle_ids_below(workspace=ws, cycle=world.south_cycle) == {
            world.north_cycle.pk,
            world.sub_cycle.pk,
        }


def test_peers_either_direction_and_not_when_ended(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        link = CycleLinkFactory(workspace=ws, cycle=world.north_cycle, other=world.south_cycle)
        assert set(peer_cycles(workspace=ws, cycle=world.south_cycle)) == {world.north_cycle}
        assert set(peer_cycles(workspace=ws, cycle=world.north_cycle)) == {world.south_cycle}
        # a peer link is not "above"
        assert world.south_cycle not in cycles_above(workspace=ws, cycle=world.north_cycle)
        link.ended_at = timezone.now()
        link.save()
        assert not peer_cycles(workspace=ws, cycle=world.south_cycle).exists()


def test_below_passes_through_systems_that_have_no_cycle(world):
    """A place cycle learns from a team cycle even when the organisation between has none."""
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        place = SystemFactory(
            workspace=ws, name="Riverside place", scale=world.org_cycle.system.scale
        )
        place_cycle = CycleFactory(workspace=ws, system=place, name="Place cycle")
        no_cycle = SystemFactory(workspace=ws, name="Council", parent=place, scale=place.scale)
        team = SystemFactory(workspace=ws, name="Debt team", parent=no_cycle, scale=place.scale)
        team_cycle = CycleFactory(workspace=ws, system=team, name="Debt team cycle")
        sibling = CycleFactory(workspace=ws, system=team, name="Second debt cycle")
        assert cycle_ids_below(workspace=ws, cycle=place_cycle) == {team_cycle.pk, sibling.pk}
        # Cycles of the same system are beside each other, not below.
        assert cycle_ids_below(workspace=ws, cycle=team_cycle) == set()
