"""Words that read right (issue 13, finding 7): quoted words read as written, not as typed
(search headlines and excerpts carry no Markdown marks, and say with an ellipsis where they were
cut); the timeline's filter says what it filters by."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hls.markdown import ELLIPSIS, excerpt, plain_headline, to_plain_text
from hls.tenancy.context import tenant_scope
from tests.conftest import signed_in
from tests.factories import EntryFactory, ExperimentFactory

W = "/w/riverside"


def test_plain_text_drops_markdown_marks_and_keeps_the_words() -> None:
    text = (
        "# Visit\n\n**Maya** said the _bus_ was late.\n\n- one\n- two\n\n> a [link](https://x.test)"
    )
    assert to_plain_text(text) == "Visit Maya said the bus was late. one two a link"


def test_an_excerpt_cuts_at_a_word_and_says_so() -> None:
    text = "The **allotment** gave him somewhere to be, every morning, with his brother."
    assert excerpt(text, 5) == f"The allotment gave him somewhere{ELLIPSIS}"
    assert excerpt(text, 7) == f"The allotment gave him somewhere to be{ELLIPSIS}"  # no comma
    assert (
        excerpt(text, 50)
        == "The allotment gave him somewhere to be, every morning, with his brother."
    )
    assert excerpt("", 5) == ""


def test_a_headline_from_inside_the_text_has_an_ellipsis_at_each_cut() -> None:
    text = (
        "First we met. Then **Maya** found the <mark>allotment</mark> and kept going there daily."
    )
    headline = "**Maya** found the <mark>allotment</mark> and kept"
    assert plain_headline(headline, text) == (
        f"{ELLIPSIS} Maya found the <mark>allotment</mark> and kept {ELLIPSIS}"
    )
    whole = "The <mark>allotment</mark> helps"
    assert plain_headline(whole, "The allotment helps") == whole


@given(st.text(max_size=200), st.integers(min_value=1, max_value=30))
def test_an_excerpt_never_holds_a_tag_or_more_words_than_asked(text: str, words: int) -> None:
    cut = excerpt(text, words)
    assert "<" not in cut.replace("&lt;", "") or "<" in text
    assert len(cut.split()) <= words


@pytest.mark.django_db
def test_search_results_read_as_written(cast) -> None:
    with tenant_scope(workspace_id=cast.workspace.pk):
        EntryFactory(
            workspace=cast.workspace,
            cycle=cast.cycle,
            author=cast.author.user,
            visibility=0,
            text=(
                "We sat with **Maya** at the kitchen table. " * 8
                + "The _allotment_ gave her somewhere to be. "
                + "She came back the next week, and the week after. " * 8
            ),
        )
        ExperimentFactory(
            workspace=cast.workspace,
            cycle=cast.cycle,
            title="Allotment mornings",
            what_we_will_try="- Go to the **allotment** together",
        )
    body = signed_in(cast.author).get(f"{W}/search/", {"q": "allotment"}).content.decode()
    assert "<mark>allotment</mark> gave her somewhere" in body
    assert "**" not in body
    assert "_allotment_" not in body
    assert f"{ELLIPSIS} " in body  # the entry's headline starts inside its text
    assert "- Go to the" not in body
    assert "Go to the <mark>allotment</mark> together" in body


@pytest.mark.django_db
def test_the_timeline_filter_says_what_it_filters_by(cast) -> None:
    url = f"{W}/cycles/{cast.cycle.pk}/timeline/"
    client = signed_in(cast.team)
    closed = client.get(url).content.decode()
    assert ">Filter by phase, kind, theme, person or date</summary>" in closed
    assert 'name="kind"' in closed  # the controls are there, behind the summary
    on = client.get(url, {"kind": "story"}).content.decode()
    assert ">Filters (on)</summary>" in on
    assert '<details class="filters" open>' in on
