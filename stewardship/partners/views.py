"""Learning partners: their home across the cycles and places they support, and the heads-up
notes they leave a cycle's stewards. Who writes, reads and answers is decided in access.py (and
checked again by the services). Thin: parse, call one service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle
from cycles.models import Cycle
from cycles.trust import request_trust
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.models import Role
from stewardship.models import HeadsUp
from stewardship.partners import access, selectors, services
from stewardship.partners.forms import AnswerForm, HeadsUpForm

TEMPLATE = "stewardship/partners/heads_ups.html"


def _answer_form(item: HeadsUp, data: Any = None) -> AnswerForm:
    return AnswerForm(data, prefix=f"heads-up-{item.pk}")


def _page(
    request: WorkspaceRequest,
    cycle: Cycle,
    *,
    status: int = 200,
    form: HeadsUpForm | None = None,
    answering: tuple[int, AnswerForm] | None = None,
) -> HttpResponse:
    workspace, membership = request.workspace, request.membership
    trust = request_trust(request)
    items = selectors.cycle_heads_ups(
        workspace=workspace, membership=membership, trust=trust, cycle=cycle
    )
    reads_all = access.reads_all(
        workspace=workspace, membership=membership, trust=trust, cycle=cycle
    )
    may_write = access.may_write(membership=membership, trust=trust, cycle=cycle)
    if not (reads_all or may_write or items):
        raise PermissionDenied(
            _(
                "Heads-up notes are for the cycle's stewards and the learning partners it has "
                "invited."
            )
        )
    may_answer = reads_all and membership.role != Role.VIEWER
    open_items = [i for i in items if i.status == HeadsUp.Status.OPEN]
    # a refusal for a note no longer open (answered meanwhile, by another steward)
    refused: list[str] = []
    if answering is not None and not any(i.pk == answering[0] for i in open_items):
        refused = [str(e) for errors in answering[1].errors.values() for e in errors]
    context = {
        "cycle": cycle,
        "reads_all": reads_all,
        "may_write": may_write,
        "form": form or HeadsUpForm(),
        "open_items": [
            (
                item,
                (answering[1] if answering and answering[0] == item.pk else _answer_form(item))
                if may_answer
                else None,
            )
            for item in open_items
        ],
        "answered": [i for i in items if i.status == HeadsUp.Status.ANSWERED],
        "refused": refused,
    }
    return render(request, TEMPLATE, context, status=status)


@workspace_view()
def heads_ups(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """A cycle's heads-up notes as the member may read them; a partner inside writes one here."""
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if request.method != "POST":
        return _page(request, cycle)
    form = HeadsUpForm(request.POST)
    written = submit(
        form,
        lambda data: services.heads_up_write(
            workspace=workspace, cycle=cycle, user=request.user, text=data["text"]
        ),
    )
    if written is None:
        return _page(request, cycle, status=invalid_status(request), form=form)
    messages.success(request, _("Heads-up sent to the cycle's stewards."))
    return redirect("cycle-heads-ups", workspace.slug, cycle.pk)


@require_POST
@workspace_view()
def heads_up_answer(request: WorkspaceRequest, cycle_id: int, heads_up_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    item = access.access_heads_up(
        workspace=workspace, membership=request.membership, trust=request_trust(request),
        cycle=cycle, heads_up_id=heads_up_id,
    )  # fmt: skip
    form = _answer_form(item, request.POST)
    answered = submit(
        form,
        lambda data: services.heads_up_answer(
            workspace=workspace, heads_up=item, user=request.user, answer=data["answer"]
        ),
    )
    if answered is None:
        return _page(request, cycle, status=invalid_status(request), answering=(item.pk, form))
    messages.success(request, _("Answered. The partner who wrote it can read your answer."))
    return redirect("cycle-heads-ups", workspace.slug, cycle.pk)


@workspace_view("partners.home")
def partner_home(request: WorkspaceRequest) -> HttpResponse:
    """The signed-in learning partner's home: the cycles and places it supports, the meetings
    it facilitates, open questions in those cycles, its heads-ups and the method runs it is in."""
    home = selectors.home(
        workspace=request.workspace, membership=request.membership, user=request.user,
        trust=request_trust(request),
    )  # fmt: skip
    return render(request, "stewardship/partners/home.html", {"home": home})
