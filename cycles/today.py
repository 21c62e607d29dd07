"""What the cycles put on the member's Today page (hls.notices.add_today_section).

Each provider reads through this area's selectors, for what the member actually has (the
cycles they are inside, by cycles.trust's "works in"; the experiments they own; the questions
they asked), not by role name alone, and returns None when it has nothing, so the section is
not shown. Each costs a constant number of queries. Nothing here counts per person or compares
anyone: a number is only ever "how many new entries in a cycle you are inside".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from cycles import selectors
from cycles.barriers.selectors import answers_to_raised, barriers_to_answer
from cycles.experiments.selectors import experiments_to_tend
from cycles.models import EntryDraft
from cycles.patterns.selectors import (
    cycles_with_patterns,
    may_ask_back,
    new_shared_from_below,
    questions_asked_by,
    questions_waiting_in,
)
from cycles.trust import request_trust
from hls import notices
from hls.tenancy.permissions import can

LIMIT = selectors.TODAY_LIMIT

# The order on the page (hls.notices.TodaySection.order): soonest to act on first.
ORDER_EXPERIMENTS = 20
ORDER_QUESTIONS_BACK = 30
ORDER_BARRIERS = 40
ORDER_ASKED = 60
ORDER_PATTERNS = 65
ORDER_CYCLES = 80
ORDER_DRAFTS = 90


def _first(items: Any) -> tuple[list[Any], bool]:
    """The first LIMIT items, and whether there are more (one query: LIMIT + 1 rows)."""
    found = list(items[: LIMIT + 1])
    return found[:LIMIT], len(found) > LIMIT


def _listed(template: str, found: Any, order: int) -> notices.TodaySection | None:
    """A section of one list (its first LIMIT items, and whether there are more), or None."""
    items, more = _first(found)
    if not items:
        return None
    return notices.TodaySection(template, {"items": items, "more": more}, order)


def today_experiments(request: Any) -> notices.TodaySection | None:
    """My running experiments: check in on them; past their end date, decide."""
    return _listed(
        "cycles/today_experiments.html",
        experiments_to_tend(workspace=request.workspace, user=request.user),
        ORDER_EXPERIMENTS,
    )


def today_questions_back(request: Any) -> notices.TodaySection | None:
    """Questions sent back to the cycles I am inside, not answered yet (for those who may answer:
    cycles.patterns.selectors.may_answer)."""
    systems = request_trust(request).systems
    if not systems or not can(request.membership, "entries.create"):
        return None
    return _listed(
        "cycles/today_questions_back.html",
        questions_waiting_in(workspace=request.workspace, user=request.user, system_ids=systems),
        ORDER_QUESTIONS_BACK,
    )


def today_barriers(request: Any) -> notices.TodaySection | None:
    """Barriers waiting in the cycles I hold (if my role answers them), and answers of the last
    week to barriers my cycles raised."""
    systems = request_trust(request).systems
    if not systems:
        return None
    workspace = request.workspace
    waiting, more_waiting = _first(
        barriers_to_answer(
            workspace=workspace,
            user=request.user,
            role=request.membership.role,
            system_ids=systems,
        )
    )
    answered, more_answered = _first(
        answers_to_raised(
            workspace=workspace,
            user=request.user,
            system_ids=systems,
            since=selectors.today_since(),
        )
    )
    if not waiting and not answered:
        return None
    return notices.TodaySection(
        "cycles/today_barriers.html",
        {
            "waiting": waiting,
            "more_waiting": more_waiting,
            "answered": answered,
            "more_answered": more_answered,
        },
        ORDER_BARRIERS,
    )


def today_asked(request: Any) -> notices.TodaySection | None:
    """The questions I sent back to context, with each cycle's answers."""
    if not may_ask_back(request.membership):
        return None
    return _listed(
        "cycles/today_asked.html",
        questions_asked_by(workspace=request.workspace, user=request.user),
        ORDER_ASKED,
    )


def today_patterns(request: Any) -> notices.TodaySection | None:
    """The patterns of the cycles I hold that have cycles below, and the stories shared upward
    from below in the last week (those I may see)."""
    systems = request_trust(request).systems
    if not systems:
        return None
    workspace = request.workspace
    cycles = list(cycles_with_patterns(workspace=workspace, system_ids=systems))
    if not cycles:
        return None
    stories, more = _first(
        new_shared_from_below(
            workspace=workspace,
            user=request.user,
            system_ids=systems,
            since=selectors.today_since(),
        )
    )
    return notices.TodaySection(
        "cycles/today_patterns.html",
        {"cycles": cycles, "stories": stories, "more": more},
        ORDER_PATTERNS,
    )


def today_cycles(request: Any) -> notices.TodaySection | None:
    """The cycles I am inside, and what others logged in them in the last week."""
    systems = request_trust(request).systems
    if not systems:
        return None
    cycles = list(
        selectors.cycles_held_with_news(
            workspace=request.workspace,
            user=request.user,
            system_ids=systems,
            since=selectors.today_since(),
        )
    )
    if not cycles:
        return None
    return notices.TodaySection(
        "cycles/today_cycles.html",
        {"cycles": cycles, "days": selectors.TODAY_NEW_DAYS},
        ORDER_CYCLES,
    )


def today_drafts(request: Any) -> notices.TodaySection | None:
    """What I started typing and have not saved yet (quick capture, a timeline, a check-in, an
    edit), each opening the form it came from."""
    if not can(request.membership, "entries.create"):
        return None
    items, more = _first(selectors.drafts_of(workspace=request.workspace, user=request.user))
    if not items:
        return None
    return notices.TodaySection(
        "cycles/today_drafts.html",
        {
            "items": [
                draft_item(draft, slug=request.workspace.slug, back=request.get_full_path())
                for draft in items
            ],
            "more": more,
        },
        ORDER_DRAFTS,
    )


def draft_item(draft: EntryDraft, *, slug: str, back: str) -> dict[str, Any]:
    """A draft and the form that picks it up again, from the form's key (cycles.views'
    `_draft_key`: "capture", "cycle-<id>", "experiment-<id>", "entry-<id>")."""
    kind, _sep, number = draft.key.partition("-")
    log = reverse("entry-create", args=[slug])
    if kind == "experiment" and number.isdigit():
        url = f"{log}?{urlencode({'experiment': number, 'next': back})}"
    elif kind == "cycle" and number.isdigit():
        url = reverse("cycle-timeline", args=[slug, int(number)]) + "#entry-create"
    elif kind == "entry" and number.isdigit():
        url = reverse("entry-edit", args=[slug, int(number)])
    else:
        url = f"{log}?{urlencode({'next': back})}"
    return {"draft": draft, "text": str(draft.data.get("text", "")), "url": url}


def connect() -> None:
    """Add the cycles' sections to Today (called when the app is ready)."""
    for provider in (
        today_experiments,
        today_questions_back,
        today_barriers,
        today_asked,
        today_patterns,
        today_cycles,
        today_drafts,
    ):
        notices.add_today_section(provider)
