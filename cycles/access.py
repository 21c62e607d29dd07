"""Fetch-or-404 helpers: a missing object and another workspace's object look the same.

Entries are fetched through `entries_visible_to`, so an entry the user may not see is a 404 too.
"""

from django.shortcuts import get_object_or_404

from cycles.models import Cycle, CycleMember, Entry, Experiment, Theme
from cycles.selectors import entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Workspace


def access_cycle(*, workspace: Workspace, cycle_id: int) -> Cycle:
    return get_object_or_404(
        Cycle.objects.select_related("system__scale", "system__parent__scale"),
        workspace=workspace,
        pk=cycle_id,
    )


def access_entry(*, workspace: Workspace, user: User, entry_id: int) -> Entry:
    return get_object_or_404(entries_visible_to(workspace=workspace, user=user), pk=entry_id)


def access_experiment(*, workspace: Workspace, experiment_id: int) -> Experiment:
    return get_object_or_404(
        Experiment.objects.select_related("cycle"), workspace=workspace, pk=experiment_id
    )


def access_theme(*, workspace: Workspace, theme_id: int) -> Theme:
    return get_object_or_404(Theme, workspace=workspace, pk=theme_id)


def access_cycle_member(*, workspace: Workspace, cycle_member_id: int) -> CycleMember:
    return get_object_or_404(
        CycleMember.objects.select_related("user", "cycle"), workspace=workspace, pk=cycle_member_id
    )
