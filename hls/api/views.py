"""Workspace admins' page for partner API keys: create (the secret is shown once), revoke."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hls.api import selectors, services
from hls.api.access import access_api_key
from hls.api.forms import ApiKeyForm
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status


def _page(
    request: WorkspaceRequest,
    form: ApiKeyForm | None = None,
    *,
    new_secret: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "keys": selectors.api_keys(workspace=request.workspace),
        "form": form or ApiKeyForm(),
        "new_secret": new_secret,
        "now": timezone.now(),
    }
    return render(request, "api/keys.html", context, status=status)


@workspace_view("integrations.manage")
def api_keys(request: WorkspaceRequest) -> HttpResponse:
    return _page(request)


@require_POST
@workspace_view("integrations.manage")
def api_key_create(request: WorkspaceRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    created = submit(
        form,
        lambda data: services.api_key_create(
            workspace=request.workspace,
            created_by=request.user,
            name=data["name"],
            scopes=data["scopes"],
            expires_at=(
                dt.datetime.combine(data["expires_on"], dt.time.min, tzinfo=dt.UTC)
                if data["expires_on"]
                else None
            ),
        ),
        fields={"expires_at": "expires_on"},
    )
    if created is not None:
        _key, secret = created
        return _page(request, new_secret=secret)
    return _page(request, form, status=invalid_status(request))


@require_POST
@workspace_view("integrations.manage")
def api_key_revoke(request: WorkspaceRequest, key_id: int) -> HttpResponse:
    key = access_api_key(workspace=request.workspace, key_id=key_id)
    services.api_key_revoke(workspace=request.workspace, key=key, revoked_by=request.user)
    messages.success(request, _("The key %(prefix)s… was revoked.") % {"prefix": key.prefix})
    return redirect("api-keys", request.workspace.slug)
