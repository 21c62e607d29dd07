"""Session services: bad input, outputs written back into the cycles, felt heard, fatigue."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cycles.models import BarrierRoute, Entry, Experiment
from hls.tenancy.context import tenant_scope
from stewardship.models import HeardAnswer, HeardReceipt, Reminder, Session, SessionParticipant
from stewardship.sessions import selectors, services
from stewardship.sessions.recurrence import session_slots
from systems.models import ShareLevel
from tests.factories import CycleFactory, ReminderFactory
from tests.stewardship_sessions.conftest import next_monday_10


def _kwargs(world, **extra):
    kwargs = dict(
        workspace=world.workspace,
        user=world.facilitator.user,
        title="Check-in",
        cycles=[world.cycle],
        facilitator=world.facilitator.user,
        timezone="Europe/London",
        starts_at=next_monday_10(),
        duration_minutes=60,
        rrule="",
        members=[],
        guests=[],
    )
    kwargs.update(extra)
    return kwargs


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            {"starts_at": timezone.now() - dt.timedelta(days=1)},
            "starts_at",
            "The first meeting is in the past",
        ),
        ({"rrule": "FREQ=WEEKLY"}, "rrule", "A series must end"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20000101T000000"}, "rrule", "gives no meeting"),
        ({"timezone": "Mars/Olympus"}, "timezone", "“Mars/Olympus” is not a time zone"),
        (
            {"guests": ["ok@example.org", "not an email"]},
            "guests",
            "“not an email” is not an email address",
        ),
        ({"cycles": []}, "cycles", "at least one cycle"),
    ],
)
def test_bad_input_is_refused_beside_the_field(world, extra, field, message):
    with tenant_scope(workspace_id=world.workspace.pk), pytest.raises(ValidationError) as error:
        services.session_create(**_kwargs(world, **extra))
    assert any(message in m for m in error.value.message_dict[field])


def test_cycles_and_facilitator_of_this_workspace_only(world, other_workspace, make_member):
    foreigner = make_member(other_workspace)
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign_cycle = CycleFactory(workspace=other_workspace)
    with tenant_scope(workspace_id=world.workspace.pk), pytest.raises(ValidationError) as error:
        services.session_create(
            **_kwargs(world, cycles=[foreign_cycle], facilitator=foreigner.user)
        )
    assert set(error.value.message_dict) >= {"cycles", "facilitator"}


def test_create_invites_members_and_guests_and_calls_notifications(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        session = services.session_create(
            **_kwargs(world, members=[world.pat.user], guests=["a@example.org", "A@example.org"])
        )
        participants = list(SessionParticipant.objects.filter(session=session))
        services.session_cancel(workspace=world.workspace, session=session, by=world.facilitator)
        kinds = sorted(
            Reminder.objects.filter(
                session=session,
                kind__in=[
                    Reminder.Kind.SESSION_INVITATION,
                    Reminder.Kind.SESSION_CANCELLATION,
                ],
            ).values_list("kind", "email")
        )
    assert len(participants) == 2
    # The notifications area heard both changes: an invitation and a cancellation each for the
    # member, the guest (once, whatever the case of their address) and the facilitator.
    assert kinds == sorted(
        [(k, "") for k in ["session_invitation", "session_cancellation"] * 2]
        + [(k, "a@example.org") for k in ["session_invitation", "session_cancellation"]]
    )


def test_respond_only_for_participants(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        services.session_respond(
            workspace=world.workspace,
            session=world.session,
            user=world.pat.user,
            response="declined",
        )
        assert (
            SessionParticipant.objects.get(session=world.session, user=world.pat.user).response
            == "declined"
        )
        with pytest.raises(Exception, match="Only those invited"):
            services.session_respond(
                workspace=world.workspace,
                session=world.session,
                user=world.stranger.user,
                response="accepted",
            )


def _first_slot(world):
    s = world.session
    return session_slots(s, after=s.starts_at, before=s.starts_at + dt.timedelta(days=1))[0]


def test_outputs_are_written_into_the_cycle_with_kind_visibility_and_link(world):
    ws, fay = world.workspace, world.facilitator.user
    with tenant_scope(workspace_id=ws.pk):
        slot = _first_slot(world)
        insight = services.output_add(
            workspace=ws,
            slot=slot,
            by=world.facilitator,
            cycle=world.cycle,
            kind="insight",
            text="The rota matters more than the training.",
        )
        decision = services.output_add(
            workspace=ws,
            slot=slot,
            by=world.facilitator,
            cycle=world.cycle,
            kind="decision",
            text="We try a four-day rota.",
            visibility=ShareLevel.TEAM,
        )
        experiment = services.output_add(
            workspace=ws,
            slot=slot,
            by=world.facilitator,
            cycle=world.cycle,
            kind="experiment",
            text="Four-day rota for a month\nWith two volunteers.",
        )
        entry = Entry.objects.select_related("session_output__occurrence__session").get(
            pk=insight.entry_id
        )
        exp = Experiment.objects.get(pk=experiment.experiment_id)

    assert (entry.kind, entry.visibility, entry.cycle_id, entry.author_id) == (
        "insight",
        ShareLevel.CYCLE,
        world.cycle.pk,
        fay.pk,
    )
    assert entry.session_output.occurrence.session == world.session
    with tenant_scope(workspace_id=ws.pk):
        assert Entry.objects.get(pk=decision.entry_id).visibility == ShareLevel.TEAM
    assert (exp.status, exp.cycle_id, exp.owner_id, exp.title) == (
        "planned",
        world.cycle.pk,
        fay.pk,
        "Four-day rota for a month",
    )


def test_an_output_only_goes_into_the_sessions_cycles(world):
    with tenant_scope(workspace_id=world.workspace.pk), pytest.raises(ValidationError) as error:
        services.output_add(
            workspace=world.workspace,
            slot=_first_slot(world),
            by=world.facilitator,
            cycle=world.place_cycle,
            kind="insight",
            text="Elsewhere",
        )
    assert "cycle" in error.value.message_dict


def test_a_barrier_shared_upward_is_raised_to_the_cycle_above(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        output = services.output_add(
            workspace=ws,
            slot=_first_slot(world),
            by=world.facilitator,
            cycle=world.cycle,
            kind="barrier",
            text="The funding rule blocks flexible hours.",
            visibility=ShareLevel.SHARED_UPWARD,
        )
        route = BarrierRoute.objects.get(entry_id=output.entry_id)
        kept = services.output_add(
            workspace=ws,
            slot=_first_slot(world),
            by=world.facilitator,
            cycle=world.cycle,
            kind="barrier",
            text="Kept in the cycle.",
        )
        assert not BarrierRoute.objects.filter(entry_id=kept.entry_id).exists()
    assert (route.from_cycle_id, route.to_cycle_id) == (world.cycle.pk, world.place_cycle.pk)


def test_felt_heard_is_anonymous_and_once_only(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        slot = _first_slot(world)
        services.heard_answer(
            workspace=ws, slot=slot, user=world.pat.user, felt_heard="partly", comment="Rushed"
        )
        with pytest.raises(ValidationError, match="already answered"):
            services.heard_answer(workspace=ws, slot=slot, user=world.pat.user, felt_heard="yes")
        answers = list(HeardAnswer.objects.values())
        assert HeardReceipt.objects.count() == 1
        assert len(answers) == 1
        slot = _first_slot(world)
        totals = selectors.heard_totals(workspace=ws, occurrence=slot.occurrence)
    assert not any("user" in key for key in answers[0])
    assert not totals.shown
    assert totals.answered == 1


def test_heard_totals_show_at_the_threshold(world, make_member):
    ws = world.workspace
    extra = make_member(ws)
    with tenant_scope(workspace_id=ws.pk):
        SessionParticipant.objects.create(workspace=ws, session=world.session, user=extra.user)
        for m, felt in ((world.pat, "yes"), (world.sam, "no"), (extra, "yes")):
            services.heard_answer(
                workspace=ws, slot=_first_slot(world), user=m.user, felt_heard=felt
            )
        totals = selectors.heard_totals(workspace=ws, occurrence=_first_slot(world).occurrence)
    assert (totals.shown, totals.yes, totals.partly, totals.no) == (True, 2, 0, 1)


def _past_series(world, rule="FREQ=WEEKLY;INTERVAL=2;COUNT=10"):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(weeks=9)
    Session.objects.filter(pk=world.session.pk).update(starts_at=start, rrule=rule)
    world.session.refresh_from_db()
    return [s for s in session_slots(world.session, after=start, before=timezone.now())]


def test_fatigue_offer_appears_when_half_the_invitations_are_skipped(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        past = _past_series(world)
        assert len(past) == 5
        assert selectors.lighter_cadence_offer(workspace=ws, session=world.session) is None
        # 3 participants x last 4 meetings = 12 invitations; Pat declined (4), 2 snoozes.
        SessionParticipant.objects.filter(session=world.session, user=world.pat.user).update(
            response="declined"
        )
        assert selectors.lighter_cadence_offer(workspace=ws, session=world.session) is None
        ReminderFactory(
            workspace=ws,
            session=world.session,
            occurrence_start=past[-1].original_start,
            snoozed_count=2,
        )
        offer = selectors.lighter_cadence_offer(workspace=ws, session=world.session)
    assert offer is not None
    assert offer.rule == "FREQ=WEEKLY;INTERVAL=4;COUNT=5"


def test_recorded_absence_counts_toward_fatigue(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        past = _past_series(world)
        for slot in past[-4:]:
            services.attendance_set(workspace=ws, slot=slot, by=world.facilitator, attended_ids=[])
        offer = selectors.lighter_cadence_offer(workspace=ws, session=world.session)
    assert offer is not None
