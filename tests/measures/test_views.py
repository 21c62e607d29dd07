"""The measures' pages: quick entry (today prefilled, bad input beside its field with what was
typed kept, a second value on one day offering to change the first), a measure's page (its
chart, text and table; each value opening the entries of its period; experiments and phase
moves on the axis), the person's own terms beside the service's measures, never a score; and
exact query budgets that do not grow with the number of measures, points or items."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import DataPoint, WhatMattersRating
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    DataPointFactory,
    ExperimentFactory,
    MeasureFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)

W = "/w/riverside/"


def _measure(world, **kwargs):
    with tenant_scope(workspace_id=world.workspace.pk):
        return MeasureFactory(
            workspace=world.workspace, cycle=world.cycle, visibility=ShareLevel.CYCLE, **kwargs
        )


def test_quick_entry_has_today_and_a_big_save(world) -> None:
    measure = _measure(world)
    page = signed_in(world.author).get(f"{W}measures/{measure.pk}/add/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert 'inputmode="decimal"' in html
    assert "button big" in html
    assert "data-local-draft" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "about twelve"}, "value", "“about twelve” is not a number"),
        ({"value": "12", "on": "2999-01-01"}, "on", "has not come yet"),
        ({"value": "12", "on": "the 3rd"}, "on", "Give a date"),
        ({"value": ""}, "value", "Give a number"),
    ],
)
def test_bad_input_is_said_beside_its_field_and_nothing_typed_is_lost(
    world, data, field, message
) -> None:
    measure = _measure(world)
    data = {"note": "Counted twice at the front desk", **data}
    page = signed_in(world.author).post(f"{W}measures/{measure.pk}/add/", data)
    html = page.content.decode()
    assert page.status_code == 400
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert "Counted twice at the front desk" in html
    if data["value"]:
        assert f'value="{data["value"]}"' in html
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not DataPoint.objects.exists()


def test_a_second_value_on_one_day_offers_to_change_the_first(world) -> None:
    measure = _measure(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        point = DataPointFactory(workspace=world.workspace, measure=measure, on=dt.date(2026, 3, 3))
    page = signed_in(world.author).post(
        f"{W}measures/{measure.pk}/add/", {"value": "15", "on": "2026-03-03"}
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "There is already a value for 3 March" in html
    assert f"{W}data-points/{point.pk}/edit/" in html
    assert 'value="15"' in html


def test_a_value_saved_from_a_phone_shows_on_the_measure(world) -> None:
    measure = _measure(world, unit="days")
    client = signed_in(world.author)
    saved = client.post(f"{W}measures/{measure.pk}/add/", {"value": "12.5", "note": "New form"})
    assert saved.status_code == 302
    page = client.get(f"{W}measures/{measure.pk}/").content.decode()
    assert "12.5" in page
    assert "New form" in page


def test_each_value_opens_the_entries_of_its_period_and_the_axis_has_experiments(world) -> None:
    measure = _measure(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        DataPointFactory(workspace=world.workspace, measure=measure, on=dt.date(2026, 1, 5))
        DataPointFactory(workspace=world.workspace, measure=measure, on=dt.date(2026, 1, 12))
        ExperimentFactory(
            workspace=world.workspace, cycle=world.cycle, title="Open door hour",
            starts_on=dt.date(2026, 1, 8),
        )  # fmt: skip
    html = signed_in(world.author).get(f"{W}measures/{measure.pk}/").content.decode()
    timeline = f"{W}cycles/{world.cycle.pk}/timeline/"
    assert f"{timeline}?date_from=2026-01-05&amp;date_to=2026-01-05" in html
    assert f"{timeline}?date_from=2026-01-06&amp;date_to=2026-01-12" in html
    assert "“Open door hour” starts" in html
    assert "<svg" in html


def test_the_persons_own_terms_beside_the_services_measures_never_a_score(world) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        measure = MeasureFactory(
            workspace=world.workspace, cycle=world.life_cycle, name="Rent owed",
            visibility=ShareLevel.CYCLE,
        )  # fmt: skip
        DataPointFactory(workspace=world.workspace, measure=measure, value=1240)
        item = WhatMattersFactory(
            workspace=world.workspace, cycle=world.life_cycle, person=world.person,
            words="My son settled at school", scale_max=5, high_words="happy to go",
        )  # fmt: skip
        WhatMattersRatingFactory(workspace=world.workspace, item=item, value=2)
        WhatMattersRatingFactory(workspace=world.workspace, item=item, value=4)
    client = signed_in(world.keyworker)
    html = client.get(f"{W}cycles/{world.life_cycle.pk}/what-matters/").content.decode()
    assert "“My son settled at school”" in html
    assert "2 of 5" in html
    assert "4 of 5" in html
    assert "Rent owed" in html
    assert "1240" in html
    for word in ("score", "average", "total", "overall"):
        assert word not in html.lower().replace("never added up or turned into a score", "")

    # a rating off their scale is refused beside the field, what was typed kept
    refused = client.post(
        f"{W}what-matters/{item.pk}/rate/",
        {f"rate-{item.pk}-value": "9", f"rate-{item.pk}-rated_by": "person",
         f"rate-{item.pk}-note": "She laughed"},
    )  # fmt: skip
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "Their scale runs from 0 to 5" in text
    assert "She laughed" in text
    with tenant_scope(workspace_id=world.workspace.pk):
        assert WhatMattersRating.objects.count() == 2


def test_the_measures_page_queries_do_not_grow(world, django_assert_num_queries) -> None:
    client = signed_in(world.author)
    url = f"{W}cycles/{world.cycle.pk}/measures/"
    client.get(url)  # session and caches warm

    def add(n):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                measure = MeasureFactory(
                    workspace=world.workspace, cycle=world.cycle, visibility=ShareLevel.CYCLE
                )
                for day in range(3):
                    DataPointFactory(
                        workspace=world.workspace, measure=measure,
                        on=dt.date(2026, 1, 1) + dt.timedelta(days=day),
                    )  # fmt: skip

    add(1)
    with django_assert_num_queries(BUDGET_LIST):
        assert client.get(url).status_code == 200
    add(5)
    with django_assert_num_queries(BUDGET_LIST):
        assert client.get(url).status_code == 200


def test_the_measure_page_queries_do_not_grow(world, django_assert_num_queries) -> None:
    measure = _measure(world)
    client = signed_in(world.author)
    url = f"{W}measures/{measure.pk}/"
    client.get(url)
    for n in (2, 30):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _day in range(n):
                DataPointFactory(workspace=world.workspace, measure=measure)
            ExperimentFactory(workspace=world.workspace, cycle=world.cycle,
                              starts_on=dt.date(2026, 1, 3))  # fmt: skip
        with django_assert_num_queries(BUDGET_DETAIL):
            assert client.get(url).status_code == 200


def test_the_own_terms_page_queries_do_not_grow(world, django_assert_num_queries) -> None:
    client = signed_in(world.keyworker)
    url = f"{W}cycles/{world.life_cycle.pk}/what-matters/"
    client.get(url)
    for n in (1, 4):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                item = WhatMattersFactory(
                    workspace=world.workspace, cycle=world.life_cycle, person=world.person
                )
                WhatMattersRatingFactory(workspace=world.workspace, item=item)
                MeasureFactory(
                    workspace=world.workspace, cycle=world.life_cycle, visibility=ShareLevel.CYCLE
                )
        with django_assert_num_queries(BUDGET_OWN_TERMS):
            assert client.get(url).status_code == 200


BUDGET_LIST = 15
BUDGET_DETAIL = 13
BUDGET_OWN_TERMS = 15


def test_the_signals_from_below_cost_the_same_for_any_number_of_measures(
    world, django_assert_num_queries
) -> None:
    client = signed_in(world.manager)
    url = f"{W}cycles/{world.upper.pk}/measures/"
    client.get(url)
    start = timezone.localdate() - dt.timedelta(days=30)
    for n in (1, 4):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                measure = MeasureFactory(
                    workspace=world.workspace, cycle=world.cycle,
                    visibility=ShareLevel.SHARED_UPWARD,
                )  # fmt: skip
                for day in range(22):
                    DataPointFactory(
                        workspace=world.workspace, measure=measure,
                        on=start + dt.timedelta(days=day), value=1 if day < 11 else 2,
                    )  # fmt: skip
        with django_assert_num_queries(BUDGET_SIGNALS):
            html = client.get(url).content.decode()
        assert html.count('class="signal"') == (1 if n == 1 else 5)


BUDGET_SIGNALS = 15
