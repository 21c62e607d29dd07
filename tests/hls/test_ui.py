"""The one set of form components and the design tokens (docs/ui.md).

- Every field of every form in the product renders through templates/partials/field.html, in
  the shape its kind needs (a label above a box control; a legend over a group of radios or
  checkboxes, each beside its label; a single tick box left of its label), with the hint and
  error named by aria-describedby, and "(optional)" on the fields you may leave empty.
- No template hand-builds a radio or checkbox, or renders a visible field outside the partial.
- The colour tokens' text pairs meet WCAG AA, and app.css uses no colour outside the tokens.
- The style guide is there for DEBUG or staff, and the same 404 as an unknown address to anyone
  else.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from hls.renderers import FormRenderer
from tests.conftest import signed_in

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
APPS = ["hls", "systems", "cycles", "stewardship", "dataio"]


def product_forms() -> Iterator[type[forms.BaseForm]]:
    seen: set[type] = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("forms.py")):
            module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, forms.BaseForm)
                    and cls.__module__ == module.__name__
                    and cls not in seen
                ):
                    seen.add(cls)
                    yield cls


def product_fields() -> list[tuple[str, forms.Field]]:
    found = []
    for cls in product_forms():
        for name, field in cls.base_fields.items():  # type: ignore[attr-defined]
            found.append((f"{cls.__module__}.{cls.__name__}.{name}", field))
    return found


FIELDS = product_fields()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def render_alone(field: forms.Field, *, errors: bool = False) -> tuple[str, forms.BoundField]:
    """The field in a form of its own, with two choices if it offers choices (a form's own
    choices come from the database at run time), rendered as pages render it."""
    copy = field.__class__.__new__(field.__class__)
    copy.__dict__ = {**field.__dict__}
    copy.widget = field.widget.__class__.__new__(field.widget.__class__)
    copy.widget.__dict__ = {**field.widget.__dict__, "attrs": dict(field.widget.attrs)}
    if isinstance(copy, forms.ChoiceField):
        copy.choices = [("a", "Apple"), ("b", "Banana")]
        copy.widget.choices = copy.choices
    form_class = type("Alone", (forms.Form,), {"it": copy})
    form = form_class(data={} if errors else None)
    if errors:
        form.is_valid()
        form.add_error("it", "Something is wrong.")
    bound = form["it"]
    return render_to_string("partials/field.html", {"field": bound}), bound


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[name for name, _ in FIELDS])
def test_every_field_renders_through_the_shared_template(name: str, field: forms.Field) -> None:
    html, bound = render_alone(field, errors=True)
    parser = _Tags()
    parser.feed(html)
    tags = parser.tags
    if bound.is_hidden:
        assert all(tag == "input" and a.get("type") == "hidden" for tag, a in tags), html
        return
    wrapper_tag, wrapper = tags[0]
    assert "field" in wrapper["class"].split(), html
    assert "has-error" in wrapper["class"].split(), html
    error_id, help_id = f"{bound.auto_id}_error", f"{bound.auto_id}_helptext"
    assert f'id="{error_id}"' in html
    if bound.use_fieldset:  # radios, checkboxes: a legend, each option a control beside a label
        assert wrapper_tag == "fieldset", html
        assert error_id in wrapper["aria-describedby"].split()
        if field.help_text:
            assert help_id in wrapper["aria-describedby"].split()
        assert "<legend>" in html
        options = re.findall(
            r'<div class="choice"><input [^>]*id="([^"]+)"[^>]*>\s*<label for="\1">', html
        )
        assert len(options) == 2, html
    else:
        control = next(
            a for tag, a in tags if tag in ("input", "select", "textarea") and a.get("name") == "it"
        )
        described = control.get("aria-describedby", "").split()
        assert error_id in described, html
        if field.help_text:
            assert help_id in described, html
        if bound.widget_type == "checkbox":  # a single tick box: left of its label
            assert re.search(
                r'<div class="choice"><input [^>]*type="checkbox"[^>]*>\s*<label for=', html
            )
        else:
            label_at = html.index(f'<label for="{bound.id_for_label}">')
            assert label_at < html.index(f'id="{bound.id_for_label}"'), html
    marked_optional = "(optional)" in html
    needed_for = getattr(field, "needed_for", None)  # "(needed to start)" instead
    expected = not field.required and bound.widget_type != "checkbox" and not needed_for
    assert marked_optional == expected, (
        f"{name}: optional marker {marked_optional}, expected {expected}"
    )


def test_the_product_has_fields_of_every_kind() -> None:
    """The list above is the product's: it holds every kind of control."""
    widget_types = {type(field.widget).__name__ for _, field in FIELDS}
    assert len(FIELDS) > 150
    for kind in ("RadioSelect", "CheckboxSelectMultiple", "CheckboxInput", "Select", "Textarea"):
        assert any(kind in w for w in widget_types), widget_types
    dates = [f for _, f in FIELDS if isinstance(f, forms.DateField)]
    assert dates
    assert all(
        getattr(f.widget, "input_type", "") == "date" or f.widget.attrs.get("type") == "date"
        for f in dates
        if not f.widget.is_hidden
    )


def test_forms_use_the_project_renderer() -> None:
    assert settings.FORM_RENDERER == "hls.renderers.FormRenderer"
    assert FormRenderer.field_template_name == "partials/field.html"
    for cls in product_forms():
        assert cls.default_renderer is None, cls
        assert cls.template_name_div == forms.BaseForm.template_name_div, cls


HAND_BUILT = re.compile(
    r'type="(?:radio|checkbox)"|\.tag \}\}|choice_label'
    r"|\{\{ *\w*form\.(\w+) *\}\}|\.as_(?:p|table|ul|div) "
)
HIDDEN_FIELDS = {"revision", "version", "entry", "experiment"}
NAMES = {name.rsplit(".", 1)[1] for name, _ in FIELDS}


def test_no_template_builds_its_own_controls() -> None:
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if relative.startswith(("partials/", "django/forms/")):
            continue
        for match in HAND_BUILT.finditer(path.read_text()):
            if match.group(1) and (match.group(1) in HIDDEN_FIELDS or match.group(1) not in NAMES):
                continue  # a hidden field, or something the form says that is not a field
            problems.append(f"{relative}: {match.group(0)}")
    assert not problems, "render these through partials/field.html:\n" + "\n".join(problems)


# Design tokens ---------------------------------------------------------------------------------

CSS = (ROOT / "static" / "css" / "app.css").read_text()


def tokens() -> dict[str, str]:
    root = CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


TEXT_PAIRS = [  # (text, background): 4.5:1
    ("ink", "paper"), ("ink", "surface"), ("ink", "surface-sunk"), ("ink", "tint"),
    ("ink", "tint-soft"), ("ink", "focus"), ("ink", "warn-surface"), ("ink", "highlight"),
    ("muted", "paper"), ("muted", "surface"), ("muted", "surface-sunk"), ("accent", "paper"),
    ("accent", "surface"), ("accent", "tint"), ("accent-ink", "accent"),
    ("accent-ink", "accent-strong"), ("error", "surface"), ("error", "paper"), ("ok", "surface"),
]  # fmt: skip
UI_PAIRS = [  # (a control's edge or the focus ring, what it sits on): 3:1
    ("ink", "surface"), ("muted", "surface-sunk"), ("error", "surface"), ("accent", "surface"),
    ("focus", "accent"), ("focus", "accent-strong"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_meet_aa(text: str, background: str) -> None:
    colours = tokens()
    assert contrast(colours[text], colours[background]) >= 4.5


@pytest.mark.parametrize(("edge", "background"), UI_PAIRS)
def test_control_edges_and_focus_meet_3_to_1(edge: str, background: str) -> None:
    colours = tokens()
    assert contrast(colours[edge], colours[background]) >= 3


def test_colours_come_from_the_tokens() -> None:
    after_root = CSS[CSS.index("}", CSS.index(":root {")) :]
    literals = re.findall(r"#[0-9a-fA-F]{3,6}\b|rgba?\(", after_root)
    assert not literals, "use a colour token (static/css/app.css :root; docs/ui.md)"


# The style guide -------------------------------------------------------------------------------


def test_the_style_guide_is_for_debug_or_staff_only(admin: Any, member: Any, settings: Any) -> None:
    settings.DEBUG = False
    assert Client().get("/styleguide/").status_code == 404
    assert signed_in(member).get("/styleguide/").status_code == 404
    admin.user.is_staff = True
    admin.user.save(update_fields=["is_staff"])
    page = signed_in(admin).get("/styleguide/")
    assert page.status_code == 200
    body = page.content.decode()
    for heading in ("Tokens", "Form controls", "With errors", "Disabled", "Both versions"):
        assert heading in body
    assert body.count('class="field') >= 3 * 12
    settings.DEBUG = True
    assert Client().get("/styleguide/").status_code == 200


def test_the_style_guide_only_answers_get(admin: Any) -> None:
    admin.user.is_staff = True
    admin.user.save(update_fields=["is_staff"])
    assert signed_in(admin).post("/styleguide/", {"normal-title": "x"}).status_code == 405
