"""The admins' webhook pages: who may use them, forms that keep typed text, the delivery log
with "Send again", and constant query counts."""

import pytest
from django.test import Client

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from hls.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.bypass import all_workspaces
from tests.conftest import signed_in
from tests.workspace_urls import workspace_urls

BASE = "/w/riverside/integrations/webhooks/"
ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
ADMIN_GET = (200, 403, 403, 403, 403, 403)
ADMIN_POST = (302, 403, 403, 403, 403, 403)

EXPECTED = {
    ("webhook-list", "GET"): ADMIN_GET,
    ("webhook-create", "GET"): ADMIN_GET,
    ("webhook-create", "POST"): ADMIN_POST,
    ("webhook-detail", "GET"): ADMIN_GET,
    ("webhook-edit", "GET"): ADMIN_GET,
    ("webhook-edit", "POST"): ADMIN_POST,
    ("webhook-rotate", "POST"): ADMIN_POST,
    ("webhook-enable", "POST"): ADMIN_POST,
    ("webhook-disable", "POST"): ADMIN_POST,
    ("webhook-replay", "POST"): ADMIN_POST,
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_webhook_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("hls.webhooks.")}
    assert {view for view, _method in EXPECTED} == names


@pytest.fixture
def hook(workspace, admin, subscribe):
    return subscribe("https://partner.example.test/hook", ["report.published"])


def _delivery(hook, **kwargs):
    with tenant_scope(workspace_id=hook.workspace_id):
        return WebhookDelivery.objects.create(
            workspace_id=hook.workspace_id, subscription=hook, event="report.published",
            payload={"id": "x", "type": "report.published"}, **kwargs,
        )  # fmt: skip


def _state(hook):
    with all_workspaces("test"):
        return (
            list(WebhookSubscription.objects.values_list("url", "active", "secret").order_by("pk")),
            WebhookDelivery.objects.count(),
        )


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, admin, hook, make_member):
    actor = admin if role == Role.ADMIN else make_member(workspace, role)
    if view == "webhook-enable":
        with tenant_scope(workspace_id=workspace.pk):
            WebhookSubscription.objects.filter(pk=hook.pk).update(active=False)
    delivery = _delivery(hook, status=WebhookDelivery.Status.SUCCEEDED)
    url = {
        "webhook-list": BASE,
        "webhook-create": BASE + "new/",
        "webhook-detail": f"{BASE}{hook.pk}/",
        "webhook-edit": f"{BASE}{hook.pk}/edit/",
        "webhook-rotate": f"{BASE}{hook.pk}/rotate-secret/",
        "webhook-enable": f"{BASE}{hook.pk}/enable/",
        "webhook-disable": f"{BASE}{hook.pk}/disable/",
        "webhook-replay": f"{BASE}{hook.pk}/deliveries/{delivery.pk}/replay/",
    }[view]
    data = {"url": "https://changed.example.test/hook", "events": ["entry.shared"]}
    before = _state(hook)
    client = signed_in(actor)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
        assert _state(hook) == before
    elif method == "POST":
        assert _state(hook) != before


def test_admin_adds_a_webhook_and_sees_its_secret(admin_client, workspace):
    response = admin_client.post(
        BASE + "new/",
        {
            "url": "https://partner.example.test/in",
            "events": ["entry.shared", "barrier.raised"],
            "description": "Case system",
        },
    )
    with tenant_scope(workspace_id=workspace.pk):
        hook = WebhookSubscription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{hook.pk}/"
    assert hook.events == ["barrier.raised", "entry.shared"]
    page = admin_client.get(response["Location"])
    assert hook.secret.encode() in page.content
    assert "no-store" in page["Cache-Control"]
    assert b"Case system" in admin_client.get(BASE).content


def test_bad_input_is_shown_beside_its_field_with_the_text_kept(admin_client, workspace):
    response = admin_client.post(
        BASE + "new/", {"url": "ftp://partner.example.test/in", "description": "Kept text"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_url_error"' in html
    assert 'value="ftp://partner.example.test/in"' in html
    assert 'value="Kept text"' in html
    assert 'id="id_events_error"' in html
    assert "Choose at least one event." in html
    with tenant_scope(workspace_id=workspace.pk):
        assert not WebhookSubscription.objects.exists()


def test_a_private_url_is_refused_beside_the_field(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = admin_client.post(
        BASE + "new/", {"url": "http://127.0.0.1:6379/", "events": ["entry.shared"]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_url_error"' in html
    assert "private or local network" in html
    assert 'value="http://127.0.0.1:6379/"' in html


def test_edit_keeps_the_secret_and_changes_the_events(admin_client, hook):
    response = admin_client.post(
        f"{BASE}{hook.pk}/edit/", {"url": hook.url, "events": ["experiment.ended"]}
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=hook.workspace_id):
        hook_now = WebhookSubscription.objects.get(pk=hook.pk)
    assert hook_now.events == ["experiment.ended"]
    assert hook_now.secret == hook.secret


def test_send_again_queues_the_same_event(admin_client, hook):
    delivery = _delivery(hook, status=WebhookDelivery.Status.ABANDONED)
    page = admin_client.get(f"{BASE}{hook.pk}/").content.decode()
    assert f"/deliveries/{delivery.pk}/replay/" in page
    assert "Send again" in page
    response = admin_client.post(f"{BASE}{hook.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    with tenant_scope(workspace_id=hook.workspace_id):
        replay = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert replay.event_id == delivery.event_id
    assert replay.payload == delivery.payload
    assert replay.status == WebhookDelivery.Status.PENDING
    assert replay.replay_of_id == delivery.pk


def test_a_delivery_of_another_webhook_is_404(admin_client, hook, subscribe):
    other = subscribe("https://other.example.test/hook")
    delivery = _delivery(other)
    assert admin_client.post(f"{BASE}{hook.pk}/deliveries/{delivery.pk}/replay/").status_code == 404


def test_outsider_gets_404(outsider_client: Client, hook):
    assert outsider_client.get(f"{BASE}{hook.pk}/").status_code == 404
    assert outsider_client.get(BASE).status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_list_pages_use_a_constant_number_of_queries(
    admin_client, subscribe, rows, django_assert_num_queries
):
    hooks = [subscribe(f"https://p{i}.example.test/hook") for i in range(rows)]
    for _ in range(rows):
        _delivery(hooks[0], status=WebhookDelivery.Status.SUCCEEDED)
    with django_assert_num_queries(9):
        assert admin_client.get(BASE).status_code == 200
    with django_assert_num_queries(11):
        assert admin_client.get(f"{BASE}{hooks[0].pk}/").status_code == 200
