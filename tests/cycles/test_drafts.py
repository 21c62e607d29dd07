"""Drafts autosave to the server: save, restore into the form, discard, gone on submit, private
to their author."""

import re

import pytest

from cycles.models import EntryDraft
from hls.tenancy.context import tenant_scope
from tests.conftest import signed_in
from tests.factories import EntryFactory

W = "/w/riverside"


@pytest.fixture
def author(world):
    return signed_in(world.author)


def _drafts(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        return list(EntryDraft.objects.values("author_id", "key", "data"))


def test_save_then_reopen_restores_the_draft(world, author) -> None:
    response = author.post(
        f"{W}/drafts/save/",
        {
            "draft_key": "capture",
            "cycle": world.cycle.pk,
            "kind": "barrier",
            "text": "The housing rule blocks the move",
            "visibility": "0",
        },
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    page = author.get(f"{W}/log/").content.decode()
    assert "Restored your unsent draft from" in page
    assert "The housing rule blocks the move</textarea>" in page
    assert re.search(r'<input type="radio" name="kind" value="barrier"[^>]* checked>', page)
    assert "Discard draft" in page


def test_saving_again_replaces_the_draft(world, author) -> None:
    author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "Half"})
    author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "Half a thought"})
    drafts = _drafts(world)
    assert len(drafts) == 1
    assert drafts[0]["data"]["text"] == "Half a thought"


def test_an_incomplete_draft_is_kept_but_an_oversized_one_is_refused(world, author) -> None:
    assert author.post(f"{W}/drafts/save/", {"draft_key": "capture"}).status_code == 200
    too_big = author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "x" * 40_000})
    assert too_big.status_code == 400


def test_discard(world, author) -> None:
    author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "Never mind"})
    response = author.post(
        f"{W}/drafts/discard/", {"draft_key": "capture", "next": f"{W}/log/"}, follow=True
    )
    assert _drafts(world) == []
    assert "Restored your unsent draft" not in response.content.decode()
    assert "Draft discarded." in response.content.decode()


def test_a_successful_submit_deletes_the_draft(world, author) -> None:
    author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "Jay smiled"})
    author.post(
        f"{W}/log/",
        {
            "draft_key": "capture",
            "cycle": world.cycle.pk,
            "kind": "story",
            "text": "Jay smiled",
            "visibility": 0,
        },
    )
    assert _drafts(world) == []


def test_a_failed_submit_keeps_the_draft(world, author) -> None:
    author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "  "})
    author.post(
        f"{W}/log/",
        {
            "draft_key": "capture",
            "cycle": world.cycle.pk,
            "kind": "story",
            "text": " ",
            "visibility": 0,
        },
    )
    assert len(_drafts(world)) == 1


def test_drafts_belong_to_their_author_only(world, author) -> None:
    author.post(f"{W}/drafts/save/", {"draft_key": "capture", "text": "My secret note"})
    other = signed_in(world.team)
    page = other.get(f"{W}/log/")
    assert page.status_code == 200
    assert "<h1>Log a step</h1>" in page.content.decode()  # their log form, rendered...
    assert "My secret note" not in page.content.decode()  # ...without the other's draft
    # Another user's discard of the same key removes only their own (none).
    other.post(f"{W}/drafts/discard/", {"draft_key": "capture"})
    assert [d["data"]["text"] for d in _drafts(world)] == ["My secret note"]
    assert {d["author_id"] for d in _drafts(world)} == {world.author.user.pk}


def test_edit_drafts_are_restored_into_the_edit_form(world, author) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        entry = EntryFactory(workspace=world.workspace, cycle=world.cycle, author=world.author.user)
    author.post(f"{W}/drafts/save/", {"draft_key": f"entry-{entry.pk}", "text": "Rewording"})
    page = author.get(f"{W}/entries/{entry.pk}/edit/").content.decode()
    assert "Rewording</textarea>" in page
    assert "Restored your unsent draft" in page


def test_the_forms_opt_in_to_autosave(world, author) -> None:
    page = author.get(f"{W}/log/").content.decode()
    assert f'data-draft-url="{W}/drafts/save/"' in page
    assert 'data-draft-key="capture"' in page
    assert "js/capture" in page
    timeline = author.get(f"{W}/cycles/{world.cycle.pk}/timeline/").content.decode()
    assert f'data-draft-key="cycle-{world.cycle.pk}"' in timeline
