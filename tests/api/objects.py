"""Objects for the outsider matrix (tests/outsider_objects.py): the API keys page's keywords."""

from hls.api.services import api_key_create
from hls.tenancy.models import Role
from tests.factories import MembershipFactory


def make_api_key(workspace, membership) -> int:
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    key, _raw = api_key_create(
        workspace=workspace, created_by=admin.user, name="Matrix", scopes=["cycles:read"]
    )
    return key.pk


MAKERS = {"key_id": make_api_key}
