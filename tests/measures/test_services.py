"""The services of measures and a person's own terms: who may write (those inside the cycle),
and bad input refused with a clear message naming the field (not a number, a day to come, a
second value on one day, a rating off the person's own scale, a measure without a question)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cycles.measures import services
from cycles.models import DataPoint, Measure, WhatMattersRating
from hls.conflicts import EditConflict
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import DataPointFactory, MeasureFactory, WhatMattersFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def refusal(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


@pytest.fixture
def ws(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        yield world


def _measure(world, **kwargs):
    return MeasureFactory(workspace=world.workspace, cycle=world.cycle, **kwargs)


def test_a_measure_is_created_by_those_inside_with_its_question(ws) -> None:
    measure = services.measure_create(
        workspace=ws.workspace, cycle=ws.cycle, user=ws.author.user, name=" Days to a visit ",
        learning_question="Does seeing people sooner change what happens next?", unit="days",
    )  # fmt: skip
    assert (measure.name, measure.visibility, measure.created_by) == (
        "Days to a visit",
        ShareLevel.TEAM,
        ws.author.user,
    )
    with pytest.raises(PermissionDenied):  # the manager above never sets the cycle's measures
        services.measure_create(
            workspace=ws.workspace, cycle=ws.cycle, user=ws.manager.user, name="Days",
            learning_question="Why?",
        )  # fmt: skip


def test_a_measure_needs_its_learning_question(ws) -> None:
    errors = refusal(
        services.measure_create, workspace=ws.workspace, cycle=ws.cycle, user=ws.author.user,
        name="Days", learning_question="   ",
    )  # fmt: skip
    assert "what it is for" in errors["learning_question"][0].lower()
    assert not Measure.objects.exists()


def test_a_measure_about_a_person_stays_within_their_consent(ws) -> None:
    kwargs = dict(
        workspace=ws.workspace, cycle=ws.life_cycle, user=ws.keyworker.user, name="Arrears",
        learning_question="Is the debt holding her back?", person=ws.person,
    )  # fmt: skip
    errors = refusal(services.measure_create, visibility=ShareLevel.SHARED_UPWARD, **kwargs)
    assert "as far as “This cycle” only" in errors["visibility"][0]
    measure = services.measure_create(visibility=ShareLevel.CYCLE, **kwargs)
    assert measure.person == ws.person
    errors = refusal(
        services.measure_update, workspace=ws.workspace, measure=measure, user=ws.keyworker.user,
        name="Arrears", learning_question="Why?", visibility=ShareLevel.WORKSPACE,
    )  # fmt: skip
    assert "visibility" in errors


def test_someone_the_author_does_not_work_with_cannot_be_chosen(ws) -> None:
    errors = refusal(
        services.measure_create, workspace=ws.workspace, cycle=ws.cycle, user=ws.author.user,
        name="Arrears", learning_question="Why?", person=ws.person,
    )  # fmt: skip
    assert "person" in errors


def test_an_edit_from_an_old_revision_is_a_conflict(ws) -> None:
    measure = _measure(ws)
    services.measure_update(
        workspace=ws.workspace, measure=measure, user=ws.author.user, name="New name",
        learning_question="Q", revision=1,
    )  # fmt: skip
    with pytest.raises(EditConflict) as caught:
        services.measure_update(
            workspace=ws.workspace, measure=measure, user=ws.author.user, name="Mine",
            learning_question="Q", revision=1,
        )  # fmt: skip
    assert caught.value.theirs("name") == "New name"
    measure.refresh_from_db()
    assert (measure.name, measure.revision) == ("New name", 2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", Decimal(12)), (" 12.5 ", Decimal("12.5")), ("1,240", Decimal(1240)), ("-3", -3)],
)
def test_values_are_numbers(typed, expected) -> None:
    assert services.parse_value(typed) == expected


@pytest.mark.parametrize("typed", ["twelve", "12,5", "1,24", "", "NaN", "Infinity", "1e400"])
def test_what_is_not_a_number_is_refused_with_how_to_write_one(typed) -> None:
    with pytest.raises(ValidationError) as caught:
        services.parse_value(typed)
    message = caught.value.message_dict["value"][0]
    assert "number" in message


def test_a_value_is_added_today_unless_a_day_gone_is_given(ws) -> None:
    measure = _measure(ws)
    point = services.point_add(
        workspace=ws.workspace, measure=measure, user=ws.author.user, value="7", note=" ok "
    )
    assert (point.on, point.value, point.note) == (TODAY(), Decimal(7), "ok")
    errors = refusal(
        services.point_add, workspace=ws.workspace, measure=measure, user=ws.author.user,
        value="8", on=TODAY() + dt.timedelta(days=1),
    )  # fmt: skip
    assert "has not come yet" in errors["on"][0]
    errors = refusal(
        services.point_add, workspace=ws.workspace, measure=measure, user=ws.author.user,
        value="nine",
    )  # fmt: skip
    assert "“nine” is not a number" in errors["value"][0]


def test_a_second_value_on_one_day_is_refused_naming_the_day(ws) -> None:
    measure = _measure(ws)
    DataPointFactory(workspace=ws.workspace, measure=measure, on=dt.date(2026, 3, 3), value=4)
    with pytest.raises(ValidationError) as caught:
        services.point_add(
            workspace=ws.workspace, measure=measure, user=ws.author.user, value="5",
            on=dt.date(2026, 3, 3),
        )  # fmt: skip
    message = caught.value.message_dict["on"][0]
    assert message.startswith("There is already a value for 3 March")
    assert "change it instead" in message
    assert DataPoint.objects.get().value == 4


def test_a_value_is_changed_or_removed_by_those_inside_only(ws) -> None:
    measure = _measure(ws)
    point = DataPointFactory(workspace=ws.workspace, measure=measure, on=dt.date(2026, 3, 3))
    DataPointFactory(workspace=ws.workspace, measure=measure, on=dt.date(2026, 3, 4))
    changed = services.point_update(
        workspace=ws.workspace, point=point, user=ws.author.user, value="9.25",
        on=dt.date(2026, 3, 2),
    )  # fmt: skip
    assert (changed.value, changed.on) == (Decimal("9.25"), dt.date(2026, 3, 2))
    errors = refusal(
        services.point_update, workspace=ws.workspace, point=point, user=ws.author.user,
        value="9", on=dt.date(2026, 3, 4),
    )  # fmt: skip
    assert "already a value for 4 March" in errors["on"][0]
    with pytest.raises(PermissionDenied):
        services.point_delete(workspace=ws.workspace, point=point, user=ws.manager.user)
    services.point_delete(workspace=ws.workspace, point=point, user=ws.author.user)
    assert DataPoint.objects.count() == 1


def test_the_signal_note_is_the_cycles_own(ws) -> None:
    measure = _measure(ws)
    with pytest.raises(PermissionDenied):
        services.signal_note_set(
            workspace=ws.workspace, measure=measure, user=ws.manager.user, note="Good work"
        )
    saved = services.signal_note_set(
        workspace=ws.workspace, measure=measure, user=ws.author.user,
        note="The shift came with the open door hour.", revision=1,
    )  # fmt: skip
    assert saved.signal_note_at is not None
    with pytest.raises(EditConflict):
        services.signal_note_set(
            workspace=ws.workspace, measure=measure, user=ws.author.user, note="x", revision=1
        )


def test_what_matters_is_in_the_persons_words_on_their_scale(ws) -> None:
    item = services.what_matters_add(
        workspace=ws.workspace, cycle=ws.life_cycle, person=ws.person, user=ws.keyworker.user,
        words="Feeling safe at home", scale_max=5, low_words="scared", high_words="safe",
    )  # fmt: skip
    assert (item.words, item.scale_max, item.position) == ("Feeling safe at home", 5, 0)
    for top in (1, 11):
        errors = refusal(
            services.what_matters_add, workspace=ws.workspace, cycle=ws.life_cycle,
            person=ws.person, user=ws.keyworker.user, words="Sleep", scale_max=top,
        )  # fmt: skip
        assert "top of 2 to 10" in errors["scale_max"][0]
    errors = refusal(
        services.what_matters_add, workspace=ws.workspace, cycle=ws.cycle, person=ws.person,
        user=ws.author.user, words="Sleep",
    )  # fmt: skip
    assert "person's cycle" in errors["words"][0]
    with pytest.raises(PermissionDenied):  # the team above is not inside Maya's cycle
        services.what_matters_add(
            workspace=ws.workspace, cycle=ws.life_cycle, person=ws.person, user=ws.team.user,
            words="Sleep",
        )  # fmt: skip


def test_a_rating_is_on_their_own_scale_once_a_day(ws) -> None:
    item = WhatMattersFactory(
        workspace=ws.workspace, cycle=ws.life_cycle, person=ws.person, scale_max=5
    )
    kwargs = dict(workspace=ws.workspace, item=item, user=ws.keyworker.user)
    for value in ("6", "-1"):
        errors = refusal(services.rating_add, value=value, **kwargs)
        assert "from 0 to 5" in errors["value"][0]
    errors = refusal(services.rating_add, value="lots", **kwargs)
    assert "whole number from 0 to 5" in errors["value"][0]
    errors = refusal(services.rating_add, value="3", on=TODAY() + dt.timedelta(days=2), **kwargs)
    assert "has not come yet" in errors["on"][0]
    services.rating_add(value="3", rated_by="person", **kwargs)
    errors = refusal(services.rating_add, value="4", **kwargs)
    assert "one a day" in errors["on"][0]
    assert list(WhatMattersRating.objects.values_list("value", "rated_by")) == [(3, "person")]
    errors = refusal(
        services.what_matters_update, workspace=ws.workspace, item=item, user=ws.keyworker.user,
        words="Feeling safe", scale_max=2,
    )  # fmt: skip
    assert "already placed it at 3" in errors["scale_max"][0]
