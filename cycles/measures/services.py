"""Writes for measures kept to learn (issue 16): a cycle's measures and their data points, the
cycle's own note on what a signal means, and a person's own terms ("what matters", in their
words, rated on their own scale).

Only those inside the cycle change any of it (`cycles.trust.require_steer`): those above may
see what the visibility ladder lets them, never set it. A measure says what it is for (a
learning question) and is compared only with its own past: there is nothing here to set a
level to reach, a colour or an order among cycles, on purpose. Keyword-only, typed, atomic;
`ValidationError` names the field. Values are parsed here (`parse_value`), so the form, the API
and the CSV import refuse the same things in the same words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cycles.models import Cycle, DataPoint, Measure, WhatMatters, WhatMattersRating
from cycles.trust import require_steer
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace
from systems.models import Person, ShareLevel
from systems.people.selectors import people_visible_to

NAME_MAX = 160
UNIT_MAX = 40
WORDS_MAX = 300
END_WORDS_MAX = 80
SCALE_TOPS = range(2, 11)  # a person's own scale runs from 0 to 2..10
# DataPoint.value: 16 digits, 4 after the point
MAX_DIGITS = 12
MAX_PLACES = 4

MEASURE_FIELDS = ["name", "unit", "learning_question", "how_collected", "chart", "visibility"]
ITEM_FIELDS = ["words", "scale_max", "low_words", "high_words"]


def day_label(day: dt.date) -> str:
    """A day as people say it ("3 March"; with the year when it is not this year's)."""
    if day.year == timezone.localdate().year:
        return formats.date_format(day, "j F")
    return formats.date_format(day, "j F Y")


def parse_value(value: str | int | float | Decimal | None, *, field: str = "value") -> Decimal:
    """A data point's value as a Decimal, or a refusal naming `field` that says what a number
    looks like. Accepts "12", "12.5", "-3", "1,240" (a thousands comma) and "12,5" is refused
    rather than guessed."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):  # True is an int to Python, not a number to anyone else
        raise ValidationError({field: _not_a_number(str(value))})
    elif isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = (value or "").strip()
        if not text:
            raise ValidationError({field: _("Give a number, for example 12 or 12.5.")})
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        if "," in cleaned:
            whole = cleaned.lstrip("+-").split(".")[0]
            groups = whole.split(",")
            if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
                raise ValidationError({field: _not_a_number(text)})
            cleaned = cleaned.replace(",", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError({field: _not_a_number(text)}) from None
    if not number.is_finite():
        raise ValidationError({field: _not_a_number(str(value))})
    exponent = number.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    whole_digits = number.adjusted() + 1 if number else 0
    if places > MAX_PLACES:
        raise ValidationError(
            {field: _("Give at most %(n)d digits after the point.") % {"n": MAX_PLACES}}
        )
    if whole_digits > MAX_DIGITS:
        raise ValidationError({field: _("That number is too large to keep.")})
    return number


def _not_a_number(text: str) -> str:
    return _("“%(text)s” is not a number. Give a number, for example 12 or 12.5.") % {
        "text": text[:40]
    }


def _check_day(on: dt.date | None, *, field: str = "on") -> dt.date:
    if on is None:
        return timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError(
            {field: _("%(day)s has not come yet: give today or a day before.") % {"day": on}}
        )
    return on


def _check_level(visibility: int, person: Person | None) -> int:
    if visibility not in ShareLevel.values:
        raise ValidationError({"visibility": _("Choose who sees it from the list.")})
    if person is not None and int(visibility) > int(person.consent_level):
        raise ValidationError(
            {
                "visibility": _(
                    "%(person)s has agreed to share as far as “%(limit)s” only. "
                    "Choose that or narrower."
                )
                % {"person": str(person), "limit": ShareLevel(person.consent_level).label}
            }
        )
    return int(visibility)


def _check_person(*, workspace: Workspace, user: User, person: Person | None) -> None:
    if person is None:
        return
    if (
        person.workspace_id != workspace.pk
        or not people_visible_to(workspace=workspace, user=user).filter(pk=person.pk).exists()
    ):
        raise ValidationError({"person": _("Choose someone you work with from the list.")})


def _clean_measure(
    *, name: str, unit: str, learning_question: str, chart: str
) -> tuple[str, str, str]:
    name, unit, question = name.strip(), unit.strip(), learning_question.strip()
    if not name:
        raise ValidationError({"name": _("Give the measure a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("Keep the name to %(n)d characters.") % {"n": NAME_MAX}})
    if len(unit) > UNIT_MAX:
        raise ValidationError({"unit": _("Keep the unit to %(n)d characters.") % {"n": UNIT_MAX}})
    if not question:
        raise ValidationError(
            {
                "learning_question": _(
                    "Say what it is for: the question it helps you learn about. A measure "
                    "without a question becomes a number to be judged by."
                )
            }
        )
    if chart not in Measure.Chart.values:
        raise ValidationError({"chart": _("Choose a run chart or a control chart.")})
    return name, unit, question


@transaction.atomic
def measure_create(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    name: str,
    learning_question: str,
    unit: str = "",
    how_collected: str = "",
    chart: str = Measure.Chart.RUN,
    visibility: int = ShareLevel.TEAM,
    person: Person | None = None,
) -> Measure:
    """A measure the cycle keeps to learn. About a person, it is seen no wider than their
    consent (and `Measure.visibility` may not be set past it)."""
    require_steer(workspace=workspace, user=user, cycle=cycle)
    name, unit, question = _clean_measure(
        name=name, unit=unit, learning_question=learning_question, chart=chart
    )
    _check_person(workspace=workspace, user=user, person=person)
    level = _check_level(visibility, person)
    return Measure.objects.create(
        workspace=workspace, cycle=cycle, name=name, unit=unit, learning_question=question,
        how_collected=how_collected.strip(), chart=chart, visibility=level, person=person,
        created_by=user,
    )  # fmt: skip


@transaction.atomic
def measure_update(
    *,
    workspace: Workspace,
    measure: Measure,
    user: User,
    name: str,
    learning_question: str,
    unit: str = "",
    how_collected: str = "",
    chart: str = Measure.Chart.RUN,
    visibility: int = ShareLevel.TEAM,
    revision: int | None = None,
) -> Measure:
    """Change a measure's description, chart or who sees it. `revision`: the one the editor
    started from (`EditConflict` if someone saved since; nothing is written)."""
    require_steer(workspace=workspace, user=user, cycle=measure.cycle)
    current = lock_current(
        Measure, workspace=workspace, pk=measure.pk, related=["person"], of=["self"]
    )
    require_current(current, revision=revision, fields=MEASURE_FIELDS)
    name, unit, question = _clean_measure(
        name=name, unit=unit, learning_question=learning_question, chart=chart
    )
    level = _check_level(visibility, current.person)
    new = (name, unit, question, how_collected.strip(), chart, level)
    old = tuple(getattr(current, f) for f in MEASURE_FIELDS)
    if new != old:
        for field, value in zip(MEASURE_FIELDS, new, strict=True):
            setattr(current, field, value)
        current.revision = next_revision(current)
        current.save()
    return current


@transaction.atomic
def measure_archive(
    *, workspace: Workspace, measure: Measure, user: User, archived: bool = True
) -> Measure:
    """Put a measure away (kept, with its points) or bring it back."""
    require_steer(workspace=workspace, user=user, cycle=measure.cycle)
    current = lock_current(Measure, workspace=workspace, pk=measure.pk)
    if current.archived != archived:
        current.archived = archived
        current.revision = next_revision(current)
        current.save(update_fields=["archived", "revision", "updated_at"])
    return current


@transaction.atomic
def signal_note_set(
    *, workspace: Workspace, measure: Measure, user: User, note: str, revision: int | None = None
) -> Measure:
    """The cycle's own words on what its chart shows (what a shift or a run means here). It
    travels up with the signal, never the values."""
    require_steer(workspace=workspace, user=user, cycle=measure.cycle)
    current = lock_current(Measure, workspace=workspace, pk=measure.pk)
    require_current(
        current, revision=revision, fields=["signal_note"], saved_at=current.signal_note_at
    )
    note = note.strip()
    if note != current.signal_note:
        current.signal_note = note
        current.signal_note_at = timezone.now() if note else None
        current.revision = next_revision(current)
        current.save(update_fields=["signal_note", "signal_note_at", "revision", "updated_at"])
    return current


def duplicate_point_message(day: dt.date) -> str:
    return _("There is already a value for %(day)s: change it instead.") % {"day": day_label(day)}


@transaction.atomic
def point_add(
    *,
    workspace: Workspace,
    measure: Measure,
    user: User,
    value: str | int | float | Decimal,
    on: dt.date | None = None,
    note: str = "",
) -> DataPoint:
    """One value on one day (today unless given; never a day to come; one a day: a second is
    refused with the day named, so the page can offer to change the first)."""
    require_steer(workspace=workspace, user=user, cycle=measure.cycle)
    if measure.archived:
        raise ValidationError(
            {"value": _("This measure is put away: bring it back to add values.")}
        )
    number = parse_value(value)
    day = _check_day(on)
    existing = DataPoint.objects.filter(workspace=workspace, measure=measure, on=day).first()
    if existing is not None:
        raise ValidationError(
            {"on": ValidationError(duplicate_point_message(day), code="duplicate",
                                   params={"point_id": existing.pk})}
        )  # fmt: skip
    return DataPoint.objects.create(
        workspace=workspace, measure=measure, on=day, value=number, note=note.strip(),
        recorded_by=user,
    )  # fmt: skip


@transaction.atomic
def point_update(
    *,
    workspace: Workspace,
    point: DataPoint,
    user: User,
    value: str | int | float | Decimal,
    on: dt.date | None = None,
    note: str = "",
) -> DataPoint:
    """Change a value, its day or its note (the day still one a day, never to come)."""
    measure = point.measure
    require_steer(workspace=workspace, user=user, cycle=measure.cycle)
    number = parse_value(value)
    day = _check_day(on or point.on)
    current = DataPoint.objects.select_for_update().get(workspace=workspace, pk=point.pk)
    if (
        day != current.on
        and DataPoint.objects.filter(workspace=workspace, measure_id=current.measure_id, on=day)
        .exclude(pk=current.pk)
        .exists()
    ):
        raise ValidationError({"on": duplicate_point_message(day)})
    current.value, current.on, current.note = number, day, note.strip()
    current.recorded_by = user
    current.save()
    return current


@transaction.atomic
def point_delete(*, workspace: Workspace, point: DataPoint, user: User) -> Measure:
    """Remove a value entered by mistake (those inside the cycle)."""
    measure = point.measure
    require_steer(workspace=workspace, user=user, cycle=measure.cycle)
    DataPoint.objects.filter(workspace=workspace, pk=point.pk).delete()
    return measure


# The person's own terms ----------------------------------------------------------------------


def _require_person_cycle(cycle: Cycle, person: Person) -> None:
    if not cycle.system.scale.is_person_scale:
        raise ValidationError(
            {"words": _("What matters, in a person's own words, belongs to a person's cycle.")}
        )
    if person.system_id != cycle.system_id:
        raise ValidationError({"person": _("Choose the person whose cycle this is.")})


def _clean_item(
    *, words: str, scale_max: int, low_words: str, high_words: str
) -> tuple[str, int, str, str]:
    words, low, high = words.strip(), low_words.strip(), high_words.strip()
    if not words:
        raise ValidationError({"words": _("Write what matters in their own words.")})
    if len(words) > WORDS_MAX:
        raise ValidationError({"words": _("Keep it to %(n)d characters.") % {"n": WORDS_MAX}})
    if scale_max not in SCALE_TOPS:
        raise ValidationError(
            {"scale_max": _("Their scale runs from 0 to a top of 2 to 10: choose the top.")}
        )
    for field, text in (("low_words", low), ("high_words", high)):
        if len(text) > END_WORDS_MAX:
            raise ValidationError({field: _("Keep it to %(n)d characters.") % {"n": END_WORDS_MAX}})
    return words, int(scale_max), low, high


@transaction.atomic
def what_matters_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    person: Person,
    user: User,
    words: str,
    scale_max: int = 10,
    low_words: str = "",
    high_words: str = "",
) -> WhatMatters:
    """Something that matters to the person, in their words, with their own scale (0 to
    `scale_max`) and their words for its ends. Those inside their cycle write it with them."""
    require_steer(workspace=workspace, user=user, cycle=cycle)
    _require_person_cycle(cycle, person)
    words, top, low, high = _clean_item(
        words=words, scale_max=scale_max, low_words=low_words, high_words=high_words
    )
    position = WhatMatters.objects.filter(workspace=workspace, cycle=cycle, person=person).count()
    return WhatMatters.objects.create(
        workspace=workspace, cycle=cycle, person=person, words=words, scale_max=top,
        low_words=low, high_words=high, position=position, created_by=user,
    )  # fmt: skip


@transaction.atomic
def what_matters_update(
    *,
    workspace: Workspace,
    item: WhatMatters,
    user: User,
    words: str,
    scale_max: int,
    low_words: str = "",
    high_words: str = "",
    archived: bool | None = None,
    revision: int | None = None,
) -> WhatMatters:
    """Change an item's words or scale (the scale's top never below a rating already given)."""
    require_steer(workspace=workspace, user=user, cycle=item.cycle)
    current = lock_current(WhatMatters, workspace=workspace, pk=item.pk)
    require_current(current, revision=revision, fields=ITEM_FIELDS, saved_at=current.created_at)
    words, top, low, high = _clean_item(
        words=words, scale_max=scale_max, low_words=low_words, high_words=high_words
    )
    highest = (
        WhatMattersRating.objects.filter(workspace=workspace, item=current)
        .order_by("-value")
        .values_list("value", flat=True)
        .first()
    )
    if highest is not None and top < highest:
        raise ValidationError(
            {
                "scale_max": _("They have already placed it at %(value)d: the top can be no lower.")
                % {"value": highest}
            }
        )
    new = (words, top, low, high)
    changed = new != tuple(getattr(current, f) for f in ITEM_FIELDS)
    if changed:
        current.words, current.scale_max, current.low_words, current.high_words = new
    if archived is not None and archived != current.archived:
        current.archived = archived
        changed = True
    if changed:
        current.revision = next_revision(current)
        current.save()
    return current


@transaction.atomic
def rating_add(
    *,
    workspace: Workspace,
    item: WhatMatters,
    user: User,
    value: int | str,
    on: dt.date | None = None,
    note: str = "",
    rated_by: str = WhatMattersRating.By.TOGETHER,
) -> WhatMattersRating:
    """Where the person places one of their items today (or on a day gone), on their own
    scale: 0 to its top, once a day."""
    require_steer(workspace=workspace, user=user, cycle=item.cycle)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            {"value": _("Give a whole number from 0 to %(top)d.") % {"top": item.scale_max}}
        ) from None
    if not 0 <= number <= item.scale_max:
        raise ValidationError(
            {
                "value": _("Their scale runs from 0 to %(top)d: give a number on it.")
                % {"top": item.scale_max}
            }
        )
    if rated_by not in WhatMattersRating.By.values:
        raise ValidationError({"rated_by": _("Say who placed it: the person, or you with them.")})
    day = _check_day(on)
    existing = WhatMattersRating.objects.filter(workspace=workspace, item=item, on=day).first()
    if existing is not None:
        raise ValidationError(
            {
                "on": _("They have already placed it on %(day)s: one a day.")
                % {"day": day_label(day)}
            }
        )
    return WhatMattersRating.objects.create(
        workspace=workspace, item=item, on=day, value=number, note=note.strip(),
        rated_by=rated_by, recorded_by=user,
    )  # fmt: skip
