"""One way to render a form field, for every form in the product (docs/ui.md).

`FormRenderer` is settings.FORM_RENDERER: it renders through the project's own template engine,
so the field template (`templates/partials/field.html`, also what `{{ field.as_field_group }}`
and `{{ form }}` give) and the widget templates under `templates/django/forms/widgets/`
(radios and checkboxes as a control with its label beside it) replace Django's stock ones
everywhere. A form cannot drift from them: there is nothing else to render with.

`ChipRadioSelect` and `ChipCheckboxSelectMultiple` are the one variant: the same markup, shown as
big tap targets (quick capture's kind and themes).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "partials/form.html"
    field_template_name = "partials/field.html"


class _Variant:
    """A choice widget whose options are drawn another way; `variant` is a class on the list
    of options (`.choices.chips` in app.css), so the markup stays the shared one."""

    variant = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        context["widget"]["variant"] = self.variant
        return context


class ChipRadioSelect(_Variant, forms.RadioSelect):
    """Radio buttons shown as big tap targets."""

    variant = "chips"


class ChipCheckboxSelectMultiple(_Variant, forms.CheckboxSelectMultiple):
    """Checkboxes shown as big tap targets."""

    variant = "chips"
