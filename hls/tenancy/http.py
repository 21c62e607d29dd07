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
