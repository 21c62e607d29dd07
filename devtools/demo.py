"""Demo workspaces for `make run`, drawn (with invented names) from the scenarios in the HLS
case studies: a city alliance tackling homelessness, and a borough's council-tax-debt team.

Idempotent: running it again changes nothing. Later features add their own demo data here.
"""

from dataclasses import dataclass

from django.db import transaction

from devtools.demo_cycles import seed_cycles_demo
from devtools.demo_history import seed_history_demo
from devtools.demo_measures import seed_measures_demo
from devtools.demo_methods import seed_methods_demo
from devtools.demo_partners import seed_partners_demo
from devtools.demo_today import seed_today_demo
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Organisation, Role, Workspace
from hls.tenancy.services import workspace_create

DEMO_PASSWORD = "learning-cycles-demo"  # demo only; printed by `make run`


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    memberships: tuple[tuple[str, Role, str], ...]  # (workspace slug, role, organisation)


WORKSPACES = {
    "northmoor": (
        "Northmoor City Alliance",
        [
            "Northmoor City Council",
            "Northmoor NHS Trust",
            "Open Door Housing",
            "Step Up Recovery",
            "Harbour Night Shelter",
            "Lived Experience Network",
            "Food First Northmoor",
        ],
    ),
    "eastbridge": (
        "Eastbridge Borough",
        ["Eastbridge Borough Council", "Eastbridge Citizens Advice"],
    ),
}

PEOPLE = [
    DemoPerson(
        "admin@demo.hls.test",
        "Asha Patel",
        (
            ("northmoor", Role.ADMIN, "Northmoor City Council"),
            ("eastbridge", Role.ADMIN, "Eastbridge Borough Council"),
        ),
    ),
    DemoPerson(
        "steward@demo.hls.test",
        "Morgan Ellis",
        (("northmoor", Role.STEWARD, "Northmoor City Council"),),
    ),
    DemoPerson(
        "manager@demo.hls.test",
        "Sam Okafor",
        (
            ("eastbridge", Role.MANAGER, "Eastbridge Borough Council"),
            ("northmoor", Role.MANAGER, "Open Door Housing"),
        ),
    ),
    DemoPerson(
        "practitioner@demo.hls.test",
        "Jo Harker",
        (("eastbridge", Role.PRACTITIONER, "Eastbridge Borough Council"),),
    ),
    DemoPerson(
        "housing@demo.hls.test",
        "Dev Rahman",
        (("eastbridge", Role.PRACTITIONER, "Eastbridge Borough Council"),),
    ),
    DemoPerson(
        "outreach@demo.hls.test",
        "Priya Nandra",
        (("northmoor", Role.PRACTITIONER, "Step Up Recovery"),),
    ),
    DemoPerson(
        "partner@demo.hls.test",
        "Rui Fernandes",
        (("northmoor", Role.LEARNING_PARTNER, ""),),
    ),
]


def _user(person: DemoPerson) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(person.email, DEMO_PASSWORD, full_name=person.full_name)
    return user


@transaction.atomic
def seed_demo() -> None:
    admin = _user(PEOPLE[0])
    workspaces: dict[str, Workspace] = {}
    for slug, (name, _organisations) in WORKSPACES.items():
        existing = Workspace.objects.filter(slug=slug).first()
        workspaces[slug] = existing or workspace_create(name=name, slug=slug, creator=admin)
    for slug, (_name, organisation_names) in WORKSPACES.items():
        workspace = workspaces[slug]
        with tenant_scope(workspace_id=workspace.pk):
            organisations = {
                org_name: Organisation.objects.get_or_create(workspace=workspace, name=org_name)[0]
                for org_name in organisation_names
            }
            for person in PEOPLE:
                for member_slug, role, org_name in person.memberships:
                    if member_slug != slug:
                        continue
                    Membership.objects.update_or_create(
                        workspace=workspace,
                        user=_user(person),
                        defaults={"role": role, "organisation": organisations.get(org_name)},
                    )
    users = {person.email.split("@")[0]: _user(person) for person in PEOPLE}
    seed_cycles_demo(workspaces, users)
    seed_today_demo(workspaces, users)  # what each demo role finds on Today
    seed_methods_demo(workspaces, users)  # guided methods run together
    seed_partners_demo(workspaces, users)  # the learning partner's heads-up notes
    seed_history_demo(workspaces, users)  # 18 months behind Eastbridge's patterns
    seed_measures_demo(workspaces, users)  # measures and stories placed by their tellers


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, password, where and as what) for the README and the `make run` banner."""
    return [
        (
            person.email,
            DEMO_PASSWORD,
            ", ".join(
                f"{WORKSPACES[slug][0]} ({role.label})" for slug, role, _org in person.memberships
            ),
        )
        for person in PEOPLE
    ]
