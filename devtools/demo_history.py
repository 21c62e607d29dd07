"""Eighteen months of history for the Eastbridge demo (issue 13), so its patterns tell a story
instead of a flat line with a spike: the council tax and housing income teams log what they
hear month by month, shared upward to the council's cycle.

The story, from the HLS case of a council that learnt with people in council tax debt instead
of enforcing (shared/domain, "Council Tax debt" in the book notes): at first people hide from
the brown envelopes; as the teams call before they write and pause enforcement, fear fades from
what they hear and "owing several parts of the council" comes to the fore, and being treated
as a person becomes something people say, not only hope for. Two experiments and a phase move
sit on the same timeline.

Deterministic: one seeded random generator, dates counted back from today. Written through
the services, like the rest of the demo. Run once: skipped when the history is already there.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from cycles.experiments.services import (
    ExperimentDesign,
    experiment_create,
    experiment_end,
    experiment_start,
)
from cycles.models import Cycle, Entry, Phase, PhaseShift, Theme
from cycles.services import cycle_shift_phase, entry_create
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from systems.models import ShareLevel

MONTHS = 18
SEED = 13
FEAR = "Fear of brown envelopes"
SEVERAL = "Owing several parts of the council"
PERSON = "Treated as a person, not a case"
HOME = "A secure home"

# (kind, text, themes): what the teams hear, in their words; invented people, real patterns.
COUNCIL_TAX = (
    (
        "story",
        "A woman in her seventies kept every council letter unopened in a carrier bag behind "
        "the sofa. She said opening them would make the debt real.",
        (FEAR,),
    ),
    (
        "story",
        "Mr K paid the bailiff's fee before his gas. He said the letter told him they could "
        "take his van, and he needs the van for work.",
        (FEAR, HOME),
    ),
    (
        "observation",
        "On three visits this month the first thing people showed us was a reminder letter, "
        "folded small, as if it was the problem and not the debt.",
        (FEAR,),
    ),
    (
        "story",
        "A young dad owed council tax and rent. He had set up a plan with one team and fallen "
        "behind with the other to keep it.",
        (SEVERAL,),
    ),
    (
        "story",
        "She told us she did not know council tax and housing were the same council. Two "
        "teams had phoned her in the same week.",
        (SEVERAL, PERSON),
    ),
    (
        "observation",
        "When we phoned before the reminder, people picked up. When the reminder went first, "
        "nobody answered for weeks.",
        (FEAR, PERSON),
    ),
    (
        "story",
        "Mr T cried when we said we would pause the recovery while we sorted his benefits out. "
        "He said it was the first time anyone had asked how he was doing.",
        (PERSON,),
    ),
    (
        "story",
        "A carer had missed payments while her mum was in hospital. With the single person "
        "discount backdated, she was no longer in arrears at all.",
        (PERSON, HOME),
    ),
    (
        "idea",
        "Could we ask people which day suits them to pay, instead of the first of the month?",
        (PERSON,),
    ),
    (
        "story",
        "Two households this month had a plan with us and a rent arrears letter arrive the same "
        "day. Both rang us, frightened it meant the plan had failed.",
        (SEVERAL, FEAR),
    ),
)
HOUSING = (
    (
        "story",
        "A tenant told us she opens the rent letters but not the council tax ones: the logo is "
        "the same, so she never knows which is which until it is too late.",
        (SEVERAL, FEAR),
    ),
    (
        "story",
        "Mr A stopped answering the door after a notice of seeking possession. His neighbour "
        "told us he thought the council was coming to change the locks.",
        (FEAR, HOME),
    ),
    (
        "observation",
        "Most of the tenants we visited this month also owed council tax. None of them had been "
        "asked about it by us.",
        (SEVERAL,),
    ),
    (
        "story",
        "A family of five kept their home after we agreed one plan with the council tax team "
        "instead of two. The mum said it was the first plan she believed she could keep.",
        (SEVERAL, HOME, PERSON),
    ),
    (
        "story",
        "He wanted to talk about his son's school before he would talk about the rent. Once we "
        "had, the rent took five minutes.",
        (PERSON,),
    ),
    (
        "observation",
        "Tenants we had called before the letter were twice as likely to ring back, and they "
        "talked about the whole council, not only rent.",
        (PERSON, SEVERAL),
    ),
)


def _month_start(today: datetime.date, months_ago: int) -> datetime.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
    return datetime.date(year, month + 1, 1)


def _weights(progress: float) -> dict[str, float]:
    """How likely each theme is heard, `progress` running from 0 (the oldest month) to 1
    (now): fear fades, owing several parts and being treated as a person grow."""
    return {
        FEAR: 1.6 - 1.2 * progress,
        SEVERAL: 0.5 + 1.1 * progress,
        PERSON: 0.2 + 1.4 * progress,
        HOME: 0.6,
    }


def _pick(rng: random.Random, pool: tuple, weights: dict[str, float]) -> tuple:
    scores = [sum(weights[t] for t in themes) / len(themes) for _k, _t, themes in pool]
    return rng.choices(pool, weights=scores, k=1)[0]


def seed_history_demo(workspaces: dict[str, Workspace], users: dict[str, User]) -> None:
    workspace = workspaces["eastbridge"]
    with tenant_scope(workspace_id=workspace.pk):
        _eastbridge(workspace, users)


def _eastbridge(workspace: Workspace, users: dict[str, User]) -> None:
    today = timezone.localdate()
    oldest = _month_start(today, MONTHS - 1)
    team = Cycle.objects.filter(workspace=workspace, name__startswith="Learning with people")
    housing = Cycle.objects.filter(workspace=workspace, name__startswith="Rent arrears")
    themes = {t.name: t for t in Theme.objects.filter(workspace=workspace)}
    if not (team.exists() and housing.exists() and {FEAR, SEVERAL, PERSON, HOME} <= set(themes)):
        return
    if Entry.objects.filter(workspace=workspace, happened_on__lt=_month_start(today, 6)).exists():
        return  # the history is there already
    rng = random.Random(SEED)  # noqa: S311 (a repeatable demo, not a secret)
    jo, dev = users["practitioner"], users["housing"]
    for months_ago in range(MONTHS - 1, 0, -1):  # this month is the main demo's own
        start = _month_start(today, months_ago)
        days = (_month_start(today, months_ago - 1) - start).days
        progress = (MONTHS - 1 - months_ago) / (MONTHS - 1)
        weights = _weights(progress)
        for cycle, author, pool, (low, high) in (
            (team.get(), jo, COUNCIL_TAX, (3, 7)),
            (housing.get(), dev, HOUSING, (1, 5)),
        ):
            for _ in range(rng.randint(low, high)):
                kind, text, names = _pick(rng, pool, weights)
                entry_create(
                    workspace=workspace,
                    author=author,
                    cycle=cycle,
                    kind=kind,
                    text=text,
                    phase=Phase.UNDERSTAND if progress < 0.5 else Phase.EXPERIMENT,
                    themes=[themes[name] for name in names],
                    visibility=ShareLevel.SHARED_UPWARD,
                    happened_on=start + datetime.timedelta(days=rng.randrange(days)),
                )
    _experiments(workspace, team.get(), jo, today)
    shift = cycle_shift_phase(
        workspace=workspace,
        cycle=housing.get(),
        to_phase=Phase.CO_DESIGN,
        shifted_by=dev,
        reason="Tenants keep telling us about council tax: we want to design one plan with "
        "the council tax team.",
    )
    _backdate(shift, days=(today - oldest).days // 3)
    back = cycle_shift_phase(
        workspace=workspace,
        cycle=housing.get(),
        to_phase=Phase.UNDERSTAND,
        shifted_by=dev,
        reason="Back to listening: the joint plan raised questions we cannot answer yet.",
    )
    _backdate(back, days=(today - oldest).days // 6)


def _backdate(shift: PhaseShift, *, days: int) -> None:
    PhaseShift.objects.filter(pk=shift.pk).update(
        shifted_at=timezone.now() - datetime.timedelta(days=days)
    )


def _experiments(workspace: Workspace, cycle: Cycle, owner: User, today: datetime.date) -> None:
    """Two experiments that ran and ended in the first year of the history."""
    for title, months_ago, outcome, learnt in (
        (
            "A named worker for the first visit",
            15,
            "amplify",
            "People trusted a named worker and told them things they had told nobody: we made "
            "it the way we work, each household with a named worker and a named back-up.",
        ),
        (
            "Reminder letters rewritten with people in debt",
            11,
            "adapt",
            "The friendlier letter alone was still a letter: replies did not change. Sent after "
            "a phone call, it was read. We adapted: the call first, then the letter.",
        ),
    ):
        starts = _month_start(today, months_ago)
        experiment = experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=owner,
            design=ExperimentDesign(
                title=title,
                what_we_will_try=title + ".",
                prediction="More people will talk to us before their debt grows.",
                how_we_will_know="What people tell us, and whether they stay in touch.",
                starts_on=starts,
                ends_on=starts + datetime.timedelta(weeks=8),
                owner=owner,
            ),
        )
        experiment_start(workspace=workspace, experiment=experiment, started_by=owner)
        experiment_end(
            workspace=workspace,
            experiment=experiment,
            ended_by=owner,
            outcome=outcome,
            learnt=learnt,
        )
