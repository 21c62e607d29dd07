"""Subject access: everything held about one person, as one file, in one step. The file holds
every kind of data about them (and nothing about anyone else), making it is audited, and only
an admin who works with the person may make it."""

import io
import json
import zipfile

import pytest

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Person
from systems.people import services
from tests.conftest import signed_in
from tests.factories import (
    BarrierResponseFactory,
    BarrierRouteFactory,
    CycleFactory,
    DataPointFactory,
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
    SystemMemberFactory,
    ThemeFactory,
    UserFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)
from tests.people.conftest import give_identity


def _url(person: Person) -> str:
    return f"/w/riverside/people/{person.pk}/everything-held/"


@pytest.fixture
def admin_with_person(workspace, admin, person_system):
    """The workspace's admin, working with the person (in the team of their own life)."""
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=person_system, user=admin.user)
    return admin


@pytest.fixture
def everything(workspace, person, person_system, team_member):
    """One row of every kind of data about Mo, and the same kinds about someone else."""
    give_identity(workspace, person, team_member.user, name="Morag Example")
    with tenant_scope(workspace_id=workspace.pk):
        services.consent_record(
            workspace=workspace,
            person=person,
            level=2,
            note="Said yes at home, with her sister there.",
            recorded_by=team_member.user,
        )
        cycle = CycleFactory(workspace=workspace, system=person_system, name="Mo's cycle")
        someone_else = PersonFactory(workspace=workspace, reference="P-ELSE", alias="Else")
        other_author = UserFactory(full_name="Another Worker")
        private = EntryFactory(
            workspace=workspace,
            cycle=cycle,
            person=person,
            author=other_author,
            visibility=0,
            text="Private note: Mo was scared of the letters.",
        )
        EntryThemeFactory(
            workspace=workspace, entry=private, theme=ThemeFactory(workspace=workspace, name="Debt")
        )
        EntryRevisionFactory(
            workspace=workspace, entry=private, text="First words about the letters.", visibility=0
        )
        from django.utils import timezone

        EntryFactory(
            workspace=workspace,
            cycle=cycle,
            person=person,
            text="A deleted story about Mo.",
            deleted_at=timezone.now(),
        )
        barrier = BarrierRouteFactory(
            workspace=workspace,
            entry=EntryFactory(
                workspace=workspace,
                cycle=cycle,
                person=person,
                kind="barrier",
                text="Mo's benefits stopped.",
            ),
        )
        BarrierResponseFactory(workspace=workspace, route=barrier, text="We restarted them.")
        experiment = ExperimentFactory(
            workspace=workspace, cycle=cycle, title="Calls before letters"
        )
        ExperimentPersonFactory(workspace=workspace, experiment=experiment, person=person)
        measure = MeasureFactory(
            workspace=workspace, cycle=cycle, person=person, name="Nights slept"
        )
        DataPointFactory(workspace=workspace, measure=measure, value=5, note="A better week.")
        item = WhatMattersFactory(
            workspace=workspace, cycle=cycle, person=person, words="Seeing my grandson"
        )
        WhatMattersRatingFactory(workspace=workspace, item=item, value=7, note="He came on Sunday.")
        story = EntryFactory(
            workspace=workspace, cycle=cycle, person=person, text="Mo's story of the move."
        )
        PlacementFactory(workspace=workspace, entry=story)
        report = LearningReportFactory(
            workspace=workspace,
            title="Spring learning",
            content={
                "learnt": {
                    "themes": [
                        {
                            "name": "Debt",
                            "stories": [
                                {"entry_id": story.pk, "excerpt": "[someone]'s story of the move."},
                                {"entry_id": 999999, "excerpt": "Not about Mo."},
                            ],
                        }
                    ]
                }
            },
        )
        ReportCycleFactory(workspace=workspace, report=report, cycle=cycle)

        # The same kinds about someone else, in the same cycle: none of it may be in Mo's file.
        other_story = EntryFactory(
            workspace=workspace, cycle=cycle, person=someone_else, text="Else's own story."
        )
        EntryRevisionFactory(workspace=workspace, entry=other_story, text="Else's first words.")
        PlacementFactory(workspace=workspace, entry=other_story)
        EntryFactory(workspace=workspace, cycle=cycle, text="A note about nobody in particular.")
        other_experiment = ExperimentFactory(workspace=workspace, cycle=cycle, title="Else's trial")
        ExperimentPersonFactory(
            workspace=workspace, experiment=other_experiment, person=someone_else
        )
        MeasureFactory(workspace=workspace, cycle=cycle, person=someone_else, name="Else's visits")
        WhatMattersFactory(
            workspace=workspace, cycle=cycle, person=someone_else, words="Else's garden"
        )
    return person


def _download(client, person: Person) -> zipfile.ZipFile:
    response = client.post(_url(person))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="everything-held-{person.reference}-'
    )
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _json(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return json.loads(archive.read(f"{name}.json"))


def test_the_file_holds_every_kind_of_data_about_them(
    workspace, admin_with_person, everything
) -> None:
    archive = _download(signed_in(admin_with_person), everything)

    names = set(archive.namelist())
    parts = [
        "record",
        "identity",
        "consents",
        "entries",
        "entry_history",
        "barrier_answers",
        "experiments",
        "measures",
        "measure_values",
        "what_matters",
        "what_matters_ratings",
        "story_placements",
        "report_quotes",
        "audit_events",
    ]
    assert names == {"README.txt"} | {f"{p}.{ext}" for p in parts for ext in ("csv", "json")}
    readme = archive.read("README.txt").decode()
    assert "P-MOMO" in readme
    for part in parts:
        assert f"{part}.csv / {part}.json" in readme

    assert _json(archive, "record")[0]["reference"] == "P-MOMO"
    assert _json(archive, "record")[0]["alias"] == "Mo"
    assert _json(archive, "identity") == [
        {"name": "Morag Example", "date_of_birth": "", "contact": "07700 900123"}
    ]
    assert _json(archive, "consents")[0]["how_it_was_given"] == (
        "Said yes at home, with her sister there."
    )
    entries = {e["text"]: e for e in _json(archive, "entries")}
    assert set(entries) == {
        "Private note: Mo was scared of the letters.",
        "A deleted story about Mo.",
        "Mo's benefits stopped.",
        "Mo's story of the move.",
    }
    private = entries["Private note: Mo was scared of the letters."]
    assert private["who_can_see_it"] == "Private (only me)"
    assert private["written_by"] == "Another Worker"
    assert private["themes"] == ["Debt"]
    assert entries["A deleted story about Mo."]["deleted_at"]
    assert [r["text"] for r in _json(archive, "entry_history")] == [
        "First words about the letters."
    ]
    assert [a["answer"] for a in _json(archive, "barrier_answers")] == ["We restarted them."]
    assert [e["title"] for e in _json(archive, "experiments")] == ["Calls before letters"]
    assert [m["name"] for m in _json(archive, "measures")] == ["Nights slept"]
    assert _json(archive, "measure_values")[0]["note"] == "A better week."
    assert [w["what_matters_in_their_words"] for w in _json(archive, "what_matters")] == [
        "Seeing my grandson"
    ]
    assert _json(archive, "what_matters_ratings")[0]["what_they_said"] == "He came on Sunday."
    placements = _json(archive, "story_placements")
    assert len(placements) == 1
    assert placements[0]["placed"]["helped"]["a"] == 0.5
    quotes = _json(archive, "report_quotes")
    assert [(q["report"], q["excerpt_quoted"]) for q in quotes] == [
        ("Spring learning", "[someone]'s story of the move.")
    ]
    actions = [e["action"] for e in _json(archive, "audit_events")]
    assert "person.identity_changed" in actions
    assert "person.consent_recorded" in actions
    assert actions[-1] == "person.identity_viewed"  # reading it for this file
    assert all(set(e) == {"event_id", "at", "action", "what", "by_member_id"} for e in
               _json(archive, "audit_events"))  # fmt: skip

    csv_entries = archive.read("entries.csv").decode("utf-8-sig")
    assert csv_entries.startswith("entry_id,cycle,kind,phase,happened_on,text,")
    assert "Private note: Mo was scared of the letters." in csv_entries


def test_nothing_about_anyone_else_is_in_it(workspace, admin_with_person, everything) -> None:
    archive = _download(signed_in(admin_with_person), everything)

    everything_in_it = "\n".join(
        archive.read(name).decode("utf-8-sig") for name in archive.namelist()
    )
    for theirs in (
        "Else's own story.",
        "Else's first words.",
        "A note about nobody in particular.",
        "Else's trial",
        "Else's visits",
        "Else's garden",
        "P-ELSE",
        "Not about Mo.",
    ):
        assert theirs not in everything_in_it
    assert len(_json(archive, "story_placements")) == 1


def test_an_empty_part_still_has_its_columns(workspace, admin_with_person, person) -> None:
    archive = _download(signed_in(admin_with_person), person)

    assert _json(archive, "identity") == []
    assert archive.read("identity.csv").decode("utf-8-sig").strip() == "name,date_of_birth,contact"
    assert _json(archive, "entries") == []


def test_making_it_is_audited_with_counts_and_no_personal_text(
    workspace, admin_with_person, everything
) -> None:
    _download(signed_in(admin_with_person), everything)

    with tenant_scope(workspace_id=workspace.pk):
        made = AuditEvent.objects.get(action="person.subject_access_exported")
        viewed = AuditEvent.objects.filter(
            action="person.identity_viewed", actor=admin_with_person.user
        )
        assert viewed.count() == 1
    assert made.actor == admin_with_person.user
    assert (made.target_type, made.target_id) == ("systems.person", str(everything.pk))
    assert made.data["counts"]["entries"] == 4
    assert made.data["counts"]["identity"] == 1
    text = json.dumps(made.data)
    for personal in ("Morag", "Mo", "07700", "letters", "grandson"):
        assert personal not in text


def test_the_page_says_what_the_file_holds_and_writes_nothing(
    workspace, admin_with_person, person
) -> None:
    response = signed_in(admin_with_person).get(_url(person))

    assert response.status_code == 200
    assert b"What the file holds" in response.content
    assert b'hx-history="false"' in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not AuditEvent.objects.filter(action="person.subject_access_exported").exists()


def test_the_person_page_offers_it_to_admins_only(
    workspace, admin_with_person, team_member, person
) -> None:
    page = f"/w/riverside/people/{person.pk}/"

    as_admin = signed_in(admin_with_person).get(page).content.decode()
    as_practitioner = signed_in(team_member).get(page).content.decode()

    assert f'action="{_url(person)}"' in as_admin
    assert "Download everything held about them" in as_admin
    assert _url(person) not in as_practitioner


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_practitioner_who_works_with_them_gets_403(method, workspace, team_member, person):
    response = getattr(signed_in(team_member), method)(_url(person))

    assert response.status_code == 403
    with tenant_scope(workspace_id=workspace.pk):
        assert not AuditEvent.objects.filter(action="person.subject_access_exported").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_admin_who_does_not_work_with_them_gets_404(method, workspace, admin, person):
    response = getattr(signed_in(admin), method)(_url(person))

    assert response.status_code == 404
    with tenant_scope(workspace_id=workspace.pk):
        assert not AuditEvent.objects.filter(action="person.identity_viewed").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404(method, workspace, person, outsider) -> None:
    response = getattr(signed_in(outsider), method)(_url(person))

    assert response.status_code == 404


def test_an_admin_of_another_workspace_cannot_use_their_own_url_for_this_person(
    workspace, other_workspace, person, make_member
) -> None:
    theirs = make_member(other_workspace, Role.ADMIN)

    response = signed_in(theirs).post(f"/w/hilltop/people/{person.pk}/everything-held/")

    assert response.status_code == 404
