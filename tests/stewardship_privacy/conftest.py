"""Erasure and retention start from the shared cast (tests/conftest.py). `mo` adds a person with
something of every kind held about them (identity, consent history, stories shared upward with
a theme, an earlier version, a removed story, a placement, a barrier raised from a story, what
matters to them with a rating, a measure with a value, an experiment with them, a draft, a
meeting's output copying a story, a learning report quoting them with a file built from it),
and beside them Kit, whose rows must be untouched."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cycles.models import Entry, EntryRollup
from hls.tenancy.context import tenant_scope
from stewardship.reports.assembly import assemble
from systems.models import ShareLevel
from systems.people import services as people_services
from tests.factories import (
    BarrierResponseFactory,
    BarrierRouteFactory,
    CycleFactory,
    CycleMemberFactory,
    DataPointFactory,
    EntryDraftFactory,
    EntryFactory,
    EntryRevisionFactory,
    EntryThemeFactory,
    ExperimentFactory,
    ExperimentPersonFactory,
    LearningReportFactory,
    MeasureFactory,
    PersonFactory,
    PlacementFactory,
    ReportCycleFactory,
    ReportExportFactory,
    ScaleFactory,
    SessionOutputFactory,
    SystemFactory,
    SystemMemberFactory,
    ThemeFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)

# Words only Mo's stories hold: search must not find them once Mo is erased.
MO_WORDS = "Mo said the xylophone lessons kept her going after the eviction letter."
KIT_WORDS = "Kit said the allotment was the one place the worry stopped."


def story_count(workspace, cycle) -> int:
    """What patterns count for the cycle (the roll-up of all kinds, no theme)."""
    with tenant_scope(workspace_id=workspace.pk):
        return sum(
            EntryRollup.objects.filter(
                workspace=workspace, cycle=cycle, theme__isnull=True
            ).values_list("n", flat=True)
        )


@pytest.fixture
def mo(cast, make_member) -> Any:
    w = cast.workspace
    keyworker = cast.team  # in the North team: works with Mo
    today = timezone.localdate()
    with tenant_scope(workspace_id=w.pk):
        person_scale = ScaleFactory(workspace=w, name="A person's life", is_person_scale=True)
        life = SystemFactory(workspace=w, name="A life", scale=person_scale, parent=cast.system)
        SystemMemberFactory(workspace=w, system=life, user=keyworker.user)
        life_cycle = CycleFactory(workspace=w, system=life, name="Life cycle")
        CycleMemberFactory(workspace=w, cycle=life_cycle, user=keyworker.user)
        CycleMemberFactory(workspace=w, cycle=cast.cycle, user=keyworker.user)
        person = PersonFactory(
            workspace=w, reference="P-MOMO", alias="Mo", system=life, created_by=keyworker.user,
            what_matters="Staying near her sister.",
        )  # fmt: skip
        kit = PersonFactory(workspace=w, reference="P-KITT", alias="Kit", created_by=keyworker.user)
        for who in (person, kit):
            people_services.consent_record(
                workspace=w, person=who, level=ShareLevel.WORKSPACE,
                note="Agreed at home, in person.", recorded_by=keyworker.user,
            )  # fmt: skip
        people_services.consent_record(
            workspace=w, person=person, level=ShareLevel.WORKSPACE,
            note="Said it again at the review.", recorded_by=keyworker.user,
        )  # fmt: skip
        people_services.identity_set(
            workspace=w, person=person, actor=keyworker.user, name="Morag Example",
            date_of_birth=dt.date(1980, 5, 1), contact="07700 900123",
        )  # fmt: skip
        housing = ThemeFactory(workspace=w, name="Housing", kind="problem")
        story = EntryFactory(
            workspace=w, cycle=cast.cycle, author=keyworker.user, person=person, text=MO_WORDS,
            visibility=ShareLevel.WORKSPACE, happened_on=today,
        )  # fmt: skip
        EntryThemeFactory(workspace=w, entry=story, theme=housing)
        EntryRevisionFactory(workspace=w, entry=story, text="Mo said the xylophone helped.")
        removed = EntryFactory(
            workspace=w, cycle=cast.cycle, author=keyworker.user, person=person,
            text="Mo's xylophone teacher moved away.", visibility=ShareLevel.WORKSPACE,
            deleted_at=timezone.now(), happened_on=today,
        )  # fmt: skip
        barrier = EntryFactory(
            workspace=w, cycle=cast.cycle, author=keyworker.user, person=person, kind="barrier",
            text="The eviction letter for Mo came before any call.", happened_on=today,
            visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
        route = BarrierRouteFactory(
            workspace=w, entry=barrier, from_cycle=cast.cycle, to_cycle=cast.upper,
            raised_by=keyworker.user,
        )  # fmt: skip
        BarrierResponseFactory(workspace=w, route=route, text="We will look at the letters.")
        placement = PlacementFactory(workspace=w, entry=story, placed_by=keyworker.user)
        item = WhatMattersFactory(
            workspace=w, cycle=life_cycle, person=person, words="Playing the xylophone again"
        )
        WhatMattersRatingFactory(workspace=w, item=item, on=today, value=6)
        measure = MeasureFactory(
            workspace=w, cycle=life_cycle, person=person, name="Weeks behind with rent",
            visibility=ShareLevel.WORKSPACE, created_by=keyworker.user,
        )  # fmt: skip
        DataPointFactory(workspace=w, measure=measure, on=today, value=3)
        experiment = ExperimentFactory(workspace=w, cycle=cast.cycle, title="Call first")
        ExperimentPersonFactory(workspace=w, experiment=experiment, person=person)
        draft = EntryDraftFactory(
            workspace=w, author=keyworker.user, key="capture-x",
            data={"text": "Mo rang again about the xylophone", "person": str(person.pk)},
        )  # fmt: skip
        output = SessionOutputFactory(
            workspace=w, cycle=cast.cycle, entry=story, text=MO_WORDS, created_by=keyworker.user
        )
        # Kit: a story, a draft, a measure, none of which may change.
        kit_story = EntryFactory(
            workspace=w, cycle=cast.cycle, author=keyworker.user, person=kit, text=KIT_WORDS,
            visibility=ShareLevel.WORKSPACE, happened_on=today,
        )  # fmt: skip
        EntryThemeFactory(workspace=w, entry=kit_story, theme=housing)
        kit_draft = EntryDraftFactory(
            workspace=w, author=keyworker.user, key="capture-y",
            data={"text": "Kit's allotment", "person": str(kit.pk)},
        )  # fmt: skip
        report = LearningReportFactory(
            workspace=w, title="Spring", period_start=today - dt.timedelta(days=30),
            period_end=today, created_by=cast.admin.user,
        )  # fmt: skip
        ReportCycleFactory(workspace=w, report=report, cycle=cast.cycle)
        ReportCycleFactory(workspace=w, report=report, cycle=life_cycle)
    # Every theme's stories quoted, however few (the report's small-count rule aside).
    type(w).objects.filter(pk=w.pk).update(small_count_threshold=1)
    assert assemble(workspace_id=w.pk, report_id=report.pk)
    with tenant_scope(workspace_id=w.pk):
        report_file = ReportExportFactory(
            workspace=w, report=report, content=MO_WORDS.encode(), state="ready"
        )
    return SimpleNamespace(
        **vars(cast),
        keyworker=keyworker,
        life=life,
        life_cycle=life_cycle,
        person=person,
        kit=kit,
        housing=housing,
        story=story,
        removed=removed,
        barrier=barrier,
        route=route,
        placement=placement,
        item=item,
        measure=measure,
        experiment=experiment,
        draft=draft,
        output=output,
        kit_story=kit_story,
        kit_draft=kit_draft,
        report=report,
        report_file=report_file,
    )


def entry(workspace, pk: int) -> Entry | None:
    with tenant_scope(workspace_id=workspace.pk):
        return Entry.objects.filter(pk=pk).first()
