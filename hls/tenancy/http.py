from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from hls.accounts.models import User
from hls.tenancy.models import Membership, Workspace


class AuthenticatedRequest(HttpRequest):
    """The type of a request in a view that requires sign-in."""

    user: User
    htmx: HtmxDetails


class WorkspaceRequest(AuthenticatedRequest):
    """The type of a request under /w/<slug>/, after TenancyMiddleware has resolved it."""

    workspace: Workspace
    membership: Membership


def invalid_status(request: AuthenticatedRequest) -> int:
    """The status of a form re-shown with its errors: 422 for htmx (which swaps it in, see
    base.html's htmx config), 400 for a plain request."""
    return 422 if request.htmx else 400
