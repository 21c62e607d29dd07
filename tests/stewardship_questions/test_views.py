"""The question bank in the browser's terms."""

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import Question
from tests.conftest import signed_in
from tests.factories import QuestionFactory, ScaleFactory

W = "/w/riverside/question-bank/"


def test_an_empty_bank_offers_the_starter_questions(workspace, admin_client, member_client):
    page = admin_client.get(W)
    assert b"Load the starter questions" in page.content
    assert b"Load the starter questions" not in member_client.get(W).content
    response = admin_client.post(f"{W}starter/")
    assert response.status_code == 302
    page = admin_client.get(W)
    assert b"Load the starter questions" not in page.content
    assert b"Paraphrased from Human Learning Systems" in page.content
    assert b"How would we know?" in page.content


def test_filters(workspace, admin_client):
    with tenant_scope(workspace_id=workspace.pk):
        team = ScaleFactory(workspace=workspace, name="Team")
        QuestionFactory(workspace=workspace, text="Team learning?", scale=team, phase="embed")
        QuestionFactory(workspace=workspace, text="Any governing?", mode="governing")
        QuestionFactory(workspace=workspace, text="Switched off?", active=False)
    page = admin_client.get(W, {"mode": "governing"})
    assert b"Any governing?" in page.content
    assert b"Team learning?" not in page.content
    page = admin_client.get(W, {"scale": team.pk, "phase": "understand"})
    assert b"Any governing?" in page.content
    assert b"Team learning?" not in page.content
    page = admin_client.get(W, {"scale": "any"})
    assert b"Team learning?" not in page.content
    assert b"Switched off?" not in admin_client.get(W).content
    assert b"Switched off?" in admin_client.get(W, {"inactive": "on"}).content


def test_create_with_empty_text_keeps_what_was_typed(workspace, admin_client):
    response = admin_client.post(
        f"{W}new/", {"text": "", "mode": "learning", "what_space": "Kept space"}
    )
    assert response.status_code == 400
    assert b"Write the question." in response.content
    assert b"Kept space" in response.content
    response = admin_client.post(f"{W}new/", {"text": "What now?", "mode": "managing"})
    assert response.status_code == 302


def test_edit_then_history_shows_what_changed(workspace, make_member):
    partner = make_member(workspace, Role.LEARNING_PARTNER, full_name="Lee Partner")
    with tenant_scope(workspace_id=workspace.pk):
        question = QuestionFactory(workspace=workspace, text="Old wording?")
    client = signed_in(partner)
    form = client.get(f"{W}{question.pk}/edit/")
    assert b"Old wording?" in form.content
    response = client.post(f"{W}{question.pk}/edit/", {"text": "New wording?", "mode": "learning"})
    assert response.status_code == 302
    history = client.get(f"{W}{question.pk}/history/")
    assert b"Version 2" in history.content
    assert b"Version 1" in history.content
    assert b"Old wording?" in history.content
    assert b"New wording?" in history.content
    assert b"Lee Partner" in history.content


def test_toggle(workspace, admin_client):
    with tenant_scope(workspace_id=workspace.pk):
        question = QuestionFactory(workspace=workspace)
    admin_client.post(f"{W}{question.pk}/toggle/")
    with tenant_scope(workspace_id=workspace.pk):
        assert not Question.objects.get(pk=question.pk).active
    admin_client.post(f"{W}{question.pk}/toggle/")
    with tenant_scope(workspace_id=workspace.pk):
        assert Question.objects.get(pk=question.pk).active
