from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hls.webhooks.events import EVENTS
from hls.webhooks.urlcheck import UrlRefused, check_url


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("Where we POST each event, e.g. https://partner.example/hls/webhook."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Which system receives it, and who looks after it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each event's name beside its description: partners subscribe by that name.
        field = self.fields["events"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (name, format_html("{} <code>{}</code>", label, name)) for name, label in EVENTS.items()
        ]

    def clean_url(self) -> str:
        """The service checks again; here so every problem shows at once, beside its field."""
        try:
            return check_url(self.cleaned_data["url"])
        except UrlRefused as error:
            raise forms.ValidationError(str(error)) from error
