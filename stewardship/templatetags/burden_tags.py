"""The burden ledger's panel on a cycle's page (`{% learning_time_panel cycle %}`): the time the
cycle gives to learning and how many things it stopped doing to make room. Two queries."""

from __future__ import annotations

from typing import Any

from django import template

from cycles.models import Cycle
from stewardship.burden import selectors

register = template.Library()


@register.inclusion_tag("stewardship/burden/_cycle_panel.html", takes_context=True)
def learning_time_panel(context: dict[str, Any], cycle: Cycle) -> dict[str, Any]:
    workspace = context["workspace"]
    time, stopped = selectors.panel(workspace=workspace, cycle=cycle)
    return {"workspace": workspace, "cycle": cycle, "time": time, "stopped": stopped}
