"""The place list and a place's overview cost the same number of queries for 10 or 1,000 rows."""

import pytest

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from stewardship.models import Participation, PlaceSetup, StewardRole
from tests.conftest import signed_in

LIST_BUDGET = 9
DETAIL_BUDGET = 17


def _grow(place, n: int) -> None:
    ws = place.workspace
    with tenant_scope(workspace_id=ws.pk):
        cycles = Cycle.objects.bulk_create(
            Cycle(workspace=ws, system=place.system, name=f"Place {i}", purpose="Live well")
            for i in range(n)
        )
        PlaceSetup.objects.bulk_create(
            PlaceSetup(workspace=ws, cycle=c, completed_steps=["purpose"][: i % 2])
            for i, c in enumerate(cycles)
        )
        Participation.objects.bulk_create(
            Participation(workspace=ws, cycle=place.cycle, name=f"Group {i}", kind="other",
                          status="invited")
            for i in range(n)
        )  # fmt: skip
        StewardRole.objects.bulk_create(
            StewardRole(workspace=ws, cycle=place.cycle, holder_name=f"S {i}", mandate="M",
                        answers_to="B", review_on=place.role.review_on, user=place.steward.user)
            for i in range(n)
        )  # fmt: skip


@pytest.mark.parametrize("n", [10, 1000])
def test_place_list_query_budget(place, n, django_assert_num_queries):
    _grow(place, n)
    client = signed_in(place.steward)
    with django_assert_num_queries(LIST_BUDGET):
        response = client.get("/w/riverside/place-cycles/")
    assert response.status_code == 200
    assert response.content.count(b'class="place-row"') == n + 1


@pytest.mark.parametrize("n", [10, 1000])
def test_place_detail_query_budget(place, n, django_assert_num_queries):
    _grow(place, n)
    client = signed_in(place.steward)
    with django_assert_num_queries(DETAIL_BUDGET):
        response = client.get(f"/w/riverside/place-cycles/{place.cycle.pk}/")
    assert response.status_code == 200
    with django_assert_num_queries(DETAIL_BUDGET + 1):
        response = client.get(f"/w/riverside/place-cycles/{place.cycle.pk}/setup/stewards/")
    assert response.status_code == 200
