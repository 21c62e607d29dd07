"""Writes for the guided set-up of a place cycle. Keyword-only, typed, atomic; ValidationError
names the field, so forms show the message beside it with what was typed kept.

Progress: a step joins `PlaceSetup.completed_steps` once it holds its minimum content (the
purpose saved on its step, at least one member organisation, principle, steward role,
participation row and accountability row) and leaves it when that content is removed.
Principles: once the current version of the charter has a signature, changing the principles
makes a new version, so every signature names the version that was signed.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.models import Cycle
from cycles.services import cycle_create, cycle_update
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Membership, Organisation, Workspace
from stewardship.models import (
    Accountability,
    Charter,
    CharterSignature,
    Participation,
    PlaceSetup,
    Principle,
    StewardRole,
)
from stewardship.setup.selectors import STEPS, default_place_scale, member_organisations
from systems.models import Scale, SystemMember
from systems.services import SystemInput, system_create, system_update

SHORT_MAX = 160
LONG_MAX = 200


def _required(value: str, field: str, message: str, max_length: int = SHORT_MAX) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError(
            {field: _("Keep it to %(max)d characters or fewer.") % {"max": max_length}}
        )
    return value


def _check_cycle(*, workspace: Workspace, cycle: Cycle) -> None:
    if cycle.workspace_id != workspace.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this workspace.")})


# Progress ------------------------------------------------------------------------------------


def _step_has_content(workspace: Workspace, cycle: Cycle, step: str) -> bool:
    if step == "purpose":
        return bool(cycle.purpose.strip())
    if step == "organisations":
        return member_organisations(workspace=workspace, cycle=cycle).exists()
    if step == "principles":
        return Principle.objects.filter(charter__cycle=cycle).exists()
    if step == "stewards":
        return StewardRole.objects.filter(cycle=cycle, ended_at__isnull=True).exists()
    if step == "participation":
        return Participation.objects.filter(cycle=cycle).exists()
    if step == "accountability":
        return Accountability.objects.filter(cycle=cycle).exists()
    raise ValueError(step)


def place_setup_ensure(*, workspace: Workspace, cycle: Cycle, user: User | None) -> PlaceSetup:
    """The cycle's set-up record (created the first time) and its charter."""
    _check_cycle(workspace=workspace, cycle=cycle)
    setup, _created = PlaceSetup.objects.get_or_create(
        workspace=workspace, cycle=cycle, defaults={"started_by": user}
    )
    Charter.objects.get_or_create(workspace=workspace, cycle=cycle)
    return setup


def _mark(*, workspace: Workspace, cycle: Cycle, step: str, saved: bool = False) -> PlaceSetup:
    """Add or remove `step` from the completed steps after a write. The purpose step is only
    marked when saved on its own page (`saved`), the others whenever their content is there."""
    setup = PlaceSetup.objects.select_for_update().filter(workspace=workspace, cycle=cycle).first()
    if setup is None:
        setup = place_setup_ensure(workspace=workspace, cycle=cycle, user=None)
    done = _step_has_content(workspace, cycle, step)
    if step == "purpose" and not saved:
        done = done and step in setup.completed_steps
    steps = [s for s in STEPS if s != step and s in setup.completed_steps]
    if done:
        steps.append(step)
    ordered = [s for s in STEPS if s in steps]
    if ordered != setup.completed_steps:
        setup.completed_steps = ordered
        setup.save(update_fields=["completed_steps", "updated_at"])
    return setup


@transaction.atomic
def place_step_save(*, workspace: Workspace, cycle: Cycle, step: str, user: User) -> PlaceSetup:
    """ "Save" on a step page: mark the step complete if it holds its minimum content."""
    if step not in STEPS:
        raise ValidationError({"step": _("There is no such step.")})
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    return _mark(workspace=workspace, cycle=cycle, step=step, saved=True)


# Start ---------------------------------------------------------------------------------------


@transaction.atomic
def place_setup_start(*, workspace: Workspace, cycle: Cycle, user: User) -> PlaceSetup:
    """Set up an existing cycle as a place cycle (or resume its set-up)."""
    setup = place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    for step in STEPS[1:]:
        setup = _mark(workspace=workspace, cycle=cycle, step=step)
    return setup


@transaction.atomic
def place_cycle_create(
    *, workspace: Workspace, user: User, name: str, purpose: str, scale: Scale | None = None
) -> Cycle:
    """A new system of interest and its cycle, with the set-up started. The scale defaults to
    the workspace's "Place" scale, else its largest scale that is not a person's life."""
    if scale is None:
        scale = default_place_scale(workspace=workspace)
    if scale is None:
        raise ValidationError({"scale": _("This workspace has no scales yet. Add one first.")})
    system = system_create(
        workspace=workspace,
        created_by=user,
        data=SystemInput(name=name, scale=scale, purpose=purpose, members=[user]),
    )
    cycle = cycle_create(
        workspace=workspace, created_by=user, system=system, name=name, purpose=purpose
    )
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    return cycle


# Step 1: purpose ---------------------------------------------------------------------------


@transaction.atomic
def place_purpose_save(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    purpose: str,
    learning_questions: str,
    revision: int | None = None,
) -> Cycle:
    """The purpose step: the cycle's own purpose, guarded like its edit form (`revision`)."""
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    cycle = cycle_update(
        revision=revision,
        workspace=workspace,
        cycle=cycle,
        system=cycle.system,
        name=cycle.name,
        purpose=purpose,
        learning_questions=learning_questions,
        status=cycle.status,
        updated_by=user,
    )
    _mark(workspace=workspace, cycle=cycle, step="purpose", saved=True)
    return cycle


# Step 2: member organisations ----------------------------------------------------------------


def _set_organisations(
    *, workspace: Workspace, cycle: Cycle, user: User, organisations: list[Organisation], why: str
) -> None:
    system = cycle.system
    members = list(User.objects.filter(systemmember__in=SystemMember.objects.filter(system=system)))
    system_update(
        workspace=workspace,
        system=system,
        changed_by=user,
        data=SystemInput(
            name=system.name,
            scale=system.scale,
            purpose=system.purpose,
            parent=system.parent,
            organisations=organisations,
            members=members,
        ),
        reason=why,
    )


@transaction.atomic
def place_organisation_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    organisation: Organisation | None = None,
    new_name: str = "",
) -> Organisation:
    """Add a member organisation: one of the workspace's, or a new one by name (an existing
    organisation of that name, in any case, is reused)."""
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    new_name = new_name.strip()
    if organisation is None and not new_name:
        raise ValidationError(
            {"organisation": _("Choose an organisation, or give the name of a new one.")}
        )
    if organisation is not None and organisation.workspace_id != workspace.pk:
        raise ValidationError({"organisation": _("Choose an organisation of this workspace.")})
    if organisation is None:
        if len(new_name) > SHORT_MAX:
            raise ValidationError(
                {"new_name": _("Keep the name to %(max)d characters or fewer.") % {"max": 160}}
            )
        organisation = Organisation.objects.filter(
            workspace=workspace, name__iexact=new_name
        ).first() or Organisation.objects.create(workspace=workspace, name=new_name)
    current = list(member_organisations(workspace=workspace, cycle=cycle))
    if any(o.pk == organisation.pk for o in current):
        raise ValidationError(
            {
                "organisation": _("%(name)s is already a member organisation.")
                % {"name": organisation.name}
            }
        )
    _set_organisations(
        workspace=workspace,
        cycle=cycle,
        user=user,
        organisations=[*current, organisation],
        why=_("%(name)s joined the place cycle.") % {"name": organisation.name},
    )
    _mark(workspace=workspace, cycle=cycle, step="organisations")
    return organisation


@transaction.atomic
def place_organisation_remove(
    *, workspace: Workspace, cycle: Cycle, user: User, organisation: Organisation
) -> None:
    current = list(member_organisations(workspace=workspace, cycle=cycle))
    remaining = [o for o in current if o.pk != organisation.pk]
    if len(remaining) != len(current):
        _set_organisations(
            workspace=workspace,
            cycle=cycle,
            user=user,
            organisations=remaining,
            why=_("%(name)s left the place cycle.") % {"name": organisation.name},
        )
    _mark(workspace=workspace, cycle=cycle, step="organisations")


# Step 3: the charter, its principles and signatures -----------------------------------------


def _charter(*, workspace: Workspace, cycle: Cycle, user: User | None = None) -> Charter:
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    return Charter.objects.select_for_update().get(workspace=workspace, cycle=cycle)


def _principles_changed(charter: Charter) -> None:
    """A change to the principles after the current version was signed makes a new version."""
    if CharterSignature.objects.filter(charter=charter, version=charter.version).exists():
        charter.version += 1
    charter.save(update_fields=["version", "updated_at"])


@transaction.atomic
def charter_save(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    title: str,
    preamble: str,
    revision: int | None = None,
) -> Charter:
    """The charter's title and preamble; a stale save (`revision`) raises EditConflict."""
    charter = _charter(workspace=workspace, cycle=cycle, user=user)
    require_current(charter, revision=revision, fields=["title", "preamble"])
    title = _required(title, "title", _("Give the charter a title."))
    preamble = preamble.strip()
    if (title, preamble) != (charter.title, charter.preamble):
        charter.title, charter.preamble = title, preamble
        charter.revision = next_revision(charter)
    charter.save(update_fields=["title", "preamble", "revision", "updated_at"])
    return charter


def _clean_principle(title: str, description: str) -> tuple[str, str]:
    return (
        _required(title, "title", _("Write the principle in a few words.")),
        description.strip(),
    )


@transaction.atomic
def principle_add(
    *, workspace: Workspace, cycle: Cycle, user: User, title: str, description: str = ""
) -> Principle:
    charter = _charter(workspace=workspace, cycle=cycle, user=user)
    title, description = _clean_principle(title, description)
    last = Principle.objects.filter(charter=charter).aggregate(m=Max("position"))["m"]
    principle = Principle.objects.create(
        workspace=workspace,
        charter=charter,
        title=title,
        description=description,
        position=0 if last is None else last + 1,
    )
    _principles_changed(charter)
    _mark(workspace=workspace, cycle=cycle, step="principles")
    return principle


@transaction.atomic
def principle_update(
    *,
    workspace: Workspace,
    principle: Principle,
    title: str,
    description: str,
    revision: int | None = None,
) -> Principle:
    """Change a principle; a stale save (`revision`) raises EditConflict (hls/conflicts.py)."""
    charter = Charter.objects.select_for_update().get(workspace=workspace, pk=principle.charter_id)
    principle = lock_current(Principle, workspace=workspace, pk=principle.pk)
    require_current(principle, revision=revision, fields=["title", "description"])
    title, description = _clean_principle(title, description)
    if (title, description) == (principle.title, principle.description):
        return principle
    principle.title, principle.description = title, description
    principle.revision = next_revision(principle)
    principle.save(update_fields=["title", "description", "revision"])
    _principles_changed(charter)
    return principle


@transaction.atomic
def principle_remove(*, workspace: Workspace, principle: Principle) -> None:
    charter = Charter.objects.select_for_update().get(workspace=workspace, pk=principle.charter_id)
    Principle.objects.filter(workspace=workspace, pk=principle.pk).delete()
    _principles_changed(charter)
    _mark(workspace=workspace, cycle=charter.cycle, step="principles")


@transaction.atomic
def principle_move(
    *, workspace: Workspace, principle: Principle, direction: Literal["up", "down"]
) -> None:
    """Swap the principle with its neighbour (up: earlier in the charter)."""
    charter = Charter.objects.select_for_update().get(workspace=workspace, pk=principle.charter_id)
    ordered = list(Principle.objects.filter(workspace=workspace, charter=charter))
    index = next(i for i, p in enumerate(ordered) if p.pk == principle.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    Principle.objects.bulk_update(ordered, ["position"])
    _principles_changed(charter)


@transaction.atomic
def signature_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    organisation: Organisation,
    signed_by_name: str,
    signed_on: datetime.date,
) -> CharterSignature:
    """A member organisation signed the current version of the charter."""
    charter = _charter(workspace=workspace, cycle=cycle, user=user)
    errors: dict[str, str] = {}
    if (
        not member_organisations(workspace=workspace, cycle=cycle)
        .filter(pk=organisation.pk)
        .exists()
    ):
        errors["organisation"] = _("Choose one of the cycle's member organisations.")
    name = signed_by_name.strip()
    if not name:
        errors["signed_by_name"] = _("Say who signed, by name.")
    elif len(name) > SHORT_MAX:
        errors["signed_by_name"] = _("Keep it to %(max)d characters or fewer.") % {"max": 160}
    if signed_on > timezone.localdate():
        errors["signed_on"] = _("The date signed cannot be in the future.")
    if not Principle.objects.filter(charter=charter).exists():
        errors["organisation"] = _("Add the principles first: a signature is for them.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return CharterSignature.objects.create(
                workspace=workspace,
                charter=charter,
                organisation=organisation,
                version=charter.version,
                signed_by_name=name,
                signed_on=signed_on,
                recorded_by=user,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "organisation": _("%(name)s has already signed version %(version)d.")
                % {"name": organisation.name, "version": charter.version}
            }
        ) from None


# Step 4: steward roles -----------------------------------------------------------------------


@transaction.atomic
def steward_role_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    holder: User | None = None,
    holder_name: str = "",
    mandate: str,
    answers_to: str,
    review_on: datetime.date,
) -> StewardRole:
    """A steward: a member of the workspace (`holder`) or a person, team or organisation named.
    The review date must be in the future."""
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    errors: dict[str, str] = {}
    holder_name = holder_name.strip()
    if holder is not None:
        if not Membership.objects.filter(workspace=workspace, user=holder).exists():
            errors["holder"] = _("Choose a member of this workspace.")
        holder_name = holder_name or holder.full_name or holder.email
    if not holder_name:
        errors["holder"] = _("Choose a member, or name the person, team or organisation.")
    elif len(holder_name) > SHORT_MAX:
        errors["holder_name"] = _("Keep it to %(max)d characters or fewer.") % {"max": 160}
    mandate = mandate.strip()
    if not mandate:
        errors["mandate"] = _("Say what the steward is asked to do: their mandate.")
    answers_to = answers_to.strip()
    if not answers_to:
        errors["answers_to"] = _("Say to whom the steward answers.")
    elif len(answers_to) > LONG_MAX:
        errors["answers_to"] = _("Keep it to %(max)d characters or fewer.") % {"max": LONG_MAX}
    if review_on <= timezone.localdate():
        errors["review_on"] = _("Choose a review date in the future.")
    if errors:
        raise ValidationError(errors)
    role = StewardRole.objects.create(
        workspace=workspace,
        cycle=cycle,
        user=holder,
        holder_name=holder_name,
        mandate=mandate,
        answers_to=answers_to,
        review_on=review_on,
        created_by=user,
    )
    _mark(workspace=workspace, cycle=cycle, step="stewards")
    return role


@transaction.atomic
def steward_role_end(*, workspace: Workspace, role: StewardRole) -> StewardRole:
    role = StewardRole.objects.select_for_update().get(workspace=workspace, pk=role.pk)
    if role.ended_at is None:
        role.ended_at = timezone.now()
        role.save(update_fields=["ended_at"])
    _mark(workspace=workspace, cycle=role.cycle, step="stewards")
    return role


# Step 5: the participation register ---------------------------------------------------------


def _check_status(status: str) -> None:
    if status not in Participation.Status.values:
        raise ValidationError({"status": _("Choose invited, taking part or heard.")})


@transaction.atomic
def participation_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    name: str,
    kind: str,
    status: str = Participation.Status.INVITED,
    notes: str = "",
) -> Participation:
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    name = _required(name, "name", _("Say who: a person, group or organisation."))
    if kind not in Participation.Kind.values:
        raise ValidationError({"kind": _("Choose one of the listed kinds.")})
    _check_status(status)
    row = Participation.objects.create(
        workspace=workspace, cycle=cycle, name=name, kind=kind, status=status, notes=notes.strip()
    )
    _mark(workspace=workspace, cycle=cycle, step="participation")
    return row


@transaction.atomic
def participation_set_status(
    *, workspace: Workspace, participation: Participation, status: str
) -> Participation:
    _check_status(status)
    if participation.workspace_id != workspace.pk:
        raise ValidationError({"status": _("This row belongs to another workspace.")})
    participation.status = status
    participation.save(update_fields=["status", "updated_at"])
    return participation


@transaction.atomic
def participation_remove(*, workspace: Workspace, participation: Participation) -> None:
    cycle = participation.cycle
    Participation.objects.filter(workspace=workspace, pk=participation.pk).delete()
    _mark(workspace=workspace, cycle=cycle, step="participation")


# Step 6: accountability ----------------------------------------------------------------------


@transaction.atomic
def accountability_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    to_whom: str,
    forum: str,
    cadence: str,
    notes: str = "",
) -> Accountability:
    place_setup_ensure(workspace=workspace, cycle=cycle, user=user)
    errors: dict[str, str] = {}
    for field, value, message, max_length in [
        ("to_whom", to_whom, _("Say to whom this cycle gives account."), LONG_MAX),
        ("forum", forum, _("Say in what forum: a meeting, a board, a gathering."), LONG_MAX),
        ("cadence", cadence, _("Say how often, in your own words."), 120),
    ]:
        try:
            _required(value, field, message, max_length)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    row = Accountability.objects.create(
        workspace=workspace,
        cycle=cycle,
        to_whom=to_whom.strip(),
        forum=forum.strip(),
        cadence=cadence.strip(),
        notes=notes.strip(),
    )
    _mark(workspace=workspace, cycle=cycle, step="accountability")
    return row


@transaction.atomic
def accountability_remove(*, workspace: Workspace, accountability: Accountability) -> None:
    cycle = accountability.cycle
    Accountability.objects.filter(workspace=workspace, pk=accountability.pk).delete()
    _mark(workspace=workspace, cycle=cycle, step="accountability")
