"""Edits and conflicts: no lost update where two people can edit the same thing.

The one convention, for every form that changes text someone else may be changing too:

- The row carries an edit counter, `revision` (report sections call theirs `version`), starting
  at 1 and bumped by every saved edit.
- The form carries the counter the editor started from in a hidden field (`revision`).
- The service takes it as a keyword argument (`revision=`), locks the row (`SELECT … FOR
  UPDATE`, through `lock_current`) and calls `require_current`: if someone saved since, it
  raises `EditConflict`, carrying what they saved, who and when, and nothing is written. Else it
  saves with `revision` + 1 (`next_revision`). `revision=None` means "no version to compare"
  (internal callers, and the API, which compares `If-Match` ETags instead).
- The view catches `EditConflict`, answers 409, keeps the editor's text in the form with the
  hidden field moved to the new revision (`rebind`), and shows both versions side by side
  (`templates/partials/conflict.html`). Saving that form again is a deliberate merge against
  what the other person saved, and succeeds unless a third save came in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import QueryDict

M = TypeVar("M", bound=models.Model)

COUNTER = "revision"


@dataclass(frozen=True)
class ConflictField:
    """One field of the form, as the other person saved it and as this editor typed it."""

    name: str
    label: str
    theirs: str
    yours: str = ""

    @property
    def differs(self) -> bool:
        return self.theirs.strip() != self.yours.strip()


@dataclass(eq=False)
class EditConflict(Exception):
    """Someone saved the thing after the editor opened it. `revision` is the current counter,
    which a merged save names; `fields` hold the current (their) values; `saved_by` and
    `saved_at` say who and when, where the row knows."""

    revision: int
    fields: list[ConflictField]
    saved_by: str = ""
    saved_at: dt.datetime | None = None
    current: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__("changed meanwhile")

    def theirs(self, name: str) -> str:
        return next((f.theirs for f in self.fields if f.name == name), "")

    def with_yours(self, data: Mapping[str, Any]) -> EditConflict:
        """The same conflict with this editor's typed values beside theirs (for the page)."""
        self.fields = [
            ConflictField(f.name, f.label, f.theirs, _text(data.get(f.name, "")))
            for f in self.fields
        ]
        return self


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def lock_current(
    model: type[M], *, workspace: Any, pk: int, related: Sequence[str] = (), of: Sequence[str] = ()
) -> M:
    """The row as it is now, locked until the transaction ends (call inside `atomic`)."""
    query = model._default_manager.select_for_update(of=tuple(of))
    if related:
        query = query.select_related(*related)
    return query.get(workspace=workspace, pk=pk)


def require_current(
    current: models.Model,
    *,
    revision: int | None,
    fields: Iterable[str],
    counter: str = COUNTER,
    saved_by: Any = None,
    saved_at: dt.datetime | None = None,
    values: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
) -> None:
    """Raise EditConflict if `current` (a locked row) moved on from `revision`.

    `fields` names what the form edits, shown with the model's labels (or `labels`, where the
    form words it otherwise); `values` may give a field's display value where the attribute
    is not text (themes, people)."""
    have = int(getattr(current, counter))
    if revision is None or int(revision) == have:
        return
    opts = current._meta
    shown: list[ConflictField] = []
    for name in fields:
        if labels and name in labels:
            label = str(labels[name])
        else:
            try:
                label = str(opts.get_field(name).verbose_name)  # type: ignore[union-attr]
            except FieldDoesNotExist:  # a form-only field: its name
                label = name.replace("_", " ")
        value = values[name] if values and name in values else getattr(current, name, "")
        display = getattr(current, f"get_{name}_display", None)
        if display is not None and not (values and name in values):
            value = display()
        shown.append(ConflictField(name, label[:1].upper() + label[1:], _text(value)))
    if saved_at is None:
        saved_at = getattr(current, "updated_at", None)
    raise EditConflict(
        revision=have,
        fields=shown,
        saved_by=str(getattr(saved_by, "display_name", "") or saved_by or ""),
        saved_at=saved_at,
        current=current,
    )


def next_revision(current: models.Model, counter: str = COUNTER) -> int:
    """The counter a saved edit writes (the row is locked, so this cannot race)."""
    return int(getattr(current, counter)) + 1


def rebind(data: QueryDict, conflict: EditConflict, counter: str = COUNTER) -> QueryDict:
    """The editor's submitted data, kept as typed, now naming the current revision: saving it
    again is a merge against what the other person saved."""
    kept = data.copy()
    kept[counter] = str(conflict.revision)
    return kept


def RevisionField() -> forms.IntegerField:
    """The hidden field every conflict-guarded form carries: the revision it started from."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
