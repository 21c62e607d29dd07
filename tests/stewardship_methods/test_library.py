"""The method library in the browser's terms: built-ins and the workspace's own, filtered by phase
and scale, each with its source and steps; a built-in copied and adapted; a template written
with the structured editor (its buttons plain posts; the checker's messages beside the step or
field they name, everything typed kept) or as JSON; its versions kept, with runs in progress
keeping theirs; archived and offered again. Role table and an exact query budget."""

from html import escape

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import services
from stewardship.methods.builtin import BUILTINS
from stewardship.methods.services import TemplateFields
from stewardship.models import MethodRun, MethodTemplate, MethodTemplateVersion
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory
from tests.page_forms import form_with
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
W = "/w/riverside/"
ALL = (200,) * 6
WRITERS = (302, 302, 302, 302, 302, 403)
EDITORS = (200, 200, 200, 200, 200, 403)

# view name, method → expected status for:
#                                     admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("methods", "GET"): ALL,
    ("method-template-new", "GET"): EDITORS,
    ("method-template-new", "POST"): WRITERS,
    ("method-copy", "POST"): WRITERS,
    ("method-template", "GET"): ALL,
    ("method-template-version", "GET"): ALL,
    ("method-template-edit", "GET"): EDITORS,
    ("method-template-edit", "POST"): WRITERS,
    ("method-template-edit-json", "GET"): EDITORS,
    ("method-template-edit-json", "POST"): WRITERS,
    ("method-template-archive", "POST"): WRITERS,
    # The picker: every role reads it; starting a run is for those inside the cycle
    # (test_picker.py: inside and with no tie).
    ("method-picker", "GET"): ALL,
    ("method-picker", "POST"): (403,) * 6,  # no tie to the cycle
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]

SIMPLE = {
    "steps": [
        {"key": "what", "title": "What happened", "who": "group",
         "fields": [{"key": "text", "label": "What happened", "type": "long_text",
                     "required": True}],
         "writes": [{"as": "entry", "kind": "observation", "field": "text"}]},
    ]
}  # fmt: skip


def _template(workspace, user, name="Our check-in", definition=SIMPLE):
    return services.template_create(
        workspace=workspace,
        user=user,
        fields=TemplateFields(name, "What we do each week.", "Our own", ["understand"], [],
                              definition),
    )  # fmt: skip


def test_the_table_lists_every_role_and_every_library_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.methods.library_views")}
    assert {view for view, _method in EXPECTED} == names, (
        "a library view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(MethodTemplate.objects.values_list("pk", "name", "version", "archived")),
            MethodRun.objects.count(),
        )


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, make_member):
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        author = make_member(workspace, Role.STEWARD, email="author@riverside.test")
        template = _template(workspace, author.user)
        cycle = CycleFactory(workspace=workspace)
    t = f"{W}methods/templates/{template.pk}/"
    meta = {"revision": "1", "name": "Renamed", "summary": "", "source": "",
            "phases": ["understand"]}  # fmt: skip
    url, data = {
        "methods": (f"{W}methods/", {}),
        "method-template-new": (
            f"{W}methods/new/",
            {**meta, "revision": "0", "s0-key": "a", "s0-title": "A", "s0-who": "group",
             "s0-f0-key": "b", "s0-f0-label": "B", "s0-f0-type": "text"},
        ),
        "method-copy": (f"{W}methods/copy/", {"builtin": next(iter(BUILTINS))}),
        "method-template": (t, {}),
        "method-template-version": (f"{t}versions/1/", {}),
        "method-template-edit": (
            f"{t}edit/",
            {**meta, "s0-key": "what", "s0-title": "What happened", "s0-who": "group",
             "s0-f0-key": "text", "s0-f0-label": "What happened", "s0-f0-type": "long_text"},
        ),
        "method-template-edit-json": (
            f"{t}edit/json/", {**meta, "definition": '{"steps": [{"key": "a", "title": "A", '
                               '"fields": [{"key": "b", "label": "B", "type": "text"}]}]}'},
        ),
        "method-template-archive": (f"{t}archive/", {"archived": "1"}),
        "method-picker": (
            f"{W}cycles/{cycle.pk}/methods/choose/",
            {"method": "rapid_learning", "why_this_method": "The team asked for it."},
        ),
    }[view]  # fmt: skip
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected, response.content.decode()[:800]
    if method == "POST":
        assert (_state(workspace) != before) is (expected == 302)


def test_the_library_lists_built_ins_and_our_own_filtered_by_phase_and_scale(
    workspace, admin, django_assert_num_queries
):
    with tenant_scope(workspace_id=workspace.pk):
        _template(workspace, admin.user, "Our team check-in")
        _template(workspace, admin.user, "Another of ours")
    client = signed_in(admin)
    client.get(f"{W}methods/")  # warm the session and the workspace
    # the user, the scope (3), the membership, the workspace's templates, the archived ones,
    # the savepoint and its release: however many templates and built-ins
    with django_assert_num_queries(10):
        page = client.get(f"{W}methods/").content.decode()
    assert "Our team check-in" in page
    for b in BUILTINS.values():
        assert escape(b.name) in page
    rapid = BUILTINS["rapid_learning"]
    assert rapid.source.split(",")[0] in page  # attribution shown
    assert "each participant answers" in page or "the group answers together" in page
    filtered = client.get(f"{W}methods/", {"phase": "understand", "scale": "country"})
    text = filtered.content.decode()
    assert "Our team check-in" in text  # no scales: any scale
    for b in BUILTINS.values():
        fits = "understand" in b.phases and (not b.scales or "country" in b.scales)
        assert (f'id="offer-{b.key.replace("_", "_")}"' in text) is fits, b.key
    bad = client.get(f"{W}methods/", {"phase": "nonsense"})
    assert bad.status_code == 200  # an unknown filter shows everything, with the form's error


def test_a_built_in_is_copied_and_adapted(workspace, admin):
    client = signed_in(admin)
    response = client.post(f"{W}methods/copy/", {"builtin": "rapid_learning"})
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        copied = MethodTemplate.objects.get()
    assert response["Location"] == f"{W}methods/templates/{copied.pk}/edit/"
    assert copied.copied_from == "rapid_learning"
    edit = client.get(response["Location"]).content.decode()
    form = form_with(edit, "name")
    assert form["s0-key"] == [BUILTINS["rapid_learning"].definition["steps"][0]["key"]]
    form["summary"] = ["Ours, on Fridays."]
    saved = client.post(response["Location"], form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with tenant_scope(workspace_id=workspace.pk):
        copied.refresh_from_db()
    assert copied.summary == "Ours, on Fridays."
    assert copied.version == 1, "the steps did not change: no new version"
    assert copied.definition == BUILTINS["rapid_learning"].definition, "nothing lost on a save"
    # a built-in whose steps also change the system map: the editor carries that through
    copied = client.post(f"{W}methods/copy/", {"builtin": "boundary_voice"})
    form = form_with(client.get(copied["Location"]).content.decode(), "name")
    assert client.post(copied["Location"], form).status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        voice = MethodTemplate.objects.get(copied_from="boundary_voice")
    assert voice.definition == BUILTINS["boundary_voice"].definition
    assert voice.version == 1
    unknown = client.post(f"{W}methods/copy/", {"builtin": "nope"}, follow=True)
    assert "There is no built-in method of that name." in unknown.content.decode()


def test_a_method_written_in_the_browser_step_by_step(workspace, admin):
    client = signed_in(admin)
    page = client.get(f"{W}methods/new/").content.decode()
    form = form_with(page, "name")
    form |= {"name": ["Friday reflection"], "phases": ["understand", "embed"],
             "s0-title": ["What happened"], "s0-f0-label": ["What happened"]}  # fmt: skip
    # "Add a step" is a plain post: the editor comes back with two steps, nothing saved
    added = client.post(f"{W}methods/new/", {**form, "do": "add-step"})
    assert added.status_code == 200
    form = form_with(added.content.decode(), "name")
    assert form["name"] == ["Friday reflection"]
    assert "s1-key" in form
    added = client.post(f"{W}methods/new/", {**form, "do": "add-field:1"})
    form = form_with(added.content.decode(), "name")
    assert "s1-f1-key" in form
    # A step with no title, a choice with one choice: messages beside the step and the field
    form |= {"s1-f0-label": ["How it felt"], "s1-f1-type": ["choice"],
             "s1-f1-label": ["Mood"], "s1-f1-choices": ["Fine"], "s1-who": ["each"]}  # fmt: skip
    refused = client.post(f"{W}methods/new/", form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "The steps need changes" in html
    step2 = html[html.index('id="step-2"') :]
    assert "give the step a title." in step2[: step2.index('id="step-2-field-1"')]
    field2 = step2[step2.index('id="step-2-field-2"') :]
    assert "give 2 to 20 different choices." in field2[:2000]
    kept = form_with(html, "name")
    assert kept["s1-f0-label"] == ["How it felt"]
    assert kept["name"] == ["Friday reflection"]
    kept |= {"s1-title": ["How it felt"], "s1-f1-choices": ["Fine\nTired\nHopeful"],
             "s1-private": ["on"], "s1-reveal": ["spread"],
             "s0-f0-entry": ["observation"]}  # fmt: skip
    saved = client.post(f"{W}methods/new/", kept)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    with tenant_scope(workspace_id=workspace.pk):
        made = MethodTemplate.objects.get()
    steps = made.definition["steps"]
    assert [s["key"] for s in steps] == ["step_1", "step_2"]
    assert steps[1]["private"] is True
    assert steps[1]["reveal"] == "spread"
    assert steps[1]["fields"][1]["choices"] == ["Fine", "Tired", "Hopeful"]
    assert steps[0]["writes"] == [{"as": "entry", "kind": "observation", "field": "answer"}]
    assert made.phases == ["understand", "embed"]


def test_the_steps_as_json_with_the_checkers_messages(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk):
        template = _template(workspace, admin.user)
    client = signed_in(admin)
    url = f"{W}methods/templates/{template.pk}/edit/json/"
    form = form_with(client.get(url).content.decode(), "definition")
    form["definition"] = ["{not json"]
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "This is not JSON" in refused.content.decode()
    form["definition"] = ['{"steps": [{"key": "a", "who": "someone", "fields": []}]}']
    refused = client.post(url, form)
    html = refused.content.decode()
    assert "Step 1: give the step a title." in html
    assert "Step 1: who answers is one of facilitator, each, group." in html
    assert form_with(html, "definition")["definition"] == [form["definition"][0]]
    form["definition"] = ['{"steps": [{"key": "a", "title": "A", "fields": '
                          '[{"key": "b", "label": "B", "type": "text"}]}]}']  # fmt: skip
    assert client.post(url, form).status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        template.refresh_from_db()
    assert template.version == 2
    assert template.definition["steps"][0]["key"] == "a"


def test_versions_while_a_run_is_in_progress(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk):
        template = _template(workspace, admin.user)
        cycle = CycleFactory(workspace=workspace)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=admin.user)
        run = services.run_start(
            workspace=workspace, user=admin.user, cycle=cycle, template=template
        )
    client = signed_in(admin)
    url = f"{W}methods/templates/{template.pk}/edit/"
    page = client.get(url).content.decode()
    assert "1 run in progress keeps version 1." in page
    form = form_with(page, "name")
    form["s0-title"] = ["What happened this week"]
    saved = client.post(url, form, follow=True)
    html = saved.content.decode()
    assert "Saved as version 2: new runs use it." in html
    assert "Runs in progress keep the version they started with." in html
    assert "1 run in progress keeps version 1." in html
    with tenant_scope(workspace_id=workspace.pk):
        run.refresh_from_db()
        versions = list(MethodTemplateVersion.objects.filter(template=template).order_by("version"))
    assert run.version == 1
    assert run.definition["steps"][0]["title"] == "What happened"
    assert [v.version for v in versions] == [1, 2]
    old = client.get(f"{W}methods/templates/{template.pk}/versions/1/").content.decode()
    assert "What happened" in old
    assert "What happened this week" not in old
    detail = client.get(f"{W}methods/templates/{template.pk}/").content.decode()
    assert "Version 2" in detail
    assert "Version 1" in detail
    assert client.get(f"{W}methods/templates/{template.pk}/versions/9/").status_code == 404


def test_archived_is_not_offered_then_offered_again(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk):
        template = _template(workspace, admin.user, "Old habit")
        cycle = CycleFactory(workspace=workspace, phase="understand")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=admin.user)
    client = signed_in(admin)
    t = f"{W}methods/templates/{template.pk}/"
    assert client.post(f"{t}archive/", {"archived": "1"}).status_code == 302
    picker = client.get(f"{W}cycles/{cycle.pk}/methods/choose/").content.decode()
    assert "Old habit" not in picker
    library = client.get(f"{W}methods/").content.decode()
    assert "Archived methods" in library
    assert "Old habit" in library
    client.post(f"{t}archive/", {"archived": "0"})
    assert "Old habit" in client.get(f"{W}cycles/{cycle.pk}/methods/choose/").content.decode()


def test_another_workspaces_template_is_not_found(workspace, other_workspace, admin, make_member):
    stranger = make_member(other_workspace, Role.ADMIN, email="s@elsewhere.test")
    with tenant_scope(workspace_id=other_workspace.pk):
        theirs = _template(other_workspace, stranger.user)
    client = signed_in(admin)
    for suffix in ("", "edit/", "edit/json/", "versions/1/"):
        assert client.get(f"{W}methods/templates/{theirs.pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("key", sorted(BUILTINS))
def test_every_built_in_goes_through_the_editor_unchanged(key, workspace, admin):
    """Saving a copy in the structured editor without a change keeps every step as it was."""
    client = signed_in(admin)
    edit = client.post(f"{W}methods/copy/", {"builtin": key})["Location"]
    assert (
        client.post(edit, form_with(client.get(edit).content.decode(), "name")).status_code == 302
    )
    with tenant_scope(workspace_id=workspace.pk):
        copied = MethodTemplate.objects.get()
    assert copied.definition == BUILTINS[key].definition
    assert copied.version == 1
