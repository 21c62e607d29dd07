"""A small world to import into and export from: a team system with a cycle the admin works
in, a person-scale system, themes, and the admin and a practitioner as members."""

from types import SimpleNamespace

import pytest

from dataio import services
from dataio.models import ImportRun
from hls.tenancy.context import tenant_scope
from systems.models import Scale
from tests.factories import CycleFactory, CycleMemberFactory, SystemFactory, ThemeFactory


def make_world(workspace, admin, member) -> SimpleNamespace:
    w = SimpleNamespace(workspace=workspace, admin=admin, member=member)
    with tenant_scope(workspace_id=workspace.pk):
        team = Scale.objects.create(workspace=workspace, name="Team", position=1)
        life = Scale.objects.create(
            workspace=workspace, name="A person's life", position=0, is_person_scale=True
        )
        w.team_system = SystemFactory(workspace=workspace, name="North team", scale=team)
        w.life_system = SystemFactory(workspace=workspace, name="Sammy's life", scale=life)
        w.cycle = CycleFactory(workspace=workspace, system=w.team_system, name="Keeping homes")
        CycleMemberFactory(workspace=workspace, cycle=w.cycle, user=admin.user)
        w.housing = ThemeFactory(workspace=workspace, name="Housing")
        w.money = ThemeFactory(workspace=workspace, name="Money worries")
    return w


@pytest.fixture
def world(workspace, admin, member):
    return make_world(workspace, admin, member)


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def upload(world, kind: str, data: bytes, name: str = "file.csv") -> ImportRun:
    with tenant_scope(workspace_id=world.workspace.pk):
        return services.import_upload(
            workspace=world.workspace, user=world.admin.user, kind=kind, file_name=name, data=data
        )


def check(world, run: ImportRun, mapping: dict[str, str] | None = None) -> ImportRun:
    with tenant_scope(workspace_id=world.workspace.pk):
        run = services.import_map(
            workspace=world.workspace,
            run=run,
            mapping=mapping if mapping is not None else run.mapping,
            user=world.admin.user,
        )
        return services.import_check(workspace=world.workspace, run=run, user=world.admin.user)


def start(world, run: ImportRun, capture) -> ImportRun:
    """Start the real run; the task runs on commit, as a worker would (eager Celery)."""
    with capture(execute=True), tenant_scope(workspace_id=world.workspace.pk):
        services.import_start(workspace=world.workspace, run=run, user=world.admin.user)
    with tenant_scope(workspace_id=world.workspace.pk):
        run.refresh_from_db()
    return run
