"""Every API route with an object in its path answers 404 to a key of another workspace, for
every method, and lists never show another workspace's objects (DESIGN.md §4). Routes are read
from the router, so a new resource joins the matrix by itself; it needs a maker in
`tests/api/<area>/api_objects.py` (see tests/api/api_objects.py)."""

import importlib
import pkgutil
import re

import pytest

import tests.api
from hls.api.urls import router
from hls.tenancy.context import tenant_scope


def _makers() -> dict:
    makers = dict(importlib.import_module("tests.api.api_objects").API_MAKERS)
    for package in pkgutil.iter_modules(tests.api.__path__):
        if package.ispkg:
            try:
                module = importlib.import_module(f"tests.api.{package.name}.api_objects")
            except ModuleNotFoundError as error:
                if error.name != f"tests.api.{package.name}.api_objects":
                    raise
                continue
            makers.update(module.API_MAKERS)
    return makers


MAKERS = _makers()
METHODS = {"retrieve": "get", "partial_update": "patch", "update": "put", "destroy": "delete"}


def _detail_calls():
    """(basename, method, path suffix) for every route on one object."""
    for prefix, viewset, basename in router.registry:
        for action, method in METHODS.items():
            if hasattr(viewset, action):
                yield pytest.param(basename, prefix, method, "", id=f"{basename}-{action}")
        for extra in viewset.get_extra_actions():
            if extra.detail:
                # a nested id in the action's path: any value that fits; the object is foreign
                path = re.sub(r"\(\?P<\w+>\\d\+\)", "1", extra.url_path)
                path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
                for method in extra.mapping:
                    yield pytest.param(
                        basename,
                        prefix,
                        method,
                        f"{path}/",
                        id=f"{basename}-{extra.url_path}-{method}",
                    )


DETAIL_CALLS = list(_detail_calls())


def test_every_resource_has_a_maker():
    """Every route the router knows, object or list-only: none escapes the matrix."""
    routed = {
        basename
        for _p, viewset, basename in router.registry
        if hasattr(viewset, "retrieve") or hasattr(viewset, "list")
    }
    assert len(routed) == len(router.registry)
    missing = sorted(routed - set(MAKERS))
    assert not missing, f"add API_MAKERS for {missing} in tests/api/<area>/api_objects.py"


@pytest.mark.parametrize(("basename", "prefix", "method", "suffix"), DETAIL_CALLS)
def test_another_workspaces_key_gets_404(
    basename, prefix, method, suffix, outsider_api, workspace, member, admin
):
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user_id):
        object_id = MAKERS[basename](workspace, admin)
    url = f"/api/v1/{prefix}/{object_id}/{suffix}"
    response = getattr(outsider_api, method)(url, {}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 404, (url, method, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("prefix", "basename"),
    [
        (prefix, basename)
        for prefix, viewset, basename in router.registry
        if hasattr(viewset, "list")
    ],
)
def test_lists_never_show_another_workspaces_objects(
    prefix, basename, api, outsider_api, workspace, admin
):
    # No maker is a failure here too (a KeyError), never a resource silently left out.
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user_id):
        object_id = MAKERS[basename](workspace, admin)
    # The object is real and listed: its own workspace's key sees it in the same list...
    own = api.get(f"/api/v1/{prefix}/", {"page_size": 200})
    assert own.status_code == 200, own.content[:300]
    assert object_id in [row["id"] for row in own.json()["results"]]
    # ...and another workspace's key, answered the same way, does not.
    response = outsider_api.get(f"/api/v1/{prefix}/", {"page_size": 200})
    assert response.status_code == 200, response.content[:300]
    assert "results" in response.json()
    assert object_id not in [row["id"] for row in response.json()["results"]]
