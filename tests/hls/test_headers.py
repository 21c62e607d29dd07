"""Headers on every kind of answer (issue 11, finding 7; issue 17): every page type carries the
browser protections (a Content-Security-Policy with no inline or eval'd script or style and no
framing, X-Frame-Options DENY, a Referrer-Policy, nosniff, a Permissions-Policy turning off the
browser features the product does not use); `Cache-Control: no-store` on whatever answers a
signed-in request (a page, an htmx fragment, the API's JSON, an error page, a download) or a
guest of a method run, never on anonymous public pages; HSTS, the HTTPS redirect and secure
cookies in the production settings. Every workspace URL is fetched as its admin (the list comes
from the URL conf, tests/workspace_urls.py), and no template or rendered page holds inline
script, a style attribute or an event handler attribute, which the policy would block.

Static files are served by WhiteNoise above the middleware, with their own long-lived caching
and no policy needed (they are not documents): not checked here."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import services as method_services
from stewardship.notifications import services as notification_services
from tests.api.conftest import client_for
from tests.conftest import signed_in
from tests.dataio.objects import make_export
from tests.factories import CycleFactory, CycleMemberFactory
from tests.outsider_objects import object_makers
from tests.workspace_urls import workspace_urls

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
OFF = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "interest-cohort=()")
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:")


def _policy_is_set(response) -> None:
    policy = response["Permissions-Policy"]
    for feature in OFF:
        assert feature in policy


def _no_store(response) -> None:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


def _csp(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy-Report-Only" not in response
    policy = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def secure_headers(response, *, personal: bool) -> None:
    """The protections every answer carries; `personal` answers are never stored."""
    csp = _csp(response)
    for directive in ("default-src", "script-src", "style-src"):
        assert csp[directive] == ["'self'"], (directive, csp[directive])
        assert not set(csp[directive]) & set(UNSAFE_SOURCES)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    _policy_is_set(response)
    if personal:
        _no_store(response)


class _Inline(HTMLParser):
    """Inline script, style attributes, event handler attributes and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value:
                # data: is fine for a picture or an icon (img-src allows it), not a document
                schemes = (
                    "javascript|vbscript" if tag in ("img", "link") else "javascript|vbscript|data"
                )
                if re.match(rf"\s*({schemes}):", value, re.IGNORECASE):
                    self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    parser.close()
    return parser.found


# Page types, one by one ----------------------------------------------------------------------


def test_a_signed_in_page(admin):
    response = signed_in(admin).get("/w/riverside/")
    assert response.status_code == 200
    secure_headers(response, personal=True)
    assert inline_code(response.content.decode()) == []


def test_an_htmx_fragment(admin):
    url = reverse("notification-badge", args=["riverside"])
    response = signed_in(admin).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    secure_headers(response, personal=True)


def test_a_signed_in_error_page(admin, outsider):
    response = signed_in(outsider).get("/w/riverside/")
    assert response.status_code in (403, 404)
    secure_headers(response, personal=True)


def test_not_found_and_not_allowed_pages(admin, member):
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404
    secure_headers(anonymous, personal=False)
    assert "Cache-Control" not in anonymous
    lost = signed_in(member).get("/w/riverside/no-such-page/")
    assert lost.status_code == 404
    secure_headers(lost, personal=True)
    refused = signed_in(member).get(reverse("api-keys", args=["riverside"]))
    assert refused.status_code == 403
    assert "Your role cannot do this" in refused.content.decode()
    secure_headers(refused, personal=True)
    assert inline_code(refused.content.decode()) == []


@override_settings(ROOT_URLCONF="tests.hls.header_urls")
def test_the_server_error_page_and_problem(admin):
    for client, personal in ((Client(raise_request_exception=False), False), (None, True)):
        client = client or signed_in(admin)
        client.raise_request_exception = False
        page = client.get("/test-failure/")
        assert page.status_code == 500
        assert "text/html" in page["Content-Type"]
        secure_headers(page, personal=personal)
        assert inline_code(page.content.decode()) == []
        problem = client.get("/api/v1/test-failure/")
        assert problem.status_code == 500
        assert problem["Content-Type"] == "application/problem+json"
        secure_headers(problem, personal=personal)


def test_the_api(admin):
    with tenant_scope(workspace_id=admin.workspace_id):
        _key, raw = api_key_create(
            workspace=admin.workspace, created_by=admin.user, name="Headers", scopes=ALL_SCOPES
        )
    api = client_for(raw)
    response = api.get("/api/v1/cycles/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    secure_headers(response, personal=True)
    refused = client_for("hls_nope_not-a-key").get("/api/v1/cycles/")
    assert refused.status_code == 401
    secure_headers(refused, personal=True)


def test_anonymous_public_pages_are_not_marked(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert "Cache-Control" not in response
    secure_headers(response, personal=False)
    # The sign-in page is never cached by Django's own LoginView; it gets the policy too.
    sign_in = client.get("/accounts/login/")
    assert sign_in.status_code == 200
    secure_headers(sign_in, personal=False)
    assert inline_code(sign_in.content.decode()) == []


def test_the_api_docs_page_loads_its_script_from_a_file(client):
    """Swagger UI's set-up script is served as a file of its own (the split view), so the page
    needs no inline script."""
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    secure_headers(response, personal=False)
    assert inline_code(response.content.decode()) == []


def test_downloads_a_csv_an_export_and_a_calendar_feed(admin):
    client = signed_in(admin)
    template = client.get(reverse("data-import-template", args=["riverside"]) + "?kind=people")
    assert template.status_code == 200
    assert template["Content-Type"].startswith("text/csv")
    assert "attachment" in template["Content-Disposition"]
    secure_headers(template, personal=True)
    with tenant_scope(workspace_id=admin.workspace_id):
        export_id = make_export(admin.workspace, admin)
    export = client.get(reverse("data-export-download", args=["riverside", export_id]))
    assert export.status_code == 200
    assert export["Content-Type"] == "application/zip"
    secure_headers(export, personal=True)

    with tenant_scope(workspace_id=admin.workspace_id):
        _feed, token = notification_services.feed_create(workspace=admin.workspace, user=admin.user)
    feed = Client().get(reverse("calendar-feed", args=[token]))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    # The secret link is the credential: calendar apps may keep it a few minutes, no one else.
    secure_headers(feed, personal=False)
    assert "private" in feed["Cache-Control"]
    assert "public" not in feed["Cache-Control"]


def test_the_guest_pages_of_a_method_run_are_never_stored(admin):
    cache.delete("guest-code-miss:127.0.0.1")
    with tenant_scope(workspace_id=admin.workspace_id):
        cycle = CycleFactory(workspace=admin.workspace)
        CycleMemberFactory(workspace=admin.workspace, cycle=cycle, user=admin.user)
        run = method_services.run_start(
            workspace=admin.workspace, user=admin.user, cycle=cycle, builtin="rapid_learning",
            guests=True,
        )  # fmt: skip
    guest = Client()
    code_page = guest.get("/join/")
    assert code_page.status_code == 200
    secure_headers(code_page, personal=False)
    join = guest.get(f"/join/{run.guest_code}/")
    assert join.status_code == 200
    secure_headers(join, personal=True)
    assert inline_code(join.content.decode()) == []
    joined = guest.post(f"/join/{run.guest_code}/", {"guest_name": "Dee"})
    assert joined.status_code == 302
    secure_headers(joined, personal=True)
    step = guest.get(f"/join/{run.guest_code}/")
    assert step.status_code == 200
    secure_headers(step, personal=True)
    assert inline_code(step.content.decode()) == []
    live = guest.get(f"/join/{run.guest_code}/live/", HTTP_HX_REQUEST="true")
    assert live.status_code == 200
    secure_headers(live, personal=True)


# Every workspace URL, as its admin -----------------------------------------------------------


def test_every_workspace_page_carries_the_headers_and_no_inline_code(workspace, member, admin):
    """GET of every workspace URL (from the URL conf) as the workspace's admin, with one real
    object for each id in the URL: every answer carries the headers and is never stored; every
    HTML page is free of inline script, style attributes and event handler attributes."""
    with tenant_scope(workspace_id=workspace.pk, user_id=member.user_id):
        objects = {kwarg: make(workspace, member) for kwarg, make in object_makers().items()}
    client = signed_in(admin)
    seen: dict[int, int] = {}
    problems: list[str] = []
    for pattern in workspace_urls():
        url = pattern.build(workspace.slug, {k: objects[k] for k in pattern.kwargs})
        response = client.get(url)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, url
        try:
            secure_headers(response, personal=True)
        except (AssertionError, KeyError) as error:
            problems.append(f"{url}: {error!r}")
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            found = inline_code(response.content.decode())
            if found:
                problems.append(f"{url}: {found}")
    assert problems == []
    assert seen.get(200, 0) >= 100, seen  # the crawl really reached the pages


# No template holds inline code ---------------------------------------------------------------


def test_no_template_holds_inline_script_style_or_handlers():
    """Inline script, style attributes and on*= handlers would be blocked by the policy (and
    are the usual way in for injected script): the templates have none; data for scripts goes
    in `json_script` blocks, which are not run."""
    found = []
    # The HTML a report exports: a file of its own, downloaded as an attachment and opened
    # from disk, so it carries its style inline; it holds no script (checked below).
    standalone = {"templates/stewardship/reports/export.html"}
    templates = sorted((REPO / "templates").rglob("*.html")) + sorted(
        p for p in REPO.glob("*/**/templates/**/*.html") if ".venv" not in p.parts
    )
    assert len(templates) > 100
    for path in templates:
        text = path.read_text()
        if str(path.relative_to(REPO)) in standalone:
            assert "<script" not in text.lower()
            continue
        for match in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
            if "src=" not in match[1] and "application/json" not in match[1]:
                found.append(f"{path.relative_to(REPO)}: inline <script>")
        if re.search(r"<style\b", text, re.IGNORECASE):
            found.append(f"{path.relative_to(REPO)}: <style>")
        if re.search(r"""\sstyle\s*=\s*["'{]""", text, re.IGNORECASE):
            found.append(f"{path.relative_to(REPO)}: style= attribute")
        if re.search(r"""<[a-z][^>]*\son[a-z]+\s*=""", text, re.IGNORECASE):
            found.append(f"{path.relative_to(REPO)}: on*= handler")
        if re.search(r"""(href|src|action)\s*=\s*["']\s*javascript:""", text, re.IGNORECASE):
            found.append(f"{path.relative_to(REPO)}: javascript: URL")
    assert found == []


def test_the_scan_finds_what_it_looks_for():
    assert inline_code("<script>alert(1)</script>") == ["<script> without src"]
    assert inline_code('<script src="/static/x.js"></script>') == []
    assert inline_code('<script id="d" type="application/json">{}</script>') == []
    assert inline_code('<p style="color:red" onclick="x()">') == [
        "style= on <p>",
        "onclick= on <p>",
    ]
    assert inline_code('<a href=" JavaScript:x()">') == ["href=' JavaScript:x()' on <a>"]


# HTTPS in production -------------------------------------------------------------------------

PRODUCTION = """
import json, django
from django.conf import settings
from django.core.management import call_command
django.setup()
call_command("check", deploy=True, fail_level="WARNING")  # raises on any warning
names = ["DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
         "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def _production_env() -> dict[str, str]:
    # Not the test run's own switches either (tests/e2e/conftest.py allows async-unsafe calls
    # for Playwright, which production's checks rightly refuse).
    dropped = ("DEBUG", "SECURE_", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(
        DJANGO_SETTINGS_MODULE="hls.settings",
        SECRET_KEY="a-production-like-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="hls.example.org",
    )
    return env


@pytest.fixture(scope="module")
def production() -> dict:
    """The production settings (hls.settings with DEBUG unset), read in a fresh process after
    Django's deployment checks (`check --deploy`) passed there without a warning."""
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_insist_on_https(production):
    assert production["DEBUG"] is False
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_passes_djangos_deployment_checks(production):
    """`manage.py check --deploy` ran in the fixture's process and found nothing to warn of."""
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"


def test_https_answers_carry_hsts_and_secure_cookies(production, admin, settings):
    """With the production values: a plain-HTTP request is sent to HTTPS; an HTTPS answer
    carries HSTS for a year (subdomains, preload); the session and CSRF cookies set at sign-in
    are Secure and the session's HttpOnly."""
    for name in (
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    ):  # fmt: skip
        setattr(settings, name, production[name])
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    page = client.get("/accounts/login/", secure=True)
    assert page.status_code == 200
    hsts = page["Strict-Transport-Security"]
    assert hsts == f"max-age={production['SECURE_HSTS_SECONDS']}; includeSubDomains; preload"
    secure_headers(page, personal=False)
    assert page.cookies["csrftoken"]["secure"]
    admin.user.set_password("a long enough password 1")
    admin.user.save()
    signed = client.post(
        "/accounts/login/",
        {"username": admin.user.email, "password": "a long enough password 1"},
        secure=True,
        HTTP_X_CSRFTOKEN=page.cookies["csrftoken"].value,
    )
    assert signed.status_code == 302, signed.content.decode()[:500]
    session = signed.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    home = client.get("/w/riverside/", secure=True)
    assert home.status_code == 200
    assert "Strict-Transport-Security" in home
    secure_headers(home, personal=True)


def test_every_roles_home_page_is_never_stored(workspace, make_member):
    """Whatever the role, a signed-in answer is never stored."""
    for role in Role:
        membership = make_member(workspace, role, email=f"{role}@riverside.test")
        response = signed_in(membership).get("/w/riverside/")
        assert response.status_code == 200, role
        secure_headers(response, personal=True)
