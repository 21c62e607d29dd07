"""The Markdown export is safe to open (issue 11, finding 4): hostile text in every field of a
report leaves no raw HTML tag and no unsafe link in the `.md` file, however a viewer renders it
(CommonMark with raw HTML on, as markdown-it-py's commonmark preset does, and Python-Markdown,
which the product itself uses). Plain text shows as typed; narratives keep their Markdown."""

import re
from html.parser import HTMLParser

import markdown as python_markdown
import pytest
from django.db.models import CharField, TextField
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cycles.models import BarrierResponse, Cycle, Entry, Experiment
from hls.markdown import escape_text, to_safe_markdown
from hls.tenancy.context import tenant_scope
from stewardship.models import (
    Charter,
    LearningReport,
    Participation,
    Principle,
    ReportExport,
    ReportSection,
    Session,
)
from stewardship.reports import exports, services
from tests.conftest import signed_in

from .conftest import make_report

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '<iframe src="https://evil.example/"></iframe>',
    "[click](javascript:alert(3))",
    "[click](JaVaScRiPt:alert(3))",
    "[tab](java\tscript:alert(3))",
    "[escaped](javascript\\:alert(3))",
    "[entity](javascript&#58;alert(3))",
    "[entity2](&#106;avascript:alert(3))",
    "<javascript:alert(4)>",
    "<https://fine.example/>",
    "[ref][evil]\n\n[evil]: javascript:alert(5)",
    '[ref2][e2]\n\n[e2]:\n  vbscript:msgbox("x")',
    "![img](data:text/html;base64,PHNjcmlwdD4=)",
    "[data](data:text/html,<script>alert(6)</script>)",
    "[angle](<javascript:alert(7)>)",
    "&lt;script&gt;alert(8)&lt;/script&gt;",
    "&#60;script&#62;alert(9)&#60;/script&#62;",
    "<<script>script>alert(10)<</script>/script>",
    "<scr<script>ipt>alert(11)</script>",
    '<a href="javascript:alert(12)">x</a>',
    "<svg onload=alert(13)>",
    "<!-- comment --><style>body{}</style>",
    "<div>\n\n*inside*\n\n</div>",
    "`<script>in code</script>`",
    "```\n<script>fenced</script>\n```",
    "    <script>indented code</script>",
    "> <script>quoted</script>",
    "- <b onclick=x()>listed</b>",
    "\x00<scr\x00ipt>nul\x00</script>",
]
PAYLOAD = "\n\n".join(HOSTILE).replace("\x00", "\x01")  # PostgreSQL refuses NUL in text
PAYLOAD_LINE = " ".join(h.replace("\n", " ") for h in HOSTILE).replace("\x00", "\x01")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
# Tags Markdown itself makes; anything else in the rendered HTML came from the file as raw HTML.
MARKDOWN_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
commonmark = MarkdownIt("commonmark", {"html": True})


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def unsafe_in_rendered(html: str) -> list[str]:
    """What a viewer rendering this HTML could run: unexpected tags, on* attributes, links and
    sources to unsafe schemes (after the browser drops tabs, newlines and leading spaces)."""
    found = []
    parser = _Collect()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        if tag not in MARKDOWN_TAGS:
            found.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and value is not None:
                url = re.sub(r"[\t\n\r]", "", value).strip(" \x00-\x1f").lower()
                if url.startswith(UNSAFE_SCHEMES):
                    found.append(f"{name}={value!r} on <{tag}>")
    return found


def assert_safe(md: str) -> None:
    assert not re.search(r"<[A-Za-z/!?]", md), "a raw HTML tag (or autolink) in the file"
    for renderer in (commonmark.render, python_markdown.markdown):
        rendered = renderer(md)
        assert unsafe_in_rendered(rendered) == [], (md, rendered)
        assert "<script" not in rendered.lower()


# The shared sanitiser, on its own ------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_each_trick_is_neutralised_in_a_narrative_and_in_plain_text(hostile):
    assert_safe(to_safe_markdown(hostile))
    assert_safe("# " + escape_text(hostile))
    assert_safe("- " + escape_text(hostile))


PLAIN = [
    "Spring “learning” <script>x</script> — Zoë",
    "*not emphasis* [not](a link)",
    "# not a heading",
    "1. not a list",
    "a_b_c `tick` | pipe ~~no~~ ends #",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_shows_exactly_as_typed(text):
    shown = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert commonmark.render(escape_text(text)) == "<p>" + shown.replace('"', "&quot;") + "</p>\n"


def test_narratives_keep_their_markdown_and_safe_links():
    md = to_safe_markdown(
        "We **learnt** that [the guide](https://example.org/g) & *letters* matter."
    )
    html = commonmark.render(md)
    assert "<strong>learnt</strong>" in html
    assert '<a href="https://example.org/g">the guide</a>' in html
    assert "&amp; <em>letters</em>" in html
    # "data:" in prose is prose.
    assert to_safe_markdown("The data: 40 families.") == "The data: 40 families."


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(
            st.text(),
            st.sampled_from(HOSTILE),
            st.sampled_from(
                [
                    "<",
                    ">",
                    "&",
                    "#",
                    ";",
                    ":",
                    "\\",
                    "[",
                    "]",
                    "(",
                    ")",
                    "!",
                    "`",
                    "\n",
                    "\t",
                    "javascript",
                    "JAVASCRIPT",
                    "vbscript",
                    "data",
                    "script",
                    "img",
                    "on",
                    "=",
                    "&#",
                    "x6a",
                    "&colon;",
                    "<a",
                    "href",
                    "/",
                    '"',
                    "'",
                    " ",
                ]
            ),
        ),
        max_size=30,
    ).map("".join)
)
def test_any_text_renders_without_script_handlers_or_unsafe_links(text):
    assert_safe(to_safe_markdown(text))
    assert_safe("### " + escape_text(text))
    assert_safe("- " + escape_text(text))


# The whole export, from the report's own data -------------------------------------------------


def _text_fields(model):
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, CharField | TextField)
        and not f.choices
        and f.name not in ("slug", "reference", "color", "colour", "timezone", "rrule")
    ]


def _fit(model, name):
    """The payload, cut to the field's length from the front, so each field gets its share."""
    limit = model._meta.get_field(name).max_length
    return PAYLOAD_LINE if limit is None else PAYLOAD_LINE[:limit]


@pytest.fixture
def hostile_world(world):
    """Every free-text field the report draws on (cycles, experiments, barriers and their
    answers, participation, charters, principles, sessions) holds the hostile payload."""
    with tenant_scope(workspace_id=world.workspace.pk):
        for model in (Cycle, Experiment, BarrierResponse, Participation, Charter, Principle):
            fields = _text_fields(model)
            for pk in model.objects.values_list("pk", flat=True):
                model.objects.filter(pk=pk).update(**{name: _fit(model, name) for name in fields})
        Session.objects.update(title=_fit(Session, "title"))
        Entry.objects.filter(kind="barrier").update(text=PAYLOAD)
        Cycle.objects.update(learning_questions=PAYLOAD)
    return world


def test_the_markdown_export_of_a_hostile_report_has_no_raw_html_and_no_unsafe_link(
    hostile_world, django_capture_on_commit_callbacks
):
    world = hostile_world
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(title=_fit(LearningReport, "title"))
        for section in ReportSection.objects.filter(report=report):
            ReportSection.objects.filter(pk=section.pk).update(
                heading=_fit(ReportSection, "heading"), body=PAYLOAD
            )
        report.refresh_from_db()
        services.receiver_account_update(
            workspace=world.workspace, report=report, user=world.steward.user, text=PAYLOAD
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(world.author).post(
            f"/w/riverside/reports/{report.pk}/exports/", {"format": "md"}
        )
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        export = ReportExport.objects.get(report=report, format="md")
    assert export.state == ReportExport.State.READY
    download = signed_in(world.viewer).get(f"/w/riverside/report-exports/{export.pk}/download/")
    md = download.content.decode()
    assert_safe(md)
    # The hostile text reached the file (escaped), in the title, headings, evidence and accounts.
    assert md.startswith("# &lt;script>alert(1)&lt;/script>")
    assert md.count("alert(2)") >= 10
    assert "\\[click\\](javascript:alert(3))" in md  # plain text: shown, not a link
    assert "[click](javascript :alert(3))" in md  # narrative: no longer a link


def test_every_outline_field_goes_through_the_sanitiser():
    """The renderer on an outline with the payload everywhere, so a field added later without
    the sanitiser fails here."""
    block = exports.Block
    doc = exports.Outline(
        title=PAYLOAD,
        period=PAYLOAD,
        status=PAYLOAD,
        sections=[
            exports.OutlineSection(
                key="learnt",
                heading=PAYLOAD,
                evidence=[
                    block("h3", PAYLOAD),
                    block("p", PAYLOAD),
                    block("ul", items=(PAYLOAD, PAYLOAD_LINE)),
                ],
                narrative=PAYLOAD,
            )
        ],
        receiver_account=PAYLOAD,
    )
    md = exports.render_markdown(doc)
    assert_safe(md)
    assert md.count("alert(2)") == 10  # every field kept its text, escaped
