import re
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from hls.tenancy.context import scope_to_workspace, tenant_scope
from hls.tenancy.selectors import membership_for_slug

WORKSPACE_PATH = re.compile(r"^/w/(?P<slug>[-\w]+)/")


class TenancyMiddleware:
    """Runs each request in one transaction scoped to its user and, under `/w/<slug>/`, to the
    workspace, after checking the membership. Unknown slug or no membership: 404 alike."""

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
                request.workspace = membership.workspace  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
            return self.get_response(request)
