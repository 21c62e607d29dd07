"""Objects for the API outsider matrix: one real object per basename this package's viewsets
register, made inside `tenant_scope(workspace)` and visible to `membership`."""

import datetime as dt

from django.utils import timezone

from stewardship.models import LearningReport, Session
from stewardship.reports import services as report_services
from stewardship.sessions import services as session_services
from stewardship.sessions.recurrence import slot_at
from tests.factories import CycleFactory


def _session(workspace, membership) -> Session:
    return session_services.session_create(
        workspace=workspace,
        user=membership.user,
        title="Matrix session",
        cycles=[CycleFactory(workspace=workspace)],
        facilitator=membership.user,
        timezone="Europe/London",
        starts_at=(timezone.now() + dt.timedelta(days=3)).replace(microsecond=0),
        rrule="FREQ=WEEKLY;COUNT=3",
    )


def make_session(workspace, membership) -> int:
    return _session(workspace, membership).pk


def make_output(workspace, membership) -> int:
    session = _session(workspace, membership)
    slot = slot_at(session, session.starts_at)
    assert slot is not None
    return session_services.output_add(
        workspace=workspace,
        slot=slot,
        by=membership,
        cycle=session.cycles.get(),
        kind="insight",
        text="The forms were the barrier, not the rules.",
    ).pk


def make_report(workspace, membership) -> int:
    report: LearningReport = report_services.report_create(
        workspace=workspace,
        created_by=membership.user,
        title="Matrix report",
        period_start=timezone.localdate() - dt.timedelta(days=30),
        period_end=timezone.localdate(),
        cycles=[CycleFactory(workspace=workspace)],
    )
    return report.pk


API_MAKERS = {"api-session": make_session, "api-output": make_output, "api-report": make_report}
