"""Export round-trip: the zip's CSV and JSON agree with the database, hold no identity and no
entry the admin may not see, and its people, cycles and entries CSVs import into an empty
workspace through the import, reproducing them."""

import csv
import io
import json
import zipfile

import pytest
from django.utils import timezone

from cycles.models import Cycle, Entry
from dataio import exports, selectors
from dataio.models import ExportRun, ImportRun
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Person, ShareLevel
from tests.conftest import signed_in
from tests.dataio.conftest import check, make_world, start, upload
from tests.factories import (
    CycleFactory,
    DataPointFactory,
    EntryFactory,
    EntryThemeFactory,
    ExperimentFactory,
    MeasureFactory,
    MembershipFactory,
    PersonFactory,
    PersonIdentityFactory,
    SystemMemberFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world):
    w = world
    admin, pat = w.admin.user, w.member.user
    with tenant_scope(workspace_id=w.workspace.pk):
        SystemMemberFactory(workspace=w.workspace, system=w.team_system, user=admin)
        # The admin works with Sammy (in the team of Sammy's own life): Sammy is exported.
        SystemMemberFactory(workspace=w.workspace, system=w.life_system, user=admin)
        w.sammy = PersonFactory(
            workspace=w.workspace, reference="P-7K3Q", alias="Sammy", created_by=admin,
            system=w.life_system, consent_level=ShareLevel.TEAM,
        )  # fmt: skip
        PersonIdentityFactory(workspace=w.workspace, person=w.sammy, name=b"SECRET-IDENTITY")
        w.hidden_person = PersonFactory(workspace=w.workspace, reference="P-HIDE", alias="Hidden")
        e1 = EntryFactory(
            workspace=w.workspace, cycle=w.cycle, author=admin, kind="story",
            text="A call saved a tenancy, said =Sammy.", visibility=ShareLevel.TEAM,
            person=w.sammy, happened_on=timezone.localdate(),
        )  # fmt: skip
        EntryThemeFactory(workspace=w.workspace, entry=e1, theme=w.housing)
        EntryThemeFactory(workspace=w.workspace, entry=e1, theme=w.money)
        EntryFactory(
            workspace=w.workspace, cycle=w.cycle, author=admin, kind="idea",
            text="=SUM(1) letters, not forms.", visibility=ShareLevel.PRIVATE, phase="co_design",
        )  # fmt: skip
        EntryFactory(
            workspace=w.workspace, cycle=w.cycle, author=pat, kind="observation",
            text="The team sees the backlog.", visibility=ShareLevel.TEAM,
        )  # fmt: skip
        EntryFactory(
            workspace=w.workspace, cycle=w.cycle, author=pat, kind="story",
            text="PRIVATE-OF-PAT", visibility=ShareLevel.PRIVATE,
        )  # fmt: skip
        EntryFactory(
            workspace=w.workspace, cycle=w.cycle, author=admin, kind="story",
            text="DELETED-ENTRY", deleted_at=timezone.now(),
        )  # fmt: skip
        ExperimentFactory(workspace=w.workspace, cycle=w.cycle, title="Call before the letter")
    return w


def _export(w, capture) -> ExportRun:
    client = signed_in(w.admin)
    with capture(execute=True):
        response = client.post("/w/riverside/integrations/export/")
    assert response.status_code == 302
    with tenant_scope(workspace_id=w.workspace.pk):
        export = ExportRun.objects.get()
    assert response["Location"] == f"/w/riverside/integrations/export/{export.pk}/"
    assert export.status == ExportRun.Status.DONE
    steps = len(exports.RESOURCES) + 1  # a step per resource, then the zip is stored
    assert selectors.export_progress(export) == (steps, steps)
    return export


def _files(w, export) -> dict[str, bytes]:
    response = signed_in(w.admin).get(f"/w/riverside/integrations/export/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="riverside-export-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_export_matches_the_database_without_identity_or_hidden_entries(
    seeded, django_capture_on_commit_callbacks
):
    w = seeded
    export = _export(w, django_capture_on_commit_callbacks)
    files = _files(w, export)
    resources = ["scales", "systems", "people", "cycles", "entries", "experiments", "themes"]
    assert set(resources) <= set(exports.RESOURCES)  # and those other areas add (their tests)
    assert set(files) == {f"{r}.{ext}" for r in exports.RESOURCES for ext in ("csv", "json")} | {
        "manifest.json"
    }
    manifest = json.loads(files["manifest.json"])
    assert manifest["format_version"] == 2
    assert manifest["workspace"]["slug"] == "riverside"
    assert {k: n for k, n in manifest["counts"].items() if k in resources} == {
        "scales": 2, "systems": 2, "people": 1, "cycles": 1, "entries": 3, "experiments": 1,
        "themes": 2,
    }  # fmt: skip
    for resource in resources:
        as_json = json.loads(files[f"{resource}.json"])
        as_csv = _csv(files[f"{resource}.csv"])
        assert len(as_json) == len(as_csv) == manifest["counts"][resource]
        assert [str(row["id"]) for row in as_json] == [row["id"] for row in as_csv]
    everything = b"".join(files.values())
    for secret in (b"SECRET-IDENTITY", b"PRIVATE-OF-PAT", b"DELETED-ENTRY", b"P-HIDE"):
        assert secret not in everything
    entries = _csv(files["entries.csv"])
    with tenant_scope(workspace_id=w.workspace.pk):
        expected = {
            e.pk: e
            for e in Entry.objects.filter(deleted_at__isnull=True).exclude(text="PRIVATE-OF-PAT")
        }
    assert {int(row["id"]) for row in entries} == set(expected)
    first = next(row for row in entries if row["kind"] == "story")
    assert first["text"] == "A call saved a tenancy, said =Sammy."
    idea = next(row for row in entries if row["kind"] == "idea")
    assert idea["text"] == "'=SUM(1) letters, not forms."  # not run as a formula
    assert json.loads(files["entries.json"])[1]["text"] == "=SUM(1) letters, not forms."
    assert first["person"] == "P-7K3Q"
    assert first["themes"] == "Housing; Money worries"
    assert first["visibility"] == "team"
    assert first["author_email"] == "admin@riverside.test"
    people = json.loads(files["people.json"])
    assert people[0]["reference"] == "P-7K3Q"
    assert set(people[0]) == {
        "id", "reference", "alias", "what_matters", "strengths", "system", "system_id",
        "consent_level", "consent_note", "created_at",
    }  # fmt: skip
    with tenant_scope(workspace_id=w.workspace.pk):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"dataio.export_requested", "dataio.export_downloaded"} <= actions


def test_exported_csvs_import_into_an_empty_workspace(
    seeded, other_workspace, django_capture_on_commit_callbacks
):
    w = seeded
    files = _files(w, _export(w, django_capture_on_commit_callbacks))
    with tenant_scope(workspace_id=other_workspace.pk):
        admin_b = MembershipFactory(workspace=other_workspace, user=w.admin.user, role=Role.ADMIN)
        member_b = MembershipFactory(workspace=other_workspace, user=w.member.user)
    target = make_world(other_workspace, admin_b, member_b)
    with tenant_scope(workspace_id=other_workspace.pk):
        Cycle.objects.all().delete()  # an empty workspace: systems and themes only
        for user in (w.admin.user, w.member.user):
            SystemMemberFactory(workspace=other_workspace, system=target.team_system, user=user)
        # Entries about Sammy are imported by one who works with Sammy.
        SystemMemberFactory(workspace=other_workspace, system=target.life_system, user=w.admin.user)
    for kind in ("people", "cycles", "entries"):
        run = upload(target, kind, files[f"{kind}.csv"], f"{kind}.csv")
        run = check(target, run)  # every column as it is: consent travels with its note
        assert run.problems == [], (kind, run.problems)
        run = start(target, run, django_capture_on_commit_callbacks)
        assert run.status == ImportRun.Status.DONE, (kind, run.failure)

    def people(workspace):
        with tenant_scope(workspace_id=workspace.pk):
            return sorted(
                Person.objects.filter(reference="P-7K3Q").values_list(
                    "reference", "alias", "what_matters", "strengths", "system__name",
                    "consent_level",
                )
            )  # fmt: skip

    def cycles(workspace):
        with tenant_scope(workspace_id=workspace.pk):
            return sorted(
                Cycle.objects.values_list(
                    "name", "purpose", "system__name", "phase", "status", "learning_questions"
                )
            )

    def entries(workspace, user):
        from cycles.selectors import entries_visible_to

        with tenant_scope(workspace_id=workspace.pk):
            return sorted(
                (e.cycle.name, e.kind, e.text, e.phase, e.visibility, e.happened_on,
                 e.person.reference if e.person else "", e.author.email,
                 tuple(sorted(t.name for t in e.themes.all())))
                for e in entries_visible_to(workspace=workspace, user=user)
                .select_related("cycle", "person", "author")
            )  # fmt: skip

    assert people(other_workspace) == people(w.workspace)
    assert cycles(other_workspace) == cycles(w.workspace)
    assert entries(other_workspace, w.admin.user) == entries(w.workspace, w.admin.user)
    assert len(entries(other_workspace, w.admin.user)) == 3


def test_a_finished_export_is_not_built_again(seeded, django_capture_on_commit_callbacks):
    from dataio.exports import build

    export = _export(seeded, django_capture_on_commit_callbacks)
    assert build(workspace_id=seeded.workspace.pk, export_id=export.pk) is False


def _rows(workspace, user) -> dict[str, list[dict[str, str]]]:
    """The export's CSVs as the given member would get them (what the worker builds)."""
    with tenant_scope(workspace_id=workspace.pk):
        data, _counts = exports.build_zip(workspace=workspace, user=user, on_step=lambda _s: None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): _csv(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".csv")
        }


@pytest.fixture
def life(seeded, make_member):
    """A cycle of Sammy's own life named after Sammy, sharing with the whole workspace, and an
    admin who works nowhere."""
    w = seeded
    w.outside_admin = make_member(w.workspace, Role.ADMIN, email="outside@riverside.test")
    with tenant_scope(workspace_id=w.workspace.pk):
        w.wide = PersonFactory(
            workspace=w.workspace, reference="P-WIDE", alias="Wide", system=w.life_system,
            consent_level=ShareLevel.WORKSPACE, created_by=w.outside_admin.user,
        )  # fmt: skip
        w.life_cycle = CycleFactory(workspace=w.workspace, system=w.life_system, name="Sammy")
        EntryFactory(
            workspace=w.workspace, cycle=w.life_cycle, author=w.admin.user, kind="story",
            text="LIFE-STORY", visibility=ShareLevel.WORKSPACE, person=w.wide,
        )  # fmt: skip
        EntryFactory(
            workspace=w.workspace, cycle=w.cycle, author=w.member.user, kind="observation",
            text="TEAM-WIDE", visibility=ShareLevel.WORKSPACE,
        )  # fmt: skip
    return w


def test_an_admin_exports_only_the_people_they_work_with_and_no_author_outside(life) -> None:
    w = life
    rows = _rows(w.workspace, w.outside_admin.user)
    # P-WIDE was recorded by this admin, and an entry they see is about them: still only the
    # pseudonym travels, in that entry; the record (what matters, consent) does not.
    assert rows["people"] == []
    entries = {row["text"]: row for row in rows["entries"]}
    assert set(entries) == {"LIFE-STORY", "TEAM-WIDE"}
    assert entries["LIFE-STORY"]["person"] == "P-WIDE"
    assert all(row["author_email"] == "" for row in rows["entries"])
    # Sammy's life and its cycle, seen from outside, by their pseudonymous name.
    assert entries["LIFE-STORY"]["cycle"] == "A person's life"
    assert {row["name"] for row in rows["cycles"]} == {"Keeping homes", "A person's life"}
    assert {row["name"] for row in rows["systems"]} == {"North team", "A person's life"}
    everything = json.dumps(rows)
    assert "Sammy" not in everything
    assert "Being able to stay" not in everything  # what matters to P-WIDE


def test_one_who_works_with_the_person_exports_them_named(life) -> None:
    w = life
    rows = _rows(w.workspace, w.admin.user)
    assert {row["reference"] for row in rows["people"]} == {"P-7K3Q", "P-WIDE"}
    entries = {row["text"]: row for row in rows["entries"]}
    assert entries["LIFE-STORY"]["cycle"] == "Sammy"
    assert entries["LIFE-STORY"]["author_email"] == "admin@riverside.test"
    # The practitioner's entry in the admin's own cycle: named, they work together.
    assert entries["TEAM-WIDE"]["author_email"] == w.member.user.email
    assert {row["name"] for row in rows["systems"]} == {"North team", "Sammy's life"}


def test_export_carries_measures_their_values_and_the_persons_own_terms(
    seeded, django_capture_on_commit_callbacks
):
    """Measures whose values the admin sees, with their values in the import's columns; a
    person's own terms only for those who work with the person; a team-only measure of a cycle
    the admin is not in stays out."""
    w = seeded
    with tenant_scope(workspace_id=w.workspace.pk):
        measure = MeasureFactory(
            workspace=w.workspace, cycle=w.cycle, name="Calls answered", unit="calls",
            created_by=w.admin.user, visibility=ShareLevel.TEAM,
        )  # fmt: skip
        DataPointFactory(workspace=w.workspace, measure=measure, value="12.5", note="A busy week")
        MeasureFactory(workspace=w.workspace, name="HIDDEN-MEASURE", visibility=ShareLevel.TEAM)
        life_cycle = CycleFactory(workspace=w.workspace, system=w.life_system)
        item = WhatMattersFactory(
            workspace=w.workspace, cycle=life_cycle, person=w.sammy, words="Keeping my dog"
        )
        WhatMattersRatingFactory(workspace=w.workspace, item=item, value=6)
    files = _files(w, _export(w, django_capture_on_commit_callbacks))
    [row] = _csv(files["measures.csv"])
    assert (row["name"], row["unit"], row["visibility"]) == ("Calls answered", "calls", "team")
    [point] = _csv(files["data_points.csv"])
    assert (point["measure"], point["value"], point["note"]) == (
        "Calls answered",
        "12.5",
        "A busy week",
    )
    assert [r["words"] for r in _csv(files["what_matters.csv"])] == ["Keeping my dog"]
    assert [r["value"] for r in _csv(files["what_matters_ratings.csv"])] == ["6"]
    assert b"HIDDEN-MEASURE" not in b"".join(files.values())
