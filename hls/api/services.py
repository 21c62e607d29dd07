import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.accounts.models import User
from hls.api.models import ApiKey
from hls.api.scopes import ALL_SCOPES
from hls.audit.services import audit_record
from hls.tenancy import crossing
from hls.tenancy.context import scope_to_workspace
from hls.tenancy.models import Membership, Role, Workspace

KEY_PREFIX = "hls_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8  # "hls_" and 8 hex digits, then "_" and the secret
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    workspace: Workspace,
    created_by: User,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for a workspace admin. Returns the key and its secret, shown once."""
    if not Membership.objects.filter(
        workspace=workspace, user=created_by, role=Role.ADMIN
    ).exists():
        raise PermissionDenied(_("Only workspace admins create API keys."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the key after the system that will use it.")})
    chosen = sorted(set(scopes))
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    unknown = [s for s in chosen if s not in ALL_SCOPES]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope: %s.") % ", ".join(unknown)})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose an expiry date in the future.")})
    prefix = KEY_PREFIX + secrets.token_hex(4)
    raw = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        workspace=workspace,
        name=name,
        prefix=prefix,
        secret_hash=_digest(raw),
        scopes=chosen,
        created_by=created_by,
        expires_at=expires_at,
    )
    audit_record(
        workspace=workspace, actor=created_by, action="api_key.create", target=key, scopes=chosen
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, workspace: Workspace, key: ApiKey, revoked_by: User) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(workspace=workspace, actor=revoked_by, action="api_key.revoke", target=key)
    return key


class KeyRefused(Exception):
    """The key is unknown, revoked, expired, or its creator left the workspace."""


def api_key_authenticate(raw: str, *, now: dt.datetime | None = None) -> tuple[ApiKey, Membership]:
    """Find the key for a secret across workspaces (a crossing function, which enters the
    key's workspace for the rest of the transaction), check it, and note when it was last used
    (at most once a minute). A refused key leaves the transaction in no workspace."""
    now = now or timezone.now()
    prefix = raw[:PREFIX_LENGTH]
    if not prefix.startswith(KEY_PREFIX) or raw[PREFIX_LENGTH : PREFIX_LENGTH + 1] != "_":
        raise KeyRefused(_("This is not an HLS API key."))
    if crossing.first("enter_api_key_workspace", prefix) in (None, (None,)):
        raise KeyRefused(_("The API key is not recognised."))
    try:
        return _checked_key(raw, prefix, now)
    except KeyRefused:
        scope_to_workspace(None)
        raise


def _checked_key(raw: str, prefix: str, now: dt.datetime) -> tuple[ApiKey, Membership]:
    key = ApiKey.objects.select_related("workspace", "created_by").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(raw)):
        raise KeyRefused(_("The API key is not recognised."))
    if key.revoked_at is not None:
        raise KeyRefused(_("The API key was revoked."))
    if key.expires_at is not None and key.expires_at <= now:
        raise KeyRefused(_("The API key has expired."))
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=key.workspace_id, user_id=key.created_by_id)
        .first()
    )
    if membership is None or not membership.user.is_active:
        raise KeyRefused(_("The member who created this API key has left the workspace."))
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key, membership
