"""A small world for the stewardship API: Riverside's admin (whose key the `api` client sends),
a practitioner who is a member of the team cycle, a viewer, and two open cycles."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.factories import CycleFactory, CycleMemberFactory


def next_monday_10(weeks: int = 1) -> dt.datetime:
    now = timezone.now().astimezone(dt.UTC)
    day = (now + dt.timedelta(days=7 * weeks - now.weekday())).date()
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def set_role(membership, role: str) -> None:
    """Keys act as the member who made them: change that member's role to test role limits."""
    with tenant_scope(workspace_id=membership.workspace_id):
        type(membership).objects.filter(pk=membership.pk).update(role=role)


@pytest.fixture
def world(workspace, admin, make_member):
    pat = make_member(workspace, Role.PRACTITIONER, email="pat@riverside.test", full_name="Pat")
    viewer = make_member(workspace, Role.VIEWER, email="vi@riverside.test", full_name="Vi")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="Team cycle")
        other_cycle = CycleFactory(workspace=workspace, name="Place cycle")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=pat.user)
    return SimpleNamespace(
        workspace=workspace,
        admin=admin,
        pat=pat,
        viewer=viewer,
        cycle=cycle,
        other_cycle=other_cycle,
    )


@pytest.fixture
def client_as(make_key):
    """A client whose key acts as `membership` with `role` (made while an admin, then changed)."""
    from tests.api.conftest import client_for

    def make(membership, role: str, scopes: list[str] | None = None):
        set_role(membership, Role.ADMIN)
        raw = make_key(membership, scopes)
        set_role(membership, role)
        return client_for(raw)

    return make
