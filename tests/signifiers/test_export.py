"""The workspace export holds the signifier sets, every version, and the placements of the
stories the exporting member may see (no wider than their stories)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from dataio import exports
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.signifiers.helpers import FULL_SET, PLACED, TRIAD_SET, attach, placed_story

pytestmark = pytest.mark.django_db


def _files(workspace, user) -> dict[str, bytes]:
    with tenant_scope(workspace_id=workspace.pk):
        data, _counts = exports.build_zip(workspace=workspace, user=user, on_step=lambda _s: None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_sets_versions_and_the_placements_one_may_see(world) -> None:
    ws, team = world.workspace, world.team.user
    with tenant_scope(workspace_id=ws.pk):
        s = attach(ws, world.cycle, team, definition=FULL_SET)
        shared, _p = placed_story(ws, world.cycle, team, visibility=ShareLevel.SHARED_UPWARD)
        private, _p = placed_story(ws, world.cycle, team, visibility=ShareLevel.TEAM)
        from cycles.signifiers import services

        services.signifier_set_update(
            workspace=ws, signifier_set=s, user=team, name=s.name, definition=TRIAD_SET
        )
    files = _files(ws, world.manager.user)
    sets = json.loads(files["signifier_sets.json"])
    assert [(row["id"], row["version"]) for row in sets] == [(s.pk, 2)]
    assert json.loads(sets[0]["definition"]) == TRIAD_SET
    versions = json.loads(files["signifier_set_versions.json"])
    assert [(v["signifier_set_id"], v["version"]) for v in versions] == [(s.pk, 1), (s.pk, 2)]
    assert json.loads(versions[0]["definition"]) == FULL_SET
    placements = json.loads(files["placements.json"])
    assert [p["entry_id"] for p in placements] == [shared.pk]  # not the team's own story
    assert (placements[0]["version"], json.loads(placements[0]["data"])) == (1, PLACED)
    assert b"signifier_set_id" in files["placements.csv"].splitlines()[0]
    assert {p["entry_id"] for p in json.loads(_files(ws, team)["placements.json"])} == {
        shared.pk,
        private.pk,
    }
