"""A small tree for the patterns tests: a place, two teams under it, a person's cycle under one
team; the place manager works in the place system (so sees what is shared upward)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cycles.models import Cycle, Entry, Theme
from hls.tenancy.models import Membership, Workspace
from systems.models import ShareLevel, System
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    EntryThemeFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
    ThemeFactory,
)

UP = ShareLevel.SHARED_UPWARD


@dataclass
class Tree:
    place: Cycle
    team_a: Cycle
    team_b: Cycle
    life: Cycle
    elsewhere: Cycle  # not below the place
    letters: Theme
    hope: Theme
    place_system: System


def build_tree(workspace: Workspace, manager: Membership | None = None) -> Tree:
    place_scale = ScaleFactory(workspace=workspace, name="Place", position=3)
    team_scale = ScaleFactory(workspace=workspace, name="Team", position=1)
    life_scale = ScaleFactory(workspace=workspace, name="Life", position=0)
    place_sys = SystemFactory(workspace=workspace, name="Riverside place", scale=place_scale)
    a_sys = SystemFactory(
        workspace=workspace, name="Alder team", scale=team_scale, parent=place_sys
    )
    b_sys = SystemFactory(
        workspace=workspace, name="Birch team", scale=team_scale, parent=place_sys
    )
    life_sys = SystemFactory(workspace=workspace, name="A life", scale=life_scale, parent=a_sys)
    other_sys = SystemFactory(workspace=workspace, name="Other place", scale=place_scale)
    if manager is not None:
        SystemMemberFactory(workspace=workspace, system=place_sys, user=manager.user)
    return Tree(
        place=CycleFactory(workspace=workspace, system=place_sys, name="Place cycle"),
        team_a=CycleFactory(workspace=workspace, system=a_sys, name="Alder cycle"),
        team_b=CycleFactory(workspace=workspace, system=b_sys, name="Birch cycle"),
        life=CycleFactory(workspace=workspace, system=life_sys, name="Life cycle"),
        elsewhere=CycleFactory(workspace=workspace, system=other_sys, name="Elsewhere cycle"),
        letters=ThemeFactory(workspace=workspace, name="Fear of letters", kind="problem"),
        hope=ThemeFactory(workspace=workspace, name="A home of my own", kind="aspiration"),
        place_system=place_sys,
    )


def entry(workspace, cycle, *, themes=(), visibility=UP, when=None, **kwargs) -> Entry:
    made = EntryFactory(workspace=workspace, cycle=cycle, visibility=visibility, **kwargs)
    if when is not None:  # when it happened; it is logged now (patterns read happened_on)
        Entry.objects.filter(pk=made.pk).update(happened_on=timezone.localtime(when).date())
        made.refresh_from_db()
    for theme in themes:
        EntryThemeFactory(workspace=workspace, entry=made, theme=theme)
    return made


def this_month(day: int = 10) -> dt.datetime:
    now = timezone.localtime()
    return now.replace(day=min(day, now.day), hour=12, minute=0, second=0, microsecond=0)


def join(workspace, cycle, membership) -> None:
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=membership.user)
