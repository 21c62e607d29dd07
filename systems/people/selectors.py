"""Reads for people served. People are vulnerable: nobody browses everyone, and a person's
record follows consent.

- The record (reference or alias, what matters, strengths, consent and its history) and the
  identity are seen only by those who work with the person: the team of the person's own system
  and those in its cycles, or, with no system, whoever recorded them
  (`systems.selectors.works_with_person` / `people_worked_with`). Admins and those above too:
  for everyone else the record does not exist (404).
- Elsewhere, an entry they may see shows the person's reference at most (the pseudonym).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Consent, Person, PersonIdentity, System
from systems.people import crypto
from systems.selectors import people_worked_with


def people_visible_to(*, workspace: Workspace, user: User) -> QuerySet[Person]:
    """The people whose record the user may open (those they work with), by reference."""
    return (
        people_worked_with(workspace=workspace, user=user)
        .select_related("system__scale")
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
