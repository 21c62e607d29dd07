from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from hls.navigation import workspace_navigation
from hls.tenancy.permissions import can


def tenancy(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "can_invite": can(membership, "members.invite"),
        "can_manage_members": can(membership, "members.manage"),
        # the workspace navigation this member may use (hls/navigation.py), when a page shows it
        "workspace_nav": SimpleLazyObject(lambda: workspace_navigation(request)),
    }
