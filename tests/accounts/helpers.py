"""Real codes for tests: what an authenticator app would show, computed from the device's own
secret with django-otp's HOTP (RFC 4226) at the device's time step."""

import time

from django.test import Client
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hls.accounts import services
from hls.accounts.models import User
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"


def app_code(user: User, *, confirmed: bool = True) -> str:
    """The code the user's app shows now, or the next one if this one was used already (a code
    works once: django-otp keeps the last step used)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()
    assert device is not None, "the user has no authenticator app set up"
    now = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "no unused code in this window"
    return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"


def wrong_code(user: User) -> str:
    right = app_code(user)
    return f"{(int(right) + 1) % 1_000_000:06d}"


def turn_on_two_factor(user: User) -> list[str]:
    """Set up two-step sign-in for `user` through the services, with a real code; returns the
    recovery codes."""
    services.two_factor_begin(user=user)
    return services.two_factor_confirm(user=user, code=app_code(user, confirmed=False))


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: object):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)
