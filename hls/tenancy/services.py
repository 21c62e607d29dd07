"""Writes for workspaces, memberships and invitations. Keyword-only, typed, atomic."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.accounts.models import User
from hls.accounts.services import sessions_end
from hls.audit.services import audit_record
from hls.tenancy import crossing
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, InvitationStatus, Membership, Role, Workspace

INVITATION_SALT = "hls.invitation"


def workspace_create(*, name: str, slug: str, creator: User) -> Workspace:
    """Create a workspace; its creator becomes its first admin."""
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("That web address is taken. Try another.")})
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=slug)
        with tenant_scope(workspace_id=workspace.pk, user_id=creator.pk):
            Membership.objects.create(workspace=workspace, user=creator, role=Role.ADMIN)
            audit_record(workspace=workspace, actor=creator, action="workspace.created")
    return workspace


@transaction.atomic
def workspace_require_two_factor(*, workspace: Workspace, actor: User, required: bool) -> Workspace:
    """Whether the workspace's admins and stewards must sign in in two steps (the rule is
    checked on every workspace page: hls/tenancy/middleware.py)."""
    if workspace.require_two_factor != required:
        workspace.require_two_factor = required
        workspace.save(update_fields=["require_two_factor"])
        audit_record(
            workspace=workspace,
            actor=actor,
            action="workspace.two_factor_required",
            target=workspace,
            required=required,
        )
    return workspace


# Memberships ---------------------------------------------------------------------------------


def _guard_last_admin(membership: Membership) -> None:
    """Refuse to leave a workspace with no admin. Locks the admin rows to decide safely."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise ValidationError(
            {"role": _("A workspace needs at least one admin. Make someone else admin first.")}
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _guard_last_admin(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        workspace=membership.workspace,
        actor=actor,
        action="membership.role_changed",
        target=membership,
        old=previous,
        new=role,
    )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor: User, actor_session_key: str | None = None
) -> None:
    """Remove a member. Every session of theirs ends at once, so nothing they had open goes on
    working; someone who removes themselves keeps the session they did it from (as a password
    change keeps it), so `actor_session_key` is kept only then."""
    if membership.role == Role.ADMIN:
        _guard_last_admin(membership)
    audit_record(
        workspace=membership.workspace,
        actor=actor,
        action="membership.removed",
        target=membership,
        user_id=membership.user_id,
    )
    sessions_end(
        user=membership.user,
        actor=actor,
        reason="removed",
        workspace=membership.workspace,
        keep_session_key=actor_session_key if actor.pk == membership.user_id else None,
    )
    membership.delete()


# Invitations ---------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.public_id), salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation-accept", args=[invitation_token(invitation)])


def _queue_send(invitation: Invitation) -> None:
    from hls.jobs import publish_on_commit
    from hls.tenancy.tasks import send_invitation_email

    invitation.send_count += 1
    invitation.last_sent_at = timezone.now()
    invitation.expires_at = timezone.now() + settings.INVITATION_TTL
    invitation.save(update_fields=["send_count", "last_sent_at", "expires_at"])
    publish_on_commit(
        send_invitation_email, invitation.workspace_id, invitation.pk, invitation.send_count
    )


@transaction.atomic
def invitation_create(
    *, workspace: Workspace, invited_by: User, email: str, role: str
) -> tuple[Invitation, bool]:
    """Invite `email` with `role`. An open invitation to the same address is resent instead of
    doubled. Returns the invitation and whether it is new."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    existing = (
        Invitation.objects.select_for_update()
        .filter(workspace=workspace, email__iexact=email, status=InvitationStatus.PENDING)
        .first()
    )
    if existing is not None and existing.is_expired:
        existing.status = InvitationStatus.EXPIRED
        existing.save(update_fields=["status"])
        existing = None
    created = existing is None
    invitation = existing or Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    _queue_send(invitation)
    audit_record(
        workspace=workspace,
        actor=invited_by,
        action="invitation.created" if created else "invitation.resent",
        target=invitation,
        role=invitation.role,
    )
    return invitation, created


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only an invitation that is still waiting can be resent."))
    _queue_send(invitation)
    audit_record(
        workspace=invitation.workspace, actor=actor, action="invitation.resent", target=invitation
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only an invitation that is still waiting can be withdrawn."))
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    audit_record(
        workspace=invitation.workspace, actor=actor, action="invitation.revoked", target=invitation
    )
    return invitation


def invitation_send_email(*, workspace_id: int, invitation_id: int, send_number: int) -> bool:
    """Send send number `send_number` of an invitation, once. Returns whether it sent."""
    with tenant_scope(workspace_id=workspace_id):
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("workspace", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if (
            invitation is None
            or invitation.status != InvitationStatus.PENDING
            or invitation.emailed_count >= send_number
        ):
            return False
        context = {
            "invitation": invitation,
            "url": invitation_url(invitation),
            "workspace": invitation.workspace,
            "inviter": invitation.invited_by,
        }
        message = EmailMultiAlternatives(
            subject=_("You are invited to %(workspace)s on HLS Learning Cycles")
            % {"workspace": invitation.workspace.name},
            body=render_to_string("emails/invitation.txt", context),
            to=[invitation.email],
            headers={"X-HLS-Idempotency-Key": f"invitation-{invitation.public_id}-{send_number}"},
        )
        message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
        message.send()
        invitation.emailed_count = send_number
        invitation.save(update_fields=["emailed_count"])
        return True


def invitations_expire() -> int:
    """Mark every pending invitation past its expiry as expired, across all workspaces."""
    now = timezone.now()
    expired = 0
    by_workspace: dict[int, list[int]] = {}
    for workspace_id, pk in crossing.ask("invitations_past_expiry", now):
        by_workspace.setdefault(workspace_id, []).append(pk)
    for workspace_id, pks in by_workspace.items():
        with tenant_scope(workspace_id=workspace_id):
            expired += Invitation.objects.filter(
                pk__in=pks, status=InvitationStatus.PENDING, expires_at__lte=now
            ).update(status=InvitationStatus.EXPIRED)
    return expired


@dataclass(frozen=True)
class InvitationLookup:
    invitation: Invitation | None
    problem: str  # "", "invalid", "expired", "used", "revoked"


def invitation_for_token(token: str) -> InvitationLookup:
    """Follow an invitation link. Says which problem a link has, if any."""
    try:
        public_id = uuid.UUID(str(signing.loads(token, salt=INVITATION_SALT)))
    except (signing.BadSignature, ValueError):
        return InvitationLookup(None, "invalid")
    found = crossing.first("invitation", public_id)
    invitation = None
    if found is not None:
        workspace_id, pk = found
        with tenant_scope(workspace_id=workspace_id):
            invitation = (
                Invitation.objects.select_related("workspace", "invited_by").filter(pk=pk).first()
            )
    if invitation is None:
        return InvitationLookup(None, "invalid")
    if invitation.status == InvitationStatus.ACCEPTED:
        return InvitationLookup(invitation, "used")
    if invitation.status == InvitationStatus.REVOKED:
        return InvitationLookup(invitation, "revoked")
    if invitation.is_expired:
        return InvitationLookup(invitation, "expired")
    return InvitationLookup(invitation, "")


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the workspace. An existing membership keeps its role; the invitation is used up."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    with tenant_scope(workspace_id=invitation.workspace_id, user_id=user.pk):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != InvitationStatus.PENDING or locked.is_expired:
            raise ValidationError(_("This invitation can no longer be accepted."))
        membership, _created = Membership.objects.get_or_create(
            workspace_id=invitation.workspace_id, user=user, defaults={"role": locked.role}
        )
        locked.status = InvitationStatus.ACCEPTED
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["status", "accepted_at", "accepted_by"])
        audit_record(
            workspace=invitation.workspace, actor=user, action="invitation.accepted", target=locked
        )
    return membership
