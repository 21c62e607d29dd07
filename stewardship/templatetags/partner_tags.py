"""The heads-up panel on a cycle's page (`{% heads_up_panel cycle %}`): the open heads-ups the
member may read and, for a learning partner inside the cycle, where to leave one. One query;
shown only to those who may read or write the cycle's heads-ups (stewardship/partners/access.py).
"""

from __future__ import annotations

from typing import Any

from django import template

from cycles.models import Cycle
from cycles.trust import request_trust
from stewardship.partners import selectors

register = template.Library()


@register.inclusion_tag("stewardship/partners/_cycle_panel.html", takes_context=True)
def heads_up_panel(context: dict[str, Any], cycle: Cycle) -> dict[str, Any]:
    request = context["request"]
    workspace = context["workspace"]
    panel = selectors.panel(
        workspace=workspace,
        membership=request.membership,
        trust=request_trust(request),
        cycle=cycle,
    )
    return {"workspace": workspace, "cycle": cycle, "panel": panel}
