"""Writes for the barrier relay and enablers. Keyword-only, typed, atomic.

Rules (see selectors.py for who sees what):
- Only a barrier entry is raised, only to a cycle above its cycle (directly, or further up by
  choice: any cycle whose `cycle_ids_below` holds it), only while it is shared upward (raising
  widens nothing: the author widens it first, within the person's consent), and never twice to
  the same cycle while a route there is open.
- Answers move a route to any state but "raised"; "changed" needs what changed, "cannot change
  here" needs why, and may pass the barrier further up (a new route with `passed_from`).
- Raising, answering and passing up publish a notice (hls.notices) in the same transaction;
  stewardship's notifications turn it into outbox rows, one per recipient and event (their
  idempotency keys make a repeat write nothing), delivered in the notification centre, on
  Today and by email under each person's preferences. Who hears: those who may answer in the
  receiving cycle (`selectors.answerers_of`) and those waiting (`selectors.waiting_on`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.barriers import selectors
from cycles.connections import cycle_ids_below
from cycles.models import BarrierResponse, BarrierRoute, Cycle, Enabler, EnablerTarget, Entry
from hls import notices
from hls.accounts.models import User
from hls.audit.services import audit_record
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from hls.tenancy.permissions import can
from hls.webhooks.services import webhook_emit


def _publish(event: str, *, route: BarrierRoute, actor: User, **data: int) -> None:
    notices.publish(
        notices.Notice(
            event=event,
            workspace_id=route.workspace_id,
            object_id=route.pk,
            actor_id=actor.pk,
            data=data,
        )
    )


def _check_shared_upward(entry: Entry) -> None:
    if entry.is_shared_upward:
        return
    if entry.consent_blocks_sharing_upward:
        raise ValidationError(
            {
                "to_cycle": _(
                    "This barrier is about someone whose consent does not reach the cycles "
                    "above. Share it upward first, within the person's consent: ask them, or "
                    "log the barrier again without details about them."
                )
            }
        )
    raise ValidationError(
        {
            "to_cycle": _(
                "Only you and the people near you can see this barrier. Share it upward first "
                "(edit it and choose “Shared upward”), within the person's consent; then raise it."
            )
        }
    )


def _check_no_open_route(*, workspace: Workspace, entry: Entry, to_cycle: Cycle) -> None:
    if BarrierRoute.objects.filter(
        workspace=workspace, entry=entry, to_cycle=to_cycle, state__in=selectors.OPEN_STATES
    ).exists():
        raise ValidationError(
            {
                "to_cycle": _("This barrier is already waiting in %(cycle)s's inbox.")
                % {"cycle": to_cycle.name}
            }
        )


@transaction.atomic
def barrier_raise(
    *, workspace: Workspace, entry: Entry, to_cycle: Cycle, raised_by: User
) -> BarrierRoute:
    """Send a barrier entry from its cycle to a cycle above. Widens nothing."""
    entry = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("cycle", "person")
        .get(workspace=workspace, pk=entry.pk)
    )
    if entry.kind != Entry.Kind.BARRIER or entry.deleted_at is not None:
        raise ValidationError(
            {"to_cycle": _("Only a barrier can be raised. Log it as a barrier first.")}
        )
    if entry.author_id != raised_by.pk and not selectors.is_cycle_member(
        workspace=workspace, user=raised_by, cycle=entry.cycle
    ):
        raise PermissionDenied(
            _("Only its author and those who take part in %(cycle)s can raise this barrier.")
            % {"cycle": entry.cycle.name}
        )
    if to_cycle.workspace_id != workspace.pk or entry.cycle_id not in cycle_ids_below(
        workspace=workspace, cycle=to_cycle
    ):
        raise ValidationError(
            {"to_cycle": _("Choose a cycle above %(cycle)s.") % {"cycle": entry.cycle.name}}
        )
    _check_shared_upward(entry)
    _check_no_open_route(workspace=workspace, entry=entry, to_cycle=to_cycle)
    route = BarrierRoute.objects.create(
        workspace=workspace,
        entry=entry,
        from_cycle=entry.cycle,
        to_cycle=to_cycle,
        raised_by=raised_by,
    )
    audit_record(workspace=workspace, actor=raised_by, action="barrier.raised", target=route)
    _publish(notices.BARRIER_RAISED, route=route, actor=raised_by)
    webhook_emit(
        workspace=workspace,
        event="barrier.raised",
        resource="barrier",
        object_id=route.pk,
        data={"entry": entry.pk, "from_cycle": route.from_cycle_id, "to_cycle": route.to_cycle_id},
    )
    return route


def answer_words(response: BarrierResponse) -> str:
    """One answer as the conflict shows it: its state, who and when, and what was said."""
    head = " · ".join(
        part
        for part in (
            str(response.get_state_display()),
            response.responded_by.display_name if response.responded_by else "",
            timezone.localtime(response.responded_at).strftime("%d %b %Y, %H:%M"),
        )
        if part
    )
    return f"{head}\n{response.text}" if response.text else head


def _require_no_answer_since(route: BarrierRoute, *, revision: int) -> None:
    """The answers given since `revision` (each raised it by one), or none if it is current."""
    since = max(route.revision - revision, 0)
    answers = (
        list(
            BarrierResponse.objects.filter(workspace_id=route.workspace_id, route=route)
            .select_related("responded_by")
            .order_by("-responded_at", "-pk")[:since]
        )[::-1]
        if since
        else []
    )
    last = answers[-1] if answers else None
    require_current(
        route,
        revision=revision,
        fields=["state", "text"],
        values={"text": "\n\n".join(answer_words(a) for a in answers)},
        labels={"state": _("State"), "text": _("Answers")},
        saved_by=last.responded_by if last else None,
        saved_at=last.responded_at if last else None,
    )


ANSWER_STATES = [s for s in BarrierRoute.State.values if s != BarrierRoute.State.RAISED]


@transaction.atomic
def barrier_answer(
    *,
    workspace: Workspace,
    route: BarrierRoute,
    answered_by: Membership,
    state: str,
    text: str = "",
    pass_to: Cycle | None = None,
    revision: int | None = None,
) -> BarrierResponse:
    """Answer a barrier in the receiving cycle's inbox. Raises PermissionDenied for someone who
    may not answer, ValidationError (by field) for a bad answer; nothing is written then.

    Each answer is a new row, so no answer's text is lost; but an answer moves the barrier's
    state, so each raises the route's `revision`. `revision` is the one the answer form was
    opened at: if someone answered since, `EditConflict` (hls/conflicts.py) with the state now
    and the answers given since, and nothing is written."""
    route = lock_current(
        BarrierRoute,
        workspace=workspace,
        pk=route.pk,
        related=("to_cycle", "entry__person", "entry__cycle"),
        of=("self",),
    )
    if not selectors.may_answer(workspace=workspace, membership=answered_by, cycle=route.to_cycle):
        raise PermissionDenied(
            _(
                "Only managers, stewards and admins who take part in %(cycle)s can answer "
                "barriers raised to it."
            )
            % {"cycle": route.to_cycle.name}
        )
    if revision is not None and revision != route.revision:
        _require_no_answer_since(route, revision=revision)
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if state not in ANSWER_STATES:
        errors["state"] = _("Choose what is happening with this barrier.")
    elif state == BarrierRoute.State.CHANGED and not text:
        errors["text"] = _("Say what changed, so the cycle that raised it can see it.")
    elif state == BarrierRoute.State.CANNOT_CHANGE and not text:
        errors["text"] = _("Say why it cannot change here, so the cycle that raised it knows.")
    elif state == route.state and not text:
        errors["text"] = _(
            "It is already “%(state)s”. Say what is new, or choose another state."
        ) % {"state": route.get_state_display()}
    if pass_to is not None and state != BarrierRoute.State.CANNOT_CHANGE:
        errors["pass_to"] = _("A barrier is passed further up only when it cannot change here.")
    if errors:
        raise ValidationError(errors)
    if pass_to is not None:
        if pass_to.workspace_id != workspace.pk or route.to_cycle_id not in cycle_ids_below(
            workspace=workspace, cycle=pass_to
        ):
            raise ValidationError(
                {"pass_to": _("Choose a cycle above %(cycle)s.") % {"cycle": route.to_cycle.name}}
            )
        if route.entry.deleted_at is not None:
            raise ValidationError({"pass_to": _("Its author deleted this barrier.")})
        if not route.entry.is_shared_upward:
            raise ValidationError(
                {"pass_to": _("Its author no longer shares this barrier upward.")}
            )
        try:
            _check_no_open_route(workspace=workspace, entry=route.entry, to_cycle=pass_to)
        except ValidationError as error:
            raise ValidationError({"pass_to": error.message_dict["to_cycle"]}) from error

    response = BarrierResponse.objects.create(
        workspace=workspace, route=route, state=state, text=text, responded_by=answered_by.user
    )
    route.state = state
    route.revision = next_revision(route)
    route.save(update_fields=["state", "revision", "updated_at"])
    audit_record(
        workspace=workspace, actor=answered_by.user, action="barrier.answered", target=route,
        state=state,
    )  # fmt: skip
    if pass_to is not None:
        passed = BarrierRoute.objects.create(
            workspace=workspace,
            entry=route.entry,
            from_cycle=route.to_cycle,
            to_cycle=pass_to,
            passed_from=route,
            raised_by=answered_by.user,
        )
        audit_record(
            workspace=workspace, actor=answered_by.user, action="barrier.passed_up", target=passed
        )
        _publish(
            notices.BARRIER_PASSED_UP, route=passed, actor=answered_by.user, response=response.pk
        )
    else:
        _publish(
            notices.BARRIER_ANSWERED, route=route, actor=answered_by.user, response=response.pk
        )
    webhook_emit(
        workspace=workspace,
        event="barrier.answered",
        resource="barrier",
        object_id=route.pk,
        data={
            "entry": route.entry_id,
            "from_cycle": route.from_cycle_id,
            "to_cycle": route.to_cycle_id,
            "state": state,
        },
    )
    return response


def barrier_notify(*, workspace_id: int, route_id: int, state: str) -> None:
    """Announce again that a barrier landed (the task queued by earlier versions, still
    honoured for messages already in the broker). The notices' keys make this write nothing
    for anyone already told."""
    with tenant_scope(workspace_id=workspace_id):
        route = BarrierRoute.objects.filter(pk=route_id).first()
        if route is None or route.raised_by is None:
            return
        event = notices.BARRIER_PASSED_UP if route.passed_from_id else notices.BARRIER_RAISED
        _publish(event, route=route, actor=route.raised_by)


@transaction.atomic
def enabler_create(
    *,
    workspace: Workspace,
    cycle: Cycle,
    created_by: Membership,
    kind: str,
    text: str,
    barrier_route: BarrierRoute | None = None,
    for_cycles: Iterable[Cycle] = (),
) -> Enabler:
    """Record what `cycle` does to enable cycles below it: for a barrier in its inbox and/or for
    chosen cycles below it."""
    if not can(created_by, "cycles.manage") or not selectors.is_cycle_member(
        workspace=workspace, user=created_by.user, cycle=cycle
    ):
        raise PermissionDenied(
            _("Only those who take part in %(cycle)s can record what it does to enable others.")
            % {"cycle": cycle.name}
        )
    text = (text or "").strip()
    targets = list(for_cycles)
    errors: dict[str, str] = {}
    if kind not in Enabler.Kind.values:
        errors["kind"] = _("Choose what kind of enabler it is.")
    if not text:
        errors["text"] = _("Say what you are doing to enable them.")
    if barrier_route is not None and (
        barrier_route.workspace_id != workspace.pk or barrier_route.to_cycle_id != cycle.pk
    ):
        errors["barrier_route"] = _("Choose a barrier raised to this cycle.")
    below = cycle_ids_below(workspace=workspace, cycle=cycle) if targets else set()
    if any(target.pk not in below for target in targets):
        errors["for_cycles"] = _("Choose cycles below this one.")
    if errors:
        raise ValidationError(errors)
    enabler = Enabler.objects.create(
        workspace=workspace,
        cycle=cycle,
        kind=kind,
        text=text,
        barrier_route=barrier_route,
        created_by=created_by.user,
    )
    EnablerTarget.objects.bulk_create(
        [EnablerTarget(workspace=workspace, enabler=enabler, cycle=target) for target in targets]
    )
    audit_record(
        workspace=workspace, actor=created_by.user, action="enabler.created", target=enabler
    )
    return enabler
