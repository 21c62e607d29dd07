"""What gives each demo role a real Today (issue 13), added once to the seeded workspaces:

- Eastbridge: Jo's lift in a second experiment whose end date has passed (time to decide), a
  question the council's cycle sends back to Jo's team, a half-typed story kept as a draft, and
  a team sense-making session in two days with Jo, Dev and Sam invited.
  Jo's team says what time it gives to learning and what it stopped doing to make room (one
  thing started again, with why).
- Northmoor: a learning report in draft for the steward, beside the published one.

Each step goes through the services where they accept it; what the services refuse on
purpose (an experiment past its end, as a record of one already running) is set afterwards.
Idempotent: a step that finds its row already there does nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from cycles.experiments.services import ExperimentDesign, experiment_create, experiment_start
from cycles.models import ContextQuestion, Cycle, EntryDraft, Experiment
from cycles.patterns.services import context_question_send
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.burden.services import learning_time_set, stop_doing_add, stop_doing_resume
from stewardship.models import LearningReport, LearningTime, Session
from stewardship.reports.services import report_create
from stewardship.sessions.services import session_create

DECIDE = "Text reminders instead of letters"
QUESTION = "When someone owes both rent and council tax, who do they call first, and why?"
SESSION = "Council tax team sense-making"
DRAFT = "Dev said a man at the door asked whether the call meant the bailiffs were next"
REPORT = "Northmoor Alliance: what we are learning this winter"


def _eastbridge(workspace: Workspace, users: dict[str, User]) -> None:
    jo, manager = users["practitioner"], users["manager"]
    team = Cycle.objects.filter(
        workspace=workspace, name__startswith="Learning with people"
    ).first()
    org = Cycle.objects.filter(workspace=workspace, name="One council around the person").first()
    if team is None or org is None:
        return
    today = timezone.localdate()
    if not Experiment.objects.filter(workspace=workspace, title=DECIDE).exists():
        experiment = experiment_create(
            workspace=workspace,
            cycle=team,
            created_by=jo,
            design=ExperimentDesign(
                title=DECIDE,
                what_we_will_try="Send a friendly text before the first reminder letter.",
                why="Several people said a text feels less like being chased.",
                prediction="More people will reply; some will find a text intrusive.",
                how_we_will_know="Replies, and what people say about the text when we meet.",
                safe_to_fail_limits="Only people who gave a mobile number; stop on any complaint.",
                starts_on=today - datetime.timedelta(days=30),
                ends_on=today + datetime.timedelta(days=1),
                owner=jo,
            ),
        )
        experiment_start(workspace=workspace, experiment=experiment, started_by=jo)
        # A record of an experiment that has run its course: its end date has passed.
        Experiment.objects.filter(pk=experiment.pk).update(
            ends_on=today - datetime.timedelta(days=3)
        )
    if not ContextQuestion.objects.filter(workspace=workspace, text=QUESTION).exists():
        context_question_send(
            workspace=workspace,
            asked_from=org,
            asked_by=manager,
            text=QUESTION,
            origin={"label": "Theme “Owing several parts of the council”, this month"},
            cycles=(team,),
        )
    EntryDraft.objects.get_or_create(
        workspace=workspace,
        author=jo,
        key="capture",
        defaults={"cycle": team, "data": {"text": DRAFT, "cycle": str(team.pk)}},
    )
    if not Session.objects.filter(workspace=workspace, title=SESSION).exists():
        start = (timezone.now() + datetime.timedelta(days=2)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        session_create(
            workspace=workspace,
            user=manager,
            title=SESSION,
            description="What the calls and the texts are teaching us, month by month.",
            cycles=[team],
            facilitator=manager,
            timezone="Europe/London",
            starts_at=start,
            duration_minutes=60,
            rrule="FREQ=WEEKLY;INTERVAL=4;COUNT=6",
            location="Eastbridge Civic Centre, room 4",
            reminder_leads=[1440],
            members=[jo, users["housing"]],
        )
    _burden(workspace, team, jo)


def _burden(workspace: Workspace, team: Cycle, jo: User) -> None:
    """Jo's team's time for learning and what it stopped doing to make room."""
    if LearningTime.objects.filter(workspace=workspace, cycle=team).exists():
        return
    today = timezone.localdate()
    learning_time_set(
        workspace=workspace, cycle=team, user=jo, hours=Decimal("1.5"), per="week",
        how="The first hour of Tuesday's team meeting, and half an hour on Friday to write up.",
    )  # fmt: skip
    stop_doing_add(
        workspace=workspace, cycle=team, user=jo,
        what="Copying every call note into the arrears spreadsheet",
        frees="About an hour a week each, now spent on the calls themselves.",
        since=today - datetime.timedelta(weeks=10),
    )  # fmt: skip
    slide = stop_doing_add(
        workspace=workspace, cycle=team, user=jo,
        what="The monthly slide of letters sent, for the committee",
        frees="Half a day a month for the team leader.",
        since=today - datetime.timedelta(weeks=16),
    )  # fmt: skip
    stop_doing_resume(
        workspace=workspace, item=slide, user=jo,
        why="The committee still wanted it. It now carries two stories from the calls, and the "
        "committee asks about those first.",
    )  # fmt: skip


def _northmoor(workspace: Workspace, users: dict[str, User]) -> None:
    place = Cycle.objects.filter(workspace=workspace, place_setup__isnull=False).first()
    if place is None or LearningReport.objects.filter(workspace=workspace, title=REPORT).exists():
        return
    today = timezone.localdate()
    report_create(
        workspace=workspace,
        created_by=users["steward"],
        title=REPORT,
        period_start=today - datetime.timedelta(weeks=8),
        period_end=today,
        cycles=[place],
    )


def seed_today_demo(workspaces: dict[str, Workspace], users: dict[str, User]) -> None:
    for slug, seed in (("eastbridge", _eastbridge), ("northmoor", _northmoor)):
        workspace = workspaces[slug]
        with tenant_scope(workspace_id=workspace.pk):
            seed(workspace, users)
