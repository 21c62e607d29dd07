"""Writes for links between cycles, learning sideways and lineage. Keyword-only, typed, atomic.

Every refusal of bad input is a ValidationError keyed by the form field it concerns, and changes
nothing; starting from a design into a cycle the actor is not inside is a PermissionDenied.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.connections import cycle_ids_below, cycles_above, peer_cycles
from cycles.links.selectors import lineage_cycle_ids
from cycles.models import (
    ContextQuestion,
    ContextQuestionTarget,
    Cycle,
    CycleLink,
    Entry,
    EntrySource,
    Experiment,
)
from cycles.selectors import entries_visible_to
from cycles.trust import require_steer
from hls.accounts.models import User
from hls.tenancy.models import Workspace

TEXT_MAX = 5000


def _text(value: str, *, field: str, missing: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {field: _("Keep this to %(max)d characters or fewer.") % {"max": TEXT_MAX}}
        )
    return value


def _lock_links(workspace: Workspace) -> None:
    """One link change at a time per workspace, so two requests cannot make a loop together."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cycles.links'), %s)", [workspace.pk])


# Links ---------------------------------------------------------------------------------------


@transaction.atomic
def link_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    other: Cycle,
    kind: str,
    reason: str,
    created_by: User,
) -> CycleLink:
    """Link `cycle` to `other`: PARENT makes `other` an additional cycle above this one; PEER
    joins them sideways."""
    if kind not in CycleLink.Kind.values:
        raise ValidationError({"kind": _("Choose whether it is a cycle above or a peer.")})
    if cycle.workspace_id != workspace.pk or other.workspace_id != workspace.pk:
        raise ValidationError({"other": _("Choose a cycle in this workspace.")})
    if other.pk == cycle.pk:
        raise ValidationError({"other": _("A cycle cannot be linked to itself.")})
    reason = _text(
        reason, field="reason", missing=_("Say why these cycles should learn from each other.")
    )
    _lock_links(workspace)
    open_links = CycleLink.objects.filter(workspace=workspace, ended_at__isnull=True, kind=kind)
    if kind == CycleLink.Kind.PARENT:
        if other.pk in cycle_ids_below(workspace=workspace, cycle=cycle):
            raise ValidationError(
                {
                    "other": _(
                        "“%(other)s” is below this cycle, so it cannot also be above it: "
                        "that would make a loop."
                    )
                    % {"other": other.name}
                }
            )
        if open_links.filter(cycle=cycle, other=other).exists():
            raise ValidationError({"other": _("These cycles are already linked this way.")})
        if cycles_above(workspace=workspace, cycle=cycle).filter(pk=other.pk).exists():
            raise ValidationError(
                {
                    "other": _("“%(other)s” is already above this cycle through the system map.")
                    % {"other": other.name}
                }
            )
    elif (
        open_links.filter(cycle=cycle, other=other).exists()
        or open_links.filter(cycle=other, other=cycle).exists()
    ):
        raise ValidationError({"other": _("These cycles are already linked this way.")})
    return CycleLink.objects.create(
        workspace=workspace,
        cycle=cycle,
        other=other,
        kind=kind,
        reason=reason,
        created_by=created_by,
    )


@transaction.atomic
def link_end(*, workspace: Workspace, link: CycleLink, ended_by: User, reason: str) -> CycleLink:
    """End a link, keeping it (and why it ended) in the cycle's history."""
    if link.workspace_id != workspace.pk:
        raise ValidationError({"reason": _("This link is not in this workspace.")})
    reason = _text(reason, field="reason", missing=_("Say why this link ends."))
    _lock_links(workspace)
    link.refresh_from_db(fields=["ended_at"])
    if link.ended_at is not None:
        raise ValidationError({"reason": _("This link has already ended.")})
    link.ended_at = timezone.now()
    link.ended_by = ended_by
    link.end_reason = reason
    link.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    return link


# Learning sideways ---------------------------------------------------------------------------


@transaction.atomic
def ask_peer(
    *,
    workspace: Workspace,
    asked_from: Cycle,
    asked_by: User,
    peer: Cycle,
    text: str,
    about_entry: Entry | None = None,
    about_experiment: Experiment | None = None,
) -> ContextQuestion:
    """ "Ask the cycle that learnt it": a question from this cycle to a peer, about one of the
    peer's entries or experiments. It reaches the peer's timeline like a question back to
    context (ContextQuestion + ContextQuestionTarget)."""
    if asked_from.workspace_id != workspace.pk or peer.workspace_id != workspace.pk:
        raise ValidationError({"text": _("Ask a cycle in this workspace.")})
    if not peer_cycles(workspace=workspace, cycle=asked_from).filter(pk=peer.pk).exists():
        raise ValidationError(
            {"text": _("“%(peer)s” is not a peer of this cycle.") % {"peer": peer.name}}
        )
    text = _text(text, field="text", missing=_("Write the question you want to ask."))
    origin: dict[str, object] = {"kind": "sideways", "peer_id": peer.pk}
    if about_entry is not None:
        visible = (
            entries_visible_to(workspace=workspace, user=asked_by)
            .shared_upward()
            .filter(pk=about_entry.pk)
            .exists()
        )
        if (
            about_entry.workspace_id != workspace.pk
            or about_entry.cycle_id != peer.pk
            or not visible
        ):
            raise ValidationError({"text": _("Ask about an entry this peer shared with you.")})
        origin["entry_id"] = about_entry.pk
        origin["label"] = about_entry.get_kind_display()
    if about_experiment is not None:
        if about_experiment.workspace_id != workspace.pk or about_experiment.cycle_id != peer.pk:
            raise ValidationError({"text": _("Ask about an experiment of this peer.")})
        origin["experiment_id"] = about_experiment.pk
        origin["label"] = about_experiment.title
    question = ContextQuestion.objects.create(
        workspace=workspace, asked_from=asked_from, asked_by=asked_by, text=text, origin=origin
    )
    ContextQuestionTarget.objects.create(workspace=workspace, question=question, cycle=peer)
    return question


COPIED_FIELDS = ("title", "what_we_will_try", "why", "how_we_will_know", "safe_to_fail_limits")


@transaction.atomic
def copy_design(
    *, workspace: Workspace, cycle: Cycle, source: Experiment, copied_by: User
) -> Experiment:
    """Start a planned experiment in `cycle` from another cycle's design, as a starting point to
    adapt (never a roll-out). The prediction is not copied: this cycle writes its own before it
    starts. People, actors, dates and outcome stay behind.

    Spread is a pull: only someone inside `cycle` (cycles.trust) starts from a design into it,
    and they own the new experiment. Anyone else is refused (PermissionDenied)."""
    if cycle.workspace_id != workspace.pk or source.workspace_id != workspace.pk:
        raise ValidationError({"experiment": _("Choose an experiment in this workspace.")})
    require_steer(workspace=workspace, user=copied_by, cycle=cycle)
    if source.cycle_id == cycle.pk:
        raise ValidationError({"experiment": _("This design is already in this cycle.")})
    return Experiment.objects.create(
        workspace=workspace,
        cycle=cycle,
        owner=copied_by,
        status=Experiment.Status.PLANNED,
        copied_from=source,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )


# Lineage -------------------------------------------------------------------------------------


@transaction.atomic
def source_add(
    *,
    workspace: Workspace,
    entry: Entry,
    added_by: User,
    source_entry: Entry | None = None,
    source_experiment: Experiment | None = None,
) -> EntrySource:
    """Record that `entry` came from an entry or an experiment of its cycle or a cycle below,
    one the person adding it may see."""
    if (source_entry is None) == (source_experiment is None):
        raise ValidationError(
            {"source_entry": _("Choose one entry or one experiment this came from.")}
        )
    allowed = lineage_cycle_ids(workspace=workspace, cycle=entry.cycle)
    existing = EntrySource.objects.filter(workspace=workspace, entry=entry)
    if source_entry is not None:
        if source_entry.pk == entry.pk:
            raise ValidationError({"source_entry": _("An entry cannot come from itself.")})
        visible = (
            entries_visible_to(workspace=workspace, user=added_by)
            .filter(pk=source_entry.pk)
            .exists()
        )
        if (
            source_entry.workspace_id != workspace.pk
            or not visible
            or source_entry.cycle_id not in allowed
        ):
            raise ValidationError(
                {
                    "source_entry": _(
                        "Choose an entry you can see, from this cycle or a cycle below it."
                    )
                }
            )
        if existing.filter(source_entry=source_entry).exists():
            raise ValidationError({"source_entry": _("This source is already listed.")})
    if source_experiment is not None:
        if source_experiment.workspace_id != workspace.pk or source_experiment.cycle_id not in (
            allowed
        ):
            raise ValidationError(
                {"source_experiment": _("Choose an experiment of this cycle or a cycle below it.")}
            )
        if existing.filter(source_experiment=source_experiment).exists():
            raise ValidationError({"source_experiment": _("This source is already listed.")})
    return EntrySource.objects.create(
        workspace=workspace,
        entry=entry,
        source_entry=source_entry,
        source_experiment=source_experiment,
        added_by=added_by,
    )


@transaction.atomic
def source_remove(*, workspace: Workspace, source: EntrySource) -> None:
    EntrySource.objects.filter(workspace=workspace, pk=source.pk).delete()
