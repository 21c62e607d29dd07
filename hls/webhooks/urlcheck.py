"""Which URLs a webhook may be sent to: http(s) only, and (unless
`settings.WEBHOOKS_ALLOW_PRIVATE_URLS`) only hosts whose every address is public, so a webhook
cannot be pointed at the app's own network (server-side request forgery)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UrlRefused(ValueError):
    """The URL may not receive webhooks; the message says why, for the person who typed it."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError):
        return []


def check_url(url: str) -> str:
    """The URL, stripped, if it may receive webhooks; else raises UrlRefused."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefused(_("This is not a valid web address.")) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused(_("Use an address starting with https:// (or http://)."))
    if parts.username or parts.password:
        raise UrlRefused(
            _("Leave the user name and password out of the address: every request is signed.")
        )
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_URLS", False):
        return url
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses:
        raise UrlRefused(_("We could not find the host %(host)s.") % {"host": host})
    if not all(_is_public(address) for address in addresses):
        raise UrlRefused(
            _("This address points into a private or local network; use a public address.")
        )
    return url
