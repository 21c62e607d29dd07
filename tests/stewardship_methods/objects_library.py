"""Objects for the outsider matrix (tests/outsider_objects.py): the method library's keywords.
(`cycle_id` comes from the cycles' makers; helper pages for runs bring `run_id` in objects.py.)"""

from hls.tenancy.models import Membership, Role
from stewardship.methods import services
from stewardship.methods.builtin import BUILTINS
from tests.factories import MembershipFactory


def make_method_template(workspace, membership: Membership) -> int:
    author = MembershipFactory(workspace=workspace, role=Role.STEWARD)
    return services.template_copy(
        workspace=workspace, user=author.user, key=next(iter(BUILTINS))
    ).pk


def make_version(workspace, membership: Membership) -> int:
    return 1  # every template has its first version


MAKERS = {"template_id": make_method_template, "version": make_version}
