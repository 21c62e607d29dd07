"""The workspace export is complete (issue 17): every kind of workspace data the exporting member
may see has its file, with the columns it declares; the whole export reads in a fixed number of
queries whatever the number of rows; and each file follows its page's rule of who may see what
(sessions, heads-up notes, method runs and their private answers, barriers, consent)."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataio import exports
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.dataio.everything import make_everything
from tests.factories import (
    BarrierResponseFactory,
    BarrierRouteFactory,
    ConsentFactory,
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    EntryRevisionFactory,
    HeadsUpFactory,
    HeardAnswerFactory,
    MethodRunFactory,
    OccurrenceFactory,
    PersonFactory,
    RunAnswerFactory,
    RunParticipantFactory,
    SessionFactory,
    SessionParticipantFactory,
    StewardRoleFactory,
    SystemChangeFactory,
    SystemFactory,
    SystemMemberFactory,
)

pytestmark = pytest.mark.django_db

# The whole export, as many rows as there may be: every query of every file, and the two that
# bracket the transaction. A file that reads one more query per row fails this at once.
EXPORT_QUERIES = 83


def _export(workspace, user) -> dict[str, bytes]:
    with tenant_scope(workspace_id=workspace.pk):
        data, _counts = exports.build_zip(workspace=workspace, user=user, on_step=lambda _s: None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _json(files: dict[str, bytes], name: str) -> list[dict]:
    return json.loads(files[f"{name}.json"])


def _header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def everything(world, make_member):
    with tenant_scope(workspace_id=world.workspace.pk):
        for system in (world.team_system, world.life_system):
            SystemMemberFactory(workspace=world.workspace, system=system, user=world.admin.user)
    world.made = make_everything(world, make_member)
    return world


def test_every_file_has_rows_with_exactly_its_columns(everything) -> None:
    w = everything
    files = _export(w.workspace, w.admin.user)
    assert set(files) == {f"{n}.{ext}" for n in exports.RESOURCES for ext in ("csv", "json")} | {
        "manifest.json"
    }
    manifest = json.loads(files["manifest.json"])
    assert manifest["format_version"] == exports.FORMAT_VERSION == 2
    empty = [name for name, n in manifest["counts"].items() if n == 0]
    assert empty == []  # every kind of data has its rows in this world
    for name, spec in exports.RESOURCES.items():
        rows = _json(files, name)
        assert all(list(row) == list(spec.columns) for row in rows), name
        assert _header(files[f"{name}.csv"]) == list(spec.columns), name
    # Secrets never travel.
    everything_text = b"".join(files.values())
    for secret in (b"secret_hash", b"token_hash", b"guest_code", b"whsec_"):
        assert secret not in everything_text


def test_an_empty_workspace_exports_every_file_with_its_header(world) -> None:
    files = _export(world.workspace, world.admin.user)
    for name, spec in exports.RESOURCES.items():
        assert _header(files[f"{name}.csv"]) == list(spec.columns)
        assert isinstance(_json(files, name), list)


def test_the_whole_export_reads_a_fixed_number_of_queries(everything, make_member) -> None:
    w = everything

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            _export(w.workspace, w.admin.user)
        return len(seen.captured_queries)

    assert queries() == EXPORT_QUERIES
    make_everything(w, make_member)
    make_everything(w, make_member)
    assert queries() == EXPORT_QUERIES


def test_an_admin_outside_a_cycle_gets_none_of_its_private_work(everything, make_member) -> None:
    """Heads-up notes (its stewards only), method runs (those inside, or taking part), barrier
    routes (members of the raising or receiving cycle), consent histories and the people of
    experiments (those who work with the person) stay out of an outside admin's export;
    shared work (the map, sessions an admin oversees, reports) goes."""
    w = everything
    outside = make_member(w.workspace, Role.ADMIN).user
    files = _export(w.workspace, outside)
    for name in (
        "heads_ups", "method_runs", "run_answers", "run_spreads", "run_participants",
        "run_outputs", "barrier_routes", "barrier_responses", "consents", "experiment_people",
        "people", "what_matters",
    ):  # fmt: skip
        assert _json(files, name) == [], name
    for name in ("actors", "sessions", "learning_reports", "charters", "enablers"):
        assert _json(files, name) != [], name
    # Outside the cycle nobody is named: not the owner of an experiment, not who moved a phase.
    assert {row["owner_email"] for row in _json(files, "experiments")} == {""}
    assert {row["shifted_by_email"] for row in _json(files, "phase_shifts")} == {""}
    own = _export(w.workspace, w.admin.user)
    assert {row["owner_email"] for row in _json(own, "experiments")} == {w.admin.user.email}


def test_private_answers_go_only_to_their_author_and_a_spread_never_with_authors(
    everything,
) -> None:
    w = everything
    ws = w.workspace
    with tenant_scope(workspace_id=ws.pk):
        run = MethodRunFactory(workspace=ws, cycle=w.made.cycle, definition=_private_step())
        me = RunParticipantFactory(workspace=ws, run=run, user=w.admin.user, guest_name="")
        mine = RunAnswerFactory(
            workspace=ws, run=run, participant=me, step="alone", data={"words": "MINE"}
        )
        theirs = RunAnswerFactory(workspace=ws, run=run, step="alone", data={"words": "THEIRS"})
        shared = RunAnswerFactory(
            workspace=ws, run=run, step="alone", data={"words": "SHARED"}, shared=True
        )
    files = _export(ws, w.admin.user)
    answers = {row["id"] for row in _json(files, "run_answers")}
    assert mine.pk in answers
    assert shared.pk in answers
    assert theirs.pk not in answers
    assert b"THEIRS" not in b"".join(files.values())
    # The spread run: two private scores revealed as a spread; counts only.
    spread = [row for row in _json(files, "run_spreads") if row["run_id"] == w.made.spread_run.pk]
    assert [(row["value"], row["count"]) for row in spread] == [("1", 1), ("2", 0), ("3", 1)]
    assert not [r for r in _json(files, "run_answers") if r["run_id"] == w.made.spread_run.pk]
    # Once the step is revealed with its answers, the group (and the export) sees them.
    with tenant_scope(workspace_id=ws.pk):
        run.revealed = ["alone"]
        run.save(update_fields=["revealed"])
    again = {row["id"] for row in _json(_export(ws, w.admin.user), "run_answers")}
    assert theirs.pk in again


def _private_step() -> dict:
    return {
        "steps": [
            {
                "key": "alone",
                "title": "On your own",
                "who": "each",
                "private": True,
                "fields": [{"key": "words", "label": "Words", "type": "long_text"}],
            }
        ]
    }


def test_sessions_follow_who_may_see_and_facilitate_them(everything, make_member) -> None:
    """A member sees a session they are invited to, its meetings' notes and attendance only if
    they may facilitate (a viewer may not), and "did you feel heard?" only as totals, from the
    workspace's small-count threshold up."""
    w = everything
    ws = w.workspace
    viewer = make_member(ws, Role.VIEWER).user
    stranger = make_member(ws, Role.PRACTITIONER).user
    with tenant_scope(workspace_id=ws.pk):
        SessionParticipantFactory(workspace=ws, session=w.made.session, user=viewer)
        quiet = OccurrenceFactory(
            workspace=ws, session=w.made.session,
            original_start=w.made.occurrence.original_start.replace(year=2020),
        )  # fmt: skip
        for _ in range(2):  # fewer than the threshold (3): no totals for this meeting
            HeardAnswerFactory(workspace=ws, occurrence=quiet, felt_heard="no")
        private = SessionFactory(workspace=ws, title="NOT-INVITED")
    assert _json(_export(ws, stranger), "sessions") == []
    seen = _export(ws, viewer)
    assert [row["id"] for row in _json(seen, "sessions")] == [w.made.session.pk]
    assert {row["notes"] for row in _json(seen, "occurrences")} == {""}
    assert _json(seen, "attendance") == []
    assert _json(seen, "heard") == []
    admin = _export(ws, w.admin.user)
    assert private.pk in {row["id"] for row in _json(admin, "sessions")}  # admins oversee all
    assert "MEETING-NOTES" in {row["notes"] for row in _json(admin, "occurrences")}
    [heard] = _json(admin, "heard")
    assert heard["occurrence_id"] == w.made.occurrence.pk
    assert (heard["answered"], heard["yes"], heard["partly"], heard["no"]) == (3, 1, 1, 1)
    assert json.loads(heard["comments"]) == ["I felt no", "I felt partly", "I felt yes"]
    guests = _json(admin, "session_participants")
    assert {row["member_email"] for row in guests} >= {viewer.email, w.made.other.email}


def test_heads_ups_go_to_the_cycles_stewards_and_their_author_only(everything, make_member) -> None:
    w = everything
    ws = w.workspace
    partner = make_member(ws, Role.LEARNING_PARTNER).user
    steward = make_member(ws, Role.STEWARD).user
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=w.made.cycle, user=partner)
        note = HeadsUpFactory(workspace=ws, cycle=w.made.cycle, author=partner, text="NOTICED")
        StewardRoleFactory(workspace=ws, cycle=w.made.cycle, user=steward)
    other_partner = make_member(ws, Role.LEARNING_PARTNER).user
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=w.made.cycle, user=other_partner)
    assert note.pk in {row["id"] for row in _json(_export(ws, partner), "heads_ups")}
    assert note.pk in {row["id"] for row in _json(_export(ws, steward), "heads_ups")}
    assert note.pk in {row["id"] for row in _json(_export(ws, w.admin.user), "heads_ups")}
    assert _json(_export(ws, other_partner), "heads_ups") == []


def test_a_barrier_passed_up_brings_every_answer_home(everything, make_member) -> None:
    """The raising cycle's member gets the answer given two levels up (a route they cannot open
    themselves), without the name of who gave it; inside the answering cycle it is named."""
    w = everything
    ws = w.workspace
    raiser = make_member(ws, Role.PRACTITIONER).user
    answerer = make_member(ws, Role.MANAGER).user
    with tenant_scope(workspace_id=ws.pk):
        # Three levels, each its own system: taking part in one is not working in the others.
        low, middle, top = (
            CycleFactory(workspace=ws, system=SystemFactory(workspace=ws)) for _ in range(3)
        )
        CycleMemberFactory(workspace=ws, cycle=low, user=raiser)
        CycleMemberFactory(workspace=ws, cycle=top, user=answerer)
        barrier = EntryFactory(
            workspace=ws, cycle=low, author=raiser, kind="barrier",
            visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
        first = BarrierRouteFactory(
            workspace=ws, entry=barrier, from_cycle=low, to_cycle=middle, state="working"
        )
        second = BarrierRouteFactory(
            workspace=ws, entry=barrier, from_cycle=middle, to_cycle=top, passed_from=first
        )
        answer = BarrierResponseFactory(
            workspace=ws, route=second, state="changed", text="TOP-ANSWER", responded_by=answerer
        )
    files = _export(ws, raiser)
    assert {row["id"] for row in _json(files, "barrier_routes")} == {first.pk, second.pk}
    [row] = [r for r in _json(files, "barrier_responses") if r["id"] == answer.pk]
    assert (row["text"], row["responded_by_email"]) == ("TOP-ANSWER", "")
    [named] = [r for r in _json(_export(ws, answerer), "barrier_responses") if r["id"] == answer.pk]
    assert named["responded_by_email"] == answerer.email
    assert _json(_export(ws, make_member(ws).user), "barrier_routes") == []


def test_consent_history_goes_with_the_people_one_works_with_and_entries_no_further(
    everything,
) -> None:
    """Every consent of a person, oldest first, for those who work with them; an entry's level
    is the one in force: the author's choice capped by the person's consent."""
    w = everything
    ws, admin = w.workspace, w.admin.user
    with tenant_scope(workspace_id=ws.pk):
        person = PersonFactory(
            workspace=ws, system=w.life_system, created_by=admin, reference="P-CAP1",
            consent_level=ShareLevel.TEAM,
        )  # fmt: skip
        ConsentFactory(workspace=ws, person=person, level=ShareLevel.WORKSPACE, note="At first")
        ConsentFactory(workspace=ws, person=person, level=ShareLevel.TEAM, note="Narrowed")
        wide = EntryFactory(
            workspace=ws, cycle=w.cycle, author=admin, person=person,
            visibility=ShareLevel.WORKSPACE, text="WIDE-ABOUT-P-CAP1",
        )  # fmt: skip
        EntryRevisionFactory(workspace=ws, entry=wide, text="EARLIER-WORDS")
    files = _export(ws, admin)
    history = [row for row in _json(files, "consents") if row["person"] == "P-CAP1"]
    assert [(r["level"], r["note"]) for r in history] == [
        ("workspace", "At first"),
        ("team", "Narrowed"),
    ]
    [entry] = [row for row in _json(files, "entries") if row["id"] == wide.pk]
    assert entry["visibility"] == "team"
    assert "EARLIER-WORDS" in {r["text"] for r in _json(files, "entry_revisions")}
    # Someone who may not read the entry gets neither it nor its earlier words.
    outside = _export(ws, w.member.user)
    assert b"EARLIER-WORDS" not in b"".join(outside.values())
    assert "P-CAP1" not in {row["person"] for row in _json(outside, "consents")}


def test_a_persons_life_seen_from_outside_keeps_its_names_out_of_the_history(
    everything, make_member
) -> None:
    w = everything
    ws = w.workspace
    with tenant_scope(workspace_id=ws.pk):
        SystemChangeFactory(
            workspace=ws, system=w.life_system,
            changes={"name": ["Sammy's flat", "Sammy's life"], "purpose": ["a", "b"]},
        )  # fmt: skip
    outside = _export(ws, make_member(ws, Role.ADMIN).user)
    rows = [r for r in _json(outside, "system_changes") if r["system_id"] == w.life_system.pk]
    assert [json.loads(r["changes"]) for r in rows] == [{"purpose": ["a", "b"]}]
    assert b"Sammy" not in b"".join(outside.values())
    inside = _export(ws, w.admin.user)
    rows = [r for r in _json(inside, "system_changes") if r["system_id"] == w.life_system.pk]
    assert "name" in json.loads(rows[0]["changes"])
