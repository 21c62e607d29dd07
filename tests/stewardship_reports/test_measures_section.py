"""A report's measures travel as the cycles above see them: a measure shared upward gives its
signal in words and the cycle's note, never its values; one shared with the whole workspace
gives its values of the period too; team-only measures stay out; what matters to a person, in
their words on their own scale, appears beside them only where the person agreed to share that
far, and never combined into a score."""

import datetime as dt

from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.reports.exports import evidence_blocks
from systems.models import ShareLevel
from tests.factories import (
    DataPointFactory,
    MeasureFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)
from tests.stewardship_reports.conftest import make_report

SHIFT = [3, 4, 3, 5, 4, 3, 4, 5, 3, 4] + [9] * 9


def test_measures_travel_as_signals_and_values_only_as_far_as_shared(
    world, django_capture_on_commit_callbacks
):
    ws, today = world.workspace, timezone.localdate()
    with tenant_scope(workspace_id=ws.pk):
        for name, level in (
            ("Calls before a reminder", ShareLevel.SHARED_UPWARD),
            ("Repairs waiting", ShareLevel.WORKSPACE),
            ("Team-only count", ShareLevel.TEAM),
        ):
            measure = MeasureFactory(
                workspace=ws, cycle=world.team_cycle, name=name, visibility=level,
                signal_note=f"{name}: we think the calls help",
            )  # fmt: skip
            for i, value in enumerate(SHIFT):
                DataPointFactory(
                    workspace=ws, measure=measure, value=value,
                    on=today - dt.timedelta(weeks=len(SHIFT) - 1 - i),
                )  # fmt: skip
        item = WhatMattersFactory(
            workspace=ws, cycle=world.team_cycle, person=world.person, words="Keeping my dog"
        )
        WhatMattersRatingFactory(workspace=ws, item=item, on=today, value=7)
        hidden = WhatMattersFactory(
            workspace=ws, cycle=world.team_cycle, words="NOT-CONSENTED words",
            person__consent_level=ShareLevel.TEAM,
        )  # fmt: skip
        assert hidden.person.consent_level == ShareLevel.TEAM
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(world)
    with tenant_scope(workspace_id=ws.pk):
        report.refresh_from_db()
    section = report.content["measures"]
    by_name = {m["name"]: m for m in section["measures"]}
    assert set(by_name) == {"Calls before a reminder", "Repairs waiting"}
    upward = by_name["Calls before a reminder"]
    assert upward["signals"]
    assert upward["note"] == "Calls before a reminder: we think the calls help"
    assert upward["values"] is None  # shared upward: the signal, never the numbers
    assert [v["value"] for v in by_name["Repairs waiting"]["values"]][-1] == "9"
    [own] = section["own_terms"]
    assert own["words"] == "Keeping my dog"
    assert own["ratings"] == [{"on": today.isoformat(), "value": 7}]
    text = " ".join(b.text + " ".join(b.items) for b in evidence_blocks("measures", report.content))
    assert "Signals:" in text
    assert "NOT-CONSENTED" not in text
    assert "Team-only" not in text
