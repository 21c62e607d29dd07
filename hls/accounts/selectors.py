"""Reads about a user's own account: their two-step sign-in and where they are signed in.

Each takes the user whose account it reads; none reads another user's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hls.accounts.models import User, UserSession
from hls.accounts.user_agents import describe_user_agent
from hls.tenancy.models import Membership, Workspace
from hls.tenancy.permissions import TWO_FACTOR_ROLES


def two_factor_confirmed(*, user: User) -> bool:
    """Whether the user has set up two-step sign-in (a confirmed authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_totp_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_totp_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_device(*, user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


@dataclass(frozen=True)
class SignedInSession:
    """One place the user is signed in, as their sessions page shows it."""

    pk: int
    device: str
    started: datetime
    last_seen: datetime
    current: bool
    recent: bool  # used within the last SESSION_SEEN_EVERY: "last used" is no finer than that


def sessions_for_user(*, user: User, current_key: str | None) -> list[SignedInSession]:
    """The user's live sessions, the one they are using first, then the most recently used.

    Only sessions still in the store and not expired count: a row whose session ran out (or
    was cleared by `clearsessions`) is not shown, and `session_record` tidies it away."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    rows = (
        UserSession.objects.filter(user=user)
        .filter(Exists(live))
        .order_by("-last_seen_at", "-pk")
        .only("pk", "session_key", "user_agent", "created_at", "last_seen_at")
    )
    recently = timezone.now() - timedelta(seconds=settings.SESSION_SEEN_EVERY)
    found = [
        SignedInSession(
            pk=row.pk,
            device=describe_user_agent(row.user_agent),
            started=row.created_at,
            last_seen=row.last_seen_at,
            current=bool(current_key) and row.session_key == current_key,
            recent=row.last_seen_at >= recently,
        )
        for row in rows
    ]
    return sorted(found, key=lambda s: not s.current)  # stable: the rest keep their order


def workspaces_requiring_two_factor(*, user: User) -> list[Workspace]:
    """The user's workspaces that require two-step sign-in of them (by their role there)."""
    return [
        membership.workspace
        for membership in Membership.objects.filter(
            user=user, role__in=TWO_FACTOR_ROLES, workspace__require_two_factor=True
        )
        .select_related("workspace")
        .order_by("workspace__name")
    ]
