"""The stewardship API starts from the shared cast (tests/conftest.py): Riverside's admin (whose
key the `api` client sends) and the two open cycles, with a practitioner who is a member of the
team cycle and a viewer added."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.factories import CycleMemberFactory


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
def world(cast, make_member):
    """The shared cast (tests/conftest.py) with what sessions, outputs and reports need beside
    it: Pat, a practitioner taking part in the team cycle, and Vi, a viewer."""
    workspace = cast.workspace
    pat = make_member(workspace, Role.PRACTITIONER, email="pat@riverside.test", full_name="Pat")
    viewer = make_member(workspace, Role.VIEWER, email="vi@riverside.test", full_name="Vi")
    with tenant_scope(workspace_id=workspace.pk):
        CycleMemberFactory(workspace=workspace, cycle=cast.cycle, user=pat.user)
    return SimpleNamespace(**vars(cast), pat=pat, viewer=viewer, other_cycle=cast.upper)


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
