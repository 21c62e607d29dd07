"""The living style guide (docs/ui.md): every component on one page, drawn by the real
templates and app.css, so a change to either shows here first.

Served at /styleguide/ when settings.DEBUG is on (`make run`), and to staff otherwise; anyone
else gets the same 404 as an unknown address. It holds no workspace data: its examples are
made up here, so it is outside /w/<slug>/ and nothing on it can leak.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from hls.conflicts import ConflictField, EditConflict
from hls.renderers import ChipCheckboxSelectMultiple, ChipRadioSelect

COLOURS = [
    "ink", "muted", "paper", "surface", "surface-sunk", "line", "accent", "accent-strong",
    "accent-ink", "tint", "tint-soft", "error", "ok", "focus", "warn-surface", "highlight",
]  # fmt: skip
SPACES = ["space-0", "space-1", "space-2", "space-3", "space-4", "space-5", "space-6", "space-7"]
TEXT_SIZES = ["text-xs", "text-sm", "text-base", "text-md", "text-lg", "text-xl", "text-2xl"]

KINDS = [("story", _("Story")), ("barrier", _("Barrier")), ("insight", _("Insight"))]
LEVELS = [("private", _("Only me")), ("team", _("My team")), ("workspace", _("Everyone here"))]
DAYS = [("mon", _("Monday")), ("wed", _("Wednesday")), ("fri", _("Friday"))]


class StyleGuideForm(forms.Form):
    """One field of each kind the product uses."""

    title = forms.CharField(label=_("Title"), max_length=80, help_text=_("A few words."))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    level = forms.ChoiceField(label=_("Who can see it"), choices=LEVELS)
    started = forms.DateField(
        label=_("Started on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput({"type": "time"}))
    count = forms.IntegerField(label=_("Number of meetings"), min_value=1, required=False)
    file = forms.FileField(
        label=_("CSV file"), required=False, help_text=_("UTF-8, one header row.")
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"), choices=DAYS, widget=forms.RadioSelect, help_text=_("Choose one.")
    )
    days = forms.MultipleChoiceField(
        label=_("Reminders"), choices=DAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label=_("What is it?"), choices=KINDS, widget=ChipRadioSelect)
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=KINDS, required=False, widget=ChipCheckboxSelectMultiple
    )
    signed = forms.BooleanField(
        label=_("Sign it with my name"), required=False, help_text=_("Your name travels with it.")
    )


def _forms() -> list[tuple[str, StyleGuideForm]]:
    normal = StyleGuideForm(
        prefix="normal",
        initial={"title": "Thursday lifts", "repeat": "wed", "kind": "story", "level": "team"},
    )
    invalid = StyleGuideForm(
        prefix="error",
        data={
            "error-title": "",
            "error-notes": "What you typed is kept.",
            "error-started": "31/02/2025",
            "error-count": "0",
            "error-level": "nowhere",
            "error-kind": "",
        },
    )
    invalid.is_valid()
    invalid.add_error("signed", _("Sign it, or choose who can see it first."))
    invalid.add_error("days", _("Choose at most two days."))
    invalid.add_error("file", _("That file is not a CSV file."))
    disabled = StyleGuideForm(
        prefix="disabled",
        initial={"title": "Fixed", "repeat": "mon", "kind": "barrier", "signed": True},
    )
    for field in disabled.fields.values():
        field.disabled = True
    return [("normal", normal), ("error", invalid), ("disabled", disabled)]


@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    if not (settings.DEBUG or getattr(request.user, "is_staff", False)):
        raise Http404
    conflict = EditConflict(
        revision=3,
        fields=[
            ConflictField("title", str(_("Title")), "Thursday lifts", "Thursday lift-share"),
            ConflictField("notes", str(_("Notes")), "Same words.", "Same words."),
        ],
        saved_by="Sam Steward",
        saved_at=dt.datetime(2025, 3, 6, 14, 5, tzinfo=dt.UTC),
    )
    context = {
        "forms": _forms(),
        "colours": COLOURS,
        "spaces": SPACES,
        "text_sizes": TEXT_SIZES,
        "conflict": conflict,
    }
    return render(request, "styleguide.html", context)
