"""CSV round-trips, property-based: cycles, people and entries exported from one workspace and
imported into another (through the real upload, mapping, check and run) export again as the
same data, whatever their text holds (quotes, commas, new lines, a leading = + - @ or
apostrophe, any script). People keep their consent (its level and how it was given), and
entries the level in force (capped by that consent): see the last test."""

import csv
import datetime as dt
import io
import zipfile

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.services import entry_create
from dataio import exports, services
from dataio.csvfile import unescape
from dataio.models import ImportRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Consent, Person, Scale, ShareLevel
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

PEOPLE_COMPARED = [
    "reference", "alias", "what_matters", "strengths", "system", "consent_level", "consent_note",
]  # fmt: skip
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


# Consent and the level of entries about a person --------------------------------------------

HISTORY = st.lists(st.tuples(st.sampled_from(range(len(LEVELS))), TEXT), min_size=1, max_size=3)
ABOUT = st.fixed_dictionaries(
    {
        "person": st.integers(0, 2),
        "visibility": st.sampled_from(range(len(LEVELS))),
        "text": TEXT,
        "kind": st.sampled_from(["story", "observation", "barrier"]),
    }
)


def _consent_in_force(workspace) -> dict[str, tuple[int, str, int]]:
    """Each person's consent in force: (level on the person, the newest consent's level, its
    note), by reference."""
    with tenant_scope(workspace_id=workspace.pk):
        newest: dict[int, Consent] = {}
        for consent in Consent.objects.order_by("recorded_at", "pk"):
            newest[consent.person_id] = consent
        return {
            p.reference: (p.consent_level, newest[p.pk].level, newest[p.pk].note)
            for p in Person.objects.all()
            if p.pk in newest
        }


def _levels_in_force(workspace, user) -> list[tuple[str, str, int]]:
    from cycles.selectors import entries_visible_to

    with tenant_scope(workspace_id=workspace.pk):
        return sorted(
            (e.text, e.person.reference, e.level)
            for e in entries_visible_to(workspace=workspace, user=user).select_related("person")
        )


@SETTINGS
@given(histories=st.lists(HISTORY, min_size=3, max_size=3), entries=st.lists(
    ABOUT, min_size=1, max_size=6, unique_by=lambda e: e["text"]
))  # fmt: skip
def test_consent_and_the_level_of_entries_survive_export_and_import(
    world, other_workspace, django_capture_on_commit_callbacks, histories, entries
):
    """People imported into a new workspace keep the consent in force (its level and how it was
    given: the note); the history before it stays in the first workspace's export
    (`consents.csv`), recorded there by whom it was. Entries written when consent was wide and
    narrowed since keep the level in force: never further than the person agreed, in the
    export and once imported."""
    with transaction.atomic():
        admin = world.admin.user
        with tenant_scope(workspace_id=world.workspace.pk):
            people = [
                PersonFactory(workspace=world.workspace, created_by=admin, reference=f"P-RT{n}")
                for n in range(3)
            ]
            for person in people:  # wide at first, so entries may be written at any level
                consent_record(
                    workspace=world.workspace, person=person, level=ShareLevel.WORKSPACE,
                    note="Agreed at the first visit", recorded_by=admin,
                )  # fmt: skip
            for values in entries:
                entry_create(
                    workspace=world.workspace, author=admin, cycle=world.cycle,
                    kind=values["kind"], text=values["text"], phase="understand", themes=[],
                    person=people[values["person"]], visibility=values["visibility"],
                    happened_on=None,
                )  # fmt: skip
            for person, history in zip(people, histories, strict=True):
                for level, note in history:  # then consent as it went, narrowing or not
                    consent_record(
                        workspace=world.workspace, person=person, level=level, note=note,
                        recorded_by=admin,
                    )  # fmt: skip
        _there(world, other_workspace)
        exported_people = _csv(world.workspace, admin, "people")
        exported_entries = _csv(world.workspace, admin, "entries")
        for kind, data in (("people", exported_people), ("entries", exported_entries)):
            run = _import(other_workspace, admin, kind, data, django_capture_on_commit_callbacks)
            assert run.status == ImportRun.Status.DONE, (kind, run.status, run.problems)

        before, after = _consent_in_force(world.workspace), _consent_in_force(other_workspace)
        assert after == before
        assert all(level == newest for level, newest, _note in after.values())
        with tenant_scope(workspace_id=other_workspace.pk):
            assert Consent.objects.count() == 3  # the one in force for each (decision: docs)
        assert _levels_in_force(other_workspace, admin) == _levels_in_force(world.workspace, admin)
        capped = {  # the text as typed (a cell that looks like a formula is exported escaped)
            unescape(row["text"]): row["visibility"]
            for row in _rows_of(exported_entries, ["text", "visibility"])
        }
        for values in entries:
            person = histories[values["person"]][-1][0]
            assert capped[values["text"]] == LEVELS[min(values["visibility"], person)]
        again = _csv(other_workspace, admin, "entries")
        assert _rows_of(again, ENTRIES_COMPARED) == _rows_of(exported_entries, ENTRIES_COMPARED)
        history = _csv(world.workspace, admin, "consents")
        assert len(_rows_of(history, ["person", "level", "note"])) == 3 + sum(map(len, histories))
        transaction.set_rollback(True)
