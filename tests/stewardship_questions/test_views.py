"""The question bank in the browser's terms."""

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import Question
from stewardship.questions.seed import QUESTIONS
from tests.conftest import signed_in
from tests.factories import QuestionFactory, ScaleFactory

W = "/w/riverside/question-bank/"


def test_an_empty_bank_offers_the_starter_questions(workspace, admin_client, member_client):
    page = admin_client.get(W)
    assert b"Choose from the starter questions" in page.content
    assert b"Choose from the starter questions" not in member_client.get(W).content
    form = admin_client.get(f"{W}starter/")
    assert form.status_code == 200
    assert form.content.count(b'type="checkbox"') == len(QUESTIONS)
    assert form.content.count(b"checked") == len(QUESTIONS)  # all, at first
    response = admin_client.post(f"{W}starter/", {"starters": [q.key for q in QUESTIONS]})
    assert response.status_code == 302
    page = admin_client.get(W)
    assert b"Choose from the starter questions" not in page.content
    assert b"starter questions are not in your bank yet" not in page.content
    assert b"Paraphrased from Human Learning Systems" in page.content
    assert b"How would we know?" in page.content
    assert b"Your bank has every starter question." in admin_client.get(f"{W}starter/").content


def test_new_starter_questions_are_offered_never_pushed(workspace, admin_client, member_client):
    """A bank that has some starters (an older set, or a few chosen) is told how many it has
    not taken; only the chosen ones are added."""
    first, second, third = QUESTIONS[:3]
    admin_client.post(f"{W}starter/", {"starters": [first.key]})
    left = len(QUESTIONS) - 1
    page = admin_client.get(W).content.decode()
    assert f"{left} starter questions are not in your bank yet" in page
    assert "not in your bank yet" not in member_client.get(W).content.decode()
    assert first.text not in admin_client.get(f"{W}starter/").content.decode()
    admin_client.post(f"{W}starter/", {"starters": [second.key]})
    with tenant_scope(workspace_id=workspace.pk):
        assert set(Question.objects.values_list("text", flat=True)) == {first.text, second.text}
        assert third.text not in set(Question.objects.values_list("text", flat=True))


def test_choosing_no_starter_question_says_so_beside_the_list(workspace, admin_client):
    response = admin_client.post(f"{W}starter/", {})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'class="error"' in text
    assert "Choose at least one question to add." in text
    assert text.count('type="checkbox"') == len(QUESTIONS)  # the list is still there
    with tenant_scope(workspace_id=workspace.pk):
        assert not Question.objects.exists()


def test_a_starter_the_bank_already_has_is_refused(workspace, admin_client):
    key = QUESTIONS[0].key
    admin_client.post(f"{W}starter/", {"starters": [key]})
    response = admin_client.post(f"{W}starter/", {"starters": [key, QUESTIONS[1].key]})
    assert response.status_code == 400
    assert "The bank already has some of these questions. Choose again." in (
        response.content.decode()
    )
    response = admin_client.post(f"{W}starter/", {"starters": ["not-a-key"]})
    assert response.status_code == 400
    with tenant_scope(workspace_id=workspace.pk):
        assert Question.objects.count() == 1


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
