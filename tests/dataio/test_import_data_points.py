"""Values of measures from a CSV (issue 16): through `point_add`, with the dry run. Measures are
found by name within their cycle or by id; a value that is not a number, a day to come, a second
value on a day, a unit other than the measure's or a file mixing units for one measure are each
reported on their row, and the dry run writes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import DataPoint
from dataio.models import ImportRun
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.dataio.conftest import check, csv_bytes, start, upload
from tests.factories import DataPointFactory, MeasureFactory

pytestmark = pytest.mark.django_db

HEADER = "measure,cycle,date,value,unit,note"


@pytest.fixture
def measures(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        arrears = MeasureFactory(
            workspace=world.workspace, cycle=world.cycle, name="Arrears", unit="£",
            visibility=ShareLevel.CYCLE,
        )  # fmt: skip
        visits = MeasureFactory(
            workspace=world.workspace, cycle=world.cycle, name="Visits", unit="visits",
            visibility=ShareLevel.CYCLE,
        )  # fmt: skip
        DataPointFactory(
            workspace=world.workspace, measure=arrears, on=dt.date(2026, 9, 1), value=1240
        )
        calls = MeasureFactory(
            workspace=world.workspace, cycle=world.cycle, name="Calls", unit="",
            visibility=ShareLevel.CYCLE,
        )  # fmt: skip
    return arrears, visits, calls


def points(world) -> list[tuple[str, dt.date, str]]:
    with tenant_scope(workspace_id=world.workspace.pk):
        return [
            (p.measure.name, p.on, f"{p.value.normalize():f}")
            for p in DataPoint.objects.select_related("measure").order_by("measure__name", "on")
        ]


def test_values_imported_by_name_or_id_after_a_clean_dry_run(
    world, measures, django_capture_on_commit_callbacks
):
    _arrears, visits, _calls = measures
    run = upload(
        world,
        "data_points",
        csv_bytes(
            HEADER,
            'Arrears,Keeping homes,2026-10-01,"1,240",£,October',
            "arrears,keeping homes,2026-11-01,1240,,",
            f"{visits.pk},,2026-11-01,3,visits,",
        ),
    )
    assert run.mapping == {
        "measure": "measure", "cycle": "cycle", "on": "date", "value": "value", "unit": "unit",
        "note": "note",
    }  # fmt: skip
    run = check(world, run)
    assert run.problems == []
    assert len(points(world)) == 1  # the dry run wrote nothing
    run = start(world, run, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.DONE
    assert run.created_count == 3
    assert points(world) == [
        ("Arrears", dt.date(2026, 9, 1), "1240"),
        ("Arrears", dt.date(2026, 10, 1), "1240"),
        ("Arrears", dt.date(2026, 11, 1), "1240"),
        ("Visits", dt.date(2026, 11, 1), "3"),
    ]


def test_every_bad_row_reported_in_the_dry_run_and_nothing_written(world, measures):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    run = upload(
        world,
        "data_points",
        csv_bytes(
            HEADER,
            "Arrears,Keeping homes,2026-09-01,1300,£,",  # 2: a value on that day already
            "Arrears,Keeping homes,2026-09-02,about ten,£,",  # 3: not a number
            f"Arrears,Keeping homes,{future},5,£,",  # 4: a day to come
            "Arrears,Keeping homes,2026-09-03,5,GBP,",  # 5: another unit than the measure's
            "Visits,Keeping homes,2026-09-01,2,visits,",  # 6: fine
            "Visits,Keeping homes,2026-09-02,2,calls,",  # 7: another unit than the measure's
            "Visits,Keeping homes,2026-09-01,4,visits,",  # 8: the same day twice in the file
            "Waiting,Keeping homes,2026-09-01,4,,",  # 9: no such measure
            "Visits,,2026-09-03,4,,",  # 10: named without its cycle
            "Visits,Keeping homes,1 Sept,4,,",  # 11: not a date
            "Calls,Keeping homes,2026-09-01,40,minutes,",  # 12: fine (it has no unit)
            "Calls,Keeping homes,2026-09-02,1,hours,",  # 13: a second unit for one measure
        ),
    )
    before = points(world)
    run = check(world, run)
    found = {(p["line"], p["column"], p["code"]) for p in run.problems}
    assert found == {
        (2, "date", "duplicate"),
        (3, "value", "invalid"),
        (4, "date", "invalid"),
        (5, "unit", "unit_mismatch"),
        (7, "unit", "unit_mismatch"),
        (8, "date", "duplicate_in_file"),
        (9, "measure", "not_found"),
        (10, "cycle", "required"),
        (11, "date", "invalid_date"),
        (13, "unit", "mixed_units"),
    }
    reasons = {p["line"]: p["reason"] for p in run.problems}
    assert "already a value for 1 September" in reasons[2]
    assert "“about ten” is not a number" in reasons[3]
    assert "has not come yet" in reasons[4]
    assert "kept in “£”, not “GBP”" in reasons[5]
    assert "in “hours” here and in “minutes” before" in reasons[13]
    assert points(world) == before


def test_a_measure_the_importer_does_not_see_is_not_found(world, measures, make_member):
    with tenant_scope(workspace_id=world.workspace.pk):
        hidden = MeasureFactory(
            workspace=world.workspace, cycle=world.cycle, name="Private", unit="",
            visibility=ShareLevel.PRIVATE, created_by=world.member.user,
        )  # fmt: skip
    run = check(
        world,
        upload(world, "data_points", csv_bytes(HEADER, f"{hidden.pk},,2026-09-01,3,,")),
    )
    assert [(p["column"], p["code"]) for p in run.problems] == [("measure", "not_found")]
