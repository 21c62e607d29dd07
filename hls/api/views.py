"""Workspace admins' page for partner API keys: create (the secret is shown once), revoke."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hls.api import selectors, services
from hls.api.access import access_api_key
from hls.api.forms import ApiKeyForm
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
    if form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            dt.datetime.combine(expires_on, dt.time.min, tzinfo=dt.UTC) if expires_on else None
        )
        try:
            _key, secret = services.api_key_create(
                workspace=request.workspace,
                created_by=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        except ValidationError as error:
            if "expires_at" in error.message_dict:
                error = ValidationError({"expires_on": error.message_dict.pop("expires_at")})
            form.add_error(None, error)
        else:
            return _page(request, new_secret=secret)
    return _page(request, form, status=invalid_status(request))


@require_POST
@workspace_view("integrations.manage")
def api_key_revoke(request: WorkspaceRequest, key_id: int) -> HttpResponse:
    key = access_api_key(workspace=request.workspace, key_id=key_id)
    services.api_key_revoke(workspace=request.workspace, key=key, revoked_by=request.user)
    messages.success(request, _("The key %(prefix)s… was revoked.") % {"prefix": key.prefix})
    return redirect("api-keys", request.workspace.slug)
