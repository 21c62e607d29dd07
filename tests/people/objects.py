"""Objects for the outsider matrix (tests/outsider_objects.py): people's URL keywords.

A person's identity pages answer 404 to members who do not work with the person, so the person
made here is in a person-scale system whose team holds the given member and the workspace's
admins (the matrix checks that the URL is real by opening it as the admin).
"""

from hls.tenancy.models import Membership, Role
from tests.factories import PersonFactory, ScaleFactory, SystemFactory, SystemMemberFactory


def make_person(workspace, membership) -> int:
    scale = ScaleFactory(workspace=workspace, is_person_scale=True)
    system = SystemFactory(workspace=workspace, scale=scale)
    users = {membership.user} | {
        m.user for m in Membership.objects.filter(workspace=workspace, role=Role.ADMIN)
    }
    for user in users:
        SystemMemberFactory(workspace=workspace, system=system, user=user)
    return PersonFactory(workspace=workspace, system=system, created_by=membership.user).pk


MAKERS = {"person_id": make_person}
