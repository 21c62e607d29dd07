"""The question bank's services: revisions on every edit, switching off, and the seed."""

import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from hls.tenancy.context import tenant_scope
from stewardship.models import Question, QuestionRevision
from stewardship.questions import selectors, services
from stewardship.questions.seed import QUESTIONS, SOURCE
from systems.models import Scale
from systems.services import scales_ensure_defaults
from tests.bypass import all_workspaces
from tests.factories import ScaleFactory


@pytest.fixture
def scoped(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user_id):
        yield workspace


def test_create_and_refuse_empty_text(scoped, admin):
    with pytest.raises(ValidationError) as error:
        services.question_create(workspace=scoped, text="   ")
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.question_create(workspace=scoped, text="Why?", phase="someday", mode="x")
    assert set(error.value.message_dict) == {"phase", "mode"}
    question = services.question_create(
        workspace=scoped, text=" Who is missing? ", mode="governing"
    )
    assert question.text == "Who is missing?"
    assert question.version == 1


def test_every_edit_keeps_a_revision_and_raises_the_version(scoped, admin):
    team = ScaleFactory(workspace=scoped, name="Team")
    question = services.question_create(workspace=scoped, text="First words")
    services.question_update(
        workspace=scoped, question=question, user=admin.user, text="Second words", scale=team
    )
    same = services.question_update(
        workspace=scoped, question=question, user=admin.user, text="Second words"
    )
    assert same.version == 2  # nothing changed, nothing stored
    services.question_update(
        workspace=scoped, question=question, user=admin.user, what_space="A circle"
    )
    question.refresh_from_db()
    assert question.version == 3
    revisions = list(QuestionRevision.objects.filter(question=question).order_by("version"))
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[0].data["text"] == "First words"
    assert revisions[0].data["scale"] is None
    assert revisions[1].data["scale_name"] == "Team"
    assert set(services.EDITABLE) <= set(revisions[0].data)
    assert revisions[0].edited_by == admin.user
    with pytest.raises(ValidationError):
        services.question_update(workspace=scoped, question=question, user=admin.user, text="")

    history = selectors.history(workspace=scoped, question=question)
    assert [v.version for v in history] == [3, 2, 1]
    assert history[0].current
    assert history[0].changed == [("In what space?", "", "A circle")]
    labels = [label for label, _b, _a in history[1].changed]
    assert labels == ["Question", "Scale"]


def test_toggle_switches_off_and_on_without_deleting(scoped):
    question = services.question_create(workspace=scoped, text="Q?")
    services.question_set_active(workspace=scoped, question=question, active=False)
    assert not selectors.questions(workspace=scoped).exists()
    assert selectors.questions(workspace=scoped, include_inactive=True).count() == 1
    services.question_set_active(workspace=scoped, question=question, active=True)
    assert selectors.questions(workspace=scoped).count() == 1


def test_the_seed_is_in_range_attributed_and_keyed():
    assert 40 <= len(QUESTIONS) <= 70
    assert len({q.key for q in QUESTIONS}) == len(QUESTIONS)
    assert "CC BY-NC" in SOURCE
    assert "Human Learning Systems" in SOURCE
    modes = {q.mode for q in QUESTIONS}
    assert modes == {"learning", "managing", "governing"}
    assert {q.phase for q in QUESTIONS} == {"", "understand", "co_design", "experiment", "embed"}
    assert {q.scale for q in QUESTIONS} == {None, "person", "team", "organisation", "place",
                                            "country"}  # fmt: skip
    for q in QUESTIONS:
        assert q.text.endswith("?")
        assert all([q.how_would_we_know, q.who_discusses, q.what_information, q.what_space])


def test_seed_maps_scales_and_is_idempotent(scoped):
    Scale.objects.create(workspace=scoped, name="A person's life", position=0, is_person_scale=True)
    place = Scale.objects.create(workspace=scoped, name="PLACE", position=3)
    added = services.question_bank_seed(workspace=scoped)
    assert added == len(QUESTIONS) == Question.objects.count()
    assert services.question_bank_seed(workspace=scoped) == 0
    assert Question.objects.count() == len(QUESTIONS)
    assert set(Question.objects.values_list("source", flat=True)) == {SOURCE}
    place_keyed = sum(1 for q in QUESTIONS if q.scale == "place")
    assert Question.objects.filter(scale=place).count() == place_keyed
    assert Question.objects.filter(scale__name="A person's life").exists()
    # "team", "organisation" and "country" match no scale here: those are for any scale.
    unkeyed = sum(1 for q in QUESTIONS if q.scale in (None, "team", "organisation", "country"))
    assert Question.objects.filter(scale__isnull=True).count() == unkeyed


def test_seed_does_nothing_when_the_bank_has_questions(scoped):
    services.question_create(workspace=scoped, text="Our own?")
    assert services.question_bank_seed(workspace=scoped) == 0
    assert Question.objects.count() == 1


def test_a_new_workspace_gets_the_starter_questions_with_its_default_scales(scoped):
    scales_ensure_defaults(workspace=scoped)
    assert Question.objects.count() == len(QUESTIONS)
    assert Question.objects.filter(scale__name="Team").exists()
    assert Question.objects.filter(scale__name="A person's life").exists()


SCALES = ["person", "team", "organisation", "place", "country"]
PHASES = ["understand", "co_design", "experiment", "embed"]


@pytest.mark.parametrize("mode", ["managing", "governing"])
def test_managing_and_governing_at_every_scale_and_phase(mode):
    """Managing and governing run through every phase at every scale (issue 15): each scale has
    questions of its own of both kinds, and every scale and phase is offered some."""
    for scale in SCALES:
        assert any(q.scale == scale and q.mode == mode for q in QUESTIONS), (scale, mode)
        for phase in PHASES:
            assert any(
                q.scale in (None, scale) and q.phase in ("", phase) and q.mode == mode
                for q in QUESTIONS
            ), (scale, phase, mode)


def test_starters_not_in_bank_survive_edits_and_switching_off(scoped):
    first, second = QUESTIONS[:2]
    assert services.question_bank_add_starters(workspace=scoped, keys=[first.key]) == 1
    question = Question.objects.get()
    assert question.starter == first.key
    services.question_update(
        workspace=scoped, question=question, user=None, text="Our own wording?"
    )
    services.question_set_active(workspace=scoped, question=question, active=False)
    missing = services.starters_not_in_bank(workspace=scoped)
    assert first not in missing
    assert second in missing
    assert len(missing) == len(QUESTIONS) - 1


def test_adding_starters_refuses_none_and_those_already_had(scoped):
    key = QUESTIONS[0].key
    with pytest.raises(ValidationError) as error:
        services.question_bank_add_starters(workspace=scoped, keys=[])
    assert "starters" in error.value.message_dict
    services.question_bank_add_starters(workspace=scoped, keys=[key])
    for keys in ([key], ["unknown"]):
        with pytest.raises(ValidationError):
            services.question_bank_add_starters(workspace=scoped, keys=keys)
    assert Question.objects.count() == 1


def test_the_migration_keys_loaded_starters_by_their_first_wording(scoped):
    """Banks loaded before starters were keyed: a starter is known by its first wording, an
    edited one by its oldest revision's, so neither is offered again."""
    migration = importlib.import_module("stewardship.migrations.0006_question_starter")
    edited, kept = QUESTIONS[:2]
    services.question_bank_seed(workspace=scoped)
    Question.objects.update(starter="")
    question = Question.objects.get(text=edited.text)
    services.question_update(workspace=scoped, question=question, user=None, text="Reworded?")
    own = services.question_create(workspace=scoped, text="Our own?")
    with all_workspaces("a migration runs as the owner"), connection.cursor() as cursor:
        migration.backfill(None, SimpleNamespace(connection=connection))
        # which the application role may not use: with it on, it would see nothing at all
        cursor.execute("SELECT set_config('app.all_workspaces', '', true)")
    assert Question.objects.get(pk=question.pk).starter == edited.key
    assert Question.objects.get(text=kept.text).starter == kept.key
    assert Question.objects.get(pk=own.pk).starter == ""
    assert services.starters_not_in_bank(workspace=scoped) == []
