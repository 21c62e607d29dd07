"""The demo's learning partner (issue 15, item 6): Rui, Northmoor's learning partner, already
in the place cycle and facilitating its reflection space (devtools/demo_stewardship.py), is
invited into the outreach team's cycle too, and has left two heads-up notes: one to the place
cycle, which its steward has answered, and one to the outreach team, still open.

Through the services (so the stewards are told, in the app). Idempotent: a note already there
is not written again.
"""

from __future__ import annotations

from cycles.models import Cycle, CycleMember
from cycles.services import cycle_member_add
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.models import HeadsUp
from stewardship.partners.services import heads_up_answer, heads_up_write

TO_PLACE = (
    "At the last two reflection spaces the people with lived experience spoke last, after every "
    "agency had reported. Would it help to start with them next time, and ask them how?"
)
PLACE_ANSWER = (
    "Yes. The next space opens with the Lived Experience Network, and Kit will ask the group "
    "how they want the time used."
)
TO_TEAM = (
    "Since the rota changed nothing has come from the night shift, and this month's stories are "
    "mostly about the hostel's new rules. Can the night shift take part in another way?"
)


def _northmoor(workspace: Workspace, users: dict[str, User]) -> None:
    rui, morgan = users["partner"], users["steward"]
    place = Cycle.objects.filter(workspace=workspace, place_setup__isnull=False).first()
    team = Cycle.objects.filter(workspace=workspace, name__startswith="Outreach:").first()
    if place is None or team is None:
        return
    if not CycleMember.objects.filter(workspace=workspace, cycle=team, user=rui).exists():
        cycle_member_add(workspace=workspace, cycle=team, user=rui)  # the team invited Rui
    if not HeadsUp.objects.filter(workspace=workspace, text=TO_PLACE).exists():
        note = heads_up_write(workspace=workspace, cycle=place, user=rui, text=TO_PLACE)
        heads_up_answer(workspace=workspace, heads_up=note, user=morgan, answer=PLACE_ANSWER)
    if not HeadsUp.objects.filter(workspace=workspace, text=TO_TEAM).exists():
        heads_up_write(workspace=workspace, cycle=team, user=rui, text=TO_TEAM)


def seed_partners_demo(workspaces: dict[str, Workspace], users: dict[str, User]) -> None:
    workspace = workspaces["northmoor"]
    with tenant_scope(workspace_id=workspace.pk):
        _northmoor(workspace, users)
