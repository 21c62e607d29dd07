"""hls/forms.py: `act(request, call)`, a button with no form calling a service: its answer, or
its refusal in one message on the next page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from hls.forms import act


def _request() -> HttpRequest:
    """A POST as a view receives it: with a session and the messages it carries."""
    request = RequestFactory().post("/w/riverside/invitations/1/resend/")

    def nothing(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    SessionMiddleware(nothing).process_request(request)
    MessageMiddleware(nothing).process_request(request)
    return request


def _shown(request: HttpRequest) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in messages.get_messages(request)]


class Service:
    """A stand-in service: counts its calls, answers or raises as told."""

    def __init__(self, answer: Any = "sent", raises: Exception | None = None) -> None:
        self.calls = 0
        self.answer = answer
        self.raises = raises

    def __call__(self) -> Any:
        self.calls += 1
        if self.raises is not None:
            raise self.raises
        return self.answer


def test_the_service_answer_is_returned_and_nothing_is_said() -> None:
    request, service = _request(), Service(answer={"pk": 3})
    assert act(request, service) == {"pk": 3}
    assert service.calls == 1
    assert _shown(request) == []  # the view says what went well itself


def test_a_refusal_is_one_error_message_with_all_its_reasons_and_no_answer() -> None:
    request = _request()
    refusal = ValidationError(["This invitation was withdrawn.", "Invite them again."])
    service = Service(raises=refusal)
    assert act(request, service) is None
    assert service.calls == 1  # never retried
    assert _shown(request) == [
        (messages.ERROR, "This invitation was withdrawn. Invite them again.")
    ]


def test_a_refusal_about_a_field_still_reaches_the_person() -> None:
    # A button has no field to put it beside: the message says it above the page.
    request = _request()
    refusal = ValidationError({"response": "Choose yes, maybe or no."})
    assert act(request, Service(raises=refusal)) is None
    assert _shown(request) == [(messages.ERROR, "Choose yes, maybe or no.")]


def test_a_refusal_that_is_news_can_be_said_at_another_level() -> None:
    request = _request()
    refusal = ValidationError("You have already answered for this meeting.")
    assert act(request, Service(raises=refusal), level=messages.INFO) is None
    assert _shown(request) == [(messages.INFO, "You have already answered for this meeting.")]


def test_anything_but_a_refusal_reaches_the_view_and_says_nothing() -> None:
    request = _request()
    with pytest.raises(PermissionDenied):
        act(request, Service(raises=PermissionDenied("Only its stewards may.")))
    assert _shown(request) == []


def test_a_call_that_answers_none_is_a_programming_error() -> None:
    # None would read as a refusal, and the page would say nothing went wrong nor right.
    request = _request()
    with pytest.raises(TypeError, match="returned None"):
        act(request, Service(answer=None))
    assert _shown(request) == []
