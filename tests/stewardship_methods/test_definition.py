"""The definition checker (stewardship/methods/definition.py): every bad definition gets a
message that says where (the step, and the field when there is one) and why; any input at all
gives a Definition or a DefinitionError, never another exception."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stewardship.methods.definition import Definition, DefinitionError, parse


def text(key: str, kind: str = "text") -> dict[str, Any]:
    return {"key": key, "label": key.title(), "type": kind}


def good() -> dict[str, Any]:
    return {
        "steps": [
            {
                "key": "collect",
                "title": "Collect",
                "who": "each",
                "consent": True,
                "fields": [text("story", "story"), text("why", "long_text")],
            },
            {
                "key": "select",
                "title": "Select",
                "fields": [
                    {
                        "key": "chosen",
                        "label": "Chosen",
                        "type": "select",
                        "from": "collect.story",
                        "reasons": True,
                    }
                ],
                "writes": [{"as": "entry", "kind": "insight", "field": "chosen"}],
            },
        ],
        "repeat_from": "collect",
    }


def errors_of(raw: Any) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(raw)
    return caught.value.messages


def test_a_good_definition_parses_with_its_defaults() -> None:
    parsed = parse(good())
    assert [s.key for s in parsed.steps] == ["collect", "select"]
    assert parsed.step("select").who == "group"  # the default
    chosen = parsed.step("select").field("chosen")
    assert (chosen.source, chosen.pick, chosen.reasons) == ("collect.story", 1, True)
    assert parsed.repeat_from == "collect"
    assert parsed.index("select") == 1


@pytest.mark.parametrize(
    "raw",
    [None, [], "steps", {}, {"steps": "one"}, {"steps": {}}, {"steps": []}],
)
def test_a_method_without_a_list_of_steps_is_refused(raw: Any) -> None:
    assert errors_of(raw) in (
        ["A method is an object with a list of steps."],
        ["A method has 1 to 20 steps."],
    )


def test_too_many_steps_are_refused() -> None:
    step = good()["steps"][0]
    steps = [{**step, "key": f"s{n}"} for n in range(21)]
    assert errors_of({"steps": steps}) == ["A method has 1 to 20 steps."]


def test_a_bad_step_key_names_the_step() -> None:
    raw = good()
    raw["steps"][1]["key"] = "Select It"
    assert "Step 2: the step's key must be 1-40 of a-z, 0-9 and _." in errors_of(raw)


def test_a_bad_field_key_names_the_step() -> None:
    raw = good()
    raw["steps"][0]["fields"][1]["key"] = "Why?"
    assert "Step 1: the field's key must be 1-40 of a-z, 0-9 and _." in errors_of(raw)


def test_duplicate_step_keys_name_the_second_step_and_the_key() -> None:
    raw = good()
    raw["steps"][1]["key"] = "collect"
    assert "Step 2: another step already has the key 'collect'." in errors_of(raw)


def test_duplicate_field_keys_name_the_step_and_the_field() -> None:
    raw = good()
    raw["steps"][0]["fields"][1]["key"] = "story"
    assert "Step 1, field 'story': another field already has this key." in errors_of(raw)


def test_an_unknown_type_names_the_step_and_the_field() -> None:
    raw = good()
    raw["steps"][0]["fields"][1]["type"] = "slider"
    [message] = errors_of(raw)
    assert message.startswith("Step 1, field 'why': the type must be one of text, long_text")


def test_a_missing_label_and_title_are_named() -> None:
    raw = good()
    raw["steps"][0]["title"] = "  "
    del raw["steps"][0]["fields"][0]["label"]
    assert errors_of(raw) == [
        "Step 1: give the step a title.",
        "Step 1, field 'story': give the field a label.",
    ]


@pytest.mark.parametrize(
    "choices",
    [
        None,
        [],
        ["Only one"],
        ["Same", "Same"],
        ["Yes", ""],
        ["Yes", 3],
        [str(n) for n in range(21)],
    ],
)
def test_choices_too_few_or_repeated_name_the_step_and_the_field(choices: Any) -> None:
    raw = good()
    raw["steps"][0]["fields"].append({"key": "agree", "label": "Agree?", "type": "choice"})
    if choices is not None:
        raw["steps"][0]["fields"][-1]["choices"] = choices
    assert errors_of(raw) == ["Step 1, field 'agree': give 2 to 20 different choices."]


@pytest.mark.parametrize(
    ("low", "high"), [(2, 5), (-1, 5), (1, 1), (1, 11), (1, "5"), (True, 5), (0, None)]
)
def test_a_scale_out_of_range_names_the_step_and_the_field(low: Any, high: Any) -> None:
    raw = good()
    raw["steps"][0]["fields"].append(
        {"key": "purpose", "label": "Purpose", "type": "scale", "min": low, "max": high}
    )
    assert errors_of(raw) == ["Step 1, field 'purpose': a scale runs from 0 or 1 up to 2-10."]


def test_a_scale_keeps_its_anchors_and_own_anchors() -> None:
    raw = good()
    raw["steps"][0]["fields"].append(
        {
            "key": "purpose",
            "label": "Purpose",
            "type": "scale",
            "min": 0,
            "max": 10,
            "low": "hardly yet",
            "high": "strongly",
            "own_anchors": True,
        }
    )
    scale = parse(raw).step("collect").field("purpose")
    assert (scale.min, scale.max, scale.low, scale.high, scale.own_anchors) == (
        0,
        10,
        "hardly yet",
        "strongly",
        True,
    )


@pytest.mark.parametrize(
    "source",
    [
        "select.chosen",  # its own step: not an earlier one
        "later.story",  # a later step
        "collect.nothing",  # no such field
        "collect",  # no field at all
        None,
    ],
)
def test_a_select_from_a_step_that_is_not_earlier_names_the_step_and_the_field(
    source: Any,
) -> None:
    raw = good()
    raw["steps"][1]["fields"][0]["from"] = source
    raw["steps"].append({"key": "later", "title": "Later", "fields": [text("story", "story")]})
    assert (
        "Step 2, field 'chosen': 'from' must name an earlier step's text or story field."
        in errors_of(raw)
    )


@pytest.mark.parametrize("kind", ["choice", "scale", "multi"])
def test_a_select_or_rank_from_a_field_that_is_not_text_is_refused(kind: str) -> None:
    raw = good()
    field: dict[str, Any] = {"key": "story", "label": "Story", "type": kind}
    if kind in ("choice", "multi"):
        field["choices"] = ["a", "b"]
    raw["steps"][0]["fields"][0] = field
    raw["steps"][1]["fields"].append(
        {"key": "order", "label": "Order", "type": "rank", "from": "collect.story"}
    )
    messages = errors_of(raw)
    assert "Step 2, field 'chosen': 'from' must name an earlier step's text or story field." in (
        messages
    )
    assert "Step 2, field 'order': 'from' must name an earlier step's text or story field." in (
        messages
    )


@pytest.mark.parametrize("pick", [0, 11, "2", None])
def test_a_pick_out_of_range_is_named(pick: Any) -> None:
    raw = good()
    raw["steps"][1]["fields"][0]["pick"] = pick
    assert errors_of(raw) == ["Step 2, field 'chosen': 'pick' is how many to choose, 1 to 10."]


def test_an_entry_written_from_a_missing_field_names_the_step_and_the_field() -> None:
    raw = good()
    raw["steps"][1]["writes"] = [{"as": "entry", "kind": "insight", "field": "gone"}]
    assert errors_of(raw) == [
        "Step 2, field 'gone': an entry is written from one of the step's text fields."
    ]


def test_an_entry_from_a_scale_or_of_an_unknown_kind_is_refused() -> None:
    raw = good()
    raw["steps"][0]["fields"].append({"key": "n", "label": "N", "type": "scale"})
    raw["steps"][0]["writes"] = [
        {"as": "entry", "kind": "story", "field": "n"},
        {"as": "entry", "kind": "score", "field": "story"},
        {"as": "map", "field": "story"},
        "entry",
    ]
    messages = errors_of(raw)
    assert (
        messages[0] == "Step 1, field 'n': an entry is written from one of the step's text fields."
    )
    assert messages[1].startswith("Step 1: the entry's kind must be one of story, observation")
    assert messages[2].startswith("Step 1: a step writes an entry")  # or what else it may
    assert messages[3:] == ["Step 1: each write must be an object."]


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "story"},  # no what_we_will_try
        {"title": "story", "what_we_will_try": "gone"},
        {"title": "story", "what_we_will_try": "why", "owner": "why"},
        "story",
    ],
)
def test_an_experiment_needs_its_title_and_what_we_will_try_from_the_step(fields: Any) -> None:
    raw = good()
    raw["steps"][0]["writes"] = [{"as": "experiment", "fields": fields}]
    assert errors_of(raw) == [
        "Step 1: an experiment needs its title and what we will try from the step's fields."
    ]


def test_an_unknown_repeat_from_is_refused() -> None:
    for value in ("nowhere", ["collect"], {"step": "collect"}, 3):
        raw = good()
        raw["repeat_from"] = value
        assert errors_of(raw) == ["'repeat_from' must name one of the steps."]


def test_who_the_timer_and_the_field_count_are_checked() -> None:
    raw = good()
    raw["steps"][0] |= {"who": "everyone", "minutes": 500}
    raw["steps"][1] |= {"fields": [], "writes": []}
    assert errors_of(raw) == [
        "Step 1: who answers is one of facilitator, each, group.",
        "Step 1: the timer is 0 to 240 minutes.",
        "Step 2: a step has 1 to 20 fields.",
    ]


def test_private_applies_to_each_only_and_reveal_defaults_to_answers() -> None:
    raw = good()
    raw["steps"][0] |= {"private": True, "reveal": "spread"}
    raw["steps"][1] |= {"private": True, "reveal": "everything"}
    parsed = parse(raw)
    assert (parsed.steps[0].private, parsed.steps[0].reveal) == (True, "spread")
    assert (parsed.steps[1].private, parsed.steps[1].reveal) == (False, "answers")


def test_every_problem_is_reported_at_once() -> None:
    raw = good()
    raw["steps"][0]["key"] = "Bad"
    raw["steps"][1]["fields"][0]["type"] = "nope"
    raw["repeat_from"] = "nowhere"
    assert errors_of(raw) == [
        "Step 1: the step's key must be 1-40 of a-z, 0-9 and _.",
        "Step 2, field 'chosen': the type must be one of text, long_text, story, choice, multi, "
        "scale, select, rank.",
        "'repeat_from' must name one of the steps.",
    ]


# --- Any input at all: a Definition or a DefinitionError ------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 30)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(["a", "b", "story", "Bad Key", "", "_"]) | json_values
field_types = st.sampled_from(
    ["text", "long_text", "story", "choice", "multi", "scale", "select", "rank", "x"]
)


@st.composite
def near_fields(draw: st.DrawFn) -> Any:
    field = {
        "key": draw(keys),
        "label": draw(st.sampled_from(["Label", "", None]) | json_values),
        "type": draw(field_types | json_values),
    }
    extras = {
        "choices": st.lists(st.sampled_from(["a", "b", "a", " ", "c"]), max_size=4) | json_values,
        "min": st.integers(-1, 3) | json_values,
        "max": st.integers(0, 12) | json_values,
        "from": st.sampled_from(["a.story", "b.a", "a", "a.b.c"]) | json_values,
        "pick": st.integers(-1, 12) | json_values,
        "reasons": json_values,
        "own_anchors": json_values,
        "low": json_values,
        "required": json_values,
    }
    for name, strategy in extras.items():
        if draw(st.booleans()):
            field[name] = draw(strategy)
    return field if draw(st.integers(0, 9)) else draw(json_values)


@st.composite
def near_writes(draw: st.DrawFn) -> Any:
    return draw(
        st.fixed_dictionaries(
            {
                "as": st.sampled_from(["entry", "experiment", "actor", "factor", "map"])
                | json_values,
                "participation": st.sampled_from(["not_yet", "heard", "nobody"]) | json_values,
                "kind": st.sampled_from(["story", "insight", "group", "score"]) | json_values,
                "field": keys,
                "fields": st.dictionaries(
                    st.sampled_from(["title", "what_we_will_try", "prediction", "owner"]), keys
                )
                | json_values,
            }
        )
        | json_values
    )


@st.composite
def near_steps(draw: st.DrawFn) -> Any:
    step = {
        "key": draw(keys),
        "title": draw(st.sampled_from(["Title", ""]) | json_values),
        "who": draw(st.sampled_from(["facilitator", "each", "group", "all"]) | json_values),
        "fields": draw(st.lists(near_fields(), max_size=4) | json_values),
    }
    for name, strategy in {
        "private": json_values,
        "reveal": st.sampled_from(["answers", "spread"]) | json_values,
        "minutes": st.integers(-1, 300) | json_values,
        "consent": json_values,
        "prompt": json_values,
        "writes": st.lists(near_writes(), max_size=3) | json_values,
    }.items():
        if draw(st.booleans()):
            step[name] = draw(strategy)
    return step if draw(st.integers(0, 9)) else draw(json_values)


definitions = (
    st.fixed_dictionaries(
        {"steps": st.lists(near_steps(), max_size=4)},
        optional={"repeat_from": keys},
    )
    | json_values
)


@settings(max_examples=300, deadline=None)
@given(definitions)
def test_any_input_gives_a_definition_or_messages(raw: Any) -> None:
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
        assert parsed.steps
        assert parse(parsed.raw) == parsed  # what parsed once parses the same again
    assert raw == before  # the checker never changes its input
