"""A webhook turned off (hls.notices `WEBHOOK_DISABLED`) becomes an item in each told admin's
notification centre. The core (hls/webhooks/services.py `tell_admins_disabled`) decides who is
told and what they read, and emails them itself; this writes the in-app rows, in the same
transaction."""

from __future__ import annotations

from hls import notices
from stewardship.models import Notification


def webhook_disabled_notice(notice: notices.Notice) -> int:
    """One notification per admin named in the notice; returns how many were written."""
    users: list[int] = notice.data["users"]
    for user_id in users:
        Notification.objects.create(
            workspace_id=notice.workspace_id,
            user_id=user_id,
            kind="webhook_disabled",
            title=notice.data["title"],
            body=notice.data["body"],
            url=notice.data["url"],
        )
    return len(users)


def connect() -> None:
    notices.subscribe(notices.WEBHOOK_DISABLED, webhook_disabled_notice)
