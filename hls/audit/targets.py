"""What an audit event was about (its `target_type`, a model's label), as the audit log shows it:
a plain name, what may name the one object (never personal text: a person by their reference,
the pseudonym), and the page it links to while it still exists.

The core names the apps' models and pages by label and URL name only (it imports no domain
app, as hls/navigation.py does); `tests/audit/test_targets.py` checks that every label is a
model with a workspace and every URL name reverses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import Workspace


@dataclass(frozen=True)
class TargetKind:
    label: str  # the model's label_lower, as audit_record stores it
    name: str | Promise
    url_name: str = ""  # a workspace page showing it
    url_kwarg: str = ""  # the page's keyword ("" when the page takes none)
    url_field: str = "pk"  # the field whose value fills the keyword
    shown_by: tuple[str, ...] = ()  # fields that may name it (the first not empty)
    reference: str = ""  # a field it can be searched by (a person's reference)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


WORKSPACE = "tenancy.workspace"

KINDS: tuple[TargetKind, ...] = (
    TargetKind(WORKSPACE, _("This workspace"), "members"),
    TargetKind(
        "systems.person",
        _("Person"),
        "person-detail",
        "person_id",
        shown_by=("reference",),
        reference="reference",
    ),
    TargetKind(
        "tenancy.membership",
        _("Member"),
        "members",
        shown_by=("user__full_name", "user__email"),
    ),
    TargetKind("tenancy.invitation", _("Invitation"), "members"),
    TargetKind("api.apikey", _("API key"), "api-keys", shown_by=("name",)),
    TargetKind(
        "webhooks.webhooksubscription",
        _("Webhook"),
        "webhook-detail",
        "subscription_id",
        shown_by=("url",),
    ),
    TargetKind(
        "webhooks.webhookdelivery",
        _("Webhook delivery"),
        "webhook-detail",
        "subscription_id",
        url_field="subscription_id",
    ),
    TargetKind("dataio.importrun", _("Import"), "data-import-detail", "import_id"),
    TargetKind("dataio.exportrun", _("Workspace export"), "data-export-detail", "data_export_id"),
    TargetKind("systems.system", _("System"), "system-detail", "system_id"),
    TargetKind("systems.scale", _("Scale"), "scales"),
    TargetKind("systems.actor", _("Actor on a map"), "actor-edit", "actor_id"),
    TargetKind("systems.factor", _("Factor on a map"), "factor-edit", "factor_id"),
    TargetKind("systems.relationship", _("Link on a map"), "relationship-edit", "relationship_id"),
    TargetKind("cycles.cycle", _("Cycle"), "cycle-detail", "cycle_id"),
    TargetKind("cycles.entry", _("Entry"), "entry-history", "entry_id"),
    TargetKind("cycles.experiment", _("Experiment"), "experiment-detail", "experiment_id"),
    TargetKind("cycles.theme", _("Theme"), "theme-detail", "theme_id"),
    TargetKind("cycles.barrierroute", _("Barrier"), "barrier-detail", "barrier_route_id"),
    TargetKind("cycles.enabler", _("Enabler")),
    TargetKind("cycles.contextquestion", _("Question back to the cycles")),
    TargetKind("cycles.contextanswer", _("Answer to a question from above")),
    TargetKind("cycles.cyclelink", _("Link between cycles")),
    TargetKind("cycles.measure", _("Measure"), "measure-detail", "measure_id"),
    TargetKind("cycles.datapoint", _("Value of a measure")),
    TargetKind("cycles.signifierset", _("Signifier set")),
    TargetKind("cycles.placement", _("Placement of a story")),
    TargetKind("stewardship.session", _("Session"), "session-detail", "session_id"),
    TargetKind("stewardship.sessionoutput", _("Output of a session")),
    TargetKind("stewardship.learningreport", _("Learning report"), "report-detail", "report_id"),
    TargetKind(
        "stewardship.reportexport", _("Learning report export"), "report-export-detail", "export_id"
    ),
    TargetKind("stewardship.methodtemplate", _("Method")),
    TargetKind("stewardship.methodrun", _("Method run")),
)

BY_LABEL: dict[str, TargetKind] = {kind.label: kind for kind in KINDS}


def kind_of(label: str) -> TargetKind | None:
    return BY_LABEL.get(label)


def name_of(label: str) -> str:
    """The kind in plain words; a label this release does not know, as it is."""
    kind = BY_LABEL.get(label)
    return str(kind.name) if kind is not None else label


@dataclass(frozen=True)
class Target:
    """One event's target as the page shows it."""

    kind: str  # the plain name ("Person")
    shown_as: str  # what names it: a reference, a member's name, or its number
    url: str  # its page, or "" when it no longer exists or has none
    exists: bool


def _page(kind: TargetKind, workspace: Workspace, value: object) -> str:
    if not kind.url_name:
        return ""
    kwargs: dict[str, object] = {"workspace_slug": workspace.slug}
    if kind.url_kwarg:
        kwargs[kind.url_kwarg] = value
    try:
        return reverse(kind.url_name, kwargs=kwargs)
    except NoReverseMatch:  # an app that is not installed here
        return ""


def describe(
    *, workspace: Workspace, targets: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Target]:
    """What each (target_type, target_id) is, in one query per kind of target among them
    (whether it still exists, what names it, the value its page needs)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for label, target_id in targets:
        if label in BY_LABEL and target_id.isdigit():
            wanted[label].add(int(target_id))
    found: dict[tuple[str, str], Target] = {}
    for label, ids in sorted(wanted.items()):
        kind = BY_LABEL[label]
        fields = ["pk", *kind.shown_by]
        if kind.url_field != "pk":
            fields.append(kind.url_field)
        objects = kind.model._default_manager.filter(pk__in=ids)
        objects = (
            objects.filter(pk=workspace.pk)
            if label == WORKSPACE
            else objects.filter(workspace=workspace)
        )
        rows: list[dict[str, Any]] = list(objects.values(*fields))
        for row in rows:
            shown = next((str(row[f]) for f in kind.shown_by if row.get(f)), "")
            found[(label, str(row["pk"]))] = Target(
                kind=str(kind.name),
                shown_as=shown or f"#{row['pk']}",
                url=_page(kind, workspace, row[kind.url_field]),
                exists=True,
            )
    return found


def gone(label: str, target_id: str) -> Target:
    """A target that is not (or no longer) there: its kind and number only."""
    return Target(kind=name_of(label), shown_as=f"#{target_id}", url="", exists=False)


def find_by_reference(*, workspace: Workspace, label: str, reference: str) -> str | None:
    """The id of the object of this kind with this reference (a person's, say), or None."""
    kind = BY_LABEL.get(label)
    if kind is None or not kind.reference:
        return None
    found = (
        kind.model._default_manager.filter(
            workspace=workspace, **{f"{kind.reference}__iexact": reference.strip()}
        )
        .values_list("pk", flat=True)
        .first()
    )
    return str(found) if found is not None else None
