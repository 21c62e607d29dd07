"""Every operation of the committed schema (docs/openapi.yaml), called for real on a world with
objects in every state, answers with a documented status, a documented content type and a body
the schema allows (issue 11, finding 5: `"outcome": ""` on a running experiment was outside the
schema's enum, so a client generated from it failed).

Driven by the schema: a new operation joins by itself. Reads run on the list and on every object
it lists (planned, running and ended experiments; answered and unanswered barriers; ready and
pending exports...). Writes run on every such object with an empty body and `If-Match: *`: an
update that changes nothing answers 200 with the object, an action in the wrong state its
documented refusal, a create its 400 naming the fields; each must match the schema too."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.models import ReportExport
from systems.models import Person, ShareLevel
from systems.people.services import identity_set
from tests.api.conformance import check, operations
from tests.api.conftest import client_for
from tests.api.test_outsider_keys import MAKERS
from tests.factories import (
    BarrierResponseFactory,
    ConsentFactory,
    EntryFactory,
    ExperimentFactory,
    TombstoneFactory,
)

OPERATIONS = operations()
PER_OPERATION = 12  # objects of each kind a detail operation is tried on


@pytest.fixture
def world(workspace, admin, make_key, settings, django_capture_on_commit_callbacks):
    """One of everything the API serves, and its states."""
    settings.API_RATE = "100000/min"
    now = timezone.now()
    with (
        django_capture_on_commit_callbacks(execute=True),
        tenant_scope(workspace_id=workspace.pk, user_id=admin.user_id),
    ):
        made = {basename: make(workspace, admin) for basename, make in MAKERS.items()}
        for status, outcome in [("planned", ""), ("running", ""), ("ended", "amplify"),
                                ("ended", "adapt"), ("ended", "stop_learnt")]:  # fmt: skip
            ExperimentFactory(
                workspace=workspace,
                status=status,
                outcome=outcome,
                started_at=None if status == "planned" else now - dt.timedelta(days=9),
                ended_at=now - dt.timedelta(days=1) if status == "ended" else None,
                learnt="It helped." if status == "ended" else "",
            )
        # A second barrier, answered; the maker's stays unanswered.
        answered = MAKERS["api-barrier"](workspace, admin)
        BarrierResponseFactory(workspace=workspace, route_id=answered, state="changed")
        EntryFactory(
            workspace=workspace, author=admin.user, visibility=ShareLevel.WORKSPACE, signed=True
        )

        person = Person.objects.get(pk=made["api-person"])
        ConsentFactory(workspace=workspace, person=person, level=3)
        identity_set(
            workspace=workspace,
            person=person,
            actor=admin.user,
            name="Sam Ortiz",
            date_of_birth=dt.date(1984, 3, 21),
            contact="07700 900123",
        )
        for state in ("pending", "ready", "failed"):
            ReportExport.objects.create(
                workspace=workspace,
                report_id=made["api-report"],
                format="md",
                state=state,
                content=b"# Report\n" if state == "ready" else None,
            )
        TombstoneFactory(workspace=workspace)
    return client_for(make_key(admin))


def _list_path(path: str) -> str:
    """The list an object of this path is found in: /x/{id}/y/ -> /x/."""
    return path.split("{")[0]


def _ids(api, path: str) -> list[int]:
    response = api.get(path, {"page_size": 200})
    assert response.status_code == 200, (path, response.content[:300])
    check(response)
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return [row["id"] for row in rows][:PER_OPERATION]


def _urls(api, path: str) -> list[str]:
    """Real URLs for a path template, one per object of every kind it names."""
    if "{" not in path:
        return [path]
    urls = []
    for object_id in _ids(api, _list_path(path)):
        url = path.replace("{id}", str(object_id))
        if "{export_id}" in url:
            urls += [url.replace("{export_id}", str(e)) for e in _ids(api, url.split("{")[0])]
        elif "{key}" in url:
            report = api.get(url.split("sections/")[0]).json()
            urls += [url.replace("{key}", s["key"]) for s in report["sections"]]
        else:
            urls.append(url)
    assert urls, f"nothing in the world for {path}: add it to the world fixture"
    assert not [u for u in urls if "{" in u], f"a path parameter the test cannot fill: {path}"
    return urls


@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}" for o in OPERATIONS]
)
def test_every_operation_answers_as_the_schema_says(operation, world):
    api = world
    urls = _urls(api, operation.path)
    for url in urls:
        if operation.method == "get":
            response = api.get(url)
            check(response)
            assert response.status_code < 500
            if re.search(r"\{id\}/$", operation.path) or "{" not in operation.path:
                assert response.status_code in (200, 302), (url, response.content[:300])
        else:
            response = getattr(api, operation.method)(url, {}, format="json", HTTP_IF_MATCH="*")
            assert response.status_code < 500, (url, response.content[:300])
            check(response)
