"""Demo systems, people, maps, cycles, entries and experiments (issue 3), drawn with invented
names from the HLS case studies: a borough's council-tax-debt team that learnt with people in
debt instead of enforcing, and a city alliance's street outreach. Written through the same
services as the web pages, so the demo obeys the same rules (consent, one-step widening...).
"""

import datetime

from django.utils import timezone

from cycles.barriers.services import barrier_answer, barrier_raise, enabler_create
from cycles.experiments.services import (
    ExperimentDesign,
    experiment_create,
    experiment_end,
    experiment_start,
)
from cycles.links.services import link_add, source_add
from cycles.models import Cycle, Entry, Phase, PhaseShift
from cycles.patterns.services import context_answer_create, context_question_send
from cycles.services import (
    cycle_create,
    cycle_member_add,
    cycle_shift_phase,
    entry_create,
    entry_update,
)
from cycles.themes.services import theme_create
from hls.accounts.models import User
from hls.tenancy.models import Membership, Organisation, Workspace
from systems.models import Actor, Participation, Person, Scale, ShareLevel, System
from systems.people.services import consent_record, identity_set, person_create
from systems.services import (
    SystemInput,
    actor_create,
    factor_create,
    relationship_create,
    scales_ensure_defaults,
    snapshot_take,
    system_create,
)


def _scale(workspace: Workspace, position: int) -> Scale:
    return Scale.objects.filter(workspace=workspace).order_by("position", "pk")[position]


def _system(
    workspace: Workspace,
    by: User,
    name: str,
    scale: int,
    purpose: str,
    parent: System | None = None,
    members: tuple[User, ...] = (),
    organisations: tuple[Organisation, ...] = (),
) -> System:
    return system_create(
        workspace=workspace,
        created_by=by,
        data=SystemInput(
            name=name,
            scale=_scale(workspace, scale),
            purpose=purpose,
            parent=parent,
            members=members,
            organisations=organisations,
        ),
    )


def _entry(
    workspace: Workspace,
    author: User,
    cycle: Cycle,
    kind: str,
    text: str,
    *,
    phase: str,
    visibility: int = ShareLevel.TEAM,
    themes: tuple = (),
    person: Person | None = None,
    experiment: object = None,
    days_ago: int = 0,
) -> Entry:
    """Log an entry (it happened `days_ago` days ago) and widen it one step at a time, as a
    person would."""
    entry = entry_create(
        workspace=workspace,
        author=author,
        cycle=cycle,
        kind=kind,
        text=text,
        phase=phase,
        themes=themes,
        person=person,
        visibility=min(visibility, ShareLevel.TEAM),
        experiment=experiment,  # type: ignore[arg-type]
        happened_on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )
    for level in range(ShareLevel.TEAM + 1, visibility + 1):
        entry = entry_update(
            workspace=workspace,
            entry=entry,
            editor=author,
            kind=kind,
            phase=phase,
            text=text,
            themes=themes,
            person=person,
            visibility=level,
        )
    return entry


def _backdate(shift: PhaseShift, *, days_ago: int) -> PhaseShift:
    """A phase move made `days_ago` days ago, so the demo's timelines read in order."""
    shifted_at = timezone.now() - datetime.timedelta(days=days_ago)
    PhaseShift.objects.filter(pk=shift.pk).update(shifted_at=shifted_at)
    return shift


def _map(workspace: Workspace, system: System, actors: list, factors: list, links: list) -> None:
    nodes: dict[str, tuple] = {}
    for name, kind, role, participation in actors:
        actor = actor_create(
            workspace=workspace,
            system=system,
            name=name,
            kind=kind,
            role=role,
            participation=participation,
        )
        nodes[name] = ("actor", actor.pk)
    for name, description in factors:
        nodes[name] = (
            "factor",
            factor_create(
                workspace=workspace, system=system, name=name, description=description
            ).pk,
        )
    for source, target, sign, label in links:
        relationship_create(
            workspace=workspace,
            system=system,
            source=nodes[source],
            target=nodes[target],
            sign=sign,
            label=label,
        )


def seed_eastbridge(workspace: Workspace, users: dict[str, User]) -> None:
    admin, manager, jo = users["admin"], users["manager"], users["practitioner"]
    today = timezone.localdate()
    scales_ensure_defaults(workspace=workspace)
    council = Organisation.objects.get(workspace=workspace, name="Eastbridge Borough Council")
    advice = Organisation.objects.get(workspace=workspace, name="Eastbridge Citizens Advice")

    place = _system(
        workspace,
        admin,
        "Eastbridge",
        3,
        "Everyone in Eastbridge can keep a secure home and manage their money without fear.",
        organisations=(council, advice),
        members=(admin,),
    )
    org = _system(
        workspace,
        admin,
        "Eastbridge Borough Council",
        2,
        "The council's services work together around the people who need them.",
        parent=place,
        organisations=(council,),
        members=(manager, admin),
    )
    team = _system(
        workspace,
        manager,
        "Council tax support team",
        1,
        "People who fall behind with council tax get back on their feet, rather than into "
        "enforcement.",
        parent=org,
        organisations=(council,),
        members=(jo,),
    )
    d_life = _system(
        workspace,
        jo,
        "Mrs D's life",
        0,
        "Mrs D can stay in her flat, near her sister, without dreading the post.",
        parent=team,
        members=(jo,),
    )
    _system(
        workspace,
        jo,
        "Kay's life",
        0,
        "Kay can keep her job and her flat while she sorts out what she owes.",
        parent=team,
        members=(jo,),
    )

    mrs_d = person_create(
        workspace=workspace,
        created_by=jo,
        alias="Mrs D",
        system=d_life,
        what_matters="“I want to stop being frightened of the post, and I want to stay near my "
        "sister.”",
        strengths="Keeps a careful notebook of every bill. Her sister visits daily.",
    )
    consent_record(
        workspace=workspace,
        person=mrs_d,
        level=ShareLevel.SHARED_UPWARD,
        recorded_by=jo,
        note="Talked through at her kitchen table; she wants others to learn from her story.",
    )
    identity_set(
        workspace=workspace,
        person=mrs_d,
        actor=jo,
        name="Doreen Marsh (invented)",
        date_of_birth=datetime.date(1951, 3, 14),
        contact="Flat 4, Orchard House (invented)",
    )

    fear = theme_create(
        workspace=workspace,
        created_by=manager,
        name="Fear of brown envelopes",
        kind="problem",
        description="Letters that frighten people into silence.",
    )
    several = theme_create(
        workspace=workspace,
        created_by=manager,
        name="Owing several parts of the council",
        kind="problem",
    )
    person_not_case = theme_create(
        workspace=workspace,
        created_by=manager,
        name="Treated as a person, not a case",
        kind="aspiration",
    )
    theme_create(workspace=workspace, created_by=manager, name="A secure home", kind="aspiration")

    cycle = cycle_create(
        workspace=workspace,
        created_by=manager,
        system=team,
        name="Learning with people in council tax debt",
        purpose="Find out what helps people who fall behind, by building relationships instead "
        "of enforcing.",
        learning_questions="What stops people from talking to us? What happens when we call "
        "before we write?",
    )
    cycle_member_add(workspace=workspace, cycle=cycle, user=jo)

    story = _entry(
        workspace,
        jo,
        cycle,
        "story",
        (
            "Mrs D had not opened a letter from the council for eight months. She said the brown "
            "envelopes made her feel sick, so they went into a drawer. We opened them together at "
            "her kitchen table: her council tax was £640 behind, her rent account was in arrears "
            "too, and she had never claimed the single person discount."
        ),
        phase=Phase.UNDERSTAND,
        days_ago=75,
        visibility=ShareLevel.SHARED_UPWARD,
        themes=(fear, several),
        person=mrs_d,
    )
    _entry(
        workspace,
        jo,
        cycle,
        "observation",
        (
            "Three of the last five people we visited owed money both to council tax and to the "
            "housing income team. Each team chased separately; neither knew about the other."
        ),
        phase=Phase.UNDERSTAND,
        days_ago=68,
        visibility=ShareLevel.CYCLE,
        themes=(several,),
    )
    _backdate(
        cycle_shift_phase(
            workspace=workspace,
            cycle=cycle,
            to_phase=Phase.CO_DESIGN,
            shifted_by=jo,
            reason="We had heard enough stories to see a pattern: people hide from "
            "our letters, so our letters make things worse.",
        ),
        days_ago=60,
    )
    _entry(
        workspace,
        jo,
        cycle,
        "idea",
        (
            "What if one worker held the whole relationship with the council for a person — "
            "council tax, rent and benefits — instead of three teams writing three letters?"
        ),
        phase=Phase.CO_DESIGN,
        days_ago=50,
        visibility=ShareLevel.CYCLE,
        themes=(several, person_not_case),
    )
    _entry(
        workspace,
        jo,
        cycle,
        "reflection",
        (
            "I noticed I wanted to tick the *arrangement made* box more than I wanted to "
            "understand what was going on for Kay. Writing it down so I remember."
        ),
        phase=Phase.CO_DESIGN,
        days_ago=45,
        visibility=ShareLevel.PRIVATE,
    )
    _backdate(
        cycle_shift_phase(
            workspace=workspace,
            cycle=cycle,
            to_phase=Phase.EXPERIMENT,
            shifted_by=manager,
            reason="Two ideas are ready to try, safely, with a handful of households.",
        ),
        days_ago=35,
    )
    barrier = _entry(
        workspace,
        jo,
        cycle,
        "barrier",
        (
            "The collection procedure sends a reminder 14 days after a missed payment, even when "
            "we are already working with the person. Kay's reminder undid two weeks of trust. We "
            "can't change the procedure in the team."
        ),
        phase=Phase.EXPERIMENT,
        days_ago=30,
        visibility=ShareLevel.SHARED_UPWARD,
        themes=(fear,),
    )
    insight = _entry(
        workspace,
        manager,
        cycle,
        "insight",
        (
            "People do not see *council tax* and *rent* as different debts: they see one council "
            "that keeps writing to them."
        ),
        phase=Phase.EXPERIMENT,
        days_ago=28,
        visibility=ShareLevel.SHARED_UPWARD,
        themes=(several, person_not_case),
    )

    _map(
        workspace,
        team,
        actors=[
            (
                "Mrs D",
                Actor.Kind.PERSON,
                "Lives alone; behind with council tax and rent",
                Participation.HEARD,
            ),
            (
                "Council tax support team",
                Actor.Kind.SERVICE,
                "Visits and builds a plan",
                Participation.TAKING_PART,
            ),
            (
                "Housing income team",
                Actor.Kind.SERVICE,
                "Collects rent arrears",
                Participation.INVITED,
            ),
            (
                "Citizens Advice Eastbridge",
                Actor.Kind.ORGANISATION,
                "Independent debt advice",
                Participation.INVITED,
            ),
            (
                "Enforcement agents",
                Actor.Kind.SERVICE,
                "Collect debts referred to them",
                Participation.NOT_YET,
            ),
        ],
        factors=[
            ("Fear of opening letters", "Letters are avoided, so problems grow unseen."),
            ("Arrears grow", ""),
            ("Enforcement fees", "Fees added when a debt goes to enforcement agents."),
            ("Trust in the council", ""),
            ("Benefits not claimed", "Discounts and support people are entitled to but miss."),
        ],
        links=[
            ("Fear of opening letters", "Arrears grow", "+", "unseen, unpaid"),
            ("Arrears grow", "Enforcement fees", "+", ""),
            ("Enforcement fees", "Fear of opening letters", "+", "more letters, more fear"),
            ("Trust in the council", "Fear of opening letters", "-", ""),
            ("Benefits not claimed", "Arrears grow", "+", ""),
            ("Council tax support team", "Mrs D", "", "visits at home"),
            ("Citizens Advice Eastbridge", "Mrs D", "", "advice"),
            ("Housing income team", "Council tax support team", "", "not yet talking"),
        ],
    )
    snapshot_take(
        workspace=workspace, system=team, taken_by=jo, label="Before we started calling first"
    )

    running = experiment_create(
        workspace=workspace,
        cycle=cycle,
        created_by=jo,
        design=ExperimentDesign(
            title="Phone before the reminder letter",
            what_we_will_try="Call people who miss a payment before any reminder is sent, and "
            "offer a visit.",
            why="Reminders frighten people into silence (see Mrs D's story).",
            prediction="More people will talk to us and fewer will reach enforcement; some will "
            "not want a call at all.",
            how_we_will_know="Stories from each call; how many households agree to a visit; "
            "what they tell us about the call.",
            safe_to_fail_limits="Five households a week; anyone who asks not to be called "
            "gets letters as before.",
            starts_on=today - datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=22),
            owner=jo,
            people=[mrs_d],
        ),
    )
    experiment_start(workspace=workspace, experiment=running, started_by=jo)
    _entry(
        workspace,
        jo,
        cycle,
        "observation",
        (
            "Week 2 check-in: four of five households picked up. Two asked for a visit. One man "
            "said it was the first time anyone from the council had asked how he was."
        ),
        phase=Phase.EXPERIMENT,
        days_ago=6,
        visibility=ShareLevel.CYCLE,
        experiment=running,
    )

    for title, outcome, learnt, weeks_ago in (
        (
            "Text message nudges",
            "stop_learnt",
            "People told us the texts felt like being chased by a debt collector; two blocked "
            "the number. We stopped after three weeks: the relationship matters more than the "
            "channel the reminder comes through.",
            10,
        ),
        (
            "Pause enforcement while a plan is built",
            "amplify",
            "With a 60-day pause none of the twelve households was referred to enforcement "
            "agents, and half cleared their arrears within six months. We are asking the "
            "organisation cycle to make the pause the default.",
            20,
        ),
    ):
        experiment = experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=jo,
            design=ExperimentDesign(
                title=title,
                what_we_will_try=title + ".",
                prediction="People will engage sooner.",
                how_we_will_know="What people tell us, and whether they stay in touch.",
                starts_on=today - datetime.timedelta(weeks=weeks_ago),
                ends_on=today - datetime.timedelta(weeks=weeks_ago - 3),
                owner=jo,
            ),
        )
        experiment_start(workspace=workspace, experiment=experiment, started_by=jo)
        experiment_end(
            workspace=workspace, experiment=experiment, ended_by=jo, outcome=outcome, learnt=learnt
        )

    org_cycle = cycle_create(
        workspace=workspace,
        created_by=manager,
        system=org,
        name="One council around the person",
        purpose="Learn from the teams below what our own rules and structures do to people in "
        "debt, and change what gets in their way.",
        learning_questions="Which of our procedures make people hide from us?",
    )
    _entry(
        workspace,
        manager,
        org_cycle,
        "observation",
        (
            "The council tax support team and the housing income team both raised the same "
            "problem this month: two teams, two letters, one frightened household."
        ),
        phase=Phase.UNDERSTAND,
        days_ago=21,
        visibility=ShareLevel.CYCLE,
        themes=(several,),
    )
    _entry(
        workspace,
        manager,
        org_cycle,
        "decision",
        (
            "We will test a single named contact for households who owe both council tax and "
            "rent, with the collection procedure paused for them while it runs."
        ),
        phase=Phase.UNDERSTAND,
        days_ago=14,
        visibility=ShareLevel.CYCLE,
        themes=(several, person_not_case),
    )

    person_cycle = cycle_create(
        workspace=workspace,
        created_by=jo,
        system=d_life,
        name="Living well with Mrs D",
        purpose="Work out with Mrs D what would let her stop dreading the post.",
        phase=Phase.CO_DESIGN,
    )
    _entry(
        workspace,
        jo,
        person_cycle,
        "decision",
        (
            "Mrs D and her sister will open the post together on Fridays; Jo visits every other "
            "Friday for the first month."
        ),
        phase=Phase.CO_DESIGN,
        days_ago=40,
        visibility=ShareLevel.TEAM,
        person=mrs_d,
    )

    # Connected cycles: a second team below the council, whose stories make a pattern with the
    # first; a barrier relayed up and answered; an enabler coming down; a question sent back.
    dev = users["housing"]
    housing = _system(
        workspace,
        manager,
        "Housing income team",
        1,
        "Tenants who fall behind with rent keep their homes.",
        parent=org,
        organisations=(council,),
        members=(dev,),
    )
    housing_cycle = cycle_create(
        workspace=workspace,
        created_by=dev,
        system=housing,
        name="Rent arrears: listening before chasing",
        purpose="Understand why tenants stop answering us, and what would help them keep their "
        "homes.",
        phase=Phase.UNDERSTAND,
    )
    stories = (
        (
            "Mr A told us he had stopped opening anything with the council's logo. The rent "
            "letters and the council tax letters looked the same to him: one council, angry.",
            (fear, several),
        ),
        (
            "A tenant with three children owed rent and council tax. She had paid council tax "
            "first because those letters mentioned bailiffs, and fell further behind on rent.",
            (several,),
        ),
        (
            "Two tenants this week had had a council tax visit the same fortnight as our rent "
            "letter. Neither team knew about the other's contact.",
            (several, fear),
        ),
    )
    for i, (text, themes) in enumerate(stories):  # over three months: patterns by month
        _entry(
            workspace,
            dev,
            housing_cycle,
            "story",
            text,
            phase=Phase.UNDERSTAND,
            days_ago=70 - 30 * i,
            visibility=ShareLevel.SHARED_UPWARD,
            themes=themes,
        )

    link_add(
        workspace=workspace,
        cycle=cycle,
        other=housing_cycle,
        kind="peer",
        reason="We often work with the same households, from two sides of the council.",
        created_by=jo,
    )
    source_add(workspace=workspace, entry=insight, added_by=manager, source_entry=story)

    manager_membership = Membership.objects.get(workspace=workspace, user=manager)
    route = barrier_raise(workspace=workspace, entry=barrier, to_cycle=org_cycle, raised_by=jo)
    barrier_answer(
        workspace=workspace,
        route=route,
        answered_by=manager_membership,
        state="acknowledged",
        text="We see it. Taking it to the head of revenues this week.",
    )
    barrier_answer(
        workspace=workspace,
        route=route,
        answered_by=manager_membership,
        state="changed",
        text="Reminders now pause automatically for 60 days for households a team is working "
        "with. The team flags them in the collection system.",
    )
    enabler_create(
        workspace=workspace,
        cycle=org_cycle,
        created_by=manager_membership,
        kind="rule_change",
        text="Teams may pause collection reminders for households they are working with.",
        barrier_route=route,
        for_cycles=(cycle, housing_cycle),
    )
    question = context_question_send(
        workspace=workspace,
        asked_from=org_cycle,
        asked_by=manager,
        text="What do people tell you about getting letters from two of our teams at once?",
        origin={"label": "Theme “Owing several parts of the council”, this month"},
        cycles=(cycle, housing_cycle),
    )
    context_answer_create(
        workspace=workspace,
        target=question.targets.get(cycle=cycle),
        author=jo,
        text="That it feels like being chased by two bailiffs. Mrs D thought the second letter "
        "meant the first payment had been lost.",
    )


def seed_northmoor(workspace: Workspace, users: dict[str, User]) -> None:
    admin, steward, priya = users["admin"], users["steward"], users["outreach"]
    scales_ensure_defaults(workspace=workspace)
    council = Organisation.objects.get(workspace=workspace, name="Northmoor City Council")
    place = _system(
        workspace,
        steward,
        "Northmoor",
        3,
        "Nobody in Northmoor has to sleep rough, and everyone facing homelessness is met as a "
        "person.",
        organisations=tuple(Organisation.objects.filter(workspace=workspace)),
        members=(steward, admin),
    )
    team = _system(
        workspace,
        steward,
        "Street outreach team",
        1,
        "People sleeping rough find a way inside that works for them.",
        parent=place,
        organisations=(council,),
        members=(priya,),
    )
    cycle = cycle_create(
        workspace=workspace,
        created_by=steward,
        system=team,
        name="Outreach: what helps people come inside",
        purpose="Learn, with people sleeping rough, what makes a way inside worth taking.",
    )
    cycle_member_add(workspace=workspace, cycle=cycle, user=priya)
    lee = person_create(
        workspace=workspace,
        created_by=priya,
        alias="Lee",
        what_matters="“Somewhere I can keep my dog.”",
        strengths="Knows everyone on the street; looks out for younger people.",
    )
    consent_record(
        workspace=workspace,
        person=lee,
        level=ShareLevel.TEAM,
        recorded_by=priya,
        note="Asked on the bench outside the library; agreed the team may know.",
    )
    _entry(
        workspace,
        priya,
        cycle,
        "story",
        (
            "Lee turned down the hostel place again. Not because of the rules — because his dog "
            "can't come. Nobody had asked him about the dog."
        ),
        phase=Phase.UNDERSTAND,
        days_ago=12,
        visibility=ShareLevel.TEAM,
        person=lee,
    )
    _entry(
        workspace,
        priya,
        cycle,
        "question",
        (
            "How many of the people who refuse a place are refusing the place, and how many are "
            "refusing what they would have to give up?"
        ),
        phase=Phase.UNDERSTAND,
        days_ago=5,
        visibility=ShareLevel.CYCLE,
    )


def seed_cycles_demo(workspaces: dict[str, Workspace], users: dict[str, User]) -> None:
    """Seed each workspace's systems and cycles once (skipped if it already has systems).
    A cycle's creator takes part in it from the start."""
    from devtools.demo_stewardship import seed_northmoor_stewardship
    from hls.tenancy.context import tenant_scope

    for slug, seed in (("eastbridge", seed_eastbridge), ("northmoor", seed_northmoor)):
        workspace = workspaces[slug]
        with tenant_scope(workspace_id=workspace.pk):
            if not System.objects.filter(workspace=workspace).exists():
                seed(workspace, users)
            if slug == "northmoor":
                seed_northmoor_stewardship(workspace, users)
