"""A short, plain name for the browser and device a session was started from ("Firefox on
Android"), for the "Where you're signed in" page. Only the common browsers and systems are
named; anything else is "a browser" on "a device", which is honest and enough to tell sessions
apart. (A full user-agent parser would be a large dependency for one line of text.)"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Order matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
_BROWSERS: list[tuple[str, str]] = [
    (r"\bEdg(e|A|iOS)?/", "Edge"),
    (r"\bOPR/|\bOpera\b", "Opera"),
    (r"\bSamsungBrowser/", "Samsung Internet"),
    (r"\bFirefox/|\bFxiOS/", "Firefox"),
    (r"\bChrome/|\bCriOS/|\bChromium/", "Chrome"),
    (r"\bVersion/[\d.]+.*\bSafari/", "Safari"),
]
_SYSTEMS: list[tuple[str, str]] = [
    (r"\biPhone\b", "iPhone"),
    (r"\biPad\b", "iPad"),
    (r"\bAndroid\b", "Android"),
    (r"\bCrOS\b", "ChromeOS"),
    (r"\bWindows\b", "Windows"),
    (r"\bMacintosh\b|\bMac OS X\b", "a Mac"),
    (r"\bLinux\b", "Linux"),
]


def _first(patterns: list[tuple[str, str]], text: str) -> str:
    for pattern, name in patterns:
        if re.search(pattern, text):
            return name
    return ""


def describe_user_agent(user_agent: str) -> str:
    """E.g. "Firefox on Android", "Safari on iPhone", "Chrome on Windows"."""
    browser = _first(_BROWSERS, user_agent) or _("A browser")
    system = _first(_SYSTEMS, user_agent) or _("a device")
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
