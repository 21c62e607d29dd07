"""The barriers panel of a cycle's page, and how long a barrier has waited."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

from cycles.barriers import selectors
from cycles.models import BarrierRoute
from cycles.trust import Trust
from hls.tenancy.permissions import can

register = template.Library()


@register.inclusion_tag("cycles/barriers/_panel_body.html", takes_context=True)
def barrier_panel(context: template.Context) -> dict[str, Any]:
    """Constant queries: counts by state, the latest raised barriers, enablers both ways."""
    cycle, workspace = context["cycle"], context["workspace"]
    user, membership = context["user"], context.get("membership")
    panel = selectors.cycle_panel(
        workspace=workspace, user=user, cycle=cycle, trust=context["trust"]
    )
    return {
        "panel": panel,
        "cycle": cycle,
        "workspace": workspace,
        "trust": context["trust"],
        "can_add_enabler": panel.is_member and can(membership, "cycles.manage"),
    }


@register.filter
def raiser_label(route: BarrierRoute, trust: Trust) -> str:
    """Who raised (or passed up) this route: the person inside its raising cycle, the cycle's
    name outside it (cycles.trust)."""
    if route.raised_by is not None and trust.inside(route.from_cycle):
        return route.raised_by.display_name
    return trust.cycle_name(route.from_cycle)


@register.filter
def waited(route: BarrierRoute) -> str:
    """ "waiting 12 days" for an open barrier; "waited 3 days" for one answered as closed (until
    its latest answer)."""
    if route.state in selectors.OPEN_STATES:
        days = (timezone.now() - route.raised_at).days
        return ngettext("waiting %(n)d day", "waiting %(n)d days", days) % {"n": days}
    end = getattr(route, "latest_at", None) or route.updated_at
    days = (end - route.raised_at).days
    return ngettext("waited %(n)d day", "waited %(n)d days", days) % {"n": days}
