"""What each kind of import reads (its fields) and how one row becomes records: through the same
services the web pages use (`systems.people.services`, `cycles.services`), so a row is accepted
exactly when the page would accept it.

A row importer raises `RowError(field, code, message)` for what only an import can get wrong
(a name that matches nothing, a duplicate), and lets the services' `ValidationError`s through;
`dataio.services` turns both into a line, a column and a reason."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cycles import services as cycle_services
from cycles.measures import services as measure_services
from cycles.measures.selectors import measures_visible_to
from cycles.models import Cycle, Entry, Measure, Phase, Theme
from hls.accounts.models import User
from hls.tenancy.models import Membership, Workspace
from systems.models import Person, ShareLevel, System
from systems.people import services as people_services
from systems.people.selectors import person_scale_systems

# A person's consent level before any consent is recorded (what an export shows for them).
STARTING_CONSENT = Person._meta.get_field("consent_level").default
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    required: bool = False
    help: Any = ""
    aliases: tuple[str, ...] = ()


class RowError(Exception):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


FIELDS: dict[str, list[Field]] = {
    "people": [
        Field(
            "reference",
            gettext_lazy("Reference"),
            help=gettext_lazy("Their reference, e.g. P-7K3Q; one is generated when blank."),
        ),
        Field("alias", gettext_lazy("Chosen alias")),
        Field("what_matters", gettext_lazy("What matters to them"), aliases=("what matters",)),
        Field("strengths", gettext_lazy("Strengths")),
        Field(
            "system",
            gettext_lazy("Their own system"),
            help=gettext_lazy("The name of a system at the person scale."),
        ),
        Field(
            "consent_level",
            gettext_lazy("Consent: shared as far as"),
            aliases=("consent",),
            help=gettext_lazy("private, team, cycle, shared_upward or workspace."),
        ),
        Field(
            "consent_note",
            gettext_lazy("Consent: how it was given"),
            help=gettext_lazy(
                "Needed when a consent level is given (except team, where everyone starts)."
            ),
        ),
    ],
    "cycles": [
        Field("name", gettext_lazy("Name"), required=True, aliases=("cycle",)),
        Field("purpose", gettext_lazy("Purpose"), required=True),
        Field(
            "system",
            gettext_lazy("System"),
            required=True,
            help=gettext_lazy("The name of one of the workspace's systems."),
        ),
        Field("learning_questions", gettext_lazy("Learning questions"), aliases=("questions",)),
        Field(
            "phase",
            gettext_lazy("Phase"),
            help=gettext_lazy("understand, co_design, experiment or embed."),
        ),
        Field("status", gettext_lazy("Status"), help=gettext_lazy("active, paused or closed.")),
    ],
    "entries": [
        Field(
            "cycle",
            gettext_lazy("Cycle"),
            required=True,
            help=gettext_lazy("The name of one of the workspace's cycles."),
        ),
        Field(
            "kind",
            gettext_lazy("Kind"),
            required=True,
            help=gettext_lazy(
                "story, observation, reflection, idea, question, decision, "
                "barrier, enabler or insight."
            ),
        ),
        Field("text", gettext_lazy("Text"), required=True),
        Field("phase", gettext_lazy("Phase")),
        Field(
            "visibility",
            gettext_lazy("Who can see it"),
            help=gettext_lazy("private or team (the most a new entry may have)."),
        ),
        Field(
            "happened_on",
            gettext_lazy("When it happened"),
            aliases=("date",),
            help=gettext_lazy("A date as YYYY-MM-DD."),
        ),
        Field("person", gettext_lazy("Person (reference)"), aliases=("person reference",)),
        Field(
            "themes",
            gettext_lazy("Themes"),
            help=gettext_lazy("Theme names separated by semicolons."),
        ),
        Field(
            "author_email",
            gettext_lazy("Author's email"),
            aliases=("author",),
            help=gettext_lazy("A member's email; the importing admin when blank."),
        ),
    ],
    "data_points": [
        Field(
            "measure",
            gettext_lazy("Measure"),
            required=True,
            help=gettext_lazy("The measure's name within its cycle, or its id."),
        ),
        Field(
            "cycle",
            gettext_lazy("Cycle"),
            help=gettext_lazy(
                "The name of the measure's cycle (needed when the measure is named)."
            ),
        ),
        Field(
            "on",
            gettext_lazy("Date"),
            required=True,
            aliases=("date", "day"),
            help=gettext_lazy("A date as YYYY-MM-DD, never a day to come; one value a day."),
        ),
        Field("value", gettext_lazy("Value"), required=True),
        Field(
            "unit",
            gettext_lazy("Unit"),
            help=gettext_lazy("When given, the measure's own unit: one unit per measure."),
        ),
        Field("note", gettext_lazy("Note")),
    ],
}

# The services name some fields differently from our columns.
SERVICE_FIELDS: dict[str, dict[str, str]] = {
    "people": {"level": "consent_level", "note": "consent_note"},
    "cycles": {},
    "entries": {},
    "data_points": {},
}


def _key(value: str) -> str:
    return re.sub(r"[\s_\-]+", "", value).casefold()


def guess_mapping(kind: str, header: list[str]) -> dict[str, str]:
    """Prefill: each field mapped to the column whose name matches its name, label or alias."""
    by_key = {_key(name): name for name in header}
    mapping: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for candidate in (spec.name, str(spec.label), *spec.aliases):
            if _key(candidate) in by_key:
                mapping[spec.name] = by_key[_key(candidate)]
                break
    return mapping


def _choice(field_name: str, value: str, choices: Any, what: str) -> str:
    """A choice given as its value or its label, in any case."""
    wanted = _key(value)
    for choice_value, label in choices:
        if wanted in (_key(str(choice_value)), _key(str(label))):
            return str(choice_value)
    raise RowError(
        field_name,
        "invalid_choice",
        _("“%(value)s” is not a %(what)s. Use one of: %(choices)s.")
        % {"value": value, "what": what, "choices": ", ".join(str(v) for v, _l in choices)},
    )


def share_level_token(level: int) -> str:
    return ShareLevel(level).name.lower()


def _share_level(field_name: str, value: str) -> int:
    choices = [(share_level_token(level), level.label) for level in ShareLevel]
    if value.strip().isdigit() and int(value) in ShareLevel.values:
        return int(value)
    token = _choice(field_name, value, choices, _("level of sharing"))
    return int(ShareLevel[token.upper()])


def _one_by_name(field_name: str, name: str, objects: dict[str, list[Any]], what: str) -> Any:
    found = objects.get(name.strip().casefold(), [])
    if not found:
        raise RowError(
            field_name,
            "not_found",
            _("There is no %(what)s called “%(name)s” in this workspace.")
            % {"what": what, "name": name},
        )
    if len(found) > 1:
        raise RowError(
            field_name,
            "ambiguous",
            _("%(count)s %(what)ss are called “%(name)s”: rename one so the name says which.")
            % {"count": len(found), "what": what, "name": name},
        )
    return found[0]


def _by_name(objects: Any, attribute: str = "name") -> dict[str, list[Any]]:
    index: dict[str, list[Any]] = {}
    for obj in objects:
        index.setdefault(getattr(obj, attribute).strip().casefold(), []).append(obj)
    return index


@dataclass
class Importer:
    """Imports rows of one kind for one workspace, as `user`. Lookups are loaded once."""

    workspace: Workspace
    user: User
    created: int = 0

    def __post_init__(self) -> None:
        """Subclasses load their lookups here."""

    def key(self, values: dict[str, str]) -> tuple[str, Any] | None:
        """The natural key of a row, to find duplicates within the file (with its label)."""
        return None

    def import_row(self, values: dict[str, str]) -> None:
        raise NotImplementedError


class PeopleImporter(Importer):
    def __post_init__(self) -> None:
        self.systems = _by_name(person_scale_systems(workspace=self.workspace))

    def key(self, values: dict[str, str]) -> tuple[str, Any] | None:
        reference = values.get("reference", "").strip()
        return ("reference", reference.upper()) if reference else None

    def import_row(self, values: dict[str, str]) -> None:
        reference = values.get("reference", "").strip()
        if reference:
            if not REFERENCE.match(reference):
                raise RowError(
                    "reference",
                    "invalid",
                    _("A reference is 1 to 16 letters, digits and hyphens, like P-7K3Q."),
                )
            if Person.objects.filter(
                workspace=self.workspace, reference__iexact=reference
            ).exists():
                raise RowError(
                    "reference",
                    "duplicate_existing",
                    _("Someone with the reference %(reference)s is already recorded here.")
                    % {"reference": reference},
                )
        system: System | None = None
        if values.get("system", "").strip():
            system = _one_by_name("system", values["system"], self.systems, _("person's system"))
        level_text = values.get("consent_level", "").strip()
        level = _share_level("consent_level", level_text) if level_text else None
        if level == STARTING_CONSENT and not values.get("consent_note", "").strip():
            level = None  # where everyone starts, before any consent is recorded: nothing to record
        person = people_services.person_create(
            workspace=self.workspace,
            created_by=self.user,
            alias=values.get("alias", ""),
            what_matters=values.get("what_matters", ""),
            strengths=values.get("strengths", ""),
            system=system,
        )
        if reference:
            Person.objects.filter(workspace=self.workspace, pk=person.pk).update(
                reference=reference
            )
            person.reference = reference
        if level is not None:
            people_services.consent_record(
                workspace=self.workspace,
                person=person,
                level=level,
                note=values.get("consent_note", ""),
                recorded_by=self.user,
            )
        self.created += 1


class CyclesImporter(Importer):
    def __post_init__(self) -> None:
        self.systems = _by_name(System.objects.filter(workspace=self.workspace))

    def key(self, values: dict[str, str]) -> tuple[str, Any] | None:
        return (
            "system and name",
            (_key(values.get("system", "")), values.get("name", "").strip().casefold()),
        )

    def import_row(self, values: dict[str, str]) -> None:
        system = _one_by_name("system", values.get("system", ""), self.systems, _("system"))
        phase = Phase.UNDERSTAND.value
        if values.get("phase", "").strip():
            phase = _choice("phase", values["phase"], Phase.choices, _("phase"))
        status = Cycle.Status.ACTIVE.value
        if values.get("status", "").strip():
            status = _choice("status", values["status"], Cycle.Status.choices, _("status"))
        name = values.get("name", "").strip()
        if (
            name
            and Cycle.objects.filter(
                workspace=self.workspace, system=system, name__iexact=name
            ).exists()
        ):
            raise RowError(
                "name",
                "duplicate_existing",
                _("The system “%(system)s” already has a cycle called “%(name)s”.")
                % {"system": system.name, "name": name},
            )
        cycle = cycle_services.cycle_create(
            workspace=self.workspace,
            created_by=self.user,
            system=system,
            name=values.get("name", ""),
            purpose=values.get("purpose", ""),
            learning_questions=values.get("learning_questions", ""),
            phase=phase,
        )
        if status != Cycle.Status.ACTIVE:
            cycle_services.cycle_update(
                workspace=self.workspace,
                cycle=cycle,
                system=system,
                name=cycle.name,
                purpose=cycle.purpose,
                learning_questions=cycle.learning_questions,
                status=status,
                updated_by=self.user,
            )
        self.created += 1


class EntriesImporter(Importer):
    def __post_init__(self) -> None:
        self.cycles = _by_name(Cycle.objects.filter(workspace=self.workspace))
        self.themes = _by_name(
            Theme.objects.filter(workspace=self.workspace, merged_into__isnull=True)
        )
        self.members = {
            m.user.email.casefold(): m.user
            for m in Membership.objects.filter(workspace=self.workspace).select_related("user")
        }

    def key(self, values: dict[str, str]) -> tuple[str, Any] | None:
        return (
            "cycle, kind, text and date",
            (
                values.get("cycle", "").strip().casefold(),
                _key(values.get("kind", "")),
                values.get("text", "").strip(),
                values.get("happened_on", "").strip(),
            ),
        )

    def _author(self, email: str) -> User:
        if not email.strip():
            return self.user
        user = self.members.get(email.strip().casefold())
        if user is None:
            raise RowError(
                "author_email",
                "not_found",
                _("No member of this workspace has the email %(email)s.") % {"email": email},
            )
        return user

    def import_row(self, values: dict[str, str]) -> None:
        cycle = _one_by_name("cycle", values.get("cycle", ""), self.cycles, _("cycle"))
        kind = values.get("kind", "").strip()
        if kind:
            kind = _choice("kind", kind, Entry.Kind.choices, _("kind of entry"))
        phase = values.get("phase", "").strip()
        if phase:
            phase = _choice("phase", phase, Phase.choices, _("phase"))
        visibility = ShareLevel.PRIVATE.value
        if values.get("visibility", "").strip():
            visibility = _share_level("visibility", values["visibility"])
        happened_on: dt.date | None = None
        if values.get("happened_on", "").strip():
            try:
                happened_on = dt.date.fromisoformat(values["happened_on"].strip())
            except ValueError:
                raise RowError(
                    "happened_on",
                    "invalid_date",
                    _("“%(value)s” is not a date written as YYYY-MM-DD (e.g. 2025-03-31).")
                    % {"value": values["happened_on"]},
                ) from None
        person: Person | None = None
        reference = values.get("person", "").strip()
        if reference:
            person = Person.objects.filter(
                workspace=self.workspace, reference__iexact=reference
            ).first()
            if person is None:
                raise RowError(
                    "person",
                    "not_found",
                    _("No one with the reference %(reference)s is recorded here.")
                    % {"reference": reference},
                )
        themes = [
            _one_by_name("themes", name, self.themes, _("theme"))
            for name in values.get("themes", "").split(";")
            if name.strip()
        ]
        author = self._author(values.get("author_email", ""))
        text = values.get("text", "").strip()
        if (
            text
            and Entry.objects.filter(
                workspace=self.workspace, cycle=cycle, kind=kind, text=text, deleted_at__isnull=True
            ).exists()
        ):
            raise RowError(
                "text",
                "duplicate_existing",
                _("The cycle “%(cycle)s” already has this %(kind)s with the same text.")
                % {"cycle": cycle.name, "kind": kind},
            )
        cycle_services.entry_create(
            workspace=self.workspace,
            author=author,
            cycle=cycle,
            kind=kind,
            text=values.get("text", ""),
            phase=phase,
            themes=themes,
            person=person,
            visibility=visibility,
            happened_on=happened_on,
        )
        self.created += 1


def _date(field_name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RowError(
            field_name,
            "invalid_date",
            _("“%(value)s” is not a date written as YYYY-MM-DD (e.g. 2025-03-31).")
            % {"value": value},
        ) from None


class DataPointsImporter(Importer):
    """Values of measures, through `point_add` (the quick entry's and the API's service): a
    value that is not a number, a day to come, a second value on a day are refused in its words.
    One measure has one unit: a unit other than the measure's, or a file giving one measure two
    units, is refused on the row that says so. Only measures the importing member sees are
    found (and only those inside a measure's cycle add values: the service says so)."""

    def __post_init__(self) -> None:
        self.cycles = _by_name(Cycle.objects.filter(workspace=self.workspace))
        self.measures = {
            m.pk: m
            for m in measures_visible_to(workspace=self.workspace, user=self.user).select_related(
                "cycle"
            )
        }
        self.by_cycle: dict[tuple[int, str], list[Measure]] = {}
        for measure in self.measures.values():
            key = (measure.cycle_id, measure.name.strip().casefold())
            self.by_cycle.setdefault(key, []).append(measure)
        self.units: dict[int, str] = {}  # measure id: the unit this file gave it first

    def key(self, values: dict[str, str]) -> tuple[str, Any] | None:
        return (
            "measure and date",
            (
                values.get("measure", "").strip().casefold(),
                values.get("cycle", "").strip().casefold(),
                values.get("on", "").strip(),
            ),
        )

    def _measure(self, values: dict[str, str]) -> Measure:
        given = values.get("measure", "").strip()
        if given.isdigit() and int(given) in self.measures:
            return self.measures[int(given)]
        if given.isdigit() and not values.get("cycle", "").strip():
            raise RowError(
                "measure",
                "not_found",
                _("There is no measure %(id)s that you can see in this workspace.") % {"id": given},
            )
        if not values.get("cycle", "").strip():
            raise RowError(
                "cycle",
                "required",
                _("Give the measure's cycle: measures are named within their cycle."),
            )
        cycle = _one_by_name("cycle", values["cycle"], self.cycles, _("cycle"))
        found = self.by_cycle.get((cycle.pk, given.casefold()), [])
        if not found:
            raise RowError(
                "measure",
                "not_found",
                _("The cycle “%(cycle)s” has no measure called “%(name)s” that you can see.")
                % {"cycle": cycle.name, "name": given},
            )
        if len(found) > 1:
            raise RowError(
                "measure",
                "ambiguous",
                _("%(count)s measures of “%(cycle)s” are called “%(name)s”: give its id.")
                % {"count": len(found), "cycle": cycle.name, "name": given},
            )
        return found[0]

    def _check_unit(self, measure: Measure, unit: str) -> None:
        """A unit, when given, is the measure's own; for a measure kept without a unit, the
        file's one unit for it (a second is refused: the values could not be compared)."""
        if not unit:
            return
        if measure.unit.strip():
            if unit.casefold() != measure.unit.strip().casefold():
                raise RowError(
                    "unit",
                    "unit_mismatch",
                    _("“%(measure)s” is kept in “%(own)s”, not “%(unit)s”: convert the value.")
                    % {"measure": measure.name, "own": measure.unit, "unit": unit},
                )
            return
        first = self.units.setdefault(measure.pk, unit)
        if first.casefold() != unit.casefold():
            raise RowError(
                "unit",
                "mixed_units",
                _(
                    "This file gives “%(measure)s” in “%(unit)s” here and in “%(first)s” "
                    "before: one measure has one unit. Convert the values, or make another "
                    "measure."
                )
                % {"measure": measure.name, "unit": unit, "first": first},
            )

    def import_row(self, values: dict[str, str]) -> None:
        measure = self._measure(values)
        self._check_unit(measure, values.get("unit", "").strip())
        on = _date("on", values.get("on", ""))
        measure_services.point_add(
            workspace=self.workspace,
            measure=measure,
            user=self.user,
            value=values.get("value", ""),
            on=on,
            note=values.get("note", ""),
        )
        self.created += 1


IMPORTERS: dict[str, Callable[..., Importer]] = {
    "people": PeopleImporter,
    "cycles": CyclesImporter,
    "entries": EntriesImporter,
    "data_points": DataPointsImporter,
}
