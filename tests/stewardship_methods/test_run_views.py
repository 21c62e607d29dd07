"""A method run's pages, live: the run page and its polling fragment, joining, answering (bad
input kept beside its field, consent before a story, the group's answer guarded against two
writers), the facilitator's moves (a second facilitator is told where the group is now; a
required group step is not skipped), revealing private answers, completing, the cycle's runs,
and guests at /join/<code>/ (only their run; a closed run says so; a wrong code is a 404).
Who may do what is the role table at the end; query budgets are exact."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.core.cache import cache
from django.test import Client

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import guests, selectors, services
from stewardship.methods.services import TemplateFields
from stewardship.models import MethodRun, RunAnswer, RunParticipant
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory
from tests.page_forms import form_with
from tests.workspace_urls import workspace_urls

STEPS = {
    "steps": [
        {
            "key": "frame",
            "title": "What are we looking at?",
            "who": "group",
            "minutes": 5,
            "prompt": "Agree **one** question.",
            "fields": [
                {"key": "topic", "label": "Topic", "type": "text", "required": True},
                {"key": "notes", "label": "Notes", "type": "long_text"},
            ],
        },
        {
            "key": "stories",
            "title": "Stories",
            "who": "each",
            "consent": True,
            "fields": [{"key": "story", "label": "A story", "type": "story"}],
            "writes": [{"as": "entry", "kind": "story", "field": "story"}],
        },
        {
            "key": "feel",
            "title": "How it feels",
            "who": "each",
            "private": True,
            "reveal": "spread",
            "fields": [
                {"key": "trust", "label": "Trust", "type": "scale", "own_anchors": True},
                {"key": "why", "label": "Why", "type": "long_text"},
            ],
        },
        {
            "key": "choose",
            "title": "Choose",
            "who": "group",
            "fields": [
                {"key": "pick", "label": "Most significant", "type": "select",
                 "from": "stories.story", "pick": 1, "reasons": True},
                {"key": "order", "label": "Order", "type": "rank", "from": "stories.story"},
                {"key": "try", "label": "What we will try", "type": "text"},
            ],
            "writes": [
                {"as": "entry", "kind": "insight", "field": "pick"},
                {"as": "experiment", "fields": {"title": "try", "what_we_will_try": "try"}},
            ],
        },
    ]
}  # fmt: skip


class World:
    def __init__(self, workspace, make_member):
        self.workspace = workspace
        self.ana = make_member(workspace, Role.PRACTITIONER, email="ana@r.test", full_name="Ana")
        self.ben = make_member(workspace, Role.PRACTITIONER, email="ben@r.test", full_name="Ben")
        self.out = make_member(workspace, Role.MANAGER, email="out@r.test", full_name="Olu")
        with tenant_scope(workspace_id=workspace.pk):
            self.cycle = CycleFactory(workspace=workspace, name="North team cycle")
            for m in (self.ana, self.ben):
                CycleMemberFactory(workspace=workspace, cycle=self.cycle, user=m.user)
            self.template = services.template_create(
                workspace=workspace,
                user=self.ana.user,
                fields=TemplateFields("Our check-in", "", "", ["experiment"], [], STEPS),
            )
            self.run = services.run_start(
                workspace=workspace, user=self.ana.user, cycle=self.cycle,
                template=self.template, guests=True, title="March check-in",
                why_this_method="Sam chose it: we need the stories first.",
            )  # fmt: skip

    def url(self, name: str = "", run: MethodRun | None = None) -> str:
        run = run or self.run
        return f"/w/{self.workspace.slug}/runs/{run.pk}/{name + '/' if name else ''}"

    def refresh(self) -> MethodRun:
        with tenant_scope(workspace_id=self.workspace.pk):
            self.run = MethodRun.objects.get(pk=self.run.pk)
        return self.run

    def do(self, call, **kwargs):
        with tenant_scope(workspace_id=self.workspace.pk):
            return call(workspace=self.workspace, run=self.refresh(), **kwargs)

    def me(self, who) -> RunParticipant:
        with tenant_scope(workspace_id=self.workspace.pk):
            return services.run_join(workspace=self.workspace, run=self.run, user=who.user)

    def answer(self, who, step: str, data: dict, **kwargs) -> RunAnswer:
        participant = self.me(who)
        return self.do(
            services.answer_save, participant=participant, step_key=step, data=data, **kwargs
        )

    def move(self, to: int) -> None:
        self.do(services.run_move, user=self.ana.user, to=to, expected=self.refresh().step)


@pytest.fixture
def world(workspace, make_member) -> World:
    return World(workspace, make_member)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- The run page -----------------------------------------------------------------------------


def test_the_facilitator_sees_the_step_its_timer_the_form_and_the_guest_way_in(world):
    html = _page(signed_in(world.ana), world.url())
    assert "March check-in" in html
    assert "Our check-in" in html
    assert "version 1" in html
    assert "Sam chose it: we need the stories first." in html
    assert "Step 1: What are we looking at?" in html
    assert "<strong>one</strong>" in html  # the prompt is Markdown
    assert "about 5 minutes left" in html
    assert 'data-ends-at="' in html
    assert 'hx-trigger="every 3s"' in html
    form = form_with(html, "topic")
    assert form["revision"] == ["0"]
    assert form["step"] == ["frame"]
    assert world.run.guest_code in html
    assert f"/join/{world.run.guest_code}/" in html
    for button in ("Next step", "Complete the run"):
        assert (button in html) is (button == "Next step")
    assert "js/method_run.js" in html


def test_a_member_who_may_join_sees_join_and_then_answers(world):
    ben = signed_in(world.ben)
    html = _page(ben, world.url())
    assert ">Join</button>" in html
    assert 'name="topic"' not in html
    assert ben.post(world.url("join")).status_code == 302
    html = _page(ben, world.url())
    assert ">Join</button>" not in html
    assert 'name="topic"' in html
    assert "Next step" in html  # inside the cycle: Ben may facilitate too


def test_a_member_with_no_tie_to_the_cycle_is_refused(world):
    out = signed_in(world.out)
    assert out.get(world.url()).status_code == 403
    assert out.get(world.url("live")).status_code == 403
    assert out.post(world.url("join")).status_code == 403


def test_a_required_field_left_empty_is_named_beside_it_and_the_text_kept(world):
    ana = signed_in(world.ana)
    form = form_with(_page(ana, world.url()), "topic")
    form["notes"] = ["We keep missing the Tuesday visits."]
    response = ana.post(world.url("answer"), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_topic_error">This one is needed before the step is done', html)
    assert form_with(html, "topic")["notes"] == ["We keep missing the Tuesday visits."]
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not RunAnswer.objects.filter(run=world.run).exists()


def test_a_story_needs_consent_first_and_is_kept_meanwhile(world):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.move(1)
    ana = signed_in(world.ana)
    form = form_with(_page(ana, world.url()), "story")
    assert "consent" not in form  # the box is there, not ticked
    form["story"] = ["Mr K was home when we came."]
    response = ana.post(world.url("answer"), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ask first" in html
    assert form_with(html, "story")["story"] == ["Mr K was home when we came."]
    form["consent"] = ["on"]
    saved = ana.post(world.url("answer"), form)
    assert saved.status_code == 302
    assert saved["Location"].endswith("#step-stories")


def test_private_answers_stay_out_of_the_others_html_until_revealed(world):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.move(1)
    world.move(2)
    world.me(world.ben)
    secret = "BEN-PRIVATE-why: the manager never listens"
    ben = signed_in(world.ben)
    form = form_with(_page(ben, world.url()), "why")
    form.update({"trust": ["2"], "trust__low": ["not at all"], "why": [secret]})
    assert ben.post(world.url("answer"), form).status_code == 302
    assert escape(secret) in _page(ben, world.url())  # the author sees their own
    ana = signed_in(world.ana)
    html = _page(ana, world.url())
    assert escape(secret) not in html
    assert "1 has answered." in html
    assert "Reveal answers" in html
    live = ana.get(world.url("live"), HTTP_HX_REQUEST="true").content.decode()
    assert escape(secret) not in live
    assert ana.post(world.url("reveal"), {"step_key": "feel"}).status_code == 302
    html = _page(ana, world.url())
    assert escape(secret) not in html  # spread: the words stay Ben's, only the counts show
    assert re.search(r"<th scope=\"row\">2</th><td>1</td>", html)
    assert "average" not in html.lower()


def test_a_shared_answer_is_seen_with_its_authors_name(world):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.move(1)
    world.move(2)
    world.answer(world.ben, "feel", {"trust": {"value": 4}, "why": "We sort it."}, shared=True)
    html = _page(signed_in(world.ana), world.url())
    assert "We sort it." in html
    assert "shared" in html


def test_a_second_facilitator_is_told_the_group_moved_meanwhile(world):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.me(world.ben)
    ana, ben = signed_in(world.ana), signed_in(world.ben)
    _page(ben, world.url())  # Ben's page shows step 1 (index 0)
    assert ana.post(world.url("move"), {"to": 1, "expected": 0}).status_code == 302
    response = ben.post(world.url("move"), {"to": 1, "expected": 0}, follow=True)
    assert "Someone moved the group to step 2 meanwhile" in response.content.decode()
    assert "Step 2: Stories" in response.content.decode()
    assert world.refresh().step == 1


def test_a_required_group_step_is_not_skipped_and_the_page_says_why(world):
    ana = signed_in(world.ana)
    response = ana.post(world.url("move"), {"to": 1, "expected": 0}, follow=True)
    html = response.content.decode()
    assert "“What are we looking at?” still needs: Topic." in html
    assert world.refresh().step == 0


def test_two_writing_the_groups_answer_see_both_versions(world):
    world.me(world.ben)
    ana, ben = signed_in(world.ana), signed_in(world.ben)
    first, second = (form_with(_page(c, world.url()), "topic") for c in (ana, ben))
    first["topic"] = ["Missed visits"]
    assert ana.post(world.url("answer"), first).status_code == 302
    second["topic"] = ["Late letters"]
    refused = ben.post(world.url("answer"), second)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert 'data-conflict="theirs"' in html
    assert "Missed visits" in html
    kept = form_with(html, "topic")
    assert kept["topic"] == ["Late letters"]
    assert kept["revision"] == ["1"]
    kept["topic"] = ["Missed visits and late letters"]
    assert ben.post(world.url("answer"), kept).status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        assert RunAnswer.objects.get(run=world.run, step="frame").data["topic"] == (
            "Missed visits and late letters"
        )


def test_selections_rankings_and_completion_with_its_outputs_linked(world):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.move(1)
    world.answer(world.ana, "stories", {"story": "Mr K was home.", "consent": True})
    world.answer(world.ben, "stories", {"story": "Dee waited weeks.", "consent": True})
    world.move(2)
    world.move(3)
    ana = signed_in(world.ana)
    html = _page(ana, world.url())
    form = form_with(html, "try")
    with tenant_scope(workspace_id=world.workspace.pk):
        offered = selectors.items(workspace=world.workspace, run=world.run, source="stories.story")
    assert "Dee waited weeks." in html
    form.update({
        "pick": [offered[1].id], "pick__why__1": ["Waiting is the story."],
        "order__order__0": ["2"], "order__order__1": ["1"], "try": ["Call back in a week"],
    })  # fmt: skip
    assert ana.post(world.url("answer"), form).status_code == 302
    html = _page(ana, world.url())
    assert "Complete the run" in html
    assert "Next step" not in html
    assert ana.post(world.url("complete")).status_code == 302
    html = _page(ana, world.url())
    assert "Written into the cycle" in html
    assert f"/w/riverside/cycles/{world.cycle.pk}/timeline/#entry-" in html
    assert "Experiment: Call back in a week" in html
    assert "Why: Waiting is the story." in html
    assert "1. Dee waited weeks." in html  # the ranking, in order
    assert 'name="topic"' not in html  # read-only now
    assert "Next step" not in html


# --- Live --------------------------------------------------------------------------------------


def _poll_url(html: str) -> str:
    return re.search(r'id="run-live"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_the_live_fragment_answers_204_until_something_changes(world):
    world.me(world.ben)
    ana = signed_in(world.ana)
    poll = _poll_url(_page(ana, world.url()))
    assert ana.get(poll, HTTP_HX_REQUEST="true").status_code == 204
    world.answer(world.ben, "frame", {"topic": "Ben's topic"})
    changed = ana.get(poll, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200
    fragment = changed.content.decode()
    assert fragment.lstrip().startswith('<div id="run-live"')
    assert "Ben&#x27;s topic" in fragment
    assert 'name="topic"' not in fragment  # the form is never in the polled region
    assert ana.get(_poll_url(fragment), HTTP_HX_REQUEST="true").status_code == 204
    world.move(1)
    moved = ana.get(_poll_url(fragment), HTTP_HX_REQUEST="true")
    assert moved.status_code == 204
    assert moved["HX-Refresh"] == "true"


def test_query_budgets_of_the_run_page_and_the_fragment(world, django_assert_num_queries):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.answer(world.ben, "frame", {"topic": "Missed visits, again"})
    ana = signed_in(world.ana)
    _page(ana, world.url())  # the session is warm
    with django_assert_num_queries(16):  # 15, and the cycle's picture over time (a spread step)
        poll = _poll_url(_page(ana, world.url()))
    with django_assert_num_queries(10):
        assert ana.get(poll, HTTP_HX_REQUEST="true").status_code == 204
    world.answer(world.ben, "frame", {"topic": "Missed visits, on Tuesdays"})
    with django_assert_num_queries(12):
        assert ana.get(poll, HTTP_HX_REQUEST="true").status_code == 200


# --- The cycle's runs --------------------------------------------------------------------------


def test_the_cycles_runs_for_those_inside_it(world, django_assert_num_queries):
    with tenant_scope(workspace_id=world.workspace.pk):
        services.run_start(
            workspace=world.workspace, user=world.ana.user, cycle=world.cycle,
            builtin="rapid_learning",
        )  # fmt: skip
    url = f"/w/riverside/cycles/{world.cycle.pk}/methods/"
    ben = signed_in(world.ben)
    ben.get(url)
    with django_assert_num_queries(11):
        html = _page(ben, url)
    assert "March check-in" in html
    assert "Rapid learning" in html
    assert signed_in(world.out).get(url).status_code == 403


# --- Guests -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_misses_counted():
    """Unknown codes are counted per address in the cache (Redis), which outlives a test."""
    cache.delete("guest-code-miss:127.0.0.1")


def _guest_joins(world, name: str = "Dee", run: MethodRun | None = None) -> Client:
    run = run or world.run
    guest = Client()
    page = guest.get(f"/join/{run.guest_code}/")
    assert page.status_code == 200
    assert "Your name, as you want the group to see it" in page.content.decode()
    joined = guest.post(f"/join/{run.guest_code}/", {"guest_name": name})
    assert joined.status_code == 302
    cookie = joined.cookies[guests.COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == f"/join/{run.guest_code}/"
    return guest


def test_a_guest_joins_by_the_link_answers_and_sees_only_the_run(world):
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.move(1)
    guest = _guest_joins(world)
    html = _page(guest, f"/join/{world.run.guest_code}/")
    assert "Step 2: Stories" in html
    assert "Dee (guest)" in html
    assert world.cycle.name not in html
    assert "/w/" not in html
    assert "Next step" not in html
    assert world.run.guest_code not in html.split("<main")[0]
    form = form_with(html, "story")
    form.update({"story": ["I waited three weeks for a call back."], "consent": ["on"]})
    saved = guest.post(f"/join/{world.run.guest_code}/answer/", form)
    assert saved.status_code == 302
    assert "I waited three weeks" in _page(signed_in(world.ana), world.url())
    live = guest.get(f"/join/{world.run.guest_code}/live/", HTTP_HX_REQUEST="true")
    assert live.status_code == 200
    assert "I waited three weeks" in live.content.decode()


def test_a_guest_cannot_reach_workspace_pages_nor_another_run(world):
    guest = _guest_joins(world)
    assert guest.get("/w/riverside/").status_code == 302  # to sign in
    assert guest.get(world.url()).status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        other = services.run_start(
            workspace=world.workspace, user=world.ana.user, cycle=world.cycle,
            builtin="rapid_learning", guests=True, title="Another run",
        )  # fmt: skip
    world.answer(world.ana, "frame", {"topic": "Only for run A"})
    # the cookie of run A, sent to run B's pages (as a forged request would): B asks for a name
    guest.cookies[guests.COOKIE]["path"] = "/"
    page = guest.get(f"/join/{other.guest_code}/").content.decode()
    assert "Your name, as you want the group to see it" in page
    assert "Only for run A" not in page
    assert guest.get(f"/join/{other.guest_code}/live/").status_code == 403
    refused = guest.post(f"/join/{other.guest_code}/answer/", {"step": "week", "noticed": "x"})
    assert refused.status_code == 403


def test_a_guest_link_after_the_run_closed_says_so_and_a_wrong_code_is_404(world):
    code = world.run.guest_code
    guest = _guest_joins(world)
    world.answer(world.ana, "frame", {"topic": "Missed visits"})
    world.do(services.run_complete, user=world.ana.user)
    closed = guest.get(f"/join/{code}/")
    assert closed.status_code == 410
    assert "This run has closed" in closed.content.decode()
    stranger = Client()
    unknown = stranger.get("/join/ZZZZZZZZ/")
    assert unknown.status_code == 404
    assert "This code opens no run" in unknown.content.decode()
    assert stranger.get(f"/join/{code.lower()}/").status_code == 302  # to the code as given


def test_a_guests_name_is_needed(world):
    guest = Client()
    refused = guest.post(f"/join/{world.run.guest_code}/", {"guest_name": "  "})
    assert refused.status_code == 400
    assert "Say what the group may call you." in refused.content.decode()


def test_the_code_form_leads_to_the_run_and_wrong_codes_are_limited(world, settings):
    guest = Client(REMOTE_ADDR="192.0.2.7")  # its own count of unknown codes
    cache.delete("guest-code-miss:192.0.2.7")
    assert guest.get("/join/").status_code == 200
    spaced = f"{world.run.guest_code[:4].lower()} {world.run.guest_code[4:]}"
    found = guest.post("/join/", {"code": spaced})
    assert found.status_code == 302
    assert found["Location"] == f"/join/{world.run.guest_code}/"
    wrong = guest.post("/join/", {"code": "ABCDEFGH"})
    assert wrong.status_code == 400
    assert "No open run has this code" in wrong.content.decode()
    for _n in range(guests.MISSES_ALLOWED):
        guest.get("/join/ABCDEFGH/")
    assert guest.get("/join/").status_code == 429
    assert guest.get(f"/join/{world.run.guest_code}/").status_code == 429


# --- Who may do what ----------------------------------------------------------------------------

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
TWO_STEPS = {
    "repeat_from": "a",
    "steps": [
        {"key": "a", "title": "A", "who": "each", "private": True,
         "fields": [{"key": "x", "label": "X", "type": "text"}]},
        {"key": "b", "title": "B", "who": "each",
         "fields": [{"key": "y", "label": "Y", "type": "text"}]},
    ],
}  # fmt: skip

# view name, method → status for a member with no tie to the run's cycle, then one inside it who
# has joined the run. Every role alike: the cycle decides, not the role.
EXPECTED = {
    ("method-run", "GET"): (403, 200),
    ("method-run-live", "GET"): (403, 200),
    ("method-run-join", "POST"): (403, 302),
    ("method-run-answer", "POST"): (403, 302),
    ("method-run-move", "POST"): (403, 302),
    ("method-run-reveal", "POST"): (403, 302),
    ("method-run-again", "POST"): (403, 302),
    ("method-run-complete", "POST"): (403, 302),
    ("cycle-method-runs", "GET"): (403, 200),
}

ROLE_CASES = [
    pytest.param(view, method, role, inside,
                 403 if method == "POST" and role == Role.VIEWER else statuses[inside],
                 id=f"{view}-{method}-{role}-{'inside' if inside else 'no tie'}")
    for (view, method), statuses in EXPECTED.items()
    for role in ROLES
    for inside in (0, 1)
]  # fmt: skip


def test_the_table_lists_every_role_and_every_run_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.methods.views")}
    assert {view for view, _method in EXPECTED} == names, "a run view was added: add its row"


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(MethodRun.objects.values_list("pk", "step", "round", "status", "revealed")),
            list(RunParticipant.objects.values_list("pk")),
            list(RunAnswer.objects.values_list("pk", "data")),
        )


@pytest.mark.parametrize(("view", "method", "role", "inside", "expected"), ROLE_CASES)
def test_role_may_or_may_not(view, method, role, inside, expected, workspace, make_member):
    starter = make_member(workspace, Role.PRACTITIONER, email="start@r.test")
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=starter.user)
        if inside:
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=actor.user)
        template = services.template_create(
            workspace=workspace, user=starter.user,
            fields=TemplateFields("Two steps", "", "", ["experiment"], [], TWO_STEPS),
        )  # fmt: skip
        run = services.run_start(
            workspace=workspace, user=starter.user, cycle=cycle, template=template
        )
        if inside:
            services.run_join(workspace=workspace, run=run, user=actor.user)
    base = f"/w/riverside/runs/{run.pk}/"
    url, data = {
        "method-run": (base, {}),
        "method-run-live": (f"{base}live/", {}),
        "method-run-join": (f"{base}join/", {}),
        "method-run-answer": (f"{base}answer/", {"step": "a", "x": "My words"}),
        "method-run-move": (f"{base}move/", {"to": 1, "expected": 0}),
        "method-run-reveal": (f"{base}reveal/", {"step_key": "a"}),
        "method-run-again": (f"{base}again/", {"expected": 0}),
        "method-run-complete": (f"{base}complete/", {}),
        "cycle-method-runs": (f"/w/riverside/cycles/{cycle.pk}/methods/", {}),
    }[view]
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST" and view != "method-run-join":
        assert (_state(workspace) != before) is (expected == 302)
