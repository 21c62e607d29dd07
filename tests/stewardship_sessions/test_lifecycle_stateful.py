"""The session life cycle, as a state machine (issue 17): the team's weekly series of eight
meetings has single meetings moved (to a later time, or wrongly into the past), cancelled and
recorded as held, and the whole series cancelled, by its facilitator and by a member who may
not, in any order, through the services.

After every step `session_slots` (what every page and calendar reads) agrees with a model kept
beside it: each meeting where it was moved to, cancelled when it or the series was, held when
recorded; an illegal move (by someone who may not, into the past, on a cancelled series) is
refused with the service's error and writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from hls.tenancy.context import tenant_scope
from stewardship.models import Occurrence, Session
from stewardship.sessions import services
from stewardship.sessions.recurrence import all_series_starts, session_slots
from tests.stateful import InSavepoint, run

pytestmark = pytest.mark.django_db

MEETINGS = st.integers(0, 7)


def test_the_session_life_cycle_holds_whatever_the_order(world):
    ws, session = world.workspace, world.session
    originals = all_series_starts(
        starts_at=session.starts_at, timezone=session.timezone, rule=session.rrule
    )
    assert len(originals) == 8
    people = {"facilitator": world.facilitator, "stranger": world.stranger}
    may = {"facilitator": True, "stranger": False}

    class Sessions(InSavepoint):
        def __init__(self) -> None:
            super().__init__()
            self.moved: dict[int, dt.datetime] = {}
            self.cancelled: set[int] = set()
            self.held: set[int] = set()
            self.series_cancelled = False

        def _session(self) -> Session:
            return Session.objects.get(pk=session.pk)

        def _snapshot(self):
            return (
                self._session().status,
                sorted(
                    Occurrence.objects.filter(session_id=session.pk).values_list(
                        "original_start", "starts_at", "cancelled", "held_at"
                    )
                ),
            )

        def _refused(self, call, error) -> None:
            before = self._snapshot()
            with pytest.raises(error):
                call()
            assert self._snapshot() == before  # nothing half-written

        @rule(i=MEETINGS, who=st.sampled_from(sorted(people)), hours=st.integers(-24 * 60, 24 * 9))
        def move_a_meeting(self, i, who, hours):
            to = originals[i] + dt.timedelta(hours=hours)
            with tenant_scope(workspace_id=ws.pk):
                call = lambda: services.occurrence_move(  # noqa: E731
                    workspace=ws, session=self._session(), by=people[who],
                    original_start=originals[i], starts_at=to,
                )  # fmt: skip
                if not may[who]:
                    self._refused(call, PermissionDenied)
                elif self.series_cancelled or to < timezone.now():
                    self._refused(call, ValidationError)
                else:
                    call()
                    self.moved[i] = to
                    self.cancelled.discard(i)

        @rule(i=MEETINGS, who=st.sampled_from(sorted(people)))
        def cancel_a_meeting(self, i, who):
            with tenant_scope(workspace_id=ws.pk):
                call = lambda: services.occurrence_cancel(  # noqa: E731
                    workspace=ws, session=self._session(), by=people[who],
                    original_start=originals[i],
                )  # fmt: skip
                if not may[who]:
                    self._refused(call, PermissionDenied)
                else:
                    call()
                    self.cancelled.add(i)

        @rule(i=MEETINGS, who=st.sampled_from(sorted(people)))
        def record_a_meeting_held(self, i, who):
            with tenant_scope(workspace_id=ws.pk):
                [slot] = [
                    s for s in self._slots() if s.original_start == originals[i]
                ]  # fmt: skip
                call = lambda: services.occurrence_done(  # noqa: E731
                    workspace=ws, slot=slot, by=people[who]
                )
                if not may[who]:
                    self._refused(call, PermissionDenied)
                else:
                    assert call().held_at is not None
                    self.held.add(i)

        @rule(who=st.sampled_from(sorted(people)))
        def cancel_the_series(self, who):
            with tenant_scope(workspace_id=ws.pk):
                call = lambda: services.session_cancel(  # noqa: E731
                    workspace=ws, session=self._session(), by=people[who]
                )
                if not may[who]:
                    self._refused(call, PermissionDenied)
                else:
                    assert call().status == Session.Status.CANCELLED
                    self.series_cancelled = True

        def _slots(self):
            return session_slots(
                self._session(),
                after=originals[0] - dt.timedelta(days=400),
                before=originals[-1] + dt.timedelta(days=400),
            )

        @invariant()
        def the_slots_are_the_model(self):
            with tenant_scope(workspace_id=ws.pk):
                slots = {s.original_start: s for s in self._slots()}
            assert set(slots) == set(originals)
            for i, original in enumerate(originals):
                slot = slots[original]
                assert slot.starts_at == self.moved.get(i, original)
                assert slot.cancelled == (self.series_cancelled or i in self.cancelled)
                held = slot.occurrence is not None and slot.occurrence.held_at is not None
                assert held == (i in self.held)

    run(Sessions, examples=10, steps=12)
