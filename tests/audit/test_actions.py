"""Every action the code writes has a plain label on the audit log page, and every kind of
target it names is a real model with a page that exists. Read from the code itself, so a new
`audit_record(action=...)` without a label fails here."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from hls.api.base import RESOURCE_FAMILIES
from hls.audit import actions, targets

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hls", "systems", "cycles", "stewardship", "dataio")


def _calls() -> list[ast.Call]:
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            found += [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return found


def _strings(node: ast.AST) -> list[str]:
    """The string constants an expression can give ("a" if x else "b" gives both)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _written_actions() -> tuple[set[str], set[str]]:
    """(actions given to audit_record, verbs given to an API viewset's self.audit)."""
    written, verbs = set(), set()
    for call in _calls():
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
        if name == "audit_record":
            for keyword in call.keywords:
                if keyword.arg == "action":
                    written.update(_strings(keyword.value))
        elif name == "audit" and isinstance(call.func, ast.Attribute) and call.args:
            verbs.update(_strings(call.args[0]))
    return written, verbs


def test_the_scan_finds_the_actions_it_should() -> None:
    written, verbs = _written_actions()
    assert {"person.identity_viewed", "membership.role_changed", "api_key.create"} <= written
    assert {"invitation.created", "invitation.resent"} <= written  # both arms of an if
    assert {"create", "update", "delete", "phase"} <= verbs


def test_every_action_written_has_a_label() -> None:
    written, _verbs = _written_actions()
    missing = sorted(a for a in written if a not in actions.LABELS)
    assert not missing, f"give these a label in hls/audit/actions.py: {missing}"


def test_every_api_write_has_a_label() -> None:
    _written, verbs = _written_actions()
    assert set(RESOURCE_FAMILIES) <= set(actions.API_RESOURCES), "name the new API resource"
    assert verbs <= set(actions.API_VERBS), "say the new API verb in plain words"
    for resource in RESOURCE_FAMILIES:
        for verb in verbs:
            label = actions.label(f"api.{resource}.{verb}")
            assert label != f"api.{resource}.{verb}"
            assert "through the API" in label


def test_an_unknown_action_is_shown_by_its_code() -> None:
    assert actions.label("something.new") == "something.new"
    assert actions.label("api.unknown.create") == "api.unknown.create"
    assert actions.group_of("something.new") == ""


def test_every_choice_of_the_filter_narrows_to_something() -> None:
    values = [
        value
        for _label, options in actions.choices()[1:]
        for value, _text in options  # type: ignore[union-attr]
    ]
    assert len(values) == len(set(values))
    assert all(actions.matching(value) is not None for value in values)
    assert actions.matching("nonsense") is None
    assert actions.matching("group:nonsense") is None
    assert actions.matching("api:nonsense") is None


def test_labels_hold_no_code_and_are_unique() -> None:
    labels = [str(label) for label in actions.LABELS.values()]
    assert len(labels) == len(set(labels))
    assert not [label for label in labels if "." in label or "_" in label]


@pytest.mark.parametrize("kind", targets.KINDS, ids=lambda k: k.label)
def test_every_kind_of_target_is_a_model_of_a_workspace_with_a_real_page(kind) -> None:
    model = apps.get_model(kind.label)
    field_names = {f.name for f in model._meta.get_fields()}
    assert "workspace" in field_names or kind.label == targets.WORKSPACE
    assert set(f.split("__")[0] for f in kind.shown_by) <= field_names
    if kind.url_field != "pk":
        assert kind.url_field.removesuffix("_id") in field_names
    if kind.url_name:
        kwargs = {"workspace_slug": "riverside"}
        if kind.url_kwarg:
            kwargs[kind.url_kwarg] = 1
        assert reverse(kind.url_name, kwargs=kwargs).startswith("/w/riverside/")


def test_only_a_persons_reference_names_them() -> None:
    person = targets.kind_of("systems.person")
    assert person is not None
    assert person.shown_by == ("reference",)
    words_of_people = {"alias", "what_matters", "strengths", "text", "words", "note"}
    assert not [k.label for k in targets.KINDS if words_of_people & set(k.shown_by)]


def test_the_privacy_page_lists_every_action() -> None:
    page = (ROOT / "docs" / "people-and-privacy.md").read_text()
    missing = [action for action in actions.LABELS if f"`{action}`" not in page]
    assert not missing, f"add these to the table in docs/people-and-privacy.md: {missing}"
