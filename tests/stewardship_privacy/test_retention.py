"""A workspace's retention (stewardship/privacy, docs/people-and-privacy.md "Retention"): the
page previews exactly what goes; beat's task and "Apply now" remove exactly that, through the
one identity rule, recording one RetentionRun with counts; twice, or twice at once, removes
and records nothing more; another workspace is untouched."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from cycles import services as cycle_services
from cycles.models import Cycle, EntryDraft
from hls.audit.models import AuditEvent, RetentionRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.privacy import services
from stewardship.privacy.tasks import apply_retention
from systems.models import PersonIdentity
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    EntryDraftFactory,
    PersonFactory,
    PersonIdentityFactory,
    ScaleFactory,
    SystemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _ago(days: int) -> dt.datetime:
    return timezone.now() - days * DAY


def _life(workspace, scale, reference: str, closed: list[int | None], identity: bool = True):
    """A person with their own life's cycles: each closed that many days ago (None: open)."""
    system = SystemFactory(workspace=workspace, scale=scale, name=f"Life {reference}")
    person = PersonFactory(workspace=workspace, reference=reference, system=system)
    for days in closed:
        if days is None:
            CycleFactory(workspace=workspace, system=system, status=Cycle.Status.ACTIVE)
        else:
            CycleFactory(
                workspace=workspace, system=system, status=Cycle.Status.CLOSED,
                closed_at=_ago(days),
            )  # fmt: skip
    if identity:
        PersonIdentityFactory(workspace=workspace, person=person)
    return person


def _people(workspace: Workspace) -> Any:
    """Identities due (30 days) and not, drafts due (7 days) and not."""
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="A person's life", is_person_scale=True)
        team_scale = ScaleFactory(workspace=workspace, name="Team")
        due = _life(workspace, scale, "P-DUE1", [40])
        due_two = _life(workspace, scale, "P-DUE2", [45, 31])
        recent = _life(workspace, scale, "P-RCNT", [10])
        one_open = _life(workspace, scale, "P-OPEN", [90, None])
        no_cycle = _life(workspace, scale, "P-NONE", [])
        no_identity = _life(workspace, scale, "P-NOID", [90], identity=False)
        # Closed before closed_at was kept: its updated_at stands in.
        legacy = _life(workspace, scale, "P-LGCY", [])
        old = CycleFactory(workspace=workspace, system=legacy.system, status=Cycle.Status.CLOSED)
        Cycle.objects.filter(pk=old.pk).update(updated_at=_ago(60))
        # A team's system is no one's life, whatever closed.
        team = SystemFactory(workspace=workspace, scale=team_scale, name="A team")
        in_team = PersonFactory(workspace=workspace, reference="P-TEAM", system=team)
        CycleFactory(workspace=workspace, system=team, status="closed", closed_at=_ago(90))
        PersonIdentityFactory(workspace=workspace, person=in_team)
        author = UserFactory()
        old_draft = EntryDraftFactory(workspace=workspace, author=author, key="old")
        new_draft = EntryDraftFactory(workspace=workspace, author=author, key="new")
        EntryDraft.objects.filter(pk=old_draft.pk).update(updated_at=_ago(8))
        EntryDraft.objects.filter(pk=new_draft.pk).update(updated_at=_ago(2))
    Workspace.objects.filter(pk=workspace.pk).update(retain_identity_days=30, retain_drafts_days=7)
    workspace.refresh_from_db()
    return SimpleNamespace(
        due={due.pk, due_two.pk, legacy.pk},
        kept={recent.pk, one_open.pk, no_cycle.pk, no_identity.pk, in_team.pk},
        old_draft=old_draft,
        new_draft=new_draft,
    )


@pytest.fixture
def world(workspace, admin):
    return _people(workspace)


def _identities(workspace) -> set[int]:
    with tenant_scope(workspace_id=workspace.pk):
        return set(PersonIdentity.objects.values_list("person_id", flat=True))


def _drafts(workspace) -> set[int]:
    with tenant_scope(workspace_id=workspace.pk):
        return set(EntryDraft.objects.values_list("pk", flat=True))


def _runs(workspace) -> list[RetentionRun]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(RetentionRun.objects.order_by("pk"))


# The page --------------------------------------------------------------------------------------


def test_the_preview_shows_exactly_what_apply_now_removes(workspace, admin, world) -> None:
    client = signed_in(admin)
    page = client.get("/w/riverside/retention/").content.decode()

    assert "The identities of 3 people." in page
    assert "References: P-DUE1, P-DUE2, P-LGCY" in page
    for kept in ("P-RCNT", "P-OPEN", "P-NONE", "P-NOID", "P-TEAM"):
        assert kept not in page
    assert "1 draft." in page
    before = _identities(workspace)

    response = client.post("/w/riverside/retention/apply/", follow=True)

    assert "Identities deleted: 3. Drafts dropped: 1." in response.content.decode()
    assert _identities(workspace) == before - world.due
    assert _drafts(workspace) == {world.new_draft.pk}
    [run] = _runs(workspace)
    assert run.trigger == "manual"
    assert run.started_by_id == admin.user_id
    assert run.counts == {"identities": 3, "drafts": 1}
    assert run.settings_used == {"retain_identity_days": 30, "retain_drafts_days": 7}
    with tenant_scope(workspace_id=workspace.pk):
        applied = AuditEvent.objects.get(action="retention.applied")
        erased = AuditEvent.objects.filter(action="person.identity_erased")
        assert applied.data == {"trigger": "manual", "counts": {"identities": 3, "drafts": 1}}
        assert {int(e.target_id) for e in erased} == world.due
        assert all(e.data == {"by": "retention"} for e in erased)
    assert "Nothing is due to go now." in client.get("/w/riverside/retention/").content.decode()


def test_the_page_reads_in_a_constant_number_of_queries(
    workspace, admin, world, django_assert_num_queries
) -> None:
    client = signed_in(admin)
    client.post("/w/riverside/retention/apply/")  # one run in the history
    client.get("/w/riverside/retention/")
    with django_assert_num_queries(11):
        assert client.get("/w/riverside/retention/").status_code == 200
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Lives", is_person_scale=True)
        for n in range(6):
            _life(workspace, scale, f"P-MOR{n}", [50])
            draft = EntryDraftFactory(workspace=workspace, author=admin.user, key=f"k{n}")
            EntryDraft.objects.filter(pk=draft.pk).update(updated_at=_ago(30))
    client.post("/w/riverside/retention/apply/")
    with django_assert_num_queries(11):
        assert client.get("/w/riverside/retention/").status_code == 200
    assert len(_runs(workspace)) == 2


def test_saving_the_settings_is_audited_and_a_bad_number_is_said_beside_its_field(
    workspace, admin
) -> None:
    client = signed_in(admin)
    response = client.post(
        "/w/riverside/retention/", {"retain_identity_days": "365", "retain_drafts_days": ""}
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.retain_identity_days, workspace.retain_drafts_days) == (365, None)
    with tenant_scope(workspace_id=workspace.pk):
        event = AuditEvent.objects.get(action="retention.changed")
    assert event.data == {"retain_identity_days": 365, "retain_drafts_days": None}

    refused = client.post(
        "/w/riverside/retention/", {"retain_identity_days": "0", "retain_drafts_days": "a week"}
    )

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Give at least 1 day, or leave it empty to keep." in page
    assert "Give a whole number of days, for example 365, or leave it empty to keep." in page
    assert 'value="a week"' in page
    workspace.refresh_from_db()
    assert workspace.retain_identity_days == 365


def test_with_no_setting_nothing_is_due_and_nothing_is_recorded(workspace, admin) -> None:
    client = signed_in(admin)
    assert "both settings are empty" in client.get("/w/riverside/retention/").content.decode()
    response = client.post("/w/riverside/retention/apply/", follow=True)
    assert "Nothing was due to go." in response.content.decode()
    assert _runs(workspace) == []


# The task --------------------------------------------------------------------------------------


def test_the_task_removes_exactly_what_is_due_and_records_it_once(workspace, world) -> None:
    before = _identities(workspace)

    assert apply_retention() == 1

    assert _identities(workspace) == before - world.due
    assert _drafts(workspace) == {world.new_draft.pk}
    [run] = _runs(workspace)
    assert run.trigger == "schedule"
    assert run.started_by is None
    assert run.counts == {"identities": 3, "drafts": 1}
    assert apply_retention() == 0  # run again: nothing left, nothing recorded
    assert len(_runs(workspace)) == 1


def test_another_workspace_is_untouched_by_this_ones_retention(
    workspace, other_workspace, world
) -> None:
    theirs = _people(other_workspace)
    Workspace.objects.filter(pk=other_workspace.pk).update(retain_identity_days=None)
    other_workspace.refresh_from_db()
    their_identities = _identities(other_workspace)

    with tenant_scope(workspace_id=workspace.pk):
        services.retention_apply(workspace=workspace, trigger="schedule")

    assert _identities(other_workspace) == their_identities
    assert _drafts(other_workspace) >= {theirs.old_draft.pk}
    assert _runs(other_workspace) == []
    apply_retention()  # each workspace by its own settings: theirs keeps identities
    assert _identities(other_workspace) == their_identities
    assert _drafts(other_workspace) == {theirs.new_draft.pk}
    assert [r.counts for r in _runs(other_workspace)] == [{"identities": 0, "drafts": 1}]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remove_once_and_record_once(workspace, world) -> None:
    """Both wait on the workspace's retention lock (held here first); the one that gets it
    removes and records; the other then finds nothing left."""
    errors: list[BaseException] = []
    outcomes: list[services.RetentionOutcome] = []
    ready = threading.Barrier(3)

    def run() -> None:
        try:
            ready.wait()
            with tenant_scope(workspace_id=workspace.pk):
                outcomes.append(services.retention_apply(workspace=workspace, trigger="schedule"))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with tenant_scope(workspace_id=workspace.pk):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [services.RETENTION_LOCK, workspace.pk]
            )
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        ready.wait()
        threading.Event().wait(0.5)  # both are now waiting on the lock held here
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(o.identities for o in outcomes) == [0, 3]
    assert sorted(o.drafts for o in outcomes) == [0, 1]
    assert len(_runs(workspace)) == 1
    with tenant_scope(workspace_id=workspace.pk):
        assert AuditEvent.objects.filter(action="person.identity_erased").count() == 3
        assert AuditEvent.objects.filter(action="retention.applied").count() == 1


# When a cycle closed ---------------------------------------------------------------------------


def test_closing_a_cycle_keeps_when_and_reopening_clears_it(workspace, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=member.user)

        def status(to: str) -> Cycle:
            fresh = Cycle.objects.get(pk=cycle.pk)
            return cycle_services.cycle_update(
                workspace=workspace, cycle=fresh, system=fresh.system, name=fresh.name,
                purpose=fresh.purpose, learning_questions="", status=to,
                updated_by=member.user,
            )  # fmt: skip

        assert status("closed").closed_at is not None
        closed_at = Cycle.objects.get(pk=cycle.pk).closed_at
        assert status("closed").closed_at == closed_at  # still closed: the time it closed stays
        assert status("active").closed_at is None
        assert Cycle.objects.get(pk=cycle.pk).closed_at is None
        assert status("closed").closed_at > closed_at
