"""Writes for learning partners' heads-up notes: a partner inside a cycle writes one to the
cycle's stewards, who answer it. The rules are in access.py; every write checks them itself.
Keyword-only, typed; ValidationError names the field.

Each write tells the other side in the app (a notification, never an email): a new note tells
the cycle's stewards (the members holding a steward role for it; a cycle with none tells those
inside it who are not learning partners), an answer tells the note's author. Nobody above the
cycle is told.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cycles.models import Cycle, CycleMember
from cycles.trust import trust_for
from hls.accounts.models import User
from hls.tenancy.models import Membership, Role, Workspace
from stewardship.models import HeadsUp, Notification, StewardRole
from stewardship.partners import access
from systems.models import SystemMember

TEXT_MAX = 4000
KIND = "heads_up"  # the notification's kind (in-app only, as webhooks' "webhook_disabled")


def _membership(workspace: Workspace, user: User) -> Membership | None:
    return Membership.objects.filter(workspace=workspace, user=user).first()


def _clean(text: str, field: str, empty: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: empty})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("Keep it to %(n)d characters.") % {"n": TEXT_MAX}})
    return text


def stewards_to_tell(*, workspace: Workspace, cycle: Cycle) -> set[int]:
    """Who is told of a new heads-up: the members holding a current steward role for the cycle,
    or, when it has none, the members inside it (its members and its system's team) who are not
    learning partners. Two or three queries."""
    members = Membership.objects.filter(workspace=workspace)
    named = set(
        StewardRole.objects.filter(
            workspace=workspace, cycle=cycle, ended_at__isnull=True, user__isnull=False,
            user_id__in=members.values("user_id"),
        ).values_list("user_id", flat=True)
    )  # fmt: skip
    if named:
        return named
    inside = set(
        CycleMember.objects.filter(workspace=workspace, cycle=cycle).values_list(
            "user_id", flat=True
        )
    ) | set(
        SystemMember.objects.filter(workspace=workspace, system_id=cycle.system_id).values_list(
            "user_id", flat=True
        )
    )
    return set(
        members.filter(user_id__in=inside)
        .exclude(role=Role.LEARNING_PARTNER)
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def heads_up_write(*, workspace: Workspace, cycle: Cycle, user: User, text: str) -> HeadsUp:
    """A learning partner inside the cycle writes a heads-up to its stewards."""
    membership = _membership(workspace, user)
    trust = trust_for(workspace=workspace, user=user)
    if not access.may_write(membership=membership, trust=trust, cycle=cycle):
        raise PermissionDenied(
            _("Heads-up notes are written by the learning partners a cycle has invited.")
        )
    text = _clean(text, "text", _("Say what you noticed."))
    heads_up = HeadsUp.objects.create(workspace=workspace, cycle=cycle, author=user, text=text)
    url = reverse("cycle-heads-ups", args=[workspace.slug, cycle.pk])
    Notification.objects.bulk_create(
        Notification(
            workspace=workspace,
            user_id=user_id,
            kind=KIND,
            title=_("A heads-up from %(name)s for %(cycle)s")
            % {"name": user.display_name, "cycle": cycle.name},
            body=Truncator(text).chars(300),
            url=url,
        )
        for user_id in sorted(stewards_to_tell(workspace=workspace, cycle=cycle) - {user.pk})
    )
    return heads_up


@transaction.atomic
def heads_up_answer(*, workspace: Workspace, heads_up: HeadsUp, user: User, answer: str) -> HeadsUp:
    """One of the cycle's stewards answers a heads-up; the author reads the answer. A heads-up
    is answered once: a second answer (two stewards at once) is refused, the first kept."""
    cycle = heads_up.cycle
    membership = _membership(workspace, user)
    trust = trust_for(workspace=workspace, user=user)
    if membership is None or not access.may_answer(
        workspace=workspace, membership=membership, trust=trust, cycle=cycle
    ):
        raise PermissionDenied(_("Only the cycle's stewards answer its heads-up notes."))
    answer = _clean(answer, "answer", _("Write the cycle's answer."))
    current = (
        HeadsUp.objects.select_for_update(of=("self",))
        .select_related("answered_by")
        .get(workspace=workspace, pk=heads_up.pk)
    )
    if current.status == HeadsUp.Status.ANSWERED:
        by = current.answered_by.display_name if current.answered_by else _("someone")
        raise ValidationError(
            {"answer": _("%(name)s answered it meanwhile; their answer is kept.") % {"name": by}}
        )
    current.status = HeadsUp.Status.ANSWERED
    current.answer = answer
    current.answered_by = user
    current.answered_at = timezone.now()
    current.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    if current.author_id is not None and current.author_id != user.pk:
        Notification.objects.create(
            workspace=workspace,
            user_id=current.author_id,
            kind=KIND,
            title=_("%(cycle)s answered your heads-up") % {"cycle": cycle.name},
            body=Truncator(answer).chars(300),
            url=reverse("cycle-heads-ups", args=[workspace.slug, cycle.pk]),
        )
    return current
