"""No lost update (hls/conflicts.py), for every form where two people (or one person in two
tabs) can edit the same thing. Generated over CASES: each names a form page, the free-text field
a person types in, the two editors, and how to read the stored text back. For each:

- both open the form; the first saves; the second saves from the now stale page and gets 409,
  with both versions on the page and their own text still in the form; the first text is intact;
- the second then saves their combined text from that page (it names the new revision), and it
  is stored.

A new guarded form joins by adding a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import pytest
from django.test import Client

from cycles.models import BarrierResponse, Cycle, Entry, Experiment, Measure, Theme, WhatMatters
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from stewardship.models import (
    Charter,
    LearningTime,
    Occurrence,
    PlaceSetup,
    Principle,
    Question,
    ReportSection,
    Session,
)
from stewardship.sessions.recurrence import slot_at
from systems.models import Actor, Factor, Person, Relationship, ShareLevel, System
from tests.conftest import signed_in
from tests.factories import (
    ActorFactory,
    BarrierRouteFactory,
    CharterFactory,
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    ExperimentFactory,
    FactorFactory,
    MeasureFactory,
    PersonFactory,
    PrincipleFactory,
    QuestionFactory,
    RelationshipFactory,
    ReportSectionFactory,
    ScaleFactory,
    SessionCycleFactory,
    SessionFactory,
    SessionParticipantFactory,
    SystemFactory,
    SystemMemberFactory,
    ThemeFactory,
    WhatMattersFactory,
)
from tests.page_forms import form_with

FIRST = "First words: the letters frighten people more than the debt."
SECOND = "Second words: call before the letter, not after."
MERGED = f"{FIRST}\n{SECOND}"


@dataclass
class Case:
    url: str  # the form's page; the form posts back to it
    field: str  # what a person types
    first: Membership
    second: Membership
    stored: Callable[[], str]  # the saved text, read back
    saved_status: int = 302
    counter: str = "revision"  # the form's hidden edit counter (report sections: "version")
    extra: dict[str, str] = field(default_factory=dict)  # what else a person types on a save
    saved_by: str = ""  # where the row knows who saved: the 409 names the first person
    post_url: str = ""  # where the form posts, if not back to its page


MakeMember = Callable[..., Membership]


def _read(workspace: Workspace, read: Callable[[], str]) -> Callable[[], str]:
    def stored() -> str:
        with tenant_scope(workspace_id=workspace.pk):
            return read()

    return stored


# Cases ------------------------------------------------------------------------------------------


def meeting_notes(workspace: Workspace, make_member: MakeMember) -> Case:
    """The facilitator and a steward on the same meeting's facilitation page."""
    fay = make_member(workspace, Role.PRACTITIONER, email="fay@riverside.test", full_name="Fay")
    stew = make_member(workspace, Role.STEWARD, email="stew@riverside.test", full_name="Stew")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=fay.user)
        session = SessionFactory(
            workspace=workspace, facilitator=fay.user, rrule="FREQ=WEEKLY;COUNT=3"
        )
        SessionCycleFactory(workspace=workspace, session=session, cycle=cycle)
        SessionParticipantFactory(workspace=workspace, session=session, user=fay.user)
        key = slot_at(session, session.starts_at).key

    def read() -> str:
        return Occurrence.objects.get(session=session).notes

    return Case(
        url=f"/w/{workspace.slug}/sessions/{session.pk}/meetings/{key}/facilitate/",
        field="notes",
        first=fay,
        second=stew,
        stored=_read(workspace, read),
    )


def session_description(workspace: Workspace, make_member: MakeMember) -> Case:
    """The facilitator and a steward change a session's own edit form (title, what it is for,
    time and series)."""
    fay = make_member(workspace, Role.PRACTITIONER, email="fay@riverside.test", full_name="Fay")
    stew = make_member(workspace, Role.STEWARD, email="stew@riverside.test", full_name="Stew")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        session = SessionFactory(  # the rule as the form writes it
            workspace=workspace, facilitator=fay.user, rrule="FREQ=WEEKLY;INTERVAL=1;COUNT=4"
        )
        SessionCycleFactory(workspace=workspace, session=session, cycle=cycle)
    return Case(
        url=f"/w/{workspace.slug}/sessions/{session.pk}/edit/",
        field="description",
        first=fay,
        second=stew,
        stored=_read(workspace, lambda: Session.objects.get(pk=session.pk).description),
    )


def entry_text(workspace: Workspace, make_member: MakeMember) -> Case:
    """Only an entry's author changes it, so the two editors are one person in two tabs (or on
    two devices): the same lost update."""
    pat = make_member(workspace, Role.PRACTITIONER, email="pat@riverside.test", full_name="Pat")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=pat.user)
        entry = EntryFactory(workspace=workspace, cycle=cycle, author=pat.user, visibility=2)
    return Case(
        url=f"/w/{workspace.slug}/entries/{entry.pk}/edit/",
        field="text",
        first=pat,
        second=pat,
        stored=_read(workspace, lambda: Entry.objects.get(pk=entry.pk).text),
    )


def experiment_design(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two members of the cycle change a planned experiment's design."""
    ann = make_member(workspace, Role.MANAGER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        for m in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
        experiment = ExperimentFactory(workspace=workspace, cycle=cycle, owner=ann.user)
    return Case(
        url=f"/w/{workspace.slug}/experiments/{experiment.pk}/edit/",
        field="prediction",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Experiment.objects.get(pk=experiment.pk).prediction),
    )


def cycle_purpose(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two members of a cycle on its edit form."""
    ann = make_member(workspace, Role.MANAGER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        for m in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
    return Case(
        url=f"/w/{workspace.slug}/cycles/{cycle.pk}/edit/",
        field="purpose",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Cycle.objects.get(pk=cycle.pk).purpose),
    )


def _place(workspace: Workspace, make_member: MakeMember) -> tuple[Membership, Membership, Cycle]:
    """A place cycle set up by two stewards inside it."""
    sam = make_member(workspace, Role.STEWARD, email="sam@riverside.test", full_name="Sam")
    kit = make_member(workspace, Role.STEWARD, email="kit@riverside.test", full_name="Kit")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="Riverside alliance")
        for m in (sam, kit):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
        PlaceSetup.objects.create(workspace=workspace, cycle=cycle)
        charter = CharterFactory(workspace=workspace, cycle=cycle)
        PrincipleFactory(workspace=workspace, charter=charter, title="Start with people")
    return sam, kit, cycle


def place_purpose(workspace: Workspace, make_member: MakeMember) -> Case:
    """The place set-up's purpose step (the cycle's purpose, guarded by the same revision)."""
    sam, kit, cycle = _place(workspace, make_member)
    return Case(
        url=f"/w/{workspace.slug}/place-cycles/{cycle.pk}/setup/purpose/",
        field="purpose",
        first=sam,
        second=kit,
        stored=_read(workspace, lambda: Cycle.objects.get(pk=cycle.pk).purpose),
    )


def charter_preamble(workspace: Workspace, make_member: MakeMember) -> Case:
    sam, kit, cycle = _place(workspace, make_member)
    return Case(
        url=f"/w/{workspace.slug}/place-cycles/{cycle.pk}/setup/principles/",
        field="preamble",
        first=sam,
        second=kit,
        stored=_read(workspace, lambda: Charter.objects.get(cycle=cycle).preamble),
    )


def principle_description(workspace: Workspace, make_member: MakeMember) -> Case:
    sam, kit, cycle = _place(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        principle = Principle.objects.get(charter__cycle=cycle)
    return Case(
        url=f"/w/{workspace.slug}/place-cycles/principles/{principle.pk}/edit/",
        field="description",
        first=sam,
        second=kit,
        stored=_read(workspace, lambda: Principle.objects.get(pk=principle.pk).description),
    )


def report_section(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two stewards co-authoring a draft learning report's section (its counter is `version`,
    the API's wire name)."""
    sam = make_member(workspace, Role.STEWARD, email="sam@riverside.test", full_name="Sam")
    kit = make_member(workspace, Role.PRACTITIONER, email="kit@riverside.test", full_name="Kit")
    with tenant_scope(workspace_id=workspace.pk):
        section = ReportSectionFactory(workspace=workspace, report__workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/report-sections/{section.pk}/edit/",
        field="body",
        first=sam,
        second=kit,
        stored=_read(workspace, lambda: ReportSection.objects.get(pk=section.pk).body),
        counter="version",
    )


def _two_mappers(workspace: Workspace, make_member: MakeMember) -> tuple[Membership, Membership]:
    ann = make_member(workspace, Role.MANAGER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.STEWARD, email="ben@riverside.test", full_name="Ben")
    return ann, ben


def system_purpose(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two people mapping one system of interest change its purpose (a boundary change, so
    each save says why)."""
    ann, ben = _two_mappers(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        system = SystemFactory(workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/systems/{system.pk}/edit/",
        field="purpose",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: System.objects.get(pk=system.pk).purpose),
        extra={"reason": "We heard it differently at the meeting."},
    )


def actor_role(workspace: Workspace, make_member: MakeMember) -> Case:
    ann, ben = _two_mappers(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        actor = ActorFactory(workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/map/actors/{actor.pk}/edit/",
        field="role",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Actor.objects.get(pk=actor.pk).role),
    )


def factor_description(workspace: Workspace, make_member: MakeMember) -> Case:
    ann, ben = _two_mappers(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        factor = FactorFactory(workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/map/factors/{factor.pk}/edit/",
        field="description",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Factor.objects.get(pk=factor.pk).description),
    )


def link_label(workspace: Workspace, make_member: MakeMember) -> Case:
    """A link of the map between two factors: its label (what the edge means)."""
    ann, ben = _two_mappers(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        link = RelationshipFactory(workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/map/links/{link.pk}/edit/",
        field="label",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Relationship.objects.get(pk=link.pk).label),
    )


def theme_description(workspace: Workspace, make_member: MakeMember) -> Case:
    ann, ben = _two_mappers(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        theme = ThemeFactory(workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/themes/{theme.pk}/edit/",
        field="description",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Theme.objects.get(pk=theme.pk).description),
    )


def person_what_matters(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two practitioners in the team of one person's own life change the person's record."""
    pat = make_member(workspace, Role.PRACTITIONER, email="pat@riverside.test", full_name="Pat")
    kim = make_member(workspace, Role.PRACTITIONER, email="kim@riverside.test", full_name="Kim")
    with tenant_scope(workspace_id=workspace.pk):
        life = SystemFactory(
            workspace=workspace, scale=ScaleFactory(workspace=workspace, is_person_scale=True)
        )
        for m in (pat, kim):
            SystemMemberFactory(workspace=workspace, system=life, user=m.user)
        person = PersonFactory(workspace=workspace, system=life, alias="Robin")
    return Case(
        url=f"/w/{workspace.slug}/people/{person.pk}/edit/",
        field="what_matters",
        first=pat,
        second=kim,
        stored=_read(workspace, lambda: Person.objects.get(pk=person.pk).what_matters),
        saved_by="Pat",
    )


def question_wording(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two stewards edit one question of the bank (each saved wording is kept in its history;
    its version is the edit counter)."""
    sam = make_member(workspace, Role.STEWARD, email="sam@riverside.test", full_name="Sam")
    lee = make_member(workspace, Role.LEARNING_PARTNER, email="lee@riverside.test", full_name="Lee")
    with tenant_scope(workspace_id=workspace.pk):
        question = QuestionFactory(workspace=workspace)
    return Case(
        url=f"/w/{workspace.slug}/question-bank/{question.pk}/edit/",
        field="text",
        first=sam,
        second=lee,
        stored=_read(workspace, lambda: Question.objects.get(pk=question.pk).text),
        saved_by="Sam",
    )


def barrier_answer(workspace: Workspace, make_member: MakeMember) -> Case:
    """A manager and a steward of the cycle a barrier was raised to answer it from two pages.
    Each answer is a new row, but it moves the barrier's state: the second answer, written
    without having seen the first, is refused with the answers given since."""
    ann = make_member(workspace, Role.MANAGER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.STEWARD, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        place = SystemFactory(workspace=workspace, name="Riverside place")
        team = SystemFactory(workspace=workspace, parent=place, scale=place.scale)
        above = CycleFactory(workspace=workspace, system=place, name="Place cycle")
        below = CycleFactory(workspace=workspace, system=team, name="Team cycle")
        for m in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=above, user=m.user)
        entry = EntryFactory(
            workspace=workspace, cycle=below, kind="barrier", visibility=ShareLevel.SHARED_UPWARD
        )
        route = BarrierRouteFactory(workspace=workspace, entry=entry, to_cycle=above)

    def read() -> str:
        last = BarrierResponse.objects.filter(route=route).order_by("-pk").first()
        return last.text if last else ""

    return Case(
        url=f"/w/{workspace.slug}/barriers/{route.pk}/",
        post_url=f"/w/{workspace.slug}/barriers/{route.pk}/answer/",
        field="text",
        first=ann,
        second=ben,
        stored=_read(workspace, read),
        extra={"state": "working"},
        saved_by="Ann",
    )


def learning_time_how(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two people inside a cycle change how it makes time for learning (its burden ledger)."""
    ann = make_member(workspace, Role.PRACTITIONER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        for who in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=who.user)
        LearningTime.objects.create(workspace=workspace, cycle=cycle, hours=2, per="week")
    return Case(
        url=f"/w/{workspace.slug}/cycles/{cycle.pk}/learning-time/",
        field="how",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: LearningTime.objects.get(cycle=cycle).how),
        saved_by="Ann",
    )


def method_template_summary(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two people adapt the same method template in the structured editor (its steps too)."""
    from stewardship.methods.services import template_copy
    from stewardship.models import MethodTemplate

    ann = make_member(workspace, Role.STEWARD, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        template = template_copy(workspace=workspace, user=ann.user, key="rapid_learning")
    return Case(
        url=f"/w/{workspace.slug}/methods/templates/{template.pk}/edit/",
        field="summary",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: MethodTemplate.objects.get(pk=template.pk).summary),
    )


def method_group_answer(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two people taking part in a method run write the group's answer to a step at once."""
    from stewardship.methods import services as methods
    from stewardship.models import RunAnswer

    ann = make_member(workspace, Role.PRACTITIONER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    steps = {
        "steps": [
            {"key": "frame", "title": "Frame", "who": "group",
             "fields": [{"key": "topic", "label": "Topic", "type": "long_text"}]},
        ]
    }  # fmt: skip
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        for who in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=who.user)
        template = methods.template_create(
            workspace=workspace, user=ann.user,
            fields=methods.TemplateFields("Framing", "", "", ["experiment"], [], steps),
        )  # fmt: skip
        run = methods.run_start(workspace=workspace, user=ann.user, cycle=cycle, template=template)
        methods.run_join(workspace=workspace, run=run, user=ben.user)

    def read() -> str:
        answer = RunAnswer.objects.filter(run=run, step="frame").first()
        return answer.data["topic"] if answer else ""

    return Case(
        url=f"/w/{workspace.slug}/runs/{run.pk}/",
        post_url=f"/w/{workspace.slug}/runs/{run.pk}/answer/",
        field="topic",
        first=ann,
        second=ben,
        stored=_read(workspace, read),
    )


def _measure_world(
    workspace: Workspace, make_member: MakeMember
) -> tuple[Membership, Membership, Cycle]:
    ann = make_member(workspace, Role.PRACTITIONER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        for who in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=who.user)
    return ann, ben, cycle


def measure_question(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two people inside a cycle change what one of its measures is for."""
    ann, ben, cycle = _measure_world(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        measure = MeasureFactory(workspace=workspace, cycle=cycle, visibility=ShareLevel.CYCLE)
    return Case(
        url=f"/w/{workspace.slug}/measures/{measure.pk}/edit/",
        field="learning_question",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Measure.objects.get(pk=measure.pk).learning_question),
    )


def measure_signal_note(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two people inside a cycle write what they make of a measure's chart."""
    ann, ben, cycle = _measure_world(workspace, make_member)
    with tenant_scope(workspace_id=workspace.pk):
        measure = MeasureFactory(workspace=workspace, cycle=cycle, visibility=ShareLevel.CYCLE)
    return Case(
        url=f"/w/{workspace.slug}/measures/{measure.pk}/",
        post_url=f"/w/{workspace.slug}/measures/{measure.pk}/note/",
        field="note",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: Measure.objects.get(pk=measure.pk).signal_note),
    )


def what_matters_words(workspace: Workspace, make_member: MakeMember) -> Case:
    """A person's keyworker and a colleague in their cycle write what matters in their words."""
    ann = make_member(workspace, Role.PRACTITIONER, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    with tenant_scope(workspace_id=workspace.pk):
        life = SystemFactory(
            workspace=workspace, scale=ScaleFactory(workspace=workspace, is_person_scale=True)
        )
        cycle = CycleFactory(workspace=workspace, system=life)
        for who in (ann, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=who.user)
        person = PersonFactory(workspace=workspace, system=life)
        item = WhatMattersFactory(workspace=workspace, cycle=cycle, person=person)
    return Case(
        url=f"/w/{workspace.slug}/cycles/{cycle.pk}/what-matters/",
        post_url=f"/w/{workspace.slug}/what-matters/{item.pk}/edit/",
        field=f"item-{item.pk}-words",
        counter=f"item-{item.pk}-revision",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: WhatMatters.objects.get(pk=item.pk).words),
    )


def signifier_set_description(workspace: Workspace, make_member: MakeMember) -> Case:
    """Two stewards edit the same signifier set (cycles/signifiers/)."""
    from cycles.models import SignifierSet
    from cycles.signifiers.services import signifier_set_create

    ann = make_member(workspace, Role.STEWARD, email="ann@riverside.test", full_name="Ann")
    ben = make_member(workspace, Role.MANAGER, email="ben@riverside.test", full_name="Ben")
    triad = {"key": "helped", "type": "triad", "prompt": "What helped?",
             "labels": ["People", "Place", "Money"]}  # fmt: skip
    with tenant_scope(workspace_id=workspace.pk):
        found = signifier_set_create(
            workspace=workspace, user=ann.user, name="What helped",
            definition={"signifiers": [triad]},
        )  # fmt: skip
    return Case(
        url=f"/w/{workspace.slug}/signifiers/{found.pk}/edit/",
        field="description",
        first=ann,
        second=ben,
        stored=_read(workspace, lambda: SignifierSet.objects.get(pk=found.pk).description),
    )


CASES = [
    meeting_notes,
    session_description,
    entry_text,
    experiment_design,
    cycle_purpose,
    place_purpose,
    charter_preamble,
    principle_description,
    report_section,
    system_purpose,
    actor_role,
    factor_description,
    link_label,
    theme_description,
    person_what_matters,
    question_wording,
    barrier_answer,
    learning_time_how,
    method_template_summary,
    measure_question,
    measure_signal_note,
    what_matters_words,
    signifier_set_description,
]


# The generated test -----------------------------------------------------------------------------


def _open(client: Client, case: Case) -> dict[str, list[str]]:
    page = client.get(case.url)
    assert page.status_code == 200, page.status_code
    form = form_with(page.content.decode(), case.field)
    assert form.get(case.counter), "the form carries the revision it started from"
    return form


@pytest.mark.parametrize("make", CASES, ids=lambda make: make.__name__)
def test_a_stale_save_is_refused_with_both_versions_then_a_merge_saves(
    make: Callable[[Workspace, MakeMember], Case], workspace: Workspace, make_member: MakeMember
) -> None:
    case = make(workspace, make_member)
    first, second = signed_in(case.first), signed_in(case.second)
    first_form, second_form = _open(first, case), _open(second, case)

    for name, value in case.extra.items():
        first_form[name] = second_form[name] = [value]
    first_form[case.field] = [FIRST]
    target = case.post_url or case.url
    saved = first.post(target, first_form)
    assert saved.status_code == case.saved_status, saved.content.decode()[:2000]
    assert case.stored() == FIRST

    second_form[case.field] = [SECOND]
    refused = second.post(target, second_form)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert escape(FIRST) in html, "theirs is shown"
    assert escape(SECOND) in html, "yours is shown"
    assert 'data-conflict="theirs"' in html
    assert 'data-conflict="yours"' in html
    if case.saved_by:
        assert f"{case.saved_by} saved the version on the left" in html
    assert case.stored() == FIRST, "the first person's text is intact"
    kept = form_with(html, case.field)
    assert kept[case.field] == [SECOND], "the second person's text stays in the form"
    assert kept[case.counter] != second_form[case.counter], "the form names the new revision"

    kept[case.field] = [MERGED]
    merged = second.post(target, kept)
    assert merged.status_code == case.saved_status, merged.content.decode()[:2000]
    assert case.stored() == MERGED

    # and the first person's page, now stale in turn, is refused rather than overwriting
    first_form[case.field] = ["A late change from the first page."]
    assert first.post(target, first_form).status_code == 409
    assert case.stored() == MERGED


@pytest.mark.parametrize(
    "make",
    [session_description, link_label, person_what_matters, question_wording],
    ids=lambda make: make.__name__,
)
def test_a_save_that_changes_nothing_leaves_other_pages_current(
    make: Callable[[Workspace, MakeMember], Case], workspace: Workspace, make_member: MakeMember
) -> None:
    """Saving a form as it is (nothing changed) does not make someone else's open page stale:
    their save then goes through."""
    case = make(workspace, make_member)
    first, second = signed_in(case.first), signed_in(case.second)
    first_form, second_form = _open(first, case), _open(second, case)
    for form in (first_form, second_form):
        form.update({name: [value] for name, value in case.extra.items()})
    target = case.post_url or case.url
    assert first.post(target, first_form).status_code == case.saved_status
    assert _open(first, case)[case.counter] == first_form[case.counter]
    second_form[case.field] = [SECOND]
    assert second.post(target, second_form).status_code == case.saved_status
    assert case.stored() == SECOND


# Autosave --------------------------------------------------------------------------------------


def test_autosave_of_meeting_notes_refuses_a_stale_tab_and_keeps_the_saved_text(
    workspace: Workspace, make_member: MakeMember
) -> None:
    """Two autosaving tabs: each autosave names the revision its page holds; the server gives
    the next one back (X-Revision), so one tab's successive autosaves go through, and the
    other tab's stale autosave answers 409 with a plain message and writes nothing."""
    case = meeting_notes(workspace, make_member)
    first, second = signed_in(case.first), signed_in(case.second)
    start = _open(first, case)["revision"][0]
    assert _open(second, case)["revision"] == [start]
    htmx = {"HX-Request": "true"}

    one = first.post(case.url, {"notes": "We began with", "revision": start}, headers=htmx)
    assert one.status_code == 200
    assert "Saved at" in one.content.decode()
    two = first.post(case.url, {"notes": FIRST, "revision": one["X-Revision"]}, headers=htmx)
    assert two.status_code == 200, "a tab's own successive autosaves never conflict"
    assert int(two["X-Revision"]) == int(one["X-Revision"]) + 1
    assert case.stored() == FIRST

    stale = second.post(case.url, {"notes": SECOND, "revision": start}, headers=htmx)
    assert stale.status_code == 409
    message = stale.content.decode()
    assert "Not saved: Fay saved these notes" in message
    assert "autosave has stopped" in message
    assert stale["X-Revision"] == two["X-Revision"]
    assert case.stored() == FIRST

    # The person presses "Save notes" (the form, not autosave): both versions, text kept.
    page = second.post(case.url, {"notes": SECOND, "revision": start})
    assert page.status_code == 409
    assert escape(FIRST) in page.content.decode()
    assert escape(SECOND) in page.content.decode()


def test_notes_saved_with_no_change_keep_their_revision(
    workspace: Workspace, make_member: MakeMember
) -> None:
    """An autosave of unchanged text (a tab left open) does not make other pages stale."""
    case = meeting_notes(workspace, make_member)
    first = signed_in(case.first)
    start = _open(first, case)["revision"][0]
    htmx = {"HX-Request": "true"}
    saved = first.post(case.url, {"notes": FIRST, "revision": start}, headers=htmx)
    again = first.post(case.url, {"notes": FIRST, "revision": saved["X-Revision"]}, headers=htmx)
    assert again["X-Revision"] == saved["X-Revision"]
