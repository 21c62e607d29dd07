"""API keys and idempotency records for the partner API (docs/api.md)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import WorkspaceOwned


class ApiKey(WorkspaceOwned):
    """A key a partner system uses, bound to one workspace. It acts as the member who created
    it, narrowed to its scopes. Only a SHA-256 of the whole key is stored; the prefix is shown
    so people can tell keys apart."""

    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=40), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(WorkspaceOwned):
    """The first answer to a POST carrying an `Idempotency-Key`, replayed for a retry of the
    same request. `caller` is the key's prefix or `user:<id>` for a browser session."""

    caller = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "caller", "key"], name="api_idempotency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
