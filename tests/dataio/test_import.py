"""CSV imports: strict reading, column mapping, a dry run that reports every bad row with its
line and reason and changes nothing, and a real run that imports all rows or none."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cycles import services as cycle_services
from cycles.models import Cycle, Entry, EntryTheme
from dataio import selectors, services
from dataio.models import ImportRun
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from systems.models import Consent, Person
from tests.dataio.conftest import check, csv_bytes, start, upload
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def counts(world) -> tuple[int, int, int, int]:
    with tenant_scope(workspace_id=world.workspace.pk):
        return (
            Person.objects.count(),
            Cycle.objects.count(),
            Entry.objects.count(),
            EntryTheme.objects.count(),
        )


def upload_error(world, kind: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        upload(world, kind, data)
    return caught.value


# Reading the file ----------------------------------------------------------------------------


def test_latin1_file_is_refused_naming_the_byte_and_line(world):
    before = counts(world)
    data = "alias,what_matters\r\nSammy,tea\r\nZoë,café\r\n".encode("latin-1")
    error = upload_error(world, "people", data)
    [item] = error.error_dict["file"]
    assert item.code == "encoding"
    offset = data.index(b"\xeb")
    assert f"byte {offset}" in item.message
    assert "0xEB" in item.message
    assert "line 3" in item.message
    assert "CSV UTF-8" in item.message
    assert counts(world) == before
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        ("\ufeff".encode() + b"\xff\xfealias", "encoding"),
        (b"\xff\xfea\x00l\x00", "encoding"),
        (b"alias,what_matters\r\n", "no_rows"),
        (b",\r\nSammy,tea\r\n", "no_header"),
        (b"alias,,x\r\nSammy,tea,1\r\n", "blank_column_name"),
        (b"alias,Alias\r\nSammy,Sam\r\n", "duplicate_column_name"),
        (b'alias,x\r\n"unclosed,1\r\n', "not_csv"),
    ],
)
def test_unreadable_files_each_get_their_error(world, data, code):
    error = upload_error(world, "people", data)
    assert [item.code for item in error.error_dict["file"]] == [code]


def test_utf8_with_and_without_bom(world):
    assert upload(world, "people", csv_bytes("alias", "Zoë")).encoding == "utf-8"
    run = upload(world, "people", csv_bytes("alias", "Zoë", bom=True))
    assert run.encoding == "utf-8-sig"
    assert run.header == ["alias"]


# Mapping -------------------------------------------------------------------------------------


def test_mapping_is_prefilled_from_header_names(world):
    run = upload(
        world, "cycles", csv_bytes("Name,Purpose,System,Learning questions,Colour", "a,b,c,d,e")
    )
    assert run.mapping == {
        "name": "Name", "purpose": "Purpose", "system": "System",
        "learning_questions": "Learning questions",
    }  # fmt: skip


def test_missing_required_columns_are_listed_and_nothing_changes(world):
    run = upload(world, "cycles", csv_bytes("Name,Colour", "Rent arrears,blue"))
    with pytest.raises(ValidationError) as caught:
        check(world, run)
    errors = caught.value.error_dict
    assert {e.code for e in errors["purpose"]} == {"missing_column"}
    assert {e.code for e in errors["system"]} == {"missing_column"}
    [summary] = errors["__all__"]
    assert summary.code == "missing_columns"
    assert "Purpose, System" in summary.message
    with tenant_scope(workspace_id=world.workspace.pk):
        run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED
    assert Cycle.objects.none().count() == 0


def test_a_column_serves_one_field(world):
    run = upload(world, "cycles", csv_bytes("Name,Purpose,System", "a,b,c"))
    with pytest.raises(ValidationError) as caught:
        check(world, run, {"name": "Name", "purpose": "Name", "system": "System"})
    assert caught.value.error_dict["purpose"][0].code == "column_used_twice"


# Dry run -------------------------------------------------------------------------------------


ENTRIES_WITH_PROBLEMS = [
    "cycle,kind,text,visibility,happened_on,person,themes,author_email",
    "Keeping homes,story,A call saved a tenancy.,team,2025-03-01,,Housing,",  # 2: fine
    "Nowhere,story,Lost.,private,,,,",  # 3: no such cycle
    "Keeping homes,poem,Roses.,private,,,,",  # 4: kind
    "Keeping homes,story,   ,private,,,,",  # 5: empty text (the service's error)
    "Keeping homes,idea,Widen it.,workspace,,P-SHY,,",  # 6: past consent (the service's error)
    "Keeping homes,idea,When?,private,31/03/2025,,,",  # 7: date
    "Keeping homes,story,Who?,private,,P-NONE,,",  # 8: person
    "Keeping homes,story,Tagged.,private,,,Housing; Weather,",  # 9: theme
    "Keeping homes,story,By whom?,private,,,,nobody@else.test",  # 10: author
    "Keeping homes,story,A call saved a tenancy.,team,2025-03-01,,Housing,",  # 11: repeats 2
    "Keeping homes,story,Short row",  # 12: column count
    "Keeping homes,observation,Already logged.,private,,,,",  # 13: exists already
    "Keeping homes,story,A call saved a tenancy.,private,2025-03-01,,,",  # 14: same as 2 (key)
]


def test_dry_run_reports_every_bad_row_with_line_and_reason_and_changes_nothing(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        cycle_services.entry_create(
            workspace=world.workspace, author=world.admin.user, cycle=world.cycle,
            kind="observation", text="Already logged.",
        )  # fmt: skip
        PersonFactory(workspace=world.workspace, reference="P-SHY", alias="Shy",
                      created_by=world.admin.user, consent_level=1)  # fmt: skip
    before = counts(world)
    audit_before = _audit_count(world)
    run = check(world, upload(world, "entries", csv_bytes(*ENTRIES_WITH_PROBLEMS)))
    assert run.status == ImportRun.Status.CHECKED
    found = {(p["line"], p["column"], p["code"]) for p in run.problems}
    assert found == {
        (3, "cycle", "not_found"),
        (4, "kind", "invalid_choice"),
        (5, "text", "invalid"),
        (6, "visibility", "invalid"),
        (7, "happened_on", "invalid_date"),
        (8, "person", "not_found"),
        (9, "themes", "not_found"),
        (10, "author_email", "not_found"),
        (11, "", "duplicate_row"),
        (12, "", "wrong_column_count"),
        (13, "text", "duplicate_existing"),
        (14, "text", "duplicate_in_file"),
    }
    reasons = {p["line"]: p["reason"] for p in run.problems}
    assert "Nowhere" in reasons[3]
    assert "Shy has agreed to share as far as “My team” only" in reasons[6]
    assert "Weather" in reasons[9]
    assert "line 2" in reasons[11]
    assert counts(world) == before
    assert _audit_count(world) == audit_before + 1  # the upload only
    with pytest.raises(ValidationError), tenant_scope(workspace_id=world.workspace.pk):
        services.import_start(workspace=world.workspace, run=run, user=world.admin.user)


def _audit_count(world) -> int:
    with tenant_scope(workspace_id=world.workspace.pk):
        return AuditEvent.objects.count()


def test_people_duplicates_within_the_file_and_against_existing_records(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        PersonFactory(workspace=world.workspace, reference="P-7K3Q", created_by=world.admin.user)
    before = counts(world)
    run = check(
        world,
        upload(
            world, "people",
            csv_bytes("reference,alias", "P-AAAA,Sammy", "P-7K3Q,Jo", "p-aaaa,Sam", "P-BBBB,Al",
                      "not a ref!,Bo"),
        ),
    )  # fmt: skip
    found = {(p["line"], p["column"], p["code"]) for p in run.problems}
    assert found == {
        (3, "reference", "duplicate_existing"),
        (4, "reference", "duplicate_in_file"),
        (6, "reference", "invalid"),
    }
    assert counts(world) == before


def test_cycles_duplicate_against_existing(world):
    run = check(
        world,
        upload(world, "cycles", csv_bytes(
            "name,purpose,system", "keeping HOMES,Again,North team", "New one,Learn,North team",
            "Orphan,Learn,No such system",
        )),
    )  # fmt: skip
    found = {(p["line"], p["column"], p["code"]) for p in run.problems}
    assert found == {(2, "name", "duplicate_existing"), (4, "system", "not_found")}


# Real run ------------------------------------------------------------------------------------


def test_successful_import_creates_exactly_the_rows(world, django_capture_on_commit_callbacks):
    before = counts(world)
    data = csv_bytes(
        "Cycle,Kind,Text,Visibility,Date,Themes,Person",
        "Keeping homes,Story,A call saved a tenancy.,team,2025-03-01,Housing; Money worries,",
        'Keeping homes,idea,"Write letters, not forms.",workspace,,,',  # in one go
        "Keeping homes,barrier,=The rule blocks moves.,My team,,,P-AAAA",
    )
    with tenant_scope(workspace_id=world.workspace.pk):
        PersonFactory(workspace=world.workspace, reference="P-AAAA", created_by=world.admin.user,
                      consent_level=1)  # fmt: skip
    run = check(world, upload(world, "entries", data))
    assert run.problems == []
    run = start(world, run, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.DONE
    assert run.created_count == 3
    assert (run.progress_done, run.progress_total) == (3, 3)
    after = counts(world)
    assert after[2] == before[2] + 3
    assert after[3] == before[3] + 2
    with tenant_scope(workspace_id=world.workspace.pk):
        entries = list(
            Entry.objects.order_by("pk").values_list(
                "kind", "text", "visibility", "author_id", "person__reference"
            )
        )
        actions = list(
            AuditEvent.objects.filter(action__startswith="dataio.").values_list("action", flat=True)
        )
    assert entries == [
        ("story", "A call saved a tenancy.", 1, world.admin.user.pk, None),
        ("idea", "Write letters, not forms.", 4, world.admin.user.pk, None),
        ("barrier", "=The rule blocks moves.", 1, world.admin.user.pk, "P-AAAA"),
    ]
    assert sorted(actions) == sorted(
        ["dataio.import_uploaded", "dataio.import_started", "dataio.import_done"]
    )


def test_people_import_keeps_references_and_records_consent(
    world, django_capture_on_commit_callbacks
):
    data = csv_bytes(
        "reference,alias,what_matters,system,consent_level,consent_note",
        "P-AAAA,Sammy,Staying near my sister,Sammy's life,cycle,Agreed in person on 3 March",
        ",Jo,,,,",
    )
    run = start(
        world, check(world, upload(world, "people", data)), django_capture_on_commit_callbacks
    )
    assert run.status == ImportRun.Status.DONE, run.failure
    with tenant_scope(workspace_id=world.workspace.pk):
        sammy = Person.objects.get(alias="Sammy")
        jo = Person.objects.get(alias="Jo")
        assert (sammy.reference, sammy.system_id, sammy.consent_level) == (
            "P-AAAA",
            world.life_system.pk,
            2,
        )
        assert Consent.objects.filter(person=sammy).count() == 1
        assert jo.reference.startswith("P-")
        assert jo.consent_level == 1


def test_consent_level_without_a_note_is_the_services_error(world):
    """Any level but where everyone starts (team) is a consent to record: it needs its note."""
    run = check(world, upload(world, "people", csv_bytes("alias,consent_level", "Sammy,cycle")))
    [problem] = run.problems
    assert (problem["line"], problem["column"]) == (2, "")  # consent_note is not mapped
    assert "how consent was given" in problem["reason"]
    starting = check(world, upload(world, "people", csv_bytes("alias,consent_level", "Sam,team")))
    assert starting.problems == []


def test_failure_at_row_80_of_100_changes_nothing(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    lines = ["cycle,kind,text"] + [f"Keeping homes,story,Story number {i}." for i in range(1, 101)]
    run = check(world, upload(world, "entries", csv_bytes(*lines)))
    assert run.problems == []
    before = counts(world)
    real = cycle_services.entry_create
    calls = {"n": 0}

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 80:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")  # the database refuses: division by zero
        return real(**kwargs)

    monkeypatch.setattr(cycle_services, "entry_create", failing)
    run = start(world, run, django_capture_on_commit_callbacks)
    assert calls["n"] == 80
    assert run.status == ImportRun.Status.FAILED
    assert run.failure.startswith("Line 81: The database refused this row (DataError)")
    assert run.problems[0]["line"] == 81
    assert counts(world) == before
    with tenant_scope(workspace_id=world.workspace.pk):
        assert AuditEvent.objects.filter(action="dataio.import_failed").count() == 1
        assert not AuditEvent.objects.filter(action="dataio.import_done").exists()


def test_data_changed_since_the_dry_run_fails_the_whole_run(
    world, django_capture_on_commit_callbacks
):
    run = check(
        world,
        upload(
            world,
            "entries",
            csv_bytes("cycle,kind,text", "Keeping homes,story,One.", "Keeping homes,story,Two."),
        ),
    )
    with tenant_scope(workspace_id=world.workspace.pk):
        cycle_services.entry_create(workspace=world.workspace, author=world.admin.user,
                                    cycle=world.cycle, kind="story", text="Two.")  # fmt: skip
    before = counts(world)
    run = start(world, run, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.FAILED
    assert run.problems == [
        {
            "line": 3,
            "column": "text",
            "code": "duplicate_existing",
            "reason": run.problems[0]["reason"],
        }
    ]
    assert counts(world) == before


def test_a_done_run_does_not_run_again(world, django_capture_on_commit_callbacks):
    run = check(
        world, upload(world, "cycles", csv_bytes("name,purpose,system", "Fresh,Learn,North team"))
    )
    run = start(world, run, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.DONE
    before = counts(world)
    assert services.import_execute(workspace_id=world.workspace.pk, import_id=run.pk) is False
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        tenant_scope(workspace_id=world.workspace.pk),
    ):
        again = services.import_start(workspace=world.workspace, run=run, user=world.admin.user)
    assert callbacks == []  # nothing queued
    assert again.status == ImportRun.Status.DONE
    assert counts(world) == before
    with pytest.raises(ValidationError):
        check(world, run)


def test_progress_moves_while_running_and_ends_at_total(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    lines = ["cycle,kind,text"] + [f"Keeping homes,story,Story {i}." for i in range(1, 251)]
    run = check(world, upload(world, "entries", csv_bytes(*lines)))
    seen: list[tuple[int, int]] = []
    real = cycle_services.entry_create

    def watching(**kwargs):
        # What the page would show at this moment, read as the page reads it.
        with tenant_scope(workspace_id=world.workspace.pk):
            page_run = ImportRun.objects.get(pk=run.pk)
        seen.append(selectors.import_progress(page_run))
        return real(**kwargs)

    monkeypatch.setattr(cycle_services, "entry_create", watching)
    run = start(world, run, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.DONE
    done_values = [done for done, _total in seen]
    assert done_values[0] == 0
    assert done_values == sorted(done_values)
    assert len(set(done_values)) > 10  # it moves
    assert all(total == 250 for _done, total in seen)
    assert selectors.import_progress(run) == (250, 250)
