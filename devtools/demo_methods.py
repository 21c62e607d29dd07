"""Guided methods in the demo (issue 15), run through the services as a group would:

- Eastbridge: Most Significant Change across two levels. The council tax team (Jo) and the
  housing income team (Dev) each collect stories of change and choose the most significant with
  their reasons; each offers its choice to the council's run (Sam), which chooses among them
  with its own reasons, and the choice and reasons come back to the storytellers.
  A learning get-together in Jo's team after a reminder letter went out during an agreed pause.
  A rapid-learning reflection Jo has begun and not finished (resumed later).
- Northmoor: a healthy-system reflection of the alliance in two rounds, ten weeks apart, held in
  the alliance reflection space and facilitated by the learning partner (Rui), with Kit (a guest
  with lived experience) in the second: views differ, and the place's own picture moves.

Idempotent: a workspace that already has method runs is left as it is. Runs that happened in
the past get their dates set afterwards (the services stamp them now).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from cycles.models import Cycle
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.methods import selectors, services
from stewardship.methods.builtin import BUILTINS
from stewardship.methods.definition import parse
from stewardship.models import MethodRun, Occurrence, RunParticipant

MSC_DOMAIN = "Changes in how people feel about dealing with the council"


def _answer(
    workspace: Workspace,
    run: MethodRun,
    who: RunParticipant,
    step: str,
    data: dict[str, Any],
    shared: bool = False,
) -> None:
    services.answer_save(
        workspace=workspace, run=run, participant=who, step_key=step, data=data, shared=shared
    )


def _me(workspace: Workspace, run: MethodRun, user: User) -> RunParticipant:
    found = selectors.participant_for(workspace=workspace, run=run, user=user)
    assert found is not None
    return found


def _next(workspace: Workspace, run: MethodRun, user: User) -> MethodRun:
    return services.run_move(
        workspace=workspace, run=run, user=user, to=run.step + 1, expected=run.step
    )


def _dated(run: MethodRun, when: datetime.datetime) -> None:
    MethodRun.objects.filter(pk=run.pk).update(
        created_at=when, completed_at=when + datetime.timedelta(hours=1)
    )


def _team_msc(
    workspace: Workspace, user: User, cycle: Cycle, story: tuple[str, str], why: str
) -> MethodRun:
    """One team's run: the worker who heard the story tells it (with the person's consent), and
    the team chooses it with its reasons."""
    run = services.run_start(
        workspace=workspace,
        user=user,
        cycle=cycle,
        builtin="msc",
        title="Stories of change this quarter",
        why_this_method="The team chose it to hear what changed for people in their own words.",
    )
    me = _me(workspace, run, user)
    _answer(workspace, run, me, "domain", {"domain": MSC_DOMAIN, "period": "Since September"})
    run = _next(workspace, run, user)
    _answer(
        workspace,
        run,
        me,
        "collect",
        {"story": story[0], "why_significant": story[1], "consent": True},
    )
    run = _next(workspace, run, user)
    [item] = selectors.items(workspace=workspace, run=run, source="collect.story")
    _answer(
        workspace,
        run,
        me,
        "select",
        {
            "chosen": {"chosen": [item.id], "reasons": {item.id: why}},
            "how_we_chose": "We read the stories aloud and talked until we agreed.",
        },
    )
    return run


def _eastbridge(workspace: Workspace, users: dict[str, User]) -> None:
    jo, dev, sam = users["practitioner"], users["housing"], users["manager"]
    cycles = {c.name: c for c in Cycle.objects.filter(workspace=workspace)}
    tax = next((c for n, c in cycles.items() if n.startswith("Learning with people")), None)
    housing = cycles.get("Rent arrears: listening before chasing")
    council = cycles.get("One council around the person")
    if tax is None or housing is None or council is None:
        return
    weeks_ago = timezone.now() - datetime.timedelta(weeks=3)

    # Most Significant Change: two teams, then the council.
    tax_run = _team_msc(
        workspace,
        jo,
        tax,
        (
            "Mrs D rang us herself for the first time. She said she had opened the envelope "
            "because she knew it would be from Jo, and that it was the first letter in a year "
            "she had not hidden in the drawer.",
            "Because she reached out to us, instead of us chasing her.",
        ),
        "It shows the fear going: she opened the post and called us herself.",
    )
    housing_run = _team_msc(
        workspace,
        dev,
        housing,
        (
            "Mr A came to the housing office to say his rent would be late, before we wrote. "
            "He said nobody had ever asked him what was going on before the knock on the door.",
            "He came to us early; before, we only ever met people at the eviction stage.",
        ),
        "Coming to us early changes everything that follows for a tenant.",
    )
    council_run = services.run_start(
        workspace=workspace,
        user=sam,
        cycle=council,
        builtin="msc",
        title="What changed across our teams this quarter",
        why_this_method=(
            "The council's cycle chose Most Significant Change instead of a quarterly figures "
            "return: the teams choose what matters, and we say what we learnt from it."
        ),
    )
    for run, user in ((tax_run, jo), (housing_run, dev)):
        services.run_offer_up(workspace=workspace, run=run, user=user, to=council_run)
    me = _me(workspace, council_run, sam)
    _answer(workspace, council_run, me, "domain", {"domain": MSC_DOMAIN, "period": "This quarter"})
    council_run = _next(workspace, council_run, sam)
    council_run = _next(workspace, council_run, sam)
    offered = selectors.items(workspace=workspace, run=council_run, source="collect.story")
    chosen = next(i for i in offered if i.text.startswith("Mrs D"))
    _answer(
        workspace,
        council_run,
        me,
        "select",
        {
            "chosen": {
                "chosen": [chosen.id],
                "reasons": {
                    chosen.id: "Both stories say the same thing: people come to us when they "
                    "trust us. We chose this one because it started with a letter, the thing we "
                    "had thought could only frighten. We will rewrite our first letters together."
                },
            },
            "how_we_chose": "Sam read both aloud at the management meeting; we chose together.",
        },
    )
    for run, user in ((tax_run, jo), (housing_run, dev), (council_run, sam)):
        services.run_complete(workspace=workspace, run=run, user=user)
        _dated(run, weeks_ago)

    # A learning get-together in Jo's team.
    run = services.run_start(
        workspace=workspace,
        user=jo,
        cycle=tax,
        builtin="learning_get_together",
        title="A reminder letter during an agreed pause",
        why_this_method="Jo asked for one: something went wrong and we want to learn from it.",
    )
    services.run_join(workspace=workspace, run=run, user=sam)
    me = _me(workspace, run, jo)
    for step, data in (
        (
            "what_happened",
            {
                "happened": "We had agreed with Kay to pause reminders for six weeks. The "
                "automatic run sent her a reminder in week three; she rang in tears.",
                "affected": "Kay, and her trust in what we agree with her.",
            },
        ),
        (
            "learnt",
            {
                "learnt": "A pause agreed in a conversation lives in our notes, not in the "
                "system that sends the letters. Nothing connects the two.",
                "surprised": "Three other pauses this year were broken the same way.",
            },
        ),
        (
            "change",
            {
                "change": "Every agreed pause is entered as a hold in the billing system on the "
                "same day, by whoever agreed it.",
                "beyond_us": "The billing system's holds expire after 28 days; revenues can "
                "change that.",
            },
        ),
        (
            "tell",
            {"who_needs_to_know": "Kay, with an apology; the revenues team; the other teams."},
        ),
    ):
        _answer(workspace, run, me, step, data)
        if step != "tell":
            run = _next(workspace, run, jo)
    services.run_complete(workspace=workspace, run=run, user=jo)
    _dated(run, timezone.now() - datetime.timedelta(days=10))

    # A rapid-learning reflection Jo began on her phone and has not finished.
    run = services.run_start(workspace=workspace, user=jo, cycle=tax, builtin="rapid_learning")
    _answer(
        workspace,
        run,
        _me(workspace, run, jo),
        "week",
        {"noticed": "Two people answered the text before the letter; one said thank you."},
    )


HEALTHY = (
    "shared_purpose",
    "trusting_relationships",
    "collaborative_behaviours",
    "sharing_power",
    "systems_infrastructure",
    "enabling_leadership",
    "learning_and_insight",
    "embedding_and_influencing",
)

# Each person's view of the eight conditions, round one then round two (1 hardly yet → 5
# strongly; None: not applicable), and what makes them say so where they wrote it.
VIEWS: dict[str, tuple[tuple[int | None, ...], tuple[int | None, ...]]] = {
    "steward": ((4, 3, 3, 2, 2, 3, 3, 2), (4, 4, 3, 3, 2, 4, 4, 3)),
    "admin": ((3, 2, 3, 1, 2, 3, 2, 2), (4, 3, 3, 2, 3, 3, 3, 2)),
    "manager": ((3, 2, 2, 2, 1, 2, 3, 1), (3, 3, 3, 2, 2, 3, 3, 2)),
    "outreach": ((2, 4, 4, 1, 1, 2, 4, 2), (3, 4, 4, 2, 2, 3, 4, 3)),
    "guest": ((), (2, 3, 3, 1, 1, 2, 3, None)),
}
WHY = {
    "outreach": {
        "sharing_power_why": "Decisions about the shelter's rules are still made without the "
        "people who sleep there.",
        "trusting_relationships_why": "On the street, the workers trust each other completely.",
    },
    "guest": {
        "sharing_power_why": "I was asked for my story many times before anyone asked what I "
        "thought should change.",
    },
}


def _healthy_round(
    workspace: Workspace,
    users: dict[str, User],
    cycle: Cycle,
    occurrence: Occurrence | None,
    round_: int,
    when: datetime.datetime,
) -> None:
    rui = users["partner"]
    run = services.run_start(
        workspace=workspace,
        user=rui,
        cycle=cycle,
        builtin="healthy_system",
        occurrence=occurrence,
        guests=round_ == 2,
        title=f"How healthy is our system? Round {round_}",
        why_this_method=(
            "The alliance asked its learning partner to hold this reflection twice a year, in "
            "place of a performance framework."
        ),
    )
    fields = parse(BUILTINS["healthy_system"].definition).steps[0]
    for key, rounds in VIEWS.items():
        values = rounds[round_ - 1]
        if not values:
            continue
        if key == "guest":
            who, _secret = services.guest_join(workspace=workspace, run=run, name="Kit")
        else:
            who = services.run_join(workspace=workspace, run=run, user=users[key])
        data: dict[str, Any] = {f.key: "" for f in fields.fields if f.type != "scale"} | WHY.get(
            key, {}
        )
        for condition, value in zip(HEALTHY, values, strict=True):
            data[condition] = {"value": value, "low": "hardly yet", "high": "strongly"}
        _answer(workspace, run, who, "conditions", data, shared=key in ("outreach", "guest"))
    run = services.run_reveal(workspace=workspace, run=run, user=rui, step_key="conditions")
    run = _next(workspace, run, rui)
    _answer(
        workspace,
        run,
        _me(workspace, run, rui),
        "differ",
        {
            "differences": (
                "We see sharing power very differently: those furthest from the decisions rate "
                "it lowest. Trust on the street is high; between organisations it is not yet."
                if round_ == 1
                else "Sharing power has moved for some of us and not for Kit, who joined us "
                "this time: the people the shelter's rules are for still do not make them."
            ),
            "since_last_time": ""
            if round_ == 1
            else "Leadership and learning moved; infrastructure barely. The shared case notes "
            "are still a spreadsheet.",
        },
    )
    services.run_complete(workspace=workspace, run=run, user=rui)
    _dated(run, when)


def _northmoor(workspace: Workspace, users: dict[str, User]) -> None:
    cycle = Cycle.objects.filter(workspace=workspace, name__startswith="Northmoor Alliance").first()
    if cycle is None:
        return
    meetings = list(
        Occurrence.objects.filter(
            workspace=workspace, held_at__isnull=False, session__facilitator=users["partner"]
        ).order_by("held_at")
    )
    now = timezone.now()
    for round_, when, occurrence in (
        (1, now - datetime.timedelta(weeks=10), meetings[0] if meetings else None),
        (2, now - datetime.timedelta(weeks=2), meetings[-1] if len(meetings) > 1 else None),
    ):
        _healthy_round(workspace, users, cycle, occurrence, round_, when)


def seed_methods_demo(workspaces: dict[str, Workspace], users: dict[str, User]) -> None:
    for slug, seed in (("eastbridge", _eastbridge), ("northmoor", _northmoor)):
        workspace = workspaces[slug]
        with tenant_scope(workspace_id=workspace.pk):
            if not MethodRun.objects.filter(workspace=workspace).exists():
                seed(workspace, users)
