"""Objects for the API outsider matrix and the conformance world: a method template (copied from
a built-in) and a method run started by the member in a cycle they work in."""

from stewardship.methods import services
from tests.factories import CycleFactory, CycleMemberFactory


def make_method_template(workspace, membership) -> int:
    return services.template_copy(
        workspace=workspace, user=membership.user, key="learning_get_together"
    ).pk


def make_method_run(workspace, membership) -> int:
    cycle = CycleFactory(workspace=workspace)
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=membership.user)
    return services.run_start(
        workspace=workspace, user=membership.user, cycle=cycle, builtin="rapid_learning",
        title="This week", why_this_method="The team asked for a short weekly look back.",
    ).pk  # fmt: skip


API_MAKERS = {"api-method-template": make_method_template, "api-method-run": make_method_run}
