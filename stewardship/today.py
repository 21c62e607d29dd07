"""What stewardship puts on the member's Today page (hls.notices.add_today_section): the next
sense-making meetings (those the member facilitates or is invited to; for stewards, the place
cycles' with their agenda), who may be missing or not yet heard in the place cycles, and draft
learning reports. The barrier notifications' section is in notifications/barriers.py.

Each provider reads through this area's selectors, returns None when it has nothing (the section
is not shown) and costs a constant number of queries.
"""

from __future__ import annotations

from typing import Any

from hls import notices
from hls.tenancy.permissions import can
from stewardship.reports.selectors import report_drafts_for
from stewardship.sessions.selectors import TODAY_DAYS, is_overseer, next_meetings_for
from stewardship.setup.selectors import participation_gaps

LIMIT = 5

ORDER_SESSIONS = 10
ORDER_PARTICIPATION = 70
ORDER_REPORTS = 75


def today_sessions(request: Any) -> notices.TodaySection | None:
    """The next meetings: to facilitate, to take part in, and (stewards) the place cycles'."""
    meetings = next_meetings_for(
        workspace=request.workspace, membership=request.membership, user=request.user
    )
    if not meetings:
        return None
    return notices.TodaySection(
        "stewardship/today_sessions.html",
        {"meetings": meetings[:LIMIT], "more": len(meetings) > LIMIT, "days": TODAY_DAYS},
        ORDER_SESSIONS,
    )


def today_participation(request: Any) -> notices.TodaySection | None:
    """For those who steward: who may be missing from each place cycle, who is not yet heard."""
    if not is_overseer(request.membership):
        return None
    gaps = participation_gaps(workspace=request.workspace)
    if not gaps:
        return None
    return notices.TodaySection(
        "stewardship/today_participation.html", {"gaps": gaps[:LIMIT]}, ORDER_PARTICIPATION
    )


def today_reports(request: Any) -> notices.TodaySection | None:
    """Learning reports still in draft: every one for those who steward, else the member's own."""
    membership = request.membership
    if not can(membership, "reports.contribute"):
        return None
    drafts = list(
        report_drafts_for(
            workspace=request.workspace, user=request.user, every=is_overseer(membership)
        )[: LIMIT + 1]
    )
    if not drafts:
        return None
    return notices.TodaySection(
        "stewardship/today_reports.html",
        {"drafts": drafts[:LIMIT], "more": len(drafts) > LIMIT},
        ORDER_REPORTS,
    )


def connect() -> None:
    """Add stewardship's sections to Today (called when the app is ready)."""
    for provider in (today_sessions, today_participation, today_reports):
        notices.add_today_section(provider)
