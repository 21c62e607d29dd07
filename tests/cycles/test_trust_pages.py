"""Trust on the cycles pages (issue 10): authors named inside the cycle and the cycle's name
outside (unless the author signed), a person's cycle by a pseudonymous name outside, only those
inside a cycle steer it, 'Seen by' shows the effective level, and timelines read by when things
happened."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cycles import services
from cycles.models import Cycle, Entry, PhaseShift
from hls.tenancy.context import tenant_scope
from systems.models import Person, ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    ExperimentFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
)

W = "/w/riverside"
NAME = "Tess Teamwork"


@pytest.fixture
def named(world):
    """Two entries by a team member (inside the cycle), shared with the workspace: one plain,
    one signed; the cast's cycle of the organisation above shows them in its patterns."""
    user = world.team.user
    user.full_name = NAME
    user.save()
    with tenant_scope(workspace_id=world.workspace.pk):
        world.plain = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=user,
            text="Plain housing words",
            visibility=ShareLevel.WORKSPACE,
        )
        world.signed = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=user,
            text="Signed housing words",
            visibility=ShareLevel.WORKSPACE,
            signed=True,
        )
    return world  # the organisation's cycle above is the cast's own (world.upper)


def _row(body: str, entry: Entry) -> str:
    """The part of the page about one entry (up to the next entry)."""
    after = body.split(f'id="entry-{entry.pk}"', 1)[1]
    return after.split('id="entry-', 1)[0]


def _result(body: str, entry: Entry) -> str:
    """The list item (search result, drill-down row) that links to the entry."""
    at = body.index(f"#entry-{entry.pk}")
    return body[body.rindex("<li", 0, at) : body.index("</li>", at)]


@pytest.mark.parametrize(
    ("viewer", "plain_named"),
    [("cycle_member", True), ("team", True), ("manager", False), ("other", False)],
)
def test_timeline_names_the_author_inside_and_the_cycle_outside(named, viewer, plain_named):
    body = (
        signed_in(getattr(named, viewer))
        .get(f"{W}/cycles/{named.cycle.pk}/timeline/")
        .content.decode()
    )
    plain, signed = _row(body, named.plain), _row(body, named.signed)
    assert "Plain housing words" in plain
    assert (NAME in plain) is plain_named
    if not plain_named:
        assert "North team cycle" in plain
    assert NAME in signed  # signed: named everywhere it is seen


@pytest.mark.parametrize(("viewer", "plain_named"), [("team", True), ("manager", False)])
def test_search_names_the_author_inside_only(named, viewer, plain_named):
    body = signed_in(getattr(named, viewer)).get(f"{W}/search/", {"q": "housing"}).content.decode()
    assert (NAME in _result(body, named.plain)) is plain_named
    assert NAME in _result(body, named.signed)


def test_patterns_drill_down_names_only_signed_authors_outside(named):
    with tenant_scope(workspace_id=named.workspace.pk):
        Entry.objects.filter(pk__in=[named.plain.pk, named.signed.pk]).update(
            visibility=ShareLevel.SHARED_UPWARD
        )
    url = f"{W}/cycles/{named.upper.pk}/patterns/entries/"
    above = signed_in(named.manager).get(url).content.decode()
    assert "Plain housing words" in above
    assert "Signed housing words" in above
    assert NAME not in _result(above, named.plain)
    assert NAME in _result(above, named.signed)
    # The author sees their own name.
    mine = signed_in(named.team).get(url).content.decode()
    assert NAME in _result(mine, named.plain)


def test_a_person_scale_cycle_is_named_by_a_pseudonym_outside(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        life = SystemFactory(
            workspace=world.workspace,
            name="Maria's life",
            parent=world.system,
            scale=ScaleFactory(workspace=world.workspace, name="Life", is_person_scale=True),
        )
        cycle = CycleFactory(workspace=world.workspace, system=life, name="Maria's cycle")
        # Those who work with Maria take part in her cycle; her team's manager does not.
        CycleMemberFactory(workspace=world.workspace, cycle=cycle, user=world.team.user)
    pages = [f"{W}/cycles/", f"{W}/cycles/{cycle.pk}/", f"{W}/cycles/{cycle.pk}/timeline/"]
    for url in pages:
        outside = signed_in(world.manager).get(url).content.decode()
        assert "Maria" not in outside, url
        assert "A person&#x27;s life · North team" in outside, url
        inside = signed_in(world.team).get(url).content.decode()
        assert "Maria&#x27;s cycle" in inside, url
    search = signed_in(world.manager).get(f"{W}/search/", {"q": "purpose"}).content.decode()
    assert "Maria" not in search
    capture = signed_in(world.manager).get(f"{W}/log/").content.decode()
    assert "Maria" not in capture  # the cycle picker
    assert "A person&#x27;s life · North team" in capture


# Only the cycle steers -----------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["manager", "other", "author"])
def test_outsiders_neither_steer_nor_see_the_offer(world, viewer):
    client = signed_in(getattr(world, viewer))
    c = world.cycle.pk
    assert client.get(f"{W}/cycles/{c}/phase/").status_code == 403
    assert client.get(f"{W}/cycles/{c}/edit/").status_code == 403
    moved = client.post(f"{W}/cycles/{c}/phase/", {"to_phase": "embed", "reason": "From above"})
    assert moved.status_code == 403
    edited = client.post(
        f"{W}/cycles/{c}/edit/",
        {"system": world.system.pk, "name": "Renamed", "purpose": "p", "status": "paused"},
    )
    assert edited.status_code == 403
    page = client.get(f"{W}/cycles/{c}/").content.decode()
    assert "Move to another phase" not in page
    assert f"{W}/cycles/{c}/edit/" not in page
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not PhaseShift.objects.filter(cycle=world.cycle).exists()
        assert Cycle.objects.get(pk=c).name == "North team cycle"


def test_those_inside_are_offered_the_moves(world):
    page = signed_in(world.team).get(f"{W}/cycles/{world.cycle.pk}/").content.decode()
    assert "Move to another phase" in page
    assert f"{W}/cycles/{world.cycle.pk}/edit/" in page
    assert signed_in(world.team).get(f"{W}/cycles/{world.cycle.pk}/phase/").status_code == 200


def test_members_are_changed_from_inside_only_on_the_web(world):
    manager = signed_in(world.manager)
    url = f"{W}/cycles/{world.cycle.pk}/members/add/"
    assert manager.post(url, {"user": world.other.user.pk}).status_code == 403
    page = manager.get(f"{W}/cycles/{world.cycle.pk}/members/").content.decode()
    assert url not in page


# Effective level -----------------------------------------------------------------------------


def test_seen_by_shows_the_level_consent_allows_now(world):
    author = signed_in(world.author)
    with tenant_scope(workspace_id=world.workspace.pk):
        person = PersonFactory(
            workspace=world.workspace, system=world.system, consent_level=ShareLevel.WORKSPACE
        )
        entry = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            person=person,
            visibility=ShareLevel.SHARED_UPWARD,
        )
    url = f"{W}/cycles/{world.cycle.pk}/timeline/"
    row = _row(author.get(url).content.decode(), entry)
    assert "Seen by: Shared upward" in row
    assert "narrowed by consent" not in row
    with tenant_scope(workspace_id=world.workspace.pk):
        Person.objects.filter(pk=person.pk).update(consent_level=ShareLevel.TEAM)
    row = _row(author.get(url).content.decode(), entry)
    assert "Seen by: My team" in row
    assert "narrowed by consent" in row
    assert "Shared upward" not in row
    history = author.get(f"{W}/entries/{entry.pk}/history/").content.decode()
    assert "Seen by: My team" in history
    assert "narrowed by consent" in history
    # It no longer travels up: the manager above does not see it.
    manager = signed_in(world.manager).get(url).content.decode()
    assert f'id="entry-{entry.pk}"' not in manager


# When it happened ----------------------------------------------------------------------------


def test_timeline_orders_and_filters_by_when_it_happened(world):
    today = timezone.localdate()
    with tenant_scope(workspace_id=world.workspace.pk):
        happened_today = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            text="Logged first, happened today",
        )
        month_ago = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            text="Logged last, happened a month ago",
            happened_on=today - dt.timedelta(days=30),
        )
    client = signed_in(world.author)
    url = f"{W}/cycles/{world.cycle.pk}/timeline/"
    body = client.get(url).content.decode()
    assert body.index(f'id="entry-{happened_today.pk}"') < body.index(f'id="entry-{month_ago.pk}"')
    recent = client.get(url, {"date_from": (today - dt.timedelta(days=7)).isoformat()})
    assert "happened today" in recent.content.decode()
    assert "a month ago" not in recent.content.decode()


def test_happened_on_defaults_to_today_and_is_never_to_come(world):
    today = timezone.localdate()
    with tenant_scope(workspace_id=world.workspace.pk):
        entry = services.entry_create(
            workspace=world.workspace,
            author=world.author.user,
            cycle=world.cycle,
            kind="story",
            text="Today",
        )
        assert entry.happened_on == today
        with pytest.raises(ValidationError) as error:
            services.entry_create(
                workspace=world.workspace,
                author=world.author.user,
                cycle=world.cycle,
                kind="story",
                text="Tomorrow",
                happened_on=today + dt.timedelta(days=1),
            )
        assert "happened_on" in error.value.message_dict
        # Left empty on an edit, the day stays what it was.
        entry = services.entry_update(
            workspace=world.workspace,
            entry=entry,
            editor=world.author.user,
            kind="story",
            phase="understand",
            text="Today, reworded",
            visibility=ShareLevel.PRIVATE,
            happened_on=None,
        )
        assert entry.happened_on == today


def test_the_capture_form_signs_and_dates_an_entry(world):
    client = signed_in(world.author)
    day = timezone.localdate() - dt.timedelta(days=3)
    response = client.post(
        f"{W}/log/",
        {
            "cycle": world.cycle.pk,
            "kind": "story",
            "text": "Signed on the form",
            "visibility": 0,
            "happened_on": day.isoformat(),
            "signed": "on",
        },
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        entry = Entry.objects.get(text="Signed on the form")
    assert (entry.signed, entry.happened_on) == (True, day)
    future = client.post(
        f"{W}/log/",
        {
            "cycle": world.cycle.pk,
            "kind": "story",
            "text": "From the future",
            "visibility": 0,
            "happened_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert future.status_code == 400
    assert "still to come" in future.content.decode()


def test_search_names_an_experiments_owner_inside_only(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        user = world.team.user
        user.full_name = NAME
        user.save()
        ExperimentFactory(
            workspace=world.workspace, cycle=world.cycle, owner=user, title="Kingfisher walks"
        )
    inside = signed_in(world.cycle_member).get(f"{W}/search/", {"q": "kingfisher"})
    assert NAME in inside.content.decode()
    outside = signed_in(world.manager).get(f"{W}/search/", {"q": "kingfisher"}).content.decode()
    assert "Kingfisher" in outside
    assert NAME not in outside
