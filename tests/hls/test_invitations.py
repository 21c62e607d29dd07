"""Inviting people, following invitation links, and managing members."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from hls.accounts.models import User
from hls.audit.models import AuditEvent
from hls.tenancy import services
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, InvitationStatus, Membership, Role, Workspace
from hls.tenancy.tasks import expire_invitations, send_invitation_email
from tests.bypass import all_workspaces
from tests.factories import PASSWORD, InvitationFactory

MEMBERS = "/w/riverside/members/"
INVITE = "/w/riverside/members/invite/"


@pytest.fixture
def invite(admin_client: Client, django_capture_on_commit_callbacks):
    """Invite through the members page as the admin, and let the email task run."""

    def post(email: str, role: str = Role.PRACTITIONER, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(INVITE, {"email": email, "role": role}, **extra)

    return post


def _invitations(workspace: Workspace, **filters) -> list[Invitation]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(Invitation.objects.filter(**filters))


def _audit_actions(workspace: Workspace) -> list[str]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body)
    assert found is not None, message.body
    return found[1]


def _error_beside(content: bytes, field: str) -> str:
    found = re.search(
        rb'<p class="error" id="id_' + field.encode() + rb'_error">([^<]*)</p>', content
    )
    return found[1].decode() if found else ""


def _pending_invitation(workspace: Workspace, admin: Membership, email: str, role=Role.STEWARD):
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user.pk):
        invitation, _created = services.invitation_create(
            workspace=workspace, invited_by=admin.user, email=email, role=role
        )
    return invitation


def _token_path(invitation: Invitation) -> str:
    return f"/invitations/{services.invitation_token(invitation)}/"


def _invitation_of(link: str) -> Invitation | None:
    return services.invitation_for_token(link.split("/")[2]).invitation


# Inviting ------------------------------------------------------------------------------------


def test_admin_invites_by_email(workspace: Workspace, admin: Membership, invite) -> None:
    response = invite("New.Person@Example.test", Role.MANAGER, follow=True)

    assert b"Invitation sent to new.person@example.test." in response.content
    [invitation] = _invitations(workspace)
    assert (invitation.email, invitation.role, invitation.status) == (
        "new.person@example.test",
        Role.MANAGER,
        InvitationStatus.PENDING,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]
    assert "Riverside Partnership" in message.subject
    assert "Ada Admin invites you to join Riverside Partnership" in message.body
    assert _invitation_of(_link(message)) == invitation
    # the pending invitation is listed for the admin
    assert b"new.person@example.test" in response.content
    assert "invitation.created" in _audit_actions(workspace)


def test_inviting_the_same_address_again_sends_it_again(
    workspace: Workspace, admin: Membership, invite
) -> None:
    invite("again@example.test")
    response = invite("AGAIN@example.test", follow=True)

    assert b"again@example.test was already invited: the invitation was sent again." in (
        response.content
    )
    assert len(_invitations(workspace, status=InvitationStatus.PENDING)) == 1
    assert [m.to for m in mail.outbox] == [["again@example.test"], ["again@example.test"]]
    assert _invitation_of(_link(mail.outbox[0])) == _invitation_of(_link(mail.outbox[1]))
    assert _audit_actions(workspace)[-1] == "invitation.resent"


def test_inviting_again_after_expiry_makes_a_fresh_invitation(
    workspace: Workspace, admin: Membership, invite
) -> None:
    invite("late@example.test")
    with tenant_scope(workspace_id=workspace.pk):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = invite("late@example.test", follow=True)

    assert b"Invitation sent to late@example.test." in response.content
    assert len(_invitations(workspace, status=InvitationStatus.EXPIRED)) == 1
    [fresh] = _invitations(workspace, status=InvitationStatus.PENDING)
    assert len(mail.outbox) == 2
    assert _invitation_of(_link(mail.outbox[1])) == fresh
    assert services.invitation_for_token(_link(mail.outbox[0]).split("/")[2]).problem == "expired"


def test_inviting_a_member_is_refused_beside_the_email(
    workspace: Workspace, admin: Membership, member: Membership, invite
) -> None:
    response = invite("Pat@Riverside.test")

    assert response.status_code == 400
    assert "pat@riverside.test is already a member." in _error_beside(response.content, "email")
    assert b'value="Pat@Riverside.test"' in response.content
    assert _invitations(workspace) == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "role", "field", "message"),
    [
        ("not-an-email", Role.VIEWER, "email", "Enter a valid email address."),
        ("", Role.VIEWER, "email", "This field is required."),
        ("ok@example.test", "owner", "role", "Select a valid choice."),
    ],
)
def test_bad_invitation_input_is_refused_beside_the_field(
    workspace: Workspace, admin: Membership, invite, email, role, field, message
) -> None:
    response = invite(email, role)

    assert response.status_code == 400
    assert message in _error_beside(response.content, field)
    assert f'value="{email}"'.encode() in response.content or not email
    assert _invitations(workspace) == []
    assert mail.outbox == []


def test_an_htmx_invitation_with_errors_answers_422(
    workspace: Workspace, admin: Membership, invite
) -> None:
    response = invite("not-an-email", HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Enter a valid email address." in _error_beside(response.content, "email")


def test_resend_and_withdraw_from_the_members_page(
    workspace: Workspace,
    admin: Membership,
    admin_client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    invitation = _pending_invitation(workspace, admin, "resend@example.test")
    url = f"/w/riverside/invitations/{invitation.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_client.post(url + "resend/", follow=True)
    assert b"Invitation sent again to resend@example.test." in resent.content
    assert len(mail.outbox) == 1  # the first send was never committed; this is send 2

    withdrawn = admin_client.post(url + "revoke/", follow=True)
    assert b"The invitation to resend@example.test was withdrawn." in withdrawn.content
    assert _invitations(workspace)[0].status == InvitationStatus.REVOKED
    assert b"No invitations are waiting." in withdrawn.content

    again = admin_client.post(url + "resend/", follow=True)
    assert b"Only an invitation that is still waiting can be resent." in again.content
    assert len(mail.outbox) == 1
    assert _audit_actions(workspace)[-2:] == ["invitation.resent", "invitation.revoked"]


# Accepting -----------------------------------------------------------------------------------


def test_a_new_person_signs_up_through_the_link(
    workspace: Workspace, admin: Membership, invite, client: Client
) -> None:
    invite("newbie@example.test", Role.LEARNING_PARTNER)
    link = _link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert b"Create your account for newbie@example.test" in page.content
    response = client.post(
        link,
        {
            "full_name": "Nia Newbie",
            "password1": "a-good-long-password-1",
            "password2": "a-good-long-password-1",
            "time_zone": "Europe/Berlin",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/w/riverside/"
    assert b"Welcome to Riverside Partnership." in response.content
    assert b"You are in Riverside Partnership as Learning partner." in response.content
    user = User.objects.get(email="newbie@example.test")
    assert (user.full_name, user.time_zone) == ("Nia Newbie", "Europe/Berlin")
    with tenant_scope(workspace_id=workspace.pk):
        assert Membership.objects.get(user=user).role == Role.LEARNING_PARTNER
    assert _invitations(workspace)[0].status == InvitationStatus.ACCEPTED
    # the link is used up
    assert client.get(link).status_code == 410


def test_sign_up_errors_are_shown_beside_the_fields(
    workspace: Workspace, admin: Membership, client: Client
) -> None:
    link = _token_path(_pending_invitation(workspace, admin, "newbie@example.test"))

    response = client.post(
        link,
        {"full_name": "Nia", "password1": "12345678", "password2": "12345679", "time_zone": "X"},
    )

    assert response.status_code == 400
    assert "The two passwords differ" in _error_beside(response.content, "password2")
    assert "Select a valid choice" in _error_beside(response.content, "time_zone")
    assert b'value="Nia"' in response.content
    assert not User.objects.filter(email="newbie@example.test").exists()

    weak = client.post(
        link,
        {"full_name": "Nia", "password1": "12345678", "password2": "12345678", "time_zone": "UTC"},
    )
    assert weak.status_code == 400
    assert "too common" in _error_beside(weak.content, "password1")
    assert not User.objects.filter(email="newbie@example.test").exists()
    assert _invitations(workspace)[0].status == InvitationStatus.PENDING


def test_an_existing_user_signs_in_then_joins(
    workspace: Workspace, admin: Membership, outsider: Membership, client: Client
) -> None:
    link = _token_path(_pending_invitation(workspace, admin, "olly@hilltop.test", Role.VIEWER))

    response = client.get(link, follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=")
    assert b"You already have an account: sign in to accept the invitation." in response.content

    signed_in = client.post(
        response.redirect_chain[0][0],
        {"username": "Olly@Hilltop.test", "password": PASSWORD, "next": link},
        follow=True,
    )
    assert signed_in.redirect_chain[-1][0] == link
    assert b"Join Riverside Partnership" in signed_in.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not Membership.objects.filter(user=outsider.user).exists()  # not before the POST

    joined = client.post(link, follow=True)

    assert joined.redirect_chain[-1][0] == "/w/riverside/"
    assert b"You are in Riverside Partnership as Viewer." in joined.content
    with tenant_scope(workspace_id=workspace.pk):
        assert Membership.objects.get(user=outsider.user).role == Role.VIEWER
    assert "invitation.accepted" in _audit_actions(workspace)


def test_someone_signed_in_with_another_address_cannot_accept(
    workspace: Workspace, admin: Membership, outsider_client: Client, outsider: Membership
) -> None:
    link = _token_path(_pending_invitation(workspace, admin, "someone@example.test"))

    response = outsider_client.get(link)
    post = outsider_client.post(link)

    assert response.status_code == 403
    assert b"This invitation is for another address" in response.content
    assert b"someone@example.test" in response.content
    assert post.status_code == 403
    with tenant_scope(workspace_id=workspace.pk):
        assert not Membership.objects.filter(user=outsider.user).exists()
    assert _invitations(workspace)[0].status == InvitationStatus.PENDING


@pytest.mark.parametrize(
    ("problem", "status", "heading"),
    [
        ("expired", 410, b"This invitation has expired"),
        ("used", 410, b"This invitation has already been accepted"),
        ("revoked", 410, b"This invitation was withdrawn"),
        ("garbage", 404, b"This invitation link is not valid"),
        ("unknown", 404, b"This invitation link is not valid"),
    ],
)
def test_links_that_no_longer_work_say_why(
    workspace: Workspace, admin: Membership, client: Client, problem, status, heading
) -> None:
    invitation = _pending_invitation(workspace, admin, "late@example.test")
    path = _token_path(invitation)
    with tenant_scope(workspace_id=workspace.pk):
        if problem == "expired":
            invitation.expires_at = timezone.now() - timedelta(minutes=1)
        elif problem == "used":
            invitation.status = InvitationStatus.ACCEPTED
        elif problem == "revoked":
            invitation.status = InvitationStatus.REVOKED
        invitation.save()
    if problem == "garbage":
        path = path[:-6] + "xxxxx/"
    elif problem == "unknown":
        path = f"/invitations/{signing.dumps(str(uuid.uuid4()), salt=services.INVITATION_SALT)}/"

    response = client.get(path)
    post = client.post(
        path,
        {"full_name": "L", "password1": "a-good-long-pw-9", "password2": "a-good-long-pw-9"},
    )

    assert response.status_code == status
    assert heading in response.content
    assert post.status_code == status
    assert not User.objects.filter(email="late@example.test").exists()


def test_the_periodic_task_expires_old_invitations_in_every_workspace(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    past = timezone.now() - timedelta(hours=1)
    with tenant_scope(workspace_id=workspace.pk):
        old_a = InvitationFactory(workspace=workspace, expires_at=past)
        fresh = InvitationFactory(workspace=workspace)
        accepted = InvitationFactory(
            workspace=workspace, expires_at=past, status=InvitationStatus.ACCEPTED
        )
    with tenant_scope(workspace_id=other_workspace.pk):
        old_b = InvitationFactory(workspace=other_workspace, expires_at=past)

    assert expire_invitations.delay().get() == 2

    with all_workspaces("test"):
        statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert statuses == {
        old_a.pk: InvitationStatus.EXPIRED,
        old_b.pk: InvitationStatus.EXPIRED,
        fresh.pk: InvitationStatus.PENDING,
        accepted.pk: InvitationStatus.ACCEPTED,
    }


def test_the_expiry_task_is_scheduled(settings) -> None:
    from hls.celery import app

    app.loader.import_default_modules()  # what a worker does first: every app's tasks module
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "hls.tenancy.tasks.expire_invitations" in names
    assert names <= set(app.tasks)


def test_sending_an_invitation_email_twice_sends_it_once(
    workspace: Workspace, admin: Membership
) -> None:
    invitation = _pending_invitation(
        workspace, admin, "once@example.test"
    )  # not committed: no send
    assert mail.outbox == []

    first = send_invitation_email.delay(workspace.pk, invitation.pk, 1).get()
    second = send_invitation_email.delay(workspace.pk, invitation.pk, 1).get()

    assert (first, second) == (True, False)
    assert [m.to for m in mail.outbox] == [["once@example.test"]]
    assert mail.outbox[0].extra_headers["X-HLS-Idempotency-Key"].endswith("-1")


def test_no_email_for_a_withdrawn_invitation(workspace: Workspace, admin: Membership) -> None:
    invitation = _pending_invitation(workspace, admin, "gone@example.test")
    with tenant_scope(workspace_id=workspace.pk):
        services.invitation_revoke(invitation=invitation, actor=admin.user)

    assert (
        services.invitation_send_email(
            workspace_id=workspace.pk, invitation_id=invitation.pk, send_number=1
        )
        is False
    )
    assert mail.outbox == []


# Members -------------------------------------------------------------------------------------


def _role(membership: Membership) -> str | None:
    with all_workspaces("test"):
        return Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()


def test_admin_changes_a_members_role(
    workspace: Workspace, admin: Membership, member: Membership, admin_client: Client
) -> None:
    response = admin_client.post(f"{MEMBERS}{member.pk}/role/", {"role": Role.STEWARD}, follow=True)

    assert b"Pat Practitioner is now Steward." in response.content
    assert _role(member) == Role.STEWARD
    with tenant_scope(workspace_id=workspace.pk):
        event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.actor_id, event.target_id) == (admin.user.pk, str(member.pk))
    assert event.data == {"old": Role.PRACTITIONER, "new": Role.STEWARD}


def test_an_unknown_role_is_refused(
    workspace: Workspace, admin: Membership, member: Membership, admin_client: Client
) -> None:
    response = admin_client.post(f"{MEMBERS}{member.pk}/role/", {"role": "owner"}, follow=True)

    assert b"Select a valid choice" in response.content
    assert _role(member) == Role.PRACTITIONER
    assert _audit_actions(workspace) == []


def test_the_last_admin_cannot_be_demoted(
    workspace: Workspace, admin: Membership, member: Membership, admin_client: Client
) -> None:
    response = admin_client.post(f"{MEMBERS}{admin.pk}/role/", {"role": Role.VIEWER}, follow=True)

    assert b"A workspace needs at least one admin." in response.content
    assert _role(admin) == Role.ADMIN
    assert _audit_actions(workspace) == []


def test_an_admin_can_be_demoted_when_another_admin_remains(
    workspace: Workspace, admin: Membership, make_member, admin_client: Client
) -> None:
    make_member(workspace, Role.ADMIN)

    admin_client.post(f"{MEMBERS}{admin.pk}/role/", {"role": Role.VIEWER})

    assert _role(admin) == Role.VIEWER
    # no longer an admin: the members page no longer offers role changes
    assert admin_client.post(f"{MEMBERS}{admin.pk}/role/", {"role": Role.ADMIN}).status_code == 403


def test_the_last_admin_cannot_be_removed(
    workspace: Workspace, admin: Membership, admin_client: Client
) -> None:
    response = admin_client.post(f"{MEMBERS}{admin.pk}/remove/")

    assert response.status_code == 400
    assert b"A workspace needs at least one admin." in response.content
    assert _role(admin) == Role.ADMIN
    assert _audit_actions(workspace) == []


def test_admin_removes_a_member(
    workspace: Workspace, admin: Membership, member: Membership, admin_client: Client
) -> None:
    confirm = admin_client.get(f"{MEMBERS}{member.pk}/remove/")
    assert b"Remove Pat Practitioner?" in confirm.content
    assert _role(member) == Role.PRACTITIONER  # the GET asks, it does not remove

    response = admin_client.post(f"{MEMBERS}{member.pk}/remove/", follow=True)

    assert response.redirect_chain[-1][0] == MEMBERS
    assert b"Pat Practitioner no longer belongs to this workspace." in response.content
    assert b"pat@riverside.test" not in response.content
    assert _role(member) is None
    with tenant_scope(workspace_id=workspace.pk):
        event = AuditEvent.objects.get(action="membership.removed")
    assert event.data == {"user_id": member.user.pk}
    # and the removed person no longer reaches the workspace
    member_client = Client()
    member_client.force_login(member.user)
    assert member_client.get("/w/riverside/").status_code == 404
