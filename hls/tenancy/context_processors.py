from typing import Any

from django.http import HttpRequest

from hls.tenancy.permissions import can


def tenancy(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "can_invite": can(membership, "members.invite"),
        "can_manage_members": can(membership, "members.manage"),
    }
