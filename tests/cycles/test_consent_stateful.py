"""Consent changes, as a state machine (issue 17): people are recorded, entries about them are
logged at any visibility in the North team's cycle, and consent is recorded again and again
(wider, narrower, refused for a blank note or an unknown level) through `consent_record`.

After every step: a person's `consent_level` is their newest Consent row's level (or where
everyone starts, before any); a refused record wrote nothing; and every member, whatever their
relation to the cycle and their role, sees through `entries_visible_to` exactly the entries
whose visibility *capped by the newest consent* reaches them - never one past it (the author
always sees their own)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, rule

from cycles.selectors import entries_visible_to
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Consent, Person, ShareLevel
from systems.people.services import consent_record
from tests.factories import EntryFactory, PersonFactory
from tests.stateful import InSavepoint, run

pytestmark = pytest.mark.django_db

LEVELS = list(ShareLevel.values)
STARTING = Person._meta.get_field("consent_level").default
# Who reads, and the least level at which an entry in the North team's cycle reaches them.
READERS = {
    "team": ShareLevel.TEAM,  # in the North team's system
    "cycle_member": ShareLevel.CYCLE,  # taking part in the cycle
    "manager": ShareLevel.SHARED_UPWARD,  # in the Open Door system above
    "other": ShareLevel.WORKSPACE,  # no tie
    "admin": ShareLevel.WORKSPACE,  # an admin with no tie reads no further than anyone
    "steward": ShareLevel.WORKSPACE,
}


def test_no_entry_is_ever_seen_past_the_newest_consent(world, make_member):
    ws = world.workspace
    readers = {name: getattr(world, name, None) for name in READERS}
    readers["steward"] = make_member(ws, Role.STEWARD, email="steward@riverside.test")

    class Consents(InSavepoint):
        people = Bundle("people")

        def __init__(self) -> None:
            super().__init__()
            self.entries: dict[int, tuple[int, int]] = {}  # entry: (visibility, person)

        @rule(target=people, level=st.sampled_from([None, *LEVELS]))
        def record_a_person(self, level):
            with tenant_scope(workspace_id=ws.pk):
                person = PersonFactory(workspace=ws)
                if level is not None:
                    consent_record(
                        workspace=ws, person=person, level=level, note="Asked in person.",
                        recorded_by=world.author.user,
                    )  # fmt: skip
            return person.pk

        @rule(person=people, visibility=st.sampled_from(LEVELS))
        def log_an_entry_about_them(self, person, visibility):
            with tenant_scope(workspace_id=ws.pk):
                entry = EntryFactory(
                    workspace=ws, cycle=world.cycle, author=world.author.user,
                    visibility=visibility, person_id=person,
                )  # fmt: skip
            self.entries[entry.pk] = (visibility, person)

        @rule(
            person=people,
            level=st.one_of(st.sampled_from(LEVELS), st.sampled_from([-1, 0, 99])),
            note=st.sampled_from(["", "   ", "Said yes on the phone.", "Asked to keep it close."]),
        )
        def record_consent(self, person, level, note):
            with tenant_scope(workspace_id=ws.pk):
                before = (
                    Person.objects.get(pk=person).consent_level,
                    Consent.objects.filter(person_id=person).count(),
                )
                refused = level not in LEVELS or not note.strip()
                if refused:
                    with pytest.raises(ValidationError) as error:
                        consent_record(
                            workspace=ws, person=Person.objects.get(pk=person), level=level,
                            note=note, recorded_by=world.author.user,
                        )  # fmt: skip
                    assert set(error.value.message_dict) <= {"level", "note"}
                    after = (
                        Person.objects.get(pk=person).consent_level,
                        Consent.objects.filter(person_id=person).count(),
                    )
                    assert after == before  # nothing half-written
                else:
                    consent_record(
                        workspace=ws, person=Person.objects.get(pk=person), level=level,
                        note=note, recorded_by=world.author.user,
                    )  # fmt: skip

        @invariant()
        def consent_level_is_the_newest_record(self):
            with tenant_scope(workspace_id=ws.pk):
                for person in Person.objects.filter(workspace=ws):
                    newest = (
                        Consent.objects.filter(person=person).order_by("-recorded_at", "-pk")
                        .values_list("level", flat=True).first()
                    )  # fmt: skip
                    assert person.consent_level == (STARTING if newest is None else newest)

        @invariant()
        def each_reader_sees_exactly_what_the_newest_consent_allows(self):
            if not self.entries:
                return
            with tenant_scope(workspace_id=ws.pk):
                consent = dict(
                    Person.objects.filter(workspace=ws).values_list("pk", "consent_level")
                )
                level = {
                    pk: min(visibility, consent[person])
                    for pk, (visibility, person) in self.entries.items()
                }
                for name, membership in readers.items():
                    if membership is None:
                        continue
                    seen = set(
                        entries_visible_to(workspace=ws, user=membership.user)
                        .filter(pk__in=self.entries)
                        .values_list("pk", flat=True)
                    )
                    assert seen == {pk for pk, lv in level.items() if lv >= READERS[name]}, name
                author_sees = entries_visible_to(workspace=ws, user=world.author.user)
                assert set(author_sees.filter(pk__in=self.entries).values_list("pk", flat=True)) \
                    == set(self.entries)  # fmt: skip

    run(Consents, examples=10, steps=12)
