"""The signifier checker (cycles/signifiers/definition.py): every bad definition gets a message
naming the signifier; every placement outside what its signifier allows (outside the triangle,
off the line, a choice not offered) is refused beside that signifier; "not applicable" is
always possible; and any input at all gives a clean result or messages, never another
exception."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cycles.signifiers.definition import (
    NA,
    TRIANGLE_HEIGHT,
    Definition,
    DefinitionError,
    PlacementError,
    check_placement,
    parse,
    point_of,
    triad_from_point,
)
from tests.signifiers.helpers import CHOICE, DYAD_FELT, FULL_SET, PLACED, TRIAD


def errors_of(raw: Any) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(raw)
    return caught.value.messages


def placement_errors(raw: Any, definition: Any = None) -> dict[str, str]:
    with pytest.raises(PlacementError) as caught:
        check_placement(parse(definition or FULL_SET), raw)
    return caught.value.errors


def test_a_good_definition_parses_and_round_trips() -> None:
    parsed = parse(FULL_SET)
    assert [s.key for s in parsed.signifiers] == ["helped", "felt", "pace", "who"]
    assert parsed.signifier("helped").labels == ("People", "Place", "Practical help")
    assert parsed.signifier("who").multiple is True
    assert parse(parsed.as_json()) == parsed
    single = parse({"signifiers": [{**CHOICE, "multiple": False}]})
    assert single.signifiers[0].multiple is False
    assert parse({"signifiers": [{k: v for k, v in CHOICE.items() if k != "multiple"}]})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "A signifier set is an object with a list of signifiers."),
        ({"signifiers": "triad"}, "A signifier set is an object with a list of signifiers."),
        ({"signifiers": []}, "A signifier set has 1 to 12 signifiers."),
        ({"signifiers": [TRIAD] * 13}, "A signifier set has 1 to 12 signifiers."),
        ({"signifiers": [3]}, "Signifier 1: a signifier must be an object."),
        ({"signifiers": [{**TRIAD, "key": "Bad Key"}]}, "Signifier 1: its key must be"),
        (
            {"signifiers": [TRIAD, {**DYAD_FELT, "key": "helped"}]},
            "Signifier 2 ('helped'): another signifier already has this key.",
        ),
        ({"signifiers": [{**TRIAD, "type": "square"}]}, "Signifier 1 ('helped'): its type"),
        ({"signifiers": [{**TRIAD, "prompt": "  "}]}, "Signifier 1 ('helped'): give it a prompt"),
        (
            {"signifiers": [{**TRIAD, "labels": ["People", "Place"]}]},
            "Signifier 1 ('helped'): a triad has three corners: give 3 different labels.",
        ),
        (
            {"signifiers": [{**TRIAD, "labels": ["People", "people", "Place"]}]},
            "Signifier 1 ('helped'): a triad has three corners",
        ),
        (
            {"signifiers": [{**DYAD_FELT, "labels": ["Only one"]}]},
            "Signifier 1 ('felt'): a dyad has two poles: give 2 different labels.",
        ),
        ({"signifiers": [{**CHOICE, "choices": ["One"]}]}, "Signifier 1 ('who'): give 2 to 12"),
        ({"signifiers": [{**CHOICE, "choices": ["One", ""]}]}, "Signifier 1 ('who'): give 2 to"),
        (
            {"signifiers": [{**CHOICE, "choices": ["One", "na"]}]},
            "Signifier 1 ('who'): 'na' is kept",
        ),
        (
            {"signifiers": [{**CHOICE, "multiple": "yes"}]},
            "Signifier 1 ('who'): 'multiple' is true",
        ),
    ],
)
def test_a_bad_definition_is_refused_naming_the_signifier(raw: Any, expected: str) -> None:
    assert any(message.startswith(expected) for message in errors_of(raw)), errors_of(raw)


def test_every_problem_is_listed_at_once() -> None:
    raw = {"signifiers": [{**TRIAD, "labels": []}, {**DYAD_FELT, "prompt": ""}]}
    messages = errors_of(raw)
    assert len(messages) == 2
    assert messages[0].startswith("Signifier 1 ('helped')")
    assert messages[1].startswith("Signifier 2 ('felt')")


# Placements ------------------------------------------------------------------------------------


def test_a_placement_is_checked_and_kept_in_its_stored_shape() -> None:
    clean = check_placement(parse(FULL_SET), PLACED)
    assert clean == PLACED
    assert check_placement(parse(FULL_SET), {"helped": NA, "felt": NA, "pace": NA, "who": NA}) == {
        "helped": NA,
        "felt": NA,
        "pace": NA,
        "who": NA,
    }


def test_not_applicable_is_always_possible() -> None:
    for s in parse(FULL_SET).signifiers:
        assert check_placement(Definition(signifiers=(s,)), {s.key: NA}) == {s.key: NA}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": -0.1, "b": 0.6, "c": 0.5}, "A weight cannot be below 0"),
        ({"a": 0.5, "b": 0.3, "c": 0.1}, "The three weights must add up to the whole"),
        ({"a": 0.7, "b": 0.3, "c": 0.1}, "The three weights must add up to the whole"),
        ({"a": 0.5, "b": 0.5}, "Give a weight for each corner (People, Place, Practical help)."),
        ({"a": "half", "b": 0.3, "c": 0.2}, "Each corner's weight is a number."),
        ({"a": True, "b": 0.0, "c": 0.0}, "Each corner's weight is a number."),
        ({"a": math.nan, "b": 0.5, "c": 0.5}, "Each corner's weight is a number."),
        ({"x": 0.1, "y": 0.0}, "That point is outside the triangle"),  # above, left of the top
        ({"x": 0.5, "y": 1.0}, "That point is outside the triangle"),  # below the base
        ({"x": 1.2, "y": 0.8}, "That point is outside the triangle"),
        ([0.3, 0.3, 0.4], "Place the story in the triangle"),
        ("People", "Place the story in the triangle"),
    ],
)
def test_a_triad_placement_outside_the_triangle_is_refused_beside_it(value, message) -> None:
    errors = placement_errors({**PLACED, "helped": value})
    assert list(errors) == ["helped"]
    assert errors["helped"].startswith(message)


def test_sums_within_the_tolerance_are_kept_exactly_whole() -> None:
    clean = check_placement(parse(FULL_SET), {**PLACED, "helped": {"a": 0.3333, "b": 0.3333,
                                                                   "c": 0.3333}})  # fmt: skip
    weights = clean["helped"]
    assert abs(sum(weights.values()) - 1) < 1e-9
    assert placement_errors({**PLACED, "helped": {"a": 0.333, "b": 0.333, "c": 0.332}})


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((0.5, 0.0), {"a": 1.0, "b": 0.0, "c": 0.0}),
        ((0.0, TRIANGLE_HEIGHT), {"a": 0.0, "b": 1.0, "c": 0.0}),
        ((1.0, TRIANGLE_HEIGHT), {"a": 0.0, "b": 0.0, "c": 1.0}),
        ((0.5, TRIANGLE_HEIGHT * 2 / 3), {"a": 0.3333, "b": 0.3333, "c": 0.3333}),
    ],
)
def test_a_point_given_by_a_click_becomes_the_corners_weights(point, expected) -> None:
    weights = triad_from_point(*point)
    assert weights is not None
    assert all(abs(weights[k] - expected[k]) < 0.001 for k in "abc")
    clean = check_placement(
        parse(FULL_SET), {**PLACED, "helped": dict(zip("xy", point, strict=True))}
    )
    assert all(abs(clean["helped"][k] - expected[k]) < 0.001 for k in "abc")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("felt", {"x": 1.5}, "Place the story between the two ends"),
        ("felt", {"x": -0.01}, "Place the story between the two ends"),
        ("felt", 0.5, "Place the story on the line"),
        ("felt", {"x": "0.5"}, "Place the story on the line"),
        ("who", "Family", "Choose at least one"),
        ("who", [], "Choose at least one"),
        ("who", ["Family", "Family"], "Choose among the choices offered, each once."),
        ("who", ["Neighbours"], "Choose among the choices offered"),
        ("helped", None, "Place the story here, or say it does not apply."),
    ],
)
def test_dyads_and_choices_refuse_what_they_do_not_offer(key, value, message) -> None:
    errors = placement_errors({**PLACED, key: value})
    assert list(errors) == [key]
    assert errors[key].startswith(message)


def test_a_single_choice_takes_one_of_its_choices() -> None:
    definition = {"signifiers": [{**CHOICE, "multiple": False}]}
    assert check_placement(parse(definition), {"who": "Staff"}) == {"who": "Staff"}
    assert placement_errors({"who": ["Staff"]}, definition)["who"].startswith("Choose one")


def test_a_signifier_left_out_or_unknown_is_named() -> None:
    errors = placement_errors({"helped": NA, "felt": NA, "who": NA, "colour": "blue"})
    assert set(errors) == {"pace", "colour"}
    assert placement_errors([1, 2]) == {
        "": "A placement is an object with a value for each signifier."
    }


# Any input at all ------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=True)
    | st.text(max_size=6)
    | st.sampled_from(["triad", "dyad", "choice", "helped", "na", "People"])
)
json = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "key",
                    "type",
                    "prompt",
                    "labels",
                    "choices",
                    "multiple",
                    "a",
                    "b",
                    "c",
                    "x",
                    "y",
                    "signifiers",
                    "helped",
                    "felt",
                    "who",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)
signifier = st.fixed_dictionaries(
    {
        "key": st.sampled_from(["helped", "felt", "who", "x y", ""]),
        "type": st.sampled_from(["triad", "dyad", "choice", "square"]),
        "prompt": st.sampled_from(["Why?", "", "  "]),
    },
    optional={
        "labels": st.lists(st.sampled_from(["A", "B", "C", "a", ""]), max_size=4),
        "choices": st.lists(st.sampled_from(["One", "Two", "na", ""]), max_size=4),
        "multiple": st.sampled_from([True, False, "yes"]),
    },
)
definitions = json | st.fixed_dictionaries({"signifiers": st.lists(signifier | json, max_size=4)})


@given(definitions)
def test_any_definition_gives_a_definition_or_messages(raw: Any) -> None:
    before = copy.deepcopy(raw)
    parsed: Definition | None = None
    messages: list[str] = []
    try:
        parsed = parse(raw)
    except DefinitionError as error:
        messages = error.messages
    if parsed is None:
        assert messages
        assert all(isinstance(m, str) and m for m in messages)
    else:
        assert parsed.signifiers
        assert parse(parsed.as_json()) == parsed  # what parsed once parses the same again
    assert repr(raw) == repr(before)  # the checker never changes its input


@given(json)
def test_any_placement_gives_a_clean_placement_or_messages(raw: Any) -> None:
    definition = parse(FULL_SET)
    clean: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    try:
        clean = check_placement(definition, raw)
    except PlacementError as error:
        errors = error.errors
    if clean is None:
        assert errors
        assert all(isinstance(m, str) and m for m in errors.values())
    else:
        assert set(clean) == {s.key for s in definition.signifiers}
        assert check_placement(definition, clean) == clean  # stored placements check again


@given(st.floats(-0.5, 1.5), st.floats(-0.5, 1.5))
def test_a_point_is_inside_exactly_when_its_weights_are(x: float, y: float) -> None:
    weights = triad_from_point(x, y)
    a = 1 - y / TRIANGLE_HEIGHT
    c = x - a / 2
    inside = min(a, c, 1 - a - c) >= -0.001
    assert (weights is not None) is inside
    if weights is not None:
        assert abs(sum(weights.values()) - 1) < 1e-9
        assert min(weights.values()) >= 0
        px, py = point_of(weights)
        assert abs(px - min(max(x, 0), 1)) < 0.01 or abs(px - x) < 0.01
        assert abs(py - y) < 0.01 or y < 0 or y > TRIANGLE_HEIGHT
