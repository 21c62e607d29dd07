"""The built-in methods (stewardship/methods/builtin.py): every one passes the definition
checker, is attributed, speaks the product's language (no targets, scores, rankings of people,
RAG or blame), and has the shape its method needs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from cycles.models import Phase
from stewardship.methods.builtin import BOOK, BUILTINS, Builtin, builtin
from stewardship.methods.builtins.healthy_system import CONDITIONS
from stewardship.methods.definition import Definition, Field, Step
from stewardship.models import MethodTemplate
from stewardship.questions.seed import SCALE_NAMES

KEYS = {
    "what_matters",
    "appreciative_inquiry",
    "msc",
    "learning_get_together",
    "action_inquiry",
    "rapid_learning",
    "boundary_voice",
    "principles_compass",
    "healthy_system",
    "experiment_check",
}
EACH = pytest.mark.parametrize("method", list(BUILTINS.values()), ids=list(BUILTINS))


def parsed(key: str) -> Definition:
    return BUILTINS[key].parsed()


def words_of(method: Builtin) -> Iterator[tuple[str, str]]:
    """Every piece of text a participant reads, with where it is."""
    yield "name", method.name
    yield "summary", method.summary
    for step in method.parsed().steps:
        yield f"{step.key}.title", step.title
        yield f"{step.key}.prompt", step.prompt
        for field in step.fields:
            where = f"{step.key}.{field.key}"
            yield f"{where}.label", field.label
            yield f"{where}.help", field.help
            yield f"{where}.low", field.low
            yield f"{where}.high", field.high
            for choice in field.choices:
                yield f"{where}.choice", choice


# Words of performance management. Saying what a method is not ("no blame", "never a score",
# "not who is to blame", "never a breach") is fine: a negation within the four words before.
UNWANTED = [
    re.compile(r"\btargets?\b", re.I),
    re.compile(r"\bKPIs?\b", re.I),
    re.compile(r"\bscor(?:e|es|ed|ing)\b", re.I),
    re.compile(r"\brank(?:s|ed|ing|ings)?\b", re.I),
    re.compile(r"\bRAG\b"),
    re.compile(r"\bleague tables?\b", re.I),
    re.compile(r"\bperformance\b", re.I),
    re.compile(r"\bratings?\b", re.I),
    re.compile(r"\bblam(?:e|ed|ing)\b", re.I),
    re.compile(r"\bfault\b", re.I),
    re.compile(r"\bculprits?\b", re.I),
    re.compile(r"\bbreach(?:es|ed)?\b", re.I),
    re.compile(r"\bcompliance\b", re.I),
]
NEGATIONS = {"no", "not", "never", "nor", "without"}


def unwanted(text: str) -> list[str]:
    found = []
    for pattern in UNWANTED:
        for match in pattern.finditer(text):
            before = re.findall(r"[a-z]+", text[: match.start()].lower())[-4:]
            if not NEGATIONS & set(before):
                found.append(match.group())
    return found


def test_the_word_check_itself() -> None:
    assert unwanted("Our target this quarter, a KPI and a RAG rating") == [
        "target",
        "KPI",
        "RAG",
        "rating",
    ]
    assert unwanted("Rank the staff by score") == ["score", "Rank"]
    assert unwanted("Who is to blame?") == ["blame"]
    assert unwanted("There is no blame. Describe what, not who is to blame.") == []
    assert unwanted("never a score, never a breach; a rag-tag group; frankly") == []


def test_the_ten_methods_are_there_by_their_keys() -> None:
    assert set(BUILTINS) == KEYS
    for key, method in BUILTINS.items():
        assert method.key == key
        assert builtin(key) is method
    assert builtin("nope") is None


@EACH
def test_every_builtin_passes_the_checker(method: Builtin) -> None:
    definition = method.parsed()
    assert definition.steps
    assert method.version >= 1
    # stored as JSON in every run (MethodRun.definition): it survives the round trip
    assert json.loads(json.dumps(method.definition)) == method.definition


@EACH
def test_every_builtin_is_attributed_to_the_book_and_its_originators(method: Builtin) -> None:
    assert BOOK in method.source
    assert "CC BY-NC 4.0" in method.source
    assert re.search(r"\bch\. \d+", method.source)  # the chapter it is described in
    # a workspace's copy keeps the attribution whole
    assert len(method.source) <= MethodTemplate._meta.get_field("source").max_length


@EACH
def test_every_builtin_says_where_it_fits_and_how_long_it_takes(method: Builtin) -> None:
    assert method.phases
    assert set(method.phases) <= set(Phase.values)
    assert set(method.scales) <= set(SCALE_NAMES)
    assert method.minutes > 0
    assert method.name
    assert 2 <= len(re.findall(r"[.!?](?:\s|$)", method.summary)) <= 3
    steps = method.parsed().steps
    assert method.minutes >= sum(s.minutes for s in steps) * 0.5  # the steps fit in the time


@EACH
def test_every_step_has_a_prompt_a_timer_and_a_required_field(method: Builtin) -> None:
    for step in method.parsed().steps:
        assert step.prompt, step.key
        assert 1 <= step.minutes <= 45, step.key
        assert any(f.required for f in step.fields) or step.key == "conditions", step.key


@EACH
def test_every_builtin_writes_something_into_the_cycle(method: Builtin) -> None:
    assert any(step.writes for step in method.parsed().steps)


@EACH
def test_no_word_of_targets_scores_rankings_rag_or_blame(method: Builtin) -> None:
    found = {where: unwanted(text) for where, text in words_of(method)}
    assert {where: words for where, words in found.items() if words} == {}


@EACH
def test_no_builtin_ranks_or_scores_people(method: Builtin) -> None:
    for step in method.parsed().steps:
        for field in step.fields:
            assert field.type != "rank", f"{step.key}.{field.key}"


@EACH
def test_private_answers_are_never_written_into_the_cycle_by_a_builtin(method: Builtin) -> None:
    """A private step's answers stay private: what the group makes of them is written from a
    group step instead."""
    for step in method.parsed().steps:
        if step.private:
            assert step.writes == (), step.key


def only(definition: Definition, key: str) -> Step:
    step = definition.step(key)
    assert step is not None
    return step


def field_of(step: Step, key: str) -> Field:
    found = step.field(key)
    assert found is not None
    return found


def test_what_matters_asks_consent_first_then_keeps_the_persons_words() -> None:
    definition = parsed("what_matters")
    consent, conversation = definition.steps
    agree = field_of(consent, "agree")
    assert agree.type == "choice"
    assert agree.required
    assert agree.choices[0].startswith("Yes, I agree")
    assert agree.choices[1] == "Not today"
    assert conversation.consent
    assert field_of(conversation, "what_matters").type == "story"
    assert {f.key for f in conversation.fields} >= {"what_matters", "strengths", "aspirations"}
    assert conversation.writes == ({"as": "entry", "kind": "story", "field": "what_matters"},)
    assert BUILTINS["what_matters"].scales == ("person",)


def test_appreciative_inquiry_goes_define_discover_dream_design_deliver() -> None:
    definition = parsed("appreciative_inquiry")
    assert [s.key for s in definition.steps] == [
        "define",
        "discover",
        "dream",
        "design",
        "deliver",
    ]
    discover = only(definition, "discover")
    assert (discover.who, discover.consent) == ("each", True)
    assert field_of(discover, "story").type == "story"
    assert "partner" in discover.prompt
    [write] = only(definition, "deliver").writes
    assert write["as"] == "experiment"
    assert write["fields"]["title"] == "title"
    assert write["fields"]["what_we_will_try"] == "what_we_will_try"


def test_msc_collects_stories_with_consent_and_selects_one_with_reasons() -> None:
    definition = parsed("msc")
    assert [s.key for s in definition.steps] == ["domain", "collect", "select"]
    assert field_of(only(definition, "domain"), "domain").required
    collect = only(definition, "collect")
    assert (collect.who, collect.consent) == ("each", True)
    assert field_of(collect, "story").type == "story"
    select = only(definition, "select")
    assert select.who == "group"
    chosen = field_of(select, "chosen")
    assert (chosen.type, chosen.source, chosen.pick, chosen.reasons) == (
        "select",
        "collect.story",
        1,
        True,
    )
    assert select.writes == ({"as": "entry", "kind": "insight", "field": "chosen"},)
    assert "level below" in BUILTINS["msc"].summary


def test_the_learning_get_together_asks_what_happened_never_who_is_to_blame() -> None:
    definition = parsed("learning_get_together")
    assert [s.key for s in definition.steps] == ["what_happened", "learnt", "change", "tell"]
    asking = re.compile(
        r"\b(blam\w*|fault\w*|culprit\w*|responsible|who (did|caused|made))\b", re.I
    )
    questions = [f for s in definition.steps for f in s.fields]
    for field in questions:
        assert not asking.search(f"{field.label} {field.help}"), field.key
    # the one "who" question is who needs to know (and who can change what is beyond us)
    asks_who = {f.key for f in questions if re.match(r"who\b", f.label, re.I)}
    assert asks_who == {"who_needs_to_know"}
    assert "not **who**" in only(definition, "what_happened").prompt
    assert "no blame" in BUILTINS["learning_get_together"].summary.lower()
    kinds = {w["kind"] for s in definition.steps for w in s.writes}
    assert kinds == {"insight", "decision"}


def test_action_inquiry_goes_round_again_from_the_action() -> None:
    definition = parsed("action_inquiry")
    assert [s.key for s in definition.steps] == [
        "action",
        "observation",
        "reflection",
        "next_action",
    ]
    assert definition.repeat_from == definition.steps[0].key == "action"


def test_rapid_learning_is_one_step_and_one_required_field() -> None:
    method = BUILTINS["rapid_learning"]
    [step] = method.parsed().steps
    assert [f.key for f in step.fields if f.required] == ["noticed"]
    assert step.minutes == method.minutes == 1
    assert step.who == "each"


def test_the_boundary_review_asks_who_is_invited_taking_part_heard_and_missing() -> None:
    definition = parsed("boundary_voice")
    keys = {f.key for s in definition.steps for f in s.fields}
    assert keys >= {"invited", "taking_part", "heard", "missing", "we_will"}
    assert only(definition, "act").writes == (
        {"as": "entry", "kind": "decision", "field": "we_will"},
        # those missing join the system map, as not yet involved
        {"as": "actor", "field": "add_to_map", "kind": "group", "participation": "not_yet"},
    )


def test_the_principles_compass_writes_learning_not_breaches() -> None:
    definition = parsed("principles_compass")
    reflect = only(definition, "reflect")
    assert {"lived", "not_lived"} <= {f.key for f in reflect.fields}
    assert "never a breach" in reflect.prompt
    kinds = {w["kind"] for s in definition.steps for w in s.writes}
    assert "insight" in kinds
    assert kinds <= {"insight", "reflection", "idea"}


def test_the_healthy_system_reflection_is_private_with_a_spread_on_eight_conditions() -> None:
    method = BUILTINS["healthy_system"]
    assert method.scales == ("place",)
    conditions, differ = method.parsed().steps
    assert (conditions.who, conditions.private, conditions.reveal) == ("each", True, "spread")
    scales = [f for f in conditions.fields if f.type == "scale"]
    assert [f.label for f in scales] == [
        "Shared purpose and principles",
        "Trusting relationships",
        "Collaborative behaviours",
        "Sharing power",
        "Systems infrastructure",
        "Enabling leadership",
        "Learning and insight",
        "Embedding and influencing",
    ]
    assert len(CONDITIONS) == 8
    judging = re.compile(r"\b(good|bad|poor|excellent|fail\w*|pass\w*)\b", re.I)
    for scale in scales:
        assert (scale.min, scale.max, scale.own_anchors) == (1, 5, True)
        assert (scale.low, scale.high) == ("hardly yet", "strongly")
        assert not judging.search(f"{scale.low} {scale.high}")
        why = field_of(conditions, f"{scale.key}_why")
        assert why.type in ("text", "long_text")
        assert why.label == "What makes you say so?"
    assert conditions.writes == ()  # no one's answers are written into the cycle
    assert differ.who == "group"
    assert field_of(differ, "differences").type == "long_text"
    assert differ.writes == ({"as": "entry", "kind": "insight", "field": "differences"},)


def test_the_experiment_check_writes_a_whole_experiment() -> None:
    [design] = parsed("experiment_check").steps
    assert field_of(design, "uncertain").type == "choice"
    assert field_of(design, "small").type == "choice"
    keys = [f.key for f in design.fields]
    assert keys.index("prediction") < keys.index("how_we_will_know")  # the prediction first
    assert "start_and_end" in keys
    [write] = design.writes
    assert write == {
        "as": "experiment",
        "fields": {
            "title": "title",
            "what_we_will_try": "what_we_will_try",
            "prediction": "prediction",
            "how_we_will_know": "how_we_will_know",
            "safe_to_fail_limits": "safe_to_fail_limits",
        },
    }
