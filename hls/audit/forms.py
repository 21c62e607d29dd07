"""The audit log's filter (a GET form: what it says stays in the address, so a view of the log
can be shared between admins and exported as it is)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hls.audit import actions, selectors, targets
from hls.tenancy.models import Workspace

NO_ACTOR = "none"
PERSON = "systems.person"
LOOKS_LIKE_REFERENCE = re.compile(r"^P-[0-9A-Z]{4,}$", re.IGNORECASE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What was done"),
        required=False,
        error_messages={"invalid_choice": _("Choose what was done from the list.")},
    )
    actor = forms.ChoiceField(
        label=_("Who did it"),
        required=False,
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )
    target_kind = forms.ChoiceField(
        label=_("What it was about"),
        required=False,
        error_messages={"invalid_choice": _("Choose what it was about from the list.")},
    )
    target = forms.CharField(
        label=_("Its reference or number"),
        required=False,
        max_length=64,
        help_text=_("A person's reference (like P-7K3Q), or the number the log shows (like #12)."),
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Give a date, like 2026-03-31.")},
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Give a date, like 2026-03-31.")},
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        action: forms.ChoiceField = self.fields["action"]  # type: ignore[assignment]
        action.choices = actions.choices()
        actor: forms.ChoiceField = self.fields["actor"]  # type: ignore[assignment]
        actor.choices = [
            ("", _("Anyone")),
            (NO_ACTOR, _("No one: background work")),
            *(
                (str(user.pk), user.display_name)
                for user in selectors.actors_for_filter(workspace=workspace)
            ),
        ]
        kind: forms.ChoiceField = self.fields["target_kind"]  # type: ignore[assignment]
        kind.choices = [
            ("", _("Anything")),
            *sorted(((k.label, str(k.name)) for k in targets.KINDS), key=lambda c: c[1]),
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("This is before the “From” date. Give a later date."))
        text = (data.get("target") or "").strip().removeprefix("#")
        label = data.get("target_kind") or ""
        data["target_id"] = ""
        if not text:
            return data
        if not label:
            if not LOOKS_LIKE_REFERENCE.match(text):
                self.add_error(
                    "target_kind", _("Choose what it was about, so the number means something.")
                )
                return data
            label = data["target_kind"] = PERSON
        if text.isdigit():
            data["target_id"] = text
            return data
        kind = targets.kind_of(label)
        if kind is None or not kind.reference:
            self.add_error("target", _("Give the number the log shows for it, like #12."))
            return data
        found = targets.find_by_reference(workspace=self.workspace, label=label, reference=text)
        if found is None:
            self.add_error(
                "target",
                _("No one here has the reference %(reference)s. Check it and try again.")
                % {"reference": text.upper()},
            )
            return data
        data["target_id"] = found
        return data

    def to_filter(self) -> selectors.AuditFilter:
        """The filter the form describes (call after is_valid())."""
        data = self.cleaned_data
        actor = data.get("actor") or ""
        return selectors.AuditFilter(
            action=data.get("action") or "",
            actor_id=int(actor) if actor.isdigit() else None,
            no_actor=actor == NO_ACTOR,
            target_type=data.get("target_kind") or "",
            target_id=data.get("target_id") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
