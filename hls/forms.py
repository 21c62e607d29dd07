"""Form → service → error, once: how a page hands a form to a service.

Every form that changes something goes the same way: validate the form, call one service with
its cleaned data, and if the service refuses (`ValidationError`), put the refusal on the form,
beside the field it is about, so the page shows the form again with the typed text kept::

    form = EndForm(request.POST or None)
    if request.method == "POST":
        ended = submit(
            form,
            lambda data: services.experiment_end(
                workspace=workspace, experiment=experiment, ended_by=request.user, **data
            ),
        )
        if ended is not None:
            messages.success(request, _("Experiment ended."))
            return redirect("experiment-detail", workspace.slug, experiment.pk)
    status = invalid_status(request) if form.errors else 200
    return render(request, "cycles/experiments/end.html", {"form": form}, status=status)

Where the form's field names are the service's keyword arguments, `call` is the service with
`**data`; where they differ, `call` maps them, and `fields` says which form field a service
error named otherwise belongs to.

`EditConflict` (`hls/conflicts.py`) is not a refusal of the input but news that someone saved
first: `submit` lets it through to the view, which answers 409 with both versions.

A button with no form (start, cancel, resend, snooze) has no field to put a refusal beside:
`act(request, call)` calls the service and, if it refuses, says why in one message above the
page it redirects to::

    if act(request, lambda: services.invitation_resend(invitation=invitation, actor=request.user)):
        messages.success(request, _("Invitation sent again."))
    return redirect("members", workspace_slug=workspace.slug)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

T = TypeVar("T")

FieldMap = Mapping[str, str] | Callable[[], Mapping[str, str]]


def submit(
    form: forms.BaseForm,
    call: Callable[[dict[str, Any]], T],
    *,
    fields: FieldMap | None = None,
) -> T | None:
    """Validate `form`; if valid, return `call(form.cleaned_data)`. `None` means the form now
    holds its errors (its own, or the service's `ValidationError`) and should be shown again.

    `call` must return something (the saved object, or what the page says next): a `None`
    from it could not be told from a refusal, so it is a programming error (`TypeError`).
    `fields` maps a service error's key to the form field it belongs to (or is a function
    giving that mapping, when it depends on what was chosen); see `add_service_error`."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        add_service_error(form, error, fields=fields)
        return None
    if result is None:
        raise TypeError(
            "submit(): the call returned None, which would read as a refusal; "
            "return the saved object (or what the page says next) instead"
        )
    return result


def add_service_error(
    form: forms.BaseForm, error: ValidationError, *, fields: FieldMap | None = None
) -> None:
    """Put a service's `ValidationError` on `form`: an error keyed by field goes beside that
    field (renamed through `fields` where the service calls it otherwise); one keyed by
    something the form has no field for, or not keyed at all, goes above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    mapping = (fields() if callable(fields) else fields) or {}
    for key, errors in error.error_dict.items():
        target = mapping.get(key, key)
        form.add_error(target if target in form.fields else None, errors)


def act(request: HttpRequest, call: Callable[[], T], *, level: int = messages.ERROR) -> T | None:
    """Call a service for a button with no form; return its answer. If it refuses
    (`ValidationError`), put its messages, joined, in one message (an error, or `level` where
    the refusal is news rather than a fault) and return `None`; the view then shows the page
    it would have shown anyway, where the message appears.

    As with `submit`, `call` must return something: a `None` from it could not be told from a
    refusal (`TypeError`). `PermissionDenied`, `EditConflict` and the rest reach the view."""
    try:
        result = call()
    except ValidationError as error:
        messages.add_message(request, level, " ".join(error.messages))
        return None
    if result is None:
        raise TypeError(
            "act(): the call returned None, which would read as a refusal; "
            "return what the service changed instead"
        )
    return result
