"""The links panel on a cycle page (links, learnt nearby, adapted designs) and the "adapted from"
note for an experiment. Each costs a constant number of queries, whatever the data's size."""

from typing import Any

from django import template

from cycles.links import selectors
from cycles.models import Cycle, Experiment
from cycles.trust import request_may_steer
from hls.tenancy.permissions import can

register = template.Library()


@register.inclusion_tag("cycles/links/_panel_body.html", takes_context=True)
def links_panel(context: template.Context, cycle: Cycle) -> dict[str, Any]:
    request = context["request"]
    workspace, user = request.workspace, request.user
    membership = getattr(request, "membership", None)
    peers = selectors.peer_ids(workspace=workspace, cycle=cycle)
    limit = selectors.NEARBY_LIMIT
    nearby_entries = (
        list(
            selectors.nearby_entries(workspace=workspace, user=user, cycle=cycle, peers=peers)[
                :limit
            ]
        )
        if peers
        else []
    )
    nearby_experiments = (
        list(selectors.nearby_experiments(workspace=workspace, cycle=cycle, peers=peers)[:limit])
        if peers
        else []
    )
    return {
        "request": request,
        "workspace": workspace,
        "cycle": cycle,
        "links": selectors.links_of(workspace=workspace, cycle=cycle),
        "can_link": selectors.may_manage_links(
            workspace=workspace, membership=membership, user=user, cycle=cycle
        ),
        "nearby_entries": nearby_entries,
        "nearby_experiments": nearby_experiments,
        "adapted": list(
            selectors.adapted_designs(workspace=workspace, cycle=cycle)[: selectors.NEARBY_LIMIT]
        ),
        "can_ask": can(membership, "entries.create"),
        "can_copy": request_may_steer(request, cycle),
    }


@register.inclusion_tag("cycles/links/_adapted_from.html", takes_context=True)
def adapted_from(context: template.Context, experiment: Experiment) -> dict[str, Any]:
    """ "Adapted from <experiment> in <cycle>", for an experiment's page (one query at most)."""
    source = None
    if experiment.copied_from_id is not None:
        source = (
            Experiment.objects.select_related(
                "cycle__system__scale", "cycle__system__parent__scale"
            )
            .filter(workspace=context["request"].workspace, pk=experiment.copied_from_id)
            .first()
        )
    return {
        "source": source,
        "workspace": context["request"].workspace,
        "trust": context.get("trust"),
    }
