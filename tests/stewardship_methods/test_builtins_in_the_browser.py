"""Every built-in method runs from its pages, as a facilitator with a phone or a laptop would:
start it from the picker, answer each step through the form the page shows (only what a person
would type or tick), reveal private steps, move the group on, complete, and find what it wrote
in the cycle. The answer pages are read off the HTML, so a field the page fails to offer fails
here."""

import re

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods.builtin import BUILTINS
from stewardship.methods.definition import parse
from stewardship.models import MethodRun, RunOutput
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory
from tests.page_forms import form_with

W = "/w/riverside/"


def _typed(step, page):
    """The step's answer form as the page has it, with what a person would give."""
    form = dict(form_with(page, "step"))
    form["step"] = [step.key]
    for field in step.fields:
        if field.type in ("text", "long_text", "story"):
            form[field.key] = [f"{field.label}: what we saw"]
        elif field.type == "choice" or field.type == "multi":
            form[field.key] = [field.choices[0]]
        elif field.type == "scale":
            form[field.key] = [str(field.max)]
        elif field.type == "select":
            offered = re.findall(rf'name="{field.key}" value="([^"]+)"', page)
            assert offered, f"{step.key}: the page offers nothing to choose"
            form[field.key] = offered[: field.pick]
            if field.reasons:
                form[f"{field.key}__why__0"] = ["It says what changed for them."]
    if step.consent:
        form["consent"] = ["on"]
    return form


@pytest.mark.parametrize("key", sorted(BUILTINS))
def test_each_built_in_runs_from_its_pages(workspace, make_member, key):
    ana = make_member(workspace, Role.PRACTITIONER, email="ana@r.test", full_name="Ana")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="North team cycle")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=ana.user)
    client = signed_in(ana)
    started = client.post(
        f"{W}cycles/{cycle.pk}/methods/choose/",
        {"method": key, "why_this_method": "We chose it together at the team meeting."},
    )
    assert started.status_code == 302, started.content.decode()[:1000]
    page_url = started["Location"]
    with tenant_scope(workspace_id=workspace.pk):
        run = MethodRun.objects.get()
    definition = parse(BUILTINS[key].definition)
    for index, step in enumerate(definition.steps):
        page = client.get(page_url).content.decode()
        assert step.title in page
        answered = client.post(f"{page_url}answer/", _typed(step, page))
        assert answered.status_code == 302, (step.key, answered.content.decode()[:3000])
        if step.private:
            client.post(f"{page_url}reveal/", {"step_key": step.key})
        if index + 1 < len(definition.steps):
            client.post(f"{page_url}move/", {"to": index + 1, "expected": index})
    completed = client.post(f"{page_url}complete/")
    assert completed.status_code == 302
    page = client.get(page_url).content.decode()
    assert "Written into the cycle" in page
    with tenant_scope(workspace_id=workspace.pk):
        run.refresh_from_db()
        assert run.status == MethodRun.Status.COMPLETED
        assert RunOutput.objects.filter(run=run).exists(), f"{key} wrote nothing"
