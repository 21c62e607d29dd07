"""A report travels: a person-scale cycle named after its person ("Maria") is shown by its
pseudonymous name in the report, whoever assembles it, and the name is masked in what is quoted,
in every format. Entries are chosen for the period by when they happened."""

import datetime as dt
import io
import json

import pypdf
import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.models import ReportExport
from tests.conftest import signed_in
from tests.factories import (
    BarrierRouteFactory,
    CycleFactory,
    CycleMemberFactory,
    ExperimentFactory,
    ParticipationFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    ThemeFactory,
)
from tests.people.conftest import give_identity
from tests.stewardship_reports.conftest import entry, make_report

pytestmark = pytest.mark.django_db

PSEUDONYM = "A person's life · North team"


@pytest.fixture
def life(world):
    """Maria's own life as a system under the North team, a cycle named after her, and what it
    shares upward: a story, an experiment, a barrier, who took part."""
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        team = SystemFactory(workspace=ws, name="North team")
        scale = ScaleFactory(workspace=ws, name="A person's life", is_person_scale=True)
        system = SystemFactory(workspace=ws, name="Maria", scale=scale, parent=team)
        cycle = CycleFactory(
            workspace=ws, system=system, name="Maria", purpose="What Maria wants: to stay home."
        )
        CycleMemberFactory(workspace=ws, cycle=cycle, user=world.author.user)
        person = PersonFactory(workspace=ws, system=system, reference="P-MAR1", consent_level=4)
        theme = ThemeFactory(workspace=ws, name="Getting about")
        for n in range(3):
            entry(world, f"Maria found the bus pass helped ({n}).", theme=theme, kind="story",
                  cycle=cycle, person=person)  # fmt: skip
        ExperimentFactory(
            workspace=ws, cycle=cycle, title="Bus pass for Maria", status="running",
            started_at=timezone.now() - dt.timedelta(days=5), learnt="Maria goes out more.",
        )  # fmt: skip
        barrier = entry(world, "Maria cannot get the form.", kind="barrier", cycle=cycle,
                        person=person)  # fmt: skip
        BarrierRouteFactory(
            workspace=ws, entry=barrier, from_cycle=cycle, to_cycle=world.team_cycle
        )
        ParticipationFactory(
            workspace=ws, cycle=cycle, name="Maria's sister", kind="people_served", status="heard"
        )
    give_identity(ws, person, world.author.user, name="Maria Lopez")
    return cycle


@pytest.fixture
def life_report(world, life, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = make_report(world, cycles=[life, world.team_cycle])
    with tenant_scope(workspace_id=world.workspace.pk):
        made.refresh_from_db()
    return made


def test_the_report_shows_the_pseudonymous_name_and_no_name_at_all(world, life_report):
    content = life_report.content
    text = json.dumps(content, ensure_ascii=False)
    assert "Maria" not in text
    assert "Lopez" not in text
    assert "P-MAR1" not in text
    assert PSEUDONYM in [c["cycle"] for c in content["purpose"]]
    assert PSEUDONYM in [e["cycle"] for e in content["experiments"]]
    assert PSEUDONYM in [b["from_cycle"] for b in content["barriers"]]
    themes = {t["name"]: t for t in content["learnt"]["themes"]}
    assert themes["Getting about"]["count"] == 3
    assert "[someone] found the bus pass helped" in themes["Getting about"]["stories"][0]["excerpt"]


def test_even_one_who_works_with_the_person_assembles_it_pseudonymous(
    world, life, django_capture_on_commit_callbacks
):
    """The author is in Maria's cycle; the report they make still travels without her name."""
    with django_capture_on_commit_callbacks(execute=True):
        made = make_report(world, cycles=[life])
    with tenant_scope(workspace_id=world.workspace.pk):
        made.refresh_from_db()
    assert "Maria" not in json.dumps(made.content, ensure_ascii=False)


@pytest.mark.parametrize("fmt", ["html", "md", "pdf"])
def test_no_export_names_the_person(world, life_report, fmt, django_capture_on_commit_callbacks):
    client = signed_in(world.author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/w/riverside/reports/{life_report.pk}/exports/", {"format": fmt})
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        export = ReportExport.objects.get(format=fmt)
    download = client.get(f"/w/riverside/report-exports/{export.pk}/download/")
    assert download.status_code == 200
    if fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(download.content))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    else:
        text = download.content.decode()
    assert "Maria" not in text
    assert "Lopez" not in text
    assert "A person" in text  # the pseudonymous name (its apostrophe escaped in HTML)


def test_the_report_page_names_the_cycle_as_the_viewer_may_see_it(world, life, life_report):
    outsider = signed_in(world.steward).get(f"/w/riverside/reports/{life_report.pk}/")
    assert outsider.status_code == 200
    assert b"Maria" not in outsider.content
    listing = signed_in(world.steward).get("/w/riverside/reports/")
    assert b"Maria" not in listing.content
    inside = signed_in(world.author).get(f"/w/riverside/reports/{life_report.pk}/")
    assert b"Maria" in inside.content  # the link to the cycle, for one who works in it


def test_the_report_picker_names_a_life_by_its_pseudonym(world, life):
    response = signed_in(world.steward).get("/w/riverside/reports/new/")
    assert response.status_code == 200
    assert b"Maria" not in response.content
    assert b"North team" in response.content


def test_entries_are_chosen_by_when_they_happened(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with tenant_scope(workspace_id=world.workspace.pk):
        theme = ThemeFactory(workspace=world.workspace, name="Back-dated")
        for n in range(3):  # logged long ago (an old import), but they happened in the period
            made = entry(world, f"IN-PERIOD {n}", theme=theme, kind="story")
            type(made).objects.filter(pk=made.pk).update(
                created_at=timezone.now() - dt.timedelta(days=400), happened_on=today
            )
        late = ThemeFactory(workspace=world.workspace, name="Logged late")
        entry(world, "HAPPENED-BEFORE", theme=late, kind="story",
              happened_on=today - dt.timedelta(days=400))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        made = make_report(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        made.refresh_from_db()
    themes = {t["name"]: t for t in made.content["learnt"]["themes"]}
    assert themes["Back-dated"]["count"] == 3
    assert "Logged late" not in themes
    assert "HAPPENED-BEFORE" not in json.dumps(made.content)
