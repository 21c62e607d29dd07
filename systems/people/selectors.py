"""Reads for people served. People are vulnerable: nobody browses everyone.

- The list shows only the people whose own system the user works in (its team, or one of its
  cycles) and those the user recorded. Admins too.
- The pseudonymous record (reference or alias, what matters, strengths, consent) may be opened by
  any member, e.g. from an entry about the person.
- Identity only for those who work with the person: `systems.selectors.works_with_person`.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Consent, Person, PersonIdentity, System
from systems.people import crypto


def people_visible_to(*, workspace: Workspace, user: User) -> QuerySet[Person]:
    worked_in = System.objects.filter(workspace=workspace).filter(
        Q(systemmember__user=user) | Q(cycles__cyclemember__user=user)
    )
    return (
        Person.objects.filter(workspace=workspace)
        .filter(Q(system__in=worked_in.values("pk")) | Q(created_by=user))
        .select_related("system")
        .order_by("reference")
    )


def person_scale_systems(*, workspace: Workspace) -> QuerySet[System]:
    """The systems a person's own life can be linked to."""
    return System.objects.filter(workspace=workspace, scale__is_person_scale=True).order_by(
        "name", "pk"
    )


def person_consents(*, workspace: Workspace, person: Person) -> QuerySet[Consent]:
    """The person's consent history, newest (the one in force) first."""
    return Consent.objects.filter(workspace=workspace, person=person).select_related("recorded_by")


def person_has_identity(*, workspace: Workspace, person: Person) -> bool:
    return PersonIdentity.objects.filter(workspace=workspace, person=person).exists()


@dataclass(frozen=True)
class Identity:
    """A person's identity, decrypted. Never logged, never cached, never put in a task."""

    name: str
    date_of_birth: date | None
    contact: str


def decrypt_identity(identity: PersonIdentity) -> Identity:
    """Decrypt a row. Callers decide who may see it and audit the view (services.identity_view)."""
    dob = crypto.decrypt(identity.date_of_birth) if identity.date_of_birth else ""
    return Identity(
        name=crypto.decrypt(identity.name),
        date_of_birth=date.fromisoformat(dob) if dob else None,
        contact=crypto.decrypt(identity.contact) if identity.contact else "",
    )
