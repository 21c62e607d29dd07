"""Systems of interest, their scales and maps, and the people served (DESIGN.md §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from hls.accounts.models import User
from hls.tenancy.models import Organisation, WorkspaceOwned

DEFAULT_SCALES = [
    _("A person's life"),
    _("Team"),
    _("Organisation"),
    _("Place"),
    _("Country"),
]


class Scale(WorkspaceOwned):
    """A system scale, ordered from the smallest (a person's life) to the largest."""

    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_person_scale = models.BooleanField(
        _("systems at this scale are one person's life"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="systems_scale_ws_name_ci")
        ]

    def __str__(self) -> str:
        return self.name


class System(WorkspaceOwned):
    """A system of interest: what it is for (its purpose) sets its boundary."""

    name = models.CharField(_("name"), max_length=160)
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="systems")
    purpose = models.TextField(_("purpose"), help_text=_("What is this system for?"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    organisations: models.ManyToManyField[Organisation, SystemOrganisation] = (
        models.ManyToManyField(
            Organisation, through="SystemOrganisation", related_name="systems", blank=True
        )
    )
    members: models.ManyToManyField[User, SystemMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SystemMember", related_name="systems", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "parent"], name="systems_sys_ws_parent")]

    def __str__(self) -> str:
        return self.name


class SystemOrganisation(WorkspaceOwned):
    system = models.ForeignKey(System, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "organisation"], name="systems_sysorg_uniq")
        ]


class SystemMember(WorkspaceOwned):
    """A member of the workspace who works in this system (its team)."""

    system = models.ForeignKey(System, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "user"], name="systems_sysmember_uniq")
        ]


class SystemChange(WorkspaceOwned):
    """The history of a system's boundary: who changed what, when and why."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("why"), blank=True)
    changes = models.JSONField(default=dict)  # {field: [before, after]}

    class Meta:
        ordering = ["-changed_at", "-pk"]


# The system map ------------------------------------------------------------------------------


class Participation(models.TextChoices):
    INVITED = "invited", _("Invited")
    TAKING_PART = "taking_part", _("Taking part")
    HEARD = "heard", _("Heard")
    NOT_YET = "not_yet", _("Not yet involved")


class Actor(WorkspaceOwned):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        GROUP = "group", _("Group")
        ORGANISATION = "organisation", _("Organisation")
        SERVICE = "service", _("Service")

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="actors")
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    role = models.CharField(_("role in the system"), max_length=240, blank=True)
    participation = models.CharField(
        _("involvement"),
        max_length=16,
        choices=Participation.choices,
        default=Participation.NOT_YET,
    )
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Factor(WorkspaceOwned):
    """A cause that shapes the outcome (housing, debt, loneliness, a rule...)."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="factors")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Relationship(WorkspaceOwned):
    """An edge of the map: actor to actor, or factor to factor with a direction and a sign."""

    class Sign(models.TextChoices):
        POSITIVE = "+", _("strengthens (+)")
        NEGATIVE = "-", _("weakens (-)")

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="relationships")
    source_actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_factor = models.ForeignKey(
        Factor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_factor = models.ForeignKey(
        Factor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sign = models.CharField(_("sign"), max_length=1, choices=Sign.choices, blank=True)
    label = models.CharField(_("label"), max_length=160, blank=True)
    revision = models.PositiveIntegerField(default=1)  # edits (hls/conflicts.py)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        source_actor__isnull=False,
                        target_actor__isnull=False,
                        source_factor__isnull=True,
                        target_factor__isnull=True,
                    )
                    | Q(
                        source_actor__isnull=True,
                        target_actor__isnull=True,
                        source_factor__isnull=False,
                        target_factor__isnull=False,
                    )
                ),
                name="systems_relationship_actors_or_factors",
            )
        ]


class MapSnapshot(WorkspaceOwned):
    """A frozen copy of a system map, to compare with later."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="snapshots")
    label = models.CharField(_("label"), max_length=160)
    data = models.JSONField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]


# People served -------------------------------------------------------------------------------


class ShareLevel(models.IntegerChoices):
    """How far something may travel, never past consent. A new entry may start at any level up
    to it; an edit widens what others already saw one step at a time (cycles.services)."""

    PRIVATE = 0, _("Private (only me)")
    TEAM = 1, _("My team")
    CYCLE = 2, _("This cycle")
    SHARED_UPWARD = 3, _("Shared upward")
    WORKSPACE = 4, _("Whole workspace")


class Person(WorkspaceOwned):
    """Someone served, as a pseudonymous record. Identity lives apart, in PersonIdentity."""

    reference = models.CharField(_("reference"), max_length=16)
    alias = models.CharField(_("chosen alias"), max_length=80, blank=True)
    system = models.ForeignKey(
        System,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        help_text=_("Their own life as a system (person scale)."),
    )
    what_matters = models.TextField(_("what matters to them, in their words"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    consent_level = models.PositiveSmallIntegerField(
        _("may be shared as far as"), choices=ShareLevel.choices, default=ShareLevel.TEAM
    )
    revision = models.PositiveIntegerField(default=1)  # edits of the record (hls/conflicts.py)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "reference"], name="systems_person_ref")
        ]

    def __str__(self) -> str:
        return self.alias or self.reference


class PersonIdentity(WorkspaceOwned):
    """Who the person is. Encrypted at rest (hls `IDENTITY_KEYS`); deleted on erasure."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    name = models.BinaryField()
    date_of_birth = models.BinaryField(null=True, blank=True)
    contact = models.BinaryField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class Consent(WorkspaceOwned):
    """What the person agreed may be shared, and how far. The newest row is in force."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    level = models.PositiveSmallIntegerField(
        _("may be shared as far as"), choices=ShareLevel.choices
    )
    note = models.TextField(_("how it was given"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
