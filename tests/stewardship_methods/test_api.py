# ruff: noqa: F811 - the API's and the webhooks' fixtures are imported, then used by name
"""Guided methods over the API, with its conventions: templates written (the checker's messages
as problem+json naming step and field), copied from a built-in, changed with If-Match (stale:
412) and versioned; creates replayed by Idempotency-Key; runs started after the picker's
questions, answered as the key's member (others' private answers never shown before they are
revealed), completed with links to what they wrote; the webhook on completion reaches a real
receiver and names a path that answers. Every response is checked against the committed schema
(the fixture from tests/api/conftest.py)."""

import json

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from hls.webhooks import delivery
from stewardship.methods import selectors, services
from stewardship.methods.services import TemplateFields
from stewardship.models import MethodRun, MethodTemplate, StopDoing
from tests.api.conftest import (  # noqa: F401 - fixtures
    _every_api_response_conforms_to_the_schema,
    api,
    client_for,
    make_key,
)
from tests.factories import CycleFactory, CycleMemberFactory
from tests.webhooks.conftest import receiver, subscribe  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

T = "/api/v1/method-templates/"
R = "/api/v1/method-runs/"
STEPS = {
    "steps": [
        {"key": "what", "title": "What happened", "who": "group",
         "fields": [{"key": "text", "label": "What happened", "type": "long_text",
                     "required": True}],
         "writes": [{"as": "entry", "kind": "observation", "field": "text"}]},
        {"key": "feel", "title": "How it felt", "who": "each", "private": True,
         "fields": [{"key": "words", "label": "In a few words", "type": "text"}]},
    ]
}  # fmt: skip


@pytest.fixture
def cycle(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk):
        made = CycleFactory(workspace=workspace, name="North team cycle")
        CycleMemberFactory(workspace=workspace, cycle=made, user=admin.user)
    return made


def test_templates_written_checked_copied_and_changed_with_if_match(api, workspace):
    body = {"name": "Friday look back", "phases": ["understand"], "definition": STEPS}
    created = api.post(T, body, format="json")
    assert created.status_code == 201, created.content
    template = created.json()
    assert template["version"] == 1
    assert created["Location"] == f"{T}{template['id']}/"

    bad = api.post(T, {**body, "definition": {"steps": [{"key": "a", "fields": []}]}},
                   format="json")  # fmt: skip
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    messages = bad.json()["errors"]["definition"]
    assert "Step 1: give the step a title." in messages
    assert "Step 1: a step has 1 to 20 fields." in messages

    copied = api.post(T, {"copy": "msc"}, format="json")
    assert copied.status_code == 201
    assert copied.json()["copied_from"] == "msc"
    assert api.post(T, {"copy": "nope"}, format="json").json()["errors"]["copy"]
    mixed = api.post(T, {"copy": "msc", "name": "Ours"}, format="json")
    assert mixed.status_code == 400
    assert "name" in mixed.json()["errors"]

    url = f"{T}{template['id']}/"
    read = api.get(url)
    etag = read["ETag"]
    changed = {"definition": {**STEPS, "repeat_from": "what"}}
    saved = api.patch(url, changed, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2
    stale = api.patch(url, {"summary": "Later"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert api.patch(url, {"summary": "Later"}, format="json").status_code == 428
    archived = api.patch(url, {"archived": True}, format="json", HTTP_IF_MATCH=saved["ETag"])
    assert archived.json()["archived"] is True
    assert [t["id"] for t in api.get(T, {"archived": "true"}).json()["results"]] == [template["id"]]

    builtins = api.get(f"{T}builtins/").json()["results"]
    assert "msc" in [b["key"] for b in builtins]
    assert all(b["source"] for b in builtins)


def test_a_create_is_replayed_by_its_idempotency_key(api, workspace):
    body = {"name": "Once", "phases": ["embed"], "definition": STEPS}
    first = api.post(T, body, format="json", HTTP_IDEMPOTENCY_KEY="tmpl-1")
    again = api.post(T, body, format="json", HTTP_IDEMPOTENCY_KEY="tmpl-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    with tenant_scope(workspace_id=workspace.pk):
        assert MethodTemplate.objects.count() == 1
    other = api.post(T, {**body, "name": "Twice"}, format="json", HTTP_IDEMPOTENCY_KEY="tmpl-1")
    assert other.status_code == 422


def test_a_viewers_key_reads_templates_and_writes_none(workspace, make_member, make_key):
    viewer = make_member(workspace, Role.ADMIN, email="vi@riverside.test")
    key = make_key(viewer)
    with tenant_scope(workspace_id=workspace.pk):
        type(viewer).objects.filter(pk=viewer.pk).update(role=Role.VIEWER)
    client = client_for(key)
    assert client.get(T).status_code == 200
    refused = client.post(T, {"copy": "msc"}, format="json")
    assert refused.status_code == 403
    read_only = client_for(make_key(make_member(workspace, Role.ADMIN), ["methods:read"]))
    assert read_only.get(R).status_code == 200
    assert read_only.post(T, {"copy": "msc"}, format="json").status_code == 403


def test_a_run_started_answered_and_completed(
    api,
    workspace,
    admin,
    cycle,
    make_member,
    make_key,
    receiver,
    subscribe,
):
    subscription = subscribe(receiver.url, ["method_run.completed"])
    receiver.secret = subscription.secret
    with tenant_scope(workspace_id=workspace.pk):
        template = services.template_create(
            workspace=workspace, user=admin.user,
            fields=TemplateFields("Friday look back", "", "", ["understand"], [], STEPS),
        )  # fmt: skip
        ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test",
                          full_name="Ben")  # fmt: skip
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=ben.user)

    missing = api.post(R, {"cycle": cycle.pk, "template": template.pk}, format="json")
    assert missing.status_code == 400
    assert "why_this_method" in missing.json()["errors"]
    started = api.post(
        R,
        {"cycle": cycle.pk, "template": template.pk, "title": "Week 12",
         "why_this_method": "The team chose it on Monday.", "stop_doing": "The Friday report"},
        format="json",
    )  # fmt: skip
    assert started.status_code == 201, started.content
    run = started.json()
    assert run["version"] == 1
    assert run["why_this_method"] == "The team chose it on Monday."
    assert run["guests"] is False
    with tenant_scope(workspace_id=workspace.pk):
        assert list(StopDoing.objects.values_list("what", flat=True)) == ["The Friday report"]
    url = f"{R}{run['id']}/"

    answered = api.post(
        f"{url}answers/", {"step": "what", "data": {"text": "Three visits missed."}},
        format="json",
    )  # fmt: skip
    assert answered.status_code == 200, answered.content
    assert answered.json()["steps"][0]["group"] == {"text": "Three visits missed."}
    skipped = api.post(f"{url}answers/", {"step": "feel", "data": {"words": "x"}}, format="json")
    assert skipped.status_code == 400  # the group has not reached it
    with tenant_scope(workspace_id=workspace.pk):
        current = MethodRun.objects.get(pk=run["id"])
        current = services.run_move(
            workspace=workspace, run=current, user=admin.user, to=1, expected=0
        )
        bens = services.run_join(workspace=workspace, run=current, user=ben.user)
        services.answer_save(workspace=workspace, run=current, participant=bens,
                             step_key="feel", data={"words": "Ben's private words"})  # fmt: skip
    mine = api.post(f"{url}answers/", {"step": "feel", "data": {"words": "Tired"}}, format="json")
    feel = mine.json()["steps"][1]
    assert feel["answered"] == 2
    assert [a["data"] for a in feel["answers"]] == [{"words": "Tired"}]
    assert "Ben's private words" not in mine.content.decode()

    completed = api.post(f"{url}complete/", {}, format="json")
    assert completed.status_code == 200, completed.content
    body = completed.json()
    assert body["status"] == "completed"
    (output,) = body["outputs"]
    assert output["entry_url"] == f"/api/v1/entries/{output['entry']}/"
    assert api.post(f"{url}complete/", {}, format="json").status_code == 400

    assert delivery.dispatch() == 1
    (request,) = receiver.requests
    assert request.verified
    payload = json.loads(request.body)
    assert payload["type"] == "method_run.completed"
    assert payload["data"]["url"] == url
    assert payload["data"]["outputs"] == 1
    assert api.get(payload["data"]["url"]).status_code == 200


def test_runs_only_for_those_who_may_see_them(api, workspace, admin, cycle, make_member, make_key):
    olu = make_member(workspace, Role.ADMIN, email="olu@riverside.test", full_name="Olu")
    outsider = client_for(make_key(olu))
    with tenant_scope(workspace_id=workspace.pk):
        run = services.run_start(
            workspace=workspace, user=admin.user, cycle=cycle, builtin="rapid_learning"
        )
        assert selectors.may_see_run(workspace=workspace, run=run, user=admin.user)
    assert [r["id"] for r in api.get(R).json()["results"]] == [run.pk]
    assert outsider.get(R).json()["results"] == []
    assert outsider.get(f"{R}{run.pk}/").status_code == 404
    started = outsider.post(
        R, {"cycle": cycle.pk, "builtin": "rapid_learning", "why_this_method": "I think so."},
        format="json",
    )  # fmt: skip
    assert started.status_code == 403
