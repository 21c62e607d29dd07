"""The demo's learning partner: Rui's home shows the place and both cycles it supports, the
reflection space it facilitates, and its two heads-ups (one answered by the place's steward);
the outreach team's steward-less cycle told those inside it. Seeding twice adds nothing."""

from django.core.management import call_command
from django.test import Client

from devtools.demo_partners import PLACE_ANSWER, TO_PLACE, TO_TEAM
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.models import HeadsUp, Notification


def test_the_demo_partner_has_a_home_with_its_heads_ups(db) -> None:
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    northmoor = Workspace.objects.get(slug="northmoor")
    with tenant_scope(workspace_id=northmoor.pk):
        assert HeadsUp.objects.count() == 2
        answered = HeadsUp.objects.get(text=TO_PLACE)
        assert answered.status == "answered"
        assert answered.answered_by.email == "steward@demo.hls.test"
        assert HeadsUp.objects.get(text=TO_TEAM).status == "open"
        notes = Notification.objects.filter(kind="heads_up")
        told = set(notes.values_list("user__email", flat=True))
    assert {"steward@demo.hls.test", "partner@demo.hls.test", "outreach@demo.hls.test"} <= told
    client = Client()
    client.force_login(User.objects.get(email="partner@demo.hls.test"))
    page = client.get("/w/northmoor/partner/").content.decode()
    supported = ("Northmoor", "Outreach: what helps people come inside")
    for text in (*supported, "Alliance reflection space", PLACE_ANSWER):
        assert text in page, text
