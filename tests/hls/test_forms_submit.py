"""hls/forms.py: `submit(form, call)`, the one path from a form to a service and back."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from hls.conflicts import ConflictField, EditConflict
from hls.forms import add_service_error, submit


class NoteForm(forms.Form):
    title = forms.CharField(max_length=20)
    start_date = forms.DateField(required=False)
    repeat = forms.CharField(required=False)
    advanced = forms.CharField(required=False)


class Recorder:
    """A stand-in service: records what it was called with, answers or refuses as told."""

    def __init__(self, answer: Any = "saved", refuse: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answer = answer
        self.refuse = refuse

    def __call__(self, data: dict[str, Any]) -> Any:
        self.calls.append(dict(data))
        if self.refuse is not None:
            raise self.refuse
        return self.answer


def test_a_valid_form_calls_once_with_its_cleaned_data_and_returns_the_answer() -> None:
    form = NoteForm({"title": "  Tuesdays  ", "start_date": "2025-03-04"})
    call = Recorder(answer={"pk": 7})
    assert submit(form, call) == {"pk": 7}
    assert len(call.calls) == 1
    assert call.calls[0]["title"] == "Tuesdays"  # cleaned (stripped), not raw
    assert str(call.calls[0]["start_date"]) == "2025-03-04"
    assert form.errors == {}


def test_an_invalid_form_never_reaches_the_service() -> None:
    form = NoteForm({"title": ""})
    call = Recorder()
    assert submit(form, call) is None
    assert call.calls == []
    assert "title" in form.errors


def test_a_refusal_without_a_field_goes_above_the_form_with_every_message() -> None:
    form = NoteForm({"title": "Tuesdays"})
    refusal = ValidationError(["Only the cycle's members may.", "And not today."])
    assert submit(form, Recorder(refuse=refusal)) is None
    assert form.non_field_errors() == ["Only the cycle's members may.", "And not today."]
    assert set(form.errors) == {NON_FIELD_ERRORS}
    assert not form.is_valid()


def test_a_refusal_about_a_field_goes_beside_it_and_leaves_its_cleaned_value() -> None:
    form = NoteForm({"title": "Tuesdays", "start_date": "2025-03-04"})
    refusal = ValidationError({"title": "That name is taken.", "start_date": "Too early."})
    assert submit(form, Recorder(refuse=refusal)) is None
    assert form.errors["title"] == ["That name is taken."]
    assert form.errors["start_date"] == ["Too early."]
    assert form.non_field_errors() == []
    assert "title" not in form.cleaned_data  # as Django's add_error does for a field
    # The typed text stays in the form that is shown again.
    assert 'value="Tuesdays"' in str(form["title"])


def test_a_refusal_keeps_its_code_and_params() -> None:
    form = NoteForm({"title": "Tuesdays"})
    refusal = ValidationError(
        {"title": ValidationError("%(n)s is taken.", code="taken", params={"n": "X"})}
    )
    submit(form, Recorder(refuse=refusal))
    assert form.errors["title"] == ["X is taken."]
    assert form.has_error("title", code="taken")


def test_a_service_name_is_mapped_to_the_form_field() -> None:
    form = NoteForm({"title": "Tuesdays"})
    refusal = ValidationError({"starts_at": "That time has passed."})
    submit(form, Recorder(refuse=refusal), fields={"starts_at": "start_date"})
    assert form.errors["start_date"] == ["That time has passed."]
    assert form.non_field_errors() == []


@pytest.mark.parametrize(("repeat", "field"), [("weekly", "repeat"), ("advanced", "advanced")])
def test_the_mapping_may_depend_on_what_was_chosen(repeat: str, field: str) -> None:
    form = NoteForm({"title": "Tuesdays", "repeat": repeat})

    def fields() -> dict[str, str]:
        chosen = form.cleaned_data.get("repeat")
        return {"rrule": "advanced" if chosen == "advanced" else "repeat"}

    submit(form, Recorder(refuse=ValidationError({"rrule": "Not a rule."})), fields=fields)
    assert form.errors[field] == ["Not a rule."]
    assert set(form.errors) == {field}


def test_a_key_the_form_has_no_field_for_goes_above_the_form() -> None:
    form = NoteForm({"title": "Tuesdays"})
    refusal = ValidationError(
        {"cycle": "Not one of yours.", NON_FIELD_ERRORS: ["Closed."], "title": "Taken."}
    )
    assert submit(form, Recorder(refuse=refusal)) is None
    assert form.non_field_errors() == ["Not one of yours.", "Closed."]
    assert form.errors["title"] == ["Taken."]


def test_an_edit_conflict_is_left_to_the_view_with_the_form_untouched() -> None:
    form = NoteForm({"title": "Tuesdays"})
    conflict = EditConflict(revision=3, fields=[ConflictField("title", "Title", "Mondays")])
    with pytest.raises(EditConflict) as raised:
        submit(form, Recorder(refuse=conflict))
    assert raised.value is conflict
    assert form.errors == {}
    assert form.cleaned_data["title"] == "Tuesdays"  # for `with_yours`


def test_other_exceptions_pass_through() -> None:
    form = NoteForm({"title": "Tuesdays"})
    with pytest.raises(PermissionError):
        submit(form, Recorder(refuse=PermissionError("no")))


def test_a_call_that_returns_nothing_is_a_programming_error() -> None:
    form = NoteForm({"title": "Tuesdays"})
    with pytest.raises(TypeError, match="returned None"):
        submit(form, Recorder(answer=None))


def test_falsy_answers_are_still_success() -> None:
    assert submit(NoteForm({"title": "a"}), Recorder(answer=0)) == 0
    assert submit(NoteForm({"title": "a"}), Recorder(answer="")) == ""


def test_add_service_error_alone_puts_errors_as_submit_does() -> None:
    form = NoteForm({"title": "Tuesdays"})
    assert form.is_valid()
    add_service_error(form, ValidationError({"starts_at": "Too late."}), fields={})
    assert form.non_field_errors() == ["Too late."]
