"""Each maker of api_objects.py makes an object its workspace's key can read and another
workspace's key cannot even find (the shared matrix relies on them)."""

import pytest

from hls.tenancy.context import tenant_scope
from tests.api.systems.api_objects import API_MAKERS
from tests.api.systems.conftest import API

PATHS = {
    "api-scale": "scales",
    "api-system": "systems",
    "api-actor": "actors",
    "api-factor": "factors",
    "api-relationship": "relationships",
    "api-person": "people",
}


@pytest.mark.parametrize("basename", sorted(API_MAKERS))
def test_another_workspace_gets_404(api, outsider_api, workspace, admin, basename) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        object_id = API_MAKERS[basename](workspace, admin)
    url = f"{API}/{PATHS[basename]}/{object_id}/"

    assert api.get(url).status_code == 200
    assert outsider_api.get(url).status_code == 404
    response = outsider_api.patch(url, {}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code in (404, 405)
    assert object_id not in [
        row["id"] for row in outsider_api.get(url.rsplit("/", 2)[0] + "/").json()["results"]
    ]
    if basename == "api-person":
        assert api.get(f"{url}identity/").status_code == 404  # none recorded, but allowed
        assert outsider_api.get(f"{url}identity/").status_code == 404
