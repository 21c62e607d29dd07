"""Every parser of what people and partners type, fuzzed (issue 17): whatever comes in, each
answers with its own refusal (a message for the person) or a result, never a crash or a server
error, and never lets script through.

- Markdown (hls/markdown.py): `to_html` keeps only its allowed tags, with no script, no on*=
  attribute and no javascript:/vbscript:/data: link; `to_safe_markdown` and `escape_text` leave
  no raw tag and no unsafe scheme; the plain-text helpers never fail.
- Repeat rules (validate_rule): any text, and rules built from RFC 5545's parts, are accepted or
  refused with a message beside the rule (or the time zone), quickly.
- CSV (dataio/csvfile.py): any bytes read as a CSV or refused beside the file.
- Each import kind's rows (dataio/kinds.py), through the real upload, mapping and dry run: any
  cell text gives a problem on its row or none, never an exception.
- The API's list filters: any query on any list endpoint is a 200 or a 4xx problem+json.
- JSON typed into the method and signifier editors (hls/jsontext.py) and the method checker
  (stewardship/methods/definition.py) over any JSON: messages or a definition that saves.

Examples per test are kept small so the file runs in well under a minute on a busy machine."""

import datetime as dt
import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.signifiers.forms import SignifierSetForm
from dataio import csvfile, services
from dataio.kinds import FIELDS
from hls import jsontext
from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    escape_text,
    excerpt,
    plain_headline,
    to_html,
    to_plain_text,
    to_safe_markdown,
)
from hls.tenancy.context import tenant_scope
from stewardship.methods.definition import Definition, DefinitionError, parse
from stewardship.methods.library_forms import JsonTemplateForm
from stewardship.sessions.recurrence import validate_rule
from tests.api.conftest import client_for
from tests.dataio.conftest import make_world
from tests.stewardship_methods.test_definition import definitions as near_definitions

REPO = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=100, deadline=None)
DB = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What breaks parsers: markup, schemes, entities, escapes, quotes, separators, controls.
TRICKS = st.sampled_from(
    [
        "<", ">", "&", "#", ";", ":", "\\", "[", "]", "(", ")", "!", "`", "*", "_", "\n", "\r",
        "\t", "\x00", "\x0b", "\u2028", "\ufeff", "javascript:", "JaVaScRiPt:", "java\tscript:",
        "vbscript:", "data:", "data:text/html,", "<script>", "</script>", "<img src=x onerror=a()>",
        "<a href=", "onclick=", "&#106;", "&#x6A;", "&colon;", "&lt;", '"', "'", ",", "=", "+",
        "-", "@", "%", "%00", "é", "中", "🙂", "\U0010ffff", "1e999", "NaN", "-0", "9" * 30,
    ]
)  # fmt: skip
HOSTILE = st.lists(st.one_of(st.text(max_size=12), TRICKS), max_size=25).map("".join)


def outcome(call, refusal):
    """(result, None), or (None, the refusal) when `call` raised it; anything else propagates."""
    try:
        return call(), None
    except refusal as error:
        return None, error


# Markdown -------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


UNSAFE_URL = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)


def _url(value: str) -> str:
    """A URL as a browser reads it: tabs and new lines dropped, spaces and controls trimmed."""
    return re.sub(r"[\t\n\r]", "", value).strip(" \x00-\x1f")


@FAST
@given(HOSTILE)
def test_markdown_rendered_to_html_keeps_only_safe_tags_and_links(text):
    html = to_html(text)
    assert "<script" not in html.lower()
    for tag, attrs in _tags(html):
        assert tag in ALLOWED_TAGS, (text, html)
        for name, value in attrs:
            assert not name.startswith("on"), (text, html)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (text, html)
            if name in ("href", "src"):
                assert not UNSAFE_URL.match(_url(value or "")), (text, html)


@FAST
@given(HOSTILE)
def test_safe_markdown_and_escaped_text_hold_no_tag_and_no_unsafe_scheme(text):
    safe = to_safe_markdown(text)
    # to_safe_markdown breaks a scheme as "javascript :", so only the unbroken one counts.
    assert not re.search(r"(javascript|vbscript):", safe, re.IGNORECASE), (text, safe)
    for made in (safe, escape_text(text)):  # (escaped text is never a link: [ and < escaped)
        assert "<" not in made  # every < is written &lt;: no tag, no autolink
        for tag, attrs in _tags(to_html(made)):  # and rendered again, still nothing runs
            assert tag in ALLOWED_TAGS
            assert all(not name.startswith("on") for name, _v in attrs)
    assert "\n" not in escape_text(text)


@FAST
@given(HOSTILE, st.integers(0, 50), HOSTILE)
def test_the_plain_text_helpers_never_fail(text, words, headline):
    plain = to_plain_text(text)
    assert "\n" not in plain
    assert len(excerpt(text, words).split(" ")) <= max(words, 1)
    assert isinstance(plain_headline(headline, text), str)


# Repeat rules ---------------------------------------------------------------------------------

PARTS = {
    "FREQ": st.sampled_from(
        ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SECONDLY", "weekly", "X", ""]
    ),
    "COUNT": st.one_of(st.integers(-2, 700).map(str), st.sampled_from(["", "x", "1e3", "99999"])),
    "UNTIL": st.one_of(
        st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(9999, 12, 30)).map(
            lambda d: d.strftime("%Y%m%dT%H%M%S") + ("Z" if d.second % 2 else "")
        ),
        st.sampled_from(["20270101", "2027-01-01", "99991231", "0", ""]),
    ),
    "INTERVAL": st.one_of(st.integers(-1, 400).map(str), st.just("")),
    "BYDAY": st.lists(
        st.sampled_from(["MO", "TU", "WE", "+1MO", "-1FR", "5SU", "53MO", "XX"]),
        min_size=1,
        max_size=3,
    ).map(",".join),
    "BYMONTH": st.lists(st.integers(-1, 14).map(str), min_size=1, max_size=3).map(",".join),
    "BYMONTHDAY": st.lists(st.integers(-32, 32).map(str), min_size=1, max_size=3).map(",".join),
    "BYYEARDAY": st.lists(st.integers(-367, 367).map(str), min_size=1, max_size=2).map(",".join),
    "BYWEEKNO": st.lists(st.integers(-54, 54).map(str), min_size=1, max_size=2).map(",".join),
    "BYSETPOS": st.lists(st.integers(-400, 400).map(str), min_size=1, max_size=2).map(",".join),
    "BYHOUR": st.integers(0, 25).map(str),
    "WKST": st.sampled_from(["MO", "SU", "XX"]),
    "BYEASTER": st.integers(-2, 2).map(str),
}


@st.composite
def rules(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(sorted(PARTS)), max_size=6, unique=True))
    if draw(st.booleans()):
        names = ["FREQ", *[n for n in names if n != "FREQ"]]
    text = ";".join(f"{name}={draw(PARTS[name])}" for name in names)
    return draw(st.sampled_from(["", "RRULE:", " "])) + text


STARTS = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(9990, 1, 1), timezones=st.just(dt.UTC))
ZONES = st.sampled_from(["Europe/London", "America/New_York", "Pacific/Chatham", "UTC", "Nowhere"])


@pytest.mark.timeout(120)
@settings(max_examples=200, deadline=None)
@given(STARTS, ZONES, st.one_of(rules(), HOSTILE))
def test_any_repeat_rule_is_accepted_or_refused_beside_the_field(starts_at, zone, rule):
    _result, error = outcome(
        lambda: validate_rule(starts_at=starts_at, timezone=zone, rule=rule), ValidationError
    )
    if error is not None:
        assert set(error.message_dict) <= {"rrule", "timezone"}
        assert all(m for messages in error.message_dict.values() for m in messages)


# CSV ------------------------------------------------------------------------------------------

CSV_TEXT = st.lists(
    st.lists(st.one_of(st.text(max_size=8), TRICKS), max_size=5).map(lambda cells: ",".join(cells)),
    max_size=6,
).map("\r\n".join)
CSV_BYTES = st.one_of(
    st.binary(max_size=200),
    CSV_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    CSV_TEXT.map(lambda t: "\ufeff".encode() + t.encode("utf-8", "surrogatepass")),
    CSV_TEXT.map(lambda t: t.encode("utf-16", "surrogatepass")),
)


@FAST
@given(CSV_BYTES)
def test_any_bytes_read_as_a_csv_or_are_refused_beside_the_file(data):
    parsed, error = outcome(lambda: csvfile.parse(data), ValidationError)
    if error is not None:
        [problem] = error.error_dict["file"]
        assert problem.code
        assert problem.messages
        return
    assert parsed.header
    assert all(parsed.header)
    assert parsed.rows
    lines = [row.line for row in parsed.rows]
    assert lines == sorted(set(lines))
    assert lines[0] >= 2


# Each import kind, row by row ------------------------------------------------------------------

CELL = st.one_of(
    st.sampled_from(
        [
            "", "Keeping homes", "North team", "Sammy's life", "story", "Story", "barrier",
            "team", "private", "shared_upward", "7", "-1", "2025-03-31", "2999-01-01",
            "31/03/2025", "Housing; Money worries", "Housing;;Nope", "admin@riverside.test",
            "P-7K3Q", "p-7k3q", "1.5", "1e999", "NaN", "kg", "==1+1", "'=1", "@x",
        ]
    ),
    HOSTILE.map(lambda t: t.replace("\x00", "").replace("\r", "")),
)  # fmt: skip


@pytest.fixture
def import_world(workspace, admin, member):
    """The import tests' world (a team system and its cycle, a person-scale system, themes),
    made once for all the examples: their dry runs roll back whatever a row made."""
    return make_world(workspace, admin, member)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    lines = [",".join(cell(v) for v in header)] + [",".join(cell(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8", "surrogatepass")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(FIELDS))
@DB
@given(data=st.data())
def test_any_cells_give_problems_on_their_rows_never_an_error(kind, import_world, data):
    world = import_world
    workspace, admin = world.workspace, world.admin
    header = [spec.name for spec in FIELDS[kind]]
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)),
                              min_size=1, max_size=3), label="rows")  # fmt: skip
    user = admin.user
    with tenant_scope(workspace_id=workspace.pk):
        run, error = outcome(
            lambda: services.import_upload(
                workspace=workspace, user=user, kind=kind, file_name="f.csv",
                data=_csv(header, rows),
            ),
            ValidationError,
        )  # fmt: skip
        if error is not None:
            assert set(error.message_dict) == {"file"}  # e.g. a file of blank rows
            return
        run = services.import_map(workspace=workspace, run=run, mapping=run.mapping, user=user)
        run = services.import_check(workspace=workspace, run=run, user=user)
    for problem in run.problems:
        assert problem["line"] >= 2
        assert problem["reason"]
        assert problem["code"] != "database", problem  # a refusal in words, not the database's
    assert world.cycle.pk  # the world's objects were there to be found


# The API's list filters --------------------------------------------------------------------


@cache
def _list_endpoints() -> list[tuple[str, list[str]]]:
    schema = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text())
    return [
        (path, [p["name"] for p in op["get"].get("parameters", []) if p.get("in") == "query"])
        for path, op in sorted(schema["paths"].items())
        if "get" in op and "{" not in path
    ]


QUERY_VALUE = st.one_of(
    HOSTILE,
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(
        [
            "", "1", "0", "-1", "true", "null", "2026-01-01", "2026-01-01T00:00:00Z",
            "2026-13-45", "0001-01-01", "9999-12-31T23:59:59+14:00", "'; DROP TABLE x;--",
            "%", "_", "\x00", "a" * 3000, "cD0yMDI2LTAxLTAx", "-updated_at", "updated_at,id",
        ]
    ),
)  # fmt: skip


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.django_db
def test_any_query_on_a_list_endpoint_is_a_page_or_a_problem(api, data):
    endpoints = _list_endpoints()
    assert len(endpoints) >= 20
    path, names = data.draw(st.sampled_from(endpoints), label="endpoint")
    params = data.draw(
        st.dictionaries(st.sampled_from([*names, "x", "page", "limit"]), QUERY_VALUE, max_size=4),
        label="query",
    )
    response = api.get(path, params)
    assert response.status_code < 500, (path, params, response.content[:300])
    if response.status_code == 200:
        assert response["Content-Type"] == "application/json"
    else:
        assert 400 <= response.status_code < 500, response.status_code
        assert response["Content-Type"] == "application/problem+json", (path, params)
        assert json.loads(response.content)["status"] == response.status_code


@pytest.fixture
def api(admin):
    """A client with an all-scopes key of Riverside's admin, made once for all the examples."""
    with tenant_scope(workspace_id=admin.workspace_id):
        _key, raw = api_key_create(
            workspace=admin.workspace, created_by=admin.user, name="Fuzz", scopes=ALL_SCOPES
        )
    return client_for(raw)


# Method definitions and JSON typed into the editors -------------------------------------------

ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=25,
)
JSON_TEXT = st.one_of(
    ANY_JSON.map(json.dumps),
    near_definitions.map(json.dumps),
    st.lists(st.one_of(st.text(max_size=6), TRICKS, st.sampled_from(list("[]{}:,\"0-eE."))))
    .map("".join),
    st.sampled_from(
        ["NaN", "[Infinity]", '{"steps": -Infinity}', "1e999", "9" * 5000, "[" * 5000,
         '{"a": ' * 3000, '"\\ud800"', "", " ", "null", "[]", "{}"]
    ),
)  # fmt: skip


@FAST
@given(st.one_of(ANY_JSON, near_definitions))
def test_the_method_checker_takes_any_json(raw):
    parsed, error = outcome(lambda: parse(raw), DefinitionError)
    if error is not None:
        assert error.messages
        assert all(isinstance(m, str) and m for m in error.messages)
        return
    assert isinstance(parsed, Definition)
    assert parse(parsed.raw) == parsed
    json.dumps(parsed.raw, allow_nan=False)  # what is saved is JSON PostgreSQL takes


@FAST
@given(JSON_TEXT)
def test_json_typed_into_the_editors_is_read_or_refused_beside_the_field(text):
    value, error = outcome(lambda: jsontext.loads(text), jsontext.JsonTextError)
    if error is not None:
        assert error.message
    else:
        json.dumps(value, allow_nan=False)
    method = JsonTemplateForm(data={"name": "Fuzzed", "phases": ["understand"], "definition": text})
    if method.is_valid():
        json.dumps(method.cleaned_data["definition"], allow_nan=False)
    else:
        assert set(method.errors) <= {"definition"}
    signifiers = SignifierSetForm(data={"name": "Fuzzed", "definition": text})
    if signifiers.is_valid():
        json.dumps(signifiers.cleaned_data["definition"], allow_nan=False)
    else:
        assert set(signifiers.errors) <= {"definition"}


def test_the_editors_refuse_what_json_does_not_allow_in_words():
    for text, message in [
        ("NaN", "NaN is not a number JSON allows"),
        ('{"minutes": Infinity}', "Infinity is not a number JSON allows"),
        ("[1e999]", "1e999 is too large a number"),
        ("9" * 5000, "A number in it is too long to read"),
        ("[" * 5000, "nested more than 100 levels deep"),
        ("{", "This is not JSON (line 1, column 2)"),
    ]:
        form = JsonTemplateForm(data={"name": "Odd", "phases": ["understand"], "definition": text})
        assert not form.is_valid()
        assert any(message in m for m in form.errors["definition"]), (text, form.errors)
