"""Spread is a pull (issue 10): only someone inside the receiving cycle starts from another
cycle's design, into that cycle, and owns the copy; the original shows where it was adapted."""

import pytest
from django.core.exceptions import PermissionDenied

from cycles.links import services
from cycles.models import Cycle, Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import CycleMemberFactory, ExperimentFactory


def _url(world, path):
    return f"/w/{world.workspace.slug}/{path}"


@pytest.fixture
def source(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        return ExperimentFactory(
            workspace=world.workspace,
            cycle=world.south_cycle,
            title="Call first",
            status="ended",
            outcome="amplify",
            learnt="It helped",
        )


@pytest.mark.parametrize("who", ["south_member", "manager", "admin"])
def test_copy_refused_into_a_cycle_the_actor_takes_no_part_in(world, source, who, make_member):
    actor = make_member(world.workspace, Role.ADMIN) if who == "admin" else getattr(world, who)
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        with pytest.raises(PermissionDenied):
            services.copy_design(
                workspace=ws, cycle=world.north_cycle, source=source, copied_by=actor.user
            )
        assert not Experiment.objects.filter(cycle=world.north_cycle).exists()
    client = signed_in(actor)
    url = _url(world, f"cycles/{world.north_cycle.pk}/copy-design/")
    assert client.get(url).status_code == 403
    assert client.post(url, {"experiment": source.pk}).status_code == 403
    with tenant_scope(workspace_id=ws.pk):
        assert not Experiment.objects.filter(cycle=world.north_cycle).exists()
    cycle_page = client.get(_url(world, f"cycles/{world.north_cycle.pk}/")).content.decode()
    assert "copy-design" not in cycle_page


def test_adapt_offers_only_the_actors_own_cycles_and_refuses_any_other(world, source):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=world.sub_cycle, user=world.north_member.user)
    client = signed_in(world.north_member)
    url = _url(world, f"experiments/{source.pk}/adapt/")
    page = client.get(url).content.decode()
    assert world.north_cycle.name in page  # "North team cycle"
    assert "Duty desk cycle" in page
    assert "Open Door cycle" not in page
    assert "South cycle</option>" not in page
    for elsewhere in (world.org_cycle, world.south_cycle, world.foreign_cycle):
        response = client.post(url, {"cycle": elsewhere.pk})
        assert response.status_code == 400
        assert 'id="id_cycle_error"' in response.content.decode()
    assert client.post(url, {"cycle": "not a number"}).status_code == 400
    with tenant_scope(workspace_id=ws.pk):
        assert not Experiment.objects.filter(copied_from=source).exists()

    response = client.post(url, {"cycle": world.north_cycle.pk})
    assert response.status_code == 302
    with tenant_scope(workspace_id=ws.pk):
        copy = Experiment.objects.get(copied_from=source)
    assert copy.cycle_id == world.north_cycle.pk
    assert copy.owner_id == world.north_member.user.pk
    assert copy.status == Experiment.Status.PLANNED
    assert response["Location"] == _url(world, f"experiments/{copy.pk}/edit/")


def test_adapt_page_for_someone_in_no_other_cycle_says_so(world, source):
    page = signed_in(world.stranger).get(_url(world, f"experiments/{source.pk}/adapt/"))
    assert page.status_code == 200
    assert "You take part in no other cycle" in page.content.decode()


def _copies(world, source, n):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        cycles = Cycle.objects.bulk_create(
            [
                Cycle(workspace=ws, system=world.north, name=f"Team cycle {i}", purpose="p")
                for i in range(n)
            ]
        )
        Experiment.objects.bulk_create(
            [
                Experiment(
                    workspace=ws,
                    cycle=cycle,
                    title=f"Call first, our way {i}",
                    what_we_will_try="x",
                    copied_from=source,
                )
                for i, cycle in enumerate(cycles)
            ]
        )
    return cycles


def test_the_original_lists_where_it_was_adapted(world, source):
    cycles = _copies(world, source, 3)
    html = signed_in(world.south_member).get(_url(world, f"experiments/{source.pk}/"))
    html = html.content.decode()
    assert "Adapted in 3 cycles" in html
    with tenant_scope(workspace_id=world.workspace.pk):
        copies = list(Experiment.objects.filter(copied_from=source))
    for copy in copies:
        assert f'href="/w/riverside/experiments/{copy.pk}/"' in html
    for cycle in cycles:
        assert f"{cycle.name}</a>" in html


@pytest.mark.parametrize("n", [2, 40])
def test_the_original_page_costs_the_same_however_often_adapted(
    world, source, n, django_assert_num_queries
):
    _copies(world, source, n)
    client = signed_in(world.south_member)
    url = _url(world, f"experiments/{source.pk}/")
    client.get(url)
    with django_assert_num_queries(19):
        response = client.get(url)
    assert f"Adapted in {n} cycles" in response.content.decode()
