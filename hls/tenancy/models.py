import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Workspace(models.Model):
    """The tenant: one customer. Everything else belongs to exactly one workspace."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address"), max_length=60, unique=True)
    small_count_threshold = models.PositiveSmallIntegerField(
        _("smallest count shown in shared views"), default=3
    )
    # Security and data protection (docs/security.md, docs/people-and-privacy.md).
    require_two_factor = models.BooleanField(
        _("admins and stewards must sign in with a second factor"), default=False
    )
    retain_identity_days = models.PositiveIntegerField(
        _("delete a person's identity this many days after their own cycle closes"),
        null=True,
        blank=True,
        help_text=_("Empty: keep it until someone erases it."),
    )
    retain_drafts_days = models.PositiveIntegerField(
        _("drop unsaved drafts this many days after they were last typed in"),
        null=True,
        blank=True,
        help_text=_("Empty: keep drafts until they are saved or discarded."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkspaceOwned(models.Model):
    """Base for every tenant-owned row. Its table gets row-level security (hls/tenancy/rls.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    STEWARD = "steward", _("Steward")
    MANAGER = "manager", _("Manager")
    PRACTITIONER = "practitioner", _("Practitioner")
    LEARNING_PARTNER = "learning_partner", _("Learning partner")
    VIEWER = "viewer", _("Viewer")


class Organisation(WorkspaceOwned):
    """A member organisation inside the workspace: a council, an NHS trust, a charity."""

    name = models.CharField(_("name"), max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="tenancy_org_ws_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="tenancy_membership_ws_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.workspace_id} as {self.role}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class Invitation(WorkspaceOwned):
    """An emailed offer to join a workspace with a role. The link carries a signed public id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Each (re)send bumps send_count; the email task sends only sends it has not sent yet.
    send_count = models.PositiveIntegerField(default=0)
    emailed_count = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=Q(status="pending"),
                name="tenancy_invitation_one_pending_per_email",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="tenancy_inv_status_exp")]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace_id}"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.EXPIRED or (
            self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()
        )
