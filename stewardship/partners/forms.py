"""Forms for heads-up notes. Rules live in services.py; forms parse input and keep what was
typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stewardship.partners.services import TEXT_MAX


class HeadsUpForm(forms.Form):
    text = forms.CharField(
        label=_("What you noticed"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Informal and private: only the cycle's stewards read it, never those above the "
            "cycle. Say what you saw and why it may matter; no judgement, no rating."
        ),
        error_messages={
            "required": _("Say what you noticed."),
            "max_length": _("Keep it to %(limit_value)d characters."),
        },
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("The cycle's answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The partner who wrote it reads your answer."),
        error_messages={
            "required": _("Write the cycle's answer."),
            "max_length": _("Keep it to %(limit_value)d characters."),
        },
    )
