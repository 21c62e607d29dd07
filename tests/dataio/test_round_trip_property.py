"""CSV round-trips, property-based: cycles, people and entries exported from one workspace and
imported into another (through the real upload, mapping, check and run) export again as the
same data, whatever their text holds (quotes, commas, new lines, a leading = + - @ or
apostrophe, any script). People keep their consent (its level and how it was given)."""

import csv
import datetime as dt
import io
import zipfile

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.services import entry_create
from dataio import exports, services
from dataio.models import ImportRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Scale
from systems.people.services import consent_record
from tests.dataio.conftest import make_world
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    PersonFactory,
    SystemFactory,
    SystemMemberFactory,
)

COMPARED = ["name", "system", "purpose", "learning_questions", "phase", "status"]

TRICKY = st.sampled_from(['"', ",", "\n", "=", "+", "-", "@", "'", ";", "é", "ß", "中", "🙂"])
LETTERS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
TEXT = st.text(st.one_of(TRICKY, LETTERS), min_size=1, max_size=30).map(str.strip).filter(bool)
CYCLE = st.fixed_dictionaries(
    {
        "name": TEXT.map(lambda s: s.replace("\n", " ")),
        "purpose": TEXT,
        "learning_questions": st.one_of(st.just(""), TEXT),
        "phase": st.sampled_from(["understand", "co_design", "experiment", "embed"]),
        "status": st.sampled_from(["active", "paused", "closed"]),
    }
)


def _csv(workspace, user, name: str) -> bytes:
    with tenant_scope(workspace_id=workspace.pk):
        data, _counts = exports.build_zip(workspace=workspace, user=user, on_step=lambda _s: None)
    return zipfile.ZipFile(io.BytesIO(data)).read(f"{name}.csv")


def _rows(data: bytes) -> list[dict[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return sorted(({c: row[c] for c in COMPARED} for row in rows), key=lambda r: r["name"])


def _import(workspace, user, kind: str, data: bytes, capture) -> ImportRun:
    with tenant_scope(workspace_id=workspace.pk):
        run = services.import_upload(
            workspace=workspace, user=user, kind=kind, file_name=f"{kind}.csv", data=data
        )
        run = services.import_map(workspace=workspace, run=run, mapping=run.mapping, user=user)
        run = services.import_check(workspace=workspace, run=run, user=user)
    assert not run.problems, run.problems
    with capture(execute=True), tenant_scope(workspace_id=workspace.pk):
        services.import_start(workspace=workspace, run=run, user=user)
    with tenant_scope(workspace_id=workspace.pk):
        run.refresh_from_db()
    return run


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cycles=st.lists(CYCLE, min_size=1, max_size=5, unique_by=lambda c: c["name"].casefold()))
def test_cycles_export_then_import_give_the_same_data(
    world, other_workspace, make_member, django_capture_on_commit_callbacks, cycles
):
    with transaction.atomic():
        with tenant_scope(workspace_id=world.workspace.pk):
            for values in cycles:
                if values["name"].casefold() != world.cycle.name.casefold():
                    CycleFactory(workspace=world.workspace, system=world.team_system, **values)
        there = make_member(other_workspace, Role.ADMIN)
        with tenant_scope(workspace_id=other_workspace.pk):
            team = Scale.objects.create(workspace=other_workspace, name="Team", position=1)
            SystemFactory(workspace=other_workspace, name="North team", scale=team)
        exported = _csv(world.workspace, world.admin.user, "cycles")

        run = _import(
            other_workspace, there.user, "cycles", exported, django_capture_on_commit_callbacks
        )

        assert run.status == ImportRun.Status.DONE, (run.status, run.problems)
        again = _csv(other_workspace, there.user, "cycles")
        assert _rows(again) == _rows(exported)
        assert len(_rows(exported)) == 1 + len(
            [c for c in cycles if c["name"].casefold() != world.cycle.name.casefold()]
        )
        transaction.set_rollback(True)


# People and entries ---------------------------------------------------------------------------

PEOPLE_COMPARED = ["reference", "alias", "what_matters", "strengths", "system", "consent_level"]
ENTRIES_COMPARED = [
    "cycle", "kind", "text", "phase", "visibility", "happened_on", "person", "themes",
    "author_email",
]  # fmt: skip
LEVELS = ["private", "team", "cycle", "shared_upward", "workspace"]
PERSON = st.fixed_dictionaries(
    {
        "reference": st.from_regex(r"P-[A-Z0-9]{4}", fullmatch=True),
        "alias": st.one_of(st.just(""), TEXT.map(lambda s: s.replace("\n", " "))),
        "what_matters": st.one_of(st.just(""), TEXT),
        "strengths": st.one_of(st.just(""), TEXT),
        "in_life_system": st.booleans(),
        "consent": st.one_of(st.none(), st.sampled_from(range(len(LEVELS)))),
        "note": TEXT,
    }
)
ENTRY = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["story", "observation", "reflection", "idea", "barrier"]),
        "text": TEXT,
        "phase": st.sampled_from(["understand", "co_design", "experiment", "embed"]),
        "visibility": st.sampled_from([0, 1]),
        "happened_on": st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 1))),
        "about_person": st.booleans(),
        "themes": st.sets(st.sampled_from(["Housing", "Money worries"])),
    }
)


def _rows_of(data: bytes, columns: list[str]) -> list[dict[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return sorted(({c: row[c] for c in columns} for row in rows), key=lambda r: list(r.values()))


def _there(world, other_workspace):
    """The other workspace, built as the first one is, with the same admin (so an author's email
    names a member there too)."""
    with tenant_scope(workspace_id=other_workspace.pk):
        MembershipFactory(workspace=other_workspace, user=world.admin.user, role=Role.ADMIN)
    return make_world(other_workspace, world.admin, world.member)


SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(people=st.lists(PERSON, min_size=1, max_size=5, unique_by=lambda p: p["reference"]))
def test_people_export_then_import_give_the_same_data(
    world, other_workspace, django_capture_on_commit_callbacks, people
):
    with transaction.atomic():
        admin = world.admin.user
        with tenant_scope(workspace_id=world.workspace.pk):
            SystemMemberFactory(workspace=world.workspace, system=world.life_system, user=admin)
            for values in people:
                person = PersonFactory(
                    workspace=world.workspace,
                    created_by=admin,
                    reference=values["reference"],
                    alias=values["alias"],
                    what_matters=values["what_matters"],
                    strengths=values["strengths"],
                    system=world.life_system if values["in_life_system"] else None,
                )
                if values["consent"] is not None:
                    consent_record(
                        workspace=world.workspace,
                        person=person,
                        level=values["consent"],
                        note=values["note"],
                        recorded_by=admin,
                    )
        there = _there(world, other_workspace)
        with tenant_scope(workspace_id=other_workspace.pk):
            SystemMemberFactory(workspace=other_workspace, system=there.life_system, user=admin)
        exported = _csv(world.workspace, admin, "people")

        run = _import(
            other_workspace, admin, "people", exported, django_capture_on_commit_callbacks
        )

        assert run.status == ImportRun.Status.DONE, (run.status, run.problems)
        again = _csv(other_workspace, admin, "people")
        assert _rows_of(again, PEOPLE_COMPARED) == _rows_of(exported, PEOPLE_COMPARED)
        assert len(_rows_of(exported, PEOPLE_COMPARED)) == len(people)
        transaction.set_rollback(True)


@SETTINGS
@given(entries=st.lists(ENTRY, min_size=1, max_size=5, unique_by=lambda e: e["text"]))
def test_entries_export_then_import_give_the_same_data(
    world, other_workspace, django_capture_on_commit_callbacks, entries
):
    with transaction.atomic():
        admin = world.admin.user
        themes = {"Housing": world.housing, "Money worries": world.money}
        with tenant_scope(workspace_id=world.workspace.pk):
            person = PersonFactory(workspace=world.workspace, created_by=admin, reference="P-7K3Q")
            for values in entries:
                entry_create(
                    workspace=world.workspace,
                    author=admin,
                    cycle=world.cycle,
                    kind=values["kind"],
                    text=values["text"],
                    phase=values["phase"],
                    themes=[themes[name] for name in sorted(values["themes"])],
                    person=person if values["about_person"] else None,
                    visibility=values["visibility"],
                    happened_on=values["happened_on"],
                )
        there = _there(world, other_workspace)
        with tenant_scope(workspace_id=other_workspace.pk):
            PersonFactory(workspace=other_workspace, created_by=admin, reference="P-7K3Q")
        exported = _csv(world.workspace, admin, "entries")

        run = _import(
            other_workspace, admin, "entries", exported, django_capture_on_commit_callbacks
        )

        assert run.status == ImportRun.Status.DONE, (run.status, run.problems)
        assert there.cycle.name == world.cycle.name
        again = _csv(other_workspace, admin, "entries")
        assert _rows_of(again, ENTRIES_COMPARED) == _rows_of(exported, ENTRIES_COMPARED)
        assert len(_rows_of(exported, ENTRIES_COMPARED)) == len(entries)
        transaction.set_rollback(True)
