"""The notification centre costs the same number of queries for 10 or 1,000 notifications."""

import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import Notification, Reminder
from tests.conftest import signed_in

BUDGET = 10


def _grow(workspace, user, n: int) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        reminders = Reminder.objects.bulk_create(
            Reminder(workspace=workspace, key=f"q:{user.pk}:{i}", kind="session_reminder",
                     recipient=user, due_at="2030-01-01T00:00Z", status="sent")
            for i in range(n)
        )  # fmt: skip
        Notification.objects.bulk_create(
            Notification(workspace=workspace, user=user, reminder=r, kind="session_reminder",
                         title=f"Note {i}", url="/x/")
            for i, r in enumerate(reminders)
        )  # fmt: skip


@pytest.mark.parametrize("n", [10, 1000])
def test_the_centre_holds_its_budget(n, workspace, member, django_assert_num_queries):
    _grow(workspace, member.user, n)
    client = signed_in(member)
    client.get("/w/riverside/notifications/")  # warm the session
    with django_assert_num_queries(BUDGET):
        response = client.get("/w/riverside/notifications/?page=2")
    assert response.status_code == 200
