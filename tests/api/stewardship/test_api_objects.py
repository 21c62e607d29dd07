"""The makers this package gives the shared outsider matrix make objects their member can read
through the API, and that another workspace's key cannot."""

import pytest
from django.urls import reverse

from hls.tenancy.context import tenant_scope
from tests.api.stewardship.api_objects import API_MAKERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("basename", sorted(API_MAKERS))
def test_maker_objects_are_readable_by_their_member_only(
    basename, workspace, admin, api, outsider_api
):
    with tenant_scope(workspace_id=workspace.pk):
        pk = API_MAKERS[basename](workspace, admin)
    url = reverse(f"{basename}-detail", args=[pk])
    assert api.get(url).status_code == 200
    assert outsider_api.get(url).status_code == 404
