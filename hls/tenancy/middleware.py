import re
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from hls.accounts.selectors import two_factor_confirmed
from hls.tenancy.context import scope_to_workspace, tenant_scope
from hls.tenancy.permissions import two_factor_required
from hls.tenancy.selectors import membership_for_slug

WORKSPACE_PATH = re.compile(r"^/w/(?P<slug>[-\w]+)/")


def _two_factor_set_up_first(request: HttpRequest) -> HttpResponse:
    """Send the member to set up two-step sign-in (the page says which workspace asks for it),
    and back to the page they asked for afterwards."""
    url = reverse("two-factor-setup") + "?" + urlencode({"next": request.get_full_path()})
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class TenancyMiddleware:
    """Runs each request in one transaction scoped to its user and, under `/w/<slug>/`, to the
    workspace, after checking the membership. Unknown slug or no membership: 404 alike. A member
    whose workspace requires two-step sign-in of their role, and who has not set it up, is sent
    to set it up first (the one place that rule is checked: every workspace page passes here;
    the API, with its keys, does not)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        match = WORKSPACE_PATH.match(request.path_info)
        user = request.user
        if match and not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        with tenant_scope(user_id=user.pk if user.is_authenticated else None):
            if match:
                membership = membership_for_slug(user=user, slug=match["slug"])  # type: ignore[arg-type]
                if membership is None:
                    raise Http404
                scope_to_workspace(membership.workspace_id)
                if two_factor_required(membership) and not two_factor_confirmed(
                    user=user  # type: ignore[arg-type]
                ):
                    return _two_factor_set_up_first(request)
                request.workspace = membership.workspace  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
            return self.get_response(request)
