"""Measures for learning and self-signification in the demo (issue 16), through the services:

- Mrs D's own cycle: the council tax she owes, £1,240 month after month (a service measure that
  does not move), beside what matters to her in her own words, rated with Jo on her own scale,
  which does: the post no longer frightens her, and she sees her sister every week.
- Jo's team: "People who got in touch before a second reminder, each week", with a shift after
  the team began calling before the first letter (an experiment); shared upward, so the
  council's cycle learns of the signal and the team's note, never the numbers.
- Jo's team and Dev's team attach one signifier set ("What made the difference") to their story
  capture, and each places its own recent stories on the triad, the slider and the question.

Idempotent: a workspace that already has measures is left as it is. Values are dated in the
past (never a day to come, as the services require).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from cycles.experiments.services import ExperimentDesign, experiment_create, experiment_start
from cycles.measures import services as measures
from cycles.models import Cycle, Entry, Measure
from cycles.signifiers import services as signifiers
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from systems.models import Person, ShareLevel

SEED = 16

SIGNIFIERS = {
    "signifiers": [
        {
            "key": "difference",
            "type": "triad",
            "prompt": "What made the difference in this story?",
            "labels": ["Someone listened", "Practical help", "A rule or process changed"],
        },
        {
            "key": "felt",
            "type": "dyad",
            "prompt": "For the person, did it feel more like being chased or being helped?",
            "labels": ["Chased", "Helped"],
        },
        {
            "key": "who",
            "type": "choice",
            "prompt": "Who made it happen?",
            "choices": ["The person", "Family or friends", "Our team", "Another service"],
            "multiple": True,
        },
    ]
}

# Weekly: before the calls (around four a week), then after (seven or eight).
BEFORE = (2, 4, 3, 5, 2, 4, 3, 4, 2, 5, 3, 4, 2, 4, 3)
AFTER = (7, 8, 6, 9, 7, 8, 7, 9, 8)


def _month_start(today: datetime.date, months_ago: int) -> datetime.date:
    month = today.year * 12 + today.month - 1 - months_ago
    return datetime.date(month // 12, month % 12 + 1, 1)


def _person_cycle(workspace: Workspace, jo: User, today: datetime.date) -> None:
    cycle = Cycle.objects.filter(workspace=workspace, name="Living well with Mrs D").first()
    mrs_d = Person.objects.filter(workspace=workspace, alias="Mrs D").first()
    if cycle is None or mrs_d is None:
        return
    owed = measures.measure_create(
        workspace=workspace,
        cycle=cycle,
        user=jo,
        name="Council tax owed",
        unit="£",
        learning_question=(
            "Does what she owes tell us how Mrs D is doing? We keep it beside what she says "
            "matters, to see whether the two move together."
        ),
        how_collected="From the council tax account, on the first of each month.",
        visibility=ShareLevel.TEAM,
        person=mrs_d,
    )
    for months_ago in range(9, -1, -1):
        measures.point_add(
            workspace=workspace,
            measure=owed,
            user=jo,
            value=Decimal("1240"),
            on=_month_start(today, months_ago),
            note="Unchanged: the payment plan pauses while the appeal is heard."
            if months_ago == 6
            else "",
        )
    for words, low, high, values in (
        (
            "Not being frightened of the post",
            "I hide every letter",
            "I open them with my tea",
            (1, 2, 2, 3, 5, 6, 6, 7, 8, 8),
        ),
        (
            "Seeing my sister every week",
            "I can't get there",
            "Every Sunday, no matter what",
            (3, 3, 4, 4, 6, 7, 7, 8, 9, 9),
        ),
    ):
        item = measures.what_matters_add(
            workspace=workspace,
            cycle=cycle,
            person=mrs_d,
            user=jo,
            words=words,
            scale_max=10,
            low_words=low,
            high_words=high,
        )
        for months_ago, value in zip(range(9, -1, -1), values, strict=True):
            measures.rating_add(
                workspace=workspace,
                item=item,
                user=jo,
                value=value,
                on=today - datetime.timedelta(days=30 * months_ago + 3),
                note="“I opened the blue one myself.”" if value == 5 and months_ago < 9 else "",
            )


def _team_measure(workspace: Workspace, jo: User, team: Cycle, today: datetime.date) -> None:
    calls = experiment_create(
        workspace=workspace,
        cycle=team,
        created_by=jo,
        design=ExperimentDesign(
            title="A call before the first letter",
            what_we_will_try="Ring each household before the first reminder goes out.",
            why="The history says the letter alone is still a letter; a call first was read.",
            prediction="More people will get in touch before a second reminder.",
            how_we_will_know="The weekly count, and what people say when they call.",
            safe_to_fail_limits="Only households with a phone number; stop if calls upset.",
            starts_on=today - datetime.timedelta(weeks=len(AFTER)),
            ends_on=today + datetime.timedelta(weeks=3),
            owner=jo,
        ),
    )
    experiment_start(workspace=workspace, experiment=calls, started_by=jo)
    measure = measures.measure_create(
        workspace=workspace,
        cycle=team,
        user=jo,
        name="People who got in touch before a second reminder, each week",
        unit="people",
        learning_question="Does ringing before the first letter change who gets in touch early?",
        how_collected="Counted each Friday from the phone log and the inbox.",
        visibility=ShareLevel.SHARED_UPWARD,
    )
    values = BEFORE + AFTER
    for weeks_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
        measures.point_add(
            workspace=workspace,
            measure=measure,
            user=jo,
            value=value,
            on=today - datetime.timedelta(weeks=weeks_ago),
        )
    measure.refresh_from_db()
    measures.signal_note_set(
        workspace=workspace,
        measure=measure,
        user=jo,
        note=(
            "Since we began ringing first, more people get in touch before a second reminder: "
            "nine weeks in a row above the middle. People say a call feels like help, a letter "
            "like being chased. We will keep listening to who still does not answer."
        ),
        revision=measure.revision,
    )


def _placements(workspace: Workspace, users: dict[str, User]) -> None:
    jo, dev = users["practitioner"], users["housing"]
    team = Cycle.objects.filter(
        workspace=workspace, name__startswith="Learning with people"
    ).first()
    housing = Cycle.objects.filter(workspace=workspace, name__startswith="Rent arrears").first()
    if team is None or housing is None:
        return
    found = signifiers.signifier_set_create(
        workspace=workspace,
        user=jo,
        name="What made the difference",
        description=(
            "Tellers place their own story: what made the difference, how it felt for the "
            "person, and who made it happen. Patterns come from their meaning, not our coding."
        ),
        definition=SIGNIFIERS,
    )
    rng = random.Random(SEED)  # noqa: S311 (a repeatable demo, not a secret)
    for cycle, author, lean in ((team, jo, 0), (housing, dev, 1)):
        signifiers.cycle_signifiers_attach(
            workspace=workspace, cycle=cycle, user=author, signifier_set=found
        )
        stories = Entry.objects.filter(
            workspace=workspace, cycle=cycle, author=author, kind=Entry.Kind.STORY
        ).order_by("-happened_on", "-pk")[:12]
        for entry in stories:
            weights = [rng.random() + 0.2 for _corner in range(3)]
            weights[lean] += 1.2  # Jo's stories lean to listening, Dev's to practical help
            total = sum(weights)
            a, b = round(weights[0] / total, 3), round(weights[1] / total, 3)
            signifiers.placement_save(
                workspace=workspace,
                entry=entry,
                user=author,
                data={
                    "difference": {"a": a, "b": b, "c": round(1 - a - b, 3)},
                    "felt": {"x": round(rng.uniform(0.45, 0.95), 2)}
                    if rng.random() > 0.1
                    else "na",
                    "who": sorted(
                        rng.sample(
                            ["The person", "Family or friends", "Our team", "Another service"],
                            k=rng.randint(1, 2),
                        )
                    ),
                },
            )


def _eastbridge(workspace: Workspace, users: dict[str, User]) -> None:
    jo = users["practitioner"]
    today = timezone.localdate()
    team = Cycle.objects.filter(
        workspace=workspace, name__startswith="Learning with people"
    ).first()
    if team is None:
        return
    _person_cycle(workspace, jo, today)
    _team_measure(workspace, jo, team, today)
    _placements(workspace, users)


def seed_measures_demo(workspaces: dict[str, Workspace], users: dict[str, User]) -> None:
    workspace = workspaces["eastbridge"]
    with tenant_scope(workspace_id=workspace.pk):
        if not Measure.objects.filter(workspace=workspace).exists():
            _eastbridge(workspace, users)
