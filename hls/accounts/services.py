"""Writes for a user's own account: details, two-step sign-in and sessions (docs/accounts.md).

Keyword-only and typed, like every service. Audit events about an account carry ids and counts
only, never a code or a secret.
"""

import base64
import re
import secrets
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hls.accounts import selectors
from hls.accounts.models import User, UserSession
from hls.audit.services import audit_record
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace


@transaction.atomic
def user_create(*, email: str, password: str, full_name: str = "", time_zone: str = "") -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email already exists.")})
    user = User(email=email, full_name=full_name.strip())
    if time_zone:
        user.time_zone = time_zone
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from error
    user.set_password(password)
    user.save()
    return user


def user_update_profile(*, user: User, full_name: str, time_zone: str) -> User:
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["full_name", "time_zone"])
    return user


# Audit for a user's own account ---------------------------------------------------------------


def _audit_account(
    *, user: User, actor: User | None, action: str, workspace: Workspace | None = None, **data: Any
) -> None:
    """Record an event about `user`'s account. Audit events live in a workspace, and a user may
    belong to several: the event is recorded in each workspace the user belongs to, so each of
    their admins sees it (an account with no workspace yet has no log to record it in). With
    `workspace`, only there (an admin's action in one workspace is no news to the others). Ids
    and counts only, never a code or a secret."""
    if workspace is not None:
        workspaces = [workspace]
    else:
        with tenant_scope(user_id=user.pk):  # a user's own memberships are readable everywhere
            workspaces = [
                m.workspace
                for m in Membership.objects.filter(user=user).select_related("workspace")
            ]
    for each in workspaces:
        with tenant_scope(workspace_id=each.pk, user_id=user.pk):
            audit_record(workspace=each, actor=actor, action=action, target=user, **data)


# Two-step sign-in (docs/accounts.md) ----------------------------------------------------------

RECOVERY_CODE_COUNT = 10
# Ten characters without look-alikes (no 0/o, 1/l/i): about 49 bits each, typed rarely.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_SALT = "hls.accounts.recovery-code"
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _compact(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _recovery_digests(user: User, code: str) -> list[str]:
    """What is stored for a recovery code: a keyed hash (HMAC-SHA256 under SECRET_KEY, salted
    with the user), never the code, so a copy of the database alone gives no usable code. One
    digest for each key still accepted (SECRET_KEY_FALLBACKS), so rotating the key keeps them."""
    value = f"{user.pk}:{_compact(code)}"
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        base64.b32encode(salted_hmac(_RECOVERY_SALT, value, secret, algorithm="sha256").digest())
        .decode()[:16]
        .lower()
        for secret in secrets_
    ]


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_recovery_digests(user, code)[0]) for code in codes
    )
    return codes


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code typed at sign-in (or to turn two-step sign-in off)."""

    ok: bool
    kind: str = ""  # "app" or "recovery" when ok
    wait_seconds: int = 0  # > 0: too many wrong codes just now; not even checked


def _throttled(device: TOTPDevice | StaticDevice) -> int:
    """Seconds to wait before this device checks another code (django-otp's back-off after
    wrong codes, doubling each time), or 0."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return 0
    until = (info or {}).get("locked_until")
    return max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1


def _check_code(user: User, code: str) -> CodeCheck:
    """Check a code from the user's authenticator app, or one of their recovery codes (used up
    by this check). Wrong codes are remembered (they slow the next check), so call this outside
    any block that a refusal rolls back."""
    compact = _compact(code)
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", compact):
            app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if app is None:
                return CodeCheck(ok=False)
            wait = _throttled(app)
            if wait:
                return CodeCheck(ok=False, wait_seconds=wait)
            ok = bool(app.verify_token(compact))
            return CodeCheck(ok=ok, kind="app" if ok else "")
        recovery = (
            StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        )
        if recovery is None or not compact:
            return CodeCheck(ok=False)
        wait = _throttled(recovery)
        if wait:
            return CodeCheck(ok=False, wait_seconds=wait)
        match = recovery.token_set.filter(token__in=_recovery_digests(user, compact)).first()
        if match is None:
            recovery.throttle_increment()
            return CodeCheck(ok=False)
        match.delete()  # a recovery code works once
        recovery.throttle_reset(commit=False)
        recovery.set_last_used_timestamp(commit=False)
        recovery.save()
    _audit_account(
        user=user,
        actor=user,
        action="account.recovery_code_used",
        codes_left=StaticToken.objects.filter(device__user=user).count(),
    )
    return CodeCheck(ok=True, kind="recovery")


def code_refusal(check: CodeCheck) -> ValidationError:
    if check.wait_seconds:
        return ValidationError(
            {
                "code": _(
                    "Too many codes that did not match. Wait %(seconds)s seconds, then type the "
                    "code your app shows at that moment."
                )
                % {"seconds": check.wait_seconds}
            }
        )
    return ValidationError(
        {
            "code": _(
                "That code does not match. Type the six digits your app shows now for HLS "
                "Learning Cycles, or one of your recovery codes."
            )
        }
    )


def two_factor_sign_in_check(*, user: User, code: str) -> CodeCheck:
    """The second step of signing in: the code the user typed after their password. The view
    signs them in only when `ok`, and counts a wrong code towards the lockout as a wrong
    password is counted."""
    return _check_code(user, code)


def two_factor_begin(*, user: User) -> TOTPDevice:
    """Start setting up two-step sign-in: a new secret for the user's authenticator app, not yet
    used for signing in (the one already waiting, if the page is opened again)."""
    if selectors.two_factor_confirmed(user=user):
        raise ValidationError(_("Two-step sign-in is already on for your account."))
    waiting = selectors.unconfirmed_totp_device(user=user)
    if waiting is not None:
        return waiting
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Finish setting up: the app's first code proves it holds the secret. Turns two-step
    sign-in on and returns ten new recovery codes, to be shown once."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise ValidationError(
                {"code": _("This set-up was finished or cancelled. Open the page again.")}
            )
        wait = _throttled(device)
        compact = _compact(code)
        ok = not wait and bool(re.fullmatch(r"\d{6}", compact)) and device.verify_token(compact)
    if not ok:
        raise code_refusal(CodeCheck(ok=False, wait_seconds=wait))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        _audit_account(user=user, actor=user, action="account.two_factor_enabled")
    return codes


def _check_password(user: User, password: str) -> None:
    if not user.check_password(password):
        raise ValidationError({"password": _("That is not your password. Type it again.")})


def two_factor_disable(*, user: User, password: str, code: str) -> User:
    """Turn two-step sign-in off: needs the password and a code (from the app, or a recovery
    code), so a borrowed unlocked screen is not enough."""
    _check_password(user, password)
    check = _check_code(user, code)
    if not check.ok:
        raise code_refusal(check)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _audit_account(user=user, actor=user, action="account.two_factor_disabled")
    return user


def recovery_codes_regenerate(*, user: User, password: str) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Needs the password."""
    _check_password(user, password)
    if not selectors.two_factor_confirmed(user=user):
        raise ValidationError(_("Set up two-step sign-in first."))
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        _audit_account(user=user, actor=user, action="account.recovery_codes_regenerated")
    return codes


# Where you're signed in (docs/accounts.md) ----------------------------------------------------


def _session_store() -> type[SessionBase]:
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_record(*, user: User, session_key: str, user_agent: str) -> UserSession:
    """A session was started (signing in) or seen again: keep its row, and tidy away the rows
    of the user's sessions that have ended on their own (expired or cleared)."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    UserSession.objects.filter(user=user).exclude(session_key=session_key).exclude(
        Exists(live)
    ).delete()
    row, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "user_agent": user_agent[:300], "last_seen_at": timezone.now()},
    )
    return row


def session_seen(*, user: User, session_key: str, user_agent: str) -> None:
    """The session was used (called at most once per SESSION_SEEN_EVERY by the middleware)."""
    seen = UserSession.objects.filter(user=user, session_key=session_key).update(
        last_seen_at=timezone.now()
    )
    if not seen:  # a session started before sessions were listed: list it from now on
        session_record(user=user, session_key=session_key, user_agent=user_agent)


def session_forget(*, session_key: str) -> None:
    """The session was signed out of: its row goes (the store deletes the session itself)."""
    UserSession.objects.filter(session_key=session_key).delete()


def sessions_end(
    *,
    user: User,
    actor: User | None,
    reason: str,
    keep_session_key: str | None = None,
    session_ids: list[int] | None = None,
    workspace: Workspace | None = None,
) -> int:
    """End sessions of `user` at once: each is deleted from the session store (so its cookie
    no longer signs anyone in, on its very next request) and from the list. All of them, or
    those in `session_ids`; never `keep_session_key` (the one the user is acting from). Returns
    how many ended, and records `account.sessions_ended` with that count and the reason (a
    code: "ended_one", "everywhere_else", "password_changed", "password_reset", "removed")."""
    rows = UserSession.objects.filter(user=user)
    if session_ids is not None:
        rows = rows.filter(pk__in=session_ids)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    if keys:
        _audit_account(
            user=user,
            actor=actor,
            action="account.sessions_ended",
            workspace=workspace,
            count=len(keys),
            reason=reason,
        )
    return len(keys)


def session_end(*, user: User, session_id: int, current_session_key: str | None) -> int:
    """End one of the user's other sessions (the sessions page's "Sign out there")."""
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        raise Http404
    if row.session_key == current_session_key:
        raise ValidationError(_("This is the session you are using: sign out instead."))
    return sessions_end(user=user, actor=user, reason="ended_one", session_ids=[row.pk])


def sessions_after_password_change(
    *, user: User, old_session_key: str | None, session_key: str | None
) -> int:
    """After the user changed their password: the session they changed it from stays signed in
    (under the new key Django gave it), and every other session of theirs ends now, not only
    when it is next used."""
    if old_session_key and session_key and old_session_key != session_key:
        UserSession.objects.filter(user=user, session_key=old_session_key).update(
            session_key=session_key
        )
    return sessions_end(
        user=user, actor=user, reason="password_changed", keep_session_key=session_key
    )
