from django.test import Client

from hls.tenancy.models import Membership


def test_member_reaches_workspace_home(member_client: Client, member: Membership) -> None:
    response = member_client.get("/w/riverside/")
    assert response.status_code == 200
    assert b"Riverside Partnership" in response.content


def test_outsider_gets_404(outsider_client: Client, member: Membership) -> None:
    assert outsider_client.get("/w/riverside/").status_code == 404
