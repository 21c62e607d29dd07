"""Workspace admins' pages for webhooks: subscribe a URL to events, see and rotate its signing
secret, turn it off and on, read its delivery log and send a delivery again. Thin: each view
parses a form, calls one service, and renders or redirects."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hls.forms import act, submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.webhooks import selectors, services
from hls.webhooks.access import access_delivery, access_subscription
from hls.webhooks.events import EVENTS
from hls.webhooks.forms import WebhookForm
from hls.webhooks.models import WebhookSubscription

DELIVERIES_PER_PAGE = 50


@workspace_view("integrations.manage")
def webhook_list(request: WorkspaceRequest) -> HttpResponse:
    context = {
        "subscriptions": selectors.subscriptions(workspace=request.workspace),
        "event_labels": EVENTS,
    }
    return render(request, "webhooks/list.html", context)


def _form_page(
    request: WorkspaceRequest,
    form: WebhookForm,
    subscription: WebhookSubscription | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "subscription": subscription}
    return render(request, "webhooks/form.html", context, status=status)


@workspace_view("integrations.manage")
def webhook_create(request: WorkspaceRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, WebhookForm())
    form = WebhookForm(request.POST)
    subscription = submit(
        form,
        lambda data: services.webhook_subscription_create(
            workspace=request.workspace, created_by=request.user, **data
        ),
    )
    if subscription is not None:
        messages.success(
            request,
            _("The webhook is on. Copy its signing secret to the receiver to verify requests."),
        )
        return redirect("webhook-detail", request.workspace.slug, subscription.pk)
    return _form_page(request, form, status=invalid_status(request))


@workspace_view("integrations.manage")
def webhook_edit(request: WorkspaceRequest, subscription_id: int) -> HttpResponse:
    subscription = access_subscription(workspace=request.workspace, subscription_id=subscription_id)
    if request.method != "POST":
        initial = {
            "url": subscription.url,
            "events": subscription.events,
            "description": subscription.description,
        }
        return _form_page(request, WebhookForm(initial=initial), subscription)
    form = WebhookForm(request.POST)
    saved = submit(
        form,
        lambda data: services.webhook_subscription_update(
            workspace=request.workspace, subscription=subscription, updated_by=request.user, **data
        ),
    )
    if saved is not None:
        messages.success(request, _("The webhook was saved."))
        return redirect("webhook-detail", request.workspace.slug, subscription.pk)
    return _form_page(request, form, subscription, status=invalid_status(request))


@workspace_view("integrations.manage")
def webhook_detail(request: WorkspaceRequest, subscription_id: int) -> HttpResponse:
    subscription = access_subscription(workspace=request.workspace, subscription_id=subscription_id)
    deliveries = selectors.deliveries(workspace=request.workspace, subscription=subscription)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription,
        "page": page,
        "event_labels": EVENTS,
    }
    return render(request, "webhooks/detail.html", context)


@require_POST
@workspace_view("integrations.manage")
def webhook_rotate(request: WorkspaceRequest, subscription_id: int) -> HttpResponse:
    subscription = access_subscription(workspace=request.workspace, subscription_id=subscription_id)
    services.webhook_secret_rotate(
        workspace=request.workspace, subscription=subscription, rotated_by=request.user
    )
    messages.success(
        request,
        _("A new signing secret is in use. For a day, requests carry a signature with the old "
          "one too, so the receiver can switch over."),
    )  # fmt: skip
    return redirect("webhook-detail", request.workspace.slug, subscription.pk)


@require_POST
@workspace_view("integrations.manage")
def webhook_enable(request: WorkspaceRequest, subscription_id: int) -> HttpResponse:
    subscription = access_subscription(workspace=request.workspace, subscription_id=subscription_id)
    services.webhook_subscription_enable(
        workspace=request.workspace, subscription=subscription, enabled_by=request.user
    )
    messages.success(request, _("The webhook is on again; waiting deliveries are being sent."))
    return redirect("webhook-detail", request.workspace.slug, subscription.pk)


@require_POST
@workspace_view("integrations.manage")
def webhook_disable(request: WorkspaceRequest, subscription_id: int) -> HttpResponse:
    subscription = access_subscription(workspace=request.workspace, subscription_id=subscription_id)
    services.webhook_subscription_disable(
        workspace=request.workspace, subscription=subscription, disabled_by=request.user
    )
    messages.success(request, _("The webhook is off. New events wait until it is on again."))
    return redirect("webhook-detail", request.workspace.slug, subscription.pk)


@require_POST
@workspace_view("integrations.manage")
def webhook_replay(
    request: WorkspaceRequest, subscription_id: int, delivery_id: int
) -> HttpResponse:
    subscription = access_subscription(workspace=request.workspace, subscription_id=subscription_id)
    delivery = access_delivery(
        workspace=request.workspace, subscription=subscription, delivery_id=delivery_id
    )
    if act(
        request,
        lambda: services.webhook_delivery_replay(
            workspace=request.workspace, delivery=delivery, replayed_by=request.user
        ),
    ):
        messages.success(request, _("The event is queued to be sent again, with the same id."))
    return redirect("webhook-detail", request.workspace.slug, subscription.pk)
