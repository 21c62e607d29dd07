"""The trust matrix: every rule of `cycles.trust.RULES`, for every relation of the viewer, on every
surface that shows or performs it (pages, lists, search, patterns drill-down, the API).

The world is a country, a place, an organisation, two peer teams and two people's own cycles
below team A. Every viewer but the one "elsewhere in the workspace" is an admin, so roles never
decide: only the relation does. A surface a relation cannot reach (the web for a partner key, the
API for a member who is not an admin) is left out. The test fails if any surface names a person,
or offers or performs an action, that the table does not allow; and if the table in
docs/people-and-privacy.md is not the one generated from the code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cycles.barriers.services import barrier_answer, barrier_raise
from cycles.experiments.services import experiment_end
from cycles.models import BarrierRoute, Cycle, CycleLink, Entry, Experiment
from cycles.services import entry_update
from cycles.trust import RULES, Relation, Rule, rules_table
from hls.accounts.models import User
from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from hls.webhooks.events import EVENTS
from hls.webhooks.models import WebhookDelivery
from systems.models import ShareLevel
from tests import factories as f
from tests.api.conftest import client_for
from tests.conftest import signed_in

AUTHOR_NAME = "Zephyrine Quill"
OWNER_NAME = "Zephyrine Quill"
PERSON_FIRST_NAME = "Marguerite"

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_show_the_rules_of_the_code() -> None:
    docs = (ROOT / "docs" / "people-and-privacy.md").read_text()
    assert rules_table() in docs


@dataclass
class World:
    workspace: Workspace
    cycles: dict[str, Cycle]
    entry: Entry
    experiment: Experiment
    other_design: Experiment
    person_entry: Entry
    person_id: int
    barrier: BarrierRoute
    # viewers by subject ("team": team A's cycle; "person": Marguerite's own cycle)
    viewers: dict[str, dict[Relation, Membership]] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)  # user id -> raw API key


def _member(workspace: Workspace, name: str, role: str = Role.ADMIN) -> Membership:
    user = f.UserFactory(full_name=name, email=f"{name.split()[0].lower()}@riverside.test")
    membership: Membership = f.MembershipFactory(workspace=workspace, user=user, role=role)
    return membership


@pytest.fixture
def world(workspace: Workspace) -> World:
    with tenant_scope(workspace_id=workspace.pk):
        scales = {
            name: f.ScaleFactory(
                workspace=workspace, name=name, position=i, is_person_scale=(name == "person")
            )
            for i, name in enumerate(["person", "team", "organisation", "place", "country"])
        }

        def system(name: str, scale: str, parent: Any = None) -> Any:
            return f.SystemFactory(
                workspace=workspace, name=name, scale=scales[scale], parent=parent
            )

        country = system("England", "country")
        place = system("Northmoor", "place", country)
        org = system("Northmoor Council", "organisation", place)
        team_a = system("Team A", "team", org)
        team_b = system("Team B", "team", org)
        life = system(f"{PERSON_FIRST_NAME}'s life", "person", team_a)
        life2 = system("Another life", "person", team_a)
        cycles = {
            key: f.CycleFactory(workspace=workspace, system=s, name=name)
            for key, s, name in [
                ("country", country, "England learning"),
                ("place", place, "Northmoor alliance"),
                ("org", org, "Council learning"),
                ("team", team_a, "Team A learning"),
                ("peer", team_b, "Team B learning"),
                ("person", life, f"{PERSON_FIRST_NAME}'s cycle"),
                ("person_peer", life2, "Another person's cycle"),
            ]
        }
        for a, b in [("team", "peer"), ("person", "person_peer")]:
            f.CycleLinkFactory(
                workspace=workspace, cycle=cycles[a], other=cycles[b], kind=CycleLink.Kind.PEER
            )

        def in_cycle(name: str, cycle: str, role: str = Role.ADMIN) -> Membership:
            m = _member(workspace, name, role)
            f.CycleMemberFactory(workspace=workspace, cycle=cycles[cycle], user=m.user)
            return m

        author = in_cycle(AUTHOR_NAME, "team")
        same = _member(workspace, "Sam Sameteam")
        f.SystemMemberFactory(workspace=workspace, system=team_a, user=same.user)
        above = in_cycle("Orla Organisation", "org")
        further = in_cycle("Pia Place", "place")
        peer = in_cycle("Bea Peerteam", "peer")
        other = _member(workspace, "Wyn Elsewhere", Role.PRACTITIONER)
        admin = _member(workspace, "Ada Admin")
        keyworker = in_cycle("Kit Keyworker", "person")
        life_team = _member(workspace, "Lou Lifeteam")
        f.SystemMemberFactory(workspace=workspace, system=life, user=life_team.user)
        person_peer = in_cycle("Pax Otherlife", "person_peer")

        entry = f.EntryFactory(
            workspace=workspace,
            cycle=cycles["team"],
            author=author.user,
            text="We saw a kingfisher by the bridge on every visit.",
            visibility=ShareLevel.WORKSPACE,
        )
        today = timezone.localdate()
        experiment = f.ExperimentFactory(
            workspace=workspace,
            cycle=cycles["team"],
            owner=author.user,
            title="Kingfisher walks",
            prediction="People will talk more on a walk.",
            starts_on=today - dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=7),
            status=Experiment.Status.RUNNING,
            started_at=timezone.now(),
        )
        other_design = f.ExperimentFactory(
            workspace=workspace, cycle=cycles["peer"], owner=peer.user, title="Open door hour"
        )
        person = f.PersonFactory(
            workspace=workspace,
            system=life,
            created_by=keyworker.user,
            consent_level=ShareLevel.WORKSPACE,
        )
        person_entry = f.EntryFactory(
            workspace=workspace,
            cycle=cycles["person"],
            author=keyworker.user,
            person=person,
            text="A heron came to the allotment.",
            visibility=ShareLevel.WORKSPACE,
        )
        barrier_entry = f.EntryFactory(
            workspace=workspace,
            cycle=cycles["team"],
            author=author.user,
            kind=Entry.Kind.BARRIER,
            text="The form asks for a fixed address.",
            visibility=ShareLevel.SHARED_UPWARD,
        )
        barrier = f.BarrierRouteFactory(
            workspace=workspace,
            entry=barrier_entry,
            from_cycle=cycles["team"],
            to_cycle=cycles["org"],
            raised_by=author.user,
        )
        BarrierRoute.objects.filter(pk=barrier.pk).update(
            raised_at=timezone.now() - dt.timedelta(days=9)
        )
        admins = [author, same, above, further, peer, admin, keyworker, life_team, person_peer]
        keys = {
            m.user.pk: api_key_create(
                workspace=workspace, created_by=m.user, name="Partner", scopes=ALL_SCOPES
            )[1]
            for m in admins
        }
    return World(
        workspace=workspace,
        cycles=cycles,
        entry=entry,
        experiment=experiment,
        other_design=other_design,
        person_entry=person_entry,
        person_id=person.pk,
        barrier=barrier,
        viewers={
            "team": {
                Relation.AUTHOR: author,
                Relation.SAME_CYCLE: same,
                Relation.ABOVE: above,
                Relation.FURTHER_ABOVE: further,
                Relation.PEER: peer,
                Relation.WORKSPACE: other,
                Relation.ADMIN: admin,
                Relation.PARTNER_KEY: further,
            },
            "person": {
                Relation.AUTHOR: keyworker,
                Relation.SAME_CYCLE: life_team,
                Relation.ABOVE: same,
                Relation.FURTHER_ABOVE: above,
                Relation.PEER: person_peer,
                Relation.WORKSPACE: other,
                Relation.ADMIN: admin,
                Relation.PARTNER_KEY: further,
            },
        },
        keys=keys,
    )


# Surfaces ---------------------------------------------------------------------------------------


@dataclass
class Viewer:
    """How one relation reaches the product: a browser (`web`) and/or a partner key (`api`)."""

    relation: Relation
    membership: Membership
    web: Client | None
    api: APIClient | None


def viewer(world: World, subject: str, relation: Relation) -> Viewer:
    m = world.viewers[subject][relation]
    web = None if relation == Relation.PARTNER_KEY else signed_in(m)
    raw = world.keys.get(m.user.pk)
    api = client_for(raw) if raw else None
    return Viewer(relation, m, web, api)


def url(world: World, name: str, *args: Any) -> str:
    return reverse(name, args=[world.workspace.slug, *args])


def page(v: Viewer, path: str, **params: Any) -> str:
    assert v.web is not None
    response = v.web.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def status(client: Client | APIClient, path: str) -> int:
    return client.get(path).status_code


def reachable(code: int) -> bool:
    assert code in (200, 403, 404), code
    return code == 200


def api_post(v: Viewer, path: str, body: dict[str, Any]) -> int:
    assert v.api is not None
    return v.api.post(path, body, format="json").status_code


def api_patch(v: Viewer, path: str, body: dict[str, Any]) -> int:
    assert v.api is not None
    got = v.api.get(path)
    if got.status_code != 200:
        return got.status_code
    return v.api.patch(path, body, format="json", HTTP_IF_MATCH=got["ETag"]).status_code


Observed = dict[str, bool]
# A surface that may name fewer people than the table allows, never more.
AT_MOST = "at most: "


def entry_author_named(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    if v.web is not None:
        timeline = page(v, url(world, "cycle-timeline", world.cycles["team"].pk))
        assert "kingfisher" in timeline
        seen["timeline"] = AUTHOR_NAME in timeline
        found = page(v, url(world, "search"), q="kingfisher")
        assert "kingfisher" in found
        seen["search"] = AUTHOR_NAME in found
        drill = page(v, url(world, "cycle-pattern-entries", world.cycles["org"].pk))
        if "kingfisher" in drill:
            seen[f"{AT_MOST}patterns drill-down"] = AUTHOR_NAME in drill
    if v.api is not None:
        body = v.api.get(f"/api/v1/entries/{world.entry.pk}/").json()
        seen["api"] = body["author"] == world.entry.author_id
    return seen


def entry_changed(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    if v.web is not None:
        timeline = page(v, url(world, "cycle-timeline", world.cycles["team"].pk))
        seen["offered on the timeline"] = url(world, "entry-edit", world.entry.pk) in timeline
        seen["edit page"] = reachable(status(v.web, url(world, "entry-edit", world.entry.pk)))
    if v.api is not None:
        code = api_patch(v, f"/api/v1/entries/{world.entry.pk}/", {"text": "Edited."})
        seen["api"] = reachable(code)
    return seen


def experiment_owner_named(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    if v.web is not None:
        detail = page(v, url(world, "experiment-detail", world.experiment.pk))
        seen["experiment page"] = OWNER_NAME in detail
        listed = page(v, url(world, "experiment-list"))
        assert "Kingfisher walks" in listed
        seen["experiments list"] = OWNER_NAME in listed
        found = page(v, url(world, "search"), q="kingfisher walks")
        seen["search"] = OWNER_NAME in found
    if v.api is not None:
        body = v.api.get(f"/api/v1/experiments/{world.experiment.pk}/").json()
        seen["api"] = body["owner"] == world.experiment.owner_id
    return seen


def experiment_steered(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    end_url = url(world, "experiment-end", world.experiment.pk)
    if v.web is not None:
        detail = page(v, url(world, "experiment-detail", world.experiment.pk))
        seen["end offered"] = end_url in detail
        seen["change offered"] = url(world, "experiment-edit", world.experiment.pk) in detail
        seen["end page"] = reachable(status(v.web, end_url))
        seen["edit page"] = reachable(
            status(v.web, url(world, "experiment-edit", world.experiment.pk))
        )
    if v.api is not None:
        code = api_post(
            v,
            f"/api/v1/experiments/{world.experiment.pk}/end/",
            {"outcome": "stop_learnt", "learnt": "Walks suit summer, not winter."},
        )
        seen["api end"] = reachable(code)
    return seen


def cycle_steered(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    cycle = world.cycles["team"]
    if v.web is not None:
        detail = page(v, url(world, "cycle-detail", cycle.pk))
        seen["phase move offered"] = url(world, "cycle-phase", cycle.pk) in detail
        seen["phase page"] = reachable(status(v.web, url(world, "cycle-phase", cycle.pk)))
        seen["edit page"] = reachable(status(v.web, url(world, "cycle-edit", cycle.pk)))
    if v.api is not None:
        code = api_post(
            v, f"/api/v1/cycles/{cycle.pk}/phase/", {"to": "co_design", "why": "We know enough."}
        )
        seen["api phase"] = reachable(code)
    return seen


def design_copied_into(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    cycle = world.cycles["team"]
    if v.web is not None:
        copy_url = url(world, "cycle-copy-design", cycle.pk)
        seen["copy page"] = reachable(status(v.web, copy_url))
        response = v.web.post(copy_url, {"experiment": world.other_design.pk})
        assert response.status_code in (302, 400, 403, 404), response.status_code
        with tenant_scope(workspace_id=world.workspace.pk):
            copied = Experiment.objects.filter(cycle=cycle, copied_from=world.other_design)
            seen["copy made"] = copied.exists()
    return seen


def person_scale_name_shown(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    if v.web is not None:
        listed = page(v, url(world, "cycle-list"))
        seen["cycle list"] = PERSON_FIRST_NAME in listed
        found = page(v, url(world, "search"), q="heron")
        assert "heron" in found
        seen["search"] = PERSON_FIRST_NAME in found
        timeline = page(v, url(world, "cycle-timeline", world.cycles["person"].pk))
        seen["timeline"] = PERSON_FIRST_NAME in timeline
    if v.api is not None:
        body = v.api.get(f"/api/v1/cycles/{world.cycles['person'].pk}/").json()
        seen["api"] = PERSON_FIRST_NAME in str(body)
    return seen


def barrier_answered(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    answer_url = url(world, "barrier-answer", world.barrier.pk)
    if v.web is not None:
        detail = v.web.get(url(world, "barrier-detail", world.barrier.pk))
        assert detail.status_code in (200, 404), detail.status_code
        seen["answer offered"] = answer_url in detail.content.decode()
        response = v.web.post(answer_url, {"state": "working", "text": "We are asking."})
        assert response.status_code in (302, 400, 403, 404), response.status_code
        seen["answer taken"] = response.status_code == 302
    if v.api is not None:
        code = api_post(
            v,
            f"/api/v1/barriers/{world.barrier.pk}/answer/",
            {"state": "working", "text": "We are asking the housing team."},
        )
        seen["api answer"] = reachable(code)
    return seen


def barrier_waiting_shown(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    if v.web is not None:
        for name, path in [
            (f"{AT_MOST}raising cycle's page", url(world, "cycle-detail", world.cycles["team"].pk)),
            ("barrier page", url(world, "barrier-detail", world.barrier.pk)),
            ("inbox", url(world, "barrier-inbox", world.cycles["org"].pk)),
        ]:
            response = v.web.get(path)
            if response.status_code == 200:
                seen[name] = "waiting 9 days" in response.content.decode()
    return seen


CHAIN_ANSWERS = [
    "Org: it sits with the housing rules of the council.",
    "Place: the rule is changed.",
]


def every_answer_seen(world: World, v: Viewer) -> Observed:
    """The barrier answered at the organisation, passed up, answered at the place."""
    team = world.viewers["team"]
    with tenant_scope(workspace_id=world.workspace.pk):
        barrier_answer(
            workspace=world.workspace,
            route=world.barrier,
            answered_by=team[Relation.ABOVE],
            state=BarrierRoute.State.CANNOT_CHANGE,
            text=CHAIN_ANSWERS[0],
            pass_to=world.cycles["place"],
        )
        upper = BarrierRoute.objects.get(passed_from=world.barrier)
        barrier_answer(
            workspace=world.workspace,
            route=upper,
            answered_by=team[Relation.FURTHER_ABOVE],
            state=BarrierRoute.State.CHANGED,
            text=CHAIN_ANSWERS[1],
        )

    def in_order(text: str) -> bool:
        at = [text.find(answer) for answer in CHAIN_ANSWERS]
        return min(at) >= 0 and at == sorted(at)

    seen: Observed = {}
    if v.web is not None:
        pages = [v.web.get(url(world, "barrier-detail", r.pk)) for r in (world.barrier, upper)]
        opened = [p.content.decode() for p in pages if p.status_code == 200]
        seen["barrier page"] = any(in_order(content) for content in opened)
    if v.api is not None:
        bodies = [v.api.get(f"/api/v1/barriers/{r.pk}/") for r in (world.barrier, upper)]
        seen["api"] = any(b.status_code == 200 and in_order(str(b.json())) for b in bodies)
    return seen


def person_record_opened(world: World, v: Viewer) -> Observed:
    seen: Observed = {}
    if v.web is not None:
        seen["person page"] = reachable(status(v.web, url(world, "person-detail", world.person_id)))
    if v.api is not None:
        seen["api"] = reachable(status(v.api, f"/api/v1/people/{world.person_id}/"))
    return seen


PROBES: dict[tuple[str, str], tuple[str, Callable[[World, Viewer], Observed]]] = {
    ("entry", "see who wrote it (unless they signed it)"): ("team", entry_author_named),
    ("entry", "edit, delete or restore it"): ("team", entry_changed),
    ("experiment", "see who owns it"): ("team", experiment_owner_named),
    ("experiment", "design, change, start or end it"): ("team", experiment_steered),
    ("cycle", "move its phase, change its settings"): ("team", cycle_steered),
    ("cycle", "start from another cycle's design, into it"): ("team", design_copied_into),
    ("cycle", "see a person-scale cycle's own name"): ("person", person_scale_name_shown),
    ("barrier", "answer it, or pass it further up"): ("team", barrier_answered),
    ("barrier", "see how long it has waited"): ("team", barrier_waiting_shown),
    ("barrier", "see every answer from every level, in order"): ("team", every_answer_seen),
    ("person", "open their record, consent history and what matters"): (
        "person",
        person_record_opened,
    ),
}

# Probes with no API surface: a partner key has nothing to reach there.
WEB_ONLY = {design_copied_into, barrier_waiting_shown}

CASES = [
    pytest.param(rule, relation, id=f"{rule.kind}: {rule.action} / {relation.value}")
    for rule in RULES
    if (rule.kind, rule.action) in PROBES
    for relation in Relation
    if not (relation == Relation.PARTNER_KEY and PROBES[(rule.kind, rule.action)][1] in WEB_ONLY)
]


def test_every_rule_has_a_probe() -> None:
    assert [r for r in RULES if (r.kind, r.action) not in PROBES] == []


@pytest.mark.parametrize(("rule", "relation"), CASES)
def test_trust_matrix(world: World, rule: Rule, relation: Relation) -> None:
    subject, probe = PROBES[(rule.kind, rule.action)]
    v = viewer(world, subject, relation)
    observed = probe(world, v)
    assert observed, "no surface reached"
    expected = relation in rule.relations
    wrong = {
        surface: seen
        for surface, seen in observed.items()
        if seen != expected and not (surface.startswith(AT_MOST) and not seen)
    }
    assert not wrong, f"expected {'allowed' if expected else 'refused'} on every surface: {wrong}"


def test_webhook_payloads_name_nobody(world: World) -> None:
    """Webhooks go to partner systems, outside every cycle: their payloads carry ids of work and
    cycles, never who wrote, owned, raised or answered it."""
    team = world.viewers["team"]
    author, above = team[Relation.AUTHOR].user, team[Relation.ABOVE]
    with tenant_scope(workspace_id=world.workspace.pk):
        f.WebhookSubscriptionFactory(workspace=world.workspace, events=sorted(EVENTS))
        shared = f.EntryFactory(
            workspace=world.workspace, cycle=world.cycles["team"], author=author, visibility=2
        )
        entry_update(
            workspace=world.workspace,
            entry=shared,
            editor=author,
            kind=shared.kind,
            phase=shared.phase,
            text=shared.text,
            visibility=ShareLevel.SHARED_UPWARD,
        )
        experiment_end(
            workspace=world.workspace,
            experiment=world.experiment,
            ended_by=author,
            outcome=Experiment.Outcome.STOP_LEARNT,
            learnt="Walks suit summer.",
        )
        barrier = f.EntryFactory(
            workspace=world.workspace,
            cycle=world.cycles["team"],
            author=author,
            kind=Entry.Kind.BARRIER,
            visibility=ShareLevel.SHARED_UPWARD,
        )
        barrier_raise(
            workspace=world.workspace, entry=barrier, to_cycle=world.cycles["org"], raised_by=author
        )
        barrier_answer(
            workspace=world.workspace,
            route=world.barrier,
            answered_by=above,
            state=BarrierRoute.State.WORKING,
            text="On it.",
        )
        payloads = list(WebhookDelivery.objects.values_list("event", "payload"))
        users = list(User.objects.values_list("pk", "full_name", "email"))
    assert {event for event, _payload in payloads} >= {
        "entry.shared",
        "experiment.ended",
        "barrier.raised",
        "barrier.answered",
    }
    for event, payload in payloads:
        data = payload["data"]
        assert not {"author", "owner", "raised_by", "responded_by", "user"} & set(data), event
        assert not [k for k in data if k.endswith("_by")], event
        text = json.dumps(payload)
        for _pk, name, email in users:
            assert name not in text, event
            assert email not in text, event


@pytest.mark.parametrize("relation", [Relation.AUTHOR, Relation.ABOVE, Relation.PEER])
def test_who_moved_a_phase_or_answered_a_question_is_named_inside_only(
    world: World, relation: Relation
) -> None:
    """A phase move and an answer to a question back are work of the cycle: named inside it,
    the cycle's name outside (cycle page, timeline, question pages, the API)."""
    team = world.cycles["team"]
    author = world.viewers["team"][Relation.AUTHOR].user
    with tenant_scope(workspace_id=world.workspace.pk):
        f.PhaseShiftFactory(workspace=world.workspace, cycle=team, shifted_by=author)
        target = f.ContextQuestionTargetFactory(
            workspace=world.workspace,
            cycle=team,
            question=f.ContextQuestionFactory(
                workspace=world.workspace, asked_from=world.cycles["org"]
            ),
        )
        f.ContextAnswerFactory(workspace=world.workspace, target=target, author=author)
    v = viewer(world, "team", relation)
    named = relation == Relation.AUTHOR
    for path in [
        url(world, "cycle-detail", team.pk),
        url(world, "cycle-timeline", team.pk),
        url(world, "context-question", target.question_id),
        url(world, "cycle-questions", world.cycles["org"].pk),
    ]:
        response = v.web.get(path) if v.web else None
        if response is not None and response.status_code == 200:
            assert (AUTHOR_NAME in response.content.decode()) == named, path
    assert v.api is not None
    shifts = v.api.get(f"/api/v1/cycles/{team.pk}/").json()["phase_shifts"]
    assert [s["shifted_by"] for s in shifts] == [author.pk if named else None]
