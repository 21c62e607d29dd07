"""The demo gives each demo role real things on Today (issue 13): the practitioner, the manager,
the steward, the admin and the learning partner each land on a day with next steps."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from devtools.demo_today import DECIDE, DRAFT, QUESTION, REPORT, SESSION
from hls.accounts.models import User

pytestmark = pytest.mark.django_db


def _today(email: str, slug: str) -> str:
    client = Client()
    client.force_login(User.objects.get(email=email))
    response = client.get(f"/w/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def _sections(page: str) -> set[str]:
    return set(re.findall(r'<h3 id="today-[a-z-]*heading">([^<]*)</h3>', page))


def test_each_demo_role_finds_next_steps_on_today() -> None:
    call_command("seed_demo")
    jo = _today("practitioner@demo.hls.test", "eastbridge")
    assert {
        "Coming sessions",
        "Your experiments",
        "Questions sent back to your cycles",
        "Barriers in your cycles",
        "Your cycles",
        "Your drafts",
    } <= _sections(jo)
    for text in (SESSION, DECIDE, "time to decide", QUESTION, DRAFT[:40]):
        assert text in jo, text
    assert "Answers to barriers your cycles raised" in jo

    sam = _today("manager@demo.hls.test", "eastbridge")
    assert {"Patterns below your cycles", "Questions you asked"} <= _sections(sam)
    assert QUESTION not in sam.split("Questions you asked")[0]  # not asked of himself

    morgan = _today("steward@demo.hls.test", "northmoor")
    assert {
        "Coming sessions",
        "Who takes part in the place cycles",
        "Learning reports in draft",
    } <= _sections(morgan)
    assert REPORT in morgan
    assert "Agenda and pack" in morgan

    assert "Who takes part in the place cycles" in _sections(
        _today("admin@demo.hls.test", "northmoor")
    )
    rui = _today("partner@demo.hls.test", "northmoor")
    assert "you facilitate" in rui
    assert "Facilitate" in rui
