"""Celery discovers one `tasks` module per app: the sub-areas' tasks are registered here."""

from stewardship.notifications.tasks import digest_due, dispatch_due, plan_reminders  # noqa: F401
from stewardship.privacy.tasks import apply_retention  # noqa: F401
from stewardship.reports.tasks import assemble_report, build_export  # noqa: F401
