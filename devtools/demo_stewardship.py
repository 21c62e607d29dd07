"""Demo stewardship for Northmoor: the city-alliance scenario of ../shared/domain/HLS.md.

A council, an NHS trust and voluntary organisations under one long contract without targets,
tackling homelessness with complex needs. The alliance has a place cycle with a signed charter,
stewards who answer to the board and to people with lived experience, a participation register,
a fortnightly reflection space with past meetings and their outputs, and a published learning
report. Names are fictional. Seeded once: skipped when the workspace already has a place cycle.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from cycles.models import Cycle, Phase
from cycles.services import cycle_create, cycle_member_add
from hls.accounts.models import User
from hls.tenancy.models import Membership, Organisation, Workspace
from stewardship.models import (
    Accountability,
    Charter,
    CharterSignature,
    LearningReport,
    Occurrence,
    Participation,
    PlaceSetup,
    Principle,
    Question,
    Session,
    SessionCycle,
    SessionOutput,
    SessionParticipant,
    StewardRole,
)
from stewardship.reports.assembly import assemble
from stewardship.reports.services import report_create, report_publish, section_update
from stewardship.sessions import services as sessions
from stewardship.sessions.recurrence import session_slots
from systems.models import ShareLevel, System

PRINCIPLES = [
    (
        "Start from what matters to the person",
        "We ask what matters before we ask what is wrong, and we write it in their words.",
    ),
    (
        "Relationships before processes",
        "Time spent building trust is the work, not a delay to it.",
    ),
    (
        "Learning is how we manage",
        "We do not report our learning to each other; we make sense of it together.",
    ),
    (
        "No targets between us",
        "We give account through reflection and learning reports, never through league tables.",
    ),
    (
        "Say what did not work",
        "An experiment that stopped and taught us something is as welcome as one that spread.",
    ),
    (
        "Ask whose voice is missing",
        "Every meeting asks who was not in the room, and how they will be heard next time.",
    ),
]

SIGNATORIES = [
    ("Northmoor City Council", "Cllr Dana Whitfield"),
    ("Northmoor NHS Trust", "Dr Imran Qureshi"),
    ("Open Door Housing", "Beth Maguire"),
    ("Step Up Recovery", "Tomasz Nowak"),
    ("Harbour Night Shelter", "Grace Adeyemi"),
    ("Lived Experience Network", "Kit Morrow"),
]

PARTICIPATION = [
    ("Lived Experience Network", "lived_experience", "heard", "Two members co-facilitate."),
    ("Street outreach workers", "frontline", "taking_part", ""),
    ("Northmoor NHS Trust mental health team", "organisation", "taking_part", ""),
    ("Harbour Night Shelter", "organisation", "taking_part", ""),
    (
        "Northmoor Women's Aid",
        "organisation",
        "invited",
        "Invited in June; meeting times clash with their drop-in.",
    ),
    ("Faith and community kitchens", "community", "invited", ""),
]


def _place_cycle(workspace: Workspace, users: dict[str, User]) -> Cycle:
    steward = users["steward"]
    place = System.objects.get(workspace=workspace, name="Northmoor")
    cycle = cycle_create(
        workspace=workspace,
        created_by=steward,
        system=place,
        name="Northmoor Alliance: ending rough sleeping together",
        purpose=(
            "Everyone in Northmoor facing homelessness with complex needs is met as a person, "
            "and nobody has to sleep rough."
        ),
        learning_questions=(
            "What makes a way inside worth taking?\n"
            "Which of our own rules get in the way, and who can change them?"
        ),
    )
    for key in ("admin", "manager", "outreach", "partner"):
        cycle_member_add(workspace=workspace, cycle=cycle, user=users[key])
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.EXPERIMENT)
    cycle.refresh_from_db()
    return cycle


def _set_up(workspace: Workspace, cycle: Cycle, users: dict[str, User]) -> None:
    today = timezone.localdate()
    steward = users["steward"]
    PlaceSetup.objects.create(
        workspace=workspace,
        cycle=cycle,
        started_by=steward,
        completed_steps=[
            "purpose",
            "organisations",
            "principles",
            "stewards",
            "participation",
            "accountability",
        ],
    )
    charter = Charter.objects.create(
        workspace=workspace,
        cycle=cycle,
        title="The Northmoor Alliance principles",
        preamble=(
            "Agreed at the alliance's first open meeting, with people who have slept rough in "
            "Northmoor, as the way we will work together under one contract without targets."
        ),
    )
    Principle.objects.bulk_create(
        Principle(workspace=workspace, charter=charter, position=i, title=title, description=text)
        for i, (title, text) in enumerate(PRINCIPLES)
    )
    for i, (org_name, signer) in enumerate(SIGNATORIES):
        CharterSignature.objects.create(
            workspace=workspace,
            charter=charter,
            organisation=Organisation.objects.get(workspace=workspace, name=org_name),
            version=1,
            signed_by_name=signer,
            signed_on=today - datetime.timedelta(days=200 - 3 * i),
            recorded_by=steward,
        )
    StewardRole.objects.create(
        workspace=workspace,
        cycle=cycle,
        user=steward,
        holder_name=steward.full_name,
        mandate=(
            "Hold the alliance's learning space; seek out seldom-heard voices; take apart what "
            "blocks learning, starting with the old contract monitoring."
        ),
        answers_to="The Alliance Board, and people with lived experience at the open meeting",
        review_on=today + datetime.timedelta(days=20),
        created_by=steward,
    )
    StewardRole.objects.create(
        workspace=workspace,
        cycle=cycle,
        holder_name="Alliance learning team (Open Door Housing)",
        mandate="Convene the fortnightly reflection space and keep its notes.",
        answers_to="The Alliance Board",
        review_on=today + datetime.timedelta(days=120),
        created_by=steward,
    )
    Participation.objects.bulk_create(
        Participation(
            workspace=workspace, cycle=cycle, name=name, kind=kind, status=status, notes=notes
        )
        for name, kind, status, notes in PARTICIPATION
    )
    Accountability.objects.bulk_create(
        [
            Accountability(
                workspace=workspace,
                cycle=cycle,
                to_whom="Northmoor City Council, as commissioner",
                forum="A reflection session with the cabinet member, with our learning report",
                cadence="Quarterly",
            ),
            Accountability(
                workspace=workspace,
                cycle=cycle,
                to_whom="People with lived experience of homelessness",
                forum="The alliance's open meeting",
                cadence="Every two months",
            ),
        ]
    )


# What the past meetings of the reflection space produced: (notes, outputs, felt heard).
MEETINGS = [
    (
        "Opened with Kit's story of being offered a bed on the far side of the city. We asked "
        "what a 'refusal' records, and who it records as the problem.",
        [
            (
                "insight",
                "What we log as a refusal is often a person weighing what they would have to "
                "give up: a dog, a partner, a pitch where people know them.",
            ),
            ("question", "Which of our own rules turn a reasonable choice into a 'refusal'?"),
        ],
        ["yes", "yes", "partly", "yes"],
    ),
    (
        "Outreach and the shelter compared notes on the last month's nights out.",
        [
            (
                "experiment",
                "Pets welcome in two rooms at Harbour Night Shelter for eight weeks",
            ),
            (
                "decision",
                "Outreach stops recording 'refused' and writes what the person said instead.",
            ),
        ],
        ["yes", "partly", "yes"],
    ),
    (
        "Unstructured: people brought what was on their minds after a hard fortnight.",
        [
            (
                "barrier",
                "The licence conditions in the hostel contract forbid animals, so the pets "
                "experiment cannot grow past the shelter's two rooms.",
            ),
        ],
        ["yes", "yes", "yes", "no"],
    ),
    (
        "Looked back at the pets experiment with the shelter team and two residents.",
        [
            (
                "insight",
                "Three people came inside who had not done so in a year; the dogs were never "
                "the trouble the rules assumed.",
            ),
        ],
        ["yes", "yes", "partly"],
    ),
]


def _reflection_space(workspace: Workspace, cycle: Cycle, users: dict[str, User]) -> Session:
    """A fortnightly series started ten weeks ago (so it has a history), created as a record of
    what was already running; new sessions go through `session_create`, which refuses a past
    start."""
    team_cycle = Cycle.objects.get(workspace=workspace, name__startswith="Outreach:")
    now = timezone.now()
    first = (now - datetime.timedelta(weeks=8)).replace(hour=9, minute=0, second=0, microsecond=0)
    session = Session.objects.create(
        workspace=workspace,
        title="Alliance reflection space",
        description=(
            "A fortnightly space for everyone in the alliance to make sense of what is "
            "happening together. Some meetings are deliberately open."
        ),
        facilitator=users["partner"],
        timezone="Europe/London",
        starts_at=first,
        duration_minutes=90,
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=26",
        location="Open Door Housing, community room (and online)",
        reminder_leads=[1440, 60],
        created_by=users["steward"],
    )
    SessionCycle.objects.bulk_create(
        SessionCycle(workspace=workspace, session=session, cycle=c) for c in (cycle, team_cycle)
    )
    SessionParticipant.objects.bulk_create(
        [
            SessionParticipant(workspace=workspace, session=session, user=users[key])
            for key in ("steward", "admin", "manager", "outreach", "partner")
        ]
        + [
            SessionParticipant(
                workspace=workspace,
                session=session,
                email="kit.morrow@lived-experience.example",
                name="Kit Morrow",
            )
        ]
    )
    return session


def _past_meetings(
    workspace: Workspace, session: Session, cycle: Cycle, users: dict[str, User]
) -> None:
    questions = list(Question.objects.filter(workspace=workspace, active=True)[:8])
    past = session_slots(session, after=session.starts_at, before=timezone.now(), overrides=[])
    participants = list(session.participants.all())
    voters = [users[key] for key in ("steward", "admin", "manager", "outreach", "partner")]
    # The facilitator records each meeting (the services check that they may).
    facilitator = Membership.objects.get(workspace=workspace, user=session.facilitator)
    for i, (slot, (notes, outputs, heard)) in enumerate(zip(past, MEETINGS, strict=False)):
        sessions.occurrence_notes_save(workspace=workspace, slot=slot, by=facilitator, notes=notes)
        occurrence = sessions.occurrence_for(workspace=workspace, slot=slot)
        slot = session_slots(session, after=slot.starts_at, before=slot.ends_at)[0]
        sessions.questions_discussed_set(
            workspace=workspace,
            occurrence=occurrence,
            by=facilitator,
            question_ids=[q.pk for q in questions[i * 2 : i * 2 + 2]],
        )
        sessions.attendance_set(
            workspace=workspace,
            slot=slot,
            by=facilitator,
            attended_ids=[p.pk for p in participants if p.user_id != users["manager"].pk or i % 2],
        )
        for kind, text in outputs:
            sessions.output_add(
                workspace=workspace,
                slot=slot,
                by=facilitator,
                cycle=cycle,
                kind=kind,
                text=text,
                visibility=ShareLevel.SHARED_UPWARD,
            )
        for voter, felt in zip(voters, heard, strict=False):
            sessions.heard_answer(workspace=workspace, slot=slot, user=voter, felt_heard=felt)
        sessions.occurrence_done(workspace=workspace, slot=slot, by=facilitator)
        Occurrence.objects.filter(pk=occurrence.pk).update(
            held_at=slot.starts_at, outputs_recorded_at=slot.ends_at
        )
        SessionOutput.objects.filter(occurrence=occurrence).update(created_at=slot.ends_at)


def _report(workspace: Workspace, cycle: Cycle, users: dict[str, User]) -> LearningReport:
    steward = users["steward"]
    today = timezone.localdate()
    report = report_create(
        workspace=workspace,
        created_by=steward,
        title="Northmoor Alliance: what we learnt this season",
        period_start=today - datetime.timedelta(weeks=10),
        period_end=today,
        cycles=[cycle],
    )
    assemble(workspace_id=workspace.pk, report_id=report.pk)
    narratives = {
        "learnt": (
            "The biggest shift was in how we see a 'refusal'. When we stopped recording it and "
            "wrote down what people told us, the reasons were nearly always about what they "
            "would lose by coming inside."
        ),
        "experiments": (
            "Pets-welcome rooms at the shelter ran for eight weeks. Three people came inside "
            "who had not in a year. The contract's licence conditions stop it growing: that is "
            "now a barrier with the council, as commissioner."
        ),
        "inclusion": (
            "People with lived experience co-facilitate the reflection space. Women's Aid has "
            "been invited but our meeting times clash with their drop-in; we will move one "
            "meeting a month to the afternoon."
        ),
    }
    for section in report.sections.all():
        if section.key in narratives:
            section_update(
                workspace=workspace,
                section=section,
                body=narratives[section.key],
                version=section.version,
                user=steward,
            )
    report.refresh_from_db()
    return report_publish(workspace=workspace, report=report, user=steward)


def seed_northmoor_stewardship(workspace: Workspace, users: dict[str, User]) -> None:
    if PlaceSetup.objects.filter(workspace=workspace).exists():
        return
    cycle = _place_cycle(workspace, users)
    _set_up(workspace, cycle, users)
    session = _reflection_space(workspace, cycle, users)
    _past_meetings(workspace, session, cycle, users)
    _report(workspace, cycle, users)
