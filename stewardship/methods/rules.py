"""Who may do what with a method run: one place, read by services, selectors and pages.

- Those inside the run's cycle start runs in it, facilitate them and see them (a cycle steers its
  own learning); so does the run's facilitator (a learning partner the cycle asked) and, for a
  run in a meeting, the session's facilitator.
- Those taking part see the run and answer; members of the meeting's session may join it.
- Guests (people with lived experience who have no account) join one run by its code while it is
  open and see that run only (services.guest_join).
- Nobody else sees a run: not the cycles above, not the rest of the workspace. A Most Significant
  Change chain is the one exception, and it shows only the selections and their reasons to those
  who took part in a run of the chain (selectors.chain_for).
"""

from __future__ import annotations

from cycles.trust import trust_for
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.models import MethodRun, RunParticipant, SessionParticipant


def session_facilitates(*, run: MethodRun, user: User) -> bool:
    occurrence = run.occurrence
    return occurrence is not None and occurrence.session.facilitator_id == user.pk


def may_facilitate(*, workspace: Workspace, run: MethodRun, user: User) -> bool:
    if run.facilitator_id == user.pk or session_facilitates(run=run, user=user):
        return True
    return trust_for(workspace=workspace, user=user).inside(run.cycle)


def in_meeting(*, workspace: Workspace, run: MethodRun, user: User) -> bool:
    """A member invited to the session the run is held in."""
    occurrence = run.occurrence
    return (
        occurrence is not None
        and SessionParticipant.objects.filter(
            workspace=workspace, session_id=occurrence.session_id, user=user
        ).exists()
    )


def may_join(*, workspace: Workspace, run: MethodRun, user: User) -> bool:
    return may_facilitate(workspace=workspace, run=run, user=user) or in_meeting(
        workspace=workspace, run=run, user=user
    )


def may_see(*, workspace: Workspace, run: MethodRun, user: User) -> bool:
    return RunParticipant.objects.filter(
        workspace=workspace, run=run, user=user
    ).exists() or may_join(workspace=workspace, run=run, user=user)
