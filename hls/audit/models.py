from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import WorkspaceOwned


class AuditEvent(WorkspaceOwned):
    """Who did what to which object, when. Append-only; never carries personal text."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            # The log newest first, a page at a time by (time, id) (hls.audit.selectors).
            models.Index(fields=["workspace", "-created_at", "-id"], name="audit_ws_created_id"),
            # Everything about one object (a person's subject access file, who saved last).
            models.Index(
                fields=["workspace", "target_type", "target_id", "created_at"],
                name="audit_ws_target",
            ),
            # The log narrowed to some actions.
            models.Index(fields=["workspace", "action", "-created_at"], name="audit_ws_action"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class Tombstone(WorkspaceOwned):
    """That an object was deleted, so partners syncing with `updated_since` learn it (the API's
    deletions feed). Ids only, like every audit row."""

    resource = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "resource", "deleted_at"], name="api_tomb_since")
        ]
        ordering = ["deleted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.resource}:{self.object_id}"


class RetentionRun(WorkspaceOwned):
    """One application of a workspace's retention settings: what went, as counts only."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Scheduled")
        MANUAL = "manual", _("Run by an admin")

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict)  # {"identities": 3, "drafts": 12}
    settings_used = models.JSONField(default=dict)  # the retention settings it applied
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"retention {self.ran_at:%Y-%m-%d}"
