"""Barrier notices (hls.notices) become notifications: in the centre, on Today and by email.

Who hears of what (the rule of the barrier relay, cycles/barriers/selectors.py):
- **Those who must act**: who may answer in the receiving cycle (`answerers_of`), when a
  barrier is raised to it or passed up to it.
- **Those waiting**: at every level below, the one who raised it and the raising cycle's
  members (`waiting_on`), when it is raised, answered or passed further up.
Nobody hears of their own act, and someone both acting and waiting hears once, as one who acts.

Each notice becomes one outbox row (`Reminder`) per recipient, written in the transaction of
the raise or answer itself, with a key naming the event and the recipient
(`barrier:<route>:landed:<who>`, `barrier-answer:<answer>:<who>`): a repeat writes nothing, and
the dispatcher delivers each row once, under the recipient's preferences (quiet hours, pause,
daily digest). Messages name cycles and link to the barrier's page; the barrier's text and the
answers' text stay in the app.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cycles.barriers.selectors import answerers_of, waiting_on
from cycles.models import BarrierRoute
from hls import notices
from hls.tenancy.models import Workspace
from stewardship.models import Reminder
from stewardship.notifications.planning import who
from stewardship.notifications.selectors import unread_barrier_notifications

Kind = Reminder.Kind
ACT, WAIT = "act", "wait"


def _row(
    *,
    workspace_id: int,
    key: str,
    kind: str,
    user_id: int,
    route: BarrierRoute,
    payload: dict[str, Any],
    now: Any,
) -> Reminder:
    return Reminder(
        workspace_id=workspace_id,
        key=key,
        kind=kind,
        recipient_id=user_id,
        due_at=now,
        barrier_route=route,
        payload=payload,
    )


def barrier_notice(notice: notices.Notice) -> int:
    """Write the outbox rows for one barrier notice; returns how many it wanted (those
    already written by an earlier run are left as they are)."""
    route = (
        BarrierRoute.objects.select_related("workspace", "from_cycle", "to_cycle")
        .filter(workspace_id=notice.workspace_id, pk=notice.object_id)
        .first()
    )
    if route is None:
        return 0
    workspace: Workspace = route.workspace
    now = timezone.now()
    response_id = notice.data.get("response")
    rows: list[Reminder] = []
    told: set[int] = set()
    if notice.actor_id is not None:
        told.add(notice.actor_id)

    # Those who must act: the barrier landed in their cycle (raised, or passed up to it).
    if notice.event in (notices.BARRIER_RAISED, notices.BARRIER_PASSED_UP):
        kind = Kind.BARRIER_RAISED if notice.event == notices.BARRIER_RAISED else (
            Kind.BARRIER_PASSED_UP
        )  # fmt: skip
        for user_id in answerers_of(workspace=workspace, cycle=route.to_cycle).values_list(
            "pk", flat=True
        ):
            if user_id in told:
                continue
            told.add(user_id)
            rows.append(
                _row(
                    workspace_id=workspace.pk,
                    key=f"barrier:{route.pk}:landed:{who(user_id=user_id)}",
                    kind=kind,
                    user_id=user_id,
                    route=route,
                    payload={"role": ACT},
                    now=now,
                )
            )

    # Those waiting: below the level that acted.
    if notice.event == notices.BARRIER_RAISED:
        waiting, kind, about = route, Kind.BARRIER_RAISED, f"barrier:{route.pk}:landed"
        payload: dict[str, Any] = {"role": WAIT, "raised": route.pk}
    elif response_id is not None:
        answered = route.passed_from if notice.event == notices.BARRIER_PASSED_UP else route
        if answered is None:
            return _write(rows)
        waiting, about = answered, f"barrier-answer:{response_id}"
        if notice.event == notices.BARRIER_PASSED_UP:
            kind = Kind.BARRIER_PASSED_UP
            payload = {"role": WAIT, "response": response_id, "passed": route.pk}
        else:
            kind = Kind.BARRIER_ANSWERED
            payload = {"role": WAIT, "response": response_id, "state": route.state}
        payload["answered"] = answered.pk
    else:
        return _write(rows)
    for user_id, level in waiting_on(workspace=workspace, route=waiting).items():
        if user_id in told:
            continue
        told.add(user_id)
        rows.append(
            _row(
                workspace_id=workspace.pk,
                key=f"{about}:{who(user_id=user_id)}",
                kind=kind,
                user_id=user_id,
                route=level,
                payload=payload,
                now=now,
            )
        )
    return _write(rows)


def _write(rows: list[Reminder]) -> int:
    from stewardship.notifications.services import queue_dispatch

    if not rows:
        return 0
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    queue_dispatch()
    return len(rows)


def connect() -> None:
    """Subscribe to the barrier notices (called when the app is ready)."""
    for event in (notices.BARRIER_RAISED, notices.BARRIER_ANSWERED, notices.BARRIER_PASSED_UP):
        notices.subscribe(event, barrier_notice)
    notices.add_today_section(today_barriers)


# Today ----------------------------------------------------------------------------------------

TODAY_LIMIT = 5


def today_barriers(request: Any) -> notices.TodaySection | None:
    """Barriers that wait for the member's answer, or whose answers they wait for (unread
    notifications): one query."""
    items = list(
        unread_barrier_notifications(workspace=request.workspace, user=request.user)[
            : TODAY_LIMIT + 1
        ]
    )
    if not items:
        return None
    return notices.TodaySection(
        template="stewardship/notifications/_today_barriers.html",
        context={"items": items[:TODAY_LIMIT], "more": len(items) > TODAY_LIMIT},
    )
