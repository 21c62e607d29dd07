"""Back to context: a manager sends a question from a pattern; it shows in the target cycles'
timelines; their members answer; the asker sees the answers."""

import pytest
from django.core.exceptions import ValidationError

from cycles.models import ContextAnswer, ContextQuestion, ContextQuestionTarget
from cycles.patterns import services
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import ContextQuestionFactory, ContextQuestionTargetFactory
from tests.patterns.helpers import build_tree, entry, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(workspace, make_member):
    return make_member(workspace, Role.MANAGER, email="sam@riverside.test", full_name="Sam Ward")


@pytest.fixture
def practitioner(workspace, make_member):
    return make_member(workspace, Role.PRACTITIONER, email="pat@riverside.test", full_name="Pat")


@pytest.fixture
def tree(workspace, manager, practitioner):
    with tenant_scope(workspace_id=workspace.pk):
        tree = build_tree(workspace, manager)
        for cycle in (tree.team_a, tree.team_b):
            for _ in range(3):
                entry(workspace, cycle, themes=[tree.letters])
        join(workspace, tree.team_a, practitioner)
        return tree


def ask_url(tree):
    return f"/w/riverside/cycles/{tree.place.pk}/patterns/ask/?theme={tree.letters.pk}"


def test_the_ask_form_lists_the_cycles_concerned_all_ticked(manager, tree):
    html = signed_in(manager).get(ask_url(tree)).content.decode()
    assert "Alder cycle" in html
    assert "Birch cycle" in html
    assert "Elsewhere cycle" not in html
    assert "Life cycle" not in html
    assert html.count("checked") == 2
    assert "theme “Fear of letters”" in html


def test_send_appears_in_target_timelines_only_answer_and_asker_sees_it(
    workspace, manager, practitioner, tree
):
    response = signed_in(manager).post(
        ask_url(tree), {"text": "What is behind the letters?", "cycles": [tree.team_a.pk]}
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        question = ContextQuestion.objects.get()
        assert question.origin["theme"] == str(tree.letters.pk)
        target = ContextQuestionTarget.objects.get()
    assert target.cycle_id == tree.team_a.pk  # Birch was unticked

    worker = signed_in(practitioner)
    timeline = worker.get(f"/w/riverside/cycles/{tree.team_a.pk}/timeline/").content.decode()
    assert "What is behind the letters?" in timeline
    assert "Asked by Sam Ward from the patterns of Place cycle: theme “Fear of letters”" in timeline
    assert f"/question-targets/{target.pk}/answer/" in timeline
    other = worker.get(f"/w/riverside/cycles/{tree.team_b.pk}/timeline/").content.decode()
    assert "What is behind the letters?" not in other

    answered = worker.post(
        f"/w/riverside/question-targets/{target.pk}/answer/",
        {f"t{target.pk}-text": "They arrive when benefits are late.", "back": "timeline"},
    )
    assert answered.status_code == 302
    assert answered["Location"].endswith(f"/cycles/{tree.team_a.pk}/timeline/")
    timeline = worker.get(f"/w/riverside/cycles/{tree.team_a.pk}/timeline/").content.decode()
    assert "What is behind the letters?" not in timeline  # answered: no longer open

    asker = signed_in(manager)
    asked = asker.get(f"/w/riverside/cycles/{tree.place.pk}/questions/").content.decode()
    assert "They arrive when benefits are late." in asked
    page = asker.get(f"/w/riverside/questions/{question.pk}/").content.decode()
    assert "They arrive when benefits are late." in page


def test_the_cycle_panel_counts_waiting_questions(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        for _ in range(2):
            q = ContextQuestionFactory(workspace=workspace, asked_from=tree.place)
            ContextQuestionTargetFactory(workspace=workspace, question=q, cycle=tree.team_a)
            ContextQuestionTargetFactory(workspace=workspace, question=q, cycle=tree.team_b)
    html = signed_in(manager).get(f"/w/riverside/cycles/{tree.place.pk}/").content.decode()
    assert "2 questions wait for answers" in html
    assert f"/cycles/{tree.place.pk}/patterns/" in html


def test_only_managers_stewards_and_admins_may_ask(practitioner, tree):
    client = signed_in(practitioner)
    assert client.get(ask_url(tree)).status_code == 403
    assert client.post(ask_url(tree), {"text": "x", "cycles": [tree.team_a.pk]}).status_code == 403


def test_bad_question_keeps_the_text_and_says_why(workspace, manager, tree):
    client = signed_in(manager)
    response = client.post(ask_url(tree), {"text": "Why so many?", "cycles": []})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one cycle to ask." in html
    assert "Why so many?" in html
    empty = client.post(ask_url(tree), {"text": "   ", "cycles": [tree.team_a.pk]})
    assert empty.status_code == 400
    assert "Write the question you want to ask." in empty.content.decode()
    foreign = client.post(ask_url(tree), {"text": "Hm?", "cycles": [tree.elsewhere.pk]})
    assert foreign.status_code == 400
    with tenant_scope(workspace_id=workspace.pk):
        assert not ContextQuestion.objects.exists()


def test_only_members_of_the_receiving_cycle_may_answer(workspace, make_member, tree):
    outsider_to_cycle = make_member(workspace, Role.PRACTITIONER, email="far@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        target = ContextQuestionTargetFactory(workspace=workspace, cycle=tree.team_a)
    response = signed_in(outsider_to_cycle).post(
        f"/w/riverside/question-targets/{target.pk}/answer/", {f"t{target.pk}-text": "Me!"}
    )
    assert response.status_code == 403
    with tenant_scope(workspace_id=workspace.pk):
        assert not ContextAnswer.objects.exists()


def test_an_empty_answer_is_refused_beside_the_field(workspace, practitioner, tree):
    with tenant_scope(workspace_id=workspace.pk):
        target = ContextQuestionTargetFactory(workspace=workspace, cycle=tree.team_a)
    response = signed_in(practitioner).post(
        f"/w/riverside/question-targets/{target.pk}/answer/", {f"t{target.pk}-text": "  "}
    )
    assert response.status_code == 400
    assert "Write your answer before sending it." in response.content.decode()


def test_service_refuses_cycles_not_below(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk), pytest.raises(ValidationError) as error:
        services.context_question_send(
            workspace=workspace,
            asked_from=tree.place,
            asked_by=manager.user,
            text="Why?",
            origin={},
            cycles=[tree.elsewhere],
        )
    assert "cycles" in error.value.message_dict


@pytest.mark.parametrize("size", [10, 1000])
def test_timeline_questions_and_questions_page_cost_constant_queries(
    workspace, manager, practitioner, tree, size, django_assert_num_queries
):
    with tenant_scope(workspace_id=workspace.pk):
        n = size // 50  # questions grow with the data too
        for _ in range(max(n, 2)):
            q = ContextQuestionFactory(
                workspace=workspace, asked_from=tree.place, asked_by=manager.user
            )
            ContextQuestionTargetFactory(workspace=workspace, question=q, cycle=tree.team_a)
    worker, asker = signed_in(practitioner), signed_in(manager)
    with django_assert_num_queries(23):
        assert worker.get(f"/w/riverside/cycles/{tree.team_a.pk}/timeline/").status_code == 200
    with django_assert_num_queries(14):
        assert asker.get(f"/w/riverside/cycles/{tree.place.pk}/questions/").status_code == 200
