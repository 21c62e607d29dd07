"""CSV round-trips, property-based: cycles exported from one workspace and imported into
another (through the real upload, mapping, check and run) export again as the same data,
whatever their text holds (quotes, commas, new lines, a leading = + - @ or apostrophe, any
script)."""

import csv
import io
import zipfile

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataio import exports, services
from dataio.models import ImportRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Scale
from tests.factories import CycleFactory, SystemFactory

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
